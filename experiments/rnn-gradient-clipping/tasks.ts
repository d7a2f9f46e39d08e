/**
 * The pathological tasks as pascanur/trainingRNNs generates them (`tempOrder.py`, `addition.py`), time-major
 * T×B×nIn inputs and B×nOut targets, drawn from our seeded stream instead of numpy's.
 *
 * Temporal order (`TempOrderTask`, 6 inputs, 4 classes, head 'lastSoftmax'): every step shows one of the
 * distractors {c, d, e, f} (channels 2–5) except at p0 ∈ [⌊0.1L⌋, 2⌊0.1L⌋) and p1 ∈ [⌊0.5L⌋, ⌊0.5L⌋ + ⌊0.1L⌋),
 * which show A or B (channels 0–1); the class is v0 + 2 v1 (AA, BA, AB, BB). Chance error 75%.
 *
 * Addition (`AddTask`, 2 inputs, 1 output, head 'lastLinear'): the length is l = L + U{0 … ⌊0.1L⌋ − 1} (one per
 * batch); channel 1 is U(0, 1) noise, channel 0 marks p0 ∈ [0, ⌊0.1l⌋) and p1 ∈ [⌊0.1l⌋, ⌊0.1l⌋ + ⌊0.4l⌋) with 1;
 * the target is (u_{p0} + u_{p1})/2 and a sequence counts as an error when (t − y)² > 0.04.
 */
import type { Rng } from "../../lib/math/rng.ts";
import type { Batch, Head } from "./rnn.ts";

/** A task: its sizes, its head and its generator. */
export interface Task {
  nIn: number;
  nOut: number;
  head: Head;
  /** Error of the best constant prediction (for the sanity of an untrained net). */
  chanceError: number;
  generate(rng: Rng, batch: number, length: number): Batch;
}

/** Uniform integer in [0, n) (numpy's randint(n)); n ≥ 1. */
const randint = (rng: Rng, n: number) => rng.int(Math.max(1, n));

export const tempOrder: Task = {
  nIn: 6,
  nOut: 4,
  head: "lastSoftmax",
  chanceError: 0.75,
  generate(rng, B, L) {
    const x = new Float64Array(L * B * 6), y = new Float64Array(B * 4);
    const tenth = Math.floor(L * 0.1), half = Math.floor(L * 0.5);
    for (let b = 0; b < B; b++) {
      const p0 = randint(rng, tenth) + tenth, v0 = randint(rng, 2);
      const p1 = randint(rng, tenth) + half, v1 = randint(rng, 2);
      y[b * 4 + v0 + 2 * v1] = 1;
      for (let t = 0; t < L; t++) {
        const sym = t === p0 ? v0 : t === p1 ? v1 : randint(rng, 4) + 2;
        x[(t * B + b) * 6 + sym] = 1;
      }
    }
    return { T: L, B, x, y };
  },
};

export const addition: Task = {
  nIn: 2,
  nOut: 1,
  head: "lastLinear",
  chanceError: 0.36,
  generate(rng, B, length) {
    const L = randint(rng, Math.floor(length * 0.1)) + length;
    const x = new Float64Array(L * B * 2), y = new Float64Array(B);
    const tenth = Math.floor(L * 0.1), forty = Math.floor(L * 0.4);
    for (let b = 0; b < B; b++) {
      const p0 = randint(rng, tenth), p1 = randint(rng, forty) + tenth;
      for (let t = 0; t < L; t++) x[(t * B + b) * 2 + 1] = rng.uniform();
      x[(p0 * B + b) * 2] = 1;
      x[(p1 * B + b) * 2] = 1;
      y[b] = (x[(p0 * B + b) * 2 + 1] + x[(p1 * B + b) * 2 + 1]) / 2;
    }
    return { T: L, B, x, y };
  },
};

export const TASKS = { tempOrder, addition } as const;
export type TaskName = keyof typeof TASKS;

/**
 * Budgeted training of a small MLP: exactly T minibatch SGD-momentum steps (epochs reshuffled, the last step may
 * fall mid-epoch), learning rate lr·s_t from a schedule, and the peak-rate tuning every schedule gets: one run per
 * grid value from the same initialisation and minibatch stream, the value with the best validation accuracy kept.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { mlp, type Sequential, SGD } from "../../lib/math/nn/mod.ts";

/** Flattened examples: n rows of d inputs, one label each. */
export interface Set {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

export interface Data {
  train: Set;
  val: Set;
  test: Set;
}

export interface BudgetOpts {
  widths: number[];
  batch: number;
  momentum: number;
  weightDecay: number;
}

/** Trains a fresh MLP (init from initRng) for schedule.length steps at peak rate lr; minibatches from batchRng. */
export function trainBudget(
  d: Set,
  schedule: Float64Array,
  lr: number,
  o: BudgetOpts,
  initRng: Rng,
  batchRng: Rng,
): { net: Sequential; trainLoss: number; diverged: boolean } {
  const net = mlp(o.widths, { dtype: "float32", rng: initRng });
  const opt = new SGD({ lr: (t) => lr * schedule[t], momentum: o.momentum, weightDecay: o.weightDecay });
  const dim = o.widths[0], B = o.batch, T = schedule.length;
  const xb = new Float32Array(B * dim), yb = new Int32Array(B);
  let perm = batchRng.permutation(d.n), pos = 0, tail = 0, tailN = 0, diverged = false;
  for (let t = 0; t < T; t++) {
    if (pos + B > d.n) {
      perm = batchRng.permutation(d.n);
      pos = 0;
    }
    for (let r = 0; r < B; r++) {
      const i = perm[pos + r];
      xb.set(d.x.subarray(i * dim, (i + 1) * dim), r * dim);
      yb[r] = d.y[i];
    }
    pos += B;
    const l = net.lossAndGrad(xb, yb, B, "xent");
    if (!Number.isFinite(l)) {
      diverged = true;
      break;
    }
    if (t >= T - Math.max(1, Math.floor(T / 10))) {
      tail += l;
      tailN++;
    }
    opt.step(net.store.value, net.store.grad);
  }
  return { net, trainLoss: diverged ? Infinity : tail / Math.max(1, tailN), diverged };
}

/** Accuracy of net on a set (0 for a diverged net). */
export function accuracyOn(net: Sequential, s: Set): number {
  const a = net.accuracy(s.x, s.y, s.n);
  return Number.isFinite(a) ? a : 0;
}

export interface Tuned {
  lr: number;
  net: Sequential;
  valAcc: number;
  trainLoss: number;
  /** Validation accuracy at each grid value, in grid order. */
  sweep: number[];
}

/**
 * The tuning rule shared by every schedule: for each peak rate in `grid`, train with the same init and minibatch
 * stream; keep the rate with the highest validation accuracy (ties: the first in grid order).
 */
export function tunePeak(d: Data, schedule: Float64Array, grid: number[], o: BudgetOpts, rng: Rng): Tuned {
  let best: Tuned | null = null;
  const sweep: number[] = [];
  for (const lr of grid) {
    const r = trainBudget(d.train, schedule, lr, o, rng.split("init"), rng.split("batches"));
    const valAcc = r.diverged ? 0 : accuracyOn(r.net, d.val);
    sweep.push(valAcc);
    if (!best || valAcc > best.valAcc) best = { lr, net: r.net, valAcc, trainLoss: r.trainLoss, sweep };
  }
  return best!;
}

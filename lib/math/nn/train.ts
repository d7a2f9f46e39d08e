/**
 * The trainer: epochs over shuffled minibatches, one optimiser step per minibatch, an evaluation hook after each
 * epoch, and early stopping on the hook's value (optionally restoring the best parameters).
 */
import type { Rng } from "../rng.ts";
import type { Arr } from "./gemm.ts";
import type { LossKind, Sequential } from "./model.ts";
import type { Optimizer } from "./optim.ts";

/** Early stopping on the evaluation hook's value. */
export interface EarlyStopping {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** "min" for a loss, "max" for an accuracy (default "min"). */
  mode?: "min" | "max";
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the parameters of the best epoch when training ends (default true). */
  restoreBest?: boolean;
}

/** n examples: inputs as the rows of `x` (n × inSize, row-major) and their labels (n) or targets (n × outSize). */
export interface Examples<
  X extends ArrayLike<number> = ArrayLike<number>,
  Y extends ArrayLike<number> = ArrayLike<number>,
> {
  x: X;
  y: Y;
  n: number;
}

/** What `train` needs: the model, its optimizer, the examples (labels for "xent", targets for "mse"), the schedule. */
export interface TrainOpts extends Examples {
  model: Sequential;
  optimizer: Optimizer;
  batchSize: number;
  epochs: number;
  /** Shuffles each epoch (Fisher–Yates); omit to keep the data order. */
  rng?: Rng;
  loss?: LossKind;
  /** Drop the last partial minibatch (default false). */
  dropLast?: boolean;
  /** Called after every step with the 0-based global step and the minibatch loss. */
  onStep?: (step: number, loss: number) => void;
  /** Called after every epoch (0-based); its number is what early stopping watches. */
  evaluate?: (epoch: number) => number | void;
  earlyStopping?: EarlyStopping;
}

/** One epoch's record. */
export interface EpochLog {
  epoch: number;
  /** Mean minibatch loss over the epoch. */
  trainLoss: number;
  /** The evaluation hook's value, when it returned one. */
  metric?: number;
  ms: number;
}

/** What `train` returns. */
export interface TrainResult {
  epochs: EpochLog[];
  steps: number;
  stoppedEarly: boolean;
  /** Epoch with the best metric (early stopping), else the last. */
  bestEpoch: number;
}

/** Trains `model` in place. */
export function train(o: TrainOpts): TrainResult {
  const { model, optimizer, n, batchSize: B } = o, d = model.inSize, k = model.outSize, loss = o.loss ?? "xent";
  const F = model.dtype === "float32" ? Float32Array : Float64Array;
  const xb: Arr = new F(B * d), yw = loss === "xent" ? 1 : k;
  const yb = loss === "xent" ? new Int32Array(B) : new Float64Array(B * k);
  const order = new Int32Array(n).map((_, i) => i);
  const es = o.earlyStopping, mode = es?.mode ?? "min", minDelta = es?.minDelta ?? 0;
  let best = mode === "min" ? Infinity : -Infinity, bestEpoch = -1, since = 0, bestTheta: Arr | null = null;
  const logs: EpochLog[] = [];
  let step = 0, stopped = false;
  for (let e = 0; e < o.epochs; e++) {
    const t0 = performance.now();
    if (o.rng) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(o.rng.uniform() * (i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    let sum = 0, count = 0;
    for (let off = 0; off < n; off += B) {
      const b = Math.min(B, n - off);
      if (b < B && o.dropLast) break;
      for (let r = 0; r < b; r++) {
        const i = order[off + r];
        for (let j = 0; j < d; j++) xb[r * d + j] = o.x[i * d + j];
        for (let j = 0; j < yw; j++) yb[r * yw + j] = o.y[i * yw + j];
      }
      const l = model.lossAndGrad(xb.subarray(0, b * d), yb, b, loss);
      optimizer.step(model.store.value, model.store.grad);
      o.onStep?.(step, l);
      sum += l * b;
      count += b;
      step++;
    }
    const m = o.evaluate?.(e);
    const log: EpochLog = { epoch: e, trainLoss: sum / Math.max(1, count), ms: performance.now() - t0 };
    if (typeof m === "number") log.metric = m;
    logs.push(log);
    if (es && typeof m === "number") {
      const better = mode === "min" ? m < best - minDelta : m > best + minDelta;
      if (better) {
        best = m;
        bestEpoch = e;
        since = 0;
        if (es.restoreBest !== false) bestTheta = model.store.value.slice();
      } else if (++since >= es.patience) {
        stopped = true;
        break;
      }
    }
  }
  if (bestTheta) model.store.value.set(bestTheta);
  return { epochs: logs, steps: step, stoppedEarly: stopped, bestEpoch: bestEpoch >= 0 ? bestEpoch : logs.length - 1 };
}

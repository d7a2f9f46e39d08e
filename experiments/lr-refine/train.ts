/**
 * Minibatch SGD and Adam with a learning-rate schedule, returning the last iterate and the per-step gradient
 * norms the refinement needs (Defazio et al. 2023: x_{t+1} = x_t − η_t g_t for SGD).
 */
import type { Rng } from "../../lib/math/rng.ts";
import { lossGrad, nParams, type Params, type Problem } from "./problems.ts";

export interface TrainOpts {
  optimizer: "sgd" | "adam";
  /** Base learning rate; step t uses lr · schedule[t]. */
  lr: number;
  batch: number;
  epochs: number;
  /** Called after each epoch with the current iterate (epoch 0 = the initial point). */
  onEpoch?: (epoch: number, w: Params) => void;
}

export interface TrainResult {
  w: Params;
  /**
   * Per step, the norm the refinement weights by: ‖g_t‖₂ for SGD; for Adam the norm of g_t in the metric of the
   * step, (Σ_i g_{t,i}²/(√v̂_{t,i} + ε))^{1/2} (our reading of the per-coordinate variant, see README).
   */
  gradNorms: Float64Array;
}

export const stepsPerEpoch = (p: Problem, batch: number) => Math.ceil(p.train.n / batch);

/** Runs `epochs` passes, reshuffling each epoch with rng; schedule.length must equal epochs · steps per epoch. */
export function train(p: Problem, schedule: Float64Array, o: TrainOpts, rng: Rng): TrainResult {
  const spe = stepsPerEpoch(p, o.batch);
  const T = o.epochs * spe;
  if (schedule.length !== T) throw new Error(`schedule has ${schedule.length} steps, training has ${T}`);
  const np = nParams(p);
  const w = new Float64Array(np), g = new Float64Array(np);
  const m = new Float64Array(np), v = new Float64Array(np);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8; // Adam defaults (Kingma & Ba 2015)
  const gradNorms = new Float64Array(T);
  o.onEpoch?.(0, w);
  let t = 0;
  for (let e = 0; e < o.epochs; e++) {
    const perm = rng.permutation(p.train.n);
    for (let s = 0; s < spe; s++, t++) {
      const rows = perm.subarray(s * o.batch, Math.min(p.train.n, (s + 1) * o.batch));
      lossGrad(p, w, p.train, g, rows);
      const eta = o.lr * schedule[t];
      if (o.optimizer === "sgd") {
        let n2 = 0;
        for (let j = 0; j < np; j++) {
          n2 += g[j] * g[j];
          w[j] -= eta * g[j];
        }
        gradNorms[t] = Math.sqrt(n2);
      } else {
        const c1 = 1 - Math.pow(b1, t + 1), c2 = 1 - Math.pow(b2, t + 1);
        let n2 = 0;
        for (let j = 0; j < np; j++) {
          m[j] = b1 * m[j] + (1 - b1) * g[j];
          v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
          const den = Math.sqrt(v[j] / c2) + eps;
          n2 += g[j] * g[j] / den;
          w[j] -= eta * (m[j] / c1) / den;
        }
        gradNorms[t] = Math.sqrt(n2);
      }
    }
    o.onEpoch?.(e + 1, w);
  }
  return { w, gradNorms };
}

/**
 * Losses with their gradients: softmax cross-entropy over integer labels and mean squared error.
 *
 * Each returns the loss averaged over the batch (`reduction: "mean"`, the default) or summed (`"sum"`, which makes
 * row i of the gradient sample i's own ∂L_i/∂logits, as per-example gradients need), and writes ∂L/∂input into `grad`.
 */
import type { Arr } from "./gemm.ts";

/** How per-sample losses combine. */
export type Reduction = "mean" | "sum";

/**
 * Softmax cross-entropy: L_i = −log softmax(z_i)[y_i], computed stably (max-shifted log-sum-exp);
 * ∂L_i/∂z_i = softmax(z_i) − onehot(y_i). `logits` is batch × classes; `grad` (same size) may be omitted.
 */
export function softmaxCrossEntropy(
  logits: Arr,
  labels: ArrayLike<number>,
  batch: number,
  classes: number,
  grad?: Arr,
  reduction: Reduction = "mean",
): number {
  const scale = reduction === "mean" ? 1 / batch : 1;
  let total = 0;
  for (let i = 0; i < batch; i++) {
    const r = i * classes, y = labels[i];
    if (!(y >= 0 && y < classes)) throw new Error(`nn: label ${y} of sample ${i} is outside 0..${classes - 1}`);
    let mx = -Infinity;
    for (let j = 0; j < classes; j++) if (logits[r + j] > mx) mx = logits[r + j];
    let s = 0;
    for (let j = 0; j < classes; j++) s += Math.exp(logits[r + j] - mx);
    const lse = mx + Math.log(s);
    total += lse - logits[r + y];
    if (grad) {
      for (let j = 0; j < classes; j++) grad[r + j] = Math.exp(logits[r + j] - lse) * scale;
      grad[r + y] -= scale;
    }
  }
  return total * scale;
}

/**
 * Mean squared error: L_i = (1/d)·Σ_j (p_ij − t_ij)² per sample (d outputs; so "mean" is the mean over all
 * entries, as PyTorch's MSELoss); ∂L_i/∂p_ij = 2(p_ij − t_ij)/d.
 */
export function mse(
  pred: Arr,
  target: ArrayLike<number>,
  batch: number,
  dim: number,
  grad?: Arr,
  reduction: Reduction = "mean",
): number {
  const scale = (reduction === "mean" ? 1 / batch : 1) / dim;
  let total = 0;
  for (let i = 0, n = batch * dim; i < n; i++) {
    const d = pred[i] - target[i];
    total += d * d;
    if (grad) grad[i] = 2 * d * scale;
  }
  return total * scale;
}

/** Fraction of rows whose arg-max equals the label. */
export function accuracyOf(logits: Arr, labels: ArrayLike<number>, batch: number, classes: number): number {
  let ok = 0;
  for (let i = 0; i < batch; i++) {
    const r = i * classes;
    let best = 0;
    for (let j = 1; j < classes; j++) if (logits[r + j] > logits[r + best]) best = j;
    if (best === labels[i]) ok++;
  }
  return batch ? ok / batch : 0;
}

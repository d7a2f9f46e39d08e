/**
 * Target functions and samples. Inputs are uniform on [−1, 1]^d; targets are products of sines whose frequency
 * k sets the complexity: sin1d f(x) = sin(kπx); sin2d f(x) = sin(kπx₁)·sin(kπx₂). Higher k puts the target's
 * Fourier mass (and its ridgelet spectrum) at larger |a|, so a band [−λ, λ] must be wider to cover it.
 */
import type { Rng } from "../../lib/math/rng.ts";

export type TargetName = "sin1d" | "sin2d";

export interface Sample {
  /** n × d inputs, row-major. */
  x: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
}

export interface Problem {
  train: Sample;
  test: Sample;
}

export const dimOf = (t: TargetName): number => (t === "sin1d" ? 1 : 2);

export function target(t: TargetName, freq: number, x: ArrayLike<number>): number {
  const w = freq * Math.PI;
  return t === "sin1d" ? Math.sin(w * x[0]) : Math.sin(w * x[0]) * Math.sin(w * x[1]);
}

export function sample(t: TargetName, freq: number, n: number, rng: Rng): Sample {
  const d = dimOf(t);
  const x = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = 2 * rng.uniform() - 1;
    y[i] = target(t, freq, x.subarray(i * d, (i + 1) * d));
  }
  return { x, y, n, d };
}

/** Independent noiseless train and test sets from the data stream. */
export function makeProblem(t: TargetName, freq: number, nTrain: number, nTest: number, rng: Rng): Problem {
  return { train: sample(t, freq, nTrain, rng.split("train")), test: sample(t, freq, nTest, rng.split("test")) };
}

/** Relative RMSE ‖ŷ − y‖ / ‖y − ȳ‖ (1 = no better than predicting the mean). */
export function relRmse(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i];
  m /= y.length;
  let e = 0, v = 0;
  for (let i = 0; i < y.length; i++) {
    e += (pred[i] - y[i]) ** 2;
    v += (y[i] - m) ** 2;
  }
  return Math.sqrt(e / v);
}

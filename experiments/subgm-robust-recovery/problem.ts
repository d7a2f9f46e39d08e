/**
 * Robust matrix recovery instance (Ma & Fattahi 2022, eq. (1)): PSD rank-r X* = U*U*ᵀ (d×d), symmetric Gaussian
 * measurements and y = A(X*) + s, where s follows the outlier noise model: each s_i is nonzero independently with
 * probability p, and then drawn from N(0, (outlierScale·‖X*‖_F)²) — gross errors far larger than a clean measurement.
 * A separate validation set of `mVal` measurements, drawn from the same model (same outlier fraction), is used only
 * to choose step sizes (never to fit, never to score).
 */
import type { Rng } from "../../lib/math/rng.ts";
import {
  type DenseSensing,
  frobenius,
  gaussianSensing,
  gram,
  type M64,
  type PsdTruth,
  psdTruth,
} from "../../lib/math/lowrank/mod.ts";

export interface RobustProblem {
  op: DenseSensing;
  y: Float64Array;
  truth: PsdTruth;
  /** Indices of corrupted measurements. */
  corrupted: Int32Array;
  /** Held-out measurements (same model) for step-size selection. */
  valid: { op: DenseSensing; y: Float64Array };
}

/** The selection score: median |y_val − A_val(UUᵀ)| over held-out measurements (robust to their outliers). */
export function validationScore(p: RobustProblem, u: M64): number {
  const pred = p.valid.op.apply(gram(u));
  const res = Array.from(pred, (v, i) => Math.abs(p.valid.y[i] - v)).sort((a, b) => a - b);
  const mid = res.length >> 1;
  const med = res.length % 2 ? res[mid] : 0.5 * (res[mid - 1] + res[mid]);
  return Number.isFinite(med) ? med : Infinity;
}

/** y = A(X*) + outliers: each measurement corrupted w.p. p by N(0, scale²). */
function corrupt(y: Float64Array, p: number, scale: number, rng: Rng): number[] {
  const corrupted: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (rng.uniform() < p) {
      y[i] += scale * rng.normal();
      corrupted.push(i);
    }
  }
  return corrupted;
}

export function makeProblem(
  opts: { d: number; r: number; kappa: number; m: number; p: number; outlierScale: number; mVal: number },
  rng: Rng,
): RobustProblem {
  const truth = psdTruth({ n: opts.d, r: opts.r, kappa: opts.kappa }, rng.split("truth"));
  const op = gaussianSensing({ m: opts.m, rows: opts.d, cols: opts.d, symmetric: true }, rng.split("A"));
  const y = op.apply(truth.x);
  const scale = opts.outlierScale * frobenius(truth.x);
  const corrupted = corrupt(y, opts.p, scale, rng.split("outliers"));
  const vOp = gaussianSensing({ m: opts.mVal, rows: opts.d, cols: opts.d, symmetric: true }, rng.split("valid-A"));
  const vY = vOp.apply(truth.x);
  corrupt(vY, opts.p, scale, rng.split("valid-outliers"));
  return { op, y, truth, corrupted: Int32Array.from(corrupted), valid: { op: vOp, y: vY } };
}

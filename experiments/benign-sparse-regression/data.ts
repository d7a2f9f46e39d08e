/**
 * Sparse linear regression data (Zhou & Ge 2023, §1): y = β*ᵀx + ξ with x ~ N(0, I_d), ξ ~ N(0, σ²), β* s-sparse,
 * n ≪ d. The population test loss of any β is ½E[(y − βᵀx)²] = ½(‖β − β*‖² + σ²), so it is computed exactly.
 */
import type { Rng } from "../../lib/math/rng.ts";

export interface SparseProblem {
  n: number;
  d: number;
  s: number;
  sigma: number;
  /** n×d design, row-major. */
  x: Float64Array;
  y: Float64Array;
  betaStar: Float64Array;
  support: Int32Array;
}

export interface ProblemConfig {
  n: number;
  d: number;
  s: number;
  sigma: number;
  /** Magnitude of each nonzero entry of β* (signs random). */
  signal: number;
}

export function makeProblem(cfg: ProblemConfig, rng: Rng): SparseProblem {
  const { n, d, s, sigma, signal } = cfg;
  const x = rng.split("x").normal(n * d);
  const perm = rng.split("support").permutation(d);
  const support = Int32Array.from(perm.slice(0, s)).sort();
  const signs = rng.split("signs");
  const betaStar = new Float64Array(d);
  for (const j of support) betaStar[j] = signs.uniform() < 0.5 ? -signal : signal;
  const xi = rng.split("noise").normal(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const j of support) v += x[i * d + j] * betaStar[j];
    y[i] = v + sigma * xi[i];
  }
  return { n, d, s, sigma, x, y, betaStar, support };
}

/** ‖β − β*‖²: the excess population risk E[(xᵀ(β − β*))²] for isotropic x. */
export function excessRisk(p: SparseProblem, beta: ArrayLike<number>): number {
  let e = 0;
  for (let j = 0; j < p.d; j++) e += (beta[j] - p.betaStar[j]) ** 2;
  return e;
}

/** Test loss ½E[(y − βᵀx)²] = ½(‖β − β*‖² + σ²), the paper's definition (§1). */
export function testLoss(p: SparseProblem, beta: ArrayLike<number>): number {
  return 0.5 * (excessRisk(p, beta) + p.sigma ** 2);
}

/** Relative training residual ‖Xβ − y‖ / ‖y‖ (0 for an interpolator). */
export function trainResidual(p: SparseProblem, beta: ArrayLike<number>): number {
  let r2 = 0, y2 = 0;
  for (let i = 0; i < p.n; i++) {
    let v = 0;
    const off = i * p.d;
    for (let j = 0; j < p.d; j++) v += p.x[off + j] * beta[j];
    r2 += (v - p.y[i]) ** 2;
    y2 += p.y[i] ** 2;
  }
  return Math.sqrt(r2 / y2);
}

/**
 * Rank-r ground truths with controlled spectrum (condition number) and incoherent random factors.
 *
 * PSD truths are X* = U*·U*ᵀ with U* = Q·diag(√σ) for a uniformly random orthonormal Q (n×r); asymmetric truths
 * are X* = L·Rᵀ with L = Q_L·diag(√σ), R = Q_R·diag(√σ). Random orthonormal factors are μ-incoherent with
 * μ = O(log n) with high probability; `incoherence` measures it.
 *
 * @example
 * ```ts
 * const t = psdTruth({ n: 20, r: 3, sigmas: [1, 0.5, 0.25] }, Rng.fromSeed(0));
 * t.x; // 20×20, eigenvalues 1, 0.5, 0.25, 0, ...
 * ```
 */
import type { Rng } from "../rng.ts";
import { gram, type M64, mat, matmul, orthonormalize, transpose, zeros } from "./dense.ts";

/** An n×r matrix of i.i.d. N(0, 1) draws (times `scale`). */
export function gaussian(rows: number, cols: number, rng: Rng, scale = 1): M64 {
  const d = rng.normal(rows * cols);
  if (scale !== 1) { for (let i = 0; i < d.length; i++) d[i] *= scale; }
  return mat(rows, cols, d);
}

/** A uniformly random n×r matrix with orthonormal columns (Gram–Schmidt of a Gaussian). */
export function randomOrthonormal(n: number, r: number, rng: Rng): M64 {
  return orthonormalize(gaussian(n, r, rng));
}

/**
 * A spectrum of r values: explicit `sigmas`, or geometric from 1 down to 1/kappa (kappa = 1: all ones).
 *
 * @example `spectrum({ r: 3, kappa: 4 })` is [1, 0.5, 0.25].
 */
export function spectrum(opts: { r: number; kappa?: number; sigmas?: readonly number[] }): Float64Array {
  if (opts.sigmas) {
    if (opts.sigmas.length !== opts.r) throw new Error(`spectrum: ${opts.sigmas.length} values for rank ${opts.r}`);
    return Float64Array.from(opts.sigmas);
  }
  const kappa = opts.kappa ?? 1, r = opts.r;
  return Float64Array.from({ length: r }, (_, i) => r === 1 ? 1 : Math.pow(kappa, -i / (r - 1)));
}

/** A PSD rank-r truth: X* = U*U*ᵀ, its factor U* (n×r, columns orthogonal, ‖u_i‖² = σ_i), and σ (descending). */
export interface PsdTruth {
  x: M64;
  u: M64;
  sigmas: Float64Array;
}

/** Draw a PSD rank-r truth with eigenvalues `sigmas` (or geometric with condition number `kappa`). */
export function psdTruth(
  opts: { n: number; r: number; kappa?: number; sigmas?: readonly number[] },
  rng: Rng,
): PsdTruth {
  const sigmas = spectrum(opts);
  const q = randomOrthonormal(opts.n, opts.r, rng);
  const u = zeros(opts.n, opts.r);
  for (let i = 0; i < opts.n; i++) {
    for (let j = 0; j < opts.r; j++) u.data[i * opts.r + j] = q.data[i * opts.r + j] * Math.sqrt(sigmas[j]);
  }
  return { x: gram(u), u, sigmas };
}

/** An asymmetric rank-r truth X* = L·Rᵀ (n1×n2) with singular values `sigmas`. */
export interface AsymTruth {
  x: M64;
  l: M64;
  r: M64;
  sigmas: Float64Array;
}

/** Draw an asymmetric rank-r truth with singular values `sigmas` (or geometric with condition number `kappa`). */
export function asymTruth(
  opts: { n1: number; n2: number; r: number; kappa?: number; sigmas?: readonly number[] },
  rng: Rng,
): AsymTruth {
  const sigmas = spectrum(opts);
  const ql = randomOrthonormal(opts.n1, opts.r, rng), qr = randomOrthonormal(opts.n2, opts.r, rng);
  const sq = sigmas.map(Math.sqrt);
  const l = mat(opts.n1, opts.r, ql.data.map((v, i) => v * sq[i % opts.r]));
  const r = mat(opts.n2, opts.r, qr.data.map((v, i) => v * sq[i % opts.r]));
  return { x: matmul(l, transpose(r)), l, r, sigmas };
}

/**
 * Coherence μ(Q) = (n/r)·max_i ‖Q_i,:‖² of the column space of U (n×r); 1 is perfectly incoherent, n/r maximal.
 */
export function incoherence(u: M64): number {
  const q = orthonormalize(u), n = u.rows, r = u.cols;
  let best = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < r; j++) s += q.data[i * r + j] ** 2;
    best = Math.max(best, s);
  }
  return (n / r) * best;
}

/**
 * Alternating minimization for matrix completion with a pluggable least-squares update.
 *
 * JNS13 (Jain–Netrapalli–Sanghavi, "Low-rank matrix completion using alternating minimization", STOC'13),
 * as Gu–Song–Yin–Zhang (arXiv 2302.11068) take it over:
 *   U⁰ = top-k left singular subspace of (1/p)·P_Ω(M), entries above 2μ√k/√n clipped to 0, orthonormalized;
 *   for t = 0, 1, …:  V̂ = argmin_V ‖P_Ω(U·Vᵀ − M)‖_F   (one regression per column of M)
 *                     V = QR(V̂)
 *                     Û = argmin_U ‖P_Ω(U·Vᵀ − M)‖_F   (one regression per row of M),  estimate X = Û·Vᵀ
 *                     U = QR(Û)
 * The robust variant of Gu–Song–Yin–Zhang replaces each exact argmin by an approximate solve (lsq.ts).
 * Stops when the observed residual ‖P_Ω(X − M)‖_F / ‖P_Ω(M)‖_F falls below `tol`, or after `maxIters`.
 */
import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { Linalg } from "../../lib/math/linalg/mod.ts";
import type { Csr, McData } from "./data.ts";
import { orthonormalize } from "./dense.ts";
import { solveRowsExact, solveRowsSketched, type SolveStats } from "./lsq.ts";
import { jacobiEigen } from "../../lib/math/linalg/jacobi.ts";

export type Solver = { kind: "exact" } | { kind: "sketch"; sketchRows: number; iters: number };

export interface AltMinOptions {
  solver: Solver;
  maxIters: number;
  /** Stop when the relative residual on the observed entries is below this. */
  tol: number;
  /** Block power iterations for the spectral initialization. */
  powerIters: number;
  /** Clip U⁰ entries above 2μ√k/√n (JNS13's clipping step). */
  clip: boolean;
  /** Native linear algebra for the per-row Grams (both solvers); omit for plain loops. */
  la?: Linalg;
}

export interface AltMinState {
  t: number;
  /** Û (n×k): the last row-factor solve, so that X = Û·Vᵀ. */
  u: Float64Array;
  /** V (n×k), orthonormal. */
  v: Float64Array;
  /** Relative residual on Ω after this iteration. */
  obsResidual: number;
}

export interface AltMinResult extends AltMinState {
  iters: number;
  stats: SolveStats;
}

/** y = (1/p)·P_Ω(M)·x for x n×k (row-major), using the by-row CSR. O(|Ω|·k). */
function spmm(a: Csr, x: Float64Array, k: number, scale: number): Float64Array {
  const nRows = a.ptr.length - 1, y = new Float64Array(nRows * k);
  for (let i = 0; i < nRows; i++) {
    const yo = i * k;
    for (let e = a.ptr[i]; e < a.ptr[i + 1]; e++) {
      const w = a.val[e] * scale, xo = a.idx[e] * k;
      for (let l = 0; l < k; l++) y[yo + l] += w * x[xo + l];
    }
  }
  return y;
}

/**
 * Spectral initialization: the top-k left singular vectors of Y = (1/p)·P_Ω(M), by block power iteration on
 * Y·Yᵀ from a Gaussian start (O(|Ω|·k) per iteration) and a k×k Rayleigh–Ritz rotation (clipping acts on
 * entries, which depend on the basis), then JNS13's clipping and re-orthonormalization.
 */
export function spectralInit(d: McData, opts: { powerIters: number; clip: boolean }, rng: Rng): Float64Array {
  const { n, k, p } = d;
  let q = orthonormalize(rng.normal(n * k), n, k);
  for (let it = 0; it < opts.powerIters; it++) {
    const w = spmm(d.byCol, q, k, 1 / p); // Yᵀq  (column j of Y = row j of the by-column CSR)
    q = orthonormalize(spmm(d.byRow, w, k, 1 / p), n, k); // Y·Yᵀq
  }
  q = ritzRotate(d, q);
  if (opts.clip) {
    const thr = (2 * d.mu * Math.sqrt(k)) / Math.sqrt(n);
    for (let e = 0; e < q.length; e++) if (Math.abs(q[e]) > thr) q[e] = 0;
    q = orthonormalize(q, n, k);
  }
  return q;
}

/** Rotate an orthonormal basis Q of the dominant subspace to Y's left singular vectors: Q·W, W from eig(QᵀYYᵀQ). */
function ritzRotate(d: McData, q: Float64Array): Float64Array {
  const { n, k, p } = d;
  const w = spmm(d.byCol, q, k, 1 / p); // n×k = Yᵀq
  const h = new Float64Array(k * k); // H = wᵀw = QᵀYYᵀQ
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) {
      const wa = w[i * k + a];
      for (let b = 0; b < k; b++) h[a * k + b] += wa * w[i * k + b];
    }
  }
  const vecs = jacobiEigenvectors(h, k);
  return matmulSmall(q, vecs, n, k, k);
}

/** Eigenvectors (columns, row-major k×k) of a small symmetric matrix by cyclic Jacobi; order irrelevant here. */
export function jacobiEigenvectors(h: Float64Array, k: number): Float64Array {
  return jacobiEigen(h, k, { maxSweeps: 50 }).V;
}

/** ‖P_Ω(U·Vᵀ − M)‖_F / ‖P_Ω(M)‖_F. O(|Ω|·k). */
export function observedResidual(d: McData, u: Float64Array, v: Float64Array): number {
  const { n, k, byRow } = d;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    for (let e = byRow.ptr[i]; e < byRow.ptr[i + 1]; e++) {
      const j = byRow.idx[e];
      let s = 0;
      for (let l = 0; l < k; l++) s += u[i * k + l] * v[j * k + l];
      const m = byRow.val[e];
      num += (s - m) ** 2;
      den += m * m;
    }
  }
  return Math.sqrt(num / den);
}

/** Run AltMin; `observe(t, state)` sees the estimate after each full iteration (t = 1, 2, …). */
export function altMin(
  d: McData,
  opts: AltMinOptions,
  rng: Rng,
  observe: (t: number, state: AltMinState) => void = () => {},
): AltMinResult {
  const { n, k } = d;
  const stats: SolveStats = { fallbacks: 0, small: 0 };
  const solve = (f: Float64Array, a: Csr, step: number): Float64Array => {
    const out = opts.solver.kind === "exact"
      ? solveRowsExact(f, k, a, n, opts.la)
      : solveRowsSketched(f, k, a, n, { ...opts.solver, rng: rng.split(`sketch:${step}`), la: opts.la });
    stats.fallbacks += out.stats.fallbacks;
    stats.small += out.stats.small;
    return out.x;
  };
  let u = spectralInit(d, opts, rng.split("init"));
  let state: AltMinState = { t: 0, u, v: new Float64Array(n * k), obsResidual: Infinity };
  let t = 0;
  while (t < opts.maxIters) {
    t++;
    const vHat = solve(u, d.byCol, 2 * t); // column j: rows i ∈ Ω_{·j}, fixed factor U
    const v = orthonormalize(vHat, n, k);
    const uHat = solve(v, d.byRow, 2 * t + 1); // row i: columns j ∈ Ω_{i·}, fixed factor V
    state = { t, u: uHat, v, obsResidual: observedResidual(d, uHat, v) };
    observe(t, state);
    if (!(state.obsResidual > opts.tol)) break; // also stops on NaN
    u = orthonormalize(uHat, n, k);
  }
  return { ...state, iters: t, stats };
}

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
import type { Rng } from "../../lib/math/rng.ts";
import type { Linalg } from "../../lib/math/linalg/mod.ts";
import type { Csr, McData } from "./data.ts";
import { orthonormalize } from "./dense.ts";
import { solveRowsExact, solveRowsSketched, type SolveStats } from "./lsq.ts";

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
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let a = 0; a < k; a++) s += q[i * k + a] * vecs[a * k + b];
      out[i * k + b] = s;
    }
  }
  return out;
}

/** Eigenvectors (columns, row-major k×k) of a small symmetric matrix by cyclic Jacobi; order irrelevant here. */
export function jacobiEigenvectors(h: Float64Array, k: number): Float64Array {
  const a = h.slice(), v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < k; i++) {
      diag += a[i * k + i] ** 2;
      for (let j = i + 1; j < k; j++) off += a[i * k + j] ** 2;
    }
    if (off <= 1e-30 * diag) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q];
        if (apq === 0) continue;
        const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let r = 0; r < k; r++) { // A ← A·J
          const arp = a[r * k + p], arq = a[r * k + q];
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) { // A ← Jᵀ·A
          const apr = a[p * k + r], aqr = a[q * k + r];
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < k; r++) { // V ← V·J
          const vrp = v[r * k + p], vrq = v[r * k + q];
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  return v;
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

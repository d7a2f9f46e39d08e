/**
 * Complete (orthogonal) dictionary learning by ℓp-norm maximization over the orthogonal group
 * (Shen, Xue, Zhang, Letaief, Lau, UAI 2020, arXiv:2002.10043):
 *
 *   max_{A ∈ O(n)}  ‖Aᵀ Y‖_p^p  =  Σ_ij |(AᵀY)_ij|^p,          Y = D X,  X Bernoulli(θ)–Gaussian.
 *
 * Generalized power method (GPM, the paper's Alg. 1, official `simforUAI_lp_O.m`): step to the gradient and
 * project back onto O(n) by the polar factor,
 *
 *   G = Y · (|AᵀY|^{∘(p−1)} ∘ sign(AᵀY))ᵀ,   U Σ Vᵀ = svd(G),   A ← U Vᵀ.
 *
 * For p = 4 this is exactly ℓ4-MSP (matching, stretching, projection; Zhai, Yang, Liao, Wright, Ma, JMLR 2020):
 * A ← P_O[Y (AᵀY)^{∘3 ᵀ}], since x³ = |x|³ sign(x).
 */
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";

export type M = Mat<Float64Array>;

export interface GpmOptions {
  p: number;
  maxIter: number;
  /** stop when ‖A_k − A_{k−1}‖_F / n < tol (official `lpDL_minidemo.m`: 1e-8, at most 300 iterations). */
  tol: number;
}

/** Random orthogonal start: Q of the QR of a uniform [0,1) matrix (as in the official code: `qr(rand(n))`). */
export function randomOrthogonal(n: number, rng: Rng): M {
  const la = getLinalg();
  const a: M = { rows: n, cols: n, data: new Float64Array(n * n) };
  for (let i = 0; i < n * n; i++) a.data[i] = rng.uniform();
  return la.qr(a).q as M;
}

/** Polar factor U Vᵀ of a square matrix (nearest orthogonal matrix in Frobenius norm). */
export function polar(g: M): M {
  const la = getLinalg();
  const { u, vt } = la.svd(g);
  return la.matmul(u as M, vt as M) as M;
}

/** f(A) = ‖AᵀY‖_p^p. */
export function lpObjective(a: M, y: M, p: number): number {
  const z = getLinalg().matmul(a, y, { transA: true }).data;
  let f = 0;
  for (let i = 0; i < z.length; i++) f += Math.abs(z[i]) ** p;
  return f;
}

/** The gradient direction ∇f(A)/p = Y (|AᵀY|^{p−1} ∘ sign(AᵀY))ᵀ, n×n. */
export function lpGradient(a: M, y: M, p: number): M {
  const la = getLinalg();
  const z = la.matmul(a, y, { transA: true }) as M; // n×m
  const d = z.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.sign(d[i]) * Math.abs(d[i]) ** (p - 1);
  return la.matmul(y, z, { transB: true }) as M;
}

export interface GpmResult {
  a: M;
  iters: number;
  objective: number;
}

/** GPM iterations A ← polar(∇f(A)) from `a0` until ‖A_k − A_{k−1}‖_F / n < tol or maxIter. */
export function gpm(y: M, a0: M, o: GpmOptions, onStep?: (k: number, a: M) => void): GpmResult {
  let a = a0;
  const n = a0.rows;
  let k = 0;
  while (k < o.maxIter) {
    const next = polar(lpGradient(a, y, o.p));
    k++;
    let diff = 0;
    for (let i = 0; i < next.data.length; i++) diff += (next.data[i] - a.data[i]) ** 2;
    a = next;
    onStep?.(k, a);
    if (Math.sqrt(diff) / n < o.tol) break;
  }
  return { a, iters: k, objective: lpObjective(a, y, o.p) };
}

/**
 * Recovery error up to signed permutation: max over true atoms d_i of 1 − max_j |⟨d_i, â_j⟩|
 * (each atom matched to its best estimated column).
 */
export function maxAtomError(d: M, a: M): number {
  const c = getLinalg().matmul(d, a, { transA: true }).data; // (Dᵀ A)_ij = ⟨d_i, â_j⟩
  const n = d.cols;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 0; j < n; j++) best = Math.max(best, Math.abs(c[i * n + j]));
    worst = Math.max(worst, 1 - best);
  }
  return worst;
}

/** The official code's error 1 − ‖AᵀD‖_4^4 / n (0 iff A is a signed permutation of D). */
export function l4Error(d: M, a: M): number {
  const c = getLinalg().matmul(a, d, { transA: true }).data;
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i] ** 4;
  return 1 - s / d.cols;
}

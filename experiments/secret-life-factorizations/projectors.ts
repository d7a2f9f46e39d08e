/**
 * The two hidden projectors of a matrix factorization (Karpowicz, "The secret life of matrix factorizations",
 * 2023; the framework is the projector equation of his "A theory of meta-factorization", arXiv 2111.14385).
 *
 * A factorization A ≈ F·G·Hᵀ names a column basis F (m×k) and a row basis Hᵀ (k×n). Choosing Yᵀ (k×m) with
 * YᵀF = I and X (n×k) with HᵀX = I gives two projectors,
 *   P_col = F·Yᵀ  (onto span F)        P_row = X·Hᵀ  (onto span H, acting on rows),
 * and the projector equation P_col·A·P_row = F·(YᵀAX)·Hᵀ: exact (= A) when span F ⊇ col A and span H ⊇ row A,
 * a rank-k approximation otherwise. With Yᵀ = (BᵀF)⁻¹Bᵀ and X = D(HᵀD)⁻¹ the choice of B and D decides
 * whether the projectors are orthogonal (B = F, D = H) or oblique (e.g. B, D selections: interpolation).
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";

type M64 = Mat<Float64Array>;

/** The projector pair of a factorization: P_col = F·Yt (m×m) and P_row = X·Ht (n×n), each of rank k. */
export interface Projectors {
  f: M64; // m×k
  yt: M64; // k×m, Yt·F = I
  x: M64; // n×k, Ht·X = I
  ht: M64; // k×n
}

/** P_col·A·P_row = F·(YᵀAX)·Hᵀ (the projector equation's right-hand side), as a dense m×n matrix. */
export function reconstruct(la: Linalg, a: M64, p: Projectors): M64 {
  const g = la.matmul(la.matmul(p.yt, a), p.x) as M64; // G = YᵀAX (k×k), the "mixing matrix"
  return la.matmul(la.matmul(p.f, g), p.ht) as M64;
}

/**
 * ‖P² − P‖_F/‖P‖_F for P = U·W (U: d×k, W: k×d) without forming the d×d matrix:
 * P² − P = U·E·W with E = W·U − I, and ‖U·E·W‖_F² = tr(Eᵀ(UᵀU)E(WWᵀ)), ‖P‖_F² = tr((UᵀU)(WWᵀ)).
 */
export function idempotenceResidual(la: Linalg, u: M64, w: M64): number {
  const k = u.cols;
  const e = la.matmul(w, u) as M64;
  for (let i = 0; i < k; i++) e.data[i * k + i] -= 1;
  const s1 = la.matmul(u, u, { transA: true }) as M64; // UᵀU
  const s2 = la.matmul(w, w, { transB: true }) as M64; // WWᵀ
  const t = la.matmul(la.matmul(e, s1, { transA: true }), e) as M64; // EᵀS₁E
  const num = dotAll(t, s2), den = dotAll(s1, s2);
  return Math.sqrt(Math.max(0, num)) / Math.sqrt(den);
}

/**
 * How far an idempotent rank-k P = U·W is from an orthogonal projector: sqrt(‖P‖_F²/k − 1), zero iff P = Pᵀ
 * (an idempotent of rank k has ‖P‖_F² ≥ tr P = k, with equality exactly for orthogonal projectors).
 */
export function obliqueness(la: Linalg, u: M64, w: M64): number {
  const s1 = la.matmul(u, u, { transA: true }) as M64;
  const s2 = la.matmul(w, w, { transB: true }) as M64;
  return Math.sqrt(Math.max(0, dotAll(s1, s2) / u.cols - 1));
}

/**
 * The scale that rounding errors in W·U − I are relative to: ‖U‖_F·‖W‖_F / k (1 for an orthogonal projector,
 * ≥ the amplification κ of the k×k core inverted to build W, up to a factor √k).
 */
export function projectorScale(la: Linalg, u: M64, w: M64): number {
  const s1 = la.matmul(u, u, { transA: true }) as M64;
  const s2 = la.matmul(w, w, { transB: true }) as M64;
  let t1 = 0, t2 = 0;
  for (let i = 0; i < u.cols; i++) (t1 += s1.data[i * u.cols + i], t2 += s2.data[i * u.cols + i]);
  return Math.sqrt(t1 * t2) / u.cols;
}

/** Σ_ij A_ij·B_ji for k×k A and symmetric B, i.e. tr(A·B). */
function dotAll(a: M64, b: M64): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s;
}

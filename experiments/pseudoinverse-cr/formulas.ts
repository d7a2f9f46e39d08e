/**
 * The three pseudoinverse formulas of Karpowicz & Strang, "The Pseudoinverse of A = CR is A⁺ = R⁺C⁺ (?)"
 * (arXiv 2305.01716v3, abstract items 1–3), next to the SVD pseudoinverse they are checked against.
 *
 * Every pseudoinverse inside a formula is the Moore–Penrose one, computed from a thin SVD with the usual
 * rank cut (σ_i > max(m, n)·ε·σ_1, as MATLAB's `pinv`), so a formula is tested as written, not a variant that
 * only makes sense for full-rank factors.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import { frobenius, sub, transpose } from "../../lib/math/linalg/mod.ts";

/** Numerical rank cut of MATLAB's pinv/rank: max(m, n)·eps(σ₁). */
export function rankTol(rows: number, cols: number, s1: number): number {
  return Math.max(rows, cols) * Number.EPSILON * s1;
}

/** Numerical rank from the singular values. */
export function rank(la: Linalg, a: Mat<Float64Array>): number {
  if (a.rows === 0 || a.cols === 0) return 0;
  const s = la.svdvals(a);
  const tol = rankTol(a.rows, a.cols, s[0]);
  let r = 0;
  while (r < s.length && s[r] > tol) r++;
  return r;
}

/** Moore–Penrose pseudoinverse A⁺ = V_r Σ_r⁻¹ U_rᵀ from the thin SVD (the reference for every formula). */
export function pinv(la: Linalg, a: Mat<Float64Array>): Mat<Float64Array> {
  const { rows: m, cols: n } = a;
  const out = new Float64Array(n * m);
  if (m === 0 || n === 0) return { rows: n, cols: m, data: out };
  const { u, s, vt } = la.svd(a);
  const k = s.length, tol = rankTol(m, n, s[0]);
  // A⁺[j, i] = Σ_l V[j, l] · (1/σ_l) · U[i, l], over σ_l > tol.
  for (let l = 0; l < k && s[l] > tol; l++) {
    const inv = 1 / s[l];
    for (let j = 0; j < n; j++) {
      const v = vt.data[l * n + j] * inv;
      if (v === 0) continue;
      const row = j * m;
      for (let i = 0; i < m; i++) out[row + i] += v * u.data[i * k + l];
    }
  }
  return { rows: n, cols: m, data: out };
}

/** Formula 1 (reverse order law): A⁺ = R⁺C⁺, exact when C has independent columns and R independent rows. */
export function reverseOrder(la: Linalg, c: Mat<Float64Array>, r: Mat<Float64Array>): Mat<Float64Array> {
  return la.matmul(pinv(la, r), pinv(la, c));
}

/** Formula 2: A⁺ = (C⁺CR)⁺(CRR⁺)⁺, claimed always correct. */
export function formula2(la: Linalg, c: Mat<Float64Array>, r: Mat<Float64Array>): Mat<Float64Array> {
  const cp = pinv(la, c), rp = pinv(la, r);
  const left = la.matmul(la.matmul(cp, c), r); // C⁺CR   (r×n)
  const right = la.matmul(la.matmul(c, r), rp); // CRR⁺  (m×r)
  return la.matmul(pinv(la, left), pinv(la, right));
}

/**
 * Formula 3, the randomized pseudoinverse A_r⁺ = (PᵀCR)⁺ PᵀCRQ (CRQ)⁺ with sketches P (m×k), Q (n×k).
 * It equals A⁺ only when rank(PᵀA) = rank(AQ) = rank(A).
 */
export function randomized(
  la: Linalg,
  a: Mat<Float64Array>,
  p: Mat<Float64Array>,
  q: Mat<Float64Array>,
): { x: Mat<Float64Array>; pta: Mat<Float64Array>; aq: Mat<Float64Array> } {
  const pta = la.matmul(p, a, { transA: true }); // PᵀA  (k×n)
  const aq = la.matmul(a, q); // AQ   (m×k)
  const core = la.matmul(pta, q); // PᵀAQ (k×k)
  const x = la.matmul(la.matmul(pinv(la, pta), core), pinv(la, aq));
  return { x, pta, aq };
}

/** ‖X − Y‖_F / ‖Y‖_F. */
export function relDiff(x: Mat<Float64Array>, y: Mat<Float64Array>): number {
  return frobenius(sub(x, y)) / frobenius(y);
}

/**
 * The largest of the four relative Penrose residuals of X as a pseudoinverse of A:
 * AXA = A, XAX = X, (AX)ᵀ = AX, (XA)ᵀ = XA. Zero (to rounding) exactly when X = A⁺.
 */
export function penrose(la: Linalg, a: Mat<Float64Array>, x: Mat<Float64Array>): number {
  const ax = la.matmul(a, x), xa = la.matmul(x, a);
  const r1 = relDiff(la.matmul(ax, a), a);
  const r2 = frobenius(x) === 0 ? 0 : relDiff(la.matmul(xa, x), x);
  const sym = (m: Mat<Float64Array>) => {
    const n = frobenius(m);
    return n === 0 ? 0 : frobenius(sub(transpose(m), m)) / n;
  };
  return Math.max(r1, r2, sym(ax), sym(xa));
}

/** The first k columns of M. */
export function firstCols(m: Mat<Float64Array>, k: number): Mat<Float64Array> {
  const out = new Float64Array(m.rows * k);
  for (let i = 0; i < m.rows; i++) out.set(m.data.subarray(i * m.cols, i * m.cols + k), i * k);
  return { rows: m.rows, cols: k, data: out };
}

/**
 * The three estimators of the clustering signal y/√n compared in the paper (Sec. 4; official repo utils.py):
 * the unfolding spectral estimator, the best rank-one tensor approximation (ALS, as tensorly's `parafac`), and
 * the oracle "weighted mean" that contracts the views with the true h. Each returns a unit vector in ℝⁿ.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import type { NestedTensor } from "./model.ts";

/** Top eigenvector (unit) of a symmetric k×k matrix. */
function topEigvec(la: Linalg, g: Mat<Float64Array>): Float64Array {
  const k = g.rows;
  const { vectors } = la.eigh(g, { range: [k - 1, k - 1] });
  const v = new Float64Array(k);
  for (let i = 0; i < k; i++) v[i] = vectors.data[i * vectors.cols];
  return v;
}

/** The mode-2 unfolding X₍₂₎ ∈ ℝ^{n×pm}: row j holds X[i, j, k] at column i·m + k (tensorly `unfold(X, 1)`). */
export function unfold2(t: NestedTensor): Mat<Float64Array> {
  const { p, n, m, x } = t;
  const out = new Float64Array(n * p * m);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < n; j++) out.set(x.subarray((i * n + j) * m, (i * n + j + 1) * m), j * p * m + i * m);
  }
  return { rows: n, cols: p * m, data: out };
}

/** The mode-3 unfolding X₍₃₎ ∈ ℝ^{m×pn}. */
function unfold3(t: NestedTensor): Mat<Float64Array> {
  const { p, n, m, x } = t;
  const out = new Float64Array(m * p * n);
  for (let ij = 0; ij < p * n; ij++) for (let k = 0; k < m; k++) out[k * p * n + ij] = x[ij * m + k];
  return { rows: m, cols: p * n, data: out };
}

/**
 * Unfolding estimator (paper Sec. 3, "best rank-one approximation of the unfolding"): the top eigenvector of
 * X₍₂₎X₍₂₎ᵀ, i.e. the top left singular vector of the n×pm unfolding (utils.py `unfolding_clustering`).
 */
export function unfoldingEstimate(la: Linalg, t: NestedTensor): Float64Array {
  const a = unfold2(t);
  return topEigvec(la, la.matmul(a, a, { transB: true }));
}

/** X ×₂ b ×₃ c ∈ ℝᵖ, X ×₁ a ×₃ c ∈ ℝⁿ, X ×₁ a ×₂ b ∈ ℝᵐ in one pass each. */
function contract(t: NestedTensor, a: Float64Array, b: Float64Array, c: Float64Array, mode: 0 | 1 | 2) {
  const { p, n, m, x } = t;
  const out = new Float64Array(mode === 0 ? p : mode === 1 ? n : m);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < n; j++) {
      const base = (i * n + j) * m;
      if (mode === 2) {
        const w = a[i] * b[j];
        for (let k = 0; k < m; k++) out[k] += w * x[base + k];
      } else {
        let s = 0;
        for (let k = 0; k < m; k++) s += x[base + k] * c[k];
        if (mode === 0) out[i] += s * b[j];
        else out[j] += s * a[i];
      }
    }
  }
  return out;
}

function normalize(v: Float64Array): number {
  let s = 0;
  for (const a of v) s += a * a;
  const r = Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] /= r;
  return r;
}

export interface Rank1 {
  a: Float64Array;
  b: Float64Array;
  c: Float64Array;
  lambda: number;
  iters: number;
}

/**
 * Best rank-one approximation λ a⊗b⊗c by alternating least squares, the tensor approach of the paper (Sec. 2,
 * Seddik et al. 2023) as computed in the official repo with tensorly `parafac(X, 1, normalize_factors=True)`:
 * SVD initialisation (top left singular vector of each unfolding), then ALS sweeps over modes 1, 2, 3 until the
 * relative reconstruction error changes by less than `tol` (tensorly defaults: 100 sweeps, tol 1e-8). For rank
 * one the first sweep overwrites the mode-1 factor before it is read, so only modes 2 and 3 need an SVD init.
 * With unit factors ‖X − λ a⊗b⊗c‖² = ‖X‖² − λ², so the error needs no extra pass.
 */
export function rank1Als(la: Linalg, t: NestedTensor, opts: { maxIter: number; tol: number }): Rank1 {
  let b = unfoldingEstimate(la, t);
  const u3 = unfold3(t);
  let c = topEigvec(la, la.matmul(u3, u3, { transB: true }));
  let a = new Float64Array(t.p);
  let norm2 = 0;
  for (const v of t.x) norm2 += v * v;
  let prevErr = Infinity, lambda = 0, it = 0;
  for (it = 1; it <= opts.maxIter; it++) {
    a = contract(t, a, b, c, 0);
    normalize(a);
    b = contract(t, a, b, c, 1);
    normalize(b);
    c = contract(t, a, b, c, 2);
    lambda = normalize(c); // λ = ⟨X, a⊗b⊗c⟩ at the c-update
    const err = Math.sqrt(Math.max(norm2 - lambda * lambda, 0) / norm2);
    if (Math.abs(prevErr - err) < opts.tol) break;
    prevErr = err;
  }
  return { a, b, c, lambda, iters: Math.min(it, opts.maxIter) };
}

/**
 * Oracle weighted mean (paper's reference curve; utils.py `weighted_mean_accuracy`): contract the views with the
 * true direction h/‖h‖, giving the p×n spiked matrix ‖h‖(μyᵀ/√n + Z) + W×₃ĥ, and return its top right singular
 * vector (top eigenvector of MᵀM).
 */
export function weightedMeanEstimate(la: Linalg, t: NestedTensor): Float64Array {
  const { p, n, m, x, h } = t;
  let hn = 0;
  for (const v of h) hn += v * v;
  hn = Math.sqrt(hn);
  const mm = new Float64Array(p * n);
  for (let ij = 0; ij < p * n; ij++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += x[ij * m + k] * h[k];
    mm[ij] = s / hn;
  }
  const mat = { rows: p, cols: n, data: mm };
  return topEigvec(la, la.matmul(mat, mat, { transA: true }));
}

/** |⟨v, y/√n⟩| for a unit v: the alignment the theory predicts. */
export function alignment(v: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let j = 0; j < y.length; j++) s += v[j] * y[j];
  return Math.abs(s) / Math.sqrt(y.length);
}

/** Clustering accuracy of sign(v) against y, up to the global sign flip (max(acc, 1 − acc)). */
export function accuracy(v: Float64Array, y: Float64Array): number {
  let hit = 0;
  for (let j = 0; j < y.length; j++) if (Math.sign(v[j]) === y[j]) hit++;
  const acc = hit / y.length;
  return Math.max(acc, 1 - acc);
}

/**
 * The variance norm of a corpus (Shao et al. §2, the official `Mahalanobis` class): centre the corpus X (n × D)
 * at its mean μ, take the thin SVD X − μ = U·S·Vᵀ and keep the k singular values above a relative cut. A vector
 * y in the row space of the corpus has ‖y‖²_Σ = ‖S⁻¹Vᵀy‖² (up to the constant n of the empirical covariance,
 * irrelevant to a ranking); a vector outside it has norm ∞. The conformance score of a test point is the variance
 * norm of its difference to the nearest corpus point (kth = 1), searched among the `candidates` nearest in the
 * whitened coordinates, as the official `conformance` does.
 */
import type { Linalg } from "../../lib/math/linalg/mod.ts";

/** A fitted variance norm: mean, kept right singular vectors (k × D, row-major), singular values, rank. */
export interface VarianceNorm {
  mu: Float64Array;
  vt: Float64Array;
  s: Float64Array;
  rank: number;
  dim: number;
}

/** Fits the variance norm of the n × D corpus; singular values below `relCut`·s₁ count as zero. */
export function fitVarianceNorm(x: Float64Array, n: number, dim: number, la: Linalg, relCut = 1e-10): VarianceNorm {
  const mu = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mu[j] += x[i * dim + j] / n;
  const xc = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) xc[i * dim + j] = x[i * dim + j] - mu[j];
  const { s, vt } = la.svd({ rows: n, cols: dim, data: xc });
  let k = 0;
  while (k < s.length && s[k] > relCut * s[0]) k++;
  return { mu, vt: (vt.data as Float64Array).slice(0, k * dim), s: (s as Float64Array).slice(0, k), rank: k, dim };
}

/** Whitened coordinates S⁻¹Vᵀ(y − μ) of each row of y (m × D): m × k. */
export function whiten(vn: VarianceNorm, y: Float64Array, m: number): Float64Array {
  const { dim, rank: k } = vn, out = new Float64Array(m * k), c = new Float64Array(dim);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < dim; j++) c[j] = y[i * dim + j] - vn.mu[j];
    for (let r = 0; r < k; r++) {
      let t = 0;
      for (let j = 0; j < dim; j++) t += vn.vt[r * dim + j] * c[j];
      out[i * k + r] = t / vn.s[r];
    }
  }
  return out;
}

/** ‖(I − VVᵀ)v‖ / ‖v‖: how far v lies outside the corpus row space (0 for v = 0). */
export function outsideFraction(vn: VarianceNorm, v: Float64Array): number {
  const { dim, rank: k } = vn, p = v.slice();
  let nv = 0;
  for (let j = 0; j < dim; j++) nv += v[j] * v[j];
  if (nv === 0) return 0;
  for (let r = 0; r < k; r++) {
    let t = 0;
    for (let j = 0; j < dim; j++) t += vn.vt[r * dim + j] * v[j];
    for (let j = 0; j < dim; j++) p[j] -= t * vn.vt[r * dim + j];
  }
  let np = 0;
  for (let j = 0; j < dim; j++) np += p[j] * p[j];
  return Math.sqrt(np / nv);
}

/** Variance norm ‖y‖_Σ of one vector (∞ if it lies outside the row space by more than `subspaceThres`). */
export function varianceNorm(vn: VarianceNorm, y: Float64Array, subspaceThres = 1e-3): number {
  if (outsideFraction(vn, y) > subspaceThres) return Infinity;
  const { dim, rank: k } = vn;
  let s = 0;
  for (let r = 0; r < k; r++) {
    let t = 0;
    for (let j = 0; j < dim; j++) t += vn.vt[r * dim + j] * y[j];
    s += (t / vn.s[r]) ** 2;
  }
  return Math.sqrt(s);
}

/**
 * SigMahaKNN conformance of each row of `test` (m × D) against the corpus (n × D) the norm was fitted on: the
 * variance-norm distance to the nearest corpus point among the `candidates` whitened-nearest whose difference lies
 * in the row space (official defaults: kth = 1, n_neighbors = 20, subspace_thres = 1e-3); ∞ if none does.
 */
export function conformance(
  vn: VarianceNorm,
  corpus: Float64Array,
  n: number,
  test: Float64Array,
  m: number,
  candidates = 20,
  subspaceThres = 1e-3,
): Float64Array {
  const k = vn.rank, dim = vn.dim, wc = whiten(vn, corpus, n), wt = whiten(vn, test, m);
  const out = new Float64Array(m), dist = new Float64Array(n), diff = new Float64Array(dim);
  const order = Array.from({ length: n }, (_, j) => j);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let r = 0; r < k; r++) t += (wt[i * k + r] - wc[j * k + r]) ** 2;
      dist[j] = Math.sqrt(t);
    }
    order.sort((a, b) => dist[a] - dist[b] || a - b);
    out[i] = Infinity;
    for (let q = 0; q < Math.min(candidates, n); q++) {
      const j = order[q];
      for (let c = 0; c < dim; c++) diff[c] = corpus[j * dim + c] - test[i * dim + c];
      if (outsideFraction(vn, diff) <= subspaceThres) {
        out[i] = dist[j];
        break;
      }
    }
  }
  return out;
}

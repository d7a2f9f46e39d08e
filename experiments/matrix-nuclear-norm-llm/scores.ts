/**
 * The three scores of Li et al. (2024) on a representation matrix R (N rows = tokens/samples, d columns = hidden
 * units), following the official code (MLGroupJLU/MatrixNuclearNorm, code/compute_mnn_time.py and
 * code/compute_entropy_time.py): R is first centred (column means) and each row scaled to unit L2 norm.
 */
import { numpy as np } from "@jax-js/jax";
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";

/** `normalize(R)`: subtract the column means, then divide each row by its L2 norm (rows of norm 0 are left 0). */
export function normalizeRows(R: Mat<Float64Array>): Mat<Float64Array> {
  const { rows: N, cols: d, data } = R;
  const out = new Float64Array(N * d);
  const mean = new Float64Array(d);
  for (let i = 0; i < N; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= N;
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j] - mean[j];
      out[i * d + j] = v;
      s += v * v;
    }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) out[i * d + j] *= inv;
  }
  return { rows: N, cols: d, data: out };
}

/** Sum of the D largest entries (D = min(N, d)), the L1,2 surrogate's "top-D" rule. */
function topSum(norms: ArrayLike<number>, D: number): number {
  const s = Array.from(norms).sort((a, b) => b - a);
  let t = 0;
  for (let i = 0; i < D && i < s.length; i++) t += s[i];
  return t;
}

/**
 * Matrix Nuclear-Norm (paper Sec. 3, the L1,2 approximation of ‖·‖_*): the sum of the D = min(N, d) largest column
 * L2 norms of the normalized R, divided by N (per-token score, as the official loop divides by the sequence length).
 * O(N·d), no SVD.
 */
export function mnnHost(R: Mat<Float64Array>): number {
  const Z = normalizeRows(R);
  const { rows: N, cols: d, data } = Z;
  const col = new Float64Array(d);
  for (let i = 0; i < N; i++) for (let j = 0; j < d; j++) col[j] += data[i * d + j] ** 2;
  for (let j = 0; j < d; j++) col[j] = Math.sqrt(col[j]);
  return topSum(col, Math.min(N, d)) / N;
}

/** The same score batched in jax-js (float32, on the default device); the d column norms are sorted on the host. */
export async function mnnJax(R: Mat<Float64Array>): Promise<number> {
  const { rows: N, cols: d } = R;
  const x = np.array(new Float32Array(R.data)).reshape([N, d]);
  const centred = x.ref.sub(np.mean(x, 0).reshape([1, d]));
  const rowNorm = np.sqrt(np.sum(np.square(centred.ref), 1)).reshape([N, 1]);
  const z = centred.div(np.maximum(rowNorm, 1e-30));
  const col = np.sqrt(np.sum(np.square(z), 0));
  const norms = await col.data();
  return topSum(norms as Float32Array, Math.min(N, d)) / N;
}

/** Exact nuclear norm ‖normalize(R)‖_* / N (sum of singular values, LAPACK gesdd via `Linalg`). */
export function nuclearExact(R: Mat<Float64Array>, la: Linalg): number {
  const Z = normalizeRows(R);
  let s = 0;
  for (const x of la.svdvals(Z)) s += x;
  return s / Z.rows;
}

/**
 * Matrix Entropy (Wei et al. 2024, as in the official `cal_cov`/`cal_entropy`): A = ZᵀZ / N for the normalized Z,
 * σ = singular values of A / tr(A) (an SVD of the d × d matrix, O(d³)), entropy −Σ σ log σ / log d.
 */
export function matrixEntropy(R: Mat<Float64Array>, la: Linalg): number {
  const Z = normalizeRows(R);
  const A = la.matmul(Z, Z, { transA: true });
  const d = A.rows;
  let tr = 0;
  for (let j = 0; j < d; j++) tr += A.data[j * d + j];
  for (let i = 0; i < A.data.length; i++) A.data[i] /= tr; // the 1/N cancels in A / tr(A)
  let h = 0;
  for (const s of la.svdvals(A)) if (s > 0) h -= s * Math.log(s);
  return h / Math.log(d);
}

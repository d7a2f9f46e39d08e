/**
 * Dense products and orthonormalisation in plain TypeScript, for the small matrices (d ≤ ~64) that inner loops build
 * thousands of times, where a BLAS call costs more than the arithmetic. Larger work goes through `Linalg`. Each entry
 * is summed in index order from 0, so the results are the same bits as the textbook loops they replace.
 */

/**
 * C = A·B (m×n) for row-major A (m×k) and B (k×n), or C = A·Bᵀ with `transB` (B then n×k). Each C[i, j] is the
 * sum over l = 0..k−1 in that order.
 */
export function matmulSmall(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  opts: { transB?: boolean } = {},
): Float64Array<ArrayBuffer> {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      let s = 0;
      if (opts.transB) { for (let l = 0; l < k; l++) s += a[ai + l] * b[j * k + l]; }
      else for (let l = 0; l < k; l++) s += a[ai + l] * b[l * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

/**
 * Orthonormalises the columns of the row-major n×c matrix `q` in place by modified Gram–Schmidt (one pass): the Q
 * factor of its thin QR with a positive diagonal R. Returns `q`. Columns must be independent (a zero column gives NaN).
 */
export function gramSchmidtSmall(q: Float64Array, n: number, c: number): Float64Array {
  for (let j = 0; j < c; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * c + j] * q[i * c + p];
      for (let i = 0; i < n; i++) q[i * c + j] -= dot * q[i * c + p];
    }
    let nrm = 0;
    for (let i = 0; i < n; i++) nrm += q[i * c + j] * q[i * c + j];
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < n; i++) q[i * c + j] /= nrm;
  }
  return q;
}

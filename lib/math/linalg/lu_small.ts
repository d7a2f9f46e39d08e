/**
 * LU with partial pivoting in plain TypeScript, for the small systems inner loops solve thousands of times (normal
 * equations of 3–20 unknowns), where a BLAS/LAPACK call costs more than the arithmetic. Larger systems go through
 * `Linalg.solve`.
 */

/** P·A = L·U of an m×n row-major matrix, packed: strict lower part L (unit diagonal implied), upper part U. */
export interface SmallLu {
  /** The packed factors, m×n row-major. */
  lu: Float64Array;
  /** Row i of P·A is row `perm[i]` of A. */
  perm: Int32Array;
  rows: number;
  cols: number;
  /** The first column whose pivot was zero (or NaN), −1 when there was none. */
  zeroPivot: number;
}

/**
 * Factors `a` (m×n, row-major, not modified) by Gaussian elimination with partial pivoting (the first row with the
 * largest |entry| wins ties). A zero pivot column is recorded in `zeroPivot` and skipped: it has nothing to eliminate.
 */
export function luSmall(a: ArrayLike<number>, m: number, n: number): SmallLu {
  const w = Float64Array.from(a), perm = Int32Array.from({ length: m }, (_, i) => i);
  let zeroPivot = -1;
  for (let j = 0, k = Math.min(m, n); j < k; j++) {
    let p = j;
    for (let i = j + 1; i < m; i++) if (Math.abs(w[i * n + j]) > Math.abs(w[p * n + j])) p = i;
    if (p !== j) {
      for (let c = 0; c < n; c++) [w[j * n + c], w[p * n + c]] = [w[p * n + c], w[j * n + c]];
      [perm[j], perm[p]] = [perm[p], perm[j]];
    }
    const piv = w[j * n + j];
    if (!(Math.abs(piv) > 0)) {
      if (zeroPivot < 0) zeroPivot = j;
      continue;
    }
    for (let i = j + 1; i < m; i++) {
      const f = (w[i * n + j] /= piv);
      for (let c = j + 1; c < n; c++) w[i * n + c] -= f * w[j * n + c];
    }
  }
  return { lu: w, perm, rows: m, cols: n, zeroPivot };
}

/**
 * Solves A·x = b from the factors of a square A. A zero pivot divides by `tinyPivot` instead (default 0, which
 * gives ±Infinity or NaN); callers that want to detect singular systems check `zeroPivot` first.
 */
export function luSolveSmall(f: SmallLu, b: ArrayLike<number>, tinyPivot = 0): Float64Array {
  const { lu, perm, rows: n } = f;
  if (f.cols !== n) throw new Error(`luSolveSmall: the factors are ${n}×${f.cols}, not square`);
  if (b.length !== n) throw new Error(`luSolveSmall: b has ${b.length} entries, the system has ${n} rows`);
  const x = Float64Array.from(perm, (i) => b[i]);
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) x[r] -= lu[r * n + c] * x[c];
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c];
    for (let k = c + 1; k < n; k++) s -= lu[c * n + k] * x[k];
    x[c] = s / (lu[c * n + c] || tinyPivot);
  }
  return x;
}

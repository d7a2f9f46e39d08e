/**
 * Cholesky in plain TypeScript, for the small SPD systems inner loops solve thousands of times (ridge and Newton
 * steps of 2–50 unknowns), where a LAPACK call costs more than the arithmetic. Larger systems go through
 * `Linalg.cholesky`. The loops are the textbook order (column by column, each sum from k = 0 up), so results are
 * the same bits whichever caller used to carry its own copy.
 */

/**
 * Factors the symmetric n×n row-major `a` in place as A = L·Lᵀ: on return its lower triangle holds L; the strict
 * upper triangle is left as it was. Only the lower triangle of A is read. Returns false at the first pivot that is
 * not positive (or NaN), leaving `a` part-factored — unless `minPivot` is given, which raises every pivot to at least
 * that value (a floor for systems that are definite in exact arithmetic, e.g. 1e-300).
 */
export function cholSmall(a: Float64Array, n: number, minPivot?: number): boolean {
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
    if (minPivot !== undefined) s = Math.max(s, minPivot);
    else if (!(s > 0)) return false;
    const ljj = Math.sqrt(s);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      for (let k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = t / ljj;
    }
  }
  return true;
}

/**
 * Solves L·Lᵀ·x = b in place, with L the lower triangle of `l` (from {@link cholSmall}) and b read from
 * x[xo .. xo + n): forward substitution, then back substitution.
 */
export function cholSolveSmall(l: Float64Array, n: number, x: Float64Array, xo = 0): void {
  for (let i = 0; i < n; i++) {
    let s = x[xo + i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[xo + k];
    x[xo + i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[xo + i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[xo + k];
    x[xo + i] = s / l[i * n + i];
  }
}

/**
 * x = A⁻¹b for a small SPD n×n row-major A, by {@link cholSmall} on a copy (A and b are not modified). Throws, naming
 * the pivot, if A is not numerically positive definite.
 */
export function solveSpdSmall(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const l = Float64Array.from(a), x = Float64Array.from(b);
  if (!cholSmall(l, n)) throw new Error(`solveSpdSmall: the ${n}×${n} matrix is not positive definite`);
  cholSolveSmall(l, n, x);
  return x;
}

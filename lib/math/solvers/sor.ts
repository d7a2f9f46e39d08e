/**
 * Successive over-relaxation on the shifted 5-point Poisson matrix, counting iterations to a relative residual.
 *
 * One SOR step is x ← x + (D/ω + L)⁻¹ (b − A x) (Young 1950; Saad, Iterative Methods, eq. 4.10), i.e. a forward
 * Gauss–Seidel sweep x_k ← (1−ω) x_k + ω/a_kk (b_k − Σ_(j<k) a_kj x_j − Σ_(j>k) a_kj x_j) using the newest values.
 * `sorIterations` follows the official `solvers/sor.m` of Khodak et al. (mkhodak/learning-to-relax): x_0 = 0,
 * stop at the first k with ‖b − A x_k‖/‖b − A x_0‖ < tol, and return k, or the cap (10000 there) if never.
 */
import { norm2, type StencilMatrix } from "./poisson.ts";

/** One forward SOR sweep in place. */
export function sorSweep(A: StencilMatrix, b: Float64Array, x: Float64Array, omega: number): void {
  const m = A.m, w = omega / (4 + A.shift);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      let s = b[k];
      if (i > 0) s += x[k - m];
      if (i < m - 1) s += x[k + m];
      if (j > 0) s += x[k - 1];
      if (j < m - 1) s += x[k + 1];
      x[k] = (1 - omega) * x[k] + w * s;
    }
  }
}

/** Number of SOR iterations to reach ‖r_k‖/‖r_0‖ < tol from x_0 = 0 (capped at maxIter). */
export function sorIterations(
  A: StencilMatrix,
  b: Float64Array,
  omega: number,
  opts: { tol: number; maxIter: number },
): number {
  const x = new Float64Array(A.n), r = new Float64Array(A.n), n0 = norm2(b);
  for (let k = 1; k <= opts.maxIter; k++) {
    sorSweep(A, b, x, omega);
    A.apply(x, r);
    for (let i = 0; i < r.length; i++) r[i] = b[i] - r[i];
    if (norm2(r) / n0 < opts.tol) return k;
  }
  return opts.maxIter;
}

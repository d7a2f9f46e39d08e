/**
 * The exponential of a general (non-symmetric) square matrix, by scaling and squaring with a diagonal [6/6] Padé
 * approximant (Moler & Van Loan, "Nineteen dubious ways…", 2003, method 3): scale X = A/2^s so that ‖X‖₁ ≤ 1/2,
 * where the [6/6] approximant's relative truncation error is below 1e-16, then square s times. Plain TypeScript
 * for the small dense matrices of state space models (n ≤ a few hundred); symmetric matrices have
 * `lib/math/spd` (`expm` through an eigendecomposition).
 *
 * @example
 * ```ts
 * const e = expmGeneral(Float64Array.from([0, 1, -1, 0]), 2); // a rotation by 1 radian
 * ```
 */
import { luSmall, luSolveSmall } from "./linalg/lu_small.ts";
import { matmulSmall } from "./linalg/mat_small.ts";

/** X = A⁻¹·B for n×n row-major A (LU with partial pivoting) and n×m row-major B. */
export function solveSquare(a: Float64Array, b: Float64Array, n: number, m: number): Float64Array {
  const f = luSmall(a, n, n);
  if (f.zeroPivot >= 0) throw new Error(`solveSquare: singular matrix (zero pivot in column ${f.zeroPivot})`);
  const x = new Float64Array(n * m), col = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) col[i] = b[i * m + j];
    const s = luSolveSmall(f, col);
    for (let i = 0; i < n; i++) x[i * m + j] = s[i];
  }
  return x;
}

/** The induced 1-norm (largest absolute column sum) of an n×n row-major matrix. */
export function norm1(a: Float64Array, n: number): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i * n + j]);
    best = Math.max(best, s);
  }
  return best;
}

/** exp(A) of an n×n row-major matrix (scaling and squaring, [6/6] Padé). */
export function expmGeneral(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new Error(`expmGeneral: expected ${n * n} entries, got ${a.length}`);
  const nrm = norm1(a, n);
  if (!Number.isFinite(nrm)) throw new Error("expmGeneral: non-finite entries");
  const s = nrm > 0.5 ? Math.ceil(Math.log2(nrm / 0.5)) : 0;
  const scale = 2 ** -s;
  const x = a.map((v) => v * scale);
  // Padé [6/6]: N(X) = Σ c_k X^k, D(X) = Σ (−1)^k c_k X^k, c_k = (12−k)! 6! / (12! k! (6−k)!).
  const q = 6;
  const c: number[] = [1];
  for (let k = 1; k <= q; k++) c.push(c[k - 1] * (q - k + 1) / (k * (2 * q - k + 1)));
  const num = new Float64Array(n * n), den = new Float64Array(n * n);
  for (let i = 0; i < n; i++) num[i * n + i] = den[i * n + i] = 1;
  let p = x;
  for (let k = 1; k <= q; k++) {
    if (k > 1) p = matmulSmall(p, x, n, n, n);
    const sign = k % 2 === 0 ? 1 : -1;
    for (let i = 0; i < n * n; i++) {
      num[i] += c[k] * p[i];
      den[i] += sign * c[k] * p[i];
    }
  }
  let e = solveSquare(den, num, n, n);
  for (let k = 0; k < s; k++) e = matmulSmall(e, e, n, n, n);
  return e;
}

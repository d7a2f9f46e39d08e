/**
 * Weighted least squares on V_m (Nouy & Michel §2, eq. of the weighted empirical projection):
 *   f̂ = argmin_{v ∈ V_m} (1/n) Σ_i w(x_i) (f(x_i) − v(x_i))²,  w(x) = m / K_m(x,x)  (optimal weights),
 * solved as min ‖A c − b‖ with A_ij = √(w(x_i)/n) φ_j(x_i), b_i = √(w(x_i)/n) f(x_i). The empirical Gram matrix
 * G = AᵀA = (1/n) Σ_i w(x_i) φ(x_i)φ(x_i)ᵀ has E[G] = I under every sampler here; ‖G − I‖₂ ≤ 1/2 is the stability
 * event of the paper's analysis. Since φ is orthonormal, ‖f − f̂‖² = ‖f − P_m f‖² + ‖c − ĉ‖² (Pythagoras).
 */
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { type Basis, features } from "./basis.ts";

const la = getLinalg();

export interface Fit {
  /** ĉ ∈ R^m, coefficients of f̂ in the orthonormal basis. */
  coef: Float64Array;
  /** ‖G − I‖₂ (spectral norm). */
  gramDev: number;
}

export function weightedLeastSquares(
  b: Basis,
  x: Float64Array,
  f: (x: Float64Array) => number,
): Fit {
  const { m, d } = b, n = x.length / d;
  const a = mat(n, m), rhs = mat(n, 1);
  for (let i = 0; i < n; i++) {
    const xi = x.subarray(i * d, (i + 1) * d);
    const phi = features(b, xi);
    let k = 0;
    for (let j = 0; j < m; j++) k += phi[j] * phi[j];
    const s = Math.sqrt(m / k / n); // √(w(x_i)/n)
    for (let j = 0; j < m; j++) a.data[i * m + j] = s * phi[j];
    rhs.data[i] = s * f(xi);
  }
  const coef = la.lstsq(a, rhs).data as Float64Array;
  const g = la.matmul(a, a, { transA: true });
  const ev = la.eigh(g).values;
  const gramDev = Math.max(Math.abs(ev[0] - 1), Math.abs(ev[m - 1] - 1));
  return { coef: Float64Array.from(coef), gramDev };
}

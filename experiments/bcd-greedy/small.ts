/**
 * Small symmetric solves on lib/math/linalg/jacobi (cyclic Jacobi) for the τ×τ block matrices of BCD (τ = 5): λ_max(H_bb) for the
 * gradient update's L_b, and the pseudo-inverse H_bb⁺ for the matrix update and the GSQ rule. Calling a BLAS
 * eigh per 5×5 block would cost more in call overhead than the solve itself.
 */
import { jacobiEigen } from "../../lib/math/linalg/jacobi.ts";

/** Largest eigenvalue of a symmetric t×t matrix. */
export function lambdaMax(H: Float64Array, t: number): number {
  return Math.max(...jacobiEigen(H, t).w);
}

/** Moore–Penrose pseudo-inverse of a symmetric t×t matrix (eigenvalues below rcond·λ_max treated as 0, as numpy pinv). */
export function pinvSym(H: Float64Array, t: number, rcond = 1e-15): Float64Array {
  const { w, V } = jacobiEigen(H, t);
  const cut = rcond * Math.max(...w.map(Math.abs));
  const P = new Float64Array(t * t);
  for (let k = 0; k < t; k++) {
    if (Math.abs(w[k]) <= cut) continue;
    const inv = 1 / w[k];
    for (let i = 0; i < t; i++) for (let j = 0; j < t; j++) P[i * t + j] += V[i * t + k] * inv * V[j * t + k];
  }
  return P;
}

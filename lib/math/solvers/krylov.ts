/**
 * Conjugate gradients and preconditioned CG (Hestenes & Stiefel 1952; Saad, Iterative Methods, Alg. 6.18 and
 * 9.1) on any symmetric positive definite operator given by its mat-vec.
 *
 * Convergence is judged on the relative residual ‖b − A x_k‖ / ‖b‖ ≤ tol (x_0 = 0). The returned `residuals`
 * hold that ratio for k = 0, 1, …, so `residuals.length − 1` is the iteration count.
 *
 * @example
 * ```ts
 * const A = poisson2d(32);
 * const { x, iterations } = cg(A.apply, b, { tol: 1e-4, maxIter: 1000 });
 * ```
 */
import { dot, norm2 } from "./poisson.ts";

/** A matrix given only by its product: writes A·x into `out`, so solvers need no stored matrix. */
export type MatVec = (x: Float64Array, out: Float64Array) => void;

/** A Krylov solve's outcome: the solution, iteration count, whether it met the tolerance, and the residual history. */
export interface KrylovResult {
  x: Float64Array;
  iterations: number;
  converged: boolean;
  /** ‖b − A x_k‖/‖b‖ for k = 0..iterations (the recursive residual, which CG keeps equal to the true one in exact arithmetic). */
  residuals: number[];
}

/** When a Krylov solve stops: relative residual `tol` or `maxIter` iterations, whichever comes first. */
export interface KrylovOptions {
  tol: number;
  maxIter: number;
}

/** Plain CG from x_0 = 0. */
export function cg(apply: MatVec, b: Float64Array, opts: KrylovOptions): KrylovResult {
  return pcg(apply, b, (r, z) => z.set(r), opts);
}

/** Preconditioned CG from x_0 = 0; `precond(r, z)` writes z = M⁻¹ r for an SPD M. */
export function pcg(apply: MatVec, b: Float64Array, precond: MatVec, opts: KrylovOptions): KrylovResult {
  const n = b.length, x = new Float64Array(n), r = Float64Array.from(b);
  const z = new Float64Array(n), p = new Float64Array(n), q = new Float64Array(n);
  const nb = norm2(b), residuals = [1];
  if (nb === 0) return { x, iterations: 0, converged: true, residuals: [0] };
  precond(r, z);
  p.set(z);
  let rz = dot(r, z);
  for (let k = 1; k <= opts.maxIter; k++) {
    apply(p, q);
    const alpha = rz / dot(p, q); // α_k = (r,z)/(p,Ap)
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * q[i];
    }
    const rel = norm2(r) / nb;
    residuals.push(rel);
    if (rel <= opts.tol) return { x, iterations: k, converged: true, residuals };
    precond(r, z);
    const rzNew = dot(r, z), beta = rzNew / rz; // β_k = (r_new,z_new)/(r,z)
    rz = rzNew;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
  return { x, iterations: opts.maxIter, converged: false, residuals };
}

/**
 * The deep conjugate direction method (Kaneda et al. 2023, Alg. 2; official `lib/conjugate_gradient.py`, `dcdm`).
 *
 * From x_0 = 0: at each step the network maps the normalized residual r/‖r‖ to a direction q, which is
 * A-orthogonalized against the two previous directions, q ← q − Σ_(j=k−2..k−1) p_j (qᵀA p_j)/(p_jᵀA p_j); then an
 * exact line search along p_k = q: x ← x + p_k (p_kᵀ r)/(p_kᵀ A p_k). As in the repo the residual is recomputed
 * as b − A x every step, and the solver stops when ‖r‖ ≤ tol·‖b‖.
 */
import { dot, norm2, type StencilMatrix } from "../../lib/math/solvers/mod.ts";

export interface DcdmResult {
  x: Float64Array;
  iterations: number;
  converged: boolean;
  /** ‖b − A x_k‖/‖b‖ for k = 0..iterations. */
  residuals: number[];
}

export function dcdmSolve(
  A: StencilMatrix,
  b: Float64Array,
  direction: (rNormalized: Float64Array) => Float64Array,
  opts: { tol: number; maxIter: number },
): DcdmResult {
  const n = A.n, x = new Float64Array(n), r = Float64Array.from(b), nb = norm2(b), residuals = [1];
  let p0 = new Float64Array(n), p1 = new Float64Array(n), ap0 = new Float64Array(n), ap1 = new Float64Array(n);
  let a0 = 1, a1 = 1;
  for (let k = 1; k <= opts.maxIter; k++) {
    const nr = norm2(r);
    const q = Float64Array.from(direction(r.map((v) => v / nr)));
    const c1 = dot(q, ap1) / a1, c0 = dot(q, ap0) / a0;
    for (let i = 0; i < n; i++) q[i] -= c1 * p1[i] + c0 * p0[i]; // A-orthogonalize against p_(k−1), p_(k−2)
    [p0, ap0, a0] = [p1, ap1, a1];
    p1 = q;
    ap1 = new Float64Array(n);
    A.apply(p1, ap1);
    a1 = dot(p1, ap1);
    const step = dot(p1, r) / a1; // exact line search
    for (let i = 0; i < n; i++) x[i] += step * p1[i];
    A.apply(x, r);
    for (let i = 0; i < n; i++) r[i] = b[i] - r[i];
    const rel = norm2(r) / nb;
    residuals.push(rel);
    if (rel <= opts.tol) return { x, iterations: k, converged: true, residuals };
  }
  return { x, iterations: opts.maxIter, converged: false, residuals };
}

/**
 * The interpolators compared by Zhou & Ge (2023, §1): minimum-ℓ2 (GD on β from 0), minimum-ℓ1 (basis pursuit),
 * GD on the Hadamard parametrization β = w⊙w − u⊙u (implicit ℓ1 as α → 0), and GD on the ℓ1 + ℓ2 hybrid
 * β = w⊙w − u⊙u + v (our reconstruction of the paper's new parametrization; see README).
 *
 * X is the n×d row-major design of a `SparseProblem`. All loops are plain Float64Array.
 */
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import type { SparseProblem } from "./data.ts";

const la = getLinalg();

/** out = X β. */
export function xMul(p: SparseProblem, beta: Float64Array, out = new Float64Array(p.n)): Float64Array {
  const { n, d, x } = p;
  for (let i = 0; i < n; i++) {
    let v = 0;
    const off = i * d;
    for (let j = 0; j < d; j++) v += x[off + j] * beta[j];
    out[i] = v;
  }
  return out;
}

/** out = Xᵀ r. */
export function xtMul(p: SparseProblem, r: Float64Array, out = new Float64Array(p.d)): Float64Array {
  const { n, d, x } = p;
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = r[i], off = i * d;
    if (ri === 0) continue;
    for (let j = 0; j < d; j++) out[j] += x[off + j] * ri;
  }
  return out;
}

/** Solver for XXᵀ c = b (Cholesky of the n×n Gram matrix, computed once). */
export function gramSolver(p: SparseProblem): (b: Float64Array) => Float64Array {
  const X = mat(p.n, p.d, p.x);
  const l = la.cholesky(la.matmul(X, X, { transB: true }));
  return (b) => la.choSolve(l, mat(p.n, 1, b)).data as Float64Array;
}

/** Minimum-ℓ2 interpolator β = Xᵀ(XXᵀ)⁻¹y: where GD on β from 0 converges (§1). */
export function minL2(p: SparseProblem): Float64Array {
  return xtMul(p, gramSolver(p)(p.y));
}

/** Minimum-ℓ2 interpolator of the residual y − Xβ₀, added to β₀ (harmless noise fitting). */
export function addMinL2Fit(p: SparseProblem, beta0: Float64Array): Float64Array {
  const r = xMul(p, beta0);
  for (let i = 0; i < p.n; i++) r[i] = p.y[i] - r[i];
  const c = xtMul(p, gramSolver(p)(r));
  return beta0.map((b, j) => b + c[j]);
}

export interface BpOptions {
  iters: number;
  /** Stop when ‖x − z‖ and ρ‖z − z_prev‖ fall below tol·(1 + ‖z‖). */
  tol: number;
}

/**
 * Minimum-ℓ1 interpolator (basis pursuit, min ‖β‖₁ s.t. Xβ = y) by ADMM (Boyd et al. 2011, §6.2):
 * x ← Π_{Xβ=y}(z − u), z ← S_{1/ρ}(x + u), u ← u + x − z. Returns the affine projection of z, so the result
 * interpolates exactly; ρ is set from the scale of the minimum-ℓ2 solution.
 */
export function basisPursuit(p: SparseProblem, opts: BpOptions): { beta: Float64Array; iters: number } {
  const { d, n } = p;
  const solve = gramSolver(p);
  const project = (v: Float64Array): Float64Array => {
    const r = xMul(p, v);
    for (let i = 0; i < n; i++) r[i] -= p.y[i];
    const c = xtMul(p, solve(r));
    for (let j = 0; j < d; j++) v[j] -= c[j];
    return v;
  };
  const l2 = minL2(p);
  let maxAbs = 0;
  for (const v of l2) maxAbs = Math.max(maxAbs, Math.abs(v));
  const rho = 1 / Math.max(maxAbs, 1e-12);
  const z = new Float64Array(d), u = new Float64Array(d), t = new Float64Array(d);
  let it = 0;
  for (; it < opts.iters; it++) {
    for (let j = 0; j < d; j++) t[j] = z[j] - u[j];
    const xk = project(t);
    let pr = 0, dr = 0, zn = 0;
    for (let j = 0; j < d; j++) {
      const a = xk[j] + u[j];
      const zj = a > 1 / rho ? a - 1 / rho : a < -1 / rho ? a + 1 / rho : 0;
      dr += (zj - z[j]) ** 2;
      z[j] = zj;
      u[j] += xk[j] - zj;
      pr += (xk[j] - zj) ** 2;
      zn += zj * zj;
    }
    if (Math.sqrt(pr) < opts.tol * (1 + Math.sqrt(zn)) && rho * Math.sqrt(dr) < opts.tol * (1 + Math.sqrt(zn))) break;
  }
  return { beta: project(Float64Array.from(z)), iters: it };
}

export interface GdOptions {
  /** Initialization scale: w = u = α·1 (β starts at 0). */
  alpha: number;
  /** Step on v relative to the step on w, u; 0 switches the ℓ2 part off (plain Hadamard model). */
  lambda: number;
  /** Step size as a fraction of the stability limit (see `gdModel`). */
  lr: number;
  maxIters: number;
  /** Stop once the relative training residual ‖Xβ − y‖/‖y‖ is below this. */
  tol: number;
  /** Call `onStep` every this many iterations. */
  every: number;
}

export interface GdResult {
  beta: Float64Array;
  /** The Hadamard (ℓ1) part w⊙w − u⊙u and the ℓ2 part v, β = sparse + dense. */
  sparse: Float64Array;
  dense: Float64Array;
  iters: number;
  residual: number;
}

/**
 * Gradient descent on L = (1/2n)‖Xβ − y‖² with β = w⊙w − u⊙u + v, w = u = α·1, v = 0 (§1: the Hadamard model is
 * the λ = 0 case). Updates: g = Xᵀ(Xβ − y)/n; w ← w − 2η w⊙g; u ← u + 2η u⊙g; v ← v − λη g.
 * The step is η = lr / (‖X‖²/n · max(4(B + 2α²), λ)), with B = ‖Xᵀy‖∞/n an estimate of max|β| (w² + u² ≤ |β| + 2α²),
 * so both parts stay stable.
 */
export function gdModel(
  p: SparseProblem,
  opts: GdOptions,
  onStep?: (step: number, beta: Float64Array) => void,
): GdResult {
  const { n, d } = p;
  const w = new Float64Array(d).fill(opts.alpha), u = new Float64Array(d).fill(opts.alpha);
  const v = new Float64Array(d), beta = new Float64Array(d), r = new Float64Array(n), g = new Float64Array(d);
  const spec = spectralNormSq(p) / n;
  const b = xtMul(p, p.y).reduce((m, x) => Math.max(m, Math.abs(x)), 0) / n;
  const eta = opts.lr / (spec * Math.max(4 * (b + 2 * opts.alpha ** 2), opts.lambda));
  let ynorm = 0;
  for (const yi of p.y) ynorm += yi * yi;
  ynorm = Math.sqrt(ynorm);
  let it = 0, res = Infinity;
  for (;; it++) {
    for (let j = 0; j < d; j++) beta[j] = w[j] * w[j] - u[j] * u[j] + v[j];
    xMul(p, beta, r);
    let rr = 0;
    for (let i = 0; i < n; i++) {
      r[i] -= p.y[i];
      rr += r[i] * r[i];
    }
    res = Math.sqrt(rr) / ynorm;
    if (onStep && it % opts.every === 0) onStep(it, beta);
    if (res < opts.tol || it >= opts.maxIters || !Number.isFinite(res)) break;
    xtMul(p, r, g);
    for (let j = 0; j < d; j++) {
      const gj = g[j] / n;
      w[j] -= 2 * eta * w[j] * gj;
      u[j] += 2 * eta * u[j] * gj;
      v[j] -= opts.lambda * eta * gj;
    }
  }
  const sparse = w.map((wj, j) => wj * wj - u[j] * u[j]);
  return { beta: Float64Array.from(beta), sparse, dense: v, iters: it, residual: res };
}

/** ‖X‖₂² by power iteration on XᵀX (50 steps, from a fixed start). */
export function spectralNormSq(p: SparseProblem): number {
  let v = new Float64Array(p.d).fill(1 / Math.sqrt(p.d));
  let lam = 0;
  for (let k = 0; k < 50; k++) {
    const w = xtMul(p, xMul(p, v));
    lam = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
    v = w.map((x) => x / lam);
  }
  return lam;
}

/**
 * Oracle benchmark (Muthukumar et al. 2020's hybrid with the support known): least squares on the true support of
 * β*, then the minimum-ℓ2 interpolator of the residual. An interpolator with excess risk ≈ σ²(s/n + n/d): the
 * near-optimal level the paper's new model is meant to reach without knowing the support.
 */
export function supportOracle(p: SparseProblem): Float64Array {
  const { n, d, support } = p;
  const s = support.length;
  const xs = mat(n, s);
  for (let i = 0; i < n; i++) for (let k = 0; k < s; k++) xs.data[i * s + k] = p.x[i * d + support[k]];
  const b = la.lstsq(xs, mat(n, 1, p.y)).data;
  const beta0 = new Float64Array(d);
  for (let k = 0; k < s; k++) beta0[support[k]] = b[k];
  return addMinL2Fit(p, beta0);
}

/** ‖β‖₁. */
export function l1(beta: ArrayLike<number>): number {
  let t = 0;
  for (let j = 0; j < beta.length; j++) t += Math.abs(beta[j]);
  return t;
}

/**
 * The multi-block bilevel problem of this module: m one-vs-rest ridge regressions on sklearn digits (the lower-level
 * blocks) sharing per-feature log-regularization weights x (the upper-level variable), with the mean validation
 * squared loss as the upper objective:
 *
 *   F(x) = (1/m) Σ_c f_c(w_c*(x)),   f_c(w) = ‖V w − s_c‖² / (2 n_v),
 *   w_c*(x) = argmin_w g_c(x, w),    g_c(x, w) = ‖A w − t_c‖² / (2 n) + ½ Σ_k e^{x_k} w_k².
 *
 * Hypergradient (implicit function theorem; ∇_x f_c = 0, ∇²_{xw} g_c = diag(e^x ⊙ w)):
 *   ∇F(x) = −(1/m) Σ_c (e^x ⊙ w_c*) ⊙ H(x)⁻¹ ∇f_c(w_c*),   H(x) = AᵀA/n + diag(e^x).
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import { LinalgError, type Mat } from "../../lib/math/linalg/types.ts";

const la = getLinalg();

/**
 * Lower Cholesky factor of a symmetric d × d matrix through the shared linear algebra (native LAPACK where the run's
 * backend is native), or null if it is not positive definite.
 */
export function cholesky(h: Float64Array, d: number): Mat<Float64Array> | null {
  try {
    return la.cholesky(mat(d, d, Float64Array.from(h)));
  } catch (e) {
    if (e instanceof LinalgError) return null;
    throw e;
  }
}

/** Solve (L Lᵀ) x = b. */
export function cholSolve(l: Mat<Float64Array>, d: number, b: ArrayLike<number>): Float64Array {
  return Float64Array.from(la.choSolve(l, mat(d, 1, Float64Array.from(b))).data);
}

export interface Problem {
  /** features */
  d: number;
  /** blocks (classes) */
  m: number;
  /** training rows n × d, row-major */
  a: Float64Array;
  n: number;
  /** training targets n × m (one-hot, row-major) */
  t: Float64Array;
  /** validation rows nv × d and targets nv × m */
  v: Float64Array;
  nv: number;
  s: Float64Array;
  /** AᵀA / n (d × d) and Aᵀt_c / n (m × d) */
  gram: Float64Array;
  atb: Float64Array;
}

/** Build the problem from rows (already split). Targets are one-hot over m classes. */
export function makeProblem(
  train: { x: Float64Array; y: ArrayLike<number>; n: number },
  val: { x: Float64Array; y: ArrayLike<number>; n: number },
  d: number,
  m: number,
): Problem {
  const oneHot = (y: ArrayLike<number>, n: number) => {
    const o = new Float64Array(n * m);
    for (let i = 0; i < n; i++) o[i * m + y[i]] = 1;
    return o;
  };
  const t = oneHot(train.y, train.n), s = oneHot(val.y, val.n);
  const gram = new Float64Array(d * d), atb = new Float64Array(m * d);
  const a = train.x, n = train.n;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      const ai = a[r * d + i];
      if (ai === 0) continue;
      for (let j = 0; j < d; j++) gram[i * d + j] += ai * a[r * d + j];
      for (let c = 0; c < m; c++) atb[c * d + i] += ai * t[r * m + c];
    }
  }
  for (let k = 0; k < d * d; k++) gram[k] /= n;
  for (let k = 0; k < m * d; k++) atb[k] /= n;
  return { d, m, a, n, t, v: val.x, nv: val.n, s, gram, atb };
}

/** Upper-level loss f_c(w) = ‖V w − s_c‖² / (2 n_v) and its gradient (optionally on validation rows `rows`). */
export function upperLoss(p: Problem, c: number, w: ArrayLike<number>, rows?: ArrayLike<number>): number {
  const { d, m } = p;
  const count = rows ? rows.length : p.nv;
  let loss = 0;
  for (let q = 0; q < count; q++) {
    const r = rows ? rows[q] : q;
    let z = -p.s[r * m + c];
    for (let k = 0; k < d; k++) z += p.v[r * d + k] * w[k];
    loss += z * z;
  }
  return loss / (2 * count);
}

export function upperGrad(p: Problem, c: number, w: ArrayLike<number>, rows?: ArrayLike<number>): Float64Array {
  const { d, m } = p;
  const count = rows ? rows.length : p.nv;
  const g = new Float64Array(d);
  for (let q = 0; q < count; q++) {
    const r = rows ? rows[q] : q;
    let z = -p.s[r * m + c];
    for (let k = 0; k < d; k++) z += p.v[r * d + k] * w[k];
    z /= count;
    for (let k = 0; k < d; k++) g[k] += z * p.v[r * d + k];
  }
  return g;
}

/** H(x) = AᵀA/n + diag(e^x). */
export function hessian(p: Problem, x: ArrayLike<number>): Float64Array {
  const h = Float64Array.from(p.gram);
  for (let k = 0; k < p.d; k++) h[k * p.d + k] += Math.exp(x[k]);
  return h;
}

/** Exact lower-level solutions w_c*(x) (m × d) from one Cholesky of H(x). */
export function lowerSolutions(p: Problem, x: ArrayLike<number>): { w: Float64Array[]; l: Mat<Float64Array> } {
  const l = cholesky(hessian(p, x), p.d);
  if (!l) throw new Error("H(x) not positive definite");
  const w = [];
  for (let c = 0; c < p.m; c++) w.push(cholSolve(l, p.d, p.atb.subarray(c * p.d, (c + 1) * p.d)));
  return { w, l };
}

/** Exact F(x). */
export function upperObjective(p: Problem, x: ArrayLike<number>): number {
  const { w } = lowerSolutions(p, x);
  let f = 0;
  for (let c = 0; c < p.m; c++) f += upperLoss(p, c, w[c]);
  return f / p.m;
}

/** Exact ∇F(x) by the implicit function theorem (see the module doc). */
export function hypergradient(p: Problem, x: ArrayLike<number>): Float64Array {
  const { w, l } = lowerSolutions(p, x);
  const g = new Float64Array(p.d);
  for (let c = 0; c < p.m; c++) {
    const v = cholSolve(l, p.d, upperGrad(p, c, w[c]));
    for (let k = 0; k < p.d; k++) g[k] -= Math.exp(x[k]) * w[c][k] * v[k] / p.m;
  }
  return g;
}

/**
 * Deterministic reference minimum F* by exact hypergradient descent with Armijo backtracking (used for the target
 * upper-level loss), projected on the box [lo, hi]. Returns the best x and F found.
 */
export function referenceMinimum(
  p: Problem,
  x0: ArrayLike<number>,
  lo: number,
  hi: number,
  iters = 400,
): { x: Float64Array; f: number } {
  let x = Float64Array.from(x0), f = upperObjective(p, x), step = 10;
  for (let it = 0; it < iters; it++) {
    const g = hypergradient(p, x);
    const gg = g.reduce((s, v) => s + v * v, 0);
    if (gg < 1e-24) break;
    step *= 2;
    for (;;) {
      const y = x.map((v, k) => Math.min(hi, Math.max(lo, v - step * g[k])));
      const fy = upperObjective(p, y);
      if (fy <= f - 0.5 * y.reduce((a, v, k) => a + (x[k] - v) * g[k], 0)) {
        x = y;
        f = fy;
        break;
      }
      step /= 2;
      if (step < 1e-12) return { x, f };
    }
  }
  return { x, f };
}

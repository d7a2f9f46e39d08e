/**
 * Gradient projection for weighted-ℓ1 Gaussian likelihood under an M-matrix constraint (Ying, Cardoso, Palomar,
 * "Adaptive estimation of graphical models under total positivity", §3), and the adaptive multi-stage wrapper.
 *
 * Problem (one stage):  minimize_Θ  −log det Θ + tr(SΘ) + Σ_{i≠j} Λ_ij |Θ_ij|   s.t.  Θ ≻ 0, Θ_ij ≤ 0 (i ≠ j).
 * On the feasible set |Θ_ij| = −Θ_ij, so the objective is smooth there: ∇f = S − Θ⁻¹ − Λ (Λ_ii = 0), and one
 * step is Θ⁺ = P(Θ − η∇f) with P clipping off-diagonals at 0; η by backtracking until Θ⁺ ≻ 0 and the
 * sufficient-decrease (Armijo) condition holds. The graphical lasso (no sign constraint) uses the same loop
 * with a soft-threshold proximal step instead (G-ISTA).
 *
 * Matrices are dense row-major Float64Array, p ≤ a few hundred.
 */
import { cholSmall } from "../../lib/math/linalg/chol_small.ts";

/** Lower Cholesky factor of a symmetric p×p matrix, or null if it is not (numerically) positive definite. */
export function cholesky(a: Float64Array, p: number): Float64Array | null {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) l[i * p + j] = a[i * p + j];
  return cholSmall(l, p) ? l : null;
}

/** log det from a Cholesky factor. */
export function logdetChol(l: Float64Array, p: number): number {
  let s = 0;
  for (let i = 0; i < p; i++) s += Math.log(l[i * p + i]);
  return 2 * s;
}

/** A⁻¹ from the lower Cholesky factor L of A (A = LLᵀ): invert L, then L⁻ᵀL⁻¹. */
export function invFromChol(l: Float64Array, p: number): Float64Array {
  const li = new Float64Array(p * p); // L⁻¹, lower triangular
  for (let j = 0; j < p; j++) {
    li[j * p + j] = 1 / l[j * p + j];
    for (let i = j + 1; i < p; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * p + k] * li[k * p + j];
      li[i * p + j] = s / l[i * p + i];
    }
  }
  const inv = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < p; k++) s += li[k * p + i] * li[k * p + j];
      inv[i * p + j] = s;
      inv[j * p + i] = s;
    }
  }
  return inv;
}

export type Constraint = "mtp2" | "none";

export interface GpOptions {
  /** Off-diagonal penalty weights Λ (p×p, diagonal ignored). */
  lambda: Float64Array;
  /** "mtp2": off-diagonals ≤ 0 (projection); "none": graphical lasso (soft-threshold prox). */
  constraint: Constraint;
  maxIter: number;
  /** Stop when ‖Θ⁺ − Θ‖_F ≤ tol·‖Θ‖_F. */
  tol: number;
  /** Warm start (must be feasible, ≻ 0); default diag(S)⁻¹. */
  init?: Float64Array;
}

export interface GpResult {
  theta: Float64Array;
  iters: number;
  objective: number;
}

/** Objective −log det Θ + tr(SΘ) + Σ_{i≠j} Λ_ij|Θ_ij|; Infinity if Θ is not ≻ 0. */
export function objective(theta: Float64Array, s: Float64Array, lambda: Float64Array, p: number): number {
  const l = cholesky(theta, p);
  if (!l) return Infinity;
  let tr = 0, pen = 0;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      tr += s[i * p + j] * theta[i * p + j];
      if (i !== j) pen += lambda[i * p + j] * Math.abs(theta[i * p + j]);
    }
  }
  return -logdetChol(l, p) + tr + pen;
}

/**
 * Gradient projection (mtp2) / proximal gradient (none) with Barzilai–Borwein initial steps and backtracking.
 * Sufficient decrease: F(Θ⁺) ≤ F(Θ) + ⟨∇g, Θ⁺ − Θ⟩ + ‖Θ⁺ − Θ‖²/(2η), g the smooth part (§3, Alg. 1 step rule).
 */
export function gradProj(s: Float64Array, p: number, o: GpOptions): GpResult {
  const n2 = p * p;
  let theta: Float64Array = o.init ? Float64Array.from(o.init) : new Float64Array(n2);
  if (!o.init) { for (let i = 0; i < p; i++) theta[i * p + i] = 1 / s[i * p + i]; }
  let l: Float64Array | null = cholesky(theta, p);
  if (!l) throw new Error("gradProj: initial point is not positive definite");
  // smooth part g = −log det + tr(SΘ) (+ linear −ΣΛΘ for mtp2); the ℓ1 term is handled by the prox for "none"
  const mtp2 = o.constraint === "mtp2";
  const grad = (inv: Float64Array) => {
    const g = new Float64Array(n2);
    for (let k = 0; k < n2; k++) g[k] = s[k] - inv[k];
    if (mtp2) {
      for (let i = 0; i < p; i++) {
        for (let j = 0; j < p; j++) if (i !== j) g[i * p + j] -= o.lambda[i * p + j];
      }
    }
    return g;
  };
  const smooth = (t: Float64Array, lt: Float64Array) => {
    let v = -logdetChol(lt, p);
    for (let k = 0; k < n2; k++) v += s[k] * t[k];
    if (mtp2) {
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) if (i !== j) v -= o.lambda[i * p + j] * t[i * p + j];
    }
    return v;
  };
  const prox = (z: Float64Array, eta: number) => {
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        if (i === j) continue;
        const k = i * p + j;
        if (mtp2) z[k] = Math.min(z[k], 0); // projection onto {Θ_ij ≤ 0}
        else {
          const t = eta * o.lambda[k];
          z[k] = z[k] > t ? z[k] - t : z[k] < -t ? z[k] + t : 0; // soft threshold
        }
      }
    }
    return z;
  };
  let inv = invFromChol(l, p);
  let g = grad(inv);
  let f = smooth(theta, l);
  let eta = 1;
  let prevTheta: Float64Array | null = null, prevG: Float64Array | null = null;
  let it = 0;
  for (; it < o.maxIter; it++) {
    if (prevTheta && prevG) { // Barzilai–Borwein step ⟨ΔΘ,ΔΘ⟩/⟨ΔΘ,Δ∇⟩, clipped
      let ss = 0, sy = 0;
      for (let k = 0; k < n2; k++) {
        const dt = theta[k] - prevTheta[k], dg = g[k] - prevG[k];
        ss += dt * dt;
        sy += dt * dg;
      }
      eta = sy > 0 ? Math.min(Math.max(ss / sy, 1e-8), 1e8) : Math.min(eta * 2, 1e8);
    }
    let next: Float64Array, lNext: Float64Array | null, fNext = Infinity, dist2 = 0;
    for (let bt = 0;; bt++) {
      next = new Float64Array(n2);
      for (let k = 0; k < n2; k++) next[k] = theta[k] - eta * g[k];
      prox(next, eta);
      lNext = cholesky(next, p);
      if (lNext) {
        fNext = smooth(next, lNext);
        let lin = 0;
        dist2 = 0;
        for (let k = 0; k < n2; k++) {
          const d = next[k] - theta[k];
          lin += g[k] * d;
          dist2 += d * d;
        }
        if (fNext <= f + lin + dist2 / (2 * eta) + 1e-12 * Math.abs(f)) break;
      }
      eta *= 0.5;
      if (bt > 60) throw new Error("gradProj: line search failed");
    }
    prevTheta = theta;
    prevG = g;
    theta = next!;
    l = lNext!;
    f = fNext;
    inv = invFromChol(l, p);
    g = grad(inv);
    let nt = 0;
    for (let k = 0; k < n2; k++) nt += theta[k] * theta[k];
    if (Math.sqrt(dist2) <= o.tol * Math.sqrt(nt)) {
      it++;
      break;
    }
  }
  return { theta, iters: it, objective: objective(theta, s, o.lambda, p) };
}

export type Penalty = "scad" | "mcp";

/** Derivative p'_λ(t), t ≥ 0, of the folded-concave penalty that sets the next stage's weights (§2, eq. for λ_ij^(k)). */
export function penaltyDeriv(t: number, lam: number, kind: Penalty, a: number): number {
  if (kind === "scad") return t <= lam ? lam : t <= a * lam ? (a * lam - t) / (a - 1) : 0;
  return Math.max(lam - t / a, 0); // MCP
}

export interface AdaptiveOptions {
  lam: number;
  stages: number;
  penalty: Penalty;
  /** SCAD a (> 2) or MCP γ (> 1). */
  a: number;
  maxIter: number;
  tol: number;
}

/**
 * Adaptive multi-stage estimator (§2): stage 1 solves ℓ1-MTP2 with Λ_ij = λ; stage k ≥ 2 re-weights
 * Λ_ij = p'_λ(|Θ̂^(k−1)_ij|) and re-solves, warm-started at the previous estimate.
 */
export function adaptiveMtp2(
  s: Float64Array,
  p: number,
  o: AdaptiveOptions,
  onStage?: (stage: number, theta: Float64Array) => void,
): GpResult & { totalIters: number } {
  const lambda = new Float64Array(p * p).fill(o.lam);
  let res = gradProj(s, p, { lambda, constraint: "mtp2", maxIter: o.maxIter, tol: o.tol });
  let total = res.iters;
  onStage?.(1, res.theta);
  for (let k = 2; k <= o.stages; k++) {
    for (let i = 0; i < p * p; i++) lambda[i] = penaltyDeriv(Math.abs(res.theta[i]), o.lam, o.penalty, o.a);
    res = gradProj(s, p, { lambda, constraint: "mtp2", maxIter: o.maxIter, tol: o.tol, init: res.theta });
    total += res.iters;
    onStage?.(k, res.theta);
  }
  return { ...res, totalIters: total };
}

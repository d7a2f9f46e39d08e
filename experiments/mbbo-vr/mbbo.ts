/**
 * Single-loop stochastic multi-block bilevel methods on the problem of problem.ts. Per iteration t: sample I of the m
 * blocks and one training / one validation minibatch of size B; for each sampled block c update the tracked
 * estimators of ∇_w g_c, of the Hessian (v1) or of the Hessian-vector residual (v2) and of ∇f_c; step w_c; form the
 * hypergradient estimate from the sampled blocks; step x with a moving average of it.
 *
 * Block estimators (u_c kept for every block, refreshed only when c is sampled):
 *   plain : u_c ← h_c(θ_t; ξ_t)                                                   (no variance reduction)
 *   STORM : u_c ← (1−β) u_c + β h_c(θ_t; ξ_t) + (1−β) (h_c(θ_t; ξ_t) − h_c(θ_{t−1}; ξ_t))      (RSVRB)
 *   MSVR  : same with the correction weight γ = (m − I)/(I(1 − β)) + (1 − β)                   (BSVRB)
 * where θ_{t−1} is the state (x_{t−1}, w_c at t−1) of the previous iteration, evaluated on the same sample ξ_t.
 */
import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { cholesky, cholSolve, type Problem, upperGrad } from "./problem.ts";

/** The box the upper variable is projected on (log-regularization weights). */
export const X_MIN = -6, X_MAX = 2;

export type Estimator = "plain" | "storm" | "msvr";
export type Variant = "v1" | "v2";

export interface MbboOptions {
  /** sampled blocks per iteration */
  blocks: number;
  /** minibatch size (training rows for g, validation rows for f) */
  batch: number;
  iters: number;
  /** upper step size η */
  eta: number;
  /** lower step size τ (also the step of the v2 linear-system variable s_c) */
  tau: number;
  /** estimator weight β (VR methods) */
  beta: number;
  /** upper moving-average weight α (all methods) */
  alpha: number;
  estimator: Estimator;
  /** v1: track the Hessian and solve with it; v2: track H s − ∇f and step s (Hessian-vector products only) */
  variant: Variant;
  x0: ArrayLike<number>;
}

/** The correction weight γ of an estimator (0 for plain). */
export function correctionWeight(e: Estimator, m: number, blocks: number, beta: number): number {
  if (e === "plain") return 0;
  if (e === "storm") return 1 - beta;
  return (m - blocks) / (blocks * (1 - beta)) + (1 - beta);
}

/**
 * One estimator update u ← (1−β)u + β h_new + γ (h_new − h_old), in place (plain: u ← h_new). With β = 1 and γ = 0
 * this is the plain estimator.
 */
export function trackUpdate(
  u: Float64Array,
  hNew: ArrayLike<number>,
  hOld: ArrayLike<number> | null,
  beta: number,
  gamma: number,
): void {
  for (let k = 0; k < u.length; k++) {
    u[k] = (1 - beta) * u[k] + beta * hNew[k] + (hOld ? gamma * (hNew[k] - hOld[k]) : 0);
  }
}

/** Sample `k` distinct integers of [0, n) (partial Fisher–Yates). */
export function sampleWithout(rng: Rng, n: number, k: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k);
}

/** Stochastic ∇_w g_c(x, w; rows) = A_Bᵀ(A_B w − t_B,c)/B + e^x ⊙ w. */
export function lowerGrad(p: Problem, c: number, x: ArrayLike<number>, w: ArrayLike<number>, rows: number[]) {
  const { d, m } = p;
  const g = new Float64Array(d);
  for (const r of rows) {
    let z = -p.t[r * m + c];
    for (let k = 0; k < d; k++) z += p.a[r * d + k] * w[k];
    z /= rows.length;
    for (let k = 0; k < d; k++) g[k] += z * p.a[r * d + k];
  }
  for (let k = 0; k < d; k++) g[k] += Math.exp(x[k]) * w[k];
  return g;
}

/** Minibatch Gram A_BᵀA_B / B (the data part of the stochastic Hessian). */
export function batchGram(p: Problem, rows: number[]): Float64Array {
  const { d } = p;
  const h = new Float64Array(d * d);
  for (const r of rows) {
    for (let i = 0; i < d; i++) {
      const ai = p.a[r * d + i] / rows.length;
      if (ai === 0) continue;
      for (let j = 0; j < d; j++) h[i * d + j] += ai * p.a[r * d + j];
    }
  }
  return h;
}

export interface MbboState {
  t: number;
  x: Float64Array;
}

/** Run a method; `observe(t, x)` is called at t = 0 and every `every` iterations (and at the end). */
export function runMbbo(
  p: Problem,
  o: MbboOptions,
  rng: Rng,
  observe: (t: number, x: Float64Array) => void = () => {},
  every = 10,
): Float64Array {
  const { d, m } = p;
  const x = Float64Array.from(o.x0), xPrev = Float64Array.from(o.x0);
  const w = Array.from({ length: m }, () => new Float64Array(d));
  const wPrev = Array.from({ length: m }, () => new Float64Array(d)); // w_c at the previous iteration
  const s = Array.from({ length: m }, () => new Float64Array(d)); // v2: s_c ≈ H⁻¹ ∇f_c
  const sPrev = Array.from({ length: m }, () => new Float64Array(d));
  const ug = Array.from({ length: m }, () => new Float64Array(d)); // ∇_w g_c estimates
  const uf = Array.from({ length: m }, () => new Float64Array(d)); // ∇f_c estimates
  const uh = Array.from({ length: m }, () => new Float64Array(o.variant === "v1" ? d * d : d)); // Gram or HVP residual
  const seen = new Uint8Array(m);
  const mom = new Float64Array(d);
  const gamma = correctionWeight(o.estimator, m, o.blocks, o.beta);
  const beta = o.estimator === "plain" ? 1 : o.beta;
  observe(0, x);
  for (let t = 1; t <= o.iters; t++) {
    const blocks = sampleWithout(rng, m, o.blocks);
    const rowsG = Array.from({ length: o.batch }, () => Math.floor(rng.uniform() * p.n));
    const rowsF = Array.from({ length: o.batch }, () => Math.floor(rng.uniform() * p.nv));
    const gram = batchGram(p, rowsG);
    const z = new Float64Array(d);
    const ex = x.map(Math.exp);
    const updates: [number, Float64Array, Float64Array][] = [];
    for (const c of blocks) {
      // First visit: initialise every estimator with a plain sample (no correction).
      const first = !seen[c];
      const b = first ? 1 : beta, gm = first ? 0 : gamma;
      trackUpdate(
        ug[c],
        lowerGrad(p, c, x, w[c], rowsG),
        first ? null : lowerGrad(p, c, xPrev, wPrev[c], rowsG),
        b,
        gm,
      );
      trackUpdate(uf[c], upperGrad(p, c, w[c], rowsF), first ? null : upperGrad(p, c, wPrev[c], rowsF), b, gm);
      let v: Float64Array;
      if (o.variant === "v1") {
        // The data part of the Hessian does not depend on (x, w): its correction term is zero; e^x is added exactly.
        trackUpdate(uh[c], gram, null, b, 0);
        const h = Float64Array.from(uh[c]);
        for (let k = 0; k < d; k++) h[k * d + k] += ex[k];
        const l = cholesky(h, d);
        if (!l) throw new Error("tracked Hessian not positive definite");
        v = cholSolve(l, d, uf[c]);
      } else {
        // residual r = H s − ∇f on the batch; the data part of H s at the old point uses s_c at t − 1
        const exPrev = xPrev.map(Math.exp);
        const rNew = matmulSmall(gram, s[c], d, d, 1), rOld = matmulSmall(gram, sPrev[c], d, d, 1);
        const fNew = upperGrad(p, c, w[c], rowsF), fOld = upperGrad(p, c, wPrev[c], rowsF);
        for (let k = 0; k < d; k++) {
          rNew[k] += ex[k] * s[c][k] - fNew[k];
          rOld[k] += exPrev[k] * sPrev[c][k] - fOld[k];
        }
        trackUpdate(uh[c], rNew, first ? null : rOld, b, gm);
        v = s[c];
      }
      for (let k = 0; k < d; k++) z[k] -= ex[k] * w[c][k] * v[k] / blocks.length;
      seen[c] = 1;
      updates.push([c, w[c].map((wk, k) => wk - o.tau * ug[c][k]), s[c].map((sk, k) => sk - o.tau * uh[c][k])]);
    }
    // previous-iteration copies: blocks not sampled keep w_c (their wPrev must equal w_c at t − 1 = now)
    for (let c = 0; c < m; c++) {
      wPrev[c].set(w[c]);
      sPrev[c].set(s[c]);
    }
    for (const [c, wn, sn] of updates) {
      w[c].set(wn);
      if (o.variant === "v2") s[c].set(sn);
    }
    xPrev.set(x);
    for (let k = 0; k < d; k++) {
      mom[k] = (1 - o.alpha) * mom[k] + o.alpha * z[k];
      x[k] = Math.min(X_MAX, Math.max(X_MIN, x[k] - o.eta * mom[k]));
    }
    if (t % every === 0 || t === o.iters) observe(t, x);
  }
  return x;
}

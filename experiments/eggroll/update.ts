/**
 * The expected ES update of one weight matrix under rank-r (EGGROLL) and full-rank Gaussian perturbations, and
 * the rank of a population's accumulated update (the official `tests/test_high_rank_accumulation.py`).
 *
 * Fitness: a smooth one-hidden-layer tanh network on a fixed batch, the ES parameter being its hidden matrix
 * W (m×n):   f(W) = −(1/B) Σ_b (vᵀ tanh(W x_b) − y_b)².
 * Expected update (the quantity the paper's O(1/r) statement is about):  g = E[f(W + σE)·E]/σ, with E ~ N(0, I)
 * (full rank) or E = A Bᵀ/√r. We estimate it from P antithetic pairs,
 *   ĝ = ∇f + (1/P) Σ_k [ (f(W+σE_k) − f(W−σE_k))/(2σ) − ⟨∇f, E_k⟩ ]·E_k,
 * where ∇f (exact, by back-propagation) is a control variate: E[⟨∇f, E⟩E] = ∇f for both distributions, because
 * both have identity covariance (tested). It removes the linear term's variance and leaves ĝ unbiased.
 * The per-pair terms also give the estimate's variance, so that E‖ĝ_r − ĝ_ref‖² − Var(ĝ_r) − Var(ĝ_ref) is an
 * unbiased estimate of ‖g_r − g_full‖², the squared bias of the rank-r update.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { accumulate, lowRankDense, type MatrixNoise, sampleNoise } from "../../lib/math/es.ts";

export interface Problem {
  m: number;
  n: number;
  batch: number;
  x: Float64Array; // batch × n
  y: Float64Array; // batch
  v: Float64Array; // m
  w: Float64Array; // m × n, the point the update is taken at
}

/** A random teacher–student problem: targets from a teacher network, the student W at a random init. */
export function makeProblem(rng: Rng, m: number, n: number, batch: number): Problem {
  const x = rng.normal(batch * n), v = rng.normal(m).map((t) => t / Math.sqrt(m));
  const wt = rng.normal(m * n).map((t) => t / Math.sqrt(n));
  const w = rng.normal(m * n).map((t) => t / Math.sqrt(n));
  const p: Problem = { m, n, batch, x, y: new Float64Array(batch), v, w };
  p.y = outputs(p, wt);
  return p;
}

function outputs(p: Problem, w: Float64Array): Float64Array {
  const { m, n, batch, x, v } = p, out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let o = 0;
    for (let i = 0; i < m; i++) {
      let h = 0;
      for (let j = 0; j < n; j++) h += w[i * n + j] * x[b * n + j];
      o += v[i] * Math.tanh(h);
    }
    out[b] = o;
  }
  return out;
}

/** f(W) = −mean_b (vᵀ tanh(W x_b) − y_b)². */
export function fitness(p: Problem, w: Float64Array): number {
  const o = outputs(p, w);
  let s = 0;
  for (let b = 0; b < p.batch; b++) s += (o[b] - p.y[b]) ** 2;
  return -s / p.batch;
}

/** ∇f(W), by back-propagation. */
export function fitnessGrad(p: Problem, w: Float64Array): Float64Array {
  const { m, n, batch, x, v, y } = p, g = new Float64Array(m * n), t = new Float64Array(m);
  for (let b = 0; b < batch; b++) {
    let o = 0;
    for (let i = 0; i < m; i++) {
      let h = 0;
      for (let j = 0; j < n; j++) h += w[i * n + j] * x[b * n + j];
      t[i] = Math.tanh(h);
      o += v[i] * t[i];
    }
    const dout = (-2 * (o - y[b])) / batch;
    for (let i = 0; i < m; i++) {
      const dh = dout * v[i] * (1 - t[i] * t[i]);
      for (let j = 0; j < n; j++) g[i * n + j] += dh * x[b * n + j];
    }
  }
  return g;
}

export interface UpdateEstimate {
  /** ĝ, m×n. */
  g: Float64Array;
  /** Σ over entries of the variance of ĝ (trace of its covariance), estimated from the pairs. */
  varTrace: number;
}

/** A smooth objective of one m×n matrix, its gradient, and the point W the update is taken at. */
export interface Objective {
  m: number;
  n: number;
  w: Float64Array;
  f(w: Float64Array): number;
  grad(w: Float64Array): Float64Array;
}

/** The tanh network's fitness as an objective at its W. */
export function tanhObjective(p: Problem): Objective {
  return { m: p.m, n: p.n, w: p.w, f: (w) => fitness(p, w), grad: (w) => fitnessGrad(p, w) };
}

/**
 * ĝ ≈ E[f(W+σE)E]/σ from `pairs` antithetic draws of rank `rank` (0: full rank), with ∇f as control variate.
 */
export function expectedUpdate(o: Objective, sigma: number, rank: number, pairs: number, rng: Rng): UpdateEstimate {
  const { m, n } = o, d = m * n, grad = o.grad(o.w);
  const sum = new Float64Array(d), sumSq = new Float64Array(d);
  const wp = new Float64Array(d), wm = new Float64Array(d);
  for (let k = 0; k < pairs; k++) {
    const e = lowRankDense(sampleNoise(rng, m, n, rank), m, n);
    let lin = 0;
    for (let i = 0; i < d; i++) {
      wp[i] = o.w[i] + sigma * e[i];
      wm[i] = o.w[i] - sigma * e[i];
      lin += grad[i] * e[i];
    }
    const c = (o.f(wp) - o.f(wm)) / (2 * sigma) - lin;
    for (let i = 0; i < d; i++) {
      const t = c * e[i];
      sum[i] += t;
      sumSq[i] += t * t;
    }
  }
  const g = new Float64Array(d);
  let varTrace = 0;
  for (let i = 0; i < d; i++) {
    const mu = sum[i] / pairs;
    g[i] = grad[i] + mu;
    varTrace += (sumSq[i] / pairs - mu * mu) / (pairs - 1);
  }
  return { g, varTrace };
}

/**
 * The accumulated update of P antithetic pairs of rank-r draws of an m×n matrix with random fitnesses, as the
 * official test builds it (weights N(0, 1) per member); returns the matrix, row-major.
 */
export function accumulatedUpdate(rng: Rng, m: number, n: number, rank: number, pairs: number): Float64Array {
  const draws: MatrixNoise[] = [];
  for (let k = 0; k < pairs; k++) draws.push(sampleNoise(rng, m, n, rank));
  return accumulate(draws, rng.normal(2 * pairs), 0.1, m, n);
}

/** Numerical rank: singular values above max(m, n)·eps·σ₁ (numpy's matrix_rank default). */
export function numericalRank(s: ArrayLike<number>, m: number, n: number): number {
  const s1 = s[0] ?? 0, tol = Math.max(m, n) * 2.220446049250313e-16 * s1;
  let k = 0;
  for (let i = 0; i < s.length; i++) if (s[i] > tol) k++;
  return k;
}

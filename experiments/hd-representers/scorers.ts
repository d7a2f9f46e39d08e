/**
 * Training-point importance for an ℓ1-logistic model θ̂ (see l1logistic.ts), one column per test point: entry
 * (i, j) says how much training point i pushes the prediction f(x_j) = θ̂ᵀx_j up (positive) or down (negative).
 * Layout: row-major n_train × m.
 *
 * - High-dimensional representer (Tsai et al. 2023, the ℓ1 instance; the official code's
 *   `get_high_dim_representers`): from the optimality condition C·Σᵢ gᵢ x_ik = −sign(θ̂_k) on the support S,
 *   θ̂_k = |θ̂_k|·sign(θ̂_k) = −C Σᵢ gᵢ |θ̂_k| x_ik, hence the exact decomposition
 *     f(x_j) = Σᵢ αᵢ · ⟨xᵢ, x_j⟩_{|θ̂|, S},   αᵢ = −C·gᵢ,   ⟨a, b⟩_{|θ̂|, S} = Σ_{k∈S} |θ̂_k| a_k b_k.
 *   (The official code drops the constant C, which does not change rankings; we keep it so that the terms sum to
 *   the prediction.)
 * - ℓ2 representer (Yeh et al. 2018, the official `get_l2_representers`): −C gᵢ ⟨xᵢ, x_j⟩, all features.
 * - Influence function on the active set (Koh and Liang 2017 restricted to S, the official
 *   `get_influence_functions`): −x_{j,S}ᵀ H_S⁻¹ ∇ℓᵢ,S with H_S = C Σᵢ σ'(tᵢ) x_{i,S} x_{i,S}ᵀ + 10⁻⁶ I.
 * - TracIn-CP (Pruthi et al. 2020): Σ_c η_c ⟨∇f_j(θ_c), −∇ℓᵢ(θ_c)⟩ = ⟨xᵢ, x_j⟩ Σ_c η_c (−C gᵢ(θ_c)).
 * - Random: uniform scores.
 */
import { cholSmall, cholSolveSmall } from "../../lib/math/linalg/chol_small.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { type Checkpoint, type Design, margins, sigmoid } from "./l1logistic.ts";

/** Test points, row-major m × d. */
export interface Queries {
  x: Float64Array;
  m: number;
}

/** The support S = {k : θ_k ≠ 0}. */
export function support(theta: Float64Array): number[] {
  const s: number[] = [];
  for (let k = 0; k < theta.length; k++) if (theta[k] !== 0) s.push(k);
  return s;
}

/** αᵢ = −C·(σ(θᵀxᵢ) − yᵢ): each training point's global weight. */
function alphas(ds: Design, theta: Float64Array, c: number): Float64Array {
  const t = margins(ds, theta);
  return t.map((ti, i) => -c * (sigmoid(ti) - ds.y[i]));
}

/** Scores αᵢ · Σ_{k ∈ cols} w_k x_ik x_jk for every (i, j). */
function weightedKernelScores(
  ds: Design,
  q: Queries,
  alpha: Float64Array,
  cols: number[],
  w: (k: number) => number,
): Float64Array {
  const { n, d, x } = ds, m = q.m, out = new Float64Array(n * m), p = cols.length;
  const qw = new Float64Array(m * p);
  for (let j = 0; j < m; j++) for (let a = 0; a < p; a++) qw[j * p + a] = w(cols[a]) * q.x[j * d + cols[a]];
  const xi = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < p; a++) xi[a] = x[i * d + cols[a]];
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += xi[a] * qw[j * p + a];
      out[i * m + j] = alpha[i] * s;
    }
  }
  return out;
}

/** High-dimensional representer values (the ℓ1 instance): αᵢ ⟨xᵢ, x_j⟩_{|θ̂|, S}. */
export function hdRepresenter(ds: Design, q: Queries, theta: Float64Array, c: number): Float64Array {
  return weightedKernelScores(ds, q, alphas(ds, theta, c), support(theta), (k) => Math.abs(theta[k]));
}

/** ℓ2 representer values: αᵢ ⟨xᵢ, x_j⟩ over all features. */
export function l2Representer(ds: Design, q: Queries, theta: Float64Array, c: number): Float64Array {
  const all = Array.from({ length: ds.d }, (_, k) => k);
  return weightedKernelScores(ds, q, alphas(ds, theta, c), all, () => 1);
}

/** Influence of each training point on each prediction, on the active set: −x_{j,S}ᵀ H_S⁻¹ ∇ℓᵢ,S. */
export function influenceActiveSet(ds: Design, q: Queries, theta: Float64Array, c: number): Float64Array {
  const { n, d, x } = ds, m = q.m, s = support(theta), p = s.length;
  const t = margins(ds, theta), h = new Float64Array(p * p), xs = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const sg = sigmoid(t[i]), w = c * sg * (1 - sg);
    for (let a = 0; a < p; a++) xs[a] = x[i * d + s[a]];
    for (let a = 0; a < p; a++) {
      const wa = w * xs[a];
      for (let b = 0; b <= a; b++) h[a * p + b] += wa * xs[b];
    }
  }
  for (let a = 0; a < p; a++) h[a * p + a] += 1e-6;
  if (p > 0 && !cholSmall(h, p)) throw new Error("influenceActiveSet: the active-set Hessian is not positive definite");
  // V = H⁻¹ X_{test,S}ᵀ, stored m × p.
  const v = new Float64Array(m * p);
  for (let j = 0; j < m; j++) {
    for (let a = 0; a < p; a++) v[j * p + a] = q.x[j * d + s[a]];
    if (p > 0) cholSolveSmall(h, p, v, j * p);
  }
  const alpha = alphas(ds, theta, c), out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < p; a++) xs[a] = x[i * d + s[a]];
    for (let j = 0; j < m; j++) {
      let z = 0;
      for (let a = 0; a < p; a++) z += xs[a] * v[j * p + a];
      // −x_jᵀ H⁻¹ (C gᵢ xᵢ) = αᵢ · xᵢᵀ H⁻¹ x_j
      out[i * m + j] = alpha[i] * z;
    }
  }
  return out;
}

/** TracIn-CP over the checkpoints: ⟨xᵢ, x_j⟩ · Σ_c η_c (−C gᵢ(θ_c)). */
export function tracIn(ds: Design, q: Queries, checkpoints: Checkpoint[], c: number): Float64Array {
  const a = new Float64Array(ds.n);
  for (const cp of checkpoints) {
    const al = alphas(ds, cp.theta, c);
    for (let i = 0; i < ds.n; i++) a[i] += cp.eta * al[i];
  }
  const all = Array.from({ length: ds.d }, (_, k) => k);
  return weightedKernelScores(ds, q, a, all, () => 1);
}

/** Uniform random scores in [0, 1). */
export function randomScores(n: number, m: number, rng: Rng): Float64Array {
  const out = new Float64Array(n * m);
  for (let k = 0; k < out.length; k++) out[k] = rng.uniform();
  return out;
}

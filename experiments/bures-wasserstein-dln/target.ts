/**
 * Target covariances and the closed-form minimizers the paper's critical-point analysis predicts.
 *
 * Σ₀ = Q·diag(λ)·Qᵀ (d×d, λ descending, random eigenbasis). Over rank-≤k matrices the BW² minimizer is the truncated
 * eigendecomposition Σ₀,k = Σ_{i≤k} λ_i q_i q_iᵀ (BW²(Σ₀, Σ) = min_U ‖Σ₀^{1/2} − Σ^{1/2}U‖², then Eckart–Young on
 * Σ₀^{1/2}); the minimum value is Σ_{i>k} λ_i. Critical points are Σ_{i∈S} λ_i q_i q_iᵀ for index sets |S| ≤ k.
 * For the smoothed loss L_τ, the same coordinate calculation (∂/∂s_i [s_i − 2√(λ_i s_i + τ)] = 0) gives
 * Σ_τ* = Σ_{i≤k} (λ_i − τ/λ_i) q_i q_iᵀ, valid for τ < λ_k².
 */
import type { Rng } from "../../lib/math/rng.ts";
import { frobDist, frobenius, type M64, randomOrthonormal, spectrum, zeros } from "../../lib/math/lowrank/mod.ts";

export interface Target {
  sigma0: M64;
  lambdas: Float64Array;
  /** Eigenvectors as columns (d×d), in the order of `lambdas`. */
  q: M64;
  k: number;
}

/** Σ₀ with eigenvalues geometric from 1 to 1/kappa (d values) and a uniformly random eigenbasis. */
export function makeTarget(o: { d: number; k: number; kappa: number }, rng: Rng): Target {
  const lambdas = spectrum({ r: o.d, kappa: o.kappa });
  const q = randomOrthonormal(o.d, o.d, rng);
  return { sigma0: spectral(q, lambdas), lambdas, q, k: o.k };
}

/** Σ_i w_i q_i q_iᵀ over the entries of w (zeros skipped). */
export function spectral(q: M64, w: ArrayLike<number>): M64 {
  const d = q.rows, out = zeros(d, d);
  for (let l = 0; l < w.length; l++) {
    if (w[l] === 0) continue;
    for (let i = 0; i < d; i++) {
      const a = q.data[i * d + l] * w[l];
      for (let j = 0; j < d; j++) out.data[i * d + j] += a * q.data[j * d + l];
    }
  }
  return out;
}

/** Σ_τ* (τ = 0: Σ₀,k): the minimizer of the (smoothed) BW loss over rank ≤ k. */
export function optimum(t: Target, tau: number): M64 {
  const w = Float64Array.from(t.lambdas, (l, i) => (i < t.k ? Math.max(l - tau / l, 0) : 0));
  return spectral(t.q, w);
}

/** min over rank ≤ k of BW²(Σ₀, ·) = Σ_{i>k} λ_i. */
export function optimalValue(t: Target): number {
  let s = 0;
  for (let i = t.k; i < t.lambdas.length; i++) s += t.lambdas[i];
  return s;
}

/** ‖A − B‖_F / ‖B‖_F. */
export function relDist(a: M64, b: M64): number {
  return frobDist(a, b) / frobenius(b);
}

/**
 * WeLore rank reduction (Jaiswal et al. 2024, arXiv 2407.11239; official code VITA-Group/welore):
 *
 * - Per weight matrix W_ℓ with singular values σ_ℓ (descending), normalise them to [0, 1]:
 *   σ̃ = (σ − min σ)/(max σ − min σ)                                  (utils.py `adaptive_rank_pruning`).
 * - One global threshold τ: matrix ℓ loses the c_ℓ = #{j : σ̃_ℓj < τ} smallest directions, keeping
 *   k_ℓ = rank_ℓ − c_ℓ. A heavy-tailed spectrum (a few large σ, a bulk near the smallest) has most σ̃ near 0 and
 *   loses many; a flat spectrum loses few. The official code hand-sets τ per target reduction for LLaMA-2
 *   (`rank_thresold_llama7b_dict`); we take the τ that prunes exactly the target count K = round(ρ·Σ rank_ℓ):
 *   the K smallest σ̃ over all matrices (ties broken by matrix order).
 * - Uniform baseline: every matrix loses round(ρ·rank_ℓ) directions.
 * - A matrix is stored as U_k√S, √S V_kᵀ (lib/LowRankLayer.py) when its reduction ratio c_ℓ/rank_ℓ exceeds
 *   `minRatio` — a Low-rank Component (LRC); otherwise it stays dense and is not reduced (N-LRC)
 *   (lib/rank_reduction.py `do_rank_reduction`; the fine-tuning script's default min_ratio is 0.4999).
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { M } from "../../lib/math/nn/factorized.ts";

/** Singular values normalised to [0, 1] by min and max (official `_data`). */
export function normalisedSpectrum(s: ArrayLike<number>): Float64Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < s.length; i++) (lo = Math.min(lo, s[i]), hi = Math.max(hi, s[i]));
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = hi > lo ? (s[i] - lo) / (hi - lo) : 0;
  return out;
}

/** WeLore's per-matrix pruned counts for a target total reduction ρ of Σ rank (global threshold on σ̃). */
export function weloreCounts(spectra: ArrayLike<number>[], rho: number): number[] {
  const all: { v: number; l: number }[] = [];
  spectra.forEach((s, l) => normalisedSpectrum(s).forEach((v) => all.push({ v, l })));
  const K = Math.round(rho * all.length);
  all.sort((a, b) => a.v - b.v || a.l - b.l);
  const counts = spectra.map(() => 0);
  for (let i = 0; i < K; i++) counts[all[i].l]++;
  return counts;
}

/** WeLore's counts for an explicit threshold τ (the official rule: #{σ̃ < τ}). */
export function thresholdCounts(spectra: ArrayLike<number>[], tau: number): number[] {
  return spectra.map((s) => normalisedSpectrum(s).reduce((c, v) => c + (v < tau ? 1 : 0), 0));
}

/** Uniform rank reduction: every matrix loses round(ρ·rank). */
export function uniformCounts(spectra: ArrayLike<number>[], rho: number): number[] {
  return spectra.map((s) => Math.round(rho * s.length));
}

/** The rank-k factors of W (out × in): U = U_k·√S (out × k), V = V_k·√S (in × k), W ≈ U·Vᵀ. */
export function lowRankFactors(w: M, k: number): { u: M; v: M } {
  const { u, s, vt } = getLinalg().svd(w);
  const U = { rows: w.rows, cols: k, data: new Float64Array(w.rows * k) };
  const V = { rows: w.cols, cols: k, data: new Float64Array(w.cols * k) };
  for (let j = 0; j < k; j++) {
    const r = Math.sqrt(s[j]);
    for (let i = 0; i < w.rows; i++) U.data[i * k + j] = u.data[i * u.cols + j] * r;
    for (let i = 0; i < w.cols; i++) V.data[i * k + j] = vt.data[j * vt.cols + i] * r;
  }
  return { u: U, v: V };
}

/**
 * The refinement of a learning-rate schedule from observed gradient norms (Defazio et al. 2023), and the fixed
 * baselines it is compared with (multipliers s_t ∈ [0, 1] of the base rate from lib/math/nn/schedules.ts).
 */
import { median } from "../../lib/math/stats.ts";
import { budgetSchedule } from "../../lib/math/nn/schedules.ts";

export const SCHEDULES = ["constant", "step", "cosine", "linear", "poly2"] as const;
export type Fixed = typeof SCHEDULES[number];

/** The fixed baseline schedule s_0 … s_{T−1} (lib/math/nn/schedules.ts). */
export const fixedSchedule = (kind: Fixed, T: number): Float64Array => budgetSchedule(kind, T);

/**
 * Median filter of width w (odd, ≥ 1) with the window clipped at the ends (nearest-edge padding would repeat
 * the end values; clipping uses only observed values).
 */
export function medianFilter(x: ArrayLike<number>, width: number): Float64Array {
  const h = Math.floor(Math.max(1, width) / 2);
  const out = new Float64Array(x.length);
  for (let t = 0; t < x.length; t++) {
    const lo = Math.max(0, t - h), hi = Math.min(x.length, t + h + 1);
    out[t] = median(Array.prototype.slice.call(x, lo, hi));
  }
  return out;
}

/**
 * Refinement (paper's abstract and Sec. "refined schedules"): from the gradient norms ‖g_t‖ of a previous run,
 * smooth them with a median filter of width τT, set w_t = 1/ĝ_t², and η_t ∝ w_t · Σ_{p>t} w_p, normalized so
 * max η = 1. With constant ĝ this is exactly linear decay ∝ (T − 1 − t).
 */
export function refine(gradNorms: ArrayLike<number>, tau: number): Float64Array {
  const T = gradNorms.length;
  const g = medianFilter(gradNorms, Math.max(1, Math.round(tau * T)) | 1);
  const w = g.map((v) => 1 / Math.max(v * v, 1e-300));
  const eta = new Float64Array(T);
  let tail = 0;
  for (let t = T - 1; t >= 0; t--) {
    eta[t] = w[t] * tail;
    tail += w[t];
  }
  let m = 0;
  for (const v of eta) m = Math.max(m, v);
  return eta.map((v) => v / m);
}

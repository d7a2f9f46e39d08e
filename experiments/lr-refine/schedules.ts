/**
 * Learning-rate schedules as multipliers s_t ∈ [0, 1] of the base rate, t = 0 … T−1 (Defazio et al. 2023, Sec. 1
 * and the baselines of the experiments), and the refinement of a schedule from observed gradient norms.
 */
import { median } from "../../lib/math/stats.ts";

export const SCHEDULES = ["constant", "step", "cosine", "linear", "poly2"] as const;
export type Fixed = typeof SCHEDULES[number];

/** Multiplier at step t of T. */
export function multiplier(kind: Fixed, t: number, T: number): number {
  const u = t / T;
  switch (kind) {
    case "constant":
      return 1;
    case "step": // ×0.1 at 50% and at 75% of training
      return u < 0.5 ? 1 : u < 0.75 ? 0.1 : 0.01;
    case "cosine": // ½(1 + cos πt/T)
      return 0.5 * (1 + Math.cos(Math.PI * u));
    case "linear": // 1 − t/T, the worst-case optimal last-iterate schedule (abstract)
      return 1 - u;
    case "poly2": // (1 − t/T)²
      return (1 - u) * (1 - u);
  }
}

export const fixedSchedule = (kind: Fixed, T: number) =>
  Float64Array.from({ length: T }, (_, t) => multiplier(kind, t, T));

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

/** A schedule resampled at 0%, 1%, …, 100% of training (the last point is the final step). */
export function resample(s: ArrayLike<number>, points = 101): number[] {
  return Array.from(
    { length: points },
    (_, i) => s[Math.min(s.length - 1, Math.round(i / (points - 1) * (s.length - 1)))],
  );
}

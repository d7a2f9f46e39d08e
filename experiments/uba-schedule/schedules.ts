/**
 * Learning-rate schedules as multipliers of the peak rate at step t of a budget of T steps: the Unified
 * Budget-Aware (UBA) schedule of Tang et al. (2025) and the baselines it is compared with. Step, cosine and linear
 * are lr-refine's (imported); exponential, OneCycle and REX are defined here.
 *
 * UBA (single stage, η_min = 0): with θ = πt/T and c = 1 + cos θ ∈ [0, 2],
 *   s_t = 2c / (2φ + (2 − φ)c).
 * s_0 = 1, s_T = 0; φ = 2 gives ½(1 + cos θ), cosine annealing; φ < 2 keeps the rate high longer, φ > 2 drops it
 * sooner. The form is read from a public third-party implementation (see the module's deviations), not from the
 * paper's text, which was not readable offline.
 */
import { type BudgetOpts, multiplier as budgetMultiplier } from "../../lib/math/nn/schedules.ts";

export const SCHEDULES = ["uba", "step", "cosine", "linear", "exponential", "onecycle", "rex"] as const;
export type Kind = typeof SCHEDULES[number];

/** Schedule options: UBA's φ, and the baselines' options (the exponential's final multiplier). */
export interface ScheduleOpts extends BudgetOpts {
  phi?: number;
}

/** UBA multiplier 2c/(2φ + (2 − φ)c), c = 1 + cos(πu), u = t/T ∈ [0, 1]. */
export function uba(u: number, phi: number): number {
  const c = 1 + Math.cos(Math.PI * Math.min(1, Math.max(0, u)));
  const den = 2 * phi + (2 - phi) * c;
  return den === 0 ? 0 : (2 * c) / den;
}

/** Multiplier of the peak learning rate at step t (0-based) of T. */
export function multiplier(kind: Kind, t: number, T: number, o: ScheduleOpts = {}): number {
  return kind === "uba" ? uba(t / T, o.phi ?? 0.5) : budgetMultiplier(kind, t, T, o);
}

/** The whole schedule s_0 … s_{T−1}. */
export const schedule = (kind: Kind, T: number, o: ScheduleOpts = {}): Float64Array =>
  Float64Array.from({ length: T }, (_, t) => multiplier(kind, t, T, o));

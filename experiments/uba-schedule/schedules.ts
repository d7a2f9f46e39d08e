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
import { multiplier as lrRefineMultiplier } from "../lr-refine/schedules.ts";

export const SCHEDULES = ["uba", "step", "cosine", "linear", "exponential", "onecycle", "rex"] as const;
export type Kind = typeof SCHEDULES[number];

/** Schedule options: UBA's φ; the exponential's final multiplier; OneCycle's PyTorch defaults. */
export interface ScheduleOpts {
  phi?: number;
  /** Exponential decay s_t = γ^t with γ^T = expFinal (default 0.01). */
  expFinal?: number;
}

/** UBA multiplier 2c/(2φ + (2 − φ)c), c = 1 + cos(πu), u = t/T ∈ [0, 1]. */
export function uba(u: number, phi: number): number {
  const c = 1 + Math.cos(Math.PI * Math.min(1, Math.max(0, u)));
  const den = 2 * phi + (2 - phi) * c;
  return den === 0 ? 0 : (2 * c) / den;
}

/** REX (Chen, Wolfe & Kyrillidis 2022): (1 − u) / (½ + ½(1 − u)). */
export const rex = (u: number): number => (1 - u) / (0.5 + 0.5 * (1 - u));

/**
 * OneCycle as PyTorch's OneCycleLR with its defaults (cosine annealing, pct_start 0.3, div_factor 25,
 * final_div_factor 1e4): from 1/25 up to 1 over the first 30% of the steps, then down to 1/(25·10⁴), each phase a
 * cosine interpolation; phase ends at steps 0.3T − 1 and T − 1 as in PyTorch.
 */
export function onecycle(t: number, T: number): number {
  const lo = 1 / 25, end = lo / 1e4;
  const up = Math.max(1, 0.3 * T - 1), last = Math.max(up + 1, T - 1);
  const cosAnneal = (a: number, b: number, p: number) => b + ((a - b) / 2) * (1 + Math.cos(Math.PI * p));
  return t <= up ? cosAnneal(lo, 1, t / up) : cosAnneal(1, end, Math.min(1, (t - up) / (last - up)));
}

/** Multiplier of the peak learning rate at step t (0-based) of T. */
export function multiplier(kind: Kind, t: number, T: number, o: ScheduleOpts = {}): number {
  const u = t / T;
  switch (kind) {
    case "uba":
      return uba(u, o.phi ?? 0.5);
    case "step":
    case "cosine":
    case "linear":
      return lrRefineMultiplier(kind, t, T);
    case "exponential":
      return Math.pow(o.expFinal ?? 0.01, u);
    case "onecycle":
      return onecycle(t, T);
    case "rex":
      return rex(u);
  }
}

/** The whole schedule s_0 … s_{T−1}. */
export const schedule = (kind: Kind, T: number, o: ScheduleOpts = {}): Float64Array =>
  Float64Array.from({ length: T }, (_, t) => multiplier(kind, t, T, o));

/**
 * Learning-rate schedules over a fixed budget, as multipliers s_t of the peak rate at step t = 0 … T−1: the
 * budget-aware baselines that schedule papers compare against (users: experiments/lr-refine, experiments/uba-schedule).
 * For schedules as functions of the step with a base rate built in, see optim.ts (`stepDecay`, `cosine`, …).
 */

/** The schedules `multiplier` knows. */
export const BUDGET_SCHEDULES = [
  "constant",
  "step",
  "cosine",
  "linear",
  "poly2",
  "exponential",
  "onecycle",
  "rex",
] as const;
/** One of `BUDGET_SCHEDULES`. */
export type BudgetSchedule = typeof BUDGET_SCHEDULES[number];

/** Options: the exponential's final multiplier γ^T (default 0.01). */
export interface BudgetOpts {
  expFinal?: number;
}

/** REX (Chen, Wolfe & Kyrillidis 2022): (1 − u) / (½ + ½(1 − u)), u = t/T. */
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

/** Multiplier of the peak rate at step t (0-based) of a budget of T steps. */
export function multiplier(kind: BudgetSchedule, t: number, T: number, o: BudgetOpts = {}): number {
  const u = t / T;
  switch (kind) {
    case "constant":
      return 1;
    case "step": // ×0.1 at 50% and at 75% of training
      return u < 0.5 ? 1 : u < 0.75 ? 0.1 : 0.01;
    case "cosine": // ½(1 + cos πt/T)
      return 0.5 * (1 + Math.cos(Math.PI * u));
    case "linear": // 1 − t/T
      return 1 - u;
    case "poly2": // (1 − t/T)²
      return (1 - u) * (1 - u);
    case "exponential": // γ^t with γ^T = expFinal
      return Math.pow(o.expFinal ?? 0.01, u);
    case "onecycle":
      return onecycle(t, T);
    case "rex":
      return rex(u);
  }
}

/** The whole schedule s_0 … s_{T−1}. */
export const budgetSchedule = (kind: BudgetSchedule, T: number, o: BudgetOpts = {}): Float64Array =>
  Float64Array.from({ length: T }, (_, t) => multiplier(kind, t, T, o));

/** A schedule resampled at 0%, 1%, …, 100% of training (the last point is the final step). */
export function resample(s: ArrayLike<number>, points = 101): number[] {
  return Array.from(
    { length: points },
    (_, i) => s[Math.min(s.length - 1, Math.round(i / (points - 1) * (s.length - 1)))],
  );
}

/**
 * The multiplier of a linear warm-up over the first `warmup` steps, then a cosine from 1 down to `minRatio` at the
 * last step (GaLore's and OSD's `cosine` in peft_pretraining.training_utils):
 * m(t) = t/w (t < w);  m(t) = ρ + (1 − ρ)·½(1 + cos(π (t − w)/(T − w))).
 */
export function warmupCosine(t: number, steps: number, warmup: number, minRatio: number): number {
  if (t < warmup) return t / warmup;
  const p = (t - warmup) / Math.max(1, steps - warmup);
  return minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p)));
}

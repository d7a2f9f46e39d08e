/**
 * The tolerance model of `check`: how far a metric may drift from its committed baseline on another machine,
 * decided by what the metric is (its declared {@link Tolerance}), never by one blanket number.
 *
 * | kind          | allowed drift |d|                                      | example                                |
 * |---------------|-------------------------------------------------------|----------------------------------------|
 * | `stable`      | rel·|b| (rel 1e-6) + 1e-12                             | a test error computed by a stable route |
 * | `exact`       | 1e-12·|b|                                             | a count, a bitwise-reproducible result |
 * | `rounding`    | floor + 1e-6·|b|                                      | an identity residual, ‖PP − P‖ ≈ 1e-14 |
 * | `conditioned` | 16·eps·κ·|b| (κ a number or a metric of the run)       | least squares with κ = 1e10            |
 * | `iterative`   | rtol·|b|                                              | CG stopped at ‖r‖ ≤ 1e-6‖b‖            |
 * | `statistic`   | min(4%·|b|, max(rel·|b|, 2·sd·√(2/runs)))              | a trained net's test loss              |
 *
 * All kinds but `rounding` (below its floor) and `conditioned` (when 16·eps·κ ≥ 5%) report a 5% drift.
 */
import type { MetricSpec, Tolerance } from "../experiment.ts";
import { EPS } from "../experiment.ts";

/** The summary of one method × config × metric that baselines keep. */
export interface MetricSummary {
  method: string;
  config: Record<string, unknown>;
  metric: string;
  /** Mean over seeds of the scalar, or of a series' last step. */
  mean: number;
  /** Standard deviation over seeds (0 for one seed). */
  sd: number;
  runs: number;
}

/** The largest relative drift a `statistic` metric may show against its baseline (4%), however wide its seed spread. */
export const STATISTIC_CAP = 0.04;

/**
 * The drift allowed for `b` under `spec`, and a few words saying why. `condOf(name)` gives the baseline's value
 * of another metric of the same method and config (for `conditioned` with a metric name).
 */
export function allowedDrift(
  spec: MetricSpec | undefined,
  b: MetricSummary,
  condOf: (metric: string) => number | undefined = () => undefined,
): { allowed: number; why: string } {
  const t: Tolerance = spec?.tolerance ?? { kind: "stable" };
  const size = Math.abs(b.mean);
  switch (t.kind) {
    case "stable": {
      const rel = t.rel ?? 1e-6;
      return { allowed: rel * size + 1e-12, why: `stable: rel ${rel}` };
    }
    case "exact":
      return { allowed: 1e-12 * size, why: "exact" };
    case "rounding":
      return { allowed: t.floor + 1e-6 * size, why: `rounding: floor ${t.floor.toExponential(1)}` };
    case "conditioned": {
      const kappa = typeof t.cond === "number" ? t.cond : condOf(t.cond);
      if (kappa === undefined || !Number.isFinite(kappa)) {
        return { allowed: 1e-6 * size, why: `conditioned: no baseline value of "${t.cond}", so rel 1e-6` };
      }
      const rel = 16 * EPS[t.dtype ?? "float64"] * Math.max(1, kappa);
      return {
        allowed: rel * size + 1e-12,
        why: `conditioned: κ ${kappa.toExponential(1)} → rel ${rel.toExponential(1)}`,
      };
    }
    case "iterative":
      return { allowed: t.rtol * size + 1e-12, why: `iterative: rtol ${t.rtol}` };
    case "statistic": {
      const spread = b.runs > 1 ? 2 * b.sd * Math.sqrt(2 / b.runs) : 0;
      const allowed = Math.min(STATISTIC_CAP * size, Math.max((t.rel ?? 1e-6) * size, spread)) + 1e-12;
      return { allowed, why: `statistic: seed spread ${spread.toExponential(1)}, capped at 4%` };
    }
  }
}

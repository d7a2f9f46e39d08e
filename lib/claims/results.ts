/**
 * Tidy results of one experiment, as claims, tables and figures read them.
 *
 * One row per (run, metric, step): scalar metrics have `step = null`, series have one row per step.
 *
 * Selection is strict when the set knows which runs were planned (`runs`): a query that matches no value, or
 * whose runs did not all finish (failed or timed out), throws a {@link SelectionError} saying which, so a
 * claim built on it fails visibly instead of averaging over the survivors.
 *
 * @example
 * ```ts
 * const err = results.mean({ metric: "rel_error", method: "altmin", where: { n: 500 } });
 * ```
 */
import { mean } from "../math/stats.ts";

/**
 * One tidy result row: a metric value (at a step for series) of one run, with the run's method, backend, seed and
 * config.
 */
export interface MetricRow {
  run_id: string;
  method: string;
  /** Where the run computed (native, js, wasm, webgpu, cpu). */
  backend: string;
  seed: number;
  config: Record<string, unknown>;
  metric: string;
  step: number | null;
  value: number;
}

/** A planned run as the results know it: enough to tell which selections are incomplete and why. */
export interface PlannedRun {
  run_id: string;
  method: string;
  backend: string;
  seed: number;
  config: Record<string, unknown>;
  status: "ok" | "failed" | "timeout" | "skipped";
  error?: string | null;
}

/** Which values a selection takes: a metric, optionally narrowed by method, backend, config values and step. */
export interface Query {
  metric: string;
  method?: string;
  backend?: string;
  /** Config values the rows must match. */
  where?: Record<string, unknown>;
  /** For series: the last step of each run (default), one step, or every row. */
  step?: "last" | number | "all";
}

/** A claim asked for values that are missing or incomplete; the message says which runs and why. */
export class SelectionError extends Error {
  override name = "SelectionError";
}

/**
 * An experiment's tidy results with strict selections and per-config summaries, the one thing claims, tables and
 * figures read.
 */
export class ResultSet {
  /**
   * @param rows tidy metric rows of the finished runs
   * @param runs every planned run with its status; when given, selections are strict (see the module doc)
   */
  constructor(readonly rows: MetricRow[], readonly runs?: PlannedRun[]) {}

  /** Matching rows (one value per run unless `step: "all"`); throws a SelectionError when strict and incomplete. */
  select(q: Query): MetricRow[] {
    const rows = this.rows.filter((r) =>
      r.metric === q.metric && (q.method === undefined || r.method === q.method) &&
      (q.backend === undefined || r.backend === q.backend) && matches(r.config, q.where)
    );
    if (this.runs) this.assertComplete(q, rows);
    const step = q.step ?? "last";
    if (step === "all") return rows;
    if (typeof step === "number") return rows.filter((r) => r.step === step);
    const last = new Map<string, MetricRow>();
    for (const r of rows) {
      const prev = last.get(r.run_id);
      if (!prev || (r.step ?? -1) > (prev.step ?? -1)) last.set(r.run_id, r);
    }
    return [...last.values()];
  }

  values(q: Query): number[] {
    return this.select(q).map((r) => r.value);
  }

  /** Mean over runs (seeds) of the matching values (NaN when nothing matches and the set is not strict). */
  mean(q: Query): number {
    return mean(this.values(q));
  }

  /** Mean over seeds at each step of a series. */
  series(q: Omit<Query, "step">): { step: number; value: number }[] {
    const by = new Map<number, number[]>();
    for (const r of this.select({ ...q, step: "all" })) {
      if (r.step === null) continue;
      (by.get(r.step) ?? by.set(r.step, []).get(r.step)!).push(r.value);
    }
    return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([step, v]) => ({ step, value: mean(v) }));
  }

  /** Distinct values of a config key, sorted (over planned runs when known, so a failed level is not hidden). */
  levels(key: string): unknown[] {
    const configs = this.runs ? this.runs.filter((r) => r.status !== "skipped") : this.rows;
    const s = new Set(configs.map((r) => r.config[key]));
    return [...s].sort((a, b) => (a as number) > (b as number) ? 1 : -1);
  }

  methods(): string[] {
    return [...new Set(this.rows.map((r) => r.method))];
  }

  backends(): string[] {
    return [...new Set(this.rows.map((r) => r.backend))];
  }

  /** The subset whose rows and runs satisfy `keep` (e.g. one backend). */
  filter(keep: (r: { method: string; backend: string }) => boolean): ResultSet {
    return new ResultSet(this.rows.filter(keep), this.runs?.filter(keep));
  }

  private assertComplete(q: Query, rows: MetricRow[]): void {
    const planned = this.runs!.filter((r) =>
      r.status !== "skipped" && (q.method === undefined || r.method === q.method) &&
      (q.backend === undefined || r.backend === q.backend) && matches(r.config, q.where)
    );
    const what = describeQuery(q);
    const unfinished = planned.filter((r) => r.status !== "ok");
    if (unfinished.length) {
      const first = unfinished[0];
      throw new SelectionError(
        `${unfinished.length} of ${planned.length} runs for ${what} did not finish (e.g. ${first.method} seed ` +
          `${first.seed}: ${first.status}${first.error ? ` — ${first.error}` : ""})`,
      );
    }
    if (!planned.length) throw new SelectionError(`no runs planned for ${what} at this scale`);
    if (!rows.length) throw new SelectionError(`no values of ${what} in ${planned.length} finished runs`);
    const withValue = new Set(rows.map((r) => r.run_id));
    const missing = planned.filter((r) => !withValue.has(r.run_id));
    if (missing.length) {
      throw new SelectionError(
        `${missing.length} of ${planned.length} finished runs have no value of ${what} (e.g. ${missing[0].method} ` +
          `seed ${missing[0].seed})`,
      );
    }
  }
}

function describeQuery(q: Query): string {
  const where = Object.entries(q.where ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  return [`"${q.metric}"`, q.method && `of ${q.method}`, q.backend && `on ${q.backend}`, where.length && `at ${where}`]
    .filter(Boolean).join(" ");
}

/** Each run's value of each metric at its last step (scalars as they are): one row per run × metric. */
export function lastStepRows<T extends MetricRow>(rows: readonly T[]): T[] {
  const last = new Map<string, T>();
  for (const r of rows) {
    const k = `${r.run_id}|${r.metric}`, prev = last.get(k);
    if (!prev || (r.step ?? -1) > (prev.step ?? -1)) last.set(k, r);
  }
  return [...last.values()];
}

function matches(config: Record<string, unknown>, where?: Record<string, unknown>): boolean {
  if (!where) return true;
  return Object.entries(where).every(([k, v]) => config[k] === v);
}

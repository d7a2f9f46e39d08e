/**
 * `deno task show <id>`: the runs × params × metrics table of one experiment (like `dvc exp show`): one row per
 * run with its method, backend, seed, status, the config keys that vary, and each scalar metric (series at
 * their last step). Filters by config value, sorts by a metric.
 */
import type { RunRecord } from "../lib/run/store.ts";
import { lastStepRows, type MetricRow } from "../lib/claims/results.ts";
import { UserError } from "../lib/run/errors.ts";
import { experimentIds, unknownExperiment } from "../lib/run/registry.ts";
import { DEFAULT_DB, openStore, parse } from "./cli.ts";

export interface ShowOptions {
  /** Config values (or method, backend, status) a row must match, as strings: `n=1000`. */
  where?: Record<string, string>;
  metrics?: string[];
  /** Sort by this metric (ascending; prefix `-` for descending). */
  sort?: string;
  limit?: number;
}

/** Columns and rows (as strings) of the table. */
export function showTable(
  runs: RunRecord[],
  rows: MetricRow[],
  o: ShowOptions = {},
): { columns: string[]; rows: string[][] } {
  const last = new Map<string, Map<string, number>>();
  for (const r of lastStepRows(rows)) {
    (last.get(r.run_id) ?? last.set(r.run_id, new Map()).get(r.run_id)!).set(r.metric, r.value);
  }
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.config)))];
  const varying = keys.filter((k) => new Set(runs.map((r) => JSON.stringify(r.config[k]))).size > 1);
  const allMetrics = [...new Set(rows.map((r) => r.metric))].sort();
  const metrics = o.metrics ?? allMetrics;
  const field = (r: RunRecord, k: string): string =>
    k === "method"
      ? r.method
      : k === "backend"
      ? r.backend
      : k === "status"
      ? r.status
      : k === "seed"
      ? String(r.seed)
      : String(r.config[k]);
  let kept = runs.filter((r) => Object.entries(o.where ?? {}).every(([k, v]) => field(r, k) === v));
  if (o.sort) {
    const desc = o.sort.startsWith("-"), m = o.sort.replace(/^-/, "");
    const val = (r: RunRecord) => last.get(r.run_id)?.get(m) ?? NaN;
    kept = kept.sort((a, b) => (desc ? val(b) - val(a) : val(a) - val(b)) || 0);
  }
  if (o.limit) kept = kept.slice(0, o.limit);
  const fmt = (x: number | undefined) =>
    x === undefined
      ? ""
      : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5
      ? String(Number(x.toPrecision(4)))
      : x.toExponential(2);
  return {
    columns: ["method", "backend", "seed", "status", ...varying, ...metrics],
    rows: kept.map((r) => [
      r.method,
      r.backend,
      String(r.seed),
      r.status,
      ...varying.map((k) => String(r.config[k])),
      ...metrics.map((m) => fmt(last.get(r.run_id)?.get(m))),
    ]),
  };
}

/** Aligned plain-text columns for a terminal. */
export function renderColumns(t: { columns: string[]; rows: string[][] }): string {
  const w = t.columns.map((c, i) => Math.max(c.length, ...t.rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd();
  return [line(t.columns), line(w.map((n) => "-".repeat(n))), ...t.rows.map(line)].join("\n");
}

export async function cmdShow(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    db: { type: "string" },
    scale: { type: "string" },
    where: { type: "string", multiple: true },
    metrics: { type: "string" },
    sort: { type: "string" },
    limit: { type: "string" },
  });
  const [id] = positionals;
  const ids = experimentIds();
  if (!id) throw new UserError(`show which experiment? Known: ${ids.join(", ")}`);
  if (!ids.includes(id)) throw new UserError(unknownExperiment(id, ids));
  const where: Record<string, string> = {};
  for (const w of v.where ?? []) {
    const i = w.indexOf("=");
    if (i < 1) throw new UserError(`--where ${w}: expected key=value`);
    where[w.slice(0, i)] = w.slice(i + 1);
  }
  const limit = v.limit === undefined ? undefined : Number(v.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new UserError(`--limit ${v.limit}: expected a positive integer`);
  }
  const store = await openStore(v.db ?? DEFAULT_DB);
  try {
    const runs = (await store.runs(id)).filter((r) => !v.scale || r.scale === v.scale);
    if (!runs.length) throw new UserError(`no runs of "${id}" in ${store.path}: run \`deno task run ${id}\` first`);
    const ids = new Set(runs.map((r) => r.run_id));
    const rows = (await store.metricRows(id)).filter((r) => ids.has(r.run_id));
    const t = showTable(runs, rows, { where, metrics: v.metrics?.split(","), sort: v.sort, limit });
    console.log(renderColumns(t));
    console.log(`\n${t.rows.length} of ${runs.length} runs`);
  } finally {
    store.close();
  }
  return 0;
}

/**
 * `deno task history <id>`: one experiment's metrics across the code versions in a database, oldest first, in the
 * spirit of `asv publish`. A run's key includes the experiment's code version, so each version of the code keeps
 * its own runs; this lists, per version (with the commit it ran at), each method's mean of each metric, and what
 * changed beyond seed noise from one version to the next (paired by config and seed, as `deno task compare`).
 * When `results/history/checks.jsonl` (appended by each `deno task check`) has entries for the experiment, it also
 * prints them: per check, the commit, date, environment, claims holding and the chosen metric means.
 */
import type { RunRecord } from "../lib/run/store.ts";
import { lastStepRows, type MetricRow } from "../lib/claims/results.ts";
import { mean } from "../lib/math/stats.ts";
import { UserError } from "../lib/run/errors.ts";
import { experimentIds, unknownExperiment } from "../lib/run/registry.ts";
import { DEFAULT_DB, openStore, parse } from "./cli.ts";
import { diffMetrics, type MetricDiff } from "./compare.ts";
import { CHECK_HISTORY, formatCheckHistory, readCheckHistory } from "./check_history.ts";

/** One code version of an experiment as the store has it. */
export interface Version {
  codeVersion: string;
  commits: string[];
  first: Date;
  runs: number;
  /** Mean of each metric (last step of series) over the version's ok runs, per method. */
  means: Map<string, number>;
  /** Changes beyond seed noise from the version before, paired by config and seed. */
  changes: MetricDiff[];
}

/** The versions of one experiment's results, oldest first, with per-method means and changes between them. */
export function history(runs: readonly RunRecord[], rows: readonly MetricRow[], metrics?: string[]): Version[] {
  const ok = runs.filter((r) => r.status === "ok");
  const versionOf = new Map(ok.map((r) => [r.run_id, r]));
  const byVersion = new Map<string, RunRecord[]>();
  for (const r of ok) (byVersion.get(r.code_version) ?? byVersion.set(r.code_version, []).get(r.code_version)!).push(r);
  const wanted = (m: string) => (metrics ? metrics.includes(m) : true);
  const versions = [...byVersion.entries()].map(([codeVersion, rs]) => {
    const ids = new Set(rs.map((r) => r.run_id));
    const own = lastStepRows(rows.filter((r) => ids.has(r.run_id) && wanted(r.metric)));
    const groups = new Map<string, number[]>();
    for (const r of own) {
      (groups.get(`${r.method}|${r.metric}`) ??
        groups.set(`${r.method}|${r.metric}`, []).get(`${r.method}|${r.metric}`)!).push(r.value);
    }
    return {
      codeVersion,
      commits: [...new Set(rs.map((r) => r.git_commit))],
      first: new Date(Math.min(...rs.map((r) => r.started_at.getTime()))),
      runs: rs.length,
      means: new Map([...groups].map(([k, v]) => [k, mean(v)])),
      changes: [] as MetricDiff[],
      rows: own.map((r) => ({ ...r, experiment: versionOf.get(r.run_id)!.experiment })),
    };
  }).sort((a, b) => a.first.getTime() - b.first.getTime());
  for (let i = 1; i < versions.length; i++) {
    versions[i].changes = diffMetrics(versions[i - 1].rows, versions[i].rows).filter((d) => d.significant);
  }
  return versions.map(({ rows: _rows, ...v }) => v);
}

/** `deno task history <id> [--db path] [--metric a,b] [--scale name] [--checks path]`. */
export async function cmdHistory(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    db: { type: "string" },
    metric: { type: "string" },
    scale: { type: "string" },
    checks: { type: "string" },
  });
  const [id] = positionals;
  const ids = experimentIds();
  if (!id) throw new UserError(`history of which experiment? Known: ${ids.join(", ")}`);
  if (!ids.includes(id)) throw new UserError(unknownExperiment(id, ids));
  const metrics = v.metric?.split(",").map((m) => m.trim());
  const checksPath = v.checks ?? CHECK_HISTORY;
  const checks = readCheckHistory(checksPath, id);
  const printChecks = () => {
    if (!checks.length) return;
    const where = typeof checksPath === "string" ? checksPath : "results/history/checks.jsonl";
    console.log(`\nChecks of ${id} across commits (smoke scale, ${where}):\n`);
    console.log(formatCheckHistory(checks, { metrics }));
  };
  const store = await openStore(v.db ?? DEFAULT_DB);
  try {
    const runs = (await store.runs(id)).filter((r) => !v.scale || r.scale === v.scale);
    if (!runs.length && checks.length) {
      console.log(`no runs of "${id}" in ${store.path}; the check history only:`);
      printChecks();
      return 0;
    }
    if (!runs.length) throw new UserError(`no runs of "${id}" in ${store.path}: run \`deno task run ${id}\` first`);
    const versions = history(runs, await store.metricRows(id), metrics);
    const keys = [...new Set(versions.flatMap((x) => [...x.means.keys()]))].filter((k) => !k.endsWith("|time_ms"))
      .sort();
    const fmt = (x: number | undefined) =>
      x === undefined ? "–" : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(4) : x.toExponential(2);
    console.log(`| version | commit | first run | runs | ${keys.map((k) => k.replace("|", " · ")).join(" | ")} |`);
    console.log(`|---|---|---|---|${keys.map(() => "---").join("|")}|`);
    for (const x of versions) {
      console.log(
        `| ${x.codeVersion.slice(0, 8)} | ${x.commits.join(", ")} | ${
          x.first.toISOString().slice(0, 16)
        } | ${x.runs} | ${keys.map((k) => fmt(x.means.get(k))).join(" | ")} |`,
      );
    }
    for (const x of versions.slice(1)) {
      if (!x.changes.length) continue;
      console.log(
        `\n${x.codeVersion.slice(0, 8)}: ${x.changes.length} changes beyond seed noise from the version before`,
      );
      for (const d of x.changes.slice(0, 10)) {
        const cfg = Object.entries(d.config).map(([k, val]) => `${k}=${val}`).join(" ");
        console.log(`  ${d.method} ${d.metric} [${cfg.slice(0, 60)}]: ${fmt(d.a)} → ${fmt(d.b)} (×${fmt(d.ratio)})`);
      }
    }
    console.log(`\n${versions.length} code versions of ${id} in ${store.path}`);
    printChecks();
  } finally {
    store.close();
  }
  return 0;
}

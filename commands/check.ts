/**
 * The regression check: rerun experiments at smoke scale into a scratch database, evaluate their claims, and
 * compare against the committed baselines in `results/baselines/<id>.json`.
 *
 * A baseline keeps one entry per linear-algebra environment (`native`: OpenBLAS + LAPACKE; `js`: the pure-JS
 * fallback), each with the machine it was recorded on, and check compares like with like. A regression is: a run
 * that failed; a graded claim whose verdict flipped (timing claims only warn); a metric that drifted past what its
 * declared tolerance allows (see lib/claims/tolerance.ts; timing metrics only report). `--update` rewrites this
 * environment's entry and keeps the others; review the diff before committing it.
 */
import type { AnyExperiment } from "../lib/experiment.ts";
import { loadExperiment } from "../lib/run/registry.ts";
import { probeMachine } from "../lib/run/backend.ts";
import { Store } from "../lib/run/store.ts";
import { gitCommit, type MachineRecord, machineRecord } from "../lib/run/versions.ts";
import { lastStepRows, type ResultSet } from "../lib/claims/results.ts";
import { type ClaimResult, evaluateClaims, formatClaims } from "../lib/claims/mod.ts";
import { canonicalJson } from "../lib/run/hash.ts";
import { mean, std } from "../lib/math/stats.ts";
import { fmtDuration } from "../lib/run/progress.ts";
import { allowedDrift, type MetricSummary } from "../lib/claims/tolerance.ts";
import { sweep } from "../lib/run/sweep.ts";
import { experimentIds } from "../lib/run/registry.ts";
import { parse } from "./cli.ts";
import { appendCheckHistory, CHECK_HISTORY, type CheckHistoryEntry } from "./check_history.ts";

export const BASELINE_DIR = new URL("../results/baselines/", import.meta.url);
const SCALE = "smoke";

export interface Baseline {
  experiment: string;
  scale: string;
  /** One entry per linear-algebra environment ("native", "js"). */
  environments: Record<string, EnvironmentBaseline>;
}

export interface EnvironmentBaseline {
  created: string;
  git_commit: string;
  machine: MachineRecord;
  /** Per method: the backend and device its runs used. */
  backends: Record<string, string>;
  metrics: MetricSummary[];
  claims: Record<string, { pass: boolean; measured: string; graded: boolean }>;
}

export interface Finding {
  level: "regression" | "warning" | "info";
  message: string;
}

/** Summarize results the way baselines store them: mean and sd over seeds per method × config × metric. */
export function summarize(results: ResultSet): MetricSummary[] {
  const groups = new Map<string, { method: string; config: Record<string, unknown>; metric: string; v: number[] }>();
  for (const row of lastStepRows(results.rows)) {
    const key = canonicalJson([row.method, row.config, row.metric]);
    if (!groups.has(key)) groups.set(key, { method: row.method, config: row.config, metric: row.metric, v: [] });
    groups.get(key)!.v.push(row.value);
  }
  return [...groups.values()]
    .map((g) => ({
      method: g.method,
      config: g.config,
      metric: g.metric,
      mean: mean(g.v),
      sd: std(g.v),
      runs: g.v.length,
    }))
    .sort((a, b) =>
      canonicalJson([a.method, a.config, a.metric]) < canonicalJson([b.method, b.config, b.metric]) ? -1 : 1
    );
}

/** Compare a fresh summary and claims with one environment's baseline. Pure: the unit tests feed it by hand. */
export function compare(
  exp: Pick<AnyExperiment, "metrics">,
  baseline: EnvironmentBaseline,
  current: MetricSummary[],
  claims: ClaimResult[],
): Finding[] {
  const findings: Finding[] = [];
  const keyOf = (m: { method: string; config: unknown; metric: string }) =>
    canonicalJson([m.method, m.config, m.metric]);
  const now = new Map(current.map((m) => [keyOf(m), m]));
  const before = new Map(baseline.metrics.map((m) => [keyOf(m), m]));
  for (const b of baseline.metrics) {
    const spec = exp.metrics[b.metric];
    const timing = spec ? spec.timing : b.metric === "time_ms";
    const where = `${b.method} ${canonicalJson(b.config)} ${b.metric}`;
    const c = now.get(keyOf(b));
    if (!c) {
      findings.push({ level: "regression", message: `${where}: missing now (baseline ${fmt(b.mean)})` });
      continue;
    }
    if (timing) {
      // Wall clock varies between machines and loads: only a change by more than 2× is worth a line.
      const ratio = c.mean / b.mean;
      if (ratio > 2 || ratio < 0.5) {
        findings.push({
          level: "info",
          message: `${where}: ${fmt(c.mean)} vs baseline ${fmt(b.mean)} (${ratio.toFixed(2)}×)`,
        });
      }
      continue;
    }
    const condOf = (metric: string) => before.get(keyOf({ ...b, metric }))?.mean;
    const { allowed, why } = allowedDrift(spec, b, condOf);
    const drift = Math.abs(c.mean - b.mean);
    if (!(drift <= allowed)) {
      findings.push({
        level: "regression",
        message: `${where}: ${fmt(c.mean)} vs baseline ${fmt(b.mean)} (drift ${fmt(drift)} > allowed ${
          fmt(allowed)
        }; ${why})`,
      });
    }
  }
  for (const c of current) {
    if (!before.has(keyOf(c))) {
      findings.push({ level: "info", message: `${c.method} ${c.metric}: new, not in baseline` });
    }
  }
  for (const c of claims) {
    const b = baseline.claims[c.id];
    if (!b) {
      findings.push({ level: "info", message: `claim ${c.id} is new: ${c.pass ? "holds" : "fails"}` });
      continue;
    }
    if (!c.graded || !b.graded || b.pass === c.pass) continue;
    const flip = b.pass ? "no longer holds" : "now holds";
    findings.push({
      level: c.timing ? "warning" : "regression",
      message: `claim ${c.id} ${flip}: ${c.measured} (baseline: ${b.measured})${
        b.pass ? "" : "; if this is a fix, update the baseline"
      }`,
    });
  }
  return findings;
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(6) : x.toExponential(4);
}

export function readBaseline(id: string): Baseline | null {
  try {
    return JSON.parse(Deno.readTextFileSync(new URL(`${id}.json`, BASELINE_DIR)));
  } catch {
    return null;
  }
}

/** Run the check for `ids`; returns the process exit code (0 = no regression). */
export async function runCheck(
  ids: string[],
  opts: { update: boolean; db?: string; history?: string | URL | false },
): Promise<number> {
  const machine = await probeMachine();
  const record = machineRecord(machine);
  const commit = await gitCommit();
  const dbPath = opts.db ?? `.cache/check-${Deno.pid}.duckdb`;
  const store = await Store.open(dbPath, { externalAccess: false });
  let regressions = 0;
  console.log(`check: ${record.linalg} environment (${record.library}; OPENBLAS_CORETYPE ${record.openblas_coretype})`);
  try {
    for (const id of ids) {
      let exp;
      try {
        exp = await loadExperiment(id);
      } catch (e) {
        // A module that does not load is this experiment's regression; the others are still checked.
        console.log(`\n== ${id}\nREGRESSION ${(e as Error).message}\n${id}: 1 regression(s)`);
        regressions++;
        continue;
      }
      const s = await sweep(exp, {
        scale: SCALE,
        store,
        machine,
        gitCommit: commit,
        timeLimitMs: 600_000,
        fresh: true,
        quiet: true,
      });
      const claims = evaluateClaims(exp, s.results, { scale: SCALE });
      const current = summarize(s.results);
      const backends = Object.fromEntries(s.records.map((r) => [r.method, `${r.backend} (${r.device})`]));
      console.log(
        `\n== ${id} (smoke: ${s.runs.length} runs in ${
          fmtDuration(s.summary.wallMs)
        }; ${s.summary.failed} failed, ${s.summary.timeout} timed out)`,
      );
      console.log(formatClaims(claims));
      const findings: Finding[] = s.records.filter((r) => r.status === "failed" || r.status === "timeout").map((r) => ({
        level: "regression" as const,
        message: `run ${r.method} seed ${r.seed} ${canonicalJson(r.config)} ${r.status}: ${r.error}`,
      }));
      if (opts.history !== false) {
        // The history store (results/history/checks.jsonl): one line per experiment checked. Never fails the check.
        try {
          const entry: CheckHistoryEntry = {
            date: new Date().toISOString(),
            git_commit: commit,
            machine: record,
            experiment: id,
            scale: SCALE,
            update: opts.update,
            failed: s.summary.failed + s.summary.timeout,
            metrics: current.map((m) => ({
              method: m.method,
              config: m.config,
              metric: m.metric,
              mean: m.mean,
              n: m.runs,
            })),
            claims: claims.map((c) => ({ id: c.id, kind: c.kind, pass: c.pass, graded: c.graded, timing: c.timing })),
          };
          appendCheckHistory([entry], opts.history ?? CHECK_HISTORY);
        } catch (e) {
          console.warn(`warning: check history not recorded: ${(e as Error).message}`);
        }
      }
      const baseline = readBaseline(id);
      if (opts.update) {
        const entry: EnvironmentBaseline = {
          created: new Date().toISOString(),
          git_commit: commit,
          machine: record,
          backends,
          metrics: current,
          claims: Object.fromEntries(
            claims.map((c) => [c.id, { pass: c.pass, measured: c.measured, graded: c.graded }]),
          ),
        };
        const next: Baseline = {
          experiment: id,
          scale: SCALE,
          environments: { ...(baseline?.environments ?? {}), [record.linalg]: entry },
        };
        Deno.mkdirSync(BASELINE_DIR, { recursive: true });
        Deno.writeTextFileSync(new URL(`${id}.json`, BASELINE_DIR), JSON.stringify(next, null, 1) + "\n");
        console.log(`baseline written: results/baselines/${id}.json (${record.linalg} environment)`);
      } else {
        const entry = baseline?.environments?.[record.linalg];
        if (!entry) {
          const hint = record.linalg === "js" ? "REPRO_OPENBLAS_PATH=/nonexistent " : "";
          findings.push({
            level: "regression",
            message:
              `no ${record.linalg} baseline in results/baselines/${id}.json: run \`${hint}deno task check ${id} --update\` and commit it`,
          });
        } else findings.push(...compare(exp, entry, current, claims));
      }
      for (const f of findings) console.log(`${f.level.toUpperCase().padEnd(10)} ${f.message}`);
      const n = findings.filter((f) => f.level === "regression").length;
      console.log(n ? `${id}: ${n} regression(s)` : `${id}: no regression`);
      regressions += n;
    }
  } finally {
    store.close();
    if (!opts.db) {
      for (const f of [dbPath, `${dbPath}.wal`]) {
        try {
          Deno.removeSync(f);
        } catch { /* already gone */ }
      }
    }
  }
  console.log(`\ncheck: ${ids.length} experiments, ${regressions} regression(s)`);
  return regressions ? 1 : 0;
}

export async function cmdCheck(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, { update: { type: "boolean" }, db: { type: "string" } });
  return await runCheck(positionals.length ? positionals : experimentIds(), {
    update: v.update ?? false,
    db: v.db,
  });
}

/**
 * One sweep: plan an experiment's runs at a scale, execute them into a store (resuming what is done), and read
 * back strict results with the planned runs, so claims see failures. `run`, `check`, `verify` and the benches
 * all go through here.
 */
import type { AnyExperiment } from "../experiment.ts";
import { configPoints, getScale } from "./config.ts";
import { codeVersion, planRuns, type RunSpec, shardRuns } from "./plan.ts";
import type { BackendRequest, MachineBackends } from "./backend.ts";
import { executeRuns, type ExecuteSummary } from "./execute.ts";
import type { RunRecord, Store } from "./store.ts";
import { ResultSet } from "../claims/results.ts";

/**
 * What a sweep needs: the scale, store and machine, with optional seeds, points, methods, backends, shard and limits.
 */
export interface SweepOptions {
  scale: string;
  store: Store;
  machine: MachineBackends;
  gitCommit: string;
  /** Seeds to run (default: the scale's `seeds` count, from 0). */
  seeds?: number[];
  /** Config points (default: the scale's grid); `run --set` passes its own. */
  points?: Record<string, unknown>[];
  methods?: string[];
  backends?: BackendRequest[];
  shard?: { k: number; n: number };
  timeLimitMs?: number;
  /** Per-run memory limit in MB (default 8192). */
  memoryLimitMb?: number;
  fresh?: boolean;
  quiet?: boolean;
  /** Called once the plan is known, before anything runs (e.g. to print its size). */
  onPlan?: (runs: RunSpec[]) => void;
}

/** What a sweep returns: its plan, the execution summary, the records and the strict results that claims read. */
export interface SweepResult {
  runs: RunSpec[];
  summary: ExecuteSummary;
  /** The store's records of the planned runs (status, backend, device, error). */
  records: RunRecord[];
  /** Strict results: every query knows which runs were planned and which did not finish. */
  results: ResultSet;
  codeVersion: string;
}

/** Plan, execute and read back one experiment at one scale. */
export async function sweep(exp: AnyExperiment, o: SweepOptions): Promise<SweepResult> {
  const version = codeVersion(exp.id);
  const seeds = o.seeds ?? Array.from({ length: getScale(exp, o.scale).seeds }, (_, i) => i);
  let runs = planRuns(exp, {
    scale: o.scale,
    points: o.points ?? configPoints(exp, o.scale),
    seeds,
    methods: o.methods,
    codeVersion: version,
    backends: o.backends,
    machine: o.machine,
  });
  if (o.shard) runs = shardRuns(runs, o.shard);
  o.onPlan?.(runs);
  const summary = await executeRuns(exp, {
    store: o.store,
    runs,
    machine: o.machine,
    codeVersion: version,
    gitCommit: o.gitCommit,
    timeLimitMs: o.timeLimitMs ?? 1_800_000,
    memoryLimitMb: o.memoryLimitMb,
    fresh: o.fresh,
    quiet: o.quiet,
  });
  const ids = runs.map((r) => r.runId);
  const records = await o.store.runs(exp.id, ids);
  const results = await readResults(o.store, exp.id, ids, records);
  // A planned run with no record (an interrupted sweep) is not finished: strict claims must see it.
  const seen = new Set(records.map((r) => r.run_id));
  for (const r of runs) {
    if (seen.has(r.runId) || r.skip) continue;
    results.runs!.push({ ...r, run_id: r.runId, status: "failed", error: "did not run (interrupted sweep?)" });
  }
  return { runs, summary, records, results, codeVersion: version };
}

/** Strict results of `runIds` (planned runs missing from the store count as not finished). */
export async function readResults(
  store: Store,
  experiment: string,
  runIds: string[],
  records?: RunRecord[],
): Promise<ResultSet> {
  const recs = records ?? await store.runs(experiment, runIds);
  return new ResultSet(
    await store.metricRows(experiment, runIds),
    recs.map((r) => ({
      run_id: r.run_id,
      method: r.method,
      backend: r.backend,
      seed: r.seed,
      config: r.config,
      status: r.status,
      error: r.error,
    })),
  );
}

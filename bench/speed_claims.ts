/**
 * The papers' speed claims in one table: every experiment with a timing claim is run at smoke scale on each
 * backend it supports here, and each timing claim is evaluated on that backend's runs alone. Ratios come from
 * one run on one machine (method and baseline on the same inputs, after warm-up, median of repeats).
 *
 *   deno task bench --claims          (or run this file directly)
 */
import type { Backend } from "../lib/experiment.ts";
import { experimentIds, loadExperiment } from "../lib/run/registry.ts";
import { configPoints, getScale } from "../lib/run/config.ts";
import { codeVersion, planRuns } from "../lib/run/plan.ts";
import { probeMachine } from "../lib/run/backend.ts";
import { executeRuns } from "../lib/run/execute.ts";
import { Store } from "../lib/run/store.ts";
import { readResults } from "../lib/run/sweep.ts";
import { evaluateClaims } from "../lib/claims/mod.ts";

export interface SpeedClaimRow {
  experiment: string;
  claim: string;
  backend: string;
  device: string;
  measured: string;
  holds: boolean;
}

/** Backends worth timing on a CPU machine: the native and js hosts, jax-js wasm, and WebGPU when present. */
const BACKENDS: Backend[] = ["native", "wasm", "webgpu"];

export async function benchSpeedClaims(ids = experimentIds()): Promise<SpeedClaimRow[]> {
  const machine = await probeMachine();
  const store = await Store.open(":memory:");
  const rows: SpeedClaimRow[] = [];
  try {
    for (const id of ids) {
      const exp = await loadExperiment(id);
      const timingClaims = exp.claims.filter((c) => c.timing);
      if (!timingClaims.length) continue;
      const version = codeVersion(id);
      const plan = (backends: ("auto" | Backend)[]) =>
        planRuns(exp, {
          scale: "smoke",
          points: configPoints(exp, "smoke"),
          seeds: Array.from({ length: getScale(exp, "smoke").seeds }, (_, i) => i),
          codeVersion: version,
          backends,
          machine,
        });
      const run = (runs: ReturnType<typeof plan>) =>
        executeRuns(exp, {
          store,
          runs,
          machine,
          codeVersion: version,
          gitCommit: "bench",
          timeLimitMs: 600_000,
          quiet: true,
        });
      // A method that cannot run on a backend (e.g. a LAPACK baseline on WebGPU) is compared on its fastest one.
      const fastest = plan(["auto"]);
      await run(fastest);
      for (const backend of BACKENDS) {
        const runs = plan([backend]);
        if (runs.every((r) => r.skip)) continue;
        await run(runs);
        const own = runs.filter((r) => !r.skip);
        const stand = fastest.filter((f) => runs.some((r) => r.skip && r.method === f.method && r.seed === f.seed));
        const ids = [...own, ...stand].map((r) => r.runId);
        const records = await store.runs(id, own.map((r) => r.runId));
        const device = records.find((r) => r.status === "ok")?.device ?? "";
        const results = await readResults(store, id, ids);
        const baselines = [...new Set(stand.map((r) => `${r.method} on ${r.backend}`))];
        for (const c of evaluateClaims({ ...exp, claims: timingClaims }, results)) {
          rows.push({
            experiment: id,
            claim: c.id,
            backend,
            device: baselines.length ? `${device}; ${baselines.join(", ")}` : device,
            measured: c.measured,
            holds: c.pass,
          });
        }
      }
    }
  } finally {
    store.close();
  }
  return rows;
}

export function printSpeedClaims(rows: SpeedClaimRow[]): void {
  console.log("\n## Speed claims at smoke scale, per backend (one machine, one run; smoke sizes are small)\n");
  console.log("| experiment | claim | backend | holds | measured | device; baselines run elsewhere |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) {
    const cells = [r.experiment, r.claim, r.backend, r.holds ? "yes" : "no", r.measured, r.device];
    console.log(`| ${cells.map((c) => c.replaceAll("|", "/")).join(" | ")} |`);
  }
}

if (import.meta.main) {
  printSpeedClaims(await benchSpeedClaims(Deno.args.length ? Deno.args : undefined));
  Deno.exit(0);
}

/** `deno task verify`: the paper scale, whose claims become results/verdicts/<id>.json (the evidence for a status). */
import { UserError } from "../lib/run/errors.ts";
import { experimentIds, loadExperiment } from "../lib/run/registry.ts";
import { getScale } from "../lib/run/config.ts";
import { parseSeeds } from "../lib/run/plan.ts";
import { probeMachine } from "../lib/run/backend.ts";
import { gitCommit, machineRecord } from "../lib/run/versions.ts";
import { evaluateClaims, formatClaims, splitByBackend } from "../lib/claims/mod.ts";
import { sweep } from "../lib/run/sweep.ts";
import { loadAverage, statusOf, writeVerdict } from "../lib/claims/verdicts.ts";
import { openStore, parse, parseMemoryLimit } from "./cli.ts";
export async function cmdVerify(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    seeds: { type: "string" },
    db: { type: "string" },
    "time-limit": { type: "string" },
    "memory-limit": { type: "string" },
    quiet: { type: "boolean" },
  });
  if (!positionals.length) throw new UserError(`which experiment? Known: ${experimentIds().join(", ")}`);
  const machine = await probeMachine();
  const commit = await gitCommit();
  let bad = 0;
  for (const id of positionals) {
    const exp = await loadExperiment(id);
    const seeds = parseSeeds({ seeds: v.seeds, fallback: getScale(exp, "paper").seeds });
    const dbPath = v.db ?? `results/paper/${id}.duckdb`;
    Deno.mkdirSync("results/paper", { recursive: true });
    const store = await openStore(dbPath, { externalAccess: false });
    try {
      const t0 = performance.now(), load0 = loadAverage();
      const s = await sweep(exp, {
        scale: "paper",
        store,
        machine,
        gitCommit: commit,
        seeds,
        timeLimitMs: 1000 * Number(v["time-limit"] ?? 1800),
        memoryLimitMb: parseMemoryLimit(v["memory-limit"]),
        quiet: v.quiet,
      });
      if (s.summary.interrupted) return 130;
      const sets = splitByBackend(s.results).map((set) => ({
        label: set.label,
        claims: evaluateClaims(exp, set.results, { scale: "paper" }),
      }));
      const { status, reason } = statusOf(sets, seeds.length);
      const count = (st: string) => s.records.filter((r) => r.status === st).length;
      const path = writeVerdict({
        experiment: id,
        scale: "paper",
        seeds,
        created: new Date().toISOString(),
        git_commit: commit,
        code_version: s.codeVersion,
        machine: machineRecord(machine),
        backends: Object.fromEntries(
          s.records.filter((r) => r.status === "ok").map((r) => [r.method, `${r.backend} (${r.device})`]),
        ),
        runs: {
          planned: s.runs.length,
          ok: count("ok"),
          failed: count("failed"),
          timeout: count("timeout"),
          skipped: count("skipped"),
        },
        wall_s: Math.round((performance.now() - t0) / 1000),
        load_avg: [load0, loadAverage()],
        sets,
        status,
        reason,
      });
      for (const set of sets) {
        if (sets.length > 1) console.log(`\n[${set.label}]`);
        console.log(formatClaims(set.claims));
      }
      console.log(
        `${id}: ${status} — ${reason} → ${path} (runs in ${dbPath}; \`deno task catalog\` updates the status)`,
      );
      bad += s.summary.failed + s.summary.timeout;
    } finally {
      store.close();
    }
  }
  return bad ? 1 : 0;
}

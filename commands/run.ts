/** `deno task run`: sweep experiments at a scale and print their claims; `--list` shows the catalog. */
import { UserError } from "../lib/run/errors.ts";
import { experimentIds, loadExperiment } from "../lib/run/registry.ts";
import { configPoints, getScale, parseSets } from "../lib/run/config.ts";
import { parseSeeds, parseShard } from "../lib/run/plan.ts";
import { parseBackend, probeMachine } from "../lib/run/backend.ts";
import { gitCommit } from "../lib/run/versions.ts";
import { fmtDuration } from "../lib/run/progress.ts";
import { evaluateClaims, formatClaims, splitByBackend } from "../lib/claims/mod.ts";
import { loadCatalog, statusKind } from "./catalog.ts";
import { sweep } from "../lib/run/sweep.ts";
import { DEFAULT_DB, openStore, parse, parseMemoryLimit } from "./cli.ts";
export async function cmdRun(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    scale: { type: "string" },
    seeds: { type: "string" },
    "seed-list": { type: "string" },
    set: { type: "string", multiple: true },
    methods: { type: "string" },
    backend: { type: "string" },
    fresh: { type: "boolean" },
    shard: { type: "string" },
    db: { type: "string" },
    "time-limit": { type: "string" },
    "memory-limit": { type: "string" },
    list: { type: "boolean" },
    status: { type: "string" },
    family: { type: "string" },
    quiet: { type: "boolean" },
  });
  if (v.list) return listExperiments(v.status, v.family);
  if (!positionals.length) throw new UserError(`which experiment? Known: ${experimentIds().join(", ")}`);
  const backends = (v.backend ?? "auto").split(",").map((b) => parseBackend(b.trim()));
  const shard = v.shard ? parseShard(v.shard) : undefined;
  const timeLimitMs = 1000 * Number(v["time-limit"] ?? 1800);
  const memoryLimitMb = parseMemoryLimit(v["memory-limit"]);
  if (!(timeLimitMs > 0)) throw new UserError(`--time-limit ${v["time-limit"]}: expected seconds > 0`);
  // Every id is checked (and its declaration validated) before anything is opened or run.
  const exps = new Map<string, Awaited<ReturnType<typeof loadExperiment>>>();
  for (const id of positionals) exps.set(id, await loadExperiment(id));
  parseSeeds({ seeds: v.seeds, seedList: v["seed-list"], fallback: 1 }); // a bad seed list fails before the store opens
  const machine = await probeMachine();
  if (backends.includes("auto")) console.error(describeAuto(machine));
  const store = await openStore(v.db ?? DEFAULT_DB, { externalAccess: false });
  const commit = await gitCommit();
  let bad = 0;
  try {
    for (const id of positionals) {
      const exp = exps.get(id)!;
      const scaleName = v.scale ?? "smoke";
      const scale = getScale(exp, scaleName);
      const points = configPoints(exp, scaleName, parseSets(v.set ?? []));
      const seeds = parseSeeds({ seeds: v.seeds, seedList: v["seed-list"], fallback: scale.seeds });
      const { summary: s, results } = await sweep(exp, {
        scale: scaleName,
        store,
        machine,
        gitCommit: commit,
        seeds,
        points,
        methods: v.methods?.split(",").map((m) => m.trim()),
        backends,
        shard,
        timeLimitMs,
        memoryLimitMb,
        fresh: v.fresh,
        quiet: v.quiet,
        onPlan: (runs) =>
          console.error(
            `${id}: scale ${scaleName}, ${points.length} config points × ${
              new Set(runs.map((r) => r.method)).size
            } methods × ${seeds.length} seeds = ${runs.length} runs${
              shard ? ` (shard ${shard.k}/${shard.n})` : ""
            } → ${store.path}`,
          ),
      });
      console.error(
        `${id}: ${s.ok} ok, ${s.failed} failed, ${s.timeout} timed out, ${s.skipped} skipped, ${s.resumed} resumed in ${
          fmtDuration(s.wallMs)
        }${s.interrupted ? " — interrupted; rerun the same command to resume" : ""}`,
      );
      if (s.interrupted) return 130;
      bad += s.failed + s.timeout;
      if (shard) continue;
      for (const set of splitByBackend(results)) {
        if (splitByBackend(results).length > 1) console.log(`\n[${set.label}]`);
        console.log(formatClaims(evaluateClaims(exp, set.results, { scale: scaleName })));
      }
    }
    const ids = positionals.join(" "), db = v.db ? ` --db ${v.db}` : "";
    console.error(
      `next: \`deno task report ${ids}${db}\` draws the figures and tables; ` +
        `\`deno task verify ${ids}\` runs the paper scale and records the verdict` +
        ((v.scale ?? "smoke") === "smoke" ? " (smoke claims are a pipeline check, not a verdict)" : ""),
    );
  } finally {
    store.close();
  }
  return bad ? 1 : 0;
}

function describeAuto(m: Awaited<ReturnType<typeof probeMachine>>): string {
  const native = m.native.available ? `native (${m.native.library})` : "native unavailable (pure-JS fallback)";
  const gpu = !m.webgpu.available
    ? "no WebGPU adapter"
    : m.webgpu.software
    ? `WebGPU adapter is software (${m.webgpu.description}): not preferred`
    : `WebGPU on ${m.webgpu.description}`;
  return `backend auto: ${native}; ${gpu}; jax-js wasm otherwise`;
}

/** The catalog as a compact list: ▶ marks ids that can run here; filter by status kind and family. */
function listExperiments(status?: string, family?: string): number {
  const have = new Set(experimentIds());
  const catalog = loadCatalog();
  const kind = (e: { id: string; status: string }) => (have.has(e.id) ? "built" : statusKind(e.status));
  const rows = catalog.filter((e) =>
    (!status || kind(e) === status.replace("-", " ") || statusKind(e.status) === status.replace("-", " ")) &&
    (!family || e.family.includes(family))
  );
  const w = Math.max(...rows.map((e) => e.id.length), 2);
  for (const e of rows) {
    const st = e.status.length > 70 ? `${e.status.slice(0, 69)}…` : e.status;
    console.log(`${have.has(e.id) ? "▶" : " "} ${e.id.padEnd(w)}  ${e.tier}  ${st}`);
  }
  console.log(`\n${rows.length} of ${catalog.length} papers; ▶ = can run (${have.size} built). Full table: README.md.`);
  const orphans = [...have].filter((id) => !catalog.some((e) => e.id === id));
  if (orphans.length) console.log(`experiment folders missing from the catalog: ${orphans.join(", ")}`);
  return 0;
}

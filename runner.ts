/**
 * repro's command line: `deno task run|report|check|merge|export|catalog`. See README.md.
 *
 * User errors (unknown experiment, bad --set, ...) print one sentence and exit 2, without a stack trace.
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UserError } from "./lib/errors.ts";
import { experimentIds, loadExperiment, unknownExperiment } from "./lib/registry.ts";
import { configPoints, getScale, parseSets } from "./lib/config.ts";
import { parseSeeds, parseShard } from "./lib/plan.ts";
import { parseBackend, probeMachine } from "./lib/backend.ts";
import type { Store } from "./lib/store.ts";
import { gitCommit, machineRecord } from "./lib/versions.ts";
import { fmtDuration } from "./lib/progress.ts";
import { evaluateClaims, formatClaims, splitByBackend } from "./lib/claims/mod.ts";
import { deriveStatuses, loadCatalog, renderStatusTable, statusKind, writeCatalog } from "./lib/catalog.ts";
import { sweep } from "./lib/sweep.ts";
import { loadAverage, statusOf, writeVerdict } from "./lib/verdicts.ts";

const DEFAULT_DB = "results/results.duckdb";

/** The store loads DuckDB's native addon: only commands that need it pay for it (and need --allow-ffi). */
async function openStore(path: string): Promise<Store> {
  return await (await import("./lib/store.ts")).Store.open(path);
}

const USAGE = `usage (every command takes --help):
  deno task run <experiment>... [--scale smoke|paper] [--seeds N | --seed-list 0,3,7] [--set key=value]...
                [--methods a,b] [--backend auto|native|js|wasm|webgpu|cpu[,...]] [--fresh] [--shard k/n]
                [--db path] [--time-limit seconds] [--quiet]
  deno task run --list [--status built|planned|out-of-scope|<kind>] [--family text]
  deno task report <experiment>... [--db path] [--out dir] [--scale name] [--code-version hash|latest]
  deno task check [<experiment>...] [--update]
  deno task verify <experiment>... [--seeds N] [--db path] [--time-limit seconds]
                (paper scale → results/verdicts/<id>.json, the evidence a paper's status comes from)
  deno task show <experiment> [--db path] [--scale name] [--where key=value]... [--metrics a,b] [--sort metric | --sort=-metric]
                [--limit N]      (runs × params × metrics)
  deno task compare <A> <B> [--all]
                (two .duckdb databases: paired per-config metric diff; two verdict files or folders: claim flips)
  deno task merge <out.duckdb> <shard.duckdb>...
  deno task export [<experiment>...] [--db path] [--format parquet|csv] [--out dir]
  deno task catalog            (rewrite README.md's status table from experiments/catalog.json)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return 0;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    const lines = USAGE.split("\n");
    const start = lines.findIndex((l) => l.startsWith(`  deno task ${command} `) || l === `  deno task ${command}`);
    if (start < 0) {
      console.error(USAGE);
      return 2;
    }
    const own = [lines[start]];
    for (let i = start + 1; i < lines.length && !lines[i].startsWith("  deno task "); i++) own.push(lines[i]);
    if (command === "run") own.push(lines.find((l) => l.startsWith("  deno task run --list"))!);
    console.log(`usage:\n${own.join("\n")}\n\nSee README.md for what each option does.`);
    return 0;
  }
  switch (command) {
    case "run":
      return await cmdRun(rest);
    case "report":
      return await cmdReport(rest);
    case "check":
      return await cmdCheck(rest);
    case "verify":
      return await cmdVerify(rest);
    case "merge":
      return await cmdMerge(rest);
    case "compare":
      return await cmdCompare(rest);
    case "show":
      return await cmdShow(rest);
    case "export":
      return await cmdExport(rest);
    case "catalog":
      return cmdCatalog();
    default:
      console.error(USAGE);
      return command ? 2 : 0;
  }
}

function parse<const O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${USAGE}`);
  }
}

async function cmdRun(args: string[]): Promise<number> {
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
  if (!(timeLimitMs > 0)) throw new UserError(`--time-limit ${v["time-limit"]}: expected seconds > 0`);
  // Every id is checked (and its declaration validated) before anything is opened or run.
  const exps = new Map<string, Awaited<ReturnType<typeof loadExperiment>>>();
  for (const id of positionals) exps.set(id, await loadExperiment(id));
  parseSeeds({ seeds: v.seeds, seedList: v["seed-list"], fallback: 1 }); // a bad seed list fails before the store opens
  const machine = await probeMachine();
  if (backends.includes("auto")) console.error(describeAuto(machine));
  const store = await openStore(v.db ?? DEFAULT_DB);
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

async function cmdReport(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    db: { type: "string" },
    out: { type: "string" },
    scale: { type: "string" },
    "code-version": { type: "string" },
  });
  const { writeReport } = await import("./lib/report/mod.ts");
  const { renderIndex } = await import("./lib/report/page.ts");
  const all = !positionals.length;
  const ids = all ? experimentIds() : positionals;
  const catalog = new Map(loadCatalog().map((e) => [e.id, e.status]));
  const index = [];
  const store = await openStore(v.db ?? DEFAULT_DB);
  try {
    for (const id of ids) {
      const exp = await loadExperiment(id);
      // One experiment with --out writes there; otherwise each gets its folder under --out (or results/reports).
      const dir = ids.length === 1 && v.out && !all ? v.out : `${v.out ?? "results/reports"}/${id}`;
      try {
        const r = await writeReport(exp, store, dir, { scale: v.scale, codeVersion: v["code-version"] });
        console.log(`${id}: ${r.files.length} files → ${dir}/index.html`);
        const paperClaims = r.claims.filter((c) => c.kind === "paper" && c.graded);
        const passed = paperClaims.filter((c) => c.pass).length;
        index.push({
          id,
          title: exp.paper.title,
          scale: r.scale,
          passed,
          total: paperClaims.length,
          status: catalog.get(id) ?? "",
        });
      } catch (e) {
        if (!(all && e instanceof UserError)) throw e;
        console.log(`${id}: skipped (${e.message})`);
      }
    }
  } finally {
    store.close();
  }
  if (all) {
    const root = v.out ?? "results/reports";
    Deno.writeTextFileSync(`${root}/index.html`, renderIndex(index));
    console.log(`index of ${index.length} reports → ${root}/index.html`);
  }
  return 0;
}

async function cmdCheck(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, { update: { type: "boolean" }, db: { type: "string" } });
  const { runCheck } = await import("./lib/check.ts");
  return await runCheck(positionals.length ? positionals : experimentIds(), {
    update: v.update ?? false,
    db: v.db,
  });
}

async function cmdVerify(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    seeds: { type: "string" },
    db: { type: "string" },
    "time-limit": { type: "string" },
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
    const store = await openStore(dbPath);
    try {
      const t0 = performance.now(), load0 = loadAverage();
      const s = await sweep(exp, {
        scale: "paper",
        store,
        machine,
        gitCommit: commit,
        seeds,
        timeLimitMs: 1000 * Number(v["time-limit"] ?? 1800),
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

async function cmdShow(args: string[]): Promise<number> {
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
  const { showTable, renderColumns } = await import("./lib/show.ts");
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

async function cmdCompare(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, { all: { type: "boolean" } });
  const [a, b] = positionals;
  if (!a || !b || positionals.length !== 2) throw new UserError(`compare needs two paths\n${USAGE}`);
  const { diffMetrics, diffVerdicts, readVerdicts } = await import("./lib/compare.ts");
  const fmt = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(4) : x.toExponential(2));
  if (a.endsWith(".duckdb") && b.endsWith(".duckdb")) {
    const [sa, sb] = [await openStore(a), await openStore(b)];
    try {
      const diffs = diffMetrics(await sa.allMetricRows(), await sb.allMetricRows());
      const shown = v.all ? diffs : diffs.filter((d) => d.significant);
      console.log(
        "| experiment | method | config | metric | A | B | B/A | seeds | beyond noise |\n|---|---|---|---|---|---|---|---|---|",
      );
      for (const d of shown) {
        const cfg = Object.entries(d.config).map(([k, x]) => `${k}=${x}`).join(" ");
        console.log(
          `| ${d.experiment} | ${d.method} | ${cfg.slice(0, 60)} | ${d.metric} | ${fmt(d.a)} | ${fmt(d.b)} | ${
            fmt(d.ratio)
          } | ${d.seeds} | ${d.significant ? "yes" : "no"} |`,
        );
      }
      console.log(
        `\n${diffs.filter((d) => d.significant).length} of ${diffs.length} metrics changed beyond seed noise` +
          (v.all ? "" : " (--all lists every metric)"),
      );
    } finally {
      sa.close();
      sb.close();
    }
    return 0;
  }
  let va, vb;
  try {
    [va, vb] = [readVerdicts(a), readVerdicts(b)];
  } catch (e) {
    throw new UserError(`compare: expected two .duckdb files or two verdict files/folders (${(e as Error).message})`);
  }
  const diffs = diffVerdicts(va, vb);
  const mark = (x?: { pass: boolean }) => (x ? (x.pass ? "holds" : "fails") : "–");
  console.log("| experiment | claim | kind | A | B | measured in B |\n|---|---|---|---|---|---|");
  for (const d of v.all ? diffs : diffs.filter((d) => d.flipped || !d.a || !d.b)) {
    console.log(
      `| ${d.experiment} | ${d.claim} | ${d.kind} | ${mark(d.a)} | ${mark(d.b)} | ${
        (d.b?.measured ?? "").slice(0, 100)
      } |`,
    );
  }
  console.log(`\n${diffs.filter((d) => d.flipped).length} of ${diffs.length} claims flipped`);
  return 0;
}

async function cmdMerge(args: string[]): Promise<number> {
  const [out, ...shards] = args;
  if (!out || !shards.length) throw new UserError(`merge needs an output and at least one shard\n${USAGE}`);
  const store = await openStore(out);
  try {
    for (const s of shards) {
      try {
        Deno.statSync(s);
      } catch {
        throw new UserError(`merge: no such database "${s}"`);
      }
      console.log(`${s}: ${await store.mergeFrom(s)} runs merged into ${out}`);
    }
  } finally {
    store.close();
  }
  return 0;
}

async function cmdExport(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    db: { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
  });
  const format = v.format ?? "parquet";
  if (format !== "parquet" && format !== "csv") throw new UserError(`--format ${format}: expected parquet or csv`);
  const ids = experimentIds();
  for (const id of positionals) if (!ids.includes(id)) throw new UserError(unknownExperiment(id, ids));
  const store = await openStore(v.db ?? DEFAULT_DB);
  try {
    const files = await store.export(v.out ?? "results/export", format, positionals.length ? positionals : undefined);
    for (const f of files) console.log(f);
  } finally {
    store.close();
  }
  return 0;
}

function cmdCatalog(): number {
  const changed = writeCatalog(deriveStatuses(loadCatalog()));
  if (changed.length) console.log(`catalog.json statuses derived from results/verdicts: ${changed.join(", ")}`);
  const path = new URL("./README.md", import.meta.url);
  const readme = Deno.readTextFileSync(path);
  const begin = "<!-- catalog:begin -->", end = "<!-- catalog:end -->";
  const i = readme.indexOf(begin), j = readme.indexOf(end);
  if (i < 0 || j < i) throw new UserError(`README.md needs the markers ${begin} and ${end}`);
  const table = renderStatusTable(loadCatalog());
  Deno.writeTextFileSync(path, `${readme.slice(0, i + begin.length)}\n${table}\n${readme.slice(j)}`);
  console.log("README.md status table updated from experiments/catalog.json");
  return 0;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    if (e instanceof UserError) {
      console.error(`error: ${e.message}`);
      code = 2;
    } else if (e instanceof Deno.errors.NotCapable) {
      // The tasks grant the fewest permissions that work: writes go under results/ and .cache/ only.
      console.error(`error: ${e.message.split(", run again")[0]}; the tasks write only under results/ and .cache/`);
      code = 2;
    } else throw e;
  }
  // jax-js's wasm worker pool keeps the process alive: exit explicitly.
  Deno.exit(code);
}

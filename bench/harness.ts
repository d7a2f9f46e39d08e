/**
 * Harness benchmarks: runner overhead per run, resume, store write throughput, input cache hit vs build,
 * and jax-js matmul throughput per backend. Prints numbers; asserts nothing.
 */
import { blockUntilReady, defaultDevice, init, numpy as np } from "@jax-js/jax";
import toy from "../lib/testdata/experiments/toy/mod.ts";
import { Store } from "../lib/run/store.ts";
import { configPoints, parseSets } from "../lib/run/config.ts";
import { planRuns } from "../lib/run/plan.ts";
import { executeRuns } from "../lib/run/execute.ts";
import { probeMachine } from "../lib/run/backend.ts";
import { cached } from "../lib/run/cache.ts";
import { median } from "../lib/math/stats.ts";

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export async function benchHarness(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const machine = await probeMachine();
  const moduleUrl = new URL("../lib/testdata/experiments/toy/mod.ts", import.meta.url).href;
  const points = configPoints(toy, "smoke", parseSets(["n=10"]));
  const plan = (from: number, count = 200) =>
    planRuns(toy, {
      scale: "smoke",
      points,
      seeds: Array.from({ length: count }, (_, i) => from + i),
      methods: ["mean"],
      codeVersion: "bench",
      backends: ["js"],
      machine,
    });
  const runs = plan(0);
  Deno.mkdirSync(".cache", { recursive: true });
  const dir = Deno.makeTempDirSync({ dir: ".cache", prefix: "bench-" });
  const store = await Store.open(`${dir}/bench.duckdb`);
  const opts = {
    store,
    runs,
    machine,
    codeVersion: "bench",
    gitCommit: "bench",
    timeLimitMs: 60_000,
    quiet: true,
    moduleUrl,
  };
  const one = await executeRuns(toy, { ...opts, runs: runs.slice(0, 1) });
  rows.push({
    name: "runner: start an isolated run process, load the module, 1 run",
    value: one.wallMs,
    unit: "ms",
  });
  // Per-run overhead: (a 1001-run sweep − a 1-run sweep) / 1000, for a ~0 ms method; both start a process.
  const big = await executeRuns(toy, { ...opts, runs: plan(10_000, 1001) });
  const small = await executeRuns(toy, { ...opts, runs: plan(20_000, 1) });
  rows.push({
    name: "runner: overhead per run (warm run process, method ~0 ms, journalled, batched commits)",
    value: (big.wallMs - small.wallMs) / 1000,
    unit: "ms/run",
  });
  const perRun = (s: { wallMs: number }) => (s.wallMs - one.wallMs) / (runs.length - 1);
  await executeRuns(toy, opts); // the 200 runs the --fresh rerun and the resume below reuse
  const oneByOne = await executeRuns(toy, { ...opts, runs: plan(1000), commit: { maxBatch: 1 } });
  rows.push({
    name: "runner: the same with one DuckDB commit per run (the old way)",
    value: perRun(oneByOne),
    unit: "ms/run",
  });
  const again = await executeRuns(toy, { ...opts, fresh: true });
  rows.push({ name: "runner: --fresh rerun of the 200 runs, per run", value: perRun(again), unit: "ms/run" });
  const resumed = await executeRuns(toy, opts);
  rows.push({
    name: "runner: resume of the finished sweep (200 runs skipped)",
    value: resumed.wallMs,
    unit: "ms",
    note: `${(again.wallMs / resumed.wallMs).toFixed(0)}× faster than recomputing`,
  });

  // Store throughput: 200 runs × 500 metric rows each.
  const metrics = Array.from({ length: 500 }, (_, i) => ({ name: "curve", step: i, value: Math.sin(i) }));
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) {
    await store.writeRun({
      run_id: `w${i}`,
      experiment: "bench",
      method: "m",
      seed: i,
      scale: "s",
      config: {},
      status: "ok",
      error: null,
      backend: "wasm",
      device: "",
      started_at: new Date(),
      duration_ms: 0,
      git_commit: "",
      code_version: "",
      versions: {},
    }, metrics);
  }
  const ms = performance.now() - t0;
  rows.push({
    name: "store: metric rows written per second (500-row runs, one transaction each)",
    value: (200 * 500) / (ms / 1000),
    unit: "rows/s",
  });
  rows.push({ name: "store: run commits per second", value: 200 / (ms / 1000), unit: "runs/s" });
  store.close();

  // Cache: a 10k×784 float32 input (the size of the MNIST images) built vs read back.
  Deno.env.set("REPRO_CACHE_DIR", `${dir}/cache`);
  const build = () => new Float32Array(10_000 * 784).map((_, i) => Math.sin(i));
  const tb = performance.now();
  await cached("bench", { v: 1 }, build);
  const buildMs = performance.now() - tb;
  const th = performance.now();
  await cached("bench", { v: 1 }, build);
  rows.push({ name: "cache: 31 MB input, build + store", value: buildMs, unit: "ms" });
  rows.push({ name: "cache: same input, hit (read + sha256 verify)", value: performance.now() - th, unit: "ms" });
  Deno.env.delete("REPRO_CACHE_DIR");
  Deno.removeSync(dir, { recursive: true });
  return rows;
}

/** jax-js matmul throughput (GFLOP/s) per backend and dtype. */
export async function benchJaxMatmul(sizes = [256, 512]): Promise<BenchRow[]> {
  const devices = await init();
  const machine = await probeMachine();
  const rows: BenchRow[] = [];
  for (const device of ["wasm", "webgpu", "cpu"] as const) {
    if (!devices.includes(device)) continue;
    defaultDevice(device);
    for (const dtype of device === "webgpu" ? [np.float32] : [np.float32, np.float64]) {
      for (const n of device === "cpu" ? [128] : sizes) {
        const a = np.ones([n, n], { dtype }), b = np.ones([n, n], { dtype });
        const times: number[] = [];
        for (let i = 0; i < 4; i++) {
          const t = performance.now();
          const c = np.matmul(a.ref, b.ref);
          await blockUntilReady(c);
          await c.data();
          if (i) times.push(performance.now() - t);
        }
        a.dispose();
        b.dispose();
        const t = median(times);
        const note = device === "webgpu" ? machine.webgpu.description : undefined;
        rows.push({
          name: `jax-js ${device} matmul ${dtype} n=${n}`,
          value: (2 * n ** 3) / (t / 1000) / 1e9,
          unit: "GFLOP/s",
          note,
        });
      }
    }
  }
  defaultDevice("wasm");
  return rows;
}

export function printRows(title: string, rows: BenchRow[]): void {
  console.log(`\n## ${title}\n`);
  for (const r of rows) {
    const v = r.value >= 100 ? r.value.toFixed(0) : r.value >= 1 ? r.value.toFixed(2) : r.value.toPrecision(3);
    console.log(`${r.name.padEnd(78)} ${v.padStart(10)} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
  }
}

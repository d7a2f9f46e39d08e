import { deepStrictEqual as assertEquals } from "node:assert";
import toy from "../testdata/experiments/toy/mod.ts";
import { Store } from "./store.ts";
import { configPoints } from "./config.ts";
import { planRuns, type RunSpec, shardRuns } from "./plan.ts";
import { type ExecuteOptions, executeRuns } from "./execute.ts";
import type { MachineBackends } from "./backend.ts";

const machine: MachineBackends = {
  native: { available: false, library: "" },
  webgpu: { available: false, software: false, description: "none" },
};
const moduleUrl = new URL("../testdata/experiments/toy/mod.ts", import.meta.url).href;
const plan = (methods: string[], scale = "smoke") =>
  planRuns(toy, { scale, points: configPoints(toy, scale), seeds: [0, 1], methods, codeVersion: "t", machine });
const exec = (store: Store, runs: RunSpec[], extra: Partial<ExecuteOptions> = {}) =>
  executeRuns(toy, {
    store,
    runs,
    machine,
    codeVersion: "t",
    gitCommit: "test",
    timeLimitMs: 20_000,
    quiet: true,
    moduleUrl,
    ...extra,
  });
/** Metric values by (run, metric, step), wall-clock time left out. */
const values = async (store: Store) =>
  (await store.metricRows("toy")).filter((r) => r.metric !== "time_ms").map((r) =>
    `${r.run_id}/${r.metric}/${r.step}=${r.value}`
  ).sort();

Deno.test("failing, NaN, hanging and skipped runs are recorded and the sweep goes on", async () => {
  const store = await Store.open(":memory:");
  const s = await exec(store, plan(["throws", "nan", "hangs", "small_only", "mean"]), { timeLimitMs: 1500 });
  assertEquals([s.ok, s.failed, s.timeout, s.skipped], [4 + 2, 4 + 4, 4, 2]);
  const runs = await store.runs("toy");
  const err = (m: string) => runs.find((r) => r.method === m && r.status !== "ok")!.error!;
  assertEquals(err("throws").includes("this method always fails"), true);
  assertEquals(err("nan").includes("abs_error is NaN"), true);
  assertEquals(err("hangs").includes("time limit"), true);
  assertEquals(err("small_only"), "only handles n ≤ 100");
  assertEquals(
    runs.filter((r) => r.status === "ok").every((r) => r.backend === "js" && r.git_commit === "test"),
    true,
  );
  store.close();
});

Deno.test("resume skips finished runs; --fresh recomputes them", async () => {
  const store = await Store.open(":memory:");
  const runs = plan(["mean", "iterative"]);
  const first = await exec(store, runs);
  assertEquals([first.ok, first.resumed], [8, 0]);
  const second = await exec(store, runs);
  assertEquals([second.ok, second.resumed], [0, 8]);
  const fresh = await exec(store, runs, { fresh: true });
  assertEquals([fresh.ok, fresh.resumed], [8, 0]);
  store.close();
});

Deno.test("same seed, same backend → identical metrics; observe() yields series", async () => {
  const a = await Store.open(":memory:"), b = await Store.open(":memory:");
  const runs = plan(["mean", "iterative"]);
  await exec(a, runs);
  await exec(b, runs);
  const va = await values(a);
  assertEquals(va, await values(b));
  assertEquals(va.some((v) => v.includes("/running/4=")), true);
  a.close();
  b.close();
});

Deno.test("shards run separately and merged equal one full run", async () => {
  const dir = Deno.makeTempDirSync();
  const runs = plan(["mean", "iterative"], "paper");
  const full = await Store.open(":memory:");
  await exec(full, runs);
  for (const k of [1, 2, 3]) {
    const shard = await Store.open(`${dir}/shard${k}.duckdb`);
    await exec(shard, shardRuns(runs, { k, n: 3 }));
    shard.close();
  }
  const merged = await Store.open(`${dir}/merged.duckdb`);
  for (const k of [1, 2, 3]) await merged.mergeFrom(`${dir}/shard${k}.duckdb`);
  assertEquals(await values(merged), await values(full));
  merged.close();
  full.close();
  Deno.removeSync(dir, { recursive: true });
});

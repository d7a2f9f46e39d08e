import { deepStrictEqual as assertEquals } from "node:assert";
import { type RunRecord, Store } from "./store.ts";

const run = (id: string, status: RunRecord["status"] = "ok"): RunRecord => ({
  run_id: id,
  experiment: "toy",
  method: "mean",
  seed: 0,
  scale: "smoke",
  config: { n: 1 },
  status,
  error: status === "ok" ? null : "boom",
  backend: "wasm",
  device: "cpu",
  started_at: new Date(0),
  duration_ms: 1,
  git_commit: "abc",
  code_version: "v",
  versions: { deno: "x" },
});

Deno.test("a written run reads back with its metrics; rewriting replaces it", async () => {
  const store = await Store.open(":memory:");
  await store.writeRun(run("a"), [{ name: "err", step: null, value: 0.5 }, { name: "curve", step: 0, value: 1 }]);
  await store.writeRun(run("b", "failed"), []);
  assertEquals(await store.finishedRunIds("toy"), new Set(["a"]));
  assertEquals((await store.metricRows("toy")).map((r) => [r.metric, r.step, r.value]), [["curve", 0, 1], [
    "err",
    null,
    0.5,
  ]]);
  await store.writeRun(run("a"), [{ name: "err", step: null, value: 0.25 }]);
  assertEquals((await store.metricRows("toy")).map((r) => r.value), [0.25]);
  const [a] = await store.runs("toy", ["a"]);
  assertEquals([a.config, a.versions, a.status], [{ n: 1 }, { deno: "x" }, "ok"]);
  store.close();
});

Deno.test("a database persists, reopens, exports Parquet and CSV, and merges", async () => {
  const dir = Deno.makeTempDirSync();
  const s1 = await Store.open(`${dir}/one.duckdb`);
  await s1.writeRun(run("a"), [{ name: "err", step: null, value: 1 }]);
  s1.close();
  const s2 = await Store.open(`${dir}/two.duckdb`);
  await s2.writeRun(run("b"), [{ name: "err", step: null, value: 2 }]);
  const files = await s2.export(`${dir}/out`, "parquet");
  assertEquals(files.map((f) => Deno.statSync(f).size > 0), [true, true]);
  await s2.export(`${dir}/csv`, "csv");
  assertEquals(Deno.readTextFileSync(`${dir}/csv/metrics.csv`).trim().split("\n").length, 2);
  assertEquals(await s2.mergeFrom(`${dir}/one.duckdb`), 1);
  assertEquals(await s2.mergeFrom(`${dir}/one.duckdb`), 1); // idempotent: replaced, not duplicated
  assertEquals((await s2.metricRows("toy")).map((r) => r.value).sort(), [1, 2]);
  s2.close();
  const again = await Store.open(`${dir}/one.duckdb`);
  assertEquals(await again.finishedRunIds("toy"), new Set(["a"]));
  again.close();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("store: with external access off, SQL cannot write files or turn it back on", async () => {
  const store = await Store.open(":memory:", { externalAccess: false });
  // deno-lint-ignore no-explicit-any
  const db = (store as any).db;
  const refused = async (sql: string) => {
    try {
      await db.run(sql);
      return false;
    } catch {
      return true;
    }
  };
  assertEquals(await refused("COPY (SELECT 1) TO '/tmp/repro-duckdb-escape.csv'"), true);
  assertEquals(await refused("ATTACH '/tmp/repro-duckdb-escape.duckdb' AS x"), true);
  assertEquals(await refused("SET enable_external_access = true"), true);
  store.close();
});

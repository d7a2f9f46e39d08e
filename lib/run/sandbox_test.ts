/**
 * The sandbox: `deno task run` on a hostile module (lib/testdata/experiments/hostile) under the run task's own
 * permissions, read from deno.json. Every escape it tries, at import in the runner and inside its run process,
 * must be refused, and none may leave a file behind.
 */
import { deepStrictEqual as assertEquals } from "node:assert";
import { Store } from "./store.ts";
import { ROOT, taskPermissions } from "../testdata/tasks.ts";

const MARKER = "/tmp/repro-hostile-escaped";

function leftovers(): string[] {
  return [...Deno.readDirSync("/tmp")].map((e) => `/tmp/${e.name}`).filter((p) => p.startsWith(MARKER));
}

Deno.test("sandbox: a hostile module's escapes are refused, at import and in its run process", async () => {
  for (const p of leftovers()) Deno.removeSync(p);
  const db = `${ROOT}.cache/sandbox-test.duckdb`;
  try {
    Deno.removeSync(db);
  } catch { /* first run */ }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskPermissions("run"), "runner.ts", "run", "hostile", "--db", ".cache/sandbox-test.duckdb"],
    cwd: ROOT,
    env: { REPRO_EXPERIMENTS_DIR: `${ROOT}lib/testdata/experiments` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  const atImport = JSON.parse(err.match(/hostile at import: (\{.*\})/)?.[1] ?? "null");
  assertEquals(atImport !== null, true, err);
  const escapedAtImport = Object.entries(atImport).filter(([, v]) => v !== 0).map(([k]) => k);
  assertEquals(escapedAtImport, [], `escaped in the runner: ${escapedAtImport.join(", ")}`);

  const store = await Store.open(db);
  const rows = await store.metricRows("hostile");
  const runs = await store.runs("hostile");
  store.close();
  Deno.removeSync(db);
  assertEquals(runs.map((r) => r.status), ["ok"], JSON.stringify(runs.map((r) => r.error)));
  const tried = rows.filter((r) => r.metric.startsWith("escaped_"));
  assertEquals(tried.length, Object.keys(atImport).length);
  const escapedInRun = tried.filter((r) => r.value !== 0).map((r) => r.metric);
  assertEquals(escapedInRun, [], `escaped in the run process: ${escapedInRun.join(", ")}`);
  assertEquals(leftovers(), []);
});

import { deepStrictEqual as assertEquals } from "node:assert";
import { Store } from "./store.ts";
import { journalPath, readJournal, replayJournal, RunWriter } from "./journal.ts";
import { scratchDir } from "../testdata/tasks.ts";

const run = (id: string) => ({
  run_id: id,
  experiment: "j",
  method: "m",
  seed: 0,
  scale: "smoke",
  config: { n: 1 },
  status: "ok" as const,
  error: null,
  backend: "js",
  device: "",
  started_at: new Date("2026-01-01T00:00:00Z"),
  duration_ms: 1,
  git_commit: "g",
  code_version: "c",
  versions: {},
});

Deno.test("journal: runs journalled but never committed (a killed sweep) are replayed; a torn line is skipped", async () => {
  const dir = scratchDir();
  const db = `${dir}/j.duckdb`;
  const store = await Store.open(db);
  const writer = new RunWriter(store, { maxBatch: 1000, maxDelayMs: 1e9 });
  for (const id of ["a", "b", "c"]) await writer.add(run(id), [{ name: "x", step: null, value: 1 }]);
  // The process dies here: nothing committed, three lines journalled, and a half-written fourth.
  Deno.writeTextFileSync(journalPath(db)!, '{"run":{"run_id":"d"', { append: true });
  assertEquals((await store.runs("j")).length, 0);
  assertEquals(readJournal(journalPath(db)!).map((e) => e.run.run_id), ["a", "b", "c"]);
  assertEquals(await replayJournal(store), 3);
  assertEquals((await store.runs("j")).map((r) => r.run_id).sort(), ["a", "b", "c"]);
  assertEquals((await store.metricRows("j")).length, 3);
  store.close();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("journal: a batch commits together and empties the journal; close removes it", async () => {
  const dir = scratchDir();
  const db = `${dir}/j.duckdb`;
  const store = await Store.open(db);
  const writer = new RunWriter(store, { maxBatch: 2, maxDelayMs: 1e9 });
  await writer.add(run("a"), []);
  assertEquals((await store.runs("j")).length, 0);
  await writer.add(run("b"), []);
  assertEquals([(await store.runs("j")).length, readJournal(journalPath(db)!).length], [2, 0]);
  await writer.add(run("a"), []); // a rerun replaces the earlier record
  await writer.close();
  assertEquals((await store.runs("j")).length, 2);
  assertEquals(readJournal(journalPath(db)!).length, 0);
  store.close();
  Deno.removeSync(dir, { recursive: true });
});

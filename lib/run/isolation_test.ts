/**
 * Isolation: a run that runs out of memory, exits, crashes in native code or hangs with OpenBLAS threads busy is
 * recorded with its cause, its process (threads and all) is gone, and the sweep goes on.
 */
import { deepStrictEqual as assertEquals } from "node:assert";
import faults from "../testdata/experiments/faults/mod.ts";
import { Store } from "./store.ts";
import { configPoints } from "./config.ts";
import { planRuns } from "./plan.ts";
import { executeRuns } from "./execute.ts";
import { probeMachine } from "./backend.ts";

const moduleUrl = new URL("../testdata/experiments/faults/mod.ts", import.meta.url).href;

async function sweepFaults(methods: string[], extra: { timeLimitMs?: number; memoryLimitMb?: number } = {}) {
  const machine = await probeMachine();
  const runs = planRuns(faults, {
    scale: "smoke",
    points: configPoints(faults, "smoke"),
    seeds: [0],
    methods,
    codeVersion: "t",
    machine,
  }).map((r) => ({ ...r, backend: "native" as const }));
  const store = await Store.open(":memory:");
  const s = await executeRuns(faults, {
    store,
    runs,
    machine,
    codeVersion: "t",
    gitCommit: "test",
    timeLimitMs: extra.timeLimitMs ?? 60_000,
    memoryLimitMb: extra.memoryLimitMb,
    quiet: true,
    moduleUrl,
  });
  const records = await store.runs("faults");
  store.close();
  return { s, error: (m: string) => records.find((r) => r.method === m)?.error ?? "", records };
}

Deno.test("a run that exits, or runs out of memory, is recorded with its cause; the next run still runs", async () => {
  const { s, error } = await sweepFaults(["exits", "oom", "ok"], { memoryLimitMb: 256 });
  assertEquals([s.ok, s.failed], [1, 2]);
  assertEquals(error("exits").startsWith("exited with code 3"), true, error("exits"));
  assertEquals(error("oom").startsWith("ran out of memory (limit 0.25 GB"), true, error("oom"));
});

const native = (await probeMachine()).native.available;

Deno.test({
  name: "a native crash (SIGSEGV in OpenBLAS) is recorded as a crash; the sweep goes on",
  ignore: !native,
  fn: async () => {
    const { s, error } = await sweepFaults(["segfault", "ok"]);
    assertEquals([s.ok, s.failed], [1, 1]);
    assertEquals(error("segfault").startsWith("crashed (SIGSEGV)"), true, error("segfault"));
  },
});

Deno.test({
  name: "a run past its time limit with OpenBLAS threads busy is killed, threads and all",
  ignore: !native,
  fn: async () => {
    const t0 = performance.now();
    const { s, error } = await sweepFaults(["native_hang", "ok"], { timeLimitMs: 3000 });
    assertEquals([s.ok, s.timeout], [1, 1]);
    assertEquals(error("native_hang").includes("time limit of 3.0s"), true, error("native_hang"));
    // executeRuns awaits the killed process's exit before going on: no thread of it can outlive the sweep.
    assertEquals(performance.now() - t0 < 30_000, true);
  },
});

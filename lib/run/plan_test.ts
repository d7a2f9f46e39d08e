import {
  deepStrictEqual as assertEquals,
  notDeepStrictEqual as assertNotEquals,
  throws as assertThrows,
} from "node:assert";
import toy from "../testdata/experiments/toy/mod.ts";
import { configPoints } from "./config.ts";
import { parseSeeds, parseShard, planRuns, runKey, shardRuns } from "./plan.ts";
import { UserError } from "./errors.ts";

const machine = {
  native: { available: false, library: "" },
  webgpu: { available: false, software: false, description: "none" },
};

const plan = (codeVersion = "v1") =>
  planRuns(toy, {
    scale: "paper",
    points: configPoints(toy, "paper"),
    seeds: [0, 1, 2],
    methods: ["mean", "iterative"],
    codeVersion,
    machine,
  });

Deno.test("run keys are stable and depend on every ingredient", () => {
  const a = runKey("toy", "mean", { n: 1, scale: 1 }, 0, "v1", "wasm");
  assertEquals(a, runKey("toy", "mean", { scale: 1, n: 1 }, 0, "v1", "wasm")); // key order does not matter
  for (
    const b of [
      runKey("toy2", "mean", { n: 1, scale: 1 }, 0, "v1", "wasm"),
      runKey("toy", "iterative", { n: 1, scale: 1 }, 0, "v1", "wasm"),
      runKey("toy", "mean", { n: 2, scale: 1 }, 0, "v1", "wasm"),
      runKey("toy", "mean", { n: 1, scale: 1 }, 1, "v1", "wasm"),
      runKey("toy", "mean", { n: 1, scale: 1 }, 0, "v2", "wasm"),
    ]
  ) assertNotEquals(a, b);
  assertEquals(new Set(plan().map((r) => r.runId)).size, 4 * 3 * 2);
});

Deno.test("shards are disjoint, cover the plan, and balance to one run", () => {
  const runs = plan();
  const shards = [1, 2, 3, 4, 5].map((k) => shardRuns(runs, { k, n: 5 }));
  const ids = shards.flat().map((r) => r.runId);
  assertEquals(ids.length, runs.length);
  assertEquals(new Set(ids).size, runs.length);
  const sizes = shards.map((s) => s.length);
  assertEquals(Math.max(...sizes) - Math.min(...sizes) <= 1, true);
  // Deterministic whatever the order of the input.
  assertEquals(shardRuns([...runs].reverse(), { k: 2, n: 5 }), shards[1]);
});

Deno.test("skip reasons are carried into the plan", () => {
  const runs = planRuns(toy, {
    scale: "smoke",
    points: configPoints(toy, "smoke"),
    seeds: [0],
    methods: ["small_only"],
    codeVersion: "v",
    machine,
  });
  assertEquals(runs.map((r) => r.skip), [false, "only handles n ≤ 100"]);
});

Deno.test("backends: auto resolves per method, a list runs each, an unsupported one is skipped with a reason", () => {
  const withNative = { ...machine, native: { available: true, library: "OpenBLAS" } };
  const plan = (backends: ("auto" | "native" | "js" | "wasm")[], m = machine) =>
    planRuns(toy, {
      scale: "smoke",
      points: [{ n: 10, scale: 1 }],
      seeds: [0],
      methods: ["mean"],
      codeVersion: "v",
      backends,
      machine: m,
    });
  assertEquals(plan(["auto"]).map((r) => [r.backend, r.skip]), [["js", false]]); // no native here: js
  assertEquals(plan(["auto"], withNative).map((r) => r.backend), ["native"]);
  assertEquals(plan(["auto", "js"]).length, 1); // auto picks js: one run, not two
  const wasm = plan(["wasm"]);
  assertEquals([wasm[0].backend, wasm[0].skip], ["none", "backend: supports native, js, not wasm"]);
  assertEquals(plan(["native"])[0].skip, "backend: native is not available on this machine");
  const both = plan(["js", "native"], withNative);
  assertEquals(both.map((r) => r.backend), ["js", "native"]);
  assertEquals(new Set(both.map((r) => r.runId)).size, 2); // the backend is part of the key
});

Deno.test("bad shard, seeds and methods are user errors", () => {
  assertEquals(parseShard("2/8"), { k: 2, n: 8 });
  for (const s of ["0/3", "4/3", "x", "1/0"]) assertThrows(() => parseShard(s), UserError);
  assertEquals(parseSeeds({ seeds: "3", fallback: 1 }), [0, 1, 2]);
  assertEquals(parseSeeds({ seedList: "0,3,7", fallback: 1 }), [0, 3, 7]);
  assertThrows(() => parseSeeds({ seedList: "a", fallback: 1 }), UserError);
  assertThrows(
    () => planRuns(toy, { scale: "smoke", points: [{}], seeds: [0], methods: ["nope"], codeVersion: "v", machine }),
    UserError,
  );
});

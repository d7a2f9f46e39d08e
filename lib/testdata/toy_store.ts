/**
 * A store filled with runs of the toy experiment, for tests of what reads a store (reports, the exploration page):
 * planned and executed exactly as `deno task run` does, in a run process, on the js backend.
 */
import toy from "./experiments/toy/mod.ts";
import { Store } from "../run/store.ts";
import { configPoints } from "../run/config.ts";
import { planRuns } from "../run/plan.ts";
import { executeRuns } from "../run/execute.ts";
import type { MachineBackends } from "../run/backend.ts";

/** A machine with neither native BLAS nor WebGPU, so every toy run takes the js backend, the same everywhere. */
export const JS_ONLY_MACHINE: MachineBackends = {
  native: { available: false, library: "" },
  webgpu: { available: false, software: false, description: "none" },
};

/** An in-memory store with the toy's smoke runs of `methods` at seeds 0 and 1, under code version "t". */
export async function toyStore(methods: string[]): Promise<Store> {
  const store = await Store.open(":memory:");
  const machine = JS_ONLY_MACHINE;
  const runs = planRuns(toy, {
    scale: "smoke",
    points: configPoints(toy, "smoke"),
    seeds: [0, 1],
    methods,
    codeVersion: "t",
    backends: ["js"],
    machine,
  });
  await executeRuns(toy, {
    store,
    runs,
    codeVersion: "t",
    gitCommit: "g",
    timeLimitMs: 20_000,
    quiet: true,
    machine,
    moduleUrl: new URL("./experiments/toy/mod.ts", import.meta.url).href,
  });
  return store;
}

/**
 * The body of one run ({@link runOnce}), shared by the run process (lib/run/child.ts) and the tests.
 * The method is timed from outside; metrics are checked for undeclared names and NaN.
 */
import { defaultDevice, init } from "@jax-js/jax";
import type { AnyExperiment, Backend, Measurements } from "../experiment.ts";
import type { RunSpec } from "./plan.ts";
import type { MetricValue } from "./store.ts";
import { Rng } from "../math/rng.ts";
import { cached } from "./cache.ts";
import { keyOf } from "./hash.ts";
import { median } from "../math/stats.ts";
import { getLinalg, useLinalg } from "../math/linalg/mod.ts";

let jaxReady: Promise<unknown> | undefined;

/** Start jax-js's backends once per process, before the first run, so no run's time limit pays for it. */
export async function prepareRuntime(): Promise<void> {
  jaxReady ??= init();
  await jaxReady;
}
const dataMemo = new Map<string, unknown>(); // the last few inputs: methods of one point share them

/**
 * One run, the body of every run process: build (or load from cache) the inputs, call the method on the run's
 * backend (timed from outside, with the module's warm-up and repeats), measure, and check the metrics (declared
 * names, finite values). Throws with a message naming the problem. Tests call it directly.
 */
export async function runOnce(
  exp: AnyExperiment,
  spec: RunSpec,
  backend: Backend,
  codeVersion: string,
): Promise<MetricValue[]> {
  jaxReady ??= init();
  await jaxReady;
  defaultDevice(backend === "native" || backend === "js" ? "wasm" : backend);

  const cfg = spec.config;
  // Inputs use the best linear algebra here, whatever the run's backend, so every method sees the same data;
  // the method's own getLinalg() calls then go where its backend says.
  useLinalg("auto");
  const data = await loadData(exp, spec, codeVersion);
  useLinalg(backend === "native" ? "native" : "js");
  const method = exp.methods[spec.method];
  const metrics: MetricValue[] = [];
  let observeMs = 0;
  const ctx = {
    seed: spec.seed,
    rng: Rng.fromSeed(spec.seed).split("method"),
    backend,
    linalg: getLinalg(backend === "native" ? "native" : "js"),
    observe(step: number, state: unknown) {
      if (!exp.observe) return;
      const t = performance.now();
      for (const [name, value] of Object.entries(exp.observe(data, state, cfg))) {
        metrics.push({ name, step, value });
      }
      observeMs += performance.now() - t;
    },
    choose(name: string, value: number) {
      metrics.push({ name: `hp.${name}`, step: null, value });
    },
  };

  const timing = exp.timing ?? { warmup: 0, repeats: 1 };
  const times: number[] = [];
  let output: unknown;
  for (let i = 0; i < timing.warmup + timing.repeats; i++) {
    metrics.length = 0; // keep the observations of the last call only
    ctx.rng = Rng.fromSeed(spec.seed).split("method"); // every repeat sees the same randomness
    observeMs = 0;
    const t = performance.now();
    output = await method.run(data, cfg, ctx);
    const ms = performance.now() - t - observeMs;
    if (i >= timing.warmup) times.push(ms);
  }
  metrics.push({ name: "time_ms", step: null, value: median(times) });
  metrics.push(...flatten(await exp.measure(data, output, cfg)));

  for (const m of metrics) {
    if (m.name !== "time_ms" && !m.name.startsWith("hp.") && !(m.name in exp.metrics)) {
      throw new Error(`measure returned "${m.name}", which is not declared in the experiment's metrics`);
    }
    if (!Number.isFinite(m.value)) {
      throw new Error(`metric ${m.name}${m.step === null ? "" : ` at step ${m.step}`} is ${m.value}`);
    }
  }
  return metrics;
}

async function loadData(exp: AnyExperiment, spec: RunSpec, codeVersion: string): Promise<unknown> {
  const keys = (exp.dataKeys as string[] | undefined) ?? Object.keys(spec.config);
  const dataConfig = Object.fromEntries(keys.map((k) => [k, spec.config[k]]));
  const memoKey = keyOf({ experiment: exp.id, dataConfig, seed: spec.seed });
  if (dataMemo.has(memoKey)) return dataMemo.get(memoKey);
  const build = () =>
    exp.data(onlyKeys(spec.config, keys), { seed: spec.seed, rng: Rng.fromSeed(spec.seed).split("data") });
  // Cached inputs are addressed by the data config, seed and the data's (else the experiment's) code version.
  const version = exp.dataVersion ?? codeVersion;
  const data = exp.cacheData
    ? await cached(`${exp.id}-data`, { dataConfig, seed: spec.seed, version }, build)
    : await build();
  if (dataMemo.size >= 2) dataMemo.delete(dataMemo.keys().next().value!);
  dataMemo.set(memoKey, data);
  return data;
}

/**
 * The config as data() may see it: reading a key outside `dataKeys` throws, because cached and shared inputs are
 * addressed by those keys alone and would silently go stale.
 */
function onlyKeys(cfg: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const allowed = new Set(keys);
  return new Proxy(cfg, {
    get(target, key, receiver) {
      if (typeof key === "string" && key in target && !allowed.has(key)) {
        throw new Error(
          `data() reads config key "${key}", which is not in dataKeys [${keys.join(", ")}]: add it to dataKeys`,
        );
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

function flatten(m: Measurements): MetricValue[] {
  const out: MetricValue[] = [];
  for (const [name, v] of Object.entries(m)) {
    if (typeof v === "number") out.push({ name, step: null, value: v });
    else v.forEach((value, step) => out.push({ name, step, value }));
  }
  return out;
}

/** An error as one line for the run record, with the first experiment frame that raised it. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const where = err.stack?.split("\n").find((l) => l.includes("/experiments/"))?.trim();
    return `${err.name}: ${err.message}${where ? ` (${where})` : ""}`;
  }
  return String(err);
}

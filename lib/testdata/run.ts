/**
 * Run an experiment's methods in a test exactly as the runner does ({@link runOnce}: inputs, the method on its
 * backend, measure, and the checks that every metric is declared and finite), without a store or a process.
 * Paper tests call this instead of rebuilding the run loop by hand.
 */
import type { AnyExperiment, Backend } from "../experiment.ts";
import { runOnce } from "../run/run_once.ts";
import { nativeAvailable } from "../math/linalg/mod.ts";
import { configPoints } from "../run/config.ts";
import { codeVersion, planRuns, type RunSpec } from "../run/plan.ts";
import { probeMachine } from "../run/backend.ts";

/**
 * A run's metrics by name: a number, or the series by step for observed metrics. A series is indexed by step, so
 * steps that were not observed are holes: read it with `Object.keys` / `Object.values`.
 */
export type MetricsByName = Record<string, number | number[]>;

/**
 * Which methods, seed, backend and scale runMethods uses; the defaults run every method at seed 0 on smoke settings.
 */
export interface RunMethodsOptions {
  /** Which methods (default: all that accept the config). */
  methods?: string[];
  seed?: number;
  /** Default: native where OpenBLAS loads, else js. */
  backend?: Backend;
  /** The scale whose fixed settings (`set`) the config starts from (default smoke). */
  scale?: string;
}

/**
 * Each method's metrics at one config point: the scale's fixed settings, then `config` on top, through the
 * module's schema (so defaults apply). A method that declines the point (`skip`) is left out.
 */
export async function runMethods(
  exp: AnyExperiment,
  config: Record<string, unknown> = {},
  opts: RunMethodsOptions = {},
): Promise<Record<string, MetricsByName>> {
  const scale = opts.scale ?? "smoke";
  const fixed = (exp.scales[scale] as { set?: Record<string, unknown> } | undefined)?.set ?? {};
  const cfg = exp.config.parse({ ...fixed, ...config }) as Record<string, unknown>;
  const seed = opts.seed ?? 0;
  const backend = opts.backend ?? (nativeAvailable() ? "native" : "js");
  const out: Record<string, MetricsByName> = {};
  for (const method of opts.methods ?? Object.keys(exp.methods)) {
    const m = exp.methods[method];
    if (!m) throw new Error(`${exp.id} has no method "${method}"`);
    if (m.skip?.(cfg as never)) continue;
    const spec = {
      runId: `test-${method}`,
      experiment: exp.id,
      method,
      seed,
      scale,
      config: cfg,
      backend,
      skip: false as const,
    };
    const metrics = await runOnce(exp, spec, backend, "test");
    const byName: MetricsByName = {};
    for (const { name, step, value } of metrics) {
      if (step === null) byName[name] = value;
      else ((byName[name] ??= []) as number[])[step] = value;
    }
    out[method] = byName;
  }
  return out;
}

/** One planned smoke run and its metrics by name (a series gives its last value). */
export interface SmokeRun {
  run: RunSpec;
  m: Record<string, number>;
  /** Every value the run recorded, series steps included. */
  metrics: Awaited<ReturnType<typeof runOnce>>;
}

/**
 * The smoke runs the runner itself would plan at seed 0 (every method on the backend it would pick), for the config
 * points that pass `where`, each run through {@link runOnce} in order. Paper tests call this to check a module end
 * to end without a store or a process.
 */
export async function runSmokePoints(
  exp: AnyExperiment,
  where: (point: Record<string, unknown>, index: number) => boolean = () => true,
): Promise<SmokeRun[]> {
  const machine = await probeMachine();
  const version = codeVersion(exp.id);
  const points = configPoints(exp, "smoke").filter(where);
  const runs = planRuns(exp, { scale: "smoke", points, seeds: [0], codeVersion: version, machine });
  const out: SmokeRun[] = [];
  for (const run of runs) {
    const metrics = await runOnce(exp, run, run.backend as Backend, version);
    out.push({ run, m: Object.fromEntries(metrics.map((x) => [x.name, x.value])), metrics });
  }
  return out;
}

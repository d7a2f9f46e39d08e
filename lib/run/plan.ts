/**
 * The run plan: config points × methods × seeds, each with a stable key, and deterministic shards of it.
 *
 * A run's key hashes (experiment, method, canonical config, seed, code version): the same run always gets
 * the same key, so a rerun finds what is already done, and any change to the experiment's code gives new keys.
 */
import type { AnyExperiment, Backend } from "../experiment.ts";
import { type BackendRequest, type MachineBackends, methodBackends, resolveBackend } from "./backend.ts";
import { UserError } from "./errors.ts";
import { keyOf } from "./hash.ts";

/**
 * One planned run: experiment, method, seed, scale, config point and backend, under a stable key; what a run process
 * receives.
 */
export interface RunSpec {
  runId: string;
  experiment: string;
  method: string;
  seed: number;
  scale: string;
  config: Record<string, unknown>;
  /** Where the run computes; "none" when no requested backend suits the method (then `skip` says why). */
  backend: Backend | "none";
  /** Reason the run cannot happen (the method declines the point, or no backend suits): recorded as skipped. */
  skip: string | false;
}

/** What planRuns expands: the scale, its config points, seeds, methods, code version and the requested backends. */
export interface PlanOptions {
  scale: string;
  points: Record<string, unknown>[];
  seeds: number[];
  methods?: string[];
  codeVersion: string;
  /** Requested backends (`auto` resolves per method); several run the sweep once on each. Default: auto. */
  backends?: BackendRequest[];
  /** What this machine has; required to resolve backends (tests pass a fixed one). */
  machine: MachineBackends;
}

/** A run's stable key, so that a rerun of the same run finds its finished record and any code change gives new keys. */
export function runKey(
  experiment: string,
  method: string,
  config: Record<string, unknown>,
  seed: number,
  codeVersion: string,
  backend: string,
): string {
  return keyOf({ experiment, method, config, seed, codeVersion, backend });
}

/**
 * Expand config points × methods × seeds (× backends) into run specs, with the reason each skipped run cannot happen.
 */
export function planRuns(exp: AnyExperiment, opts: PlanOptions): RunSpec[] {
  const known = Object.keys(exp.methods);
  const methods = opts.methods ?? exp.scales[opts.scale]?.methods ?? known;
  for (const m of methods) {
    if (!known.includes(m)) {
      throw new UserError(`"${exp.id}" has no method "${m}"; its methods are: ${known.join(", ")}`);
    }
  }
  // Each method's backends: one per request, duplicates (e.g. auto and what it picks) run once.
  const choices = new Map(methods.map((m) => {
    const seen = new Map<string, ReturnType<typeof resolveBackend>>();
    for (const req of opts.backends ?? ["auto"]) {
      const c = resolveBackend(req, methodBackends(exp, m), opts.machine);
      seen.set("backend" in c ? c.backend : `none:${req}`, c);
    }
    return [m, [...seen.values()]];
  }));
  const runs: RunSpec[] = [];
  // Point, then seed, then method: consecutive runs share one input, which the worker keeps in memory.
  for (const config of opts.points) {
    for (const seed of opts.seeds) {
      for (const method of methods) {
        for (const choice of choices.get(method)!) {
          const backend = "backend" in choice ? choice.backend : "none";
          const declined = exp.methods[method].skip?.(config) ?? false;
          runs.push({
            runId: runKey(exp.id, method, config, seed, opts.codeVersion, backend),
            experiment: exp.id,
            method,
            seed,
            scale: opts.scale,
            config,
            backend,
            skip: declined || ("skip" in choice ? `backend: ${choice.skip}` : false),
          });
        }
      }
    }
  }
  return runs;
}

/** Parse `k/n` (1-based k). */
export function parseShard(s: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const k = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) {
    throw new UserError(`--shard ${s}: expected k/n with 1 ≤ k ≤ n, e.g. --shard 2/8`);
  }
  return { k, n };
}

/**
 * Shard k of n: runs sorted by key, every n-th starting at k-1. Disjoint, covering, and balanced to one run,
 * whatever the machine; the order of the grid does not matter.
 */
export function shardRuns<T extends { runId: string }>(runs: T[], shard: { k: number; n: number }): T[] {
  const sorted = [...runs].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  return sorted.filter((_, i) => i % shard.n === shard.k - 1);
}

/** Seeds `0..n-1`, or an explicit list "0,3,7". */
export function parseSeeds(opts: { seeds?: string; seedList?: string; fallback: number }): number[] {
  if (opts.seedList) {
    const parts = opts.seedList.split(",").map((s) => s.trim());
    const list = parts.map(Number);
    // Number("") is 0: an empty item must not silently become seed 0.
    if (parts.some((s) => s === "") || list.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new UserError(`--seed-list ${opts.seedList}: expected non-negative integers, e.g. 0,3,7`);
    }
    if (new Set(list).size !== list.length) throw new UserError(`--seed-list ${opts.seedList}: a seed is repeated`);
    return list;
  }
  const n = opts.seeds === undefined ? opts.fallback : Number(opts.seeds);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--seeds ${opts.seeds}: expected a positive integer`);
  return Array.from({ length: n }, (_, i) => i);
}

/** Kept here for callers that import it with the planning functions; it lives in the registry. */
export { codeVersion } from "./registry.ts";

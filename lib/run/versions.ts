/** What produced a result: runtime and package versions, the git commit. Recorded with every run. */
import { cpus } from "node:os";
import type { MachineBackends } from "./backend.ts";

let pinned: Record<string, string> | undefined;

/** Package versions as pinned in deno.json's import map (`npm:name@version`). */
export function pinnedVersions(): Record<string, string> {
  if (pinned) return pinned;
  const denoJson = JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)));
  pinned = {};
  for (const [name, spec] of Object.entries(denoJson.imports as Record<string, string>)) {
    const m = /@([^@/]+)$/.exec(spec);
    if (m) pinned[name] = m[1];
  }
  return pinned;
}

/**
 * The runtime, package and linear-algebra versions recorded with every run, so a result can be traced to what produced
 * it.
 */
export function runtimeVersions(machine: MachineBackends): Record<string, unknown> {
  const p = pinnedVersions();
  return {
    deno: Deno.version.deno,
    "jax-js": p["@jax-js/jax"],
    duckdb: p["@duckdb/node-api"],
    linalg: machine.native.available ? machine.native.library : `ml-matrix ${p["ml-matrix"]}`,
    blas_threads: Number(Deno.env.get("REPRO_BLAS_THREADS") ?? 1),
  };
}

export { gitCommit } from "./git.ts";

/** The machine a baseline or verdict was recorded on: what decides the last bits of native results. */
export interface MachineRecord {
  /** "native" when OpenBLAS + LAPACKE load, else "js" (the pure-JS fallback): baselines keep one entry each. */
  linalg: "native" | "js";
  /** CPU model name (node:os cpus()). */
  cpu: string;
  /** The BLAS library with its build kernel, or ml-matrix's version. */
  library: string;
  /** OPENBLAS_CORETYPE, which picks the kernels OpenBLAS runs (unset: detected from the CPU). */
  openblas_coretype: string;
  blas_threads: number;
  deno: string;
}

/**
 * The machine record (linear algebra, CPU, BLAS library and kernel, threads, Deno) kept with baselines and verdicts,
 * since these decide the last bits of native results.
 */
export function machineRecord(machine: MachineBackends): MachineRecord {
  let cpu = "unknown";
  try {
    // node:os reads the model under --allow-sys; Deno refuses /proc files without --allow-all.
    cpu = cpus()[0]?.model?.trim() || "unknown";
  } catch { /* no --allow-sys */ }
  const env = (k: string) => {
    try {
      return Deno.env.get(k);
    } catch {
      return undefined;
    }
  };
  return {
    linalg: machine.native.available ? "native" : "js",
    cpu,
    library: machine.native.available ? machine.native.library : `ml-matrix ${pinnedVersions()["ml-matrix"]}`,
    openblas_coretype: env("OPENBLAS_CORETYPE") ?? "(detected)",
    blas_threads: Number(env("REPRO_BLAS_THREADS") ?? 1),
    deno: Deno.version.deno,
  };
}

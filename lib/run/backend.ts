/**
 * Which backend a run uses, decided once per process from what the machine has.
 *
 * `auto` walks the method's preference list and takes the first backend that pays here: `native` where
 * OpenBLAS/LAPACK load (else `js`), `webgpu` only on a hardware adapter (a software adapter such as llvmpipe is
 * 5–10× slower than wasm), else `wasm`. An explicit backend the method does not support skips the run with a
 * reason.
 */
import type { AnyExperiment, Backend } from "../experiment.ts";
import { BACKENDS } from "../experiment.ts";
import { UserError } from "./errors.ts";

/** A backend asked for on the command line: a named one, or `auto` to pick the method's best available here. */
export type BackendRequest = Backend | "auto";

/**
 * What this machine offers: whether native BLAS loads and whether WebGPU has a (hardware or software) adapter; plans
 * resolve backends against it.
 */
export interface MachineBackends {
  native: { available: boolean; library: string };
  webgpu: { available: boolean; software: boolean; description: string };
}

const SOFTWARE_ADAPTERS = /llvmpipe|lavapipe|swiftshader|softpipe|warp/i;

/** Probe the machine: native linear algebra and the WebGPU adapter. */
export async function probeMachine(): Promise<MachineBackends> {
  let native = { available: false, library: "" };
  try {
    const { nativeAvailable, getLinalg } = await import("../math/linalg/mod.ts");
    if (nativeAvailable()) native = { available: true, library: getLinalg("native").info.library };
  } catch { /* native linear algebra not built in: the pure-JS fallback serves */ }
  let webgpu = { available: false, software: false, description: "no adapter" };
  try {
    // deno-lint-ignore no-explicit-any
    const adapter: any = await (navigator as any).gpu?.requestAdapter();
    if (adapter) {
      const info = adapter.info ?? {};
      const description = info.description || info.vendor || "unknown adapter";
      const software = Boolean(info.isFallbackAdapter) || SOFTWARE_ADAPTERS.test(description);
      webgpu = { available: true, software, description };
    }
  } catch { /* no WebGPU in this runtime */ }
  return { native, webgpu };
}

/** Parse a `--backend` value, refusing unknown names with a one-sentence UserError. */
export function parseBackend(s: string): BackendRequest {
  if (s === "auto" || (BACKENDS as readonly string[]).includes(s)) return s as BackendRequest;
  throw new UserError(`--backend ${s}: expected one of auto, ${BACKENDS.join(", ")}`);
}

/** The backends a method can run on, most preferred first (plain TypeScript methods: native, else js). */
export function methodBackends(exp: AnyExperiment, method: string): Backend[] {
  return exp.methods[method].backends ?? exp.backends ?? ["native", "js"];
}

/** Resolve a request for one method: a backend, or a reason the run must be skipped. */
export function resolveBackend(
  request: BackendRequest,
  supported: Backend[],
  machine: MachineBackends,
): { backend: Backend } | { skip: string } {
  const usable = (b: Backend) =>
    b === "native" ? machine.native.available : b === "webgpu" ? machine.webgpu.available : true;
  if (request !== "auto") {
    if (!supported.includes(request)) return { skip: `supports ${supported.join(", ")}, not ${request}` };
    if (!usable(request)) return { skip: `${request} is not available on this machine` };
    return { backend: request };
  }
  const pays = (b: Backend) => usable(b) && !(b === "webgpu" && machine.webgpu.software);
  const pick = supported.find(pays) ?? supported.find(usable);
  return pick ? { backend: pick } : { skip: `none of ${supported.join(", ")} is available here` };
}

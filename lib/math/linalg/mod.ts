/**
 * Dense linear algebra for methods: one `Linalg` interface, a native backend (OpenBLAS + LAPACKE via Deno FFI)
 * and a pure-JS fallback (ml-matrix), plus `Mat` helpers and jax-js conversion.
 *
 * @example
 * ```ts
 * import { fromRows, getLinalg } from "./lib/linalg/mod.ts";
 * const la = getLinalg();                  // native when the libraries load, else js
 * const l = la.cholesky(fromRows([[4, 2], [2, 3]]));
 * console.log(la.info);                    // { kind: "native", library: "OpenBLAS 0.3.21 ... + LAPACKE 3.11.0", threads: 1 }
 * ```
 *
 * Native needs `--allow-ffi` (scopable to the two library paths) and reads `REPRO_BLAS_THREADS`,
 * `REPRO_OPENBLAS_PATH`, `REPRO_LAPACKE_PATH` when `--allow-env` is given.
 */
import { type Linalg, LinalgError } from "./types.ts";
import { JsLinalg } from "./js.ts";
import { loadNative, type NativeLinalg } from "./native.ts";

export * from "./types.ts";
export * from "./mat.ts";
export { JsLinalg } from "./js.ts";
export { DEFAULT_LAPACKE_PATH, DEFAULT_OPENBLAS_PATH, loadNative, NativeLinalg, nativePaths } from "./native.ts";
export type { NativeLoad } from "./native.ts";

let native: { linalg: NativeLinalg } | { reason: string } | undefined;
let js: JsLinalg | undefined;

function tryNative(): { linalg: NativeLinalg } | { reason: string } {
  if (!native) {
    const r = loadNative();
    native = r.ok ? { linalg: r.linalg } : { reason: r.reason };
  }
  return native;
}

let current: "native" | "js" | "auto" = "auto";

/**
 * Choose what `getLinalg()` without an argument returns in this process. The runner sets it before each run
 * from the run's backend (`native` → native, `js` and the jax-js backends → js, inputs → auto), so a method
 * written once against `getLinalg()` computes where its run record says it does.
 */
export function useLinalg(kind: "native" | "js" | "auto"): void {
  current = kind;
}

/**
 * The process-wide `Linalg` (memoized). "auto" is native when OpenBLAS and LAPACKE load, else js; "native"
 * throws a LinalgError saying why it cannot load. Without an argument: a handle that follows `useLinalg` at
 * every call, so a module may keep `const la = getLinalg()` at top level and still compute where each run's
 * backend says.
 */
export function getLinalg(kind?: "native" | "js" | "auto"): Linalg {
  return kind === undefined ? following : resolve(kind);
}

function resolve(kind: "native" | "js" | "auto"): Linalg {
  if (kind === "js") return (js ??= new JsLinalg());
  const n = tryNative();
  if ("linalg" in n) return n.linalg;
  if (kind === "native") throw new LinalgError(`native linalg is unavailable: ${n.reason}`);
  return (js ??= new JsLinalg());
}

const following: Linalg = new Proxy({} as Linalg, {
  get(_, prop) {
    const impl = resolve(current) as unknown as Record<string | symbol, unknown>;
    const v = impl[prop];
    return typeof v === "function" ? v.bind(impl) : v;
  },
});

/** Whether the native backend loads in this process (tries once, then remembers). */
export function nativeAvailable(): boolean {
  return "linalg" in tryNative();
}

/** Why the native backend did not load, or null when it did. */
export function nativeUnavailableReason(): string | null {
  const n = tryNative();
  return "reason" in n ? n.reason : null;
}

/**
 * Sets the BLAS thread count of the native backend (process-wide; no-op for js, which is single-threaded).
 * The default is `REPRO_BLAS_THREADS` or 1, which keeps results bitwise reproducible.
 */
export function setThreads(n: number): void {
  const b = tryNative();
  if ("linalg" in b) b.linalg.setThreads(n);
  else if (!Number.isInteger(n) || n < 1) throw new LinalgError(`setThreads: need a positive integer, got ${n}`);
}

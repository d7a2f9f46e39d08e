/**
 * One call of a square-root method: forward (and backward when asked) on the whole batch, on the run's backend.
 * `native` → blas.ts (OpenBLAS/LAPACK), `wasm` / `webgpu` → jax.ts (jax-js). Results come back as flat typed
 * arrays in the run's precision; reading them (an async device read on webgpu) is part of the call.
 */
import { numpy as np } from "@jax-js/jax";
import { type Float, getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import type { Backend } from "../../lib/experiment.ts";
import * as blas from "./blas.ts";
import * as jx from "./jax.ts";
import { padeSqrt1m, taylorSqrt1m } from "./coeffs.ts";
import type { SqrtData } from "./data.ts";

export type SqrtMethod = "mtp" | "mpa" | "ns" | "ns_fro" | "svd";

export interface SqrtOptions {
  method: SqrtMethod;
  backward: boolean;
  dtype: "float32" | "float64";
  /** MTP truncation degree K (paper: 10). */
  mtpDegree: number;
  /** MPA degrees [M/N] with M = N (paper: 5). */
  padeDegree: number;
  /** NS iterations (paper: 5, following iSQRT-COV). */
  nsIters: number;
  /** Lyapunov sign-function iterations (official code: 8). */
  lyaIters: number;
}

export interface SqrtOutput {
  sqrt: Float;
  grad?: Float;
}

const coefMemo = new Map<string, unknown>();
function memo<T>(key: string, make: () => T): T {
  if (!coefMemo.has(key)) coefMemo.set(key, make());
  return coefMemo.get(key) as T;
}
const taylor = (k: number) => memo(`t${k}`, () => taylorSqrt1m(k));
const pade = (m: number) => memo(`p${m}`, () => padeSqrt1m(m, m));

export async function runSqrt(data: SqrtData, o: SqrtOptions, backend: Backend): Promise<SqrtOutput> {
  return backend === "native" ? runNative(data, o) : await runJax(data, o);
}

function runNative(data: SqrtData, o: SqrtOptions): SqrtOutput {
  const la = getLinalg();
  const { d, b } = data, n2 = d * d;
  const src = o.dtype === "float32" ? [data.a32, data.g32] : [data.a64, data.g64];
  const batch = (x: Float) =>
    Array.from({ length: b }, (_, i): Mat => ({ rows: d, cols: d, data: x.subarray(i * n2, (i + 1) * n2) }));
  const as = batch(src[0]);
  let sqrt: Mat[], grad: Mat[] | undefined;
  if (o.method === "mtp" || o.method === "mpa") {
    const f = o.method === "mtp"
      ? blas.mtpForward(la, as, taylor(o.mtpDegree))
      : blas.mpaForward(la, as, pade(o.padeDegree));
    sqrt = f.sqrt;
    if (o.backward) grad = blas.lyapunovBackward(la, f, batch(src[1]), o.lyaIters);
  } else if (o.method === "ns" || o.method === "ns_fro") {
    const f = blas.nsForward(la, as, o.nsIters, o.method === "ns" ? "trace" : "frobenius");
    sqrt = f.sqrt;
    if (o.backward) grad = blas.nsBackward(la, f, batch(src[1]));
  } else {
    const f = blas.eighForward(la, as);
    sqrt = f.sqrt;
    if (o.backward) grad = blas.eighBackward(la, f, batch(src[1]));
  }
  const flat = (ms: Mat[]) => {
    const out = o.dtype === "float32" ? new Float32Array(b * n2) : new Float64Array(b * n2);
    ms.forEach((m, i) => out.set(m.data, i * n2));
    return out;
  };
  return { sqrt: flat(sqrt), grad: grad && flat(grad) };
}

async function runJax(data: SqrtData, o: SqrtOptions): Promise<SqrtOutput> {
  if (o.method === "ns_fro") throw new Error("ns_fro (our ablation) runs on the native backend only");
  const { d, b } = data;
  const dtype = o.dtype === "float32" ? np.float32 : np.float64;
  const arr = (x: Float) =>
    np.array(x as Float32Array<ArrayBuffer> | Float64Array<ArrayBuffer>, { shape: [b, d, d], dtype });
  const src = o.dtype === "float32" ? [data.a32, data.g32] : [data.a64, data.g64];
  const a = arr(src[0]);
  let s: np.Array, g: np.Array | undefined;
  if (o.method === "mtp" || o.method === "mpa") {
    let s0: np.Array, nrm: np.Array;
    if (o.method === "mtp") [s0, nrm] = jx.mtpJit(taylor(o.mtpDegree))(a);
    else {
      const [P, Q, n] = jx.mpaPolyJit(pade(o.padeDegree))(a);
      [s0, nrm] = [jx.mpaSolve(P, Q, n.ref), n];
    }
    s = s0;
    if (o.backward) g = jx.lyapunovJit(o.lyaIters)(s.ref, nrm, arr(src[1]));
    else nrm.dispose();
  } else if (o.method === "ns") {
    const [s0, tr, an, ys, zs] = jx.nsForwardJit(o.nsIters)(a);
    s = s0;
    if (o.backward) g = jx.nsBackwardJit()(s.ref, tr, an, ys, zs, arr(src[1]));
    else for (const x of [tr, an, ...ys, ...zs]) x.dispose();
  } else {
    const [s0, sw, u] = jx.eighForwardJit()(a);
    s = s0;
    if (o.backward) g = jx.eighBackwardJit()(sw, u, arr(src[1]));
    else {
      sw.dispose();
      u.dispose();
    }
  }
  const sqrt = await s.data() as Float;
  const grad = g ? await g.data() as Float : undefined;
  return { sqrt, grad };
}

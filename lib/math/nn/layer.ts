/**
 * The layer contract of the training kit, and the buffer helper layers share.
 *
 * A layer sees minibatches as flat row-major buffers: `batch` samples of its per-sample input shape (images are
 * C×H×W, NCHW overall). `forward` returns a buffer the layer owns and reuses on the next call (so a training
 * step allocates nothing once warm); `backward` takes ∂L/∂y, adds ∂L/∂θ into the parameters' gradients (callers
 * zero them first) and returns ∂L/∂x (or null when the caller does not need it, e.g. for the first layer).
 */
import type { Arr, Gemm } from "./gemm.ts";
import type { DType, Param, ParamSpec } from "./params.ts";

/** What every forward/backward call computes with. */
export interface Ctx {
  gemm: Gemm;
  dtype: DType;
}

/** One differentiable stage of a network. */
export interface Layer {
  /** Short description, e.g. "dense 784→256". */
  readonly label: string;
  /** Fixes the per-sample input shape; returns the output shape and the parameters the layer needs. */
  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] };
  /** Receives views of its parameters (in the order `build` listed them) once the store exists. */
  bind(params: Param[]): void;
  /** y = f(x) for `batch` samples; `train` is false for evaluation. The input is kept for `backward`. */
  forward(x: Arr, batch: number, ctx: Ctx, train: boolean): Arr;
  /** Adds ∂L/∂θ into the gradients and returns ∂L/∂x (null when `needDx` is false). */
  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null;
  /**
   * After `backward` with per-example ∂L_i/∂y, writes each sample's own ∂L_i/∂θ of this layer's parameters into
   * row i of `out` (row stride `stride`, at each parameter's store offset). Layers without parameters omit it.
   */
  perExample?(batch: number, ctx: Ctx, out: Arr, stride: number): void;
}

let scratchTotal = 0;

/** Bytes all `Scratch` buffers have allocated in this process so far (monotone; for memory accounting). */
export function scratchBytes(): number {
  return scratchTotal;
}

/** A reusable buffer of at least `n` elements in the given precision (grown when too small; never shrunk). */
export class Scratch {
  #buf: Arr | null = null;
  get(n: number, dtype: DType): Arr {
    const F = dtype === "float32" ? Float32Array : Float64Array;
    if (!this.#buf || this.#buf.length < n || !(this.#buf instanceof F)) {
      this.#buf = new F(n);
      scratchTotal += this.#buf.byteLength;
    }
    return this.#buf.length === n ? this.#buf : this.#buf.subarray(0, n);
  }
}

/** Product of a shape's entries. */
export const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

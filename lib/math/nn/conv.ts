/**
 * 2-D convolution (im2col + one gemm per minibatch, hand-written backward) and max/average pooling, NCHW.
 *
 * Conv2d: the kernel is stored as C_out × (C_in·k·k). The forward pass unfolds the whole batch into
 * cols (C_in·k·k) × (B·L), L = H_out·W_out, multiplies Y = K·cols + b in one gemm and permutes Y (C_out × B·L) to
 * NCHW. Backward: ∂Y is permuted back, ∂K += ∂Y·colsᵀ (one gemm, transpose passed to BLAS), ∂b += row sums,
 * ∂cols = Kᵀ·∂Y (one gemm) folded back to ∂x by col2im. Cross-correlation, as in PyTorch and jax.lax.conv.
 */
import type { Arr } from "./gemm.ts";
import { type Ctx, type Layer, Scratch } from "./layer.ts";
import type { Init, Param, ParamSpec } from "./params.ts";

/** Options for `Conv2d`. */
export interface Conv2dOpts {
  stride?: number;
  /** Zero padding on each side (default 0, "valid"). */
  padding?: number;
  /** Kernel initialiser (default "heNormal", fan-in C_in·k·k). */
  init?: Init;
  bias?: boolean;
}

interface Geometry {
  c: number;
  h: number;
  w: number;
  k: number;
  s: number;
  p: number;
  ho: number;
  wo: number;
}

/** Unfolds x (B×C×H×W) into cols ((C·k·k) × (B·L)). */
export function im2col(x: Arr, batch: number, g: Geometry, cols: Arr): void {
  unfold(x, batch, g, cols, false);
}

/** Adds cols ((C·k·k) × (B·L)) back into dx (B×C×H×W), the adjoint of `im2col`. */
export function col2im(cols: Arr, batch: number, g: Geometry, dx: Arr): void {
  unfold(dx, batch, g, cols, true);
}

/**
 * The loop nest of both directions: `adjoint` false copies x into cols (zeros where the kernel overhangs the
 * padding), true adds cols back into x. One walker with a flag rather than a callback: a callback made the call site
 * polymorphic and measured 1.3–2× slower; the flag is loop-invariant and costs nothing measurable.
 */
function unfold(x: Arr, batch: number, g: Geometry, cols: Arr, adjoint: boolean): void {
  const { c: C, h: H, w: W, k, s, p, ho, wo } = g, L = ho * wo, BL = batch * L;
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < k; ki++) {
      for (let kj = 0; kj < k; kj++) {
        const row = ((c * k + ki) * k + kj) * BL;
        // Output columns whose input column iw = ow·s + kj − p lies inside [0, W).
        const ow0 = Math.max(0, Math.ceil((p - kj) / s)), ow1 = Math.min(wo, Math.floor((W - 1 + p - kj) / s) + 1);
        for (let n = 0; n < batch; n++) {
          const xn = (n * C + c) * H * W;
          for (let oh = 0; oh < ho; oh++) {
            const ih = oh * s + ki - p, o = row + n * L + oh * wo;
            if (ih < 0 || ih >= H || ow1 <= ow0) {
              if (!adjoint) cols.fill(0, o, o + wo);
              continue;
            }
            const xr = xn + ih * W + kj - p;
            if (adjoint) {
              for (let ow = ow0; ow < ow1; ow++) x[xr + ow * s] += cols[o + ow];
              continue;
            }
            for (let ow = 0; ow < ow0; ow++) cols[o + ow] = 0;
            if (s === 1) { for (let ow = ow0; ow < ow1; ow++) cols[o + ow] = x[xr + ow]; }
            else for (let ow = ow0; ow < ow1; ow++) cols[o + ow] = x[xr + ow * s];
            for (let ow = ow1; ow < wo; ow++) cols[o + ow] = 0;
          }
        }
      }
    }
  }
}

/** Convolution with C_out filters of size k×k. */
export class Conv2d implements Layer {
  readonly label: string;
  w!: Param;
  b: Param | null = null;
  #g!: Geometry;
  #cols = new Scratch();
  #tmp = new Scratch();
  #dtmp = new Scratch();
  #y = new Scratch();
  #dx = new Scratch();
  #dcols = new Scratch();
  #batch = 0;

  constructor(readonly filters: number, readonly kernel: number, readonly opts: Conv2dOpts = {}) {
    this.label = `conv ${kernel}×${kernel}→${filters}`;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    if (inShape.length !== 3) throw new Error(`nn: Conv2d needs C×H×W inputs, got [${inShape}]`);
    const [c, h, w] = inShape, k = this.kernel, s = this.opts.stride ?? 1, p = this.opts.padding ?? 0;
    const ho = Math.floor((h + 2 * p - k) / s) + 1, wo = Math.floor((w + 2 * p - k) / s) + 1;
    if (ho < 1 || wo < 1) throw new Error(`nn: Conv2d ${k}×${k} does not fit a ${h}×${w} input`);
    this.#g = { c, h, w, k, s, p, ho, wo };
    const f = this.filters, fanIn = c * k * k, fanOut = f * k * k;
    const params: ParamSpec[] = [{ name: "w", shape: [f, c, k, k], init: this.opts.init ?? "heNormal", fanIn, fanOut }];
    if (this.opts.bias !== false) params.push({ name: "b", shape: [f], init: "zeros", fanIn, fanOut });
    (this as { label: string }).label = `conv ${c}→${f} ${k}×${k}${s > 1 ? ` s${s}` : ""}${p ? ` p${p}` : ""}`;
    return { outShape: [f, ho, wo], params };
  }

  bind(params: Param[]): void {
    this.w = params[0];
    this.b = params[1] ?? null;
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const g = this.#g, K = g.c * g.k * g.k, L = g.ho * g.wo, BL = batch * L, F = this.filters;
    const cols = this.#cols.get(K * BL, ctx.dtype), tmp = this.#tmp.get(F * BL, ctx.dtype);
    im2col(x, batch, g, cols);
    this.#batch = batch;
    ctx.gemm.gemm(false, false, F, BL, K, 1, this.w.value, K, cols, BL, 0, tmp, BL);
    const y = this.#y.get(batch * F * L, ctx.dtype), b = this.b?.value;
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < F; o++) {
        const src = o * BL + n * L, dst = (n * F + o) * L, bo = b ? b[o] : 0;
        for (let l = 0; l < L; l++) y[dst + l] = tmp[src + l] + bo;
      }
    }
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    const g = this.#g, K = g.c * g.k * g.k, L = g.ho * g.wo, BL = batch * L, F = this.filters;
    const cols = this.#cols.get(K * BL, ctx.dtype), dt = this.#dtmp.get(F * BL, ctx.dtype);
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < F; o++) {
        const dst = o * BL + n * L, src = (n * F + o) * L;
        for (let l = 0; l < L; l++) dt[dst + l] = dy[src + l];
      }
    }
    if (this.b) {
      const gb = this.b.grad;
      for (let o = 0; o < F; o++) {
        let s = 0;
        for (let j = o * BL, e = j + BL; j < e; j++) s += dt[j];
        gb[o] += s;
      }
    }
    ctx.gemm.gemm(false, true, F, K, BL, 1, dt, BL, cols, BL, 1, this.w.grad, K);
    if (!needDx) return null;
    const dcols = this.#dcols.get(K * BL, ctx.dtype), dx = this.#dx.get(batch * g.c * g.h * g.w, ctx.dtype);
    ctx.gemm.gemm(true, false, K, BL, F, 1, this.w.value, K, dt, BL, 0, dcols, BL);
    dx.fill(0);
    col2im(dcols, batch, g, dx);
    return dx;
  }

  perExample(batch: number, ctx: Ctx, out: Arr, stride: number): void {
    const g = this.#g, K = g.c * g.k * g.k, L = g.ho * g.wo, BL = batch * L, F = this.filters;
    if (batch !== this.#batch) throw new Error("nn: perExample must follow forward/backward on the same batch");
    const cols = this.#cols.get(K * BL, ctx.dtype), dt = this.#dtmp.get(F * BL, ctx.dtype);
    for (let n = 0; n < batch; n++) {
      const row = n * stride;
      ctx.gemm.gemm(
        false,
        true,
        F,
        K,
        L,
        1,
        dt.subarray(n * L),
        BL,
        cols.subarray(n * L),
        BL,
        0,
        out.subarray(row + this.w.offset),
        K,
      );
      if (this.b) {
        for (let o = 0; o < F; o++) {
          let s = 0;
          for (let l = 0, j = o * BL + n * L; l < L; l++) s += dt[j + l];
          out[row + this.b.offset + o] = s;
        }
      }
    }
  }
}

abstract class Pool2d implements Layer {
  abstract readonly label: string;
  protected g!: Geometry;
  protected y = new Scratch();
  protected dx = new Scratch();
  constructor(readonly size: number, readonly stride = size) {}

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    if (inShape.length !== 3) throw new Error(`nn: pooling needs C×H×W inputs, got [${inShape}]`);
    const [c, h, w] = inShape, k = this.size, s = this.stride;
    const ho = Math.floor((h - k) / s) + 1, wo = Math.floor((w - k) / s) + 1;
    this.g = { c, h, w, k, s, p: 0, ho, wo };
    return { outShape: [c, ho, wo], params: [] };
  }
  bind(): void {}
  abstract forward(x: Arr, batch: number, ctx: Ctx): Arr;
  abstract backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null;
}

/** Max over k×k windows (stride defaults to k, no padding); ties go to the first maximum. */
export class MaxPool2d extends Pool2d {
  readonly label: string;
  #arg = new Int32Array(0);
  constructor(size: number, stride = size) {
    super(size, stride);
    this.label = `maxpool ${size}×${size}`;
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const { c, h, w, k, s, ho, wo } = this.g, n = batch * c * ho * wo, y = this.y.get(n, ctx.dtype);
    if (this.#arg.length < n) this.#arg = new Int32Array(n);
    const arg = this.#arg;
    for (let nc = 0; nc < batch * c; nc++) {
      const xb = nc * h * w, yb = nc * ho * wo;
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          let best = xb + i * s * w + j * s, bv = x[best];
          for (let a = 0; a < k; a++) {
            const r = xb + (i * s + a) * w + j * s;
            for (let b = 0; b < k; b++) if (x[r + b] > bv) bv = x[best = r + b];
          }
          y[yb + i * wo + j] = bv;
          arg[yb + i * wo + j] = best;
        }
      }
    }
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    if (!needDx) return null;
    const { c, h, w, ho, wo } = this.g, dx = this.dx.get(batch * c * h * w, ctx.dtype), arg = this.#arg;
    dx.fill(0);
    for (let i = 0, n = batch * c * ho * wo; i < n; i++) dx[arg[i]] += dy[i];
    return dx;
  }
}

/** Mean over k×k windows (stride defaults to k, no padding). */
export class AvgPool2d extends Pool2d {
  readonly label: string;
  constructor(size: number, stride = size) {
    super(size, stride);
    this.label = `avgpool ${size}×${size}`;
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const { c, h, w, k, s, ho, wo } = this.g, y = this.y.get(batch * c * ho * wo, ctx.dtype), inv = 1 / (k * k);
    for (let nc = 0; nc < batch * c; nc++) {
      const xb = nc * h * w, yb = nc * ho * wo;
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          let acc = 0;
          for (let a = 0; a < k; a++) for (let b = 0, r = xb + (i * s + a) * w + j * s; b < k; b++) acc += x[r + b];
          y[yb + i * wo + j] = acc * inv;
        }
      }
    }
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    if (!needDx) return null;
    const { c, h, w, k, s, ho, wo } = this.g, dx = this.dx.get(batch * c * h * w, ctx.dtype), inv = 1 / (k * k);
    dx.fill(0);
    for (let nc = 0; nc < batch * c; nc++) {
      const xb = nc * h * w, yb = nc * ho * wo;
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          const g = dy[yb + i * wo + j] * inv;
          for (let a = 0; a < k; a++) for (let b = 0, r = xb + (i * s + a) * w + j * s; b < k; b++) dx[r + b] += g;
        }
      }
    }
    return dx;
  }
}

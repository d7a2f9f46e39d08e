/**
 * Dense (fully connected) layers and elementwise activations.
 *
 * Dense stores W as n_in × n_out (row-major), so y = x·W + b with samples as rows; the forward pass is one gemm
 * (bias broadcast first, β = 1), the backward pass two gemms with transposes passed to BLAS (no copies):
 * ∂W += xᵀ·∂y, ∂x = ∂y·Wᵀ, ∂b += Σ_rows ∂y. With `transposed: true` W is n_out × n_in (PyTorch's nn.Linear layout):
 * y = x·Wᵀ + b, ∂W += ∂yᵀ·x, ∂x = ∂y·W.
 */
import type { Arr } from "./gemm.ts";
import { type Ctx, type Layer, numel, Scratch } from "./layer.ts";
import type { Init, Param, ParamSpec } from "./params.ts";

/** Options for `Dense`. */
export interface DenseOpts {
  /** Weight initialiser (default "heNormal"). */
  init?: Init;
  /** Bias initialiser (default "zeros"); `bias: false` drops the bias. */
  biasInit?: Init;
  bias?: boolean;
  /** Store W as n_out × n_in (PyTorch's layout) instead of n_in × n_out. */
  transposed?: boolean;
}

/** y = x·W + b, W: n_in × n_out. The input is flattened per sample. */
export class Dense implements Layer {
  readonly label: string;
  w!: Param;
  b: Param | null = null;
  #in = 0;
  #x: Arr | null = null;
  #dy: Arr | null = null;
  #y = new Scratch();
  #dx = new Scratch();

  constructor(readonly units: number, readonly opts: DenseOpts = {}) {
    this.label = `dense →${units}`;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    this.#in = numel(inShape);
    const n = this.#in, m = this.units;
    const shape = this.opts.transposed ? [m, n] : [n, m];
    const params: ParamSpec[] = [{ name: "w", shape, init: this.opts.init ?? "heNormal", fanIn: n, fanOut: m }];
    if (this.opts.bias !== false) {
      params.push({ name: "b", shape: [m], init: this.opts.biasInit ?? "zeros", fanIn: n, fanOut: m });
    }
    (this as { label: string }).label = `dense ${n}→${m}`;
    return { outShape: [m], params };
  }

  bind(params: Param[]): void {
    this.w = params[0];
    this.b = params[1] ?? null;
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const n = this.#in, m = this.units, y = this.#y.get(batch * m, ctx.dtype);
    this.#x = x;
    if (this.b) { for (let i = 0; i < batch; i++) y.set(this.b.value, i * m); }
    const t = !!this.opts.transposed;
    ctx.gemm.gemm(false, t, batch, m, n, 1, x, n, this.w.value, t ? n : m, this.b ? 1 : 0, y, m);
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    const n = this.#in, m = this.units, x = this.#x!;
    this.#dy = dy;
    const t = !!this.opts.transposed;
    if (t) ctx.gemm.gemm(true, false, m, n, batch, 1, dy, m, x, n, 1, this.w.grad, n);
    else ctx.gemm.gemm(true, false, n, m, batch, 1, x, n, dy, m, 1, this.w.grad, m);
    if (this.b) {
      const g = this.b.grad;
      for (let i = 0; i < batch; i++) for (let j = 0, r = i * m; j < m; j++) g[j] += dy[r + j];
    }
    if (!needDx) return null;
    const dx = this.#dx.get(batch * n, ctx.dtype);
    ctx.gemm.gemm(false, !t, batch, n, m, 1, dy, m, this.w.value, t ? n : m, 0, dx, n);
    return dx;
  }

  perExample(batch: number, _ctx: Ctx, out: Arr, stride: number): void {
    const n = this.#in, m = this.units, x = this.#x!, dy = this.#dy!;
    for (let i = 0; i < batch; i++) {
      const row = i * stride, ow = row + this.w.offset, xi = i * n, di = i * m;
      if (this.opts.transposed) {
        for (let q = 0; q < m; q++) {
          const dv = dy[di + q], o = ow + q * n;
          for (let p = 0; p < n; p++) out[o + p] = dv * x[xi + p];
        }
      } else {
        for (let p = 0; p < n; p++) {
          const xv = x[xi + p], o = ow + p * m;
          for (let q = 0; q < m; q++) out[o + q] = xv * dy[di + q];
        }
      }
      if (this.b) { for (let q = 0, ob = row + this.b.offset; q < m; q++) out[ob + q] = dy[di + q]; }
    }
  }
}

/** An elementwise nonlinearity given by f(x) and f′ written in terms of (x, y). */
abstract class Elementwise implements Layer {
  abstract readonly label: string;
  #x: Arr | null = null;
  #y = new Scratch();
  #dx = new Scratch();
  #yv: Arr | null = null;
  protected abstract f(x: number): number;
  protected abstract df(x: number, y: number): number;

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    return { outShape: inShape, params: [] };
  }
  bind(): void {}

  forward(x: Arr, _batch: number, ctx: Ctx): Arr {
    const y = this.#y.get(x.length, ctx.dtype);
    for (let i = 0; i < x.length; i++) y[i] = this.f(x[i]);
    this.#x = x;
    this.#yv = y;
    return y;
  }

  backward(dy: Arr, _batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    if (!needDx) return null;
    const x = this.#x!, y = this.#yv!, dx = this.#dx.get(dy.length, ctx.dtype);
    for (let i = 0; i < dy.length; i++) dx[i] = dy[i] * this.df(x[i], y[i]);
    return dx;
  }
}

/** max(x, 0); the derivative at 0 is taken as 0. */
export class ReLU implements Layer {
  readonly label = "relu";
  #y = new Scratch();
  #dx = new Scratch();
  #yv: Arr | null = null;
  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    return { outShape: inShape, params: [] };
  }
  bind(): void {}
  forward(x: Arr, _batch: number, ctx: Ctx): Arr {
    const y = this.#y.get(x.length, ctx.dtype);
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
    this.#yv = y;
    return y;
  }
  backward(dy: Arr, _batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    if (!needDx) return null;
    const y = this.#yv!, dx = this.#dx.get(dy.length, ctx.dtype);
    for (let i = 0; i < dy.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
    return dx;
  }
}

/** tanh(x). */
export class Tanh extends Elementwise {
  readonly label = "tanh";
  protected f(x: number): number {
    return Math.tanh(x);
  }
  protected df(_x: number, y: number): number {
    return 1 - y * y;
  }
}

/** 1 / (1 + e^(−x)). */
export class Sigmoid extends Elementwise {
  readonly label = "sigmoid";
  protected f(x: number): number {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }
  protected df(_x: number, y: number): number {
    return y * (1 - y);
  }
}

/** x for x > 0, α·x otherwise (default α = 0.01). */
export class LeakyReLU extends Elementwise {
  readonly label: string;
  constructor(readonly alpha = 0.01) {
    super();
    this.label = `leaky-relu ${alpha}`;
  }
  protected f(x: number): number {
    return x > 0 ? x : this.alpha * x;
  }
  protected df(x: number): number {
    return x > 0 ? 1 : this.alpha;
  }
}

/** GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export class GELU extends Elementwise {
  readonly label = "gelu";
  protected f(x: number): number {
    return 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
  }
  protected df(x: number): number {
    const u = 0.7978845608028654 * (x + 0.044715 * x * x * x), t = Math.tanh(u);
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * x * x);
  }
}

/** Reshapes C×H×W (or any shape) to a vector; data are unchanged (row-major). */
export class Flatten implements Layer {
  readonly label = "flatten";
  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    return { outShape: [numel(inShape)], params: [] };
  }
  bind(): void {}
  forward(x: Arr): Arr {
    return x;
  }
  backward(dy: Arr, _b: number, _c: Ctx, needDx: boolean): Arr | null {
    return needDx ? dy : null;
  }
}

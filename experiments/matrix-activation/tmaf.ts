/**
 * Trainable matrix activation functions (TMAF, Liu, Cao, Li & Zikatanov, arXiv 2109.09948), diagonal form, and the
 * PReLU baseline, as layers of the training kit (lib/math/nn), each with a hand-written backward pass.
 *
 * TMAF replaces the elementwise σ(y) by a matrix–vector product σ(y) = D(y)·y with D(y) = diag(α_1(y_1), …, α_n(y_n)).
 * Each α_i is piecewise constant on the intervals cut by fixed knots s_1 < … < s_m:
 *   α_i(x) = t_{i,0} for x ≤ s_1, t_{i,j} for s_j < x ≤ s_{j+1}, t_{i,m} for x > s_m,
 * and the levels t_{i,j} are trained with the weights. With knots {0} and levels (0, 1) it is ReLU exactly; the
 * layer starts there (levels 0 on intervals left of 0 and 1 right of 0). Only comparisons and scalar products are
 * needed. The derivative is taken almost everywhere (α_i is constant on each interval): ∂σ_i/∂y_i = α_i(y_i),
 * ∂σ_i/∂t_{i,j} = y_i·[y_i in interval j].
 */
import type { Arr } from "../../lib/math/nn/gemm.ts";
import { type Ctx, type Layer, numel, Scratch } from "../../lib/math/nn/layer.ts";
import type { Param, ParamSpec } from "../../lib/math/nn/params.ts";

/** Index j of the interval holding x: 0 for x ≤ s_1, j for s_j < x ≤ s_{j+1}, m for x > s_m. */
export function intervalOf(x: number, knots: Float64Array): number {
  let j = 0;
  while (j < knots.length && x > knots[j]) j++;
  return j;
}

/** Uniform knots lo, lo + h, …, hi (count ≥ 1; a single knot sits at lo). */
export function uniformKnots(lo: number, hi: number, count: number): number[] {
  if (count === 1) return [lo];
  return Array.from({ length: count }, (_, k) => lo + (k * (hi - lo)) / (count - 1));
}

/** σ(y) = diag(α_i(y_i))·y with per-neuron trainable piecewise-constant α_i on fixed knots (paper §2, diagonal). */
export class MatrixActivation implements Layer {
  readonly label: string;
  readonly knots: Float64Array;
  levels!: Param;
  #n = 0;
  #x: Arr | null = null;
  #dy: Arr | null = null;
  #idx = new Int32Array(0);
  #y = new Scratch();
  #dx = new Scratch();

  constructor(knots: number[]) {
    if (knots.length < 1) throw new Error("tmaf: need at least one knot");
    for (let k = 1; k < knots.length; k++) {
      if (!(knots[k] > knots[k - 1])) throw new Error("tmaf: knots must increase strictly");
    }
    this.knots = Float64Array.from(knots);
    this.label = `tmaf ${knots.length + 1} intervals`;
  }

  /** Levels per neuron (intervals). */
  get intervals(): number {
    return this.knots.length + 1;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    this.#n = numel(inShape);
    const n = this.#n;
    return {
      outShape: inShape,
      params: [{ name: "t", shape: [n, this.intervals], init: "zeros", fanIn: n, fanOut: n }],
    };
  }

  bind(params: Param[]): void {
    this.levels = params[0];
  }

  /** Sets every α_i to ReLU's levels: 0 on intervals below 0, 1 on intervals above (0 must be a knot to be exact). */
  initRelu(): void {
    const m = this.intervals, t = this.levels.value;
    for (let i = 0; i < this.#n; i++) {
      for (let j = 0; j < m; j++) t[i * m + j] = j > 0 && this.knots[j - 1] >= 0 ? 1 : 0;
    }
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const n = this.#n, m = this.intervals, t = this.levels.value, s = this.knots, y = this.#y.get(batch * n, ctx.dtype);
    if (this.#idx.length < batch * n) this.#idx = new Int32Array(batch * n);
    const idx = this.#idx;
    for (let b = 0, r = 0; b < batch; b++) {
      for (let i = 0; i < n; i++, r++) {
        const v = x[r], j = intervalOf(v, s);
        idx[r] = j;
        y[r] = t[i * m + j] * v;
      }
    }
    this.#x = x;
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    const n = this.#n, m = this.intervals, t = this.levels.value, g = this.levels.grad, x = this.#x!, idx = this.#idx;
    this.#dy = dy;
    for (let b = 0, r = 0; b < batch; b++) {
      for (let i = 0; i < n; i++, r++) g[i * m + idx[r]] += dy[r] * x[r];
    }
    if (!needDx) return null;
    const dx = this.#dx.get(batch * n, ctx.dtype);
    for (let b = 0, r = 0; b < batch; b++) {
      for (let i = 0; i < n; i++, r++) dx[r] = dy[r] * t[i * m + idx[r]];
    }
    return dx;
  }

  perExample(batch: number, _ctx: Ctx, out: Arr, stride: number): void {
    const n = this.#n, m = this.intervals, x = this.#x!, dy = this.#dy!, idx = this.#idx, off = this.levels.offset;
    for (let b = 0, r = 0; b < batch; b++) {
      const o = b * stride + off;
      out.fill(0, o, o + n * m);
      for (let i = 0; i < n; i++, r++) out[o + i * m + idx[r]] = dy[r] * x[r];
    }
  }
}

/** PReLU (He et al. 2015), one trainable slope a_i per neuron: y = x for x > 0, a_i·x otherwise (a_i starts at 0.25). */
export class PReLU implements Layer {
  readonly label = "prelu";
  slope!: Param;
  #n = 0;
  #x: Arr | null = null;
  #dy: Arr | null = null;
  #y = new Scratch();
  #dx = new Scratch();

  constructor(readonly init = 0.25) {}

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    this.#n = numel(inShape);
    const n = this.#n;
    return { outShape: inShape, params: [{ name: "a", shape: [n], init: "zeros", fanIn: n, fanOut: n }] };
  }

  bind(params: Param[]): void {
    this.slope = params[0];
  }

  /** Sets every slope to the initial value. */
  initSlopes(): void {
    this.slope.value.fill(this.init);
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const n = this.#n, a = this.slope.value, y = this.#y.get(batch * n, ctx.dtype);
    for (let b = 0, r = 0; b < batch; b++) {
      for (let i = 0; i < n; i++, r++) y[r] = x[r] > 0 ? x[r] : a[i] * x[r];
    }
    this.#x = x;
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    const n = this.#n, a = this.slope.value, g = this.slope.grad, x = this.#x!;
    this.#dy = dy;
    for (let b = 0, r = 0; b < batch; b++) {
      for (let i = 0; i < n; i++, r++) if (!(x[r] > 0)) g[i] += dy[r] * x[r];
    }
    if (!needDx) return null;
    const dx = this.#dx.get(batch * n, ctx.dtype);
    for (let b = 0, r = 0; b < batch; b++) {
      for (let i = 0; i < n; i++, r++) dx[r] = x[r] > 0 ? dy[r] : a[i] * dy[r];
    }
    return dx;
  }

  perExample(batch: number, _ctx: Ctx, out: Arr, stride: number): void {
    const n = this.#n, x = this.#x!, dy = this.#dy!, off = this.slope.offset;
    for (let b = 0, r = 0; b < batch; b++) {
      for (let i = 0; i < n; i++, r++) out[b * stride + off + i] = x[r] > 0 ? 0 : dy[r] * x[r];
    }
  }
}

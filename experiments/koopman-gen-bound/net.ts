/**
 * The network of the experiment: L square invertible layers x ↦ σ(W_j x + b_j) on ℝ^d, then a linear read-out
 * ℝ^d → ℝ^10, trained by SGD on cross-entropy plus λ·Σ_j R(W_j), R the condition-number regulariser of bounds.ts.
 * The square weights start Haar-orthogonal (κ = 1), the read-out He-normal. σ is a smooth leaky unit,
 * σ(x) = a·x + (1 − a)·softplus(x): smooth, strictly increasing and onto ℝ with σ′ ∈ (a, 1), so each layer is a
 * diffeomorphism as the Koopman bound for invertible weights asks of the activation.
 */
import type { Linalg } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";
import {
  type Arr,
  type Ctx,
  Dense,
  type Examples,
  type Layer,
  type Optimizer,
  type ParamSpec,
  Scratch,
  Sequential,
  SGD,
  train,
} from "../../lib/math/nn/mod.ts";
import { addCondGrad, randomOrthogonal } from "./bounds.ts";

/** σ(x) = a·x + (1 − a)·log(1 + eˣ), σ′(x) = a + (1 − a)/(1 + e⁻ˣ). */
export class SmoothLeaky implements Layer {
  readonly label: string;
  #x: Arr | null = null;
  #y = new Scratch();
  #dx = new Scratch();
  constructor(readonly a = 0.1) {
    this.label = `smooth-leaky ${a}`;
  }
  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    return { outShape: inShape, params: [] };
  }
  bind(): void {}
  forward(x: Arr, _batch: number, ctx: Ctx): Arr {
    const y = this.#y.get(x.length, ctx.dtype), a = this.a;
    for (let i = 0; i < x.length; i++) {
      const v = x[i], sp = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      y[i] = a * v + (1 - a) * sp;
    }
    this.#x = x;
    return y;
  }
  backward(dy: Arr, _batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    if (!needDx) return null;
    const x = this.#x!, dx = this.#dx.get(dy.length, ctx.dtype), a = this.a;
    for (let i = 0; i < dy.length; i++) {
      const v = x[i], sig = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      dx[i] = dy[i] * (a + (1 - a) * sig);
    }
    return dx;
  }
}

/** L square d×d layers with σ, then dense d → classes; He-normal weights (see `fitSquareNet`), zero biases. */
export function squareNet(d: number, depth: number, o: { rng: Rng; slope: number; classes?: number }): Sequential {
  const layers: Layer[] = [];
  for (let j = 0; j < depth; j++) layers.push(new Dense(d), new SmoothLeaky(o.slope));
  layers.push(new Dense(o.classes ?? 10));
  return new Sequential(layers, [d], { dtype: "float64", rng: o.rng });
}

/** The square weight matrices of `squareNet` (views, d×d row-major: y = x·W). */
export function squareWeights(net: Sequential, depth: number): { value: Arr; grad: Arr }[] {
  return Array.from({ length: depth }, (_, j) => net.store.get(`${2 * j}.w`));
}

/** An optimiser that adds λ·∇Σ_j R(W_j) to the minibatch gradient before each step of `inner`. */
export class CondRegularized implements Optimizer {
  /** λ·Σ_j R(W_j) at the latest step. */
  penalty = 0;
  constructor(
    readonly inner: Optimizer,
    readonly ws: { value: Arr; grad: Arr }[],
    readonly d: number,
    readonly lambda: number,
    readonly la: Linalg,
  ) {}
  get t(): number {
    return this.inner.t;
  }
  lr(): number {
    return this.inner.lr();
  }
  step(value: Arr, grad: Arr): void {
    if (this.lambda > 0) {
      this.penalty = 0;
      for (const w of this.ws) this.penalty += addCondGrad(w.value, w.grad, this.d, this.lambda, this.la);
    }
    this.inner.step(value, grad);
  }
}

/** Training options. */
export interface FitOpts {
  depth: number;
  lambda: number;
  lr: number;
  momentum: number;
  batch: number;
  epochs: number;
  slope: number;
}

/** Trains a `squareNet` on `tr` (inputs of width d) and returns it. */
export function fitSquareNet(tr: Examples, d: number, o: FitOpts, rng: Rng, la: Linalg): Sequential {
  const net = squareNet(d, o.depth, { rng: rng.split("init"), slope: o.slope });
  const orth = rng.split("orthogonal-init");
  for (const w of squareWeights(net, o.depth)) w.value.set(randomOrthogonal(d, () => orth.normal(), la));
  const sgd = new SGD({ lr: o.lr, momentum: o.momentum });
  const opt = new CondRegularized(sgd, squareWeights(net, o.depth), d, o.lambda, la);
  train({ model: net, optimizer: opt, ...tr, batchSize: o.batch, epochs: o.epochs, rng: rng.split("shuffle") });
  return net;
}

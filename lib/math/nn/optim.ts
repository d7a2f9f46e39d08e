/**
 * Optimisers over a flat parameter vector (SGD with momentum, Adam, AdamW) and learning-rate schedules.
 *
 * Conventions are PyTorch's (torch.optim): SGD v ← μv + g, θ ← θ − η·v (Nesterov: θ ← θ − η(g + μv)); weight decay
 * in SGD and Adam is L2 (g ← g + λθ); AdamW decays decoupled, θ ← θ − ηλθ before the Adam step; Adam's bias
 * corrections use the 1-based step count t. SGD's vector updates run as BLAS axpy/scal on the native backend.
 * Optimiser state has the parameters' precision, as in PyTorch.
 */
import { type Arr, type Gemm, gemmBackend } from "./gemm.ts";

/** Learning rate as a function of the 0-based step index. */
export type Schedule = (step: number) => number;

/** A constant learning rate. */
export const constant = (lr: number): Schedule => () => lr;

/** lr·γ^⌊t / every⌋ (PyTorch StepLR counted in steps). */
export const stepDecay = (lr: number, every: number, gamma = 0.1): Schedule => (t) =>
  lr * gamma ** Math.floor(t / every);

/** Cosine annealing from lr to minLr over `total` steps, then minLr: minLr + (lr − minLr)(1 + cos(πt/total))/2. */
export const cosine = (lr: number, total: number, minLr = 0): Schedule => (t) =>
  t >= total ? minLr : minLr + 0.5 * (lr - minLr) * (1 + Math.cos((Math.PI * t) / total));

/** Linear warm-up over the first `steps` steps (lr·(t+1)/steps of the wrapped schedule's value), then `after`. */
export const linearWarmup = (after: Schedule, steps: number): Schedule => (t) =>
  t < steps ? (after(t) * (t + 1)) / steps : after(t);

/** An update rule with its own state, one step at a time. */
export interface Optimizer {
  /** Steps taken so far. */
  readonly t: number;
  /** The learning rate the next step will use. */
  lr(): number;
  /** θ ← update(θ, ∂L/∂θ); advances t. */
  step(value: Arr, grad: Arr): void;
}

const sched = (lr: number | Schedule): Schedule => (typeof lr === "number" ? constant(lr) : lr);

/** SGD options. */
export interface SgdOpts {
  lr: number | Schedule;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay. */
export class SGD implements Optimizer {
  t = 0;
  /** The vector kernels (BLAS axpy/scal natively); default: follow lib/math/linalg's backend at each step. */
  kernel: Gemm | null = null;
  #v: Arr | null = null;
  readonly #lr: Schedule;
  constructor(readonly opts: SgdOpts) {
    this.#lr = sched(opts.lr);
  }
  lr(): number {
    return this.#lr(this.t);
  }
  step(value: Arr, grad: Arr): void {
    const lr = this.lr(), mu = this.opts.momentum ?? 0, wd = this.opts.weightDecay ?? 0, n = value.length;
    const k = this.kernel ?? gemmBackend();
    if (wd !== 0) {
      grad = grad.slice();
      k.axpy(n, wd, value, grad); // g + λθ, on a copy
    }
    if (mu === 0) {
      k.axpy(n, -lr, grad, value);
    } else {
      // PyTorch starts the buffer at the first gradient: v₁ = g₁; then v ← μv + g.
      if (!this.#v) this.#v = grad.slice();
      else {
        k.scal(n, mu, this.#v);
        k.axpy(n, 1, grad, this.#v);
      }
      if (this.opts.nesterov) {
        k.axpy(n, -lr, grad, value);
        k.axpy(n, -lr * mu, this.#v, value);
      } else k.axpy(n, -lr, this.#v, value);
    }
    this.t++;
  }
}

/** Adam / AdamW options. */
export interface AdamOpts {
  lr: number | Schedule;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/** Adam (Kingma & Ba 2015) with L2 weight decay folded into the gradient. */
export class Adam implements Optimizer {
  t = 0;
  #m: Arr | null = null;
  #v: Arr | null = null;
  readonly #lr: Schedule;
  protected decoupled = false;
  constructor(readonly opts: AdamOpts) {
    this.#lr = sched(opts.lr);
  }
  lr(): number {
    return this.#lr(this.t);
  }
  step(value: Arr, grad: Arr): void {
    const n = value.length, lr = this.lr(), b1 = this.opts.beta1 ?? 0.9, b2 = this.opts.beta2 ?? 0.999;
    const eps = this.opts.eps ?? 1e-8, wd = this.opts.weightDecay ?? (this.decoupled ? 0.01 : 0);
    const m = (this.#m ??= zerosLike(value)), v = (this.#v ??= zerosLike(value));
    const t = ++this.t, c1 = 1 - b1 ** t, c2 = 1 - b2 ** t, step = lr / c1, ic2 = 1 / c2;
    if (this.decoupled && wd !== 0) { for (let i = 0; i < n; i++) value[i] -= lr * wd * value[i]; }
    const l2 = this.decoupled ? 0 : wd;
    for (let i = 0; i < n; i++) {
      const g = grad[i] + l2 * value[i];
      const mi = m[i] = b1 * m[i] + (1 - b1) * g;
      const vi = v[i] = b2 * v[i] + (1 - b2) * g * g;
      value[i] -= (step * mi) / (Math.sqrt(vi * ic2) + eps);
    }
  }
}

const zerosLike = (
  a: Arr,
): Arr => (a instanceof Float32Array ? new Float32Array(a.length) : new Float64Array(a.length));

/** AdamW (Loshchilov & Hutter 2019): decoupled weight decay, default λ = 0.01 as in PyTorch. */
export class AdamW extends Adam {
  constructor(opts: AdamOpts) {
    super(opts);
    this.decoupled = true;
  }
}

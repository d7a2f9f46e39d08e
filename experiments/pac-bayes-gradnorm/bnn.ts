/**
 * A mean-field Gaussian posterior q = N(μ, diag σ²) over the weights of a ReLU MLP built with lib/math/nn, with
 * σ = softplus(ρ), trained by the reparameterisation trick (w = μ + σ⊙ε, ε ~ N(0, I)) on
 * cross-entropy(w) + β·KL(q‖p)/n against a centred isotropic Gaussian prior p = N(0, σ_p² I); and the quantities
 * the PAC-Bayes bound needs: KL(q‖p) in closed form, the Gibbs empirical/test risks, and the loss-gradient norms
 * E_q E_S ‖∇_x ℓ‖² (input) and E_q E_S ‖∇_w ℓ‖² (weights, per example), by Monte Carlo over posterior draws.
 */
import type { Rng } from "../../lib/math/rng.ts";
import {
  Adam,
  type Arr,
  type Ctx,
  Dense,
  type Examples,
  type Layer,
  type ParamSpec,
  ReLU,
  Scratch,
  Sequential,
  softmaxCrossEntropy,
} from "../../lib/math/nn/mod.ts";

/** Pass-through first layer that keeps ∂L/∂x from the latest backward pass (the input gradient). */
export class InputTap implements Layer {
  readonly label = "input tap";
  dx: Arr | null = null;
  #dx = new Scratch();
  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    return { outShape: inShape, params: [] };
  }
  bind(): void {}
  forward(x: Arr): Arr {
    return x;
  }
  backward(dy: Arr, _batch: number, ctx: Ctx): Arr | null {
    const d = this.#dx.get(dy.length, ctx.dtype);
    d.set(dy);
    this.dx = d.subarray(0, dy.length);
    return null;
  }
}

/** softplus(ρ) = log(1 + e^ρ), stable. */
export const softplus = (r: number): number => (r > 0 ? r + Math.log1p(Math.exp(-r)) : Math.log1p(Math.exp(r)));
/** The logistic function, softplus′. */
export const sigmoid = (r: number): number => (r >= 0 ? 1 / (1 + Math.exp(-r)) : Math.exp(r) / (1 + Math.exp(r)));
/** ρ with softplus(ρ) = s. */
export const invSoftplus = (s: number): number => s + Math.log(-Math.expm1(-s));

/**
 * KL(N(μ, diag σ²) ‖ N(0, σ_p² I)) = Σ_i [log(σ_p/σ_i) + (σ_i² + μ_i²)/(2σ_p²) − ½], σ_i = softplus(ρ_i). With
 * `gMu`/`gRho` it adds c·∂KL/∂μ_i = c·μ_i/σ_p² and c·∂KL/∂ρ_i = c·(σ_i/σ_p² − 1/σ_i)·sigmoid(ρ_i).
 */
export function klMeanField(
  mu: ArrayLike<number>,
  rho: ArrayLike<number>,
  priorSigma: number,
  grad?: { gMu: Arr; gRho: Arr; c: number },
): number {
  const v = priorSigma * priorSigma, lp = Math.log(priorSigma);
  let kl = 0;
  for (let i = 0; i < mu.length; i++) {
    const s = softplus(rho[i]);
    kl += lp - Math.log(s) + (s * s + mu[i] * mu[i]) / (2 * v) - 0.5;
    if (grad) {
      grad.gMu[i] += grad.c * mu[i] / v;
      grad.gRho[i] += grad.c * (s / v - 1 / s) * sigmoid(rho[i]);
    }
  }
  return kl;
}

/** Options of a mean-field MLP. */
export interface MeanFieldOpts {
  /** Input size. */
  inputs: number;
  /** Hidden width. */
  width: number;
  /** Number of hidden layers. */
  depth: number;
  classes?: number;
  /** Prior standard deviation σ_p. */
  priorSigma: number;
  /** Initial posterior standard deviation σ₀ (μ starts at the He-normal initialisation). */
  sigma0: number;
  rng: Rng;
}

/** A mean-field Gaussian posterior over a ReLU MLP's weights and biases. */
export class MeanFieldMlp {
  readonly net: Sequential;
  readonly tap: InputTap;
  readonly mu: Float64Array;
  readonly rho: Float64Array;
  readonly eps: Float64Array;
  readonly priorSigma: number;
  readonly classes: number;

  constructor(o: MeanFieldOpts) {
    this.classes = o.classes ?? 10;
    this.tap = new InputTap();
    const layers: Layer[] = [this.tap];
    for (let l = 0; l < o.depth; l++) layers.push(new Dense(o.width), new ReLU());
    layers.push(new Dense(this.classes));
    this.net = new Sequential(layers, [o.inputs], { dtype: "float64", rng: o.rng.split("init") });
    this.mu = Float64Array.from(this.net.store.value);
    this.rho = new Float64Array(this.mu.length).fill(invSoftplus(o.sigma0));
    this.eps = new Float64Array(this.mu.length);
    this.priorSigma = o.priorSigma;
  }

  /** Number of weights and biases. */
  get size(): number {
    return this.mu.length;
  }

  /** Writes w = μ + σ⊙ε into the network, with ε drawn from `rng` (or ε = 0: the posterior mean). */
  sample(rng: Rng | null): void {
    const w = this.net.store.value, e = this.eps;
    if (rng) e.set(rng.normal(e.length) as Float64Array);
    else e.fill(0);
    for (let i = 0; i < w.length; i++) w[i] = this.mu[i] + softplus(this.rho[i]) * e[i];
  }

  /** KL(q‖p) in nats. */
  kl(): number {
    return klMeanField(this.mu, this.rho, this.priorSigma);
  }

  /**
   * The objective F = CE(μ + σ⊙ε; batch) + c·KL(q‖p) at the current ε (call `sample` first) and its gradients by
   * the reparameterisation trick: ∂F/∂μ = g + c·∂KL/∂μ, ∂F/∂ρ = g⊙ε⊙sigmoid(ρ) + c·∂KL/∂ρ, g = ∂CE/∂w.
   */
  objectiveGrad(x: ArrayLike<number>, y: ArrayLike<number>, batch: number, c: number, gMu: Arr, gRho: Arr): number {
    const ce = this.net.lossAndGrad(x, y, batch);
    const g = this.net.store.grad, e = this.eps;
    for (let i = 0; i < g.length; i++) {
      gMu[i] = g[i];
      gRho[i] = g[i] * e[i] * sigmoid(this.rho[i]);
    }
    return ce + c * klMeanField(this.mu, this.rho, this.priorSigma, { gMu, gRho, c });
  }
}

/** Training options. */
export interface FitOpts {
  epochs: number;
  batch: number;
  lr: number;
  /** β: the objective is CE + β·KL/n. */
  klWeight: number;
}

/** Adam on (μ, ρ), one fresh ε per minibatch, reshuffled every epoch. */
export function fitMeanField(m: MeanFieldMlp, tr: Examples<Float64Array, Int32Array>, o: FitOpts, rng: Rng): void {
  const d = m.net.inSize, n = tr.n, c = o.klWeight / n;
  const aMu = new Adam({ lr: o.lr }), aRho = new Adam({ lr: o.lr });
  const gMu = new Float64Array(m.size), gRho = new Float64Array(m.size);
  const xb = new Float64Array(o.batch * d), yb = new Int32Array(o.batch);
  const order = Array.from({ length: n }, (_, i) => i), shuffle = rng.split("order"), noise = rng.split("eps");
  for (let ep = 0; ep < o.epochs; ep++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(shuffle.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let s = 0; s + o.batch <= n; s += o.batch) {
      for (let k = 0; k < o.batch; k++) {
        const r = order[s + k];
        xb.set(tr.x.subarray(r * d, (r + 1) * d), k * d);
        yb[k] = tr.y[r];
      }
      m.sample(noise);
      m.objectiveGrad(xb, yb, o.batch, c, gMu, gRho);
      aMu.step(m.mu, gMu);
      aRho.step(m.rho, gRho);
    }
  }
}

/** Monte-Carlo estimates under q on one data set. */
export interface GibbsStats {
  /** E_q mean cross-entropy. */
  ce: number;
  /** E_q error rate. */
  err: number;
  /** E_q mean_i ‖∇_x ℓ(w, z_i)‖². */
  gradX: number;
  /** E_q mean_i ‖∇_w ℓ(w, z_i)‖² (per-example weight gradients). */
  gradW: number;
}

/** Gibbs risks and gradient norms over `draws` posterior samples (the same samples for every data set). */
export function gibbsStats(
  m: MeanFieldMlp,
  sets: Examples<Float64Array, Int32Array>[],
  draws: number,
  rng: Rng,
  gradN: number,
): GibbsStats[] {
  const out = sets.map(() => ({ ce: 0, err: 0, gradX: 0, gradW: 0 }));
  const d = m.net.inSize, chunk = 25;
  for (let t = 0; t < draws; t++) {
    m.sample(rng.split(t));
    sets.forEach((s, j) => {
      const o = out[j];
      o.ce += m.net.loss(s.x, s.y, s.n) / draws;
      o.err += (1 - m.net.accuracy(s.x, s.y, s.n)) / draws;
      const ng = Math.min(gradN, s.n);
      for (let off = 0; off < ng; off += chunk) {
        const b = Math.min(chunk, ng - off), xs = s.x.subarray(off * d, (off + b) * d), ys = s.y.subarray(off, off + b);
        const pe = m.net.perExampleGrads(xs, ys, b);
        const dx = m.tap.dx!;
        for (let i = 0; i < b * d; i++) o.gradX += dx[i] * dx[i] / (ng * draws);
        for (let i = 0; i < pe.length; i++) o.gradW += pe[i] * pe[i] / (ng * draws);
      }
    });
  }
  return out;
}

/** Mean cross-entropy of the network's current weights on a batch (no gradient); for checks. */
export function batchLoss(m: MeanFieldMlp, x: Float64Array, y: Int32Array, batch: number): number {
  const z = m.net.forward(x, batch);
  return softmaxCrossEntropy(z, y, batch, m.classes);
}

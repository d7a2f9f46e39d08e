/**
 * Training loops for FactorNets (lib/math/nn/factorized.ts) shared by the modules that pretrain a dense MLP and
 * then adapt, compress or merge it (loldu, rmm, welore, …): minibatch epochs with a per-tensor step rule, and the
 * pretrained dense MLP they all start from.
 */
import type { Rng } from "../rng.ts";
import { DenseLayer, type FactorLayer, FactorNet, type FactorParam, UVLayer } from "./factorized.ts";
import { type Labelled, minibatches, mlpSizes } from "./labelled.ts";

/** How {@link fitEpochs} trains: epochs, minibatch size, the order's stream, and the update of each tensor. */
export interface FitOptions {
  epochs: number;
  batch: number;
  /** Epoch e shuffles with `rng.split("epoch" + e)`. */
  rng: Rng;
  /** Updates tensor `p` (the k-th of `params`) from its gradient, after each minibatch. */
  step: (p: FactorParam, k: number) => void;
}

/**
 * Minibatch epochs over `d`: forward and backward on each minibatch, then `step` on every tensor of `params`.
 * Returns each epoch's mean training loss (over examples).
 */
export function fitEpochs(net: FactorNet, params: FactorParam[], d: Labelled, o: FitOptions): number[] {
  const losses: number[] = [];
  for (let ep = 0; ep < o.epochs; ep++) {
    const perm = o.rng.split(`epoch${ep}`).permutation(d.x.rows);
    let sum = 0, count = 0;
    for (const b of minibatches(d, perm, o.batch)) {
      sum += net.lossAndGrad(b.x, b.y).loss * b.y.length;
      count += b.y.length;
      params.forEach((p, k) => o.step(p, k));
    }
    losses.push(sum / count);
  }
  return losses;
}

/** A plain SGD step at rate `lr`, for {@link FitOptions.step}. */
export const sgdStep = (lr: number) => (p: FactorParam): void => {
  for (let i = 0; i < p.value.length; i++) p.value[i] -= lr * p.grad[i];
};

/**
 * The dense ReLU MLP 784 → hidden (× depth) → 10 with PyTorch's default initialisation (layer i from
 * `rng.split("layer" + i)`), trained by plain SGD on `src` (order from `rng.split("order")`).
 */
export function pretrainMlp(
  src: Labelled,
  cfg: { hidden: number; depth: number; preEpochs: number; batch: number; preLr: number },
  rng: Rng,
): FactorNet {
  const s = mlpSizes(cfg.hidden, cfg.depth);
  const layers: FactorLayer[] = [];
  for (let i = 0; i + 1 < s.length; i++) layers.push(new DenseLayer(s[i], s[i + 1], { rng: rng.split(`layer${i}`) }));
  const net = new FactorNet(layers);
  const order = rng.split("order");
  fitEpochs(net, layers.flatMap((l) => l.params()), src, {
    epochs: cfg.preEpochs,
    batch: cfg.batch,
    rng: order,
    step: sgdStep(cfg.preLr),
  });
  return net;
}

/**
 * A deep copy of a net of dense and UV layers (e.g. fine-tuning candidates that start from the same compressed
 * point); other layer kinds are refused.
 */
export function cloneNet(net: FactorNet): FactorNet {
  return new FactorNet(net.layers.map((l) => {
    if (l instanceof UVLayer) {
      return new UVLayer(l.inDim, l.outDim, l.rank, {
        u: { rows: l.outDim, cols: l.rank, data: l.u.value },
        v: { rows: l.inDim, cols: l.rank, data: l.v.value },
        bias: l.b.value,
      });
    }
    if (l instanceof DenseLayer) return new DenseLayer(l.inDim, l.outDim, { weight: l.weight(), bias: l.b.value });
    throw new Error(`cloneNet: ${l.label} is neither a dense nor a UV layer`);
  }));
}

/**
 * Regularization-based pruning of irrelevant weights (Bonetta, Ribero & Cancelliere, Applied Intelligence 2023,
 * arXiv 2204.04977), after the official code giobin/Applied_Intelligence_sparsity (`utils/pruning.py`,
 * `main_trans.py`):
 *
 *   relevance regulariser:  R(w) = γ Σ_i exp(−|g_i|/α)·w_i²,  g = ∂L/∂w of the minibatch, held constant
 *                           (official `get_regularizer`: `param.grad.data`), so ∂R/∂w_i = 2γ·exp(−|g_i|/α)·w_i:
 *                           weights the loss barely depends on ("irrelevant") are shrunk, relevant ones are not;
 *   baselines:              L2: R = γ Σ w², ∂R/∂w = 2γw;  L1: R = γ Σ |w|, ∂R/∂w = γ·sign(w);
 *   γ decay (relevance):    γ_t = max(0, γ₀ − γ₀·t/T), T = steps per epoch, t reset after each prune
 *                           (official `gamma_decay`);
 *   iterative pruning:      every epoch, if validation accuracy ≥ the bound, the state is kept and then a
 *                           fraction q of the remaining weights is cut by global magnitude (official `crop`:
 *                           prune.global_unstructured, L1Unstructured, amount q); the last kept state is the result.
 * On LeNet-300-100 built from the kit's DenseLayer/FactorNet, pruning masks through FactorNet.setMasks.
 */
import { DenseLayer, FactorNet } from "../../lib/math/nn/factorized.ts";
import { globalMagnitudeMask } from "../../lib/math/nn/prune.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { accuracy, minibatches, type Splits } from "../../lib/math/nn/labelled.ts";

export type Reg = "relevance" | "l2" | "l1";

export interface PruneCfg {
  epochs: number;
  batch: number;
  lr: number;
  alpha: number;
  pruneFrac: number;
  accBound: number;
}

/** ∂R/∂w added to the loss gradient g, in place: g ← g + ∂R/∂w (w masked entries stay irrelevant: masked later). */
export function addRegGrad(reg: Reg, w: Float64Array, g: Float64Array, gamma: number, alpha: number): void {
  for (let i = 0; i < w.length; i++) {
    if (reg === "relevance") g[i] += 2 * gamma * Math.exp(-Math.abs(g[i]) / alpha) * w[i];
    else if (reg === "l2") g[i] += 2 * gamma * w[i];
    else g[i] += gamma * Math.sign(w[i]);
  }
}

/** The regulariser's value at (w, g) (g held constant), for tests. */
export function regValue(reg: Reg, w: ArrayLike<number>, g: ArrayLike<number>, gamma: number, alpha: number): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    s += reg === "relevance"
      ? Math.exp(-Math.abs(g[i]) / alpha) * w[i] * w[i]
      : reg === "l2"
      ? w[i] * w[i]
      : Math.abs(w[i]);
  }
  return gamma * s;
}

/** LeNet-300-100 (784-300-100-10, ReLU), PyTorch default init; `sizes` overrides the hidden widths. */
export function lenet(rng: Rng, sizes = [784, 300, 100, 10]): FactorNet {
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new DenseLayer(sizes[i], sizes[i + 1], { rng: rng.split(`layer${i}`) }));
  }
  return new FactorNet(layers);
}

export interface Pruned {
  net: FactorNet;
  /** Fraction of weights (biases excluded) pruned in the kept state. */
  sparsity: number;
  valAcc: number;
  /** Sparsity of the kept state after each epoch. */
  curve: number[];
}

/** Train with regulariser `reg` at strength γ₀ and prune iteratively under the validation-accuracy bound. */
export function trainPrune(
  reg: Reg,
  d: Splits,
  cfg: PruneCfg & { sizes?: number[] },
  gamma0: number,
  rng: Rng,
): Pruned {
  const net = lenet(rng.split("init"), cfg.sizes);
  const dense = net.layers as DenseLayer[];
  const total = dense.reduce((s, l) => s + l.w.value.length, 0);
  let masks: Uint8Array[] = dense.map((l) => new Uint8Array(l.w.value.length).fill(1));
  let sparsity = 0;
  let kept: { w: Float64Array[]; b: Float64Array[]; sparsity: number; valAcc: number } | null = null;
  const n = d.train.x.rows, perEpoch = Math.ceil(n / cfg.batch), curve: number[] = [];
  let t = 0;
  for (let ep = 0; ep < cfg.epochs; ep++) {
    const perm = rng.split(`epoch${ep}`).permutation(n);
    for (const { x: xb, y: yb } of minibatches(d.train, perm, cfg.batch)) {
      net.lossAndGrad(xb, yb);
      const gamma = reg === "relevance" ? Math.max(0, gamma0 - gamma0 * t / perEpoch) : gamma0;
      for (const l of dense) addRegGrad(reg, l.w.value, l.w.grad, gamma, cfg.alpha);
      for (const l of dense) {
        for (const p of l.params()) for (let k = 0; k < p.value.length; k++) p.value[k] -= cfg.lr * p.grad[k];
      }
      net.setMasks(masks);
      t++;
    }
    const valAcc = accuracy(net, d.val);
    if (valAcc >= cfg.accBound) {
      kept = { w: dense.map((l) => l.w.value.slice()), b: dense.map((l) => l.b.value.slice()), sparsity, valAcc };
      sparsity = 1 - (1 - sparsity) * (1 - cfg.pruneFrac);
      masks = globalMagnitudeMask(dense.map((l) => l.w.value), sparsity, masks);
      net.setMasks(masks);
      t = 0; // official: gamma reset after each crop
    }
    curve.push(kept?.sparsity ?? 0);
  }
  if (kept) {
    dense.forEach((l, i) => {
      l.w.value.set(kept!.w[i]);
      l.b.value.set(kept!.b[i]);
    });
    return { net, sparsity: kept.sparsity, valAcc: kept.valAcc, curve };
  }
  // Never met the bound: the unpruned-so-far net as it ended (sparsity counted from its zeros).
  let zeros = 0;
  for (const l of dense) for (const v of l.w.value) zeros += v === 0 ? 1 : 0;
  return { net, sparsity: zeros / total, valAcc: accuracy(net, d.val), curve };
}

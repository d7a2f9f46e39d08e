/**
 * The backbone and the task adapters for the RMM module, on lib/math/nn/factorized.ts (float64 `FactorNet`):
 * a 784 → h → h → 10 ReLU MLP pretrained by SGD on upright Fashion-MNIST, then one LoRA per task (every layer,
 * head included: W₀ + (α/r)·B·A with α = r, W₀ and biases frozen) trained by Adam on that task alone. Merged or
 * reconstructed deltas are evaluated by a dense copy of the backbone with W₀ + Δ in each layer.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { DenseLayer, FactorNet, LoraLayer, type M } from "../../lib/math/nn/factorized.ts";
import { Adam } from "../../lib/math/nn/optim.ts";
import type { LoraFactors } from "./merge.ts";
import type { Labelled } from "../../lib/math/nn/labelled.ts";
import { fitEpochs, pretrainMlp } from "../../lib/math/nn/factor_train.ts";

/**
 * One LoRA per layer of `pre` (head included), trained by Adam at `lr` on `train`; returns its factors. The
 * factors A start from `initRng` (the same stream for every task, as when each task's run uses one seed) and the
 * minibatch order comes from `orderRng`.
 */
export function trainLora(
  pre: FactorNet,
  train: Labelled,
  cfg: { rank: number; epochs: number; batch: number; lr: number },
  initRng: Rng,
  orderRng: Rng,
): LoraFactors[] {
  const layers = pre.layers.map((l0, i) => {
    const l = l0 as DenseLayer;
    return new LoraLayer(l.inDim, l.outDim, Math.min(cfg.rank, l.inDim, l.outDim), {
      base: l.weight(),
      bias: l.b.value,
      rng: initRng.split(`lora${i}`),
    });
  });
  const net = new FactorNet(layers);
  const params = layers.flatMap((l) => l.params());
  const opts = params.map(() => new Adam({ lr: cfg.lr }));
  fitEpochs(net, params, train, {
    epochs: cfg.epochs,
    batch: cfg.batch,
    rng: orderRng,
    step: (p, k) => opts[k].step(p.value, p.grad),
  });
  return layers.map((l) => ({
    a: { rows: l.rank, cols: l.inDim, data: l.a.value.slice() },
    b: { rows: l.outDim, cols: l.rank, data: l.bB.value.slice() },
    scale: l.scale,
  }));
}

/** A dense copy of `pre` with W₀ + Δ_ℓ in layer ℓ (biases unchanged). */
export function withDeltas(pre: FactorNet, deltas: M[]): FactorNet {
  return new FactorNet(pre.layers.map((l0, i) => {
    const l = l0 as DenseLayer, w = l.weight();
    const d = deltas[i];
    if (d.rows !== w.rows || d.cols !== w.cols) throw new Error(`rmm: delta ${i} is ${d.rows}×${d.cols}`);
    const data = w.data.slice();
    for (let k = 0; k < data.length; k++) data[k] += d.data[k];
    return new DenseLayer(l.inDim, l.outDim, {
      weight: { rows: w.rows, cols: w.cols, data },
      bias: l.b.value,
    });
  }));
}

/** The pretrained dense net 784 → h → h → 10 (lib/math/nn/factor_train.ts pretrainMlp at depth 2). */
export function pretrain(
  src: Labelled,
  cfg: { hidden: number; preEpochs: number; batch: number; preLr: number },
  rng: Rng,
): FactorNet {
  return pretrainMlp(src, { ...cfg, depth: 2 }, rng);
}

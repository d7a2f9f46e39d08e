/**
 * Pretraining and adaptation for the LoLDU module, on lib/math/nn/factorized.ts (float64 `FactorNet`) and the
 * kit's Adam (lib/math/nn/optim.ts, one instance per trainable tensor).
 *
 * A 784 → h ×depth → 10 ReLU MLP is pretrained on MNIST digits by SGD, then adapted to a target task by one of:
 * - `full_ft`: every weight and bias trained;
 * - `head_only`: only the h → 10 head (weights and bias) trained;
 * - `lora`: each hidden matrix W₀ + (α/r)·B·A (lib's `LoraLayer`, B = 0 at start, α = r), head trained;
 * - `vera`: each hidden matrix W₀ + diag(β)·B·diag(δ)·A, A and B frozen random (`VeraLayer`), head trained;
 * - `loldu`: each hidden matrix W_res + s·L_r·diag(z)·U_r from W₀'s LDU (`LolduLayer`), only z and s (and the
 *   head) trained.
 * Hidden-layer biases are frozen in every adapter method, as in the official LoLDU code.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { DenseLayer, type FactorLayer, FactorNet, type FactorParam, LoraLayer } from "../../lib/math/nn/factorized.ts";
import { Adam } from "../../lib/math/nn/optim.ts";
import { LolduLayer, VeraLayer } from "./adapters.ts";
import type { Labelled } from "../../lib/math/nn/labelled.ts";
import { fitEpochs } from "../../lib/math/nn/factor_train.ts";

export type Method = "full_ft" | "head_only" | "lora" | "vera" | "loldu";

export interface AdaptCfg {
  loraRank: number;
  veraRank: number;
  /** 0: full rank min(in, out). */
  lolduRank: number;
}

const copyDense = (l: DenseLayer) => new DenseLayer(l.inDim, l.outDim, { weight: l.weight(), bias: l.b.value });

/**
 * A fresh copy of the pretrained net set up for `method`: the layers and the tensors to train, split into the
 * adapter's (hidden layers) and the head's.
 */
export function adaptNet(
  pre: FactorNet,
  method: Method,
  cfg: AdaptCfg,
  rng: Rng,
): { net: FactorNet; adapter: FactorParam[]; head: FactorParam[] } {
  const n = pre.layers.length;
  const adapter: FactorParam[] = [];
  const layers: FactorLayer[] = pre.layers.map((l0, i) => {
    const l = l0 as DenseLayer;
    if (i === n - 1) return copyDense(l);
    const base = l.weight(), bias = l.b.value;
    switch (method) {
      case "full_ft": {
        const c = copyDense(l);
        adapter.push(...c.params());
        return c;
      }
      case "head_only":
        return copyDense(l);
      case "lora": {
        const c = new LoraLayer(l.inDim, l.outDim, cfg.loraRank, { base, bias, rng: rng.split(`lora${i}`) });
        adapter.push(...c.params());
        return c;
      }
      case "vera": {
        const c = new VeraLayer(l.inDim, l.outDim, cfg.veraRank, { weight: base, bias, rng: rng.split(`vera${i}`) });
        adapter.push(...c.params());
        return c;
      }
      case "loldu": {
        const c = new LolduLayer(l.inDim, l.outDim, { weight: base, bias, rank: cfg.lolduRank || undefined });
        adapter.push(...c.params());
        return c;
      }
    }
  });
  return { net: new FactorNet(layers), adapter, head: layers[n - 1].params() };
}

/** Adapts a copy of `pre` with Adam at step `lr`; returns the net and its trainable counts. */
export function adapt(
  pre: FactorNet,
  method: Method,
  train: Labelled,
  cfg: AdaptCfg & { epochs: number; batch: number },
  lr: number,
  rng: Rng,
): { net: FactorNet; adapterParams: number; trainable: number } {
  const { net, adapter, head } = adaptNet(pre, method, cfg, rng.split("init"));
  const params = [...adapter, ...head];
  const opts = params.map(() => new Adam({ lr }));
  fitEpochs(net, params, train, {
    epochs: cfg.epochs,
    batch: cfg.batch,
    rng: rng.split("order"),
    step: (p, k) => opts[k].step(p.value, p.grad),
  });
  const count = (ps: FactorParam[]) => ps.reduce((s, p) => s + p.value.length, 0);
  return { net, adapterParams: count(adapter), trainable: count(params) };
}

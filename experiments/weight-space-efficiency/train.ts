/**
 * The network and training loop of the weight-space-efficiency module, on the training kit (lib/math/nn):
 * 784 → d (linear embedding) → L residual FFN blocks x ↦ x + FFN(x) (ffn.ts) → 10 (linear head, as a ViT's:
 * the blocks hold the only nonlinearity, so the net without blocks is a linear classifier), trained by minibatch
 * SGD with momentum on softmax cross-entropy, the step chosen from a grid on held-out validation images.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { Dense, type Layer, Sequential, SGD, train } from "../../lib/math/nn/mod.ts";
import { type FfnKind, ffnWeights, matchedRank, ResidualFfn } from "./ffn.ts";

export interface Images {
  xTrain: Float32Array;
  yTrain: Uint8Array;
  xVal: Float32Array;
  yVal: Uint8Array;
  xTest: Float32Array;
  yTest: Uint8Array;
}

export interface NetCfg {
  width: number;
  hidden: number;
  blocks: number;
  epochs: number;
  batch: number;
  momentum: number;
}

/** A method: the FFN kind and its hidden width (`narrow` is dense at h/2). */
export type Variant = "dense" | "tied" | "lowrank" | "narrow" | "none";

export function blockOf(v: Variant, cfg: Pick<NetCfg, "width" | "hidden">): ResidualFfn {
  const d = cfg.width, h = cfg.hidden;
  if (v === "narrow") return new ResidualFfn("dense", Math.floor(h / 2));
  if (v === "lowrank") return new ResidualFfn("lowrank", h, matchedRank(d, h));
  return new ResidualFfn(v as FfnKind, h);
}

export function buildNet(v: Variant, cfg: NetCfg, rng: Rng): Sequential {
  const layers: Layer[] = [new Dense(cfg.width, { init: "lecunNormal" })];
  for (let i = 0; v !== "none" && i < cfg.blocks; i++) layers.push(blockOf(v, cfg));
  layers.push(new Dense(10));
  return new Sequential(layers, [784], { dtype: "float32", rng });
}

/** Weights of the L FFN blocks (biases excluded). */
export function blockWeights(v: Variant, cfg: Pick<NetCfg, "width" | "hidden" | "blocks">): number {
  if (v === "none") return 0;
  const b = blockOf(v, cfg);
  return cfg.blocks * ffnWeights(b.kind, cfg.width, b.hidden, b.rank);
}

export interface Fit {
  net: Sequential;
  lr: number;
  valAcc: number;
  testAcc: number;
  curve: number[];
}

/** Trains at every step of `lrs` (same init and data order), keeps the best on validation. */
export function fitTuned(v: Variant, d: Images, cfg: NetCfg, lrs: readonly number[], rng: Rng): Fit {
  let best: Fit | null = null;
  const nTrain = d.yTrain.length, nVal = d.yVal.length, nTest = d.yTest.length;
  for (const lr of lrs) {
    const net = buildNet(v, cfg, rng.split("init"));
    const curve: number[] = [];
    train({
      model: net,
      optimizer: new SGD({ lr, momentum: cfg.momentum }),
      x: d.xTrain,
      y: d.yTrain,
      n: nTrain,
      batchSize: cfg.batch,
      epochs: cfg.epochs,
      rng: rng.split("order"),
      evaluate: () => void curve.push(net.accuracy(d.xVal, d.yVal, nVal)),
    });
    const valAcc = curve.at(-1)!;
    if (!best || valAcc > best.valAcc || !Number.isFinite(best.valAcc)) {
      best = {
        net,
        lr,
        valAcc: Number.isFinite(valAcc) ? valAcc : -1,
        testAcc: net.accuracy(d.xTest, d.yTest, nTest),
        curve,
      };
    }
  }
  return best!;
}

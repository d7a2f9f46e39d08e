/**
 * The Fashion-MNIST accuracy comparison: one small CNN, 1×28×28 → conv 3×3 (8) → ReLU → maxpool 2 → conv 3×3 (16)
 * → ReLU → maxpool 2 → [residual attention on the 16×7×7 map: none, full, KAO_KV or KAO_QKV] → dense 10, trained
 * with Adam at one fixed learning rate, the same budget for every variant.
 */
import { Conv2d, MaxPool2d } from "../../lib/math/nn/conv.ts";
import { Dense, Flatten, ReLU } from "../../lib/math/nn/dense.ts";
import { Sequential } from "../../lib/math/nn/model.ts";
import { Adam } from "../../lib/math/nn/optim.ts";
import { train } from "../../lib/math/nn/train.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { type AttnMode, ResidualAttention } from "./layer.ts";

/** Training and test images (n × 784 in [0, 1]) with labels. */
export interface FashionData {
  xTrain: Float32Array;
  yTrain: Uint8Array;
  nTrain: number;
  xTest: Float32Array;
  yTest: Uint8Array;
  nTest: number;
}

/** The CNN with the given attention variant after the second block. */
export function attentionCnn(mode: AttnMode, rng: Rng, backend: "native" | "js"): Sequential {
  return new Sequential(
    [
      new Conv2d(8, 3, { padding: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(16, 3, { padding: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new ResidualAttention(mode),
      new Flatten(),
      new Dense(10),
    ],
    [1, 28, 28],
    { rng, backend },
  );
}

/** Trains one variant (Adam, fixed lr, batch 64) and returns its test accuracy. */
export function fitVariant(
  mode: AttnMode,
  d: FashionData,
  o: { epochs: number; lr: number; rng: Rng; backend: "native" | "js" },
): { testAcc: number; trainLoss: number } {
  const model = attentionCnn(mode, o.rng.split("init"), o.backend);
  const res = train({
    model,
    optimizer: new Adam({ lr: o.lr }),
    x: d.xTrain,
    y: d.yTrain,
    n: d.nTrain,
    batchSize: 64,
    epochs: o.epochs,
    rng: o.rng.split("shuffle"),
  });
  return { testAcc: model.accuracy(d.xTest, d.yTest, d.nTest), trainLoss: res.epochs.at(-1)!.trainLoss };
}

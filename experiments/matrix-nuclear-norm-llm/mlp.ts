/**
 * The "models" whose representations we score: one-hidden-layer ReLU MLPs (784 → width → 10) trained here on MNIST
 * digits with minibatch SGD on cross-entropy (training on the shared kit lib/math/nn; OpenBLAS when present). A proxy for
 * the paper's LLM hidden states: the hidden width plays the role of the model's hidden size.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { Dense, ReLU, Sequential, SGD } from "../../lib/math/nn/mod.ts";

export interface TrainOptions {
  width: number;
  epochs: number;
  batch: number;
  lr: number;
}

const P = 784, C = 10;

/** Train on (x: n × 784, labels) and return the hidden activations relu(x_eval W₁ + b₁) of the evaluation digits. */
export function trainAndEmbed(
  train: { x: Float64Array; y: Uint8Array; n: number },
  evalX: Mat<Float64Array>,
  opts: TrainOptions,
  rng: Rng,
  la: Linalg,
): { hidden: Mat<Float64Array>; trainLoss: number; w1: Float64Array; b1: Float64Array } {
  const h = opts.width, B = opts.batch;
  // He initialization, drawn in this order from `rng` (the model's own initialiser is overwritten).
  const w1 = rng.normal(P * h).map((v) => v * Math.sqrt(2 / P));
  const w2 = rng.normal(h * C).map((v) => v * Math.sqrt(2 / h));
  const model = new Sequential([new Dense(h), new ReLU(), new Dense(C)], [P], { backend: la.info.kind });
  model.store.get("0.w").value.set(w1);
  model.store.get("2.w").value.set(w2);
  const opt = new SGD({ lr: opts.lr }), xb = new Float64Array(B * P), yb = new Uint8Array(B);
  let lossSum = 0, lossCount = 0;
  for (let e = 0; e < opts.epochs; e++) {
    const order = rng.permutation(train.n);
    lossSum = 0;
    lossCount = 0;
    for (let s = 0; s + B <= train.n; s += B) {
      for (let i = 0; i < B; i++) {
        xb.set(train.x.subarray(order[s + i] * P, (order[s + i] + 1) * P), i * P);
        yb[i] = train.y[order[s + i]];
      }
      lossSum += B * model.lossAndGrad(xb, yb, B);
      lossCount += B;
      opt.step(model.store.value, model.store.grad);
    }
  }
  const W1 = Float64Array.from(model.store.get("0.w").value), B1 = Float64Array.from(model.store.get("0.b").value);
  return { hidden: embed(evalX, W1, B1, la), trainLoss: lossSum / Math.max(1, lossCount), w1: W1, b1: B1 };
}

/** The model's forward pass to its hidden layer: relu(X W₁ + b₁) for X of N × 784 (the "representations"). */
export function embed(x: Mat<Float64Array>, w1: Float64Array, b1: Float64Array, la: Linalg): Mat<Float64Array> {
  const h = b1.length;
  const H = la.matmul(x, { rows: P, cols: h, data: w1 }) as Mat<Float64Array>;
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < h; j++) H.data[i * h + j] = Math.max(0, H.data[i * h + j] + b1[j]);
  }
  return H;
}

/**
 * The "models" whose representations we score: one-hidden-layer ReLU MLPs (784 → width → 10) trained here on MNIST
 * digits with minibatch SGD on cross-entropy, matrix products through `Linalg` (OpenBLAS when present). A proxy for
 * the paper's LLM hidden states: the hidden width plays the role of the model's hidden size.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";

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
  const h = opts.width;
  // He initialization
  const w1 = rng.normal(P * h).map((v) => v * Math.sqrt(2 / P)), b1 = new Float64Array(h);
  const w2 = rng.normal(h * C).map((v) => v * Math.sqrt(2 / h)), b2 = new Float64Array(C);
  let lossSum = 0, lossCount = 0;
  for (let e = 0; e < opts.epochs; e++) {
    const order = rng.permutation(train.n);
    lossSum = 0;
    lossCount = 0;
    for (let s = 0; s + opts.batch <= train.n; s += opts.batch) {
      const B = opts.batch;
      const xb = new Float64Array(B * P);
      for (let i = 0; i < B; i++) xb.set(train.x.subarray(order[s + i] * P, (order[s + i] + 1) * P), i * P);
      const X = { rows: B, cols: P, data: xb };
      const H = la.matmul(X, { rows: P, cols: h, data: w1 }) as Mat<Float64Array>;
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < h; j++) H.data[i * h + j] = Math.max(0, H.data[i * h + j] + b1[j]);
      }
      const L = la.matmul(H, { rows: h, cols: C, data: w2 }) as Mat<Float64Array>;
      // softmax cross-entropy gradient dL = (softmax − onehot) / B
      for (let i = 0; i < B; i++) {
        let mx = -Infinity;
        for (let c = 0; c < C; c++) mx = Math.max(mx, L.data[i * C + c] += b2[c]);
        let z = 0;
        for (let c = 0; c < C; c++) z += L.data[i * C + c] = Math.exp(L.data[i * C + c] - mx);
        const yi = train.y[order[s + i]];
        lossSum -= Math.log(L.data[i * C + yi] / z);
        lossCount++;
        for (let c = 0; c < C; c++) L.data[i * C + c] = (L.data[i * C + c] / z - (c === yi ? 1 : 0)) / B;
      }
      const gW2 = la.matmul(H, L, { transA: true });
      const dH = la.matmul(L, { rows: h, cols: C, data: w2 }, { transB: true }) as Mat<Float64Array>;
      for (let i = 0; i < B * h; i++) if (H.data[i] <= 0) dH.data[i] = 0;
      const gW1 = la.matmul(X, dH, { transA: true });
      for (let i = 0; i < w2.length; i++) w2[i] -= opts.lr * gW2.data[i];
      for (let i = 0; i < w1.length; i++) w1[i] -= opts.lr * gW1.data[i];
      for (let c = 0; c < C; c++) {
        let g = 0;
        for (let i = 0; i < B; i++) g += L.data[i * C + c];
        b2[c] -= opts.lr * g;
      }
      for (let j = 0; j < h; j++) {
        let g = 0;
        for (let i = 0; i < B; i++) g += dH.data[i * h + j];
        b1[j] -= opts.lr * g;
      }
    }
  }
  return { hidden: embed(evalX, w1, b1, la), trainLoss: lossSum / Math.max(1, lossCount), w1, b1 };
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

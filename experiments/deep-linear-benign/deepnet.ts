/**
 * Deep linear network f(x) = W_L ⋯ W_2 W_1 x trained by full-batch gradient descent on the mean squared error
 * (Chatterji & Long 2023, §2; official repo src/model.py `LinearNet`, src/utils.py `TrainNet`):
 * W_1 (h×d) ~ N(0, α²), hidden layers W_2 … W_{L−1} (h×h) = I, W_L (q×h) ~ N(0, β²); loss = mean over the n×q
 * entries of (f(X) − Y)²; plain GD (SGD without momentum on the full batch) until the loss ≤ target.
 */
import { getLinalg, mat, transpose } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { M, Regression } from "./data.ts";

const la = getLinalg();

export interface NetConfig {
  /** Number of hidden layers (official `num_hidden_layers`): L = hidden + 1 weight matrices. */
  hidden: number;
  width: number;
  alpha: number;
  beta: number;
  lr: number;
  targetLoss: number;
  maxEpochs: number;
}

export interface NetResult {
  /** End-to-end d×q weights (W_L ⋯ W_1)ᵀ. */
  w: M;
  layers: M[];
  epochs: number;
  loss: number;
}

export function initLayers(d: number, q: number, cfg: NetConfig, rng: Rng): M[] {
  const { width: h, hidden } = cfg;
  const layers: M[] = [mat(h, d, rng.split("w1").normal(h * d).map((v) => cfg.alpha * v))];
  for (let l = 1; l < hidden; l++) {
    const e = mat(h, h);
    for (let i = 0; i < h; i++) e.data[i * h + i] = 1;
    layers.push(e);
  }
  layers.push(mat(q, h, rng.split("wL").normal(q * h).map((v) => cfg.beta * v)));
  return layers;
}

/** End-to-end d×q weights (W_L ⋯ W_1)ᵀ. */
export function endToEnd(layers: M[]): M {
  let p = layers[0];
  for (let l = 1; l < layers.length; l++) p = la.matmul(layers[l], p);
  return transpose(p);
}

/** Loss (mean over n×q entries) and its gradient with respect to each layer, by backpropagation. */
export function lossAndGrads(p: Regression, layers: M[]): { loss: number; grads: M[] } {
  const acts: M[] = [p.x]; // acts[l] = input to layer l, n×(fan-in)
  for (const w of layers) acts.push(la.matmul(acts[acts.length - 1], w, { transB: true }));
  const out = acts[acts.length - 1];
  const nq = out.data.length;
  const g = mat(out.rows, out.cols);
  let loss = 0;
  for (let i = 0; i < nq; i++) {
    const r = out.data[i] - p.y.data[i];
    loss += r * r;
    g.data[i] = (2 * r) / nq;
  }
  loss /= nq;
  const grads: M[] = new Array(layers.length);
  let delta = g; // ∂loss/∂(output of layer l), n×(fan-out)
  for (let l = layers.length - 1; l >= 0; l--) {
    grads[l] = la.matmul(delta, acts[l], { transA: true });
    if (l > 0) delta = la.matmul(delta, layers[l]);
  }
  return { loss, grads };
}

export function trainDeepLinear(
  p: Regression,
  cfg: NetConfig,
  rng: Rng,
  onEpoch?: (epoch: number, layers: M[], loss: number) => void,
): NetResult {
  const layers = initLayers(p.x.cols, p.y.cols, cfg, rng);
  let epochs = 0, loss = Infinity;
  for (;; epochs++) {
    const r = lossAndGrads(p, layers);
    loss = r.loss;
    onEpoch?.(epochs, layers, loss);
    if (!(loss > cfg.targetLoss) || epochs >= cfg.maxEpochs) break;
    for (let l = 0; l < layers.length; l++) {
      const w = layers[l].data, gr = r.grads[l].data;
      for (let i = 0; i < w.length; i++) w[i] -= cfg.lr * gr[i];
    }
  }
  return { w: endToEnd(layers), layers, epochs, loss };
}

/** Minimum-Frobenius-norm interpolant Xᵀ(XXᵀ)⁻¹Y (the official code's `OLS`). */
export function minNorm(p: Regression): M {
  const g = la.matmul(p.x, p.x, { transB: true });
  return la.matmul(p.x, la.solve(g, p.y), { transA: true });
}

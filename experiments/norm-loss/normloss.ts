/**
 * Norm loss (Georgiou, Schmitt, Bäck, Chen & Lew, arXiv 2103.06583): a soft penalty that pushes every weight vector
 * of the net towards unit norm ("the weight matrix is smoothly steered toward the Oblique manifold"), compared
 * with L2 weight decay and with no regulariser.
 *
 * For a Dense layer W ∈ ℝ^{n_in × n_out} (y = xW + b) the weight vector of unit j is column j, w_j ∈ ℝ^{n_in}:
 *   L_norm(W) = Σ_j (1 − ‖w_j‖₂)²,   ∂L_norm/∂w_j = −2 (1 − ‖w_j‖) w_j / ‖w_j‖,
 * summed over every Dense layer, biases excluded; the training loss is L_task + λ·L_norm. Weight decay is PyTorch's
 * SGD `weight_decay`: g ← g + λθ on every parameter.
 *
 * Each run trains the grid batch size × λ (the same grid for both regularisers), selects the point with the best
 * validation accuracy, and reports the test accuracy there together with the spread of test accuracy over the grid.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { mlp, type Optimizer, type Sequential, SGD, train } from "../../lib/math/nn/mod.ts";
import type { Arr } from "../../lib/math/nn/gemm.ts";
import type { Param } from "../../lib/math/nn/params.ts";

/** Training, validation and test images (n × 784 in [0, 1]) with labels. */
export interface Data {
  xTrain: Float32Array;
  yTrain: Uint8Array;
  nTrain: number;
  xVal: Float32Array;
  yVal: Uint8Array;
  nVal: number;
  xTest: Float32Array;
  yTest: Uint8Array;
  nTest: number;
}

/** The regulariser of a run. */
export type Reg = "none" | "wd" | "norm";

/** L_norm = Σ_j (1 − ‖w_j‖)² over the columns of an n_in × n_out weight; adds λ·∂L_norm/∂W into `grad`. */
export function normLoss(w: Arr, nIn: number, nOut: number, lambda = 0, grad?: Arr): number {
  let total = 0;
  for (let j = 0; j < nOut; j++) {
    let s = 0;
    for (let i = 0; i < nIn; i++) s += w[i * nOut + j] ** 2;
    const norm = Math.sqrt(s), gap = 1 - norm;
    total += gap * gap;
    if (grad && norm > 0) {
      const c = (-2 * lambda * gap) / norm;
      for (let i = 0; i < nIn; i++) grad[i * nOut + j] += c * w[i * nOut + j];
    }
  }
  return total;
}

/** The weight matrices (not biases) of an MLP built by `mlp`. */
export function weightsOf(net: Sequential): Param[] {
  return net.paramList().filter((p) => p.name.endsWith(".w"));
}

/** Mean over units of |‖w_j‖ − 1|: how far the net is from the Oblique manifold. */
export function obliqueGap(net: Sequential): number {
  let s = 0, n = 0;
  for (const p of weightsOf(net)) {
    const [nIn, nOut] = p.shape;
    for (let j = 0; j < nOut; j++) {
      let q = 0;
      for (let i = 0; i < nIn; i++) q += p.value[i * nOut + j] ** 2;
      s += Math.abs(Math.sqrt(q) - 1);
      n++;
    }
  }
  return s / n;
}

/** SGD whose gradient first receives λ·∇L_norm of the given weights. */
export class NormLossSGD implements Optimizer {
  constructor(readonly inner: SGD, readonly weights: Param[], readonly lambda: number) {}
  get t(): number {
    return this.inner.t;
  }
  lr(): number {
    return this.inner.lr();
  }
  step(value: Arr, grad: Arr): void {
    for (const p of this.weights) {
      normLoss(p.value, p.shape[0], p.shape[1], this.lambda, grad.subarray(p.offset, p.offset + p.size));
    }
    this.inner.step(value, grad);
  }
}

/** Settings shared by every training run. */
export interface TrainCfg {
  hidden: number;
  depth: number;
  epochs: number;
  lr: number;
  momentum: number;
}

/** One trained grid point. */
export interface Point {
  batch: number;
  lambda: number;
  val: number;
  test: number;
  gap: number;
}

/**
 * Trains one net from `init` (the same start for every point of a seed) with the regulariser at (batch, λ),
 * minibatches shuffled from `order`; lr ×0.1 at half and at three quarters of the steps.
 */
export function trainPoint(d: Data, cfg: TrainCfg, reg: Reg, batch: number, lambda: number, init: Rng, order: Rng) {
  const net = mlp([784, ...Array(cfg.depth).fill(cfg.hidden), 10], { rng: init, dtype: "float32" });
  const steps = cfg.epochs * Math.ceil(d.nTrain / batch);
  const lr = (t: number) => cfg.lr * (t >= Math.floor(0.75 * steps) ? 0.01 : t >= Math.floor(0.5 * steps) ? 0.1 : 1);
  const sgd = new SGD({ lr, momentum: cfg.momentum, weightDecay: reg === "wd" ? lambda : 0 });
  const opt = reg === "norm" ? new NormLossSGD(sgd, weightsOf(net), lambda) : sgd;
  const log = train({
    model: net,
    optimizer: opt,
    x: d.xTrain,
    y: d.yTrain,
    n: d.nTrain,
    batchSize: batch,
    epochs: cfg.epochs,
    rng: order,
  });
  const point: Point = {
    batch,
    lambda,
    val: net.accuracy(d.xVal, d.yVal, d.nVal),
    test: net.accuracy(d.xTest, d.yTest, d.nTest),
    gap: obliqueGap(net),
  };
  return { net, point, loss: log.epochs.map((e) => e.trainLoss) };
}

/** The grid point with the best validation accuracy (ties: the earlier point, i.e. smaller batch, then smaller λ). */
export function select(points: Point[]): Point {
  return points.reduce((best, p) => (p.val > best.val ? p : best));
}

/**
 * The networks and training loops of the DLRT module, on the factorised layers of lib/math/nn/factorized.ts.
 *
 * A ReLU MLP in → h → … → h → 10 whose hidden weight matrices are, per method:
 * - `full`: dense, plain minibatch SGD;
 * - `dlrt_fixed`: U S Vᵀ at a fixed rank r, KLS integrator (one KL pass + one S pass per minibatch);
 * - `dlrt_adaptive`: U S Vᵀ starting at rank r₀, KLS with basis augmentation and truncation at tolerance τ;
 * - `uv`: U Vᵀ at rank r, plain SGD on both factors ("vanilla" low-rank, the paper's UV comparison);
 * - `svd_prune`: the `full` net, each factorised layer truncated afterwards to its best rank-r approximation.
 * As in the official LeNet5 (models_folder/Lenet5.py) the last layer h → 10 stays dense in every method.
 *
 * Parameters are counted as the official `count_params_test` does (weights only, no biases): a rank-r layer
 * keeps r·(in + out) numbers (K and L), a dense one in·out. Compression = 1 − params / params(full).
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import {
  DenseLayer,
  DlrtLayer,
  type FactorLayer,
  FactorNet,
  type M,
  softmaxXent,
  UVLayer,
} from "../../lib/math/nn/factorized.ts";
import type { Digits } from "../../datasets/mnist.ts";
import { accuracy, denseWeights, mlpSizes, rowsOf } from "../../lib/math/nn/labelled.ts";

export interface Data {
  xTrain: M;
  yTrain: Uint8Array;
  xTest: M;
  yTest: Uint8Array;
}

export interface NetCfg {
  hidden: number;
  depth: number;
  epochs: number;
  batch: number;
  lr: number;
  rank: number;
  startRank: number;
  /** Fixed-rank DLRT and UV start from U₀ S₀ V₀ᵀ with S₀'s k-th value divided by initDecay^k. */
  initDecay: number;
}

export type Kind = "full" | "dlrt_fixed" | "dlrt_adaptive" | "uv";

export interface Trained {
  net: FactorNet;
  /** Test accuracy after each epoch. */
  accCurve: number[];
  /** Mean training loss over each epoch's minibatches. */
  lossCurve: number[];
}

/** MNIST digits → float64 train/test matrices (first nTrain, then the next nTest of the canonical order). */
export function split(d: Digits, nTrain: number, nTest: number): Data {
  const P = 784;
  const x = (s: number, n: number): M => ({
    rows: n,
    cols: P,
    data: Float64Array.from(d.images.subarray(s * P, (s + n) * P)),
  });
  return {
    xTrain: x(0, nTrain),
    yTrain: d.labels.slice(0, nTrain),
    xTest: x(nTrain, nTest),
    yTest: d.labels.slice(nTrain, nTrain + nTest),
  };
}

export function buildNet(kind: Kind, cfg: NetCfg & { tau?: number }, rng: Rng): FactorNet {
  const s = mlpSizes(cfg.hidden, cfg.depth), layers: FactorLayer[] = [];
  for (let i = 0; i + 1 < s.length; i++) {
    const [a, b] = [s[i], s[i + 1]], last = i + 2 === s.length;
    const r = rng.split(`layer${i}`);
    if (last || kind === "full") layers.push(new DenseLayer(a, b, { rng: r }));
    else if (kind === "uv" || kind === "dlrt_fixed") {
      // The official UV_vanilla pair: the same U₀, S₀, V₀ for both; UV takes U = U₀√S₀, V = V₀√S₀.
      const dl = new DlrtLayer(a, b, { rng: r, rank: cfg.rank, initDecay: cfg.initDecay });
      if (kind === "dlrt_fixed") layers.push(dl);
      else {
        const sq = (m: M) => {
          const out = { rows: m.rows, cols: m.cols, data: m.data.slice() };
          for (let i = 0; i < out.data.length; i++) out.data[i] *= Math.sqrt(dl.S.data[(i % m.cols) * (m.cols + 1)]);
          return out;
        };
        layers.push(new UVLayer(a, b, cfg.rank, { rng: r, u: sq(dl.U), v: sq(dl.V), bias: dl.b.value }));
      }
    } else layers.push(new DlrtLayer(a, b, { rng: r, rank: cfg.startRank, tau: cfg.tau }));
  }
  return new FactorNet(layers);
}

/** Minibatch training (shuffled each epoch from `rng`): SGD for full/uv, the KLS step for DLRT nets. */
export function train(kind: Kind, d: Data, cfg: NetCfg & { tau?: number }, rng: Rng): Trained {
  const net = buildNet(kind, cfg, rng.split("init"));
  const accCurve: number[] = [], lossCurve: number[] = [];
  const n = d.xTrain.rows;
  for (let ep = 0; ep < cfg.epochs; ep++) {
    const perm = rng.split(`epoch${ep}`).permutation(n);
    let loss = 0, batches = 0;
    for (let s = 0; s < n; s += cfg.batch) {
      const e = Math.min(n, s + cfg.batch);
      const xb = rowsOf(d.xTrain, perm, s, e), yb = Array.from(perm.subarray(s, e), (i) => d.yTrain[i]);
      loss += kind.startsWith("dlrt") ? net.dlrtStep(xb, yb, cfg.lr) : net.sgdStep(xb, yb, cfg.lr);
      batches++;
    }
    lossCurve.push(loss / batches);
    accCurve.push(accuracy(net, { x: d.xTest, y: d.yTest }));
  }
  return { net, accCurve, lossCurve };
}

/** The `full` net with every hidden layer replaced by its best rank-r approximation (truncated SVD). */
export function svdPrune(full: FactorNet, rank: number): FactorNet {
  const la = getLinalg();
  const layers = full.layers.map((l, i) => {
    if (i === full.layers.length - 1) return l;
    const dense = l as DenseLayer;
    const { u, s, vt } = la.svd(dense.weight()) as { u: M; s: Float64Array; vt: M };
    const r = Math.min(rank, s.length);
    const U: M = { rows: u.rows, cols: r, data: new Float64Array(u.rows * r) };
    for (let a = 0; a < u.rows; a++) for (let k = 0; k < r; k++) U.data[a * r + k] = u.data[a * u.cols + k] * s[k];
    const V: M = { rows: vt.cols, cols: r, data: new Float64Array(vt.cols * r) };
    for (let k = 0; k < r; k++) for (let b = 0; b < vt.cols; b++) V.data[b * r + k] = vt.data[k * vt.cols + b];
    return new UVLayer(l.inDim, l.outDim, r, { u: U, v: V, bias: dense.b.value });
  });
  return new FactorNet(layers);
}

/** Ranks of the factorised (non-last) layers; a dense hidden layer counts as full rank min(in, out). */
export function ranksOf(net: FactorNet): number[] {
  return net.layers.slice(0, -1).map((l) =>
    l instanceof DlrtLayer || l instanceof UVLayer ? l.rank : Math.min(l.inDim, l.outDim)
  );
}

/** max over DLRT layers of ‖UᵀU − I‖_max and ‖VᵀV − I‖_max (the bases must stay orthonormal). */
export function orthoError(net: FactorNet): number {
  const la = getLinalg();
  let worst = 0;
  for (const l of net.layers) {
    if (!(l instanceof DlrtLayer)) continue;
    for (const b of [l.U, l.V]) {
      const g = la.matmul(b, b, { transA: true }) as M;
      for (let i = 0; i < g.rows; i++) {
        for (let j = 0; j < g.cols; j++) worst = Math.max(worst, Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0)));
      }
    }
  }
  return worst;
}

export function testLoss(net: FactorNet, d: Data): number {
  return softmaxXent(net.forward(d.xTest), d.yTest).loss;
}

/** Stored weights of the full-rank net (no biases). */
export function fullParams(cfg: Pick<NetCfg, "hidden" | "depth">): number {
  return denseWeights(mlpSizes(cfg.hidden, cfg.depth));
}

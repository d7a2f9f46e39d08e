/**
 * Data and the two pruning methods, as pure functions: train the net once per (seed, sizes); prune each layer
 * independently from the trained net's own layer inputs (Net-Trim's *parallel* scheme); measure on held-out digits.
 */
import { loadMnist } from "../../datasets/mnist.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import type { Mat } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { accuracy, forwardAll, type Layer, layerForward, type Net, trainMlp } from "./mlp.ts";
import { magnitudePrune, netTrimLayer, nnzWeights, withOnes } from "./nettrim.ts";

export interface Setup {
  nTrain: number;
  nTest: number;
  nTrim: number;
  hidden: number[];
  epochs: number;
  lr: number;
}

export interface Data {
  net: Net;
  xTrain: Mat<Float64Array>;
  xTest: Mat<Float64Array>;
  yTest: Uint8Array;
  /** Layer inputs of the trained net on the first nTrim training digits: acts[l] feeds layer l. */
  trimActs: Mat<Float64Array>[];
  baseAcc: number;
}

export async function buildData(s: Setup, rng: Rng): Promise<Data> {
  const d = await loadMnist(s.nTrain + s.nTest);
  const x = (lo: number, n: number) => mat(n, 784, Float64Array.from(d.images.subarray(lo * 784, (lo + n) * 784)));
  const xTrain = x(0, s.nTrain), xTest = x(s.nTrain, s.nTest);
  const yTrain = d.labels.slice(0, s.nTrain), yTest = d.labels.slice(s.nTrain, s.nTrain + s.nTest);
  const net = trainMlp(xTrain, yTrain, [784, ...s.hidden, 10], { epochs: s.epochs, lr: s.lr, batch: 32 }, rng);
  const xTrim = mat(s.nTrim, 784, xTrain.data.slice(0, s.nTrim * 784));
  const trimActs = forwardAll(net, xTrim);
  return { net, xTrain, xTest, yTest, trimActs, baseAcc: accuracy(net, xTest, yTest) };
}

const augmented = (l: Layer): Mat<Float64Array> => {
  const out = mat(l.w.rows + 1, l.w.cols);
  out.data.set(l.w.data);
  out.data.set(l.b, l.w.data.length);
  return out;
};
const split = (wa: Mat<Float64Array>): Layer => ({
  w: mat(wa.rows - 1, wa.cols, wa.data.slice(0, (wa.rows - 1) * wa.cols)),
  b: wa.data.slice((wa.rows - 1) * wa.cols),
});

export interface Pruned {
  net: Net;
  /** Nonzero weights kept per layer. */
  nnz: number[];
}

/** Net-Trim (parallel): each layer's program solved by ADMM from the trained net's inputs and responses. */
export function netTrim(data: Data, o: { epsRel: number; rho: number; iters: number }): Pruned {
  const L = data.net.length;
  const net = data.net.map((l, i) => {
    const res = netTrimLayer(withOnes(data.trimActs[i]), data.trimActs[i + 1], augmented(l), {
      ...o,
      relu: i < L - 1,
    });
    return split(res.w);
  });
  return { net, nnz: net.map((l) => nnzWeights(augmented(l))) };
}

/** Magnitude pruning, keeping `keep[l]` largest-|w| weights in layer l (matched to Net-Trim's per-layer count). */
export function magnitude(data: Data, keep: number[]): Pruned {
  const net = data.net.map((l, i) => split(magnitudePrune(augmented(l), keep[i])));
  return { net, nnz: net.map((l) => nnzWeights(augmented(l))) };
}

/**
 * Held-out metrics: accuracy, overall weight sparsity, per-layer response error (each pruned layer fed the
 * trained net's own input, ‖ReLU(XŴ) − ReLU(XW)‖_F / ‖ReLU(XW)‖_F), and the end-to-end logit error.
 */
export function evaluate(data: Data, p: Pruned) {
  const acts = forwardAll(data.net, data.xTest);
  const L = data.net.length;
  const rel = (a: Mat<Float64Array>, b: Mat<Float64Array>) => {
    let n = 0, d = 0;
    for (let t = 0; t < a.data.length; t++) {
      n += (a.data[t] - b.data[t]) ** 2;
      d += b.data[t] ** 2;
    }
    return Math.sqrt(n / d);
  };
  const layerErr = p.net.map((l, i) => rel(layerForward(acts[i], l, i === L - 1), acts[i + 1]));
  const total = data.net.reduce((s, l) => s + l.w.data.length, 0);
  const nnz = p.nnz.reduce((a, b) => a + b, 0);
  return {
    test_acc: accuracy(p.net, data.xTest, data.yTest),
    acc_drop: data.baseAcc - accuracy(p.net, data.xTest, data.yTest),
    sparsity: 1 - nnz / total,
    layer_err: layerErr,
    mean_layer_err: layerErr.reduce((a, b) => a + b, 0) / L,
    output_err: rel(forwardAll(p.net, data.xTest).at(-1)!, acts[L]),
  };
}

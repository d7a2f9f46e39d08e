/**
 * Data, nets, tuned training, and the feature measurements of the grassmann-class-rep module.
 *
 * The same ReLU MLP backbone (784 → hidden → feature, ReLU after each) carries either the vector head (softmax:
 * a dense layer with bias, as mmpretrain's LinearClsHead) or the Grassmann head (grassmann.ts); both are trained on
 * Fashion-MNIST by SGD with momentum 0.9, weight decay 1e-4 and a cosine schedule (the official ImageNet recipe's
 * optimiser), the GCR bases by the Riemannian step. The step size of each is chosen from one grid by validation
 * accuracy. The chosen net's penultimate features are then probed linearly on MNIST (frozen features, softmax
 * regression with an L2 strength chosen on a validation split), the paper's linear-transfer protocol in miniature.
 */
import { Rng } from "../../lib/math/rng.ts";
import {
  Adam,
  cosine,
  Dense,
  type Examples,
  type Layer,
  type Optimizer,
  ReLU,
  Sequential,
  SGD,
  train,
} from "../../lib/math/nn/mod.ts";
import type { Arr } from "../../lib/math/nn/gemm.ts";
import { loadFashionMnist } from "../../datasets/fashion-mnist.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import { getBasis, GrassmannHead, orthError, RiemannianSGD } from "./grassmann.ts";

/** Inputs (n × dim, row-major) and integer labels. */
export type Split = Examples<Float32Array, Int32Array>;

/** Fashion-MNIST train/validation/test and the MNIST probe's train/validation/test. */
export interface Data {
  tr: Split;
  va: Split;
  te: Split;
  probe: { tr: Split; va: Split; te: Split };
}

/** Sizes of every split. */
export interface DataSizes {
  nTrain: number;
  nVal: number;
  nTest: number;
  probeTrain: number;
  probeVal: number;
  probeTest: number;
}

function part(images: Float32Array, labels: ArrayLike<number>, off: number, n: number): Split {
  return {
    x: images.slice(off * 784, (off + n) * 784),
    y: Int32Array.from({ length: n }, (_, i) => labels[off + i]),
    n,
  };
}

/**
 * Fashion-MNIST: the first nTrain training images train, the next nVal validate, the first nTest test images test.
 * MNIST (the packaged 10k): the first probeTrain, next probeVal, next probeTest digits for the linear probe.
 */
export async function loadData(s: DataSizes): Promise<Data> {
  if (s.nTrain + s.nVal > 60000) throw new Error("grassmann-class-rep: nTrain + nVal must be ≤ 60000");
  if (s.probeTrain + s.probeVal + s.probeTest > 10000) {
    throw new Error("grassmann-class-rep: probeTrain + probeVal + probeTest must be ≤ 10000");
  }
  const f = await loadFashionMnist({ split: "train", n: s.nTrain + s.nVal });
  const ft = await loadFashionMnist({ split: "test", n: s.nTest });
  const m = await loadMnist(s.probeTrain + s.probeVal + s.probeTest);
  return {
    tr: part(f.images, f.labels, 0, s.nTrain),
    va: part(f.images, f.labels, s.nTrain, s.nVal),
    te: part(ft.images, ft.labels, 0, s.nTest),
    probe: {
      tr: part(m.images, m.labels, 0, s.probeTrain),
      va: part(m.images, m.labels, s.probeTrain, s.probeVal),
      te: part(m.images, m.labels, s.probeTrain + s.probeVal, s.probeTest),
    },
  };
}

/** The two class representations. */
export type Head = "softmax" | "gcr";

/** Architecture and training options shared by both heads. */
export interface NetOpts {
  hidden: number;
  feature: number;
  /** Subspace dimension k of the Grassmann head. */
  subdim: number;
  gamma: number;
  epochs: number;
  batch: number;
  momentum: number;
  weightDecay: number;
  reorthEvery: number;
}

/** Backbone layers (the same weights for both heads from one rng) and the head. */
export function buildNet(head: Head, o: NetOpts, rng: Rng): { net: Sequential; backbone: number } {
  const layers: Layer[] = [new Dense(o.hidden), new ReLU(), new Dense(o.feature), new ReLU()];
  const backbone = layers.length;
  const h = head === "gcr" ? new GrassmannHead(10, o.subdim, o.gamma) : new Dense(10, { init: { normal: 0.01 } }); // LinearClsHead: Normal(std 0.01), bias 0
  layers.push(h);
  const net = new Sequential(layers, [784], { dtype: "float32", rng });
  if (h instanceof GrassmannHead) h.orthonormalise();
  return { net, backbone };
}

/** Penultimate features (n × feature) of `n` inputs: the backbone's output, before the head. */
export function features(net: Sequential, backbone: number, x: Float32Array, n: number, bs = 1000): Float32Array {
  const ctx = net.ctx(), dIn = net.inSize, dOut = net.shapes[backbone][0];
  const out = new Float32Array(n * dOut);
  for (let off = 0; off < n; off += bs) {
    const b = Math.min(bs, n - off);
    let h: Arr = x.subarray(off * dIn, (off + b) * dIn);
    for (let l = 0; l < backbone; l++) h = net.layers[l].forward(h, b, ctx, false);
    out.set(h.subarray(0, b * dOut), off * dOut);
  }
  return out;
}

/** What a tuned run returns. */
export interface Fit {
  net: Sequential;
  backbone: number;
  lr: number;
  valAcc: number;
  /** GCR only: the largest ‖SᵀG‖/‖D‖ the optimiser saw, and the head. */
  tangentResidual?: number;
  head?: GrassmannHead;
}

function makeOptimizer(head: Head, net: Sequential, o: NetOpts, lr: number, steps: number): Optimizer {
  const sched = cosine(lr, steps);
  if (head === "softmax") return new SGD({ lr: sched, momentum: o.momentum, weightDecay: o.weightDecay });
  const h = net.layers.at(-1) as GrassmannHead;
  return new RiemannianSGD(
    [{ param: h.w, classes: h.classes, k: h.k, d: net.shapes.at(-2)![0] }],
    { lr: sched, momentum: o.momentum, weightDecay: o.weightDecay, reorthEvery: o.reorthEvery },
  );
}

/**
 * One net per step size of `lrs` from the same initial backbone and data order; keeps the highest validation
 * accuracy (a diverged candidate, non-finite, ranks last).
 */
export function fitTuned(head: Head, d: Data, o: NetOpts, lrs: number[], seed: number): Fit {
  let best: Fit | null = null;
  const steps = o.epochs * Math.ceil(d.tr.n / o.batch);
  for (const lr of lrs) {
    const { net, backbone } = buildNet(head, o, Rng.fromSeed(seed).split("init"));
    const opt = makeOptimizer(head, net, o, lr, steps);
    train({
      model: net,
      optimizer: opt,
      ...d.tr,
      batchSize: o.batch,
      epochs: o.epochs,
      rng: Rng.fromSeed(seed).split("order"),
    });
    let valAcc = net.accuracy(d.va.x, d.va.y, d.va.n);
    if (!Number.isFinite(valAcc) || !net.store.value.every(Number.isFinite)) valAcc = -Infinity;
    if (!best || valAcc > best.valAcc) {
      best = { net, backbone, lr, valAcc };
      if (opt instanceof RiemannianSGD) {
        best.tangentResidual = opt.maxTangentResidual;
        best.head = net.layers.at(-1) as GrassmannHead;
      }
    }
  }
  return best!;
}

/** Largest |S_cᵀS_c − I| over the classes of the head as the network reads it (its float32 weights). */
export function headOrthError(h: GrassmannHead): number {
  const d = h.w.shape[1];
  let e = 0;
  for (let c = 0; c < h.classes; c++) e = Math.max(e, orthError(getBasis(h.w.value, c, d, h.k), d, h.k));
  return e;
}

/**
 * Within-class share of the variance of the unit-normalised features: Σ‖f̂_i − μ_{y_i}‖² / Σ‖f̂_i − μ‖². The paper
 * reports that intra-class variability grows with the subspace dimension (abstract, §5).
 */
export function withinClassShare(f: Float32Array, y: ArrayLike<number>, n: number, dim: number, classes = 10): number {
  const u = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += f[i * dim + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) u[i * dim + j] = f[i * dim + j] * inv;
  }
  const mu = new Float64Array(dim), muc = new Float64Array(classes * dim), cnt = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    cnt[y[i]]++;
    for (let j = 0; j < dim; j++) {
      mu[j] += u[i * dim + j] / n;
      muc[y[i] * dim + j] += u[i * dim + j];
    }
  }
  for (let c = 0; c < classes; c++) for (let j = 0; j < dim; j++) muc[c * dim + j] /= Math.max(1, cnt[c]);
  let within = 0, total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      within += (u[i * dim + j] - muc[y[i] * dim + j]) ** 2;
      total += (u[i * dim + j] - mu[j]) ** 2;
    }
  }
  return total > 0 ? within / total : 0;
}

/** Options of the linear probe. */
export interface ProbeOpts {
  epochs: number;
  lr: number;
  /** L2 strengths to choose from on the probe's validation split. */
  l2s: number[];
}

/**
 * Linear probe: standardise the frozen features (train mean and s.d.), fit softmax regression by Adam with L2
 * strength from `l2s`, keep the best validation accuracy; returns test accuracy and the chosen strength.
 */
export function linearProbe(
  fTr: Float32Array,
  yTr: Int32Array,
  fVa: Float32Array,
  yVa: Int32Array,
  fTe: Float32Array,
  yTe: Int32Array,
  dim: number,
  o: ProbeOpts,
  seed: number,
): { testAcc: number; valAcc: number; l2: number } {
  const nTr = yTr.length, mean = new Float64Array(dim), sd = new Float64Array(dim);
  for (let i = 0; i < nTr; i++) for (let j = 0; j < dim; j++) mean[j] += fTr[i * dim + j] / nTr;
  for (let i = 0; i < nTr; i++) for (let j = 0; j < dim; j++) sd[j] += (fTr[i * dim + j] - mean[j]) ** 2 / nTr;
  for (let j = 0; j < dim; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  const std = (f: Float32Array) => f.map((v, i) => (v - mean[i % dim]) / sd[i % dim]);
  const xTr = std(fTr), xVa = std(fVa), xTe = std(fTe);
  let best = { testAcc: 0, valAcc: -Infinity, l2: 0 };
  for (const l2 of o.l2s) {
    const net = new Sequential([new Dense(10, { init: "zeros" })], [dim], {
      dtype: "float32",
      rng: Rng.fromSeed(seed).split("probe"),
    });
    train({
      model: net,
      optimizer: new Adam({ lr: o.lr, weightDecay: l2 }),
      x: xTr,
      y: yTr,
      n: nTr,
      batchSize: 128,
      epochs: o.epochs,
      rng: Rng.fromSeed(seed).split("probe-order"),
    });
    const valAcc = net.accuracy(xVa, yVa, yVa.length);
    if (valAcc > best.valAcc) best = { testAcc: net.accuracy(xTe, yTe, yTe.length), valAcc, l2 };
  }
  return best;
}

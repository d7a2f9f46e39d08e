/**
 * The MNIST model and training of the official michaelsdr/sinkformers `vit-pytorch/one_expe_mnist.py`, on the
 * training kit (layers: lib/math/nn/attention.ts).
 *
 * `ViT_only_Att(image_size=28, patch_size=ps, num_classes=10, channels=1, dim=128, depth=1, heads=1, mlp_dim=128,
 * max_iter=n_it, eps=1)` (vit-pytorch/vit_pytorch/vit.py): patch embedding + class token + learned positions, one
 * `Transformer_only_Att` layer — x ← x + Attention(LayerNorm(x)) with dim_head 64 and an output projection; the
 * feed-forward block is built but never applied there, so mlp_dim has no effect — then the class token through
 * LayerNorm and a linear head. Loss: cross-entropy on log-softmax; Adam; the learning rate divided by 10 before the
 * 35th and the 41st of 45 epochs; batch 100; inputs normalised by (x − 0.1307)/0.3081.
 */
import {
  Adam,
  columnSumDeviation,
  Dense,
  LayerNorm,
  PatchEmbed,
  type Schedule,
  Sequential,
  SinkhornAttention,
  sinkhornLogits,
  TakeToken,
  train,
} from "../../lib/math/nn/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** Digits as normalised float32 pixels (n × 784) and labels. */
export interface DigitSplit {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

/** Training and test digits. */
export interface Data {
  train: DigitSplit;
  test: DigitSplit;
}

/** torchvision Normalize((0.1307,), (0.3081,)) of one_expe_mnist.py. */
export const MNIST_MEAN = 0.1307, MNIST_STD = 0.3081;

/** Digits s … s + n − 1 of a [0, 1] image set, normalised. */
export function normalisedSplit(images: Float32Array, labels: Uint8Array, s: number, n: number): DigitSplit {
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) x[i] = (images[s * 784 + i] - MNIST_MEAN) / MNIST_STD;
  return { x, y: labels.slice(s, s + n), n };
}

/** Model settings (the official defaults in brackets). */
export interface VitOpts {
  patch: number; // [7]
  dim: number; // [128]
  dimHead: number; // [64]
  nIt: number; // [1 = softmax, 3, 5]
}

/** The official ViT_only_Att with depth 1 and one head, float32. */
export function buildVit(o: VitOpts, rng: Rng): { net: Sequential; attn: SinkhornAttention } {
  const attn = new SinkhornAttention(o.dimHead, o.nIt);
  const bound = { uniform: 1 / Math.sqrt(o.dim) };
  const net = new Sequential(
    [
      new PatchEmbed(o.patch, o.dim),
      attn,
      new TakeToken(0),
      new LayerNorm(),
      new Dense(10, { init: bound, biasInit: bound }),
    ],
    [1, 28, 28],
    { dtype: "float32", rng },
  );
  return { net, attn };
}

/** Accuracy on a split and the mean column-sum deviation |Σ_i A_ij − 1| of its attention matrices. */
export function evaluate(
  m: { net: Sequential; attn: SinkhornAttention },
  d: DigitSplit,
  chunk = 500,
): { acc: number; colDev: number } {
  let ok = 0, dev = 0;
  for (let off = 0; off < d.n; off += chunk) {
    const b = Math.min(chunk, d.n - off);
    const out = m.net.forward(d.x.subarray(off * 784, (off + b) * 784), b);
    for (let i = 0; i < b; i++) {
      let arg = 0;
      for (let k = 1; k < 10; k++) if (out[i * 10 + k] > out[i * 10 + arg]) arg = k;
      ok += arg === d.y[off + i] ? 1 : 0;
    }
    const { a, t } = m.attn.attention;
    dev += b * columnSumDeviation(a, b, t);
  }
  return { acc: ok / d.n, colDev: dev / d.n };
}

/** Training settings. */
export interface TrainSettings {
  epochs: number;
  batch: number;
  lr: number;
  /** 0-based epochs before which the learning rate is divided by 10 (official: 34 and 40 of 45). */
  decayAt: number[];
}

/** What one training run returns: final test accuracy, attention drift at init and after, and per-epoch curves. */
export interface VitRun {
  testAcc: number;
  colDevInit: number;
  colDev: number;
  accCurve: number[];
  colDevCurve: number[];
  msPerStep: number;
  /** Largest |Σ_j A_ij − 1| over rows of the trained attention on probe images (rows are exact after odd n_it). */
  rowSumErr: number;
  /** Column-sum deviation after continuing Sinkhorn on the trained attention for `limitIts` more steps. */
  limitColDev: number;
}

/** Steps of the Sinkhorn-limit identity check. */
export const LIMIT_ITS = 1001;

/**
 * The identity checks on a trained model's attention for the first `probe` images of a split: the largest row-sum
 * error, and the column-sum deviation once Sinkhorn is continued (float64) from log A for {@link LIMIT_ITS} steps —
 * the limit must be doubly stochastic (Sinkhorn's theorem for positive matrices).
 */
export function attentionIdentities(
  m: { net: Sequential; attn: SinkhornAttention },
  d: DigitSplit,
  probe = 50,
): { rowSumErr: number; limitColDev: number } {
  const b = Math.min(probe, d.n);
  m.net.forward(d.x.subarray(0, b * 784), b);
  const { a, t } = m.attn.attention, tt = t * t;
  let rowSumErr = 0;
  const lim = new Float64Array(b * tt);
  for (let s = 0; s < b; s++) {
    for (let i = 0; i < t; i++) {
      let r = 0;
      for (let j = 0; j < t; j++) r += a[s * tt + i * t + j];
      rowSumErr = Math.max(rowSumErr, Math.abs(r - 1));
    }
    for (let q = 0; q < tt; q++) lim[s * tt + q] = Math.log(a[s * tt + q]);
    sinkhornLogits(lim, t, LIMIT_ITS, undefined, s * tt);
  }
  return { rowSumErr, limitColDev: columnSumDeviation(lim.map(Math.exp), b, t) };
}

/** Epoch-based step decay (÷10 at each of `decayAt`) as a per-step schedule. */
export function decaySchedule(lr: number, decayAt: number[], stepsPerEpoch: number): Schedule {
  return (t) => lr * 0.1 ** decayAt.filter((e) => t >= e * stepsPerEpoch).length;
}

/** Trains the ViT with Adam and the step schedule, evaluating test accuracy and drift after each epoch. */
export function trainVit(d: Data, o: VitOpts, s: TrainSettings, rng: Rng): VitRun {
  const m = buildVit(o, rng.split("init"));
  const init = evaluate(m, d.test);
  const stepsPerEpoch = Math.ceil(d.train.n / s.batch);
  const accCurve = [init.acc], colDevCurve = [init.colDev];
  const t0 = performance.now();
  let evalMs = 0;
  const r = train({
    model: m.net,
    optimizer: new Adam({ lr: decaySchedule(s.lr, s.decayAt, stepsPerEpoch) }),
    x: d.train.x,
    y: d.train.y,
    n: d.train.n,
    batchSize: s.batch,
    epochs: s.epochs,
    rng: rng.split("shuffle"),
    evaluate: () => {
      const e0 = performance.now();
      const e = evaluate(m, d.test);
      accCurve.push(e.acc);
      colDevCurve.push(e.colDev);
      evalMs += performance.now() - e0;
    },
  });
  return {
    testAcc: accCurve.at(-1)!,
    colDevInit: init.colDev,
    colDev: colDevCurve.at(-1)!,
    accCurve,
    colDevCurve,
    msPerStep: (performance.now() - t0 - evalMs) / r.steps,
    ...attentionIdentities(m, d.test),
  };
}

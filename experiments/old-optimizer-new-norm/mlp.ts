/**
 * A bias-free ReLU MLP x → W2 relu(W1 x) on MNIST digits (2×2-average-pooled to 14×14 = 196 inputs), softmax
 * cross-entropy with backprop on the shared kit lib/math/nn, and the training loop shared by every optimizer of
 * the comparison.
 */
import { averagePool } from "../../datasets/variants.ts";
import type { Linalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { accuracyOf, Dense, ReLU, Sequential, softmaxCrossEntropy } from "../../lib/math/nn/mod.ts";
import type { M } from "./norms.ts";

export interface Split {
  x: M; // n × d, rows are examples
  y: Uint8Array;
}
export interface Data {
  train: Split;
  test: Split;
}

/** 2×2 average pooling of 28×28 digits to 14×14. */
export function pool(images: Float32Array, n: number): M {
  return mat(n, 196, averagePool(images, n, 2));
}

/** W1: h × d, W2: 10 × h, Gaussian with variance 1/fan_in (and 2/fan_in for the ReLU layer). */
export function init(d: number, h: number, rng: Rng): M[] {
  const g = (rows: number, cols: number, v: number) =>
    mat(rows, cols, (rng.normal(rows * cols) as Float64Array).map((z) => z * Math.sqrt(v)));
  return [g(h, d, 2 / d), g(10, h, 1 / h)];
}

const models = new Map<string, Sequential>();

/** The kit network x → W2 relu(W1 x), weights in PyTorch's n_out × n_in layout, one per shape and backend. */
function modelFor(la: Linalg, d: number, h: number): Sequential {
  const key = `${la.info.kind}/${d}/${h}`;
  let m = models.get(key);
  if (!m) {
    const dense = (units: number) => new Dense(units, { bias: false, transposed: true });
    m = new Sequential([dense(h), new ReLU(), dense(10)], [d], { backend: la.info.kind });
    models.set(key, m);
  }
  return m;
}

/**
 * Mean cross-entropy, accuracy, and (if wanted) the gradients [∂L/∂W1, ∂L/∂W2] on the rows `idx` of `s`
 * (forward and backprop on lib/math/nn).
 */
export function lossGrad(la: Linalg, w: M[], s: Split, idx: number[] | null, wantGrad: boolean) {
  const d = s.x.cols, ids = idx ?? [...Array(s.x.rows).keys()], n = ids.length;
  const x = new Float64Array(n * d), y = new Uint8Array(n);
  ids.forEach((r, i) => {
    x.set(s.x.data.subarray(r * d, (r + 1) * d), i * d);
    y[i] = s.y[r];
  });
  const model = modelFor(la, d, w[0].rows), p1 = model.store.get("0.w"), p2 = model.store.get("2.w");
  p1.value.set(w[0].data);
  p2.value.set(w[1].data);
  const loss = wantGrad ? model.lossAndGrad(x, y, n) : softmaxCrossEntropy(model.forward(x, n), y, n, 10);
  const acc = accuracyOf(model.lastOutput!, y, n, 10);
  if (!wantGrad) return { loss, acc, grads: [] as M[] };
  const g = (p: typeof p1, ref: M) => mat(ref.rows, ref.cols, Float64Array.from(p.grad)) as M;
  return { loss, acc, grads: [g(p1, w[0]), g(p2, w[1])] };
}

/** An optimizer: from the step t (0-based) and gradients, the per-layer update Δ (applied as W ← W − Δ). */
export type Optimizer = (t: number, grads: M[]) => M[];

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) on a list of layers, with fresh state: m ← β1·m + (1−β1)·g,
 * v ← β2·v + (1−β2)·g², Δ = lr·m̂/(√v̂ + ε) with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t). With β1 = β2 = 0 (EMAs off)
 * this is lr·g/(|g| + ε): the paper's "Adam without EMA".
 */
export function adam(shapes: M[], lr: number, b1: number, b2: number, eps: number): Optimizer {
  const m = shapes.map((x) => new Float64Array(x.data.length)), v = m.map((x) => new Float64Array(x.length));
  return (t, g) =>
    g.map((x, l) =>
      mat(
        x.rows,
        x.cols,
        x.data.map((gi, i) => {
          m[l][i] = b1 * m[l][i] + (1 - b1) * gi;
          v[l][i] = b2 * v[l][i] + (1 - b2) * gi * gi;
          const mh = m[l][i] / (1 - b1 ** (t + 1)), vh = v[l][i] / (1 - b2 ** (t + 1));
          return lr * mh / (Math.sqrt(vh) + eps);
        }),
      )
    );
}

/** Rows [a, b) of a split. */
export function rowsOf(s: Split, a: number, b: number): Split {
  const d = s.x.cols;
  return { x: mat(b - a, d, s.x.data.slice(a * d, b * d)), y: s.y.slice(a, b) };
}

export interface StepState {
  step: number;
  loss: number;
  grads: M[];
  update: M[];
  w: M[];
}

/** Minibatch training; `observe(t, state)` sees each step's gradient and update before they are applied. */
export function train(
  la: Linalg,
  data: Data,
  w0: M[],
  opt: Optimizer,
  cfg: { steps: number; batch: number },
  rng: Rng,
  observe: (t: number, s: StepState) => void,
): M[] {
  const w = w0.map((x) => mat(x.rows, x.cols, x.data.slice()));
  const n = data.train.x.rows;
  for (let t = 0; t < cfg.steps; t++) {
    const idx = Array.from({ length: cfg.batch }, () => rng.int(n));
    const { loss, grads } = lossGrad(la, w, data.train, idx, true);
    const update = opt(t, grads);
    observe(t, { step: t, loss, grads, update, w });
    w.forEach((x, l) => x.data.forEach((v, i) => (x.data[i] = v - update[l].data[i])));
  }
  return w;
}

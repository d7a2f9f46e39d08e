/**
 * Subspace training (Li et al., ICLR 2018, §2, Eq. 2): θ⁽ᴰ⁾ = θ₀⁽ᴰ⁾ + P θ⁽ᵈ⁾ with a fixed random D×d projection P
 * whose columns have unit norm, and only θ⁽ᵈ⁾ (initialised to 0) trained. Network: a one-hidden-layer ReLU MLP
 * 784-H-10 with softmax cross-entropy; Adam as in the official repo's MNIST commands (README: --opt adam --lr 0.001
 * --l2 1e-05, minibatch 128). Float32 throughout; the network's forward/backprop and Adam come from the shared kit
 * lib/math/nn, the projections go through lib/math/linalg.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { Adam, type Examples, mlp, type Sequential, softmaxCrossEntropy } from "../../lib/math/nn/mod.ts";

export type Split = Examples<Float32Array, Uint8Array>;
export interface Digits {
  train: Split;
  test: Split;
  /** Held-out digits for tuning (may be empty). */
  val?: Split;
  pixels: number;
}
export interface TrainOptions {
  hidden: number;
  epochs: number;
  batch: number;
  lr: number;
  l2: number;
}

const CLASSES = 10;
const m32 = (rows: number, cols: number, data: Float32Array<ArrayBufferLike> = new Float32Array(rows * cols)) =>
  ({ rows, cols, data: data as Float32Array<ArrayBuffer> }) as Mat<Float32Array>;

/** Parameter count D of 784-H-10 (weights and biases): W1 (p×H), b1 (H), W2 (H×10), b2 (10), in that order. */
export const paramCount = (pixels: number, hidden: number) => pixels * hidden + hidden + hidden * CLASSES + CLASSES;

/** θ₀: Glorot-uniform weights, zero biases (Keras Dense defaults, as in the official Keras code). */
export function initParams(pixels: number, hidden: number, rng: Rng): Float32Array {
  const th = new Float32Array(paramCount(pixels, hidden));
  const glorot = (off: number, fanIn: number, fanOut: number) => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < fanIn * fanOut; i++) th[off + i] = (2 * rng.uniform() - 1) * a;
  };
  glorot(0, pixels, hidden);
  glorot(pixels * hidden + hidden, hidden, CLASSES);
  return th;
}

const models = new Map<string, { net: Sequential; x: Float32Array; y: Uint8Array }>();

/** The kit's 784-H-10 ReLU MLP in float32; its flat parameter layout is exactly θ's (W1, b1, W2, b2). */
function kitNet(la: Linalg, pixels: number, hidden: number, batch: number) {
  const key = `${la.info.kind}/${pixels}/${hidden}/${batch}`;
  let m = models.get(key);
  if (!m) {
    const net = mlp([pixels, hidden, CLASSES], { dtype: "float32", backend: la.info.kind });
    m = { net, x: new Float32Array(batch * pixels), y: new Uint8Array(batch) };
    models.set(key, m);
  }
  return m;
}

/**
 * Mean cross-entropy of the MLP with parameters θ on rows `idx` of the split, and its gradient dL/dθ (if `grad`).
 * Forward: h = relu(X W1 + b1), logits = h W2 + b2; backward on lib/math/nn (checked against finite differences).
 */
export function lossGrad(
  la: Linalg,
  th: Float32Array,
  s: Split,
  idx: ArrayLike<number>,
  pixels: number,
  hidden: number,
  grad?: Float32Array,
): number {
  const B = idx.length, p = pixels, { net, x, y } = kitNet(la, pixels, hidden, B);
  for (let i = 0; i < B; i++) {
    x.set(s.x.subarray(idx[i] * p, (idx[i] + 1) * p), i * p);
    y[i] = s.y[idx[i]];
  }
  net.store.value.set(th);
  if (!grad) return softmaxCrossEntropy(net.forward(x, B), y, B, CLASSES);
  const loss = net.lossAndGrad(x, y, B);
  grad.set(net.store.grad);
  return loss;
}

/** Classification accuracy of θ on a split. */
export function accuracy(la: Linalg, th: Float32Array, s: Split, pixels: number, hidden: number): number {
  const X = m32(s.n, pixels, s.x);
  const oB1 = pixels * hidden, oW2 = oB1 + hidden, oB2 = oW2 + hidden * CLASSES;
  const h = la.matmul(X, m32(pixels, hidden, th.subarray(0, oB1)));
  for (let k = 0; k < h.data.length; k++) h.data[k] = Math.max(0, h.data[k] + th[oB1 + (k % hidden)]);
  const z = la.matmul(h, m32(hidden, CLASSES, th.subarray(oW2, oB2)));
  let ok = 0;
  for (let i = 0; i < s.n; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) {
      if (z.data[i * CLASSES + c] + th[oB2 + c] > z.data[i * CLASSES + best] + th[oB2 + best]) best = c;
    }
    if (best === s.y[i]) ok++;
  }
  return ok / s.n;
}

/**
 * Dense random projection stored transposed, d × D row-major: row k is column k of the paper's P, i.i.d. N(0, 1)
 * entries normalised to unit length (§2: "columns of P ... normalized to unit length").
 */
export function denseProjection(d: number, D: number, rng: Rng): Mat<Float32Array> {
  const P = m32(d, D);
  for (let k = 0; k < d; k++) {
    const g = rng.normal(D) as Float64Array;
    let s = 0;
    for (let i = 0; i < D; i++) s += g[i] * g[i];
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < D; i++) P.data[k * D + i] = g[i] * inv;
  }
  return P;
}

export interface TrainResult {
  theta: Float32Array;
  /** Test accuracy after each epoch. */
  testAcc: number[];
  /** Validation accuracy after the last epoch (NaN without a validation split). */
  valAcc: number;
  /** Number of trained parameters: d, or D for direct training. */
  trained: number;
}

/**
 * Train the MLP either directly (d = null: all D parameters) or in a random d-dimensional subspace (Eq. 2):
 * θ = θ₀ + P z, ∂L/∂z = Pᵀ ∂L/∂θ. Minibatch Adam, reshuffled each epoch; `onEpoch` sees θ after each epoch.
 */
export function train(
  la: Linalg,
  data: Digits,
  d: number | null,
  o: TrainOptions,
  rng: Rng,
  onEpoch?: (epoch: number, theta: Float32Array) => void,
  projection?: Mat<Float32Array>,
): TrainResult {
  const { pixels } = data, D = paramCount(pixels, o.hidden);
  const theta0 = initParams(pixels, o.hidden, rng.split("init"));
  const P = d === null ? null : projection ?? denseProjection(d, D, rng.split("projection"));
  const w = d === null ? theta0.slice() : new Float32Array(d); // trained vector: θ or z (z₀ = 0)
  const theta = theta0.slice();
  const gTheta = new Float32Array(D);
  const opt = new Adam({ lr: o.lr, weightDecay: o.l2 }); // the repo's L2 penalty on the trained vector, in g
  const order = rng.split("batches");
  const testAcc: number[] = [];
  for (let e = 1; e <= o.epochs; e++) {
    const perm = order.permutation(data.train.n);
    for (let b = 0; b + o.batch <= data.train.n; b += o.batch) {
      lossGrad(la, theta, data.train, perm.subarray(b, b + o.batch), pixels, o.hidden, gTheta);
      let g: Float32Array;
      if (P === null) g = gTheta;
      else g = la.matmul(P, m32(D, 1, gTheta)).data; // Pᵀ ∂L/∂θ in the paper's orientation
      opt.step(w, g);
      if (P === null) theta.set(w);
      else {
        const delta = la.matmul(m32(1, d!, w), P).data; // (P z)ᵀ
        for (let i = 0; i < D; i++) theta[i] = theta0[i] + delta[i];
      }
    }
    testAcc.push(accuracy(la, theta, data.test, pixels, o.hidden));
    onEpoch?.(e, theta);
  }
  const valAcc = data.val && data.val.n > 0 ? accuracy(la, theta, data.val, pixels, o.hidden) : NaN;
  return { theta, testAcc, valAcc, trained: w.length };
}

/**
 * The tuning rule, the same for every method: train once per step size of `grid` (same θ₀, projection and batch
 * order, since they come from `rng`), keep the run with the highest accuracy on the held-out validation digits
 * (first best on ties). Test digits are never read by the choice.
 */
export function trainTuned(
  la: Linalg,
  data: Digits,
  d: number | null,
  o: Omit<TrainOptions, "lr">,
  grid: readonly number[],
  rng: Rng,
): TrainResult & { lr: number } {
  if (!data.val || data.val.n === 0) throw new Error("trainTuned needs a validation split");
  const D = paramCount(data.pixels, o.hidden);
  const P = d === null ? undefined : denseProjection(d, D, rng.split("projection"));
  let best: (TrainResult & { lr: number }) | null = null;
  for (const lr of grid) {
    const r = train(la, data, d, { ...o, lr }, rng, undefined, P);
    if (!best || r.valAcc > best.valAcc) best = { ...r, lr };
  }
  return best!;
}

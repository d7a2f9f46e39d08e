/**
 * Multinomial logistic regression problems: MNIST digits (datasets/mnist.ts) and synthetic Gaussian binary
 * problems. Features are rescaled so that the mean squared row norm is 1, which puts the useful SGD step sizes
 * of every problem in the same range.
 */
import type { Examples } from "../../lib/math/nn/train.ts";
import { loadMnist, MNIST_PIXELS, MNIST_SIZE } from "../../datasets/mnist.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** n × d features (row-major) and the class of each row, 0..k−1. */
export type Split = Examples<Float64Array, Int32Array>;

export interface Problem {
  name: string;
  d: number;
  k: number;
  /** L2 penalty λ/2·‖W‖² added to the mean cross-entropy (bias not penalized). */
  lambda: number;
  train: Split;
  test: Split;
}

/** Parameters of a linear classifier: W (d × k, row-major) then the bias b (k). */
export type Params = Float64Array;

export const nParams = (p: { d: number; k: number }) => p.d * p.k + p.k;

/** Mean squared row norm of x → 1, using the training scale on both splits. */
function normalize(train: Split, test: Split, d: number) {
  let s = 0;
  for (let i = 0; i < train.n * d; i++) s += train.x[i] * train.x[i];
  const c = 1 / Math.sqrt(s / train.n);
  for (let i = 0; i < train.x.length; i++) train.x[i] *= c;
  for (let i = 0; i < test.x.length; i++) test.x[i] *= c;
}

/** The first nTrain digits of the canonical order for training, the next nTest for testing (10 classes). */
export async function mnistProblem(nTrain: number, nTest: number, lambda: number): Promise<Problem> {
  if (nTrain + nTest > MNIST_SIZE) throw new RangeError(`mnist: nTrain + nTest must be ≤ ${MNIST_SIZE}`);
  const { images, labels } = await loadMnist(nTrain + nTest);
  const d = MNIST_PIXELS;
  const split = (from: number, n: number): Split => ({
    x: Float64Array.from(images.subarray(from * d, (from + n) * d)),
    y: Int32Array.from(labels.subarray(from, from + n)),
    n,
  });
  const train = split(0, nTrain), test = split(nTrain, nTest);
  normalize(train, test, d);
  return { name: "mnist", d, k: 10, lambda, train, test };
}

/**
 * Binary logistic data: x = diag(√s) z with z ~ N(0, I_d), spectrum s_j = 1 (isotropic) or s_j = 1/j
 * (ill-conditioned, κ = d); labels y ~ Bernoulli(σ(x·w*)) with w* ~ N(0, I)·scale/√(Σs) so the logit has
 * standard deviation `scale` (label noise decreases as scale grows).
 */
export function syntheticProblem(
  kind: "synth_iso" | "synth_ill",
  opts: { d: number; nTrain: number; nTest: number; lambda: number; scale: number },
  rng: Rng,
): Problem {
  const { d } = opts;
  const s = Float64Array.from({ length: d }, (_, j) => kind === "synth_iso" ? 1 : 1 / (j + 1));
  const ws = rng.split("teacher").normal(d) as Float64Array;
  const tot = s.reduce((a, b) => a + b, 0);
  const w = ws.map((v) => v * opts.scale / Math.sqrt(tot));
  const draw = (n: number, r: Rng): Split => {
    const x = new Float64Array(n * d), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const z = r.normal(d) as Float64Array;
      let t = 0;
      for (let j = 0; j < d; j++) {
        x[i * d + j] = Math.sqrt(s[j]) * z[j];
        t += x[i * d + j] * w[j];
      }
      y[i] = r.uniform() < 1 / (1 + Math.exp(-t)) ? 1 : 0;
    }
    return { x, y, n };
  };
  const train = draw(opts.nTrain, rng.split("train")), test = draw(opts.nTest, rng.split("test"));
  normalize(train, test, d);
  return { name: kind, d, k: 2, lambda: opts.lambda, train, test };
}

/** Softmax probabilities of row i into out (length k). */
function probs(p: { d: number; k: number }, w: Params, x: Float64Array, i: number, out: Float64Array) {
  const { d, k } = p;
  const off = i * d, bias = d * k;
  for (let c = 0; c < k; c++) out[c] = w[bias + c];
  for (let j = 0; j < d; j++) {
    const v = x[off + j];
    if (v === 0) continue;
    const row = j * k;
    for (let c = 0; c < k; c++) out[c] += v * w[row + c];
  }
  let m = -Infinity;
  for (let c = 0; c < k; c++) m = Math.max(m, out[c]);
  let z = 0;
  for (let c = 0; c < k; c++) z += out[c] = Math.exp(out[c] - m);
  for (let c = 0; c < k; c++) out[c] /= z;
}

/**
 * f(W) = (1/|B|) Σ_{i∈B} −log softmax(xᵢW + b)_{yᵢ} + λ/2‖W‖²; writes ∇f into g when given.
 * `rows` = the minibatch (all rows when omitted).
 */
export function lossGrad(
  p: Problem,
  w: Params,
  split: Split,
  g?: Float64Array,
  rows?: ArrayLike<number>,
): number {
  const { d, k, lambda } = p;
  const n = rows ? rows.length : split.n;
  const pr = new Float64Array(k);
  if (g) g.fill(0);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r] : r;
    probs(p, w, split.x, i, pr);
    loss -= Math.log(Math.max(pr[split.y[i]], 1e-300));
    if (!g) continue;
    pr[split.y[i]] -= 1;
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const v = split.x[off + j];
      if (v === 0) continue;
      const row = j * k;
      for (let c = 0; c < k; c++) g[row + c] += v * pr[c];
    }
    for (let c = 0; c < k; c++) g[d * k + c] += pr[c];
  }
  loss /= n;
  let reg = 0;
  for (let j = 0; j < d * k; j++) reg += w[j] * w[j];
  if (g) {
    for (let j = 0; j < g.length; j++) g[j] /= n;
    for (let j = 0; j < d * k; j++) g[j] += lambda * w[j];
  }
  return loss + 0.5 * lambda * reg;
}

/** Fraction of rows classified correctly. */
export function accuracy(p: Problem, w: Params, split: Split): number {
  const pr = new Float64Array(p.k);
  let ok = 0;
  for (let i = 0; i < split.n; i++) {
    probs(p, w, split.x, i, pr);
    let best = 0;
    for (let c = 1; c < p.k; c++) if (pr[c] > pr[best]) best = c;
    if (best === split.y[i]) ok++;
  }
  return ok / split.n;
}

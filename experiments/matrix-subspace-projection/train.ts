/**
 * Data, the judge classifier, tuned training and the measurements of the matrix-subspace-projection module.
 *
 * Fashion-MNIST images scaled to [−1, 1] (as the official CelebA loader's Normalize(0.5, 0.5)); the class is the
 * attribute (10 attributes in ±1, one per class). The judge is an MLP classifier trained once, on training images
 * the autoencoders never see; it scores whether a decoded image shows the requested class.
 */
import { Rng } from "../../lib/math/rng.ts";
import { Adam, type Examples, mlp, type Sequential, train } from "../../lib/math/nn/mod.ts";
import { loadFashionMnist } from "../../datasets/fashion-mnist.ts";
import { type Ae, attrsOf, buildAe, decodeWith, encode, type Kind, reconstruct, trainAe } from "./msp.ts";

/** Images (n × 784 in [−1, 1]) and labels. */
export type Split = Examples<Float32Array, Int32Array>;

/** AE train/validation/test splits and the trained judge. */
export interface Data {
  tr: Split;
  va: Split;
  te: Split;
  judge: Sequential;
  /** The judge's accuracy on the (real) test images. */
  judgeAcc: number;
}

/** Sizes and judge training. */
export interface DataOpts {
  nTrain: number;
  nVal: number;
  nTest: number;
  nJudge: number;
  judgeEpochs: number;
}

function part(images: Float32Array, labels: ArrayLike<number>, off: number, n: number): Split {
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) x[i] = 2 * images[off * 784 + i] - 1;
  return { x, y: Int32Array.from({ length: n }, (_, i) => labels[off + i]), n };
}

/**
 * Training file: the first nTrain images train the AEs, the next nVal validate, the next nJudge train the judge
 * (MLP 784-256-10, Adam 1e-3, fixed seed: one judge for every run); the first nTest test images are scored.
 */
export async function loadData(o: DataOpts): Promise<Data> {
  if (o.nTrain + o.nVal + o.nJudge > 60000) throw new Error("matrix-subspace-projection: too many training images");
  const f = await loadFashionMnist({ split: "train", n: o.nTrain + o.nVal + o.nJudge });
  const ft = await loadFashionMnist({ split: "test", n: o.nTest });
  const tr = part(f.images, f.labels, 0, o.nTrain), va = part(f.images, f.labels, o.nTrain, o.nVal);
  const jd = part(f.images, f.labels, o.nTrain + o.nVal, o.nJudge), te = part(ft.images, ft.labels, 0, o.nTest);
  const judge = mlp([784, 256, 10], { dtype: "float32", rng: Rng.fromSeed(0).split("judge") });
  train({
    model: judge,
    optimizer: new Adam({ lr: 1e-3 }),
    x: jd.x,
    y: jd.y,
    n: jd.n,
    batchSize: 64,
    epochs: o.judgeEpochs,
    rng: Rng.fromSeed(0).split("judge-order"),
  });
  return { tr, va, te, judge, judgeAcc: judge.accuracy(te.x, te.y, te.n) };
}

/** Per-pixel mean squared error on the [0, 1] grey scale between images in [−1, 1]. */
export function pixelMse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] - b[i]) / 2) ** 2;
  return s / a.length;
}

/** Reconstruction MSE (per pixel, [0, 1] scale) of a split. */
export function recMse(ae: Ae, s: Split): number {
  return pixelMse(reconstruct(ae, s.x, s.y, s.n), s.x);
}

/**
 * Attribute change: every image is decoded once per other class (9 targets); returns the fraction the judge reads
 * as the target, and the judge's accuracy on the plain reconstructions (the original class kept).
 */
export function changeSuccess(ae: Ae, s: Split, judge: Sequential): { success: number; keep: number } {
  const mu = encode(ae, s.x, s.n), a = ae.o.attrs;
  let ok = 0, total = 0;
  for (let shift = 1; shift < a; shift++) {
    const target = Int32Array.from(s.y, (c) => (c + shift) % a);
    const imgs = decodeWith(ae, mu, attrsOf(target, a), s.n);
    ok += judge.accuracy(imgs, target, s.n) * s.n;
    total += s.n;
  }
  return { success: ok / total, keep: judge.accuracy(reconstruct(ae, s.x, s.y, s.n), s.y, s.n) };
}

/** Options of the tuned fit. */
export interface FitOpts {
  hidden: number;
  latent: number;
  epochs: number;
  batch: number;
  clip: number;
}

/** What a tuned fit returns. */
export interface Fit {
  ae: Ae;
  lr: number;
  valMse: number;
}

/**
 * One AE per Adam step size in `lrs` from the same initial weights, data order and noise; keeps the lowest
 * validation reconstruction MSE (the one criterion both models share; a non-finite one ranks last).
 */
export function fitTuned(kind: Kind, d: Data, o: FitOpts, lrs: number[], seed: number): Fit {
  let best: Fit | null = null;
  for (const lr of lrs) {
    const ae = buildAe(kind, { hidden: o.hidden, latent: o.latent, attrs: 10 }, Rng.fromSeed(seed).split("init"));
    trainAe(ae, d.tr.x, d.tr.y, d.tr.n, { epochs: o.epochs, batch: o.batch, lr, clip: o.clip }, Rng.fromSeed(seed));
    let valMse = recMse(ae, d.va);
    if (!Number.isFinite(valMse)) valMse = Infinity;
    if (!best || valMse < best.valMse) best = { ae, lr, valMse };
  }
  return best!;
}

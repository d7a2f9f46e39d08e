/**
 * Data, nets and the tuned training loop of the matrix-activation module: the same MLP with ReLU, PReLU or the
 * diagonal trainable matrix activation (tmaf.ts) after every hidden dense layer, trained by Adam; the step size is
 * chosen from one grid on a validation split for every activation alike.
 */
import { Rng } from "../../lib/math/rng.ts";
import { Adam, Dense, type Examples, type Layer, ReLU, Sequential, train } from "../../lib/math/nn/mod.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import { MatrixActivation, PReLU, uniformKnots } from "./tmaf.ts";

export type Task = "regress" | "mnist";
export type Act = "relu" | "prelu" | "tmaf";

/** One task's splits: inputs row-major, targets (labels for mnist, values for regress). */
export interface Data {
  task: Task;
  inDim: number;
  outDim: number;
  tr: Split;
  va: Split;
  te: Split;
}
export type Split = Examples<Float32Array, Float32Array | Int32Array>;

/** The 1-D regression target (ours: two frequencies, so that a small ReLU net fits it imperfectly). */
export const target = (x: number): number => Math.sin(2 * Math.PI * x) + 0.5 * Math.sin(6 * Math.PI * x);

function regressSplit(xs: number[]): Split {
  return { x: Float32Array.from(xs), y: Float32Array.from(xs, target), n: xs.length };
}

/** x uniform on [−1, 1] for training and validation; a uniform grid of `nTest` points for testing. */
export function regressData(nTrain: number, nVal: number, nTest: number, rng: Rng): Data {
  const u = (n: number) => Array.from({ length: n }, () => 2 * rng.uniform() - 1);
  const grid = Array.from({ length: nTest }, (_, k) => -1 + (2 * (k + 0.5)) / nTest);
  return {
    task: "regress",
    inDim: 1,
    outDim: 1,
    tr: regressSplit(u(nTrain)),
    va: regressSplit(u(nVal)),
    te: regressSplit(grid),
  };
}

/** The first nTrain digits of the packaged 10k for training, the next nVal for validation, the next nTest for testing. */
export async function mnistData(nTrain: number, nVal: number, nTest: number): Promise<Data> {
  const total = nTrain + nVal + nTest;
  if (total > 10000) throw new Error("matrix-activation: nTrain + nVal + nTest must be ≤ 10000 digits");
  const d = await loadMnist(total);
  const part = (off: number, n: number): Split => ({
    x: d.images.slice(off * 784, (off + n) * 784),
    y: Int32Array.from(d.labels.subarray(off, off + n)),
    n,
  });
  return {
    task: "mnist",
    inDim: 784,
    outDim: 10,
    tr: part(0, nTrain),
    va: part(nTrain, nVal),
    te: part(nTrain + nVal, nTest),
  };
}

/** Knot options of the matrix activation. */
export interface KnotOpts {
  knotLo: number;
  knotHi: number;
  nKnots: number;
}

/** The MLP in → hidden^depth → out with activation `act`; dense layers are identical across `act` for one rng. */
export function buildNet(act: Act, d: Data, hidden: number, depth: number, k: KnotOpts, rng: Rng): Sequential {
  const layers: Layer[] = [];
  for (let l = 0; l < depth; l++) {
    layers.push(new Dense(hidden));
    layers.push(
      act === "relu"
        ? new ReLU()
        : act === "prelu"
        ? new PReLU()
        : new MatrixActivation(uniformKnots(k.knotLo, k.knotHi, k.nKnots)),
    );
  }
  layers.push(new Dense(d.outDim));
  const net = new Sequential(layers, [d.inDim], { dtype: "float32", rng });
  for (const l of layers) {
    if (l instanceof MatrixActivation) l.initRelu();
    if (l instanceof PReLU) l.initSlopes();
  }
  return net;
}

/** Test/validation error: 1 − accuracy for mnist, mean squared error for regress. */
export function errorOf(net: Sequential, d: Data, s: Split): number {
  return d.task === "mnist" ? 1 - net.accuracy(s.x, s.y, s.n) : net.loss(s.x, s.y, s.n, "mse");
}

/** What a tuned run returns. */
export interface Fit {
  net: Sequential;
  lr: number;
  valErr: number;
  /** Mean wall-clock milliseconds per training step of the chosen candidate. */
  msPerStep: number;
}

/** Training options shared by every activation. */
export interface FitOpts extends KnotOpts {
  hidden: number;
  depth: number;
  epochs: number;
  batch: number;
  lrs: number[];
}

/**
 * Trains one net per step size of `lrs` from the same initial weights and data order; keeps the lowest validation
 * error (a diverged candidate, non-finite validation error, ranks last).
 */
export function fitTuned(act: Act, d: Data, o: FitOpts, seed: number): Fit {
  let best: Fit | null = null;
  for (const lr of o.lrs) {
    const net = buildNet(act, d, o.hidden, o.depth, o, Rng.fromSeed(seed).split("init"));
    const t0 = performance.now();
    const r = train({
      model: net,
      optimizer: new Adam({ lr }),
      ...d.tr,
      batchSize: o.batch,
      epochs: o.epochs,
      rng: Rng.fromSeed(seed).split("order"),
      loss: d.task === "mnist" ? "xent" : "mse",
    });
    const msPerStep = (performance.now() - t0) / Math.max(1, r.steps);
    let valErr = errorOf(net, d, d.va);
    if (!Number.isFinite(valErr)) valErr = Infinity;
    if (!best || valErr < best.valErr) best = { net, lr, valErr, msPerStep };
  }
  return best!;
}

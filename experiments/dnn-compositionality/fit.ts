/**
 * The three learners and the one tuning rule they share: fit each grid point on the training part of the N samples
 * (the first 80%), score the mean squared error on the validation part (the last 20%), keep the first best (grid
 * order) and report its test error. No refit on all N (the same for every method).
 *
 * - deep: a ReLU MLP d → w → w → w → 1 (three hidden layers), the DNN of the paper's §1; trained by Adam on the
 *   squared loss plus L2 weight decay λ‖θ‖² (the regularised loss whose global minimiser the paper's theory bounds).
 * - shallow: a one-hidden-layer ReLU MLP d → W → 1, same loss and optimiser (the F1/Barron shallow network that the
 *   paper says cannot break the curse for h∘g).
 * - kernel: Laplace kernel ridge regression (krr.ts).
 */
import { Adam, mlp, type Sequential, train } from "../../lib/math/nn/mod.ts";
import type { Linalg } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { distances, krrFit, krrPredict, medianDistance } from "./krr.ts";

/** One regression problem: train (first nTrain rows), validation, test. */
export interface Split {
  d: number;
  xTrain: Float64Array;
  yTrain: Float64Array;
  nTrain: number;
  xVal: Float64Array;
  yVal: Float64Array;
  nVal: number;
  xTest: Float64Array;
  /** Noise-free f* on the test inputs (variance 1). */
  fTest: Float64Array;
  nTest: number;
}

/** Mean squared difference. */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** A fitted predictor and the grid point that made it. */
export interface Fitted {
  valMse: number;
  testMse: number;
  chosen: Record<string, number>;
  /** Training MSE of the chosen fit. */
  trainMse: number;
}

/** Options of the network learners. */
export interface NetOpts {
  widths: number[];
  steps: number;
  batch: number;
  lrs: readonly number[];
  weightDecays: readonly number[];
}

/** Trains one net by Adam + L2 for `steps` minibatch steps. */
export function trainNet(
  s: Split,
  widths: number[],
  o: { lr: number; wd: number; steps: number; batch: number },
  rng: Rng,
): Sequential {
  const net = mlp(widths, { rng: rng.split("init") });
  const epochs = Math.ceil((o.steps * o.batch) / s.nTrain);
  const batch = Math.min(o.batch, s.nTrain);
  train({
    model: net,
    optimizer: new Adam({ lr: o.lr, weightDecay: o.wd }),
    x: s.xTrain,
    y: s.yTrain,
    n: s.nTrain,
    batchSize: batch,
    epochs,
    rng: rng.split("order"),
    loss: "mse",
  });
  return net;
}

/** Grid search over (weight decay, lr) for a network; selection on validation MSE. */
export function fitNet(s: Split, o: NetOpts, rng: Rng): Fitted {
  let best: Fitted | null = null;
  for (const wd of o.weightDecays) {
    for (const lr of o.lrs) {
      const net = trainNet(s, o.widths, { lr, wd, steps: o.steps, batch: o.batch }, rng.split(`${wd}/${lr}`));
      const valMse = mse(net.predict(s.xVal, s.nVal), s.yVal);
      if (!best || valMse < best.valMse) {
        best = {
          valMse,
          testMse: mse(net.predict(s.xTest, s.nTest), s.fTest),
          trainMse: mse(net.predict(s.xTrain, s.nTrain), s.yTrain),
          chosen: { weight_decay: wd, lr },
        };
      }
    }
  }
  return best!;
}

/** Grid search over (bandwidth multiple of the median distance, ridge) for Laplace KRR. */
export function fitKernel(
  la: Linalg,
  s: Split,
  o: { bandwidths: readonly number[]; ridges: readonly number[] },
): Fitted {
  const { d, nTrain: n } = s;
  const dTrain = distances(s.xTrain, n, s.xTrain, n, d);
  const dVal = distances(s.xVal, s.nVal, s.xTrain, n, d);
  const dTest = distances(s.xTest, s.nTest, s.xTrain, n, d);
  const med = medianDistance(dTrain, n);
  let best: Fitted | null = null;
  for (const b of o.bandwidths) {
    for (const r of o.ridges) {
      const sigma = b * med, alpha = krrFit(la, dTrain, s.yTrain, n, sigma, r);
      const valMse = mse(krrPredict(dVal, s.nVal, n, alpha, sigma), s.yVal);
      if (!best || valMse < best.valMse) {
        best = {
          valMse,
          testMse: mse(krrPredict(dTest, s.nTest, n, alpha, sigma), s.fTest),
          trainMse: mse(krrPredict(dTrain, n, n, alpha, sigma), s.yTrain),
          chosen: { bandwidth: b, ridge: r },
        };
      }
    }
  }
  return best!;
}

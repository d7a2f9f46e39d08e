/**
 * Unsupervised training of the DCDM network: Adam on the mean DCDM loss over minibatches of right-hand sides
 * (official `src/train.py`: Keras Adam, batch 10; we keep Keras' β1 = 0.9, β2 = 0.999, ε = 1e-7).
 */
import type { StencilMatrix } from "../../lib/math/solvers/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { initNet, lossAndGrad, type Net } from "./cnn.ts";

export interface TrainOptions {
  filters: number;
  steps: number;
  batch: number;
  lr: number;
}

/**
 * Train from a Glorot init on the rows of `rhs` (count × n), reshuffled every epoch. Returns the net and the
 * training loss averaged over each block of 10 steps.
 */
export function trainDcdm(
  A: StencilMatrix,
  rhs: Float64Array[],
  opts: TrainOptions,
  rng: Rng,
): { net: Net; losses: number[] } {
  const net = initNet(opts.filters, () => rng.uniform());
  const P = net.theta.length, g = new Float64Array(P), m1 = new Float64Array(P), m2 = new Float64Array(P);
  const B = opts.batch, perEpoch = Math.floor(rhs.length / B), losses: number[] = [];
  let order = rng.split("epoch0").permutation(rhs.length), acc = 0;
  for (let t = 0; t < opts.steps; t++) {
    const e = Math.floor(t / perEpoch), j = t % perEpoch;
    if (j === 0 && t > 0) order = rng.split(`epoch${e}`).permutation(rhs.length);
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < B; i++) loss += lossAndGrad(net, A, rhs[order[j * B + i]], g);
    acc += loss / B;
    if ((t + 1) % 10 === 0) {
      losses.push(acc / 10);
      acc = 0;
    }
    // Adam (Kingma & Ba 2015, Alg. 1) with the bias correction folded into the step, as Keras does.
    const lr = (opts.lr * Math.sqrt(1 - 0.999 ** (t + 1))) / (1 - 0.9 ** (t + 1));
    for (let k = 0; k < P; k++) {
      const gk = g[k] / B;
      m1[k] = 0.9 * m1[k] + 0.1 * gk;
      m2[k] = 0.999 * m2[k] + 0.001 * gk * gk;
      net.theta[k] -= (lr * m1[k]) / (Math.sqrt(m2[k]) + 1e-7);
    }
  }
  return { net, losses };
}

/**
 * A small fully connected ReLU network trained by plain minibatch SGD on cross-entropy (the network Net-Trim
 * prunes). Layers are stored as W_l (n_in × n_out, so the layer response is ReLU(X·W_l + b_l) with samples as
 * rows); the last layer is linear (logits). Training and backprop run on the shared kit lib/math/nn; the forward
 * passes here evaluate (pruned) weights held as `Mat`s through lib/math/linalg.
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import type { Mat } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { Dense, type Layer as NnLayer, ReLU, Sequential, SGD } from "../../lib/math/nn/mod.ts";

export interface Layer {
  w: Mat<Float64Array>;
  b: Float64Array;
}
export type Net = Layer[];

const la = () => getLinalg();

/** X·W + b, then ReLU unless `linear`. */
export function layerForward(x: Mat<Float64Array>, l: Layer, linear: boolean): Mat<Float64Array> {
  const z = la().matmul(x, l.w) as Mat<Float64Array>;
  const { rows, cols, data } = z;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j] + l.b[j];
      data[i * cols + j] = linear || v > 0 ? v : 0;
    }
  }
  return z;
}

/** Inputs of every layer and the logits: acts[0] = X, acts[l+1] = layer l's output. */
export function forwardAll(net: Net, x: Mat<Float64Array>): Mat<Float64Array>[] {
  const acts = [x];
  net.forEach((l, i) => acts.push(layerForward(acts[i], l, i === net.length - 1)));
  return acts;
}

export function accuracy(net: Net, x: Mat<Float64Array>, y: Uint8Array): number {
  const out = forwardAll(net, x).at(-1)!;
  let ok = 0;
  for (let i = 0; i < out.rows; i++) {
    let best = 0;
    for (let j = 1; j < out.cols; j++) if (out.data[i * out.cols + j] > out.data[i * out.cols + best]) best = j;
    if (best === y[i]) ok++;
  }
  return ok / out.rows;
}

/** The kit's network with `net`'s weights (Dense n_in×n_out + ReLU per hidden layer, linear logits). */
export function toModel(net: Net): Sequential {
  const layers: NnLayer[] = [];
  net.forEach((l, i) => {
    layers.push(new Dense(l.w.cols));
    if (i < net.length - 1) layers.push(new ReLU());
  });
  const model = new Sequential(layers, [net[0].w.rows]);
  net.forEach((l, i) => {
    model.store.get(`${2 * i}.w`).value.set(l.w.data);
    model.store.get(`${2 * i}.b`).value.set(l.b);
  });
  return model;
}

/** The model's weights as a `Net` (copies). */
function fromModel(model: Sequential, sizes: number[]): Net {
  return sizes.slice(0, -1).map((n, i) => ({
    w: mat(n, sizes[i + 1], Float64Array.from(model.store.get(`${2 * i}.w`).value)) as Mat<Float64Array>,
    b: Float64Array.from(model.store.get(`${2 * i}.b`).value),
  }));
}

/** Mean cross-entropy gradient of the whole net on a batch (lib/math/nn backprop); returns the loss. */
export function gradients(net: Net, x: Mat<Float64Array>, y: Uint8Array): { loss: number; grads: Layer[] } {
  const model = toModel(net);
  const loss = model.lossAndGrad(x.data, y, x.rows);
  const grads = net.map((l, i) => ({
    w: mat(l.w.rows, l.w.cols, Float64Array.from(model.store.get(`${2 * i}.w`).grad)) as Mat<Float64Array>,
    b: Float64Array.from(model.store.get(`${2 * i}.b`).grad),
  }));
  return { loss, grads };
}

/**
 * He-initialised net trained by minibatch SGD with momentum 0.9 (lib/math/nn: PyTorch's form v ← 0.9v + g,
 * θ ← θ − lr·v, the same iterates as v ← 0.9v − lr·g, θ ← θ + v at constant lr). The initial weights are drawn from
 * `rng` layer by layer, then each epoch's order is `rng.permutation`, and the last partial batch is dropped.
 */
export function trainMlp(
  x: Mat<Float64Array>,
  y: Uint8Array,
  sizes: number[],
  opts: { epochs: number; lr: number; batch: number },
  rng: Rng,
): Net {
  const init: Net = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const w = mat(sizes[l], sizes[l + 1], rng.normal(sizes[l] * sizes[l + 1]));
    const s = Math.sqrt(2 / sizes[l]);
    for (let t = 0; t < w.data.length; t++) w.data[t] *= s;
    init.push({ w: w as Mat<Float64Array>, b: new Float64Array(sizes[l + 1]) });
  }
  const model = toModel(init), opt = new SGD({ lr: opts.lr, momentum: 0.9 });
  const B = opts.batch, d = x.cols, xb = new Float64Array(B * d), yb = new Uint8Array(B);
  for (let e = 0; e < opts.epochs; e++) {
    const perm = rng.permutation(x.rows);
    for (let s = 0; s + B <= x.rows; s += B) {
      for (let i = 0; i < B; i++) {
        const r = perm[s + i];
        xb.set(x.data.subarray(r * d, (r + 1) * d), i * d);
        yb[i] = y[r];
      }
      model.lossAndGrad(xb, yb, B);
      opt.step(model.store.value, model.store.grad);
    }
  }
  return fromModel(model, sizes);
}

/**
 * A small fully connected ReLU network trained by plain minibatch SGD on cross-entropy (the network Net-Trim
 * prunes). Layers are stored as W_l (n_in × n_out, so the layer response is ReLU(X·W_l + b_l) with samples as
 * rows); the last layer is linear (logits). Matrix products go through lib/math/linalg (native BLAS when present).
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import type { Mat } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";

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

function rowsOf(x: Mat<Float64Array>, idx: ArrayLike<number>): Mat<Float64Array> {
  const out = mat(idx.length, x.cols);
  for (let i = 0; i < idx.length; i++) {
    out.data.set(x.data.subarray(idx[i] * x.cols, (idx[i] + 1) * x.cols), i * x.cols);
  }
  return out;
}

/** Mean cross-entropy gradient of the whole net on a batch (backprop); returns the loss. */
export function gradients(net: Net, x: Mat<Float64Array>, y: Uint8Array): { loss: number; grads: Layer[] } {
  const acts = forwardAll(net, x);
  const n = x.rows;
  const out = acts.at(-1)!;
  const k = out.cols;
  let delta = mat(n, k);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = out.data.subarray(i * k, (i + 1) * k);
    const m = Math.max(...row);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(row[j] - m);
    loss += -(row[y[i]] - m - Math.log(s));
    for (let j = 0; j < k; j++) delta.data[i * k + j] = (Math.exp(row[j] - m) / s - (j === y[i] ? 1 : 0)) / n;
  }
  const grads: Layer[] = new Array(net.length);
  for (let l = net.length - 1; l >= 0; l--) {
    const gw = la().matmul(acts[l], delta, { transA: true }) as Mat<Float64Array>;
    const gb = new Float64Array(delta.cols);
    for (let i = 0; i < n; i++) for (let j = 0; j < delta.cols; j++) gb[j] += delta.data[i * delta.cols + j];
    grads[l] = { w: gw, b: gb };
    if (l > 0) {
      const back = la().matmul(delta, net[l].w, { transB: true }) as Mat<Float64Array>;
      const a = acts[l].data;
      for (let t = 0; t < back.data.length; t++) if (a[t] <= 0) back.data[t] = 0; // ReLU'
      delta = back;
    }
  }
  return { loss: loss / n, grads };
}

/** He-initialised net trained by minibatch SGD with momentum 0.9. */
export function trainMlp(
  x: Mat<Float64Array>,
  y: Uint8Array,
  sizes: number[],
  opts: { epochs: number; lr: number; batch: number },
  rng: Rng,
): Net {
  const net: Net = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const w = mat(sizes[l], sizes[l + 1], rng.normal(sizes[l] * sizes[l + 1]));
    const s = Math.sqrt(2 / sizes[l]);
    for (let t = 0; t < w.data.length; t++) w.data[t] *= s;
    net.push({ w: w as Mat<Float64Array>, b: new Float64Array(sizes[l + 1]) });
  }
  const vel = net.map((l) => ({ w: new Float64Array(l.w.data.length), b: new Float64Array(l.b.length) }));
  for (let e = 0; e < opts.epochs; e++) {
    const perm = rng.permutation(x.rows);
    for (let s = 0; s + opts.batch <= x.rows; s += opts.batch) {
      const idx = perm.slice(s, s + opts.batch);
      const yb = new Uint8Array(idx.length);
      for (let i = 0; i < idx.length; i++) yb[i] = y[idx[i]];
      const { grads } = gradients(net, rowsOf(x, idx), yb);
      net.forEach((l, i) => {
        for (let t = 0; t < l.w.data.length; t++) {
          vel[i].w[t] = 0.9 * vel[i].w[t] - opts.lr * grads[i].w.data[t];
          l.w.data[t] += vel[i].w[t];
        }
        for (let t = 0; t < l.b.length; t++) {
          vel[i].b[t] = 0.9 * vel[i].b[t] - opts.lr * grads[i].b[t];
          l.b[t] += vel[i].b[t];
        }
      });
    }
  }
  return net;
}

/**
 * The classifier whose accuracy is estimated: a one-hidden-layer MLP 784-H-10 (ReLU), trained on the shared kit
 * lib/math/nn (native OpenBLAS sgemm, or the js kernel), initial weights drawn by jax-js from the run's key.
 *
 * Training follows the official base-model recipe of MaNo (`init_base_model.py`): cross-entropy, SGD with
 * momentum 0.9, no weight decay, cosine-annealed learning rate over all steps, batch 128. Initialisation is
 * PyTorch's nn.Linear default, U(-1/√fan_in, 1/√fan_in) for weights and biases. float32.
 */
import { type numpy as np, random } from "@jax-js/jax";
import { cosine, mlp, type Sequential, SGD } from "../../lib/math/nn/mod.ts";

export const PIXELS = 784;
export const CLASSES = 10;

type F32 = Float32Array<ArrayBuffer>;

export type Params = { w1: np.Array; b1: np.Array; w2: np.Array; b2: np.Array };

/** Plain float32 weights (what is cached and passed around). */
export interface Weights {
  hidden: number;
  w1: F32; // 784 × H
  b1: F32; // H
  w2: F32; // H × 10
  b2: F32; // 10
}

export interface TrainOptions {
  hidden: number;
  steps: number;
  batch: number;
  lr: number;
  momentum: number;
}

function initParams(hidden: number, key: ReturnType<typeof random.key>): Params {
  const [k1, k2, k3, k4] = random.split(key, 4);
  const u = (k: typeof key, shape: number[], fanIn: number) => {
    const a = 1 / Math.sqrt(fanIn);
    return random.uniform(k, shape, { minval: -a, maxval: a });
  };
  return {
    w1: u(k1, [PIXELS, hidden], PIXELS),
    b1: u(k2, [hidden], PIXELS),
    w2: u(k3, [hidden, CLASSES], hidden),
    b2: u(k4, [CLASSES], hidden),
  };
}

/**
 * Train on (images, labels) for `steps` minibatch steps drawn without replacement (reshuffled every epoch
 * by `perm`, which gives the permutation of epoch e). Returns the weights and the loss curve.
 */
export async function trainMlp(
  images: Float32Array,
  labels: Uint8Array,
  opts: TrainOptions,
  key: ReturnType<typeof random.key>,
  perm: (epoch: number) => Int32Array,
): Promise<{ weights: Weights; losses: number[] }> {
  const n = labels.length, B = opts.batch, H = opts.hidden;
  const net = await initNet(H, key);
  const opt = new SGD({ lr: cosine(opts.lr, opts.steps), momentum: opts.momentum }); // cosine annealing per step
  const perEpoch = Math.floor(n / B);
  const xb = new Float32Array(B * PIXELS), yb = new Uint8Array(B);
  const losses: number[] = [];
  let order = perm(0);
  for (let t = 0; t < opts.steps; t++) {
    const e = Math.floor(t / perEpoch), j = t % perEpoch;
    if (j === 0 && t > 0) order = perm(e);
    for (let b = 0; b < B; b++) {
      const i = order[j * B + b];
      xb.set(images.subarray(i * PIXELS, (i + 1) * PIXELS), b * PIXELS);
      yb[b] = labels[i];
    }
    const l = net.lossAndGrad(xb, yb, B);
    opt.step(net.store.value, net.store.grad);
    if (t % 25 === 0 || t === opts.steps - 1) losses.push(l);
  }
  const w = (name: string) => Float32Array.from(net.store.get(name).value) as F32;
  return { weights: { hidden: H, w1: w("0.w"), b1: w("0.b"), w2: w("2.w"), b2: w("2.b") }, losses };
}

/** The kit MLP 784-H-10 in float32 with the PyTorch-default initial weights drawn from `key` by jax-js. */
async function initNet(hidden: number, key: ReturnType<typeof random.key>): Promise<Sequential> {
  const p = initParams(hidden, key), net = mlp([PIXELS, hidden, CLASSES], { dtype: "float32" });
  for (const [name, a] of [["0.w", p.w1], ["0.b", p.b1], ["2.w", p.w2], ["2.b", p.b2]] as const) {
    net.store.get(name).value.set((await a.data()) as Float32Array);
  }
  return net;
}

/** The kit MLP holding `w`. */
function netOf(w: Weights): Sequential {
  const net = mlp([PIXELS, w.hidden, CLASSES], { dtype: "float32" });
  net.store.get("0.w").value.set(w.w1);
  net.store.get("0.b").value.set(w.b1);
  net.store.get("2.w").value.set(w.w2);
  net.store.get("2.b").value.set(w.b2);
  return net;
}

/** Penultimate features (n × H, post-ReLU) and logits (n × 10) of n images, in chunks. */
export function predict(
  w: Weights,
  images: Float32Array,
  chunk = 1000,
): Promise<{ features: F32; logits: F32 }> {
  const n = images.length / PIXELS, H = w.hidden, net = netOf(w), ctx = net.ctx();
  const features = new Float32Array(n * H), logits = new Float32Array(n * CLASSES);
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s), x = images.subarray(s * PIXELS, (s + m) * PIXELS);
    const h = net.layers[1].forward(net.layers[0].forward(x, m, ctx, false), m, ctx, false);
    features.set(h.subarray(0, m * H), s * H);
    logits.set(net.layers[2].forward(h, m, ctx, false).subarray(0, m * CLASSES), s * CLASSES);
  }
  return Promise.resolve({ features, logits });
}

/**
 * The backbone and the task adapters for the RMM module, on lib/math/nn/factorized.ts (float64 `FactorNet`):
 * a 784 → h → h → 10 ReLU MLP pretrained by SGD on upright Fashion-MNIST, then one LoRA per task (every layer,
 * head included: W₀ + (α/r)·B·A with α = r, W₀ and biases frozen) trained by Adam on that task alone. Merged or
 * reconstructed deltas are evaluated by a dense copy of the backbone with W₀ + Δ in each layer.
 */
import type { Rng } from "../../lib/math/rng.ts";
import {
  DenseLayer,
  type FactorLayer,
  FactorNet,
  type FactorParam,
  LoraLayer,
  type M,
} from "../../lib/math/nn/factorized.ts";
import { Adam } from "../../lib/math/nn/optim.ts";
import type { Digits } from "../../datasets/mnist.ts";
import type { LoraFactors } from "./merge.ts";

export interface Split {
  x: M;
  y: Uint8Array;
}

const P = 784;

/** Images [s, s + n) of a digit set as a float64 matrix and labels. */
export function take(d: Digits, s: number, n: number): Split {
  if (s + n > d.n) throw new Error(`rmm: images [${s}, ${s + n}) past the ${d.n} available`);
  return {
    x: { rows: n, cols: P, data: Float64Array.from(d.images.subarray(s * P, (s + n) * P)) },
    y: d.labels.slice(s, s + n),
  };
}

function rowsOf(x: M, idx: ArrayLike<number>, s: number, e: number): M {
  const out = new Float64Array((e - s) * x.cols);
  for (let i = s; i < e; i++) out.set(x.data.subarray(idx[i] * x.cols, (idx[i] + 1) * x.cols), (i - s) * x.cols);
  return { rows: e - s, cols: x.cols, data: out };
}

export function accuracy(net: FactorNet, d: Split): number {
  const p = net.predict(d.x);
  let ok = 0;
  for (let i = 0; i < d.y.length; i++) ok += p[i] === d.y[i] ? 1 : 0;
  return ok / d.y.length;
}

/** Minibatch epochs over `d`, one optimiser step per trainable tensor per minibatch (order from `rng`). */
function fit(
  net: FactorNet,
  params: FactorParam[],
  d: Split,
  o: { epochs: number; batch: number; rng: Rng; step: (p: FactorParam, k: number) => void },
): void {
  const n = d.x.rows;
  for (let ep = 0; ep < o.epochs; ep++) {
    const perm = o.rng.split(`epoch${ep}`).permutation(n);
    for (let s = 0; s < n; s += o.batch) {
      const e = Math.min(n, s + o.batch);
      net.lossAndGrad(rowsOf(d.x, perm, s, e), Array.from(perm.subarray(s, e), (i) => d.y[i]));
      params.forEach((p, k) => o.step(p, k));
    }
  }
}

/** The pretrained dense net: PyTorch-default init, plain SGD on the source images. */
export function pretrain(
  src: Split,
  cfg: { hidden: number; preEpochs: number; batch: number; preLr: number },
  rng: Rng,
): FactorNet {
  const s = [P, cfg.hidden, cfg.hidden, 10];
  const layers: FactorLayer[] = [];
  for (let i = 0; i + 1 < s.length; i++) layers.push(new DenseLayer(s[i], s[i + 1], { rng: rng.split(`layer${i}`) }));
  const net = new FactorNet(layers);
  fit(net, layers.flatMap((l) => l.params()), src, {
    epochs: cfg.preEpochs,
    batch: cfg.batch,
    rng: rng.split("order"),
    step: (p) => {
      for (let i = 0; i < p.value.length; i++) p.value[i] -= cfg.preLr * p.grad[i];
    },
  });
  return net;
}

/**
 * One LoRA per layer of `pre` (head included), trained by Adam at `lr` on `train`; returns its factors. The
 * factors A start from `initRng` (the same stream for every task, as when each task's run uses one seed) and the
 * minibatch order comes from `orderRng`.
 */
export function trainLora(
  pre: FactorNet,
  train: Split,
  cfg: { rank: number; epochs: number; batch: number; lr: number },
  initRng: Rng,
  orderRng: Rng,
): LoraFactors[] {
  const layers = pre.layers.map((l0, i) => {
    const l = l0 as DenseLayer;
    return new LoraLayer(l.inDim, l.outDim, Math.min(cfg.rank, l.inDim, l.outDim), {
      base: l.weight(),
      bias: l.b.value,
      rng: initRng.split(`lora${i}`),
    });
  });
  const net = new FactorNet(layers);
  const params = layers.flatMap((l) => l.params());
  const opts = params.map(() => new Adam({ lr: cfg.lr }));
  fit(net, params, train, {
    epochs: cfg.epochs,
    batch: cfg.batch,
    rng: orderRng,
    step: (p, k) => opts[k].step(p.value, p.grad),
  });
  return layers.map((l) => ({
    a: { rows: l.rank, cols: l.inDim, data: l.a.value.slice() },
    b: { rows: l.outDim, cols: l.rank, data: l.bB.value.slice() },
    scale: l.scale,
  }));
}

/** A dense copy of `pre` with W₀ + Δ_ℓ in layer ℓ (biases unchanged). */
export function withDeltas(pre: FactorNet, deltas: M[]): FactorNet {
  return new FactorNet(pre.layers.map((l0, i) => {
    const l = l0 as DenseLayer, w = l.weight();
    const d = deltas[i];
    if (d.rows !== w.rows || d.cols !== w.cols) throw new Error(`rmm: delta ${i} is ${d.rows}×${d.cols}`);
    const data = w.data.slice();
    for (let k = 0; k < data.length; k++) data[k] += d.data[k];
    return new DenseLayer(l.inDim, l.outDim, {
      rng: null as unknown as Rng,
      weight: { rows: w.rows, cols: w.cols, data },
      bias: l.b.value,
    });
  }));
}

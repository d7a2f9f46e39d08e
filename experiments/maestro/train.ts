/**
 * The three tasks of the Maestro module, each a pure function (data, config, rng) → metrics:
 *
 * - `svd`: one LoD layer fitted to y = x·C with x running over the standard basis (the uniform data of the paper's
 *   SVD statement; notebooks/linear_models.ipynb, "SVD"): MSE of the sampled-rank output only, SGD. At the optimum
 *   every prefix U[:, :k]·V[:k, :] is C's best rank-k approximation C_k (Eckart–Young), and ‖U[:, k]‖·‖V[k, :]‖ = σ_k.
 * - `pca`: a linear autoencoder X ↦ X·V[:k]ᵀ·U[:, :k]ᵀ (notebook "PCA"): full-pass MSE + sampled-rank MSE, SGD.
 *   At the optimum every prefix is the projection on the top-k principal directions: its reconstruction error is
 *   Σ_{i>k} σ_i(X)².
 * - `fashion`: a 784-h-h-10 ReLU MLP on Fashion-MNIST, dense SGD + post-hoc SVD truncation vs Maestro (hidden layers
 *   LoD, full + sampled pass, hierarchical group lasso, progressive shrinking), test accuracy at the same ranks.
 *
 * The `plain` method of the linear tasks trains the same factorisation on the full-rank loss only (no sampling):
 * nothing orders its rank-one terms, so its prefixes need not be C_k — the contrast that shows the order comes
 * from LoD's sampling.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { cosine, SGD } from "../../lib/math/nn/optim.ts";
import type { Arr } from "../../lib/math/nn/gemm.ts";
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import {
  bindFlat,
  crossEntropy,
  DenseLin,
  gemmBackend,
  LodLin,
  Mlp,
  samplePerLayer,
  softmaxRows,
  torchUniform,
} from "./lod.ts";

type M64 = Mat<Float64Array>;

/** Rank fractions at which the accuracy–rank trade-off is read (hidden layers cut to ⌈p·min(in, out)⌉). */
export const FRACTIONS = [1, 0.5, 0.25, 0.125, 0.0625] as const;
export const FRACTION_TAGS = ["100", "50", "25", "12", "6"] as const;

// ------------------------------------------------------------------------------------------------ linear tasks

export interface SvdData {
  m: number;
  n: number;
  /** C (m × n), target y = x·C. */
  c: Float64Array;
  /** C's singular values, descending. */
  s: Float64Array;
  /** C_k (m × n) for k = 1..r. */
  best: Float64Array[];
}

function randomOrthonormal(rows: number, cols: number, rng: Rng): M64 {
  return getLinalg().qr({ rows, cols, data: rng.normal(rows * cols) }).q as M64;
}

/** C = Q₁·diag(s)·Q₂ᵀ with random orthonormal Q₁ (m × r), Q₂ (n × r) and the given singular values. */
export function makeSvdData(m: number, n: number, s: number[], rng: Rng): SvdData {
  const r = s.length, q1 = randomOrthonormal(m, r, rng.split("q1")), q2 = randomOrthonormal(n, r, rng.split("q2"));
  const best: Float64Array[] = [];
  const acc = new Float64Array(m * n);
  for (let k = 0; k < r; k++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) acc[i * n + j] += s[k] * q1.data[i * r + k] * q2.data[j * r + k];
    }
    best.push(acc.slice());
  }
  return { m, n, c: acc.slice(), s: Float64Array.from(s), best };
}

export interface PcaData {
  nSamples: number;
  m: number;
  /** Centred data X (nSamples × m). */
  x: Float64Array;
  /** Σ_{i>k} σ_i(X)² for k = 0..m (optimal rank-k reconstruction error). */
  tail: Float64Array;
}

/** Gaussian data with per-direction standard deviations `std` in a random orthonormal basis, centred. */
export function makePcaData(nSamples: number, std: number[], rng: Rng): PcaData {
  const m = std.length, q = randomOrthonormal(m, m, rng.split("basis")), z = rng.split("z").normal(nSamples * m);
  const x = new Float64Array(nSamples * m);
  for (let i = 0; i < nSamples; i++) {
    for (let a = 0; a < m; a++) {
      let v = 0;
      for (let b = 0; b < m; b++) v += z[i * m + b] * std[b] * q.data[a * m + b];
      x[i * m + a] = v;
    }
  }
  for (let a = 0; a < m; a++) {
    let mu = 0;
    for (let i = 0; i < nSamples; i++) mu += x[i * m + a];
    mu /= nSamples;
    for (let i = 0; i < nSamples; i++) x[i * m + a] -= mu;
  }
  const sv = getLinalg().svdvals({ rows: nSamples, cols: m, data: x }) as Float64Array;
  const tail = new Float64Array(m + 1);
  for (let k = m - 1; k >= 0; k--) tail[k] = tail[k + 1] + sv[k] ** 2;
  return { nSamples, m, x, tail };
}

export interface LinearCfg {
  iters: number;
  linearLr: number;
}

/** MSE (mean over entries, torch's MSELoss) of out vs target; writes ∂/∂out into grad. */
function mseInto(out: Arr, target: ArrayLike<number>, grad: Arr): number {
  let s = 0;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const d = out[i] - target[i];
    s += d * d;
    grad[i] = (2 * d) / n;
  }
  return s / n;
}

const fro = (a: ArrayLike<number>, b?: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - (b ? b[i] : 0)) ** 2;
  return Math.sqrt(s);
};

/** `lod`: sampled rank only (the notebook's SVD loop); `plain`: full rank only. SGD with cosine decay. */
export function fitSvd(d: SvdData, cfg: LinearCfg, sampled: boolean, rng: Rng): Record<string, number> {
  const g = gemmBackend(), layer = new LodLin(d.m, d.n, "float64", false).initUniform(rng.split("init"));
  const { value, grad } = bindFlat([layer], "float64");
  const opt = new SGD({ lr: cosine(cfg.linearLr, cfg.iters) });
  const x = new Float64Array(d.m * d.m);
  for (let i = 0; i < d.m; i++) x[i * d.m + i] = 1;
  const dy = new Float64Array(d.m * d.n), pick = rng.split("sampler");
  for (let t = 0; t < cfg.iters; t++) {
    grad.fill(0);
    const k = sampled ? 1 + Math.floor(pick.uniform() * layer.r) : layer.r;
    const out = layer.forward(x, d.m, g, k);
    mseInto(out, d.c, dy);
    layer.backward(dy, d.m, g, false);
    opt.step(value, grad);
  }
  // W_k = U[:, :k]·V[:k, :] is n × m; compare with C_kᵀ.
  const cn = fro(d.c), norms = layer.rankOneNorms();
  let gap = 0, svErr = 0;
  for (let k = 1; k <= layer.r; k++) {
    const w = layer.product(k), ck = d.best[k - 1], diff = new Float64Array(w.length);
    for (let i = 0; i < d.n; i++) for (let j = 0; j < d.m; j++) diff[i * d.m + j] = w[i * d.m + j] - ck[j * d.n + i];
    gap = Math.max(gap, fro(diff) / cn);
    svErr = Math.max(svErr, Math.abs(norms[k - 1] - d.s[k - 1]) / d.s[0]);
  }
  const wf = layer.product(layer.r), full = new Float64Array(wf.length);
  for (let i = 0; i < d.n; i++) for (let j = 0; j < d.m; j++) full[i * d.m + j] = wf[i * d.m + j] - d.c[j * d.n + i];
  return { prefix_gap: gap, sv_err: svErr, full_err: fro(full) / cn };
}

/** `lod`: full-pass MSE + sampled-rank MSE (the notebook's PCA loop, without its group lasso); `plain`: full only. */
export function fitPca(d: PcaData, cfg: LinearCfg, sampled: boolean, rng: Rng): Record<string, number> {
  const g = gemmBackend(), layer = new LodLin(d.m, d.m, "float64", false).initUniform(rng.split("init"));
  const { value, grad } = bindFlat([layer], "float64");
  const opt = new SGD({ lr: cosine(cfg.linearLr, cfg.iters) });
  const dy = new Float64Array(d.nSamples * d.m), pick = rng.split("sampler");
  for (let t = 0; t < cfg.iters; t++) {
    grad.fill(0);
    mseInto(layer.forward(d.x, d.nSamples, g, layer.r), d.x, dy);
    layer.backward(dy, d.nSamples, g, false);
    if (sampled) {
      const k = 1 + Math.floor(pick.uniform() * layer.r);
      mseInto(layer.forward(d.x, d.nSamples, g, k), d.x, dy);
      layer.backward(dy, d.nSamples, g, false);
    }
    opt.step(value, grad);
  }
  const total = d.tail[0];
  let gap = 0;
  for (let k = 1; k <= d.m; k++) {
    const out = layer.forward(d.x, d.nSamples, g, k);
    gap = Math.max(gap, (fro(out, d.x) ** 2 - d.tail[k]) / total);
  }
  return { pca_gap: gap, full_err: fro(layer.forward(d.x, d.nSamples, g, d.m), d.x) ** 2 / total };
}

// ------------------------------------------------------------------------------------------------ Fashion-MNIST

export interface ImageData {
  xTrain: Float32Array;
  yTrain: Uint8Array;
  xTest: Float32Array;
  yTest: Uint8Array;
  nTrain: number;
  nTest: number;
}

export interface FashionCfg {
  hidden: number;
  epochs: number;
  batch: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  gpLambda: number;
  importanceThreshold: number;
}

export interface FashionOut {
  /** Test accuracy and stored numbers at each of FRACTIONS. */
  acc: number[];
  params: number[];
  /** Test accuracy after each epoch (kept rank). */
  accCurve: number[];
  /** Fraction of the hidden layers' ranks kept by progressive shrinking (1 for dense). */
  keptFrac: number;
  /** Numbers stored by the kept model (Maestro) or the dense net. */
  paramsKept: number;
  denseParams: number;
}

const SIZES = (h: number) => [784, h, h, 10];

/** The dense net as official `initialise_model` + nn.Linear init: U(±1/√fanIn) weights and biases. */
function denseNet(h: number, rng: Rng): DenseLin[] {
  const s = SIZES(h);
  return s.slice(0, -1).map((a, i) => {
    const l = new DenseLin(a, s[i + 1], "float32");
    torchUniform(l.w, a, rng.split(`w${i}`));
    torchUniform(l.b, a, rng.split(`b${i}`));
    return l;
  });
}

export function accuracy(net: Mlp, x: Float32Array, y: Uint8Array, n: number, ranks: (number | null)[] = []): number {
  const g = gemmBackend(), B = 1000;
  let ok = 0;
  for (let s = 0; s < n; s += B) {
    const b = Math.min(B, n - s), z = net.forward(x.subarray(s * 784, (s + b) * 784), b, g, ranks);
    for (let i = 0; i < b; i++) {
      let best = 0;
      for (let j = 1; j < 10; j++) if (z[i * 10 + j] > z[i * 10 + best]) best = j;
      if (best === y[s + i]) ok++;
    }
  }
  return ok / n;
}

/** Ranks of the two hidden layers at fraction p (the classifier layer stays full). */
export function ranksAt(h: number, p: number): (number | null)[] {
  const s = SIZES(h);
  return [Math.ceil(p * Math.min(s[0], s[1])), Math.ceil(p * Math.min(s[1], s[2])), null];
}

/**
 * Trains `dense` (plain SGD on CE) or `maestro` (LoD hidden layers from the SVD of the same dense init, full +
 * sampled pass, group lasso, progressive shrinking after each epoch). SGD with momentum and L2 weight decay on
 * every parameter (torch.optim.SGD, official defaults momentum 0.9, wd 1e-4); constant lr (the official LeNet
 * scheduler never decays).
 */
export function trainFashion(kind: "dense" | "maestro", d: ImageData, cfg: FashionCfg, rng: Rng): FashionOut {
  const dense = denseNet(cfg.hidden, rng.split("init"));
  const layers: (DenseLin | LodLin)[] = kind === "dense" ? dense : [
    LodLin.fromDense(dense[0]),
    LodLin.fromDense(dense[1]),
    dense[2],
  ];
  const net = new Mlp(layers, "float32");
  const denseParams = new Mlp(dense, "float32").params();
  const { value, grad } = bindFlat(layers, "float32");
  const opt = new SGD({ lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  const g = gemmBackend(), B = cfg.batch, n = d.nTrain;
  const xb = new Float32Array(B * 784), yb = new Uint8Array(B);
  const dz = new Float32Array(B * 10), soft = new Float32Array(B * 10);
  const accCurve: number[] = [], pick = rng.split("sampler");
  for (let ep = 0; ep < cfg.epochs; ep++) {
    const perm = rng.split(`epoch${ep}`).permutation(n);
    for (let s = 0; s + B <= n; s += B) {
      for (let i = 0; i < B; i++) {
        const j = perm[s + i];
        xb.set(d.xTrain.subarray(j * 784, (j + 1) * 784), i * 784);
        yb[i] = d.yTrain[j];
      }
      grad.fill(0);
      const full = net.forward(xb, B, g);
      crossEntropy(full, B, 10, dz, { labels: yb });
      if (kind === "maestro") softmaxRows(full, B, 10, soft);
      net.backward(dz, B, g);
      if (kind === "maestro") {
        const part = net.forward(xb, B, g, samplePerLayer(net, pick));
        crossEntropy(part, B, 10, dz, { soft });
        net.backward(dz, B, g);
        if (cfg.gpLambda > 0) { for (const l of layers) if (l instanceof LodLin) l.addGroupLasso(cfg.gpLambda); }
      }
      opt.step(value, grad);
    }
    if (kind === "maestro") { for (const l of layers) if (l instanceof LodLin) l.shrink(cfg.importanceThreshold); }
    accCurve.push(accuracy(net, d.xTest, d.yTest, d.nTest));
  }
  const evalNet = kind === "dense"
    ? new Mlp([LodLin.fromDense(dense[0]), LodLin.fromDense(dense[1]), dense[2]], "float32")
    : net;
  const acc: number[] = [], params: number[] = [];
  for (const p of FRACTIONS) {
    const r = ranksAt(cfg.hidden, p);
    acc.push(
      p === 1 && kind === "dense" ? accuracy(net, d.xTest, d.yTest, d.nTest) : accuracy(
        evalNet,
        d.xTest,
        d.yTest,
        d.nTest,
        r,
      ),
    );
    params.push(p === 1 && kind === "dense" ? denseParams : evalNet.params(r));
  }
  const lods = layers.filter((l) => l instanceof LodLin) as LodLin[];
  const keptFrac = lods.length ? lods.reduce((s, l) => s + l.kept, 0) / lods.reduce((s, l) => s + l.r, 0) : 1;
  return {
    acc,
    params,
    accCurve,
    keptFrac,
    paramsKept: kind === "dense" ? denseParams : net.params(),
    denseParams,
  };
}

/** Standardises pixels by the training set's mean and std (the official MNIST Normalize, computed here). */
export function standardise(train: Float32Array, test: Float32Array): void {
  let s = 0, q = 0;
  for (let i = 0; i < train.length; i++) s += train[i], q += train[i] * train[i];
  const mu = s / train.length, sd = Math.sqrt(q / train.length - mu * mu);
  for (const a of [train, test]) for (let i = 0; i < a.length; i++) a[i] = (a[i] - mu) / sd;
}

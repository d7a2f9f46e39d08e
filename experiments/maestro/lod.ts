/**
 * Maestro's low-rank ordered decomposition (LoD) and the networks of this module, on the training kit's in-place
 * gemm (lib/math/nn/gemm.ts). Follows the official PyTorch code SamuelHorvath/Maestro-LoD (read, not copied):
 * maestro/layers/linear.py (MaestroLinear), maestro/samplers/single_layer.py (the "per_layer" sampler),
 * maestro/layers/utils.py (group lasso, progressive shrinking) and cifar_mnist_main.py (the training step).
 *
 * A LoD layer keeps W = U·V (out × in) as `uout` (out × r, the out_network weight) and `vin` (r × in, the
 * in_network weight), r = min(in, out), plus a bias. At rank k ≤ r it uses only the first k rank-one terms:
 *   y = x · V[:k]ᵀ · U[:, :k]ᵀ + b.
 * Training (per minibatch, cifar_mnist_main.py `train`):
 *   L = CE(f(x), y) + CE_soft(f_b(x), softmax(f(x)) detached) + λ · Σ_layers GL,
 * where f_b is the net with ONE layer (chosen with its width j uniformly among all (layer, j) pairs, j = 1..k_l)
 * cut to rank j and the others at their kept rank. The hierarchical group lasso of a layer is
 *   GL = Σ_i ( ‖V[i:, :]‖_F + ‖U[:, i:]‖_F ),
 * so ∂GL/∂V[k, :] = V[k, :] · Σ_{i ≤ k} 1 / ‖V[i:, :]‖_F (and alike for U). The importance of rank i is
 * ‖V[i:, :]‖_F · ‖U[:, i:]‖_F (non-increasing in i); progressive shrinking after each epoch keeps the ranks whose
 * importance is ≥ the threshold (a prefix) and the sampler draws widths from the kept ranks only.
 *
 * In the linear cases (one layer, no bias, MSE) the same step without the full pass is the official notebook
 * notebooks/linear_models.ipynb: E_b ‖x·M_bᵀ − y‖² over a uniform b ∈ {1..r} is minimised by the truncated SVD
 * (x uniform on a basis) and, for an autoencoder, by the nested PCA projections.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { type Arr, type Gemm, gemmBackend } from "../../lib/math/nn/gemm.ts";
import type { DType } from "../../lib/math/nn/params.ts";
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";

const alloc = (n: number, dtype: DType): Arr => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));

/** PyTorch's nn.Linear default: U(−1/√fanIn, 1/√fanIn). */
export function torchUniform(out: Arr, fanIn: number, rng: Rng): void {
  const b = 1 / Math.sqrt(fanIn);
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * b;
}

/** A linear layer of a network here: dense or LoD. `rank` is used by LoD layers only (null: the kept rank). */
export interface Lin {
  readonly inDim: number;
  readonly outDim: number;
  /** Parameter views into the network's flat store, and their gradients (same order). */
  views(): { value: Arr; grad: Arr }[];
  forward(x: Arr, batch: number, g: Gemm, rank?: number | null): Arr;
  backward(dy: Arr, batch: number, g: Gemm, needDx: boolean): Arr | null;
  /** Numbers kept for inference at `rank` (biases included). */
  params(rank?: number | null): number;
}

/** y = x·Wᵀ + b, W out × in (PyTorch layout). */
export class DenseLin implements Lin {
  w: Arr;
  b: Arr;
  gw: Arr;
  gb: Arr;
  #x: Arr | null = null;
  #y: Arr | null = null;
  #dx: Arr | null = null;
  constructor(readonly inDim: number, readonly outDim: number, readonly dtype: DType) {
    this.w = alloc(inDim * outDim, dtype);
    this.b = alloc(outDim, dtype);
    this.gw = alloc(inDim * outDim, dtype);
    this.gb = alloc(outDim, dtype);
  }
  views() {
    return [{ value: this.w, grad: this.gw }, { value: this.b, grad: this.gb }];
  }
  /** Rebind to views of a flat store (values are copied in first). */
  bind(vs: { value: Arr; grad: Arr }[]): void {
    vs[0].value.set(this.w), vs[1].value.set(this.b);
    [this.w, this.gw, this.b, this.gb] = [vs[0].value, vs[0].grad, vs[1].value, vs[1].grad];
  }
  forward(x: Arr, batch: number, g: Gemm): Arr {
    const m = this.outDim, n = this.inDim;
    if (!this.#y || this.#y.length < batch * m) this.#y = alloc(batch * m, this.dtype);
    const y = this.#y.subarray(0, batch * m);
    for (let i = 0; i < batch; i++) y.set(this.b, i * m);
    g.gemm(false, true, batch, m, n, 1, x, n, this.w, n, 1, y, m);
    this.#x = x;
    return y;
  }
  backward(dy: Arr, batch: number, g: Gemm, needDx: boolean): Arr | null {
    const m = this.outDim, n = this.inDim;
    g.gemm(true, false, m, n, batch, 1, dy, m, this.#x!, n, 1, this.gw, n);
    for (let i = 0; i < batch; i++) for (let j = 0; j < m; j++) this.gb[j] += dy[i * m + j];
    if (!needDx) return null;
    if (!this.#dx || this.#dx.length < batch * n) this.#dx = alloc(batch * n, this.dtype);
    const dx = this.#dx.subarray(0, batch * n);
    g.gemm(false, false, batch, n, m, 1, dy, m, this.w, n, 0, dx, n);
    return dx;
  }
  params(): number {
    return this.inDim * this.outDim + this.outDim;
  }
}

/** Maestro's LoD layer (MaestroLinear): W = U[:, :k]·V[:k, :] at rank k ≤ kept ≤ r = min(in, out). */
export class LodLin implements Lin {
  readonly r: number;
  /** Ranks kept by progressive shrinking (a prefix: importance is non-increasing). */
  kept: number;
  vin: Arr;
  uout: Arr;
  b: Arr | null;
  gv: Arr;
  gu: Arr;
  gb: Arr | null;
  #x: Arr | null = null;
  #h: Arr | null = null;
  #k = 0;
  #y: Arr | null = null;
  #dh: Arr | null = null;
  #dx: Arr | null = null;
  constructor(readonly inDim: number, readonly outDim: number, readonly dtype: DType, bias = true) {
    this.r = Math.min(inDim, outDim);
    this.kept = this.r;
    this.vin = alloc(this.r * inDim, dtype);
    this.uout = alloc(outDim * this.r, dtype);
    this.gv = alloc(this.r * inDim, dtype);
    this.gu = alloc(outDim * this.r, dtype);
    this.b = bias ? alloc(outDim, dtype) : null;
    this.gb = bias ? alloc(outDim, dtype) : null;
  }
  /** Default init of MaestroLinear (reset_parameters): each factor as an nn.Linear. */
  initUniform(rng: Rng): this {
    torchUniform(this.vin, this.inDim, rng.split("in"));
    torchUniform(this.uout, this.r, rng.split("out"));
    if (this.b) torchUniform(this.b, this.r, rng.split("bias"));
    return this;
  }
  /** decompose_linear: from W (out × in): U·√S → uout, √S·Vᵀ → vin; the bias is W's. */
  static fromDense(d: DenseLin): LodLin {
    const l = new LodLin(d.inDim, d.outDim, d.dtype);
    const w: Mat<Float64Array> = { rows: d.outDim, cols: d.inDim, data: Float64Array.from(d.w) };
    const { u, s, vt } = getLinalg().svd(w) as { u: Mat<Float64Array>; s: Float64Array; vt: Mat<Float64Array> };
    const r = l.r;
    for (let i = 0; i < d.outDim; i++) {
      for (let k = 0; k < r; k++) l.uout[i * r + k] = u.data[i * u.cols + k] * Math.sqrt(s[k]);
    }
    for (let k = 0; k < r; k++) {
      for (let j = 0; j < d.inDim; j++) l.vin[k * d.inDim + j] = vt.data[k * vt.cols + j] * Math.sqrt(s[k]);
    }
    l.b!.set(d.b);
    return l;
  }
  views() {
    const v = [{ value: this.vin, grad: this.gv }, { value: this.uout, grad: this.gu }];
    if (this.b) v.push({ value: this.b, grad: this.gb! });
    return v;
  }
  bind(vs: { value: Arr; grad: Arr }[]): void {
    vs[0].value.set(this.vin), vs[1].value.set(this.uout);
    [this.vin, this.gv, this.uout, this.gu] = [vs[0].value, vs[0].grad, vs[1].value, vs[1].grad];
    if (this.b) {
      vs[2].value.set(this.b);
      [this.b, this.gb] = [vs[2].value, vs[2].grad];
    }
  }
  forward(x: Arr, batch: number, g: Gemm, rank?: number | null): Arr {
    const k = Math.min(rank ?? this.kept, this.kept), n = this.inDim, m = this.outDim, r = this.r;
    if (!this.#y || this.#y.length < batch * m) this.#y = alloc(batch * m, this.dtype);
    if (!this.#h || this.#h.length < batch * r) this.#h = alloc(batch * r, this.dtype);
    const y = this.#y.subarray(0, batch * m), h = this.#h.subarray(0, batch * k);
    if (this.b) { for (let i = 0; i < batch; i++) y.set(this.b, i * m); }
    if (k > 0) {
      g.gemm(false, true, batch, k, n, 1, x, n, this.vin, n, 0, h, k); // H = X·V[:k]ᵀ
      g.gemm(false, true, batch, m, k, 1, h, k, this.uout, r, this.b ? 1 : 0, y, m); // Y = H·U[:, :k]ᵀ + b
    } else if (!this.b) y.fill(0);
    this.#x = x, this.#k = k;
    return y;
  }
  backward(dy: Arr, batch: number, g: Gemm, needDx: boolean): Arr | null {
    const k = this.#k, n = this.inDim, m = this.outDim, r = this.r, x = this.#x!;
    if (this.gb) { for (let i = 0; i < batch; i++) for (let j = 0; j < m; j++) this.gb[j] += dy[i * m + j]; }
    if (!this.#dh || this.#dh.length < batch * r) this.#dh = alloc(batch * r, this.dtype);
    const h = this.#h!.subarray(0, batch * k), dh = this.#dh.subarray(0, batch * k);
    if (k > 0) {
      g.gemm(true, false, m, k, batch, 1, dy, m, h, k, 1, this.gu, r); // ∂U[:, :k] += dYᵀ·H
      g.gemm(false, false, batch, k, m, 1, dy, m, this.uout, r, 0, dh, k); // ∂H = dY·U[:, :k]
      g.gemm(true, false, k, n, batch, 1, dh, k, x, n, 1, this.gv, n); // ∂V[:k] += ∂Hᵀ·X
    }
    if (!needDx) return null;
    if (!this.#dx || this.#dx.length < batch * n) this.#dx = alloc(batch * n, this.dtype);
    const dx = this.#dx.subarray(0, batch * n);
    if (k > 0) g.gemm(false, false, batch, n, k, 1, dh, k, this.vin, n, 0, dx, n);
    else dx.fill(0);
    return dx;
  }
  params(rank?: number | null): number {
    const k = Math.min(rank ?? this.kept, this.kept);
    return k * (this.inDim + this.outDim) + (this.b ? this.outDim : 0);
  }
  /** Hierarchical tail norms: inTail[i] = ‖V[i:, :]‖_F, outTail[i] = ‖U[:, i:]‖_F (i < r). */
  tails(): { inTail: Float64Array; outTail: Float64Array } {
    const r = this.r, n = this.inDim, m = this.outDim;
    const rowV = new Float64Array(r), colU = new Float64Array(r);
    for (let k = 0; k < r; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += this.vin[k * n + j] ** 2;
      rowV[k] = s;
    }
    for (let i = 0; i < m; i++) for (let k = 0; k < r; k++) colU[k] += this.uout[i * r + k] ** 2;
    const inTail = new Float64Array(r), outTail = new Float64Array(r);
    let a = 0, c = 0;
    for (let k = r - 1; k >= 0; k--) {
      a += rowV[k], c += colU[k];
      inTail[k] = Math.sqrt(a), outTail[k] = Math.sqrt(c);
    }
    return { inTail, outTail };
  }
  /** importance(hierarchical=True): ‖V[i:, :]‖·‖U[:, i:]‖ per rank i. */
  importance(): Float64Array {
    const { inTail, outTail } = this.tails();
    return inTail.map((v, i) => v * outTail[i]);
  }
  /** Plain (non-hierarchical) importance ‖V[i, :]‖·‖U[:, i]‖, the notebook's singular-value estimate. */
  rankOneNorms(): Float64Array {
    const r = this.r, n = this.inDim, m = this.outDim, out = new Float64Array(r);
    for (let k = 0; k < r; k++) {
      let a = 0, c = 0;
      for (let j = 0; j < n; j++) a += this.vin[k * n + j] ** 2;
      for (let i = 0; i < m; i++) c += this.uout[i * r + k] ** 2;
      out[k] = Math.sqrt(a * c);
    }
    return out;
  }
  /** Adds λ·∂GL (hierarchical group lasso over all r ranks, as group_lasso(p=None)) into the gradients; returns GL. */
  addGroupLasso(lambda: number): number {
    const { inTail, outTail } = this.tails(), r = this.r, n = this.inDim, m = this.outDim;
    let gl = 0, ca = 0, cu = 0;
    for (let k = 0; k < r; k++) {
      gl += inTail[k] + outTail[k];
      ca += inTail[k] > 0 ? 1 / inTail[k] : 0;
      cu += outTail[k] > 0 ? 1 / outTail[k] : 0;
      const a = lambda * ca, c = lambda * cu;
      for (let j = 0; j < n; j++) this.gv[k * n + j] += a * this.vin[k * n + j];
      for (let i = 0; i < m; i++) this.gu[i * r + k] += c * this.uout[i * r + k];
    }
    return gl;
  }
  /** progressive_shrinking / assign_low_rank: keep ranks with importance ≥ threshold. */
  shrink(threshold: number): void {
    const imp = this.importance();
    let k = 0;
    while (k < this.r && imp[k] >= threshold) k++;
    this.kept = Math.min(this.kept, k);
  }
  /** The product U[:, :k]·V[:k, :] (out × in, float64). */
  product(k: number): Float64Array {
    const n = this.inDim, m = this.outDim, r = this.r, out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let q = 0; q < k; q++) {
        const u = this.uout[i * r + q];
        for (let j = 0; j < n; j++) out[i * n + j] += u * this.vin[q * n + j];
      }
    }
    return out;
  }
}

/** Flat parameter store over a list of layers (so one SGD call updates all). */
export function bindFlat(layers: (DenseLin | LodLin)[], dtype: DType): { value: Arr; grad: Arr } {
  const vs = layers.flatMap((l) => l.views());
  const size = vs.reduce((s, v) => s + v.value.length, 0);
  const value = alloc(size, dtype), grad = alloc(size, dtype);
  let off = 0;
  layers.forEach((l) => {
    const mine = l.views().map((v) => {
      const o = { value: value.subarray(off, off + v.value.length), grad: grad.subarray(off, off + v.value.length) };
      off += v.value.length;
      return o;
    });
    l.bind(mine);
  });
  return { value, grad };
}

/** A ReLU MLP of linear layers (ReLU between them, none after the last). */
export class Mlp {
  #acts: Arr[] = [];
  #pre: Arr[] = [];
  #dz: Arr | null = null;
  constructor(readonly layers: (DenseLin | LodLin)[], readonly dtype: DType) {}
  /** Logits for `batch` rows; `ranks[i]` cuts LoD layer i (undefined/null: kept rank). */
  forward(x: Arr, batch: number, g: Gemm, ranks: (number | null | undefined)[] = []): Arr {
    let h = x;
    this.layers.forEach((l, i) => {
      const z = l.forward(h, batch, g, ranks[i]);
      if (i + 1 < this.layers.length) {
        if (!this.#acts[i] || this.#acts[i].length < z.length) this.#acts[i] = alloc(z.length, this.dtype);
        const a = this.#acts[i].subarray(0, z.length);
        for (let j = 0; j < z.length; j++) a[j] = z[j] > 0 ? z[j] : 0;
        this.#pre[i] = a;
        h = a;
      } else h = z;
    });
    return h;
  }
  /** Backpropagates ∂L/∂logits of the latest forward (adds into the gradients). */
  backward(dlogits: Arr, batch: number, g: Gemm): void {
    let d: Arr | null = dlogits;
    for (let i = this.layers.length - 1; i >= 0 && d; i--) {
      let dz: Arr = d;
      if (i + 1 < this.layers.length) {
        const a = this.#pre[i];
        if (!this.#dz || this.#dz.length < a.length) this.#dz = alloc(a.length, this.dtype);
        dz = this.#dz.subarray(0, a.length);
        for (let j = 0; j < a.length; j++) dz[j] = a[j] > 0 ? d[j] : 0;
      }
      d = this.layers[i].backward(dz, batch, g, i > 0);
    }
  }
  params(ranks: (number | null | undefined)[] = []): number {
    return this.layers.reduce((s, l, i) => s + l.params(ranks[i]), 0);
  }
}

/**
 * Softmax cross-entropy against hard labels (`labels`) or soft targets (`soft`, batch × k rows summing to 1, as
 * torch's CrossEntropyLoss with probability targets): loss = mean_i −Σ_j t_ij log softmax(z_i)_j; writes
 * ∂loss/∂z = (softmax(z) − t)/batch into `grad`.
 */
export function crossEntropy(
  z: Arr,
  batch: number,
  k: number,
  grad: Arr,
  t: { labels?: ArrayLike<number>; soft?: Arr },
): number {
  let total = 0;
  for (let i = 0; i < batch; i++) {
    let mx = -Infinity;
    for (let j = 0; j < k; j++) mx = Math.max(mx, z[i * k + j]);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(z[i * k + j] - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < k; j++) {
      const tij = t.soft ? t.soft[i * k + j] : (t.labels![i] === j ? 1 : 0);
      total -= tij * (z[i * k + j] - lse);
      grad[i * k + j] = (Math.exp(z[i * k + j] - lse) - tij) / batch;
    }
  }
  return total / batch;
}

/** Row-wise softmax of z (batch × k) into out. */
export function softmaxRows(z: Arr, batch: number, k: number, out: Arr): void {
  for (let i = 0; i < batch; i++) {
    let mx = -Infinity, s = 0;
    for (let j = 0; j < k; j++) mx = Math.max(mx, z[i * k + j]);
    for (let j = 0; j < k; j++) s += out[i * k + j] = Math.exp(z[i * k + j] - mx);
    for (let j = 0; j < k; j++) out[i * k + j] /= s;
  }
}

/**
 * The "per_layer" sampler (SingleLayerSampler): one (layer, width) pair drawn uniformly from all pairs
 * {(l, j) : l a LoD layer, j = 1..kept_l}; the other layers stay at their kept rank. Returns the ranks array.
 */
export function samplePerLayer(net: Mlp, rng: Rng): (number | null)[] {
  const lods = net.layers.map((l, i) => [l, i] as const).filter(([l]) => l instanceof LodLin) as [LodLin, number][];
  const total = lods.reduce((s, [l]) => s + l.kept, 0);
  let u = Math.floor(rng.uniform() * total);
  const ranks: (number | null)[] = net.layers.map(() => null);
  for (const [l, i] of lods) {
    if (u < l.kept) {
      ranks[i] = u + 1;
      break;
    }
    u -= l.kept;
  }
  return ranks;
}

export { gemmBackend };

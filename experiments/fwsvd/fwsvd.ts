/**
 * The networks and compressions of the FWSVD module, on lib/math/nn/factorized.ts (float64 `FactorNet`).
 *
 * - `trainBase`: a dense ReLU MLP in → h → … → 10 trained by minibatch SGD (the task model to compress).
 * - `rowFisher`: the row-wise Fisher information of each weight matrix W (out × in), Hsu et al. 2022 eq. (3)–(4):
 *   Î_ij = (1/|D|) Σ_d (∂L_d/∂W_ij)², I_i = Σ_j Î_ij. With per-example gradients of a dense layer,
 *   ∂L_d/∂W_ij = δ_di · x_dj, so I_i = (1/|D|) Σ_d δ_di² ‖x_d‖² (exact, no per-example tensor stored). The
 *   `batch` variant squares minibatch-mean gradients instead (what an accumulate-grad² loop over minibatches gives).
 * - `compress`: each weight matrix except the last (h → 10) replaced by a rank-r `UVLayer`:
 *   plain SVD: Ŵ = U_r Σ_r V_rᵀ (Eckart–Young: least ‖W − Ŵ‖_F);
 *   FWSVD: Ŵ = D⁻¹ · trunc_r(D W) with D = diag(√I_i) (minimises Σ_i I_i ‖W_i − Ŵ_i‖², eq. (5)–(6)).
 * - `fineTune`: SGD on every parameter of the factorised net (U, V, biases, the dense head).
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { DenseLayer, type FactorLayer, FactorNet, type M, UVLayer } from "../../lib/math/nn/factorized.ts";
import type { Digits } from "../../datasets/mnist.ts";
import { rowsOf } from "../../lib/math/nn/labelled.ts";

export interface Data {
  xTrain: M;
  yTrain: Uint8Array;
  xVal: M;
  yVal: Uint8Array;
  xTest: M;
  yTest: Uint8Array;
}

export interface BaseCfg {
  hidden: number;
  depth: number;
  epochs: number;
  batch: number;
  lr: number;
}

const P = 784;

function toM(d: Digits, s: number, n: number): M {
  return { rows: n, cols: P, data: Float64Array.from(d.images.subarray(s * P, (s + n) * P)) };
}

/** Train: the first nTrain images of `train`; validation: the next nVal; test: the first nTest of `test`. */
export function split(train: Digits, test: Digits, nTrain: number, nVal: number, nTest: number): Data {
  return {
    xTrain: toM(train, 0, nTrain),
    yTrain: train.labels.slice(0, nTrain),
    xVal: toM(train, nTrain, nVal),
    yVal: train.labels.slice(nTrain, nTrain + nVal),
    xTest: toM(test, 0, nTest),
    yTest: test.labels.slice(0, nTest),
  };
}

/** `epochs` of minibatch SGD over (x, y), shuffled per epoch from `rng`. */
export function sgd(net: FactorNet, x: M, y: Uint8Array, o: { epochs: number; batch: number; lr: number; rng: Rng }) {
  const n = x.rows;
  for (let ep = 0; ep < o.epochs; ep++) {
    const perm = o.rng.split(`epoch${ep}`).permutation(n);
    for (let s = 0; s < n; s += o.batch) {
      const e = Math.min(n, s + o.batch);
      net.sgdStep(rowsOf(x, perm, s, e), Array.from(perm.subarray(s, e), (i) => y[i]), o.lr);
    }
  }
}

/** The dense task model: 784 → hidden ×depth → 10, PyTorch-default init, trained by SGD. */
export function trainBase(d: Data, cfg: BaseCfg, rng: Rng): FactorNet {
  const s = [P, ...Array(cfg.depth).fill(cfg.hidden), 10];
  const layers: FactorLayer[] = [];
  for (let i = 0; i + 1 < s.length; i++) layers.push(new DenseLayer(s[i], s[i + 1], { rng: rng.split(`layer${i}`) }));
  const net = new FactorNet(layers);
  sgd(net, d.xTrain, d.yTrain, { ...cfg, rng: rng.split("order") });
  return net;
}

/** A dense layer that keeps the input and ∂L/∂output of its latest pass (for Fisher accumulation). */
class TapDense extends DenseLayer {
  x: M | null = null;
  dy: M | null = null;
  override forward(x: M): M {
    this.x = x;
    return super.forward(x);
  }
  override backward(dy: M): M {
    this.dy = dy;
    return super.backward(dy);
  }
}

export type FisherKind = "example" | "batch";

/**
 * Row-wise Fisher information I_i = Σ_j mean over samples of (∂L/∂W_ij)² of each layer of the dense `net`
 * (length out per layer), from the first `n` training samples. "example": per-example gradients (exact
 * δ_di²‖x_d‖² form); "batch": gradients of minibatch means of `batch` samples, squared, averaged over minibatches.
 */
export function rowFisher(
  net: FactorNet,
  x: M,
  y: Uint8Array,
  n: number,
  kind: FisherKind,
  batch = 32,
): Float64Array[] {
  const dense = net.layers as DenseLayer[];
  const taps = dense.map((l) => new TapDense(l.inDim, l.outDim, { weight: l.weight(), bias: l.b.value }));
  const tnet = new FactorNet(taps);
  const fisher = taps.map((l) => new Float64Array(l.outDim));
  const B = kind === "example" ? 250 : batch;
  let batches = 0;
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let s = 0; s + (kind === "batch" ? B : 1) <= n; s += B) {
    const e = Math.min(n, s + B), b = e - s;
    tnet.lossAndGrad(rowsOf(x, idx, s, e), Array.from(y.subarray(s, e)));
    batches++;
    taps.forEach((l, k) => {
      const f = fisher[k], out = l.outDim, inn = l.inDim;
      if (kind === "batch") {
        const g = l.w.grad; // out × in, gradient of the minibatch mean
        for (let i = 0; i < out; i++) {
          let t = 0;
          for (let j = 0; j < inn; j++) t += g[i * inn + j] * g[i * inn + j];
          f[i] += t;
        }
      } else {
        const xd = l.x!.data, dy = l.dy!.data;
        for (let r = 0; r < b; r++) {
          let nx = 0;
          for (let j = 0; j < inn; j++) nx += xd[r * inn + j] * xd[r * inn + j];
          // dy is the gradient of the batch mean: sample r's own δ is b·dy.
          for (let i = 0; i < out; i++) {
            const dd = b * dy[r * out + i];
            f[i] += dd * dd * nx;
          }
        }
      }
    });
  }
  const denom = kind === "batch" ? batches : n;
  for (const f of fisher) for (let i = 0; i < f.length; i++) f[i] /= denom;
  return fisher;
}

/**
 * Column-wise (input-side) Fisher of each layer, J_j = Σ_i mean_d (∂L_d/∂W_ij)² = mean_d x_dj²·‖δ_d‖², from
 * per-example gradients of the first `n` samples: our ablation, not the paper's row-wise definition.
 */
export function colFisher(net: FactorNet, x: M, y: Uint8Array, n: number): Float64Array[] {
  const dense = net.layers as DenseLayer[];
  const taps = dense.map((l) => new TapDense(l.inDim, l.outDim, { weight: l.weight(), bias: l.b.value }));
  const tnet = new FactorNet(taps);
  const fisher = taps.map((l) => new Float64Array(l.inDim));
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let s = 0; s < n; s += 250) {
    const e = Math.min(n, s + 250), b = e - s;
    tnet.lossAndGrad(rowsOf(x, idx, s, e), Array.from(y.subarray(s, e)));
    taps.forEach((l, k) => {
      const f = fisher[k], out = l.outDim, inn = l.inDim, xd = l.x!.data, dy = l.dy!.data;
      for (let r = 0; r < b; r++) {
        let nd = 0;
        for (let i = 0; i < out; i++) nd += (b * dy[r * out + i]) ** 2;
        for (let j = 0; j < inn; j++) f[j] += xd[r * inn + j] * xd[r * inn + j] * nd;
      }
    });
  }
  for (const f of fisher) for (let j = 0; j < f.length; j++) f[j] /= n;
  return fisher;
}

/**
 * Rank-r (weighted) truncation of W (out × in) as factors u (out × r), v (in × r) with Ŵ = u·vᵀ. With row
 * weights w (length out, ≥ 0) it minimises Σ_i w_i ‖W_i − Ŵ_i‖² (Ŵ = D⁻¹ trunc_r(D W), D = diag(√w)); without,
 * plain truncated SVD. Zero weights are floored at 1e-12·max(w) so D is invertible.
 */
export function weightedTrunc(w: M, r: number, rowWeights?: Float64Array): { u: M; v: M } {
  const la = getLinalg(), m = w.rows, n = w.cols;
  const dRow = new Float64Array(m).fill(1);
  if (rowWeights) {
    let mx = 0;
    for (const v of rowWeights) mx = Math.max(mx, v);
    for (let i = 0; i < m; i++) dRow[i] = Math.sqrt(Math.max(rowWeights[i], 1e-12 * mx));
  }
  const dw: M = { rows: m, cols: n, data: new Float64Array(m * n) };
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) dw.data[i * n + j] = dRow[i] * w.data[i * n + j];
  const { u, s, vt } = la.svd(dw) as { u: M; s: Float64Array; vt: M };
  const k = Math.min(r, s.length);
  const U: M = { rows: m, cols: k, data: new Float64Array(m * k) };
  for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) U.data[i * k + c] = (u.data[i * u.cols + c] * s[c]) / dRow[i];
  const V: M = { rows: n, cols: k, data: new Float64Array(n * k) };
  for (let c = 0; c < k; c++) for (let j = 0; j < n; j++) V.data[j * k + c] = vt.data[c * vt.cols + j];
  return { u: U, v: V };
}

/**
 * The dense `net` with every layer but the last replaced by a rank-r UV layer: plain SVD (fisher = null) or
 * FWSVD with the given row Fisher per layer. Returns the net and the relative reconstruction error
 * √(Σ‖W − Ŵ‖²_F / Σ‖W‖²_F) over the compressed layers.
 */
export function compress(
  net: FactorNet,
  r: number,
  fisher: Float64Array[] | null,
  side: "row" | "col" = "row",
): { net: FactorNet; recon: number } {
  let num = 0, den = 0;
  const layers = net.layers.map((l, k) => {
    const dense = l as DenseLayer;
    if (k === net.layers.length - 1) {
      return new DenseLayer(l.inDim, l.outDim, {
        weight: dense.weight(),
        bias: dense.b.value,
      });
    }
    const W = dense.weight();
    let { u, v } = side === "row" ? weightedTrunc(W, r, fisher ? fisher[k] : undefined) : { u: W, v: W };
    if (side === "col") {
      // Weigh columns: truncate Wᵀ with row weights, then Ŵ = (u' v'ᵀ)ᵀ = v' u'ᵀ.
      const wt: M = { rows: W.cols, cols: W.rows, data: new Float64Array(W.data.length) };
      for (let i = 0; i < W.rows; i++) {
        for (let j = 0; j < W.cols; j++) wt.data[j * W.rows + i] = W.data[i * W.cols + j];
      }
      const t = weightedTrunc(wt, r, fisher![k]);
      u = t.v;
      v = t.u;
    }
    const uv = new UVLayer(l.inDim, l.outDim, u.cols, { u, v, bias: dense.b.value });
    const Wh = uv.weight();
    for (let i = 0; i < W.data.length; i++) {
      num += (W.data[i] - Wh.data[i]) ** 2;
      den += W.data[i] ** 2;
    }
    return uv;
  });
  return { net: new FactorNet(layers), recon: Math.sqrt(num / den) };
}

/** Weights kept for inference (biases excluded). */
export function storedParams(net: FactorNet): number {
  return net.storedParams();
}

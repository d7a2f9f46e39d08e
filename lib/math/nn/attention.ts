/**
 * Layers for a small Vision Transformer on the training kit's `Layer` contract: patch embedding with a class
 * token and learned positions, LayerNorm over the last axis, a pre-norm residual self-attention block whose
 * attention matrix is normalised by Sinkhorn iterations (softmax is the one-iteration case), and the take-one-token
 * pooling of ViT's head. Every layer has a hand-written backward pass (finite-difference tests beside it).
 *
 * Sinkhorn attention (Sander, Ablin, Blondel & Peyré, "Sinkformers", AISTATS 2022; official code
 * michaelsdr/sinkformers, vit-pytorch/vit_pytorch/sinkhorn.py with ε = 1): with S = QKᵀ/√d_h (T × T), start from
 * L = S and alternate, n_it times, a row step L ← L − logsumexp_row(L) (even steps, first) and a column step
 * L ← L − logsumexp_col(L) (odd steps); the attention is A = exp(L). The official code runs the same iterations on
 * dual potentials u, v with marginals 1/T and multiplies the plan by T; the two are the same matrix. One iteration
 * is the row softmax; after an odd count rows sum to 1 exactly and columns approach 1.
 *
 * Backward of a row step L′ = L − lse_row(L): ∂L_il = ∂L′_il − P_il Σ_j ∂L′_ij with P = exp(L′) (the row softmax);
 * the column step likewise by columns; through A = exp(L): ∂L = ∂A ⊙ A.
 */
import type { Arr } from "./gemm.ts";
import { type Ctx, type Layer, numel, Scratch } from "./layer.ts";
import type { Param, ParamSpec } from "./params.ts";

/**
 * Sinkhorn normalisation of a T × T log-matrix in place (`l` becomes log A), alternating row (first) and column
 * log-normalisations `nIt` times. When `steps` is given (nIt · T² long), exp(L) after each step is written there
 * for the backward pass; the last block is A.
 */
export function sinkhornLogits(l: Arr, t: number, nIt: number, steps?: Arr, off = 0): void {
  const tt = t * t;
  for (let k = 0; k < nIt; k++) {
    if (k % 2 === 0) {
      for (let i = 0; i < t; i++) {
        const r = off + i * t;
        let m = -Infinity;
        for (let j = 0; j < t; j++) m = Math.max(m, l[r + j]);
        let s = 0;
        for (let j = 0; j < t; j++) s += Math.exp(l[r + j] - m);
        const lse = m + Math.log(s);
        for (let j = 0; j < t; j++) l[r + j] -= lse;
      }
    } else {
      for (let j = 0; j < t; j++) {
        let m = -Infinity;
        for (let i = 0; i < t; i++) m = Math.max(m, l[off + i * t + j]);
        let s = 0;
        for (let i = 0; i < t; i++) s += Math.exp(l[off + i * t + j] - m);
        const lse = m + Math.log(s);
        for (let i = 0; i < t; i++) l[off + i * t + j] -= lse;
      }
    }
    if (steps) { for (let q = 0, o = k * tt; q < tt; q++) steps[o + q] = Math.exp(l[off + q]); }
  }
}

/**
 * Backward of {@link sinkhornLogits} followed by A = exp(L): given ∂A in `g` (T × T, overwritten) and the saved
 * `steps`, leaves ∂S in `g`.
 */
export function sinkhornLogitsBackward(g: Arr, t: number, nIt: number, steps: Arr, off = 0): void {
  const tt = t * t, last = (nIt - 1) * tt;
  if (nIt === 0) return;
  for (let q = 0; q < tt; q++) g[off + q] *= steps[last + q];
  for (let k = nIt - 1; k >= 0; k--) {
    const p = k * tt;
    if (k % 2 === 0) {
      for (let i = 0; i < t; i++) {
        const r = off + i * t;
        let s = 0;
        for (let j = 0; j < t; j++) s += g[r + j];
        for (let j = 0; j < t; j++) g[r + j] -= steps[p + i * t + j] * s;
      }
    } else {
      for (let j = 0; j < t; j++) {
        let s = 0;
        for (let i = 0; i < t; i++) s += g[off + i * t + j];
        for (let i = 0; i < t; i++) g[off + i * t + j] -= steps[p + i * t + j] * s;
      }
    }
  }
}

/** PyTorch nn.Linear's default initialisation bound 1/√fan_in (weights and biases, uniform). */
const torchUniform = (fanIn: number) => ({ uniform: 1 / Math.sqrt(fanIn) });

/**
 * ViT patch embedding: [C, H, W] → [(P + 1), dim]. Patches of ps × ps in raster order, each flattened as
 * (p1, p2, c) ('b c (h p1) (w p2) -> b (h w) (p1 p2 c)'), mapped by one linear layer; a learned class token is
 * prepended and learned positions added. Init as vit-pytorch: linear U(±1/√fan_in), cls and positions N(0, 1).
 * First layer only: it returns no ∂x.
 */
export class PatchEmbed implements Layer {
  readonly label: string;
  w!: Param;
  b!: Param;
  cls!: Param;
  pos!: Param;
  #c = 0;
  #h = 0;
  #w = 0;
  #np = 0;
  #pd = 0;
  #patches = new Scratch();
  #emb = new Scratch();
  #y = new Scratch();

  constructor(readonly patch: number, readonly dim: number) {
    this.label = `patch embed ${patch}×${patch}→${dim}`;
  }

  /** Tokens per sample, class token included. */
  get tokens(): number {
    return this.#np + 1;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    const [c, h, w] = inShape, ps = this.patch, d = this.dim;
    if (inShape.length !== 3 || h % ps || w % ps) throw new Error(`PatchEmbed: ${inShape} not divisible by ${ps}`);
    this.#c = c;
    this.#h = h;
    this.#w = w;
    this.#np = (h / ps) * (w / ps);
    this.#pd = c * ps * ps;
    const pd = this.#pd, t = this.#np + 1;
    return {
      outShape: [t, d],
      params: [
        { name: "w", shape: [pd, d], init: torchUniform(pd), fanIn: pd, fanOut: d },
        { name: "b", shape: [d], init: torchUniform(pd), fanIn: pd, fanOut: d },
        { name: "cls", shape: [d], init: { normal: 1 }, fanIn: d, fanOut: d },
        { name: "pos", shape: [t, d], init: { normal: 1 }, fanIn: d, fanOut: d },
      ],
    };
  }

  bind(params: Param[]): void {
    [this.w, this.b, this.cls, this.pos] = params;
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const ps = this.patch, c = this.#c, H = this.#h, W = this.#w, np = this.#np, pd = this.#pd, d = this.dim;
    const nw = W / ps, t = np + 1, img = c * H * W;
    const P = this.#patches.get(batch * np * pd, ctx.dtype);
    for (let b = 0; b < batch; b++) {
      for (let p = 0; p < np; p++) {
        const ph = Math.floor(p / nw), pw = p % nw, row = (b * np + p) * pd;
        for (let p1 = 0; p1 < ps; p1++) {
          for (let p2 = 0; p2 < ps; p2++) {
            for (let ch = 0; ch < c; ch++) {
              P[row + (p1 * ps + p2) * c + ch] = x[b * img + ch * H * W + (ph * ps + p1) * W + pw * ps + p2];
            }
          }
        }
      }
    }
    const E = this.#emb.get(batch * np * d, ctx.dtype);
    for (let r = 0; r < batch * np; r++) E.set(this.b.value, r * d);
    ctx.gemm.gemm(false, false, batch * np, d, pd, 1, P, pd, this.w.value, d, 1, E, d);
    const y = this.#y.get(batch * t * d, ctx.dtype), pos = this.pos.value, cls = this.cls.value;
    for (let b = 0; b < batch; b++) {
      const o = b * t * d;
      for (let j = 0; j < d; j++) y[o + j] = cls[j] + pos[j];
      for (let p = 0; p < np; p++) {
        const yo = o + (p + 1) * d, eo = (b * np + p) * d, po = (p + 1) * d;
        for (let j = 0; j < d; j++) y[yo + j] = E[eo + j] + pos[po + j];
      }
    }
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx): Arr | null {
    const np = this.#np, pd = this.#pd, d = this.dim, t = np + 1;
    const dE = this.#emb.get(batch * np * d, ctx.dtype);
    const gc = this.cls.grad, gp = this.pos.grad, gb = this.b.grad;
    for (let b = 0; b < batch; b++) {
      const o = b * t * d;
      for (let j = 0; j < d; j++) {
        gc[j] += dy[o + j];
        gp[j] += dy[o + j];
      }
      for (let p = 0; p < np; p++) {
        const yo = o + (p + 1) * d, eo = (b * np + p) * d, po = (p + 1) * d;
        for (let j = 0; j < d; j++) {
          const v = dy[yo + j];
          dE[eo + j] = v;
          gp[po + j] += v;
          gb[j] += v;
        }
      }
    }
    ctx.gemm.gemm(
      true,
      false,
      pd,
      d,
      batch * np,
      1,
      this.#patches.get(batch * np * pd, ctx.dtype),
      pd,
      dE,
      d,
      1,
      this.w.grad,
      d,
    );
    return null;
  }
}

/** Shared LayerNorm arithmetic over rows of length d (PyTorch nn.LayerNorm, ε = 1e-5, affine). */
class RowNorm {
  #xhat = new Scratch();
  #rstd = new Scratch();
  #y = new Scratch();
  #dx = new Scratch();
  constructor(readonly d: number, readonly eps = 1e-5) {}

  forward(x: Arr, rows: number, g: Param, b: Param, ctx: Ctx): Arr {
    const d = this.d, xh = this.#xhat.get(rows * d, ctx.dtype), rs = this.#rstd.get(rows, ctx.dtype);
    const y = this.#y.get(rows * d, ctx.dtype), gv = g.value, bv = b.value;
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      let m = 0;
      for (let j = 0; j < d; j++) m += x[o + j];
      m /= d;
      let v = 0;
      for (let j = 0; j < d; j++) v += (x[o + j] - m) ** 2;
      const s = 1 / Math.sqrt(v / d + this.eps);
      rs[r] = s;
      for (let j = 0; j < d; j++) {
        const h = (x[o + j] - m) * s;
        xh[o + j] = h;
        y[o + j] = h * gv[j] + bv[j];
      }
    }
    return y;
  }

  backward(dy: Arr, rows: number, g: Param, b: Param, ctx: Ctx): Arr {
    const d = this.d, xh = this.#xhat.get(rows * d, ctx.dtype), rs = this.#rstd.get(rows, ctx.dtype);
    const dx = this.#dx.get(rows * d, ctx.dtype), gv = g.value, gg = g.grad, gb = b.grad;
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      let s1 = 0, s2 = 0;
      for (let j = 0; j < d; j++) {
        const dh = dy[o + j] * gv[j];
        s1 += dh;
        s2 += dh * xh[o + j];
        gg[j] += dy[o + j] * xh[o + j];
        gb[j] += dy[o + j];
      }
      s1 /= d;
      s2 /= d;
      for (let j = 0; j < d; j++) dx[o + j] = rs[r] * (dy[o + j] * gv[j] - s1 - xh[o + j] * s2);
    }
    return dx;
  }
}

const lnParams = (d: number, prefix = ""): ParamSpec[] => [
  { name: `${prefix}g`, shape: [d], init: "ones", fanIn: d, fanOut: d },
  { name: `${prefix}b`, shape: [d], init: "zeros", fanIn: d, fanOut: d },
];

/** LayerNorm over the last axis of the per-sample shape (ε = 1e-5, gain 1 and bias 0 at init). */
export class LayerNorm implements Layer {
  readonly label = "layernorm";
  g!: Param;
  b!: Param;
  #norm: RowNorm | null = null;
  #rows = 0;

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    const d = inShape.at(-1)!;
    this.#norm = new RowNorm(d);
    this.#rows = numel(inShape) / d;
    return { outShape: inShape, params: lnParams(d) };
  }

  bind(params: Param[]): void {
    [this.g, this.b] = params;
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    return this.#norm!.forward(x, batch * this.#rows, this.g, this.b, ctx);
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    const dx = this.#norm!.backward(dy, batch * this.#rows, this.g, this.b, ctx);
    return needDx ? dx : null;
  }
}

/** [T, d] → [d]: keeps token `index` (ViT's class-token pooling). */
export class TakeToken implements Layer {
  readonly label: string;
  #t = 0;
  #d = 0;
  #y = new Scratch();
  #dx = new Scratch();
  constructor(readonly index = 0) {
    this.label = `token ${index}`;
  }
  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    [this.#t, this.#d] = inShape;
    return { outShape: [this.#d], params: [] };
  }
  bind(): void {}
  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const t = this.#t, d = this.#d, y = this.#y.get(batch * d, ctx.dtype);
    for (let b = 0; b < batch; b++) y.set(x.subarray((b * t + this.index) * d, (b * t + this.index + 1) * d), b * d);
    return y;
  }
  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    if (!needDx) return null;
    const t = this.#t, d = this.#d, dx = this.#dx.get(batch * t * d, ctx.dtype);
    dx.fill(0);
    for (let b = 0; b < batch; b++) dx.set(dy.subarray(b * d, (b + 1) * d), (b * t + this.index) * d);
    return dx;
  }
}

/**
 * Pre-norm residual single-head self-attention on [T, d] tokens: y = x + Wo·(A·V) + bo, with H = LayerNorm(x),
 * [Q K V] = H·Wqkv (no bias), S = QKᵀ/√d_h and A = Sinkhorn(S, nIt) (nIt = 1: softmax). As vit-pytorch's
 * `PreNorm(Attention)` with heads = 1 (its default dim_head 64 makes the output projection present). The last
 * forward's attention matrices stay readable in `attention` (batch × T × T).
 */
export class SinkhornAttention implements Layer {
  readonly label: string;
  g!: Param;
  b!: Param;
  wqkv!: Param;
  wo!: Param;
  bo!: Param;
  #t = 0;
  #d = 0;
  #norm: RowNorm | null = null;
  #h: Arr | null = null;
  #qkv = new Scratch();
  #steps = new Scratch();
  #o = new Scratch();
  #y = new Scratch();
  #dqkv = new Scratch();
  #do = new Scratch();
  #da = new Scratch();
  #dx = new Scratch();
  #batch = 0;
  #dtype: "float32" | "float64" = "float64";

  constructor(readonly dimHead: number, readonly nIt: number) {
    if (!Number.isInteger(nIt) || nIt < 1) throw new Error("SinkhornAttention: nIt must be ≥ 1");
    this.label = `attention d_h=${dimHead}, sinkhorn ${nIt}`;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    const [t, d] = inShape, dh = this.dimHead;
    this.#t = t;
    this.#d = d;
    this.#norm = new RowNorm(d);
    return {
      outShape: inShape,
      params: [
        ...lnParams(d, "ln."),
        { name: "wqkv", shape: [d, 3 * dh], init: torchUniform(d), fanIn: d, fanOut: 3 * dh },
        { name: "wo", shape: [dh, d], init: torchUniform(dh), fanIn: dh, fanOut: d },
        { name: "bo", shape: [d], init: torchUniform(dh), fanIn: dh, fanOut: d },
      ],
    };
  }

  bind(params: Param[]): void {
    [this.g, this.b, this.wqkv, this.wo, this.bo] = params;
  }

  /** The attention matrices of the last forward pass: batch blocks of T × T, row-major (a view; reused). */
  get attention(): { a: Arr; batch: number; t: number } {
    const t = this.#t, tt = t * t, n = this.nIt, all = this.#steps.get(this.#batch * n * tt, this.#dtype);
    const a = this.#dtype === "float32" ? new Float32Array(this.#batch * tt) : new Float64Array(this.#batch * tt);
    for (let b = 0; b < this.#batch; b++) a.set(all.subarray((b * n + n - 1) * tt, (b * n + n) * tt), b * tt);
    return { a, batch: this.#batch, t };
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const t = this.#t, d = this.#d, dh = this.dimHead, tt = t * t, n = this.nIt, rows = batch * t, w3 = 3 * dh;
    this.#batch = batch;
    this.#dtype = ctx.dtype;
    const h = this.#h = this.#norm!.forward(x, rows, this.g, this.b, ctx);
    const qkv = this.#qkv.get(rows * w3, ctx.dtype);
    ctx.gemm.gemm(false, false, rows, w3, d, 1, h, d, this.wqkv.value, w3, 0, qkv, w3);
    const steps = this.#steps.get(batch * n * tt, ctx.dtype), o = this.#o.get(rows * dh, ctx.dtype);
    const s = this.#da.get(tt, ctx.dtype), scale = 1 / Math.sqrt(dh);
    for (let b = 0; b < batch; b++) {
      const base = b * t * w3;
      ctx.gemm.gemm(false, true, t, t, dh, scale, qkv.subarray(base), w3, qkv.subarray(base + dh), w3, 0, s, t);
      const st = steps.subarray(b * n * tt, (b + 1) * n * tt);
      sinkhornLogits(s, t, n, st);
      const a = st.subarray((n - 1) * tt);
      ctx.gemm.gemm(false, false, t, dh, t, 1, a, t, qkv.subarray(base + 2 * dh), w3, 0, o.subarray(b * t * dh), dh);
    }
    const y = this.#y.get(rows * d, ctx.dtype);
    y.set(x.subarray(0, rows * d));
    for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) y[r * d + j] += this.bo.value[j];
    ctx.gemm.gemm(false, false, rows, d, dh, 1, o, dh, this.wo.value, d, 1, y, d);
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    const t = this.#t, d = this.#d, dh = this.dimHead, tt = t * t, n = this.nIt, rows = batch * t, w3 = 3 * dh;
    const o = this.#o.get(rows * dh, ctx.dtype), qkv = this.#qkv.get(rows * w3, ctx.dtype);
    const steps = this.#steps.get(batch * n * tt, ctx.dtype), h = this.#h!;
    const gbo = this.bo.grad;
    for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) gbo[j] += dy[r * d + j];
    ctx.gemm.gemm(true, false, dh, d, rows, 1, o, dh, dy, d, 1, this.wo.grad, d);
    const dO = this.#do.get(rows * dh, ctx.dtype);
    ctx.gemm.gemm(false, true, rows, dh, d, 1, dy, d, this.wo.value, d, 0, dO, dh);
    const dqkv = this.#dqkv.get(rows * w3, ctx.dtype), g = this.#da.get(tt, ctx.dtype), scale = 1 / Math.sqrt(dh);
    for (let b = 0; b < batch; b++) {
      const base = b * t * w3, st = steps.subarray(b * n * tt, (b + 1) * n * tt), a = st.subarray((n - 1) * tt);
      const dOb = dO.subarray(b * t * dh), q = qkv.subarray(base), k = qkv.subarray(base + dh);
      // ∂A = ∂O Vᵀ, ∂V = Aᵀ ∂O
      ctx.gemm.gemm(false, true, t, t, dh, 1, dOb, dh, qkv.subarray(base + 2 * dh), w3, 0, g, t);
      ctx.gemm.gemm(true, false, t, dh, t, 1, a, t, dOb, dh, 0, dqkv.subarray(base + 2 * dh), w3);
      sinkhornLogitsBackward(g, t, n, st);
      // S = scale·Q Kᵀ: ∂Q = scale·∂S K, ∂K = scale·∂Sᵀ Q
      ctx.gemm.gemm(false, false, t, dh, t, scale, g, t, k, w3, 0, dqkv.subarray(base), w3);
      ctx.gemm.gemm(true, false, t, dh, t, scale, g, t, q, w3, 0, dqkv.subarray(base + dh), w3);
    }
    ctx.gemm.gemm(true, false, d, w3, rows, 1, h, d, dqkv, w3, 1, this.wqkv.grad, w3);
    const dh_ = this.#do.get(rows * Math.max(d, dh), ctx.dtype);
    ctx.gemm.gemm(false, true, rows, d, w3, 1, dqkv, w3, this.wqkv.value, w3, 0, dh_, d);
    const dxn = this.#norm!.backward(dh_, rows, this.g, this.b, ctx);
    if (!needDx) return null;
    const dx = this.#dx.get(rows * d, ctx.dtype);
    for (let i = 0; i < rows * d; i++) dx[i] = dy[i] + dxn[i];
    return dx;
  }
}

/**
 * Mean over samples and columns of |Σ_i A_ij − 1| for `batch` T × T matrices: how far row-stochastic attention is
 * from doubly stochastic (0 exactly when every column also sums to 1).
 */
export function columnSumDeviation(a: ArrayLike<number>, batch: number, t: number): number {
  let s = 0;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < t; j++) {
      let c = 0;
      for (let i = 0; i < t; i++) c += a[b * t * t + i * t + j];
      s += Math.abs(c - 1);
    }
  }
  return s / (batch * t);
}

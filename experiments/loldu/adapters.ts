/**
 * Adapter layers of the LoLDU module that lib/math/nn/factorized.ts does not have, in its `FactorLayer` form
 * (float64, W out × in, Y = X·Wᵀ + b; `backward` overwrites each trainable parameter's gradient):
 *
 * - `LolduLayer` (Shi et al. 2024; official SKDDJ/LoLDU `minloldu/loldu.py`): P·W₀ = L·D·U by LU with partial
 *   pivoting (lib's `lduFactor`, pivots folded into L); keep the first r columns of L, entries of D and rows of U,
 *   W = W_res + s·L_r·diag(z)·U_r with W_res = W₀ − s₀·L_r·diag(z₀)·U_r frozen (so W = W₀ at the start), z₀ = D_r,
 *   s₀ = lora_alpha / r = 1/r (`from_linear`'s lora_alpha = 1). Trainable: z (r numbers) and the scalar s.
 *   ∂z_j = s·Σ_b (dY·L_r)_bj (X·U_rᵀ)_bj; ∂s = Σ_bj z_j (dY·L_r)_bj (X·U_rᵀ)_bj.
 * - `VeraLayer` (a VeRA-like adapter, Kopiczko et al. 2024): W = W₀ + diag(β)·B·diag(δ)·A with A (r × in) and
 *   B (out × r) frozen random (Kaiming-uniform), δ (r, start 0.1) and β (out, start 0) trainable.
 *   ∂δ_j = Σ_b (dY·diag(β)·B)_bj (X·Aᵀ)_bj; ∂β_i = Σ_b dY_bi (X·Aᵀ·diag(δ)·Bᵀ)_bi.
 * Biases stay frozen in both (the official LoLDU trains only vector_z and scaling_factor).
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { type FactorLayer, type FactorParam, lduFactor, type M } from "../../lib/math/nn/factorized.ts";

const mm = (a: M, b: M, transA = false, transB = false): M => getLinalg().matmul(a, b, { transA, transB }) as M;
const mk = (rows: number, cols: number, data?: Float64Array): M => ({
  rows,
  cols,
  data: data ?? new Float64Array(rows * cols),
});
const param = (name: string, value: Float64Array): FactorParam => ({
  name,
  value,
  grad: new Float64Array(value.length),
});

function addBias(y: M, b: Float64Array): M {
  for (let i = 0; i < y.rows; i++) for (let j = 0; j < y.cols; j++) y.data[i * y.cols + j] += b[j];
  return y;
}

export class LolduLayer implements FactorLayer {
  readonly label: string;
  readonly rank: number;
  /** L_r (out × r), U_r (r × in): frozen. */
  readonly lr: M;
  readonly ur: M;
  /** W_res (out × in): frozen. */
  readonly wres: M;
  readonly bias: Float64Array;
  z: FactorParam;
  s: FactorParam;
  #x: M | null = null;
  #xu: M | null = null;
  constructor(readonly inDim: number, readonly outDim: number, opts: { weight: M; bias: Float64Array; rank?: number }) {
    const { l, d, r: u } = lduFactor(opts.weight);
    const k = Math.min(opts.rank ?? d.length, d.length);
    this.rank = k;
    this.lr = mk(outDim, k);
    for (let i = 0; i < outDim; i++) for (let j = 0; j < k; j++) this.lr.data[i * k + j] = l.data[i * l.cols + j];
    this.ur = mk(k, inDim, u.data.slice(0, k * inDim));
    this.z = param("loldu_z", d.slice(0, k));
    this.s = param("loldu_scale", Float64Array.of(1 / k));
    const ldu = this.#ldu();
    this.wres = mk(outDim, inDim, opts.weight.data.slice());
    for (let i = 0; i < ldu.data.length; i++) this.wres.data[i] -= ldu.data[i];
    this.bias = opts.bias.slice();
    this.label = `loldu ${inDim}→${outDim} r=${k}`;
  }
  /** s·L_r·diag(z)·U_r. */
  #ldu(): M {
    const k = this.rank, ld = mk(this.outDim, k, this.lr.data.slice());
    for (let i = 0; i < ld.data.length; i++) ld.data[i] *= this.s.value[0] * this.z.value[i % k];
    return mm(ld, this.ur);
  }
  weight(): M {
    const w = this.#ldu();
    for (let i = 0; i < w.data.length; i++) w.data[i] += this.wres.data[i];
    return w;
  }
  forward(x: M): M {
    this.#x = x;
    this.#xu = mm(x, this.ur, false, true); // batch × r
    const t = mk(this.#xu.rows, this.rank, this.#xu.data.slice());
    for (let i = 0; i < t.data.length; i++) t.data[i] *= this.s.value[0] * this.z.value[i % this.rank];
    const y = mm(x, this.wres, false, true), d = mm(t, this.lr, false, true);
    for (let i = 0; i < y.data.length; i++) y.data[i] += d.data[i];
    return addBias(y, this.bias);
  }
  backward(dy: M): M {
    const k = this.rank, s = this.s.value[0], z = this.z.value, dyl = mm(dy, this.lr), xu = this.#xu!; // batch × r
    this.z.grad.fill(0);
    let gs = 0;
    for (let i = 0; i < dyl.data.length; i++) {
      const p = dyl.data[i] * xu.data[i];
      this.z.grad[i % k] += s * p;
      gs += z[i % k] * p;
    }
    this.s.grad[0] = gs;
    const dx = mm(dy, this.wres);
    for (let i = 0; i < dyl.data.length; i++) dyl.data[i] *= s * z[i % k];
    const dx2 = mm(dyl, this.ur);
    for (let i = 0; i < dx.data.length; i++) dx.data[i] += dx2.data[i];
    return dx;
  }
  params(): FactorParam[] {
    return [this.z, this.s];
  }
  /** Trainable numbers: r + 1. */
  storedParams(): number {
    return this.rank + 1;
  }
}

/** Kaiming-uniform (a = √5, PyTorch's Linear default): U(−1/√fanIn, 1/√fanIn). */
function kaiming(n: number, fanIn: number, rng: Rng): Float64Array {
  const b = 1 / Math.sqrt(fanIn), out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng.uniform() - 1) * b;
  return out;
}

export class VeraLayer implements FactorLayer {
  readonly label: string;
  readonly a: M;
  readonly b: M;
  readonly w0: M;
  readonly bias: Float64Array;
  delta: FactorParam;
  beta: FactorParam;
  #x: M | null = null;
  #xa: M | null = null;
  #h: M | null = null;
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly rank: number,
    opts: { weight: M; bias: Float64Array; rng: Rng; deltaInit?: number },
  ) {
    this.w0 = mk(outDim, inDim, opts.weight.data.slice());
    this.bias = opts.bias.slice();
    this.a = mk(rank, inDim, kaiming(rank * inDim, inDim, opts.rng.split("A")));
    this.b = mk(outDim, rank, kaiming(outDim * rank, rank, opts.rng.split("B")));
    this.delta = param("vera_d", new Float64Array(rank).fill(opts.deltaInit ?? 0.1));
    this.beta = param("vera_b", new Float64Array(outDim));
    this.label = `vera ${inDim}→${outDim} r=${rank}`;
  }
  weight(): M {
    const bd = mk(this.outDim, this.rank, this.b.data.slice());
    for (let i = 0; i < this.outDim; i++) {
      for (let j = 0; j < this.rank; j++) bd.data[i * this.rank + j] *= this.beta.value[i] * this.delta.value[j];
    }
    const w = mm(bd, this.a);
    for (let i = 0; i < w.data.length; i++) w.data[i] += this.w0.data[i];
    return w;
  }
  forward(x: M): M {
    const r = this.rank;
    this.#x = x;
    this.#xa = mm(x, this.a, false, true); // batch × r
    const t = mk(this.#xa.rows, r, this.#xa.data.slice());
    for (let i = 0; i < t.data.length; i++) t.data[i] *= this.delta.value[i % r];
    this.#h = mm(t, this.b, false, true); // batch × out: X·Aᵀ·diag(δ)·Bᵀ
    const y = mm(x, this.w0, false, true);
    for (let i = 0; i < y.data.length; i++) y.data[i] += this.beta.value[i % this.outDim] * this.#h.data[i];
    return addBias(y, this.bias);
  }
  backward(dy: M): M {
    const r = this.rank, out = this.outDim, h = this.#h!, xa = this.#xa!;
    this.beta.grad.fill(0);
    for (let i = 0; i < dy.data.length; i++) this.beta.grad[i % out] += dy.data[i] * h.data[i];
    const dyb = mk(dy.rows, out, dy.data.slice());
    for (let i = 0; i < dyb.data.length; i++) dyb.data[i] *= this.beta.value[i % out];
    const g = mm(dyb, this.b); // batch × r
    this.delta.grad.fill(0);
    for (let i = 0; i < g.data.length; i++) this.delta.grad[i % r] += g.data[i] * xa.data[i];
    const dx = mm(dy, this.w0);
    for (let i = 0; i < g.data.length; i++) g.data[i] *= this.delta.value[i % r];
    const dx2 = mm(g, this.a);
    for (let i = 0; i < dx.data.length; i++) dx.data[i] += dx2.data[i];
    void this.#x;
    return dx;
  }
  params(): FactorParam[] {
    return [this.delta, this.beta];
  }
  /** Trainable numbers: r + out (A and B regenerate from a seed). */
  storedParams(): number {
    return this.rank + this.outDim;
  }
}

/**
 * Factorised linear layers for compression papers, written against plain float64 `Mat`s and lib/math/linalg
 * (`getLinalg()`: OpenBLAS on the native backend, pure JS otherwise). Every layer maps a minibatch X (batch × in,
 * row-major) to Y = X·Wᵀ + 1·bᵀ with W (out × in) held in factored form; `backward(dY)` stores ∂L/∂θ in each
 * parameter's `grad` (overwriting) and returns ∂L/∂X.
 *
 * - `DenseLayer`: W itself (the full-rank reference).
 * - `UVLayer`: W = U·Vᵀ, U out×r, V in×r, both trained by gradient descent ("vanilla" low-rank).
 *   ∂U = dYᵀ(XV), ∂V = Xᵀ(dY·U).
 * - `DlrtLayer`: W = U·S·Vᵀ with orthonormal U, V, trained by the KLS integrator of dynamical low-rank training
 *   (Schotthöfer, Zangrando, Kusch, Ceruti & Tudisco, NeurIPS 2022, "Low-rank lottery tickets"; the steps follow
 *   the official code COMPiLELab/DLRT-Net `optimizer_KLS/dlrt_optimizer.py`), see `dlrtStep` below.
 * - `LduLayer`: W = L·diag(d)·R with L out×r unit lower-trapezoidal, R r×in unit upper-trapezoidal, initialised
 *   from an LU factorisation of a given W (row pivots folded into L); `train: "diag"` trains d only (LoLDU).
 * - `LoraLayer`: W = W₀ + (α/r)·B·A with W₀ frozen, A r×in small random, B out×r zero (Hu et al. 2021).
 *
 * The KLS step (one minibatch, learning rate h; G = ∂L/∂W at W = U S Vᵀ):
 *   K-step:  K = U·S − h·G·V          (∂L/∂K with W = K Vᵀ)
 *   L-step:  L = V·Sᵀ − h·Gᵀ·U        (∂L/∂L with W = U Lᵀ), both from one backward pass at the current W;
 *   bases:   Û = qr([K, U]), V̂ = qr([L, V])  (rank-adaptive: augmented to 2r) or Û = qr(K), V̂ = qr(L) (fixed);
 *            S̃ = (ÛᵀU)·S·(V̂ᵀV)ᵀ;
 *   S-step:  S̃ ← S̃ − h·Ûᵀ·G̃·V̂ with G̃ = ∂L/∂W at W̃ = Û S̃ V̂ᵀ (a second forward/backward pass); biases and
 *            full-rank layers take their SGD step here too (the official code discards their K/L-pass gradient);
 *   truncate (adaptive): S̃ = P Σ Qᵀ, new rank r₁ = the smallest j with ‖(σ_j, …, σ_2r)‖ < τ·‖σ‖, clamped to
 *            [minRank, rmax]; U = Û P₁, V = V̂ Q₁, S = Σ₁. Fixed rank: U = Û, V = V̂, S = S̃.
 *
 * @example
 * ```ts
 * const net = new FactorNet([new DlrtLayer(784, 500, { rank: 250, tau: 0.1, rng }), new DenseLayer(500, 10, { rng })]);
 * const loss = net.dlrtStep(x, labels, 0.05);   // one KLS step on a minibatch
 * net.storedParams();                           // weights kept for inference: Σ r(in + out) + dense
 * ```
 */
import { getLinalg, type Mat } from "../linalg/mod.ts";
import { luSmall } from "../linalg/lu_small.ts";
import type { Rng } from "../rng.ts";

/** A float64 matrix (row-major). */
export type M = Mat<Float64Array>;

/** A trainable tensor and its gradient (same length). */
export interface FactorParam {
  name: string;
  value: Float64Array;
  grad: Float64Array;
}

/** A linear map Y = X·Wᵀ + b with W in some factored form. */
export interface FactorLayer {
  readonly inDim: number;
  readonly outDim: number;
  readonly label: string;
  forward(x: M): M;
  backward(dy: M): M;
  /** Parameters plain SGD updates (DLRT layers list only their bias: their factors move by `klsStep`). */
  params(): FactorParam[];
  /** Numbers kept for inference, biases excluded (the official code's `count_params_test`, count_bias = False). */
  storedParams(): number;
  /** The dense weight W (out × in), for tests and post-hoc SVD. */
  weight(): M;
}

// ---------------------------------------------------------------------------------------------- small helpers

const mm = (a: M, b: M, transA = false, transB = false): M => getLinalg().matmul(a, b, { transA, transB }) as M;

function mk(rows: number, cols: number, data?: Float64Array): M {
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** Columns [c0, c1) of a. */
export function cols(a: M, c0: number, c1: number): M {
  const out = mk(a.rows, c1 - c0);
  for (let i = 0; i < a.rows; i++) out.data.set(a.data.subarray(i * a.cols + c0, i * a.cols + c1), i * (c1 - c0));
  return out;
}

/** [a, b] side by side. */
export function hcat(a: M, b: M): M {
  const out = mk(a.rows, a.cols + b.cols);
  for (let i = 0; i < a.rows; i++) {
    out.data.set(a.data.subarray(i * a.cols, (i + 1) * a.cols), i * out.cols);
    out.data.set(b.data.subarray(i * b.cols, (i + 1) * b.cols), i * out.cols + a.cols);
  }
  return out;
}

function addBias(y: M, b: Float64Array): M {
  for (let i = 0; i < y.rows; i++) for (let j = 0; j < y.cols; j++) y.data[i * y.cols + j] += b[j];
  return y;
}

function colSums(dy: M, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < dy.rows; i++) for (let j = 0; j < dy.cols; j++) out[j] += dy.data[i * dy.cols + j];
}

/** Orthonormal columns spanning a (thin QR; a must have rows ≥ cols). */
export function orth(a: M): M {
  return getLinalg().qr(a).q as M;
}

/** A random m×k matrix with orthonormal columns (QR of a Gaussian). */
export function randomOrthonormal(m: number, k: number, rng: Rng): M {
  return orth(mk(m, k, rng.normal(m * k)));
}

/** PyTorch's default Linear init: U(−1/√in, 1/√in) for weight and bias. */
function uniformInit(n: number, fanIn: number, rng: Rng): Float64Array {
  const b = 1 / Math.sqrt(fanIn), out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng.uniform() - 1) * b;
  return out;
}

// ---------------------------------------------------------------------------------------------- dense

/** The stream a default initialisation draws from: a layer built from given weights needs none. */
function initRng(rng: Rng | undefined, layer: string): Rng {
  if (!rng) throw new Error(`${layer}: pass rng, or every tensor the layer would otherwise draw`);
  return rng;
}

/** A dense layer y = x·Wᵀ + b (PyTorch's default initialisation unless weights are given). */
export class DenseLayer implements FactorLayer {
  readonly label: string;
  w: FactorParam;
  b: FactorParam;
  #x: M | null = null;
  /** Weights and bias are copied when given; what is not given is drawn from `rng` (PyTorch's default init). */
  constructor(readonly inDim: number, readonly outDim: number, opts: { rng?: Rng; weight?: M; bias?: Float64Array }) {
    this.label = `dense ${inDim}→${outDim}`;
    const w = opts.weight?.data.slice() ?? uniformInit(outDim * inDim, inDim, initRng(opts.rng, this.label));
    this.w = { name: "w", value: w, grad: new Float64Array(w.length) };
    const b = opts.bias?.slice() ?? uniformInit(outDim, inDim, initRng(opts.rng, this.label));
    this.b = { name: "b", value: b, grad: new Float64Array(outDim) };
  }
  weight(): M {
    return mk(this.outDim, this.inDim, this.w.value);
  }
  forward(x: M): M {
    this.#x = x;
    return addBias(mm(x, this.weight(), false, true), this.b.value);
  }
  backward(dy: M): M {
    this.w.grad.set(mm(dy, this.#x!, true, false).data);
    colSums(dy, this.b.grad);
    return mm(dy, this.weight());
  }
  params(): FactorParam[] {
    return [this.w, this.b];
  }
  storedParams(): number {
    return this.inDim * this.outDim;
  }
}

// ---------------------------------------------------------------------------------------------- UV

/** A rank-r layer y = (x·V)·Uᵀ + b, both factors trained ("vanilla" low-rank training). */
export class UVLayer implements FactorLayer {
  readonly label: string;
  u: FactorParam;
  v: FactorParam;
  b: FactorParam;
  #x: M | null = null;
  #xv: M | null = null;
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly rank: number,
    opts: { rng?: Rng; u?: M; v?: M; bias?: Float64Array },
  ) {
    this.label = `uv ${inDim}→${outDim} r=${rank}`;
    // Default init: U and V i.i.d. uniform so that UVᵀ has the variance of PyTorch's default dense init.
    const scale = Math.pow(1 / (3 * inDim * rank), 0.25) * Math.sqrt(3);
    const draw = (n: number) => {
      const a = new Float64Array(n);
      const rng = initRng(opts.rng, this.label);
      for (let i = 0; i < n; i++) a[i] = (2 * rng.uniform() - 1) * scale;
      return a;
    };
    const u = opts.u?.data.slice() ?? draw(outDim * rank);
    const v = opts.v?.data.slice() ?? draw(inDim * rank);
    this.u = { name: "u", value: u, grad: new Float64Array(u.length) };
    this.v = { name: "v", value: v, grad: new Float64Array(v.length) };
    const b = opts.bias?.slice() ?? uniformInit(outDim, inDim, initRng(opts.rng, this.label));
    this.b = { name: "b", value: b, grad: new Float64Array(outDim) };
  }
  #U = () => mk(this.outDim, this.rank, this.u.value);
  #V = () => mk(this.inDim, this.rank, this.v.value);
  weight(): M {
    return mm(this.#U(), this.#V(), false, true);
  }
  forward(x: M): M {
    this.#x = x;
    this.#xv = mm(x, this.#V());
    return addBias(mm(this.#xv, this.#U(), false, true), this.b.value);
  }
  backward(dy: M): M {
    const dyu = mm(dy, this.#U());
    this.u.grad.set(mm(dy, this.#xv!, true, false).data);
    this.v.grad.set(mm(this.#x!, dyu, true, false).data);
    colSums(dy, this.b.grad);
    return mm(dyu, this.#V(), false, true);
  }
  params(): FactorParam[] {
    return [this.u, this.v, this.b];
  }
  storedParams(): number {
    return this.rank * (this.inDim + this.outDim);
  }
}

// ---------------------------------------------------------------------------------------------- DLRT (KLS)

/** A DLRT layer's start: rank (fixed or adaptive with tolerance τ) and initial weights. */
export interface DlrtOptions {
  rng: Rng;
  /** Starting rank (adaptive) or the fixed rank. */
  rank: number;
  /** Relative truncation tolerance τ (rank-adaptive); omit for fixed rank. */
  tau?: number;
  /** Smallest rank truncation may return (the official code: 2). */
  minRank?: number;
  /** Largest rank (default ⌊min(in, out)/2⌋, so the augmented basis of 2r columns exists; fixed rank: min). */
  maxRank?: number;
  /** Start from this weight's truncated SVD instead of a random point. */
  weight?: M;
  /**
   * Random start only: the k-th initial singular value is divided by decay^k (the official UV_vanilla
   * experiment's `--decay`, 10 in its `_exp10` runs; default 1 = the plain official initialisation).
   */
  initDecay?: number;
  bias?: Float64Array;
}

/** Smallest r with ‖σ[r:]‖ < tol (σ descending), clamped to [lo, hi]. */
export function truncationRank(sigma: ArrayLike<number>, tol: number, lo: number, hi: number): number {
  const n = sigma.length;
  let tail = 0, r = n;
  // Walk from the end: tail = ‖σ[j:]‖ for j = n−1 … 0; the smallest j with tail < tol wins.
  for (let j = n - 1; j >= 0; j--) {
    tail = Math.hypot(tail, sigma[j]);
    if (tail < tol) r = j;
    else break;
  }
  return Math.max(lo, Math.min(hi, r));
}

/**
 * W = U·S·Vᵀ trained by the KLS integrator of dynamical low-rank training (Schotthöfer et al. 2022): K- and
 * L-steps update the bases, the S-step the core, and a truncation adapts the rank when `tau` is set.
 */
export class DlrtLayer implements FactorLayer {
  readonly label: string;
  readonly adaptive: boolean;
  readonly tau: number;
  readonly minRank: number;
  readonly maxRank: number;
  /** Current factors: U out×r, S r×r, V in×r (U, V orthonormal columns). */
  U: M;
  S: M;
  V: M;
  b: FactorParam;
  /** "KL": forward with U S Vᵀ, backward gives G·V and Gᵀ·U; "S": forward with Û S̃ V̂ᵀ, backward gives Ûᵀ G̃ V̂. */
  phase: "KL" | "S" = "KL";
  #Uh: M | null = null;
  #Vh: M | null = null;
  #Sh: M | null = null;
  #gK: M | null = null;
  #gL: M | null = null;
  #gS: M | null = null;
  #x: M | null = null;
  #xv: M | null = null;

  constructor(readonly inDim: number, readonly outDim: number, opts: DlrtOptions) {
    this.adaptive = opts.tau !== undefined;
    this.tau = opts.tau ?? 0;
    this.minRank = opts.minRank ?? 2;
    this.maxRank = opts.maxRank ??
      (this.adaptive ? Math.floor(Math.min(inDim, outDim) / 2) : Math.min(inDim, outDim));
    const r = Math.min(opts.rank, this.maxRank);
    if (opts.weight) {
      const { u, s, vt } = getLinalg().svd(opts.weight) as { u: M; s: Float64Array; vt: M };
      this.U = cols(u, 0, r);
      this.V = cols(mk(vt.cols, vt.rows, transposeData(vt)), 0, r);
      this.S = diag(s.subarray(0, r));
    } else {
      // The official initialisation: random orthonormal U, V and S = diag(sorted |N(0,1)|).
      this.U = randomOrthonormal(outDim, r, opts.rng);
      this.V = randomOrthonormal(inDim, r, opts.rng);
      const s = Array.from(opts.rng.normal(r), Math.abs).sort((a, b) => b - a);
      this.S = diag(Float64Array.from(s, (v, k) => v / Math.pow(opts.initDecay ?? 1, k)));
    }
    const b = opts.bias?.slice() ?? uniformInit(outDim, inDim, opts.rng);
    this.b = { name: "b", value: b, grad: new Float64Array(outDim) };
    this.label = `dlrt ${inDim}→${outDim} ${this.adaptive ? `τ=${this.tau}` : `r=${r}`}`;
  }

  get rank(): number {
    return this.S.rows;
  }

  weight(): M {
    return mm(mm(this.U, this.S), this.V, false, true);
  }

  #factors(): [M, M, M] {
    return this.phase === "KL" ? [this.U, this.S, this.V] : [this.#Uh!, this.#Sh!, this.#Vh!];
  }

  forward(x: M): M {
    const [U, S, V] = this.#factors();
    this.#x = x;
    this.#xv = mm(x, V);
    return addBias(mm(mm(this.#xv, S, false, true), U, false, true), this.b.value);
  }

  backward(dy: M): M {
    const [U, S, V] = this.#factors();
    const dyu = mm(dy, U); // batch × r
    if (this.phase === "KL") {
      // ∂L/∂K = G·V = dYᵀ(XV); ∂L/∂L = Gᵀ·U = Xᵀ(dY·U).
      this.#gK = mm(dy, this.#xv!, true, false);
      this.#gL = mm(this.#x!, dyu, true, false);
    } else {
      this.#gS = mm(dyu, this.#xv!, true, false); // Ûᵀ G̃ V̂
    }
    colSums(dy, this.b.grad);
    return mm(mm(dyu, S), V, false, true);
  }

  /** After the KL pass: K- and L-steps, new bases, S̃; switches to the S phase. */
  klStep(h: number): void {
    const K = mm(this.U, this.S), L = mm(this.V, this.S, false, true);
    axpy(K, this.#gK!, -h);
    axpy(L, this.#gL!, -h);
    const Uh = orth(this.adaptive ? hcat(K, this.U) : K);
    const Vh = orth(this.adaptive ? hcat(L, this.V) : L);
    const Mh = mm(Uh, this.U, true, false), Nh = mm(Vh, this.V, true, false);
    this.#Sh = mm(mm(Mh, this.S), Nh, false, true);
    this.#Uh = Uh;
    this.#Vh = Vh;
    this.phase = "S";
  }

  /** After the S pass: S-step, then truncation (adaptive) or the new factors (fixed); back to the KL phase. */
  sStep(h: number): void {
    const Sh = this.#Sh!;
    axpy(Sh, this.#gS!, -h);
    if (this.adaptive) {
      const { u: P, s, vt: Qt } = getLinalg().svd(Sh) as { u: M; s: Float64Array; vt: M };
      let norm = 0;
      for (const v of s) norm = Math.hypot(norm, v);
      const r1 = truncationRank(s, this.tau * norm, this.minRank, Math.min(this.maxRank, s.length));
      this.U = mm(this.#Uh!, cols(P, 0, r1));
      this.V = mm(this.#Vh!, cols(mk(Qt.cols, Qt.rows, transposeData(Qt)), 0, r1));
      this.S = diag(s.subarray(0, r1));
    } else {
      this.U = this.#Uh!;
      this.V = this.#Vh!;
      this.S = Sh;
    }
    this.#Uh =
      this.#Vh =
      this.#Sh =
      this.#gK =
      this.#gL =
      this.#gS =
        null;
    this.phase = "KL";
  }

  params(): FactorParam[] {
    return [this.b];
  }

  /** K and L kept for inference: r·(in + out) (the official count_params_test). */
  storedParams(): number {
    return this.rank * (this.inDim + this.outDim);
  }
}

function diag(s: ArrayLike<number>): M {
  const r = s.length, out = mk(r, r);
  for (let i = 0; i < r; i++) out.data[i * r + i] = s[i];
  return out;
}

function transposeData(a: M): Float64Array {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return out;
}

function axpy(y: M, x: M, alpha: number): void {
  for (let i = 0; i < y.data.length; i++) y.data[i] += alpha * x.data[i];
}

// ---------------------------------------------------------------------------------------------- LDU

/**
 * LU with partial pivoting of a (m × n): P·a = L·U, returned as W = Lp·diag(d)·R with Lp = Pᵀ·L (m × k, a row
 * permutation of a unit lower-trapezoidal matrix), d = diag(U) and R = diag(d)⁻¹·U (k × n, unit upper).
 */
export function lduFactor(a: M): { l: M; d: Float64Array; r: M; rowPerm: Int32Array } {
  const m = a.rows, n = a.cols, k = Math.min(m, n);
  const { lu: w, perm, zeroPivot } = luSmall(a.data, m, n);
  if (zeroPivot >= 0) throw new Error(`lduFactor: the matrix is rank deficient (zero pivot at column ${zeroPivot})`);
  const l = mk(m, k), r = mk(k, n), d = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < Math.min(i, k); j++) l.data[perm[i] * k + j] = w[i * n + j];
    if (i < k) l.data[perm[i] * k + i] = 1;
  }
  for (let i = 0; i < k; i++) {
    d[i] = w[i * n + i];
    r.data[i * n + i] = 1;
    for (let c = i + 1; c < n; c++) r.data[i * n + c] = w[i * n + c] / d[i];
  }
  return { l, d, r, rowPerm: perm };
}

/** W = P·L·D·R (LoLDU): L and R unit-triangular, D diagonal; masks choose which factors train. */
export class LduLayer implements FactorLayer {
  readonly label: string;
  l: FactorParam;
  d: FactorParam;
  r: FactorParam;
  b: FactorParam;
  readonly rank: number;
  readonly train: "all" | "diag";
  /** 1 where an entry of L (resp. R) is free; unit diagonals and structural zeros stay fixed. */
  readonly lMask: Uint8Array;
  readonly rMask: Uint8Array;
  #x: M | null = null;
  #xr: M | null = null;
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    opts: { weight: M; bias?: Float64Array; train?: "all" | "diag"; rng: Rng },
  ) {
    const { l, d, r, rowPerm } = lduFactor(opts.weight);
    this.rank = d.length;
    this.train = opts.train ?? "all";
    this.l = { name: "l", value: l.data, grad: new Float64Array(l.data.length) };
    this.d = { name: "d", value: d, grad: new Float64Array(d.length) };
    this.r = { name: "r", value: r.data, grad: new Float64Array(r.data.length) };
    const b = opts.bias?.slice() ?? new Float64Array(outDim);
    this.b = { name: "b", value: b, grad: new Float64Array(outDim) };
    const k = this.rank;
    this.lMask = new Uint8Array(outDim * k);
    for (let pos = 0; pos < outDim; pos++) {
      for (let j = 0; j < Math.min(pos, k); j++) this.lMask[rowPerm[pos] * k + j] = 1;
    }
    this.rMask = new Uint8Array(k * inDim);
    for (let i = 0; i < k; i++) for (let c = i + 1; c < inDim; c++) this.rMask[i * inDim + c] = 1;
    this.label = `ldu ${inDim}→${outDim} (${this.train})`;
  }
  #L = () => mk(this.outDim, this.rank, this.l.value);
  #R = () => mk(this.rank, this.inDim, this.r.value);
  #LD(): M {
    const ld = mk(this.outDim, this.rank, this.l.value.slice());
    for (let i = 0; i < this.outDim; i++) {
      for (let j = 0; j < this.rank; j++) ld.data[i * this.rank + j] *= this.d.value[j];
    }
    return ld;
  }
  weight(): M {
    return mm(this.#LD(), this.#R());
  }
  forward(x: M): M {
    this.#x = x;
    this.#xr = mm(x, this.#R(), false, true); // batch × k
    return addBias(mm(this.#xr, this.#LD(), false, true), this.b.value);
  }
  backward(dy: M): M {
    const k = this.rank, dyl = mm(dy, this.#L()); // batch × k
    // W = L D R: ∂L/∂d_j = Σ_b (dY L)_bj (X Rᵀ)_bj; ∂L/∂L = dYᵀ (X Rᵀ) D; ∂L/∂R = D (dY L)ᵀ X.
    this.d.grad.fill(0);
    for (let i = 0; i < dyl.data.length; i++) this.d.grad[i % k] += dyl.data[i] * this.#xr!.data[i];
    if (this.train === "all") {
      const gl = mm(dy, this.#xr!, true, false);
      for (let i = 0; i < gl.data.length; i++) this.l.grad[i] = this.lMask[i] ? gl.data[i] * this.d.value[i % k] : 0;
      const gr = mm(dyl, this.#x!, true, false);
      for (let i = 0; i < gr.data.length; i++) {
        this.r.grad[i] = this.rMask[i] ? gr.data[i] * this.d.value[Math.floor(i / this.inDim)] : 0;
      }
    }
    colSums(dy, this.b.grad);
    const dyld = mk(dyl.rows, k, dyl.data.slice());
    for (let i = 0; i < dyld.data.length; i++) dyld.data[i] *= this.d.value[i % k];
    return mm(dyld, this.#R());
  }
  params(): FactorParam[] {
    return this.train === "all" ? [this.l, this.d, this.r, this.b] : [this.d, this.b];
  }
  storedParams(): number {
    return this.train === "all" ? this.weightEntries() : this.rank;
  }
  /** Free entries of L and R plus d. */
  weightEntries(): number {
    let n = this.rank;
    for (const v of this.lMask) n += v;
    for (const v of this.rMask) n += v;
    return n;
  }
}

// ---------------------------------------------------------------------------------------------- LoRA

/** A frozen W₀ plus a trained low-rank update (α/r)·B·A (LoRA). */
export class LoraLayer implements FactorLayer {
  readonly label: string;
  readonly w0: M;
  a: FactorParam;
  bB: FactorParam;
  b: FactorParam;
  readonly scale: number;
  #x: M | null = null;
  #xa: M | null = null;
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly rank: number,
    opts: { base: M; bias?: Float64Array; alpha?: number; rng: Rng; trainBias?: boolean },
  ) {
    this.w0 = opts.base;
    this.scale = (opts.alpha ?? rank) / rank;
    // Hu et al.: A random (Kaiming-uniform in the reference code), B = 0, so training starts at W₀.
    const a = uniformInit(rank * inDim, inDim, opts.rng);
    this.a = { name: "lora_a", value: a, grad: new Float64Array(a.length) };
    this.bB = { name: "lora_b", value: new Float64Array(outDim * rank), grad: new Float64Array(outDim * rank) };
    const b = opts.bias?.slice() ?? new Float64Array(outDim);
    this.b = { name: "b", value: b, grad: new Float64Array(outDim) };
    this.label = `lora ${inDim}→${outDim} r=${rank}`;
  }
  #A = () => mk(this.rank, this.inDim, this.a.value);
  #B = () => mk(this.outDim, this.rank, this.bB.value);
  weight(): M {
    const w = mm(this.#B(), this.#A());
    for (let i = 0; i < w.data.length; i++) w.data[i] = this.w0.data[i] + this.scale * w.data[i];
    return w;
  }
  forward(x: M): M {
    this.#x = x;
    this.#xa = mm(x, this.#A(), false, true);
    const y = mm(x, this.w0, false, true);
    const d = mm(this.#xa, this.#B(), false, true);
    axpy(y, d, this.scale);
    return addBias(y, this.b.value);
  }
  backward(dy: M): M {
    const dyb = mm(dy, this.#B()); // batch × r
    const gB = mm(dy, this.#xa!, true, false), gA = mm(dyb, this.#x!, true, false);
    for (let i = 0; i < gB.data.length; i++) this.bB.grad[i] = this.scale * gB.data[i];
    for (let i = 0; i < gA.data.length; i++) this.a.grad[i] = this.scale * gA.data[i];
    colSums(dy, this.b.grad);
    const dx = mm(dy, this.w0);
    axpy(dx, mm(dyb, this.#A()), this.scale);
    return dx;
  }
  params(): FactorParam[] {
    return [this.a, this.bB];
  }
  /** Trainable adapter numbers r·(in + out). */
  storedParams(): number {
    return this.rank * (this.inDim + this.outDim);
  }
}

// ---------------------------------------------------------------------------------------------- a network of them

/** Mean softmax cross-entropy of logits (batch × classes) and its gradient with respect to the logits. */
export function softmaxXent(logits: M, labels: ArrayLike<number>): { loss: number; dLogits: M } {
  const { rows: n, cols: c } = logits;
  const d = mk(n, c);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let mx = -Infinity;
    for (let j = 0; j < c; j++) mx = Math.max(mx, logits.data[o + j]);
    let z = 0;
    for (let j = 0; j < c; j++) z += Math.exp(logits.data[o + j] - mx);
    loss += Math.log(z) + mx - logits.data[o + labels[i]];
    for (let j = 0; j < c; j++) d.data[o + j] = Math.exp(logits.data[o + j] - mx) / z / n;
    d.data[o + labels[i]] -= 1 / n;
  }
  return { loss: loss / n, dLogits: d };
}

/** Layers with ReLU between them (none after the last), softmax cross-entropy on top. */
export class FactorNet {
  #masks: (Uint8Array | null)[] = [];
  #acts: M[] = [];
  constructor(readonly layers: FactorLayer[]) {}

  forward(x: M): M {
    this.#acts = [];
    let h = x;
    this.layers.forEach((l, i) => {
      h = l.forward(h);
      if (i < this.layers.length - 1) {
        const out = mk(h.rows, h.cols, h.data.slice());
        for (let k = 0; k < out.data.length; k++) if (out.data[k] < 0) out.data[k] = 0;
        this.#acts.push(h);
        h = out;
      }
    });
    return h;
  }

  /** Forward, loss, backward: every layer's gradients are set. Returns the loss and ∂L/∂x. */
  lossAndGrad(x: M, labels: ArrayLike<number>): { loss: number; dx: M; logits: M } {
    const logits = this.forward(x);
    const { loss, dLogits } = softmaxXent(logits, labels);
    let g = dLogits;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      if (i < this.layers.length - 1) {
        const pre = this.#acts[i];
        for (let k = 0; k < g.data.length; k++) if (pre.data[k] <= 0) g.data[k] = 0;
      }
      g = this.layers[i].backward(g);
    }
    return { loss, dx: g, logits };
  }

  /** Optional pruning masks per layer (aligned with that layer's first parameter): masked entries stay zero. */
  setMasks(masks: (Uint8Array | null)[]): void {
    this.#masks = masks;
    this.layers.forEach((l, i) => {
      const m = masks[i];
      if (m) applyMask(l.params()[0].value, m);
    });
  }

  #sgd(lr: number): void {
    this.layers.forEach((l, i) => {
      for (const p of l.params()) for (let k = 0; k < p.value.length; k++) p.value[k] -= lr * p.grad[k];
      const m = this.#masks[i];
      if (m) applyMask(l.params()[0].value, m);
    });
  }

  /** One plain SGD step on a minibatch (DLRT layers' factors do not move: use `dlrtStep`). */
  sgdStep(x: M, labels: ArrayLike<number>, lr: number): number {
    const { loss } = this.lossAndGrad(x, labels);
    this.#sgd(lr);
    return loss;
  }

  /**
   * One KLS step: KL pass (DLRT K/L gradients; other gradients discarded as in the official code), K-, L-steps
   * and basis update, S pass at the new point, S-step with SGD on every other parameter, truncation.
   */
  dlrtStep(x: M, labels: ArrayLike<number>, lr: number): number {
    const dl = this.layers.filter((l): l is DlrtLayer => l instanceof DlrtLayer);
    const { loss } = this.lossAndGrad(x, labels);
    for (const l of dl) l.klStep(lr);
    this.lossAndGrad(x, labels);
    for (const l of dl) l.sStep(lr);
    this.#sgd(lr);
    return loss;
  }

  /** Class predictions for x, in batches. */
  predict(x: M, batch = 1000): Int32Array {
    const out = new Int32Array(x.rows);
    for (let s = 0; s < x.rows; s += batch) {
      const e = Math.min(x.rows, s + batch);
      const logits = this.forward(mk(e - s, x.cols, x.data.subarray(s * x.cols, e * x.cols)));
      for (let i = 0; i < e - s; i++) {
        let best = 0;
        for (let j = 1; j < logits.cols; j++) {
          if (logits.data[i * logits.cols + j] > logits.data[i * logits.cols + best]) best = j;
        }
        out[s + i] = best;
      }
    }
    return out;
  }

  storedParams(): number {
    return this.layers.reduce((s, l) => s + l.storedParams(), 0);
  }
}

function applyMask(w: Float64Array, mask: Uint8Array): void {
  for (let k = 0; k < w.length; k++) if (!mask[k]) w[k] = 0;
}

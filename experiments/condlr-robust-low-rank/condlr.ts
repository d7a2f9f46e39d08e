/**
 * CondLR (Savostianova, Zangrando, Ceruti & Tudisco, NeurIPS 2023, "Robust low-rank training via approximate
 * orthonormal constraints"): each weight matrix is W = U S Vᵀ with U (out×r) and V (in×r) on the Stiefel manifold
 * and the r×r core S kept (approximately) a multiple of an orthogonal matrix, so that cond(W) = cond(S) ≤ κ. The
 * step follows the official optimizer as published in the fork MuditSethia08/CondLR_up
 * (`CondLR_utils/optimizer_LR/usv_optimizer.py`, `ProjectedSGD.py`):
 *
 *   gradients:   G_U = ∂L/∂U = dYᵀ(XV)Sᵀ,  G_S = ∂L/∂S = (dY U)ᵀ(XV),  G_V = ∂L/∂V = Xᵀ(dY U)S;
 *   projection:  G_U ← (I − UUᵀ)G_U·c,  G_V ← (I − VVᵀ)G_V·c (tangent space of the Stiefel manifold), with c = 1/a
 *                (κ = 1, `stiefel_opt mean`; a = mean singular value of the initial dense weight) or
 *                c = (σ_min(S)/σ_max(S))² of the last retraction (κ > 1, `approx_orth`; 1 before the first);
 *   SGD step on U, S, V and the biases; then the retraction:
 *   U ← qr(U), V ← qr(V) (signs fixed so that diag(R) > 0);
 *   κ = 1:  a' = tr(SSᵀ)/r, S ← √a'·Q with S = QR (every singular value equal: cond(S) = 1); full-rank layers of
 *           the net (here the dense output layer) get W ← P·mean(σ)·Qᵀ from W = PΣQᵀ, as the official `retract`;
 *   κ > 1:  S = PΣQᵀ, m = mean(σ), e = m(κ−1)/(κ+1), σ ← clamp(σ, m − e, m + e), S ← PΣQᵀ (so σ_max/σ_min ≤ κ).
 *
 * The layer plugs into lib/math/nn/factorized.ts' FactorNet (forward/backward/params); `condStep` below runs the
 * step on a whole net.
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import {
  cols,
  DenseLayer,
  type FactorLayer,
  type FactorNet,
  type FactorParam,
  type M,
} from "../../lib/math/nn/factorized.ts";

const mm = (a: M, b: M, transA = false, transB = false): M => getLinalg().matmul(a, b, { transA, transB }) as M;
const mk = (rows: number, cols: number, data?: Float64Array): M => ({
  rows,
  cols,
  data: data ?? new Float64Array(rows * cols),
});
const param = (name: string, v: Float64Array): FactorParam => ({ name, value: v, grad: new Float64Array(v.length) });

/** Thin QR with the signs of R's diagonal made positive (the official retraction); returns Q. */
export function qrPositive(a: M): M {
  const { q, r } = getLinalg().qr(a) as { q: M; r: M };
  const k = q.cols, out = mk(q.rows, k, q.data.slice());
  for (let j = 0; j < k; j++) {
    if (r.data[j * r.cols + j] < 0) { for (let i = 0; i < q.rows; i++) out.data[i * k + j] *= -1; }
  }
  return out;
}

function transpose(a: M): M {
  const out = mk(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  return out;
}

/** P·diag(s)·Qᵀ from P (m×k), s (k), Qᵀ (k×n). */
function recompose(p: M, s: ArrayLike<number>, qt: M): M {
  const ps = mk(p.rows, s.length);
  for (let i = 0; i < p.rows; i++) {
    for (let j = 0; j < s.length; j++) ps.data[i * s.length + j] = p.data[i * p.cols + j] * s[j];
  }
  return mm(ps, mk(s.length, qt.cols, qt.data.subarray(0, s.length * qt.cols)));
}

/** Singular values clamped to [m − e, m + e], m their mean, e = m(κ−1)/(κ+1): the result has σ_max/σ_min ≤ κ. */
export function clampSpectrum(s: ArrayLike<number>, kappa: number): Float64Array {
  let m = 0;
  for (let i = 0; i < s.length; i++) m += s[i] / s.length;
  const e = m * (kappa - 1) / (kappa + 1);
  return Float64Array.from(s, (v) => Math.min(m + e, Math.max(m - e, v)));
}

export interface CondOptions {
  rank: number;
  /** Bound on cond(S): 1 = the official `mean` variant, > 1 = `approx_orth` with eps = κ. */
  kappa: number;
  /** Start from this dense weight's truncated SVD (the official initialisation). */
  weight: M;
  bias: Float64Array;
}

export class CondLRLayer implements FactorLayer {
  readonly label: string;
  readonly rank: number;
  readonly kappa: number;
  u: FactorParam;
  s: FactorParam;
  v: FactorParam;
  b: FactorParam;
  /** Mean singular value of the initial dense weight (official `a`, the κ = 1 gradient scale). */
  readonly a: number;
  /** (σ_min/σ_max)² of S after the last retraction (official `correction`, the κ > 1 gradient scale). */
  correction = 1;
  #x: M | null = null;
  #xv: M | null = null;

  constructor(readonly inDim: number, readonly outDim: number, opts: CondOptions) {
    const { u, s, vt } = getLinalg().svd(opts.weight) as { u: M; s: Float64Array; vt: M };
    const r = Math.min(opts.rank, s.length);
    this.rank = r;
    this.kappa = opts.kappa;
    this.a = s.reduce((x, y) => x + y, 0) / s.length;
    this.u = param("u", cols(u, 0, r).data);
    this.v = param("v", cols(transpose(vt), 0, r).data);
    const S = new Float64Array(r * r);
    for (let i = 0; i < r; i++) S[i * r + i] = s[i];
    this.s = param("s", S);
    this.b = param("b", opts.bias.slice());
    this.label = `condlr ${inDim}→${outDim} r=${r} κ=${opts.kappa}`;
  }
  U = (): M => mk(this.outDim, this.rank, this.u.value);
  S = (): M => mk(this.rank, this.rank, this.s.value);
  V = (): M => mk(this.inDim, this.rank, this.v.value);

  weight(): M {
    return mm(mm(this.U(), this.S()), this.V(), false, true);
  }
  forward(x: M): M {
    this.#x = x;
    this.#xv = mm(x, this.V());
    const y = mm(mm(this.#xv, this.S(), false, true), this.U(), false, true);
    for (let i = 0; i < y.rows; i++) for (let j = 0; j < y.cols; j++) y.data[i * y.cols + j] += this.b.value[j];
    return y;
  }
  /** Raw (unprojected) gradients of U, S, V and b; `project` turns G_U, G_V into the official search directions. */
  backward(dy: M): M {
    const dyu = mm(dy, this.U());
    this.u.grad.set(mm(dy, mm(this.#xv!, this.S(), false, true), true, false).data);
    this.s.grad.set(mm(dyu, this.#xv!, true, false).data);
    this.v.grad.set(mm(this.#x!, mm(dyu, this.S()), true, false).data);
    this.b.grad.fill(0);
    for (let i = 0; i < dy.rows; i++) for (let j = 0; j < dy.cols; j++) this.b.grad[j] += dy.data[i * dy.cols + j];
    return mm(mm(dyu, this.S()), this.V(), false, true);
  }
  /** G ← (I − BBᵀ)G·c for B = U, V (c = 1/a at κ = 1, the last correction otherwise). */
  project(): void {
    const c = this.kappa === 1 ? 1 / this.a : this.correction;
    for (const [p, B] of [[this.u, this.U()], [this.v, this.V()]] as const) {
      const g = mk(B.rows, B.cols, p.grad);
      const btg = mm(B, g, true, false), bbtg = mm(B, btg);
      for (let i = 0; i < p.grad.length; i++) p.grad[i] = (p.grad[i] - bbtg.data[i]) * c;
    }
  }
  /** QR retraction of U and V; S made a multiple of an orthogonal matrix (κ = 1) or clamped to cond ≤ κ. */
  retract(): void {
    this.u.value.set(qrPositive(this.U()).data);
    this.v.value.set(qrPositive(this.V()).data);
    const S = this.S();
    if (this.kappa === 1) {
      let tr = 0;
      for (const x of S.data) tr += x * x;
      const q = qrPositive(S), scale = Math.sqrt(tr / this.rank);
      this.s.value.set(q.data.map((x) => x * scale));
      this.correction = 1;
    } else {
      const { u: p, s, vt } = getLinalg().svd(S) as { u: M; s: Float64Array; vt: M };
      const c = clampSpectrum(s, this.kappa);
      this.s.value.set(recompose(p, c, vt).data);
      this.correction = (Math.min(...c) / Math.max(...c)) ** 2;
    }
  }
  params(): FactorParam[] {
    return [this.u, this.s, this.v, this.b];
  }
  /** K = U·S and V kept for inference: r(in + out), counted as for DLRT (official count_params_test). */
  storedParams(): number {
    return this.rank * (this.inDim + this.outDim);
  }
}

/** A dense weight with every singular value set to their mean (the official `retract` of full-rank layers). */
export function flattenSpectrum(w: M): M {
  const { u, s, vt } = getLinalg().svd(w) as { u: M; s: Float64Array; vt: M };
  return recompose(u, clampSpectrum(s, 1), vt);
}

/** One CondLR step on a minibatch: gradients, Stiefel projection, SGD on every parameter, retraction. */
export function condStep(net: FactorNet, x: M, labels: ArrayLike<number>, lr: number): number {
  const { loss } = net.lossAndGrad(x, labels);
  for (const l of net.layers) if (l instanceof CondLRLayer) l.project();
  for (const l of net.layers) {
    for (const p of l.params()) for (let k = 0; k < p.value.length; k++) p.value[k] -= lr * p.grad[k];
  }
  const kappa1 = net.layers.some((l) => l instanceof CondLRLayer && l.kappa === 1);
  for (const l of net.layers) {
    if (l instanceof CondLRLayer) l.retract();
    else if (kappa1 && l instanceof DenseLayer) l.w.value.set(flattenSpectrum(l.weight()).data);
  }
  return loss;
}

/** σ_max/σ_min over the first `rank` singular values of W (the nonzero ones of a rank-r layer). */
export function condOf(w: M, rank: number): number {
  const s = getLinalg().svdvals(w) as Float64Array;
  return s[0] / s[Math.min(rank, s.length) - 1];
}

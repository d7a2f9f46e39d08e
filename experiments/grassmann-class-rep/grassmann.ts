/**
 * Grassmann class representation (Wang, Li & Zhang, ICCV 2023, arXiv 2308.01547): each class c is a k-dimensional
 * subspace of the feature space, held as an orthonormal basis S_c (d × k, S_cᵀS_c = I), and its logit is the norm
 * of the projection of the normalised feature onto it,
 *
 *   x̂ = x / max(‖x‖, 1e-12),   l_c = γ‖S_cᵀx̂‖,                                   (paper §3; gcr/grassmann_head.py)
 *
 * with γ = 25 (the official configs). The bases are optimised by Riemannian SGD on the Grassmannian, as the official
 * gcr/rsgd.py does: the momentum buffer is the Euclidean one (no weight decay on the bases), its projection onto the
 * tangent space at S_c is the Riemannian gradient
 *
 *   G = (I − S_cS_cᵀ)·D,                                                          (D = momentum-averaged ∂L/∂S_c)
 *
 * and S_c moves along the geodesic in direction −G: with the thin SVD G = UΣVᵀ,
 *
 *   S_c ← (S_c V cos(ηΣ) − U sin(ηΣ)) Vᵀ,                                         (Edelman, Arias & Smith 1998, Thm 2.3)
 *
 * re-orthonormalised by a QR factorisation every 5th step (rsgd.py's REORTH_STEP = 5) against rounding drift. Every
 * other parameter takes PyTorch's SGD step (momentum, L2 weight decay). The bases are kept in a float64 master copy
 * in the optimiser; the network's store (float32) receives their rounded values.
 *
 * Here the head's weight is stored as the official `fc.weight`: (K·k) × d, row c·k + j is column j of S_c.
 */
import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import type { Arr } from "../../lib/math/nn/gemm.ts";
import { type Ctx, type Layer, numel, Scratch } from "../../lib/math/nn/layer.ts";
import type { Optimizer, Schedule } from "../../lib/math/nn/optim.ts";
import type { Param, ParamSpec } from "../../lib/math/nn/params.ts";

const NORM_EPS = 1e-12;

/** l_c = γ‖S_cᵀ x̂‖ over K classes of k-dimensional subspaces of the d-dimensional (flattened) input. */
export class GrassmannHead implements Layer {
  readonly label: string;
  w!: Param;
  #d = 0;
  #xhat = new Scratch();
  #norm = new Float64Array(0);
  #z = new Scratch();
  #y = new Scratch();
  #dz = new Scratch();
  #dxh = new Scratch();
  #dx = new Scratch();

  constructor(readonly classes: number, readonly k: number, readonly gamma = 25) {
    this.label = `grassmann head ${classes}×${k}`;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    const d = (this.#d = numel(inShape));
    if (this.k > d) throw new Error(`grassmann: subspace dimension ${this.k} exceeds the feature dimension ${d}`);
    (this as { label: string }).label = `grassmann head ${d}→${this.classes}×${this.k}`;
    return {
      outShape: [this.classes],
      params: [{ name: "w", shape: [this.classes * this.k, d], init: { normal: 1 }, fanIn: d, fanOut: this.classes }],
    };
  }

  bind(params: Param[]): void {
    this.w = params[0];
  }

  /** Replace the (normal) initial weights by orthonormal bases, as GrassmannClsHead.init_weights (QR of each). */
  orthonormalise(): void {
    const d = this.#d, k = this.k;
    for (let c = 0; c < this.classes; c++) {
      const s = getBasis(this.w.value, c, d, k);
      putBasis(this.w.value, c, d, k, qrQ(s, d, k));
    }
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const d = this.#d, K = this.classes, k = this.k, m = K * k;
    const xh = this.#xhat.get(batch * d, ctx.dtype);
    if (this.#norm.length < batch) this.#norm = new Float64Array(batch);
    for (let i = 0; i < batch; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
      const nrm = Math.max(Math.sqrt(s), NORM_EPS);
      this.#norm[i] = nrm;
      for (let j = 0; j < d; j++) xh[i * d + j] = x[i * d + j] / nrm;
    }
    const z = this.#z.get(batch * m, ctx.dtype);
    ctx.gemm.gemm(false, true, batch, m, d, this.gamma, xh, d, this.w.value, d, 0, z, m);
    const y = this.#y.get(batch * K, ctx.dtype);
    for (let i = 0; i < batch; i++) {
      for (let c = 0; c < K; c++) {
        let s = 0;
        for (let j = 0, o = i * m + c * k; j < k; j++) s += z[o + j] * z[o + j];
        y[i * K + c] = Math.sqrt(s);
      }
    }
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    const d = this.#d, K = this.classes, k = this.k, m = K * k;
    const z = this.#z.get(batch * m, ctx.dtype), y = this.#y.get(batch * K, ctx.dtype);
    const xh = this.#xhat.get(batch * d, ctx.dtype);
    const dz = this.#dz.get(batch * m, ctx.dtype);
    // ∂l_c/∂z_c = z_c / ‖z_c‖ (0 where the projection vanishes).
    for (let i = 0; i < batch; i++) {
      for (let c = 0; c < K; c++) {
        const l = y[i * K + c], g = l > 0 ? dy[i * K + c] / l : 0;
        for (let j = 0, o = i * m + c * k; j < k; j++) dz[o + j] = g * z[o + j];
      }
    }
    // z = γ x̂ Wᵀ: ∂W += γ dzᵀ x̂, ∂x̂ = γ dz W.
    ctx.gemm.gemm(true, false, m, d, batch, this.gamma, dz, m, xh, d, 1, this.w.grad, d);
    if (!needDx) return null;
    const dxh = this.#dxh.get(batch * d, ctx.dtype);
    ctx.gemm.gemm(false, false, batch, d, m, this.gamma, dz, m, this.w.value, d, 0, dxh, d);
    // x̂ = x/‖x‖: ∂x = (∂x̂ − x̂ (x̂·∂x̂)) / ‖x‖ (the clamp at 1e-12 is not differentiated, as its branch is dead).
    const dx = this.#dx.get(batch * d, ctx.dtype);
    for (let i = 0; i < batch; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += xh[i * d + j] * dxh[i * d + j];
      const inv = 1 / this.#norm[i];
      for (let j = 0; j < d; j++) dx[i * d + j] = (dxh[i * d + j] - xh[i * d + j] * dot) * inv;
    }
    return dx;
  }
}

/** S_c (d × k, row-major, float64) out of the head's weight ((K·k) × d). */
export function getBasis(w: ArrayLike<number>, c: number, d: number, k: number): Float64Array {
  const s = new Float64Array(d * k);
  for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) s[i * k + j] = w[(c * k + j) * d + i];
  return s;
}

/** Writes S_c (d × k) back into the head's weight. */
export function putBasis(w: Arr, c: number, d: number, k: number, s: ArrayLike<number>): void {
  for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) w[(c * k + j) * d + i] = s[i * k + j];
}

/**
 * Q of the thin Householder QR of A (d × k, d ≥ k, row-major): d × k with orthonormal columns spanning A's
 * column space (columns of a rank-deficient A are completed by the reflectors).
 */
export function qrQ(a: ArrayLike<number>, d: number, k: number): Float64Array {
  const r = Float64Array.from(a as ArrayLike<number>);
  const vs: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(d);
    let s = 0;
    for (let i = j; i < d; i++) s += r[i * k + j] * r[i * k + j];
    const alpha = r[j * k + j] >= 0 ? -Math.sqrt(s) : Math.sqrt(s);
    for (let i = j; i < d; i++) v[i] = r[i * k + j];
    v[j] -= alpha;
    let vn = 0;
    for (let i = j; i < d; i++) vn += v[i] * v[i];
    if (vn > 0) {
      const inv = 1 / Math.sqrt(vn);
      for (let i = j; i < d; i++) v[i] *= inv;
      for (let q = j; q < k; q++) {
        let t = 0;
        for (let i = j; i < d; i++) t += v[i] * r[i * k + q];
        for (let i = j; i < d; i++) r[i * k + q] -= 2 * v[i] * t;
      }
    }
    vs.push(v);
  }
  // Q = H_0 ⋯ H_{k−1} applied to the first k columns of the identity.
  const q = new Float64Array(d * k);
  for (let j = 0; j < k; j++) q[j * k + j] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j];
    for (let c = 0; c < k; c++) {
      let t = 0;
      for (let i = j; i < d; i++) t += v[i] * q[i * k + c];
      for (let i = j; i < d; i++) q[i * k + c] -= 2 * v[i] * t;
    }
  }
  return q;
}

/**
 * Thin SVD of G (d × k, row-major) by one-sided Jacobi rotations: G = U diag(s) Vᵀ with U d × k (columns of zero
 * singular values are left 0), s ≥ 0 unsorted, V k × k orthogonal.
 */
export function jacobiSvd(
  g: ArrayLike<number>,
  d: number,
  k: number,
): { u: Float64Array; s: Float64Array; v: Float64Array } {
  const a = Float64Array.from(g as ArrayLike<number>), v = new Float64Array(k * k);
  for (let j = 0; j < k; j++) v[j * k + j] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        let al = 0, be = 0, ga = 0;
        for (let i = 0; i < d; i++) {
          const x = a[i * k + p], y = a[i * k + q];
          al += x * x;
          be += y * y;
          ga += x * y;
        }
        if (Math.abs(ga) <= 1e-15 * Math.sqrt(al * be) || ga === 0) continue;
        rotated = true;
        const zeta = (be - al) / (2 * ga);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < d; i++) {
          const x = a[i * k + p], y = a[i * k + q];
          a[i * k + p] = c * x - s * y;
          a[i * k + q] = s * x + c * y;
        }
        for (let i = 0; i < k; i++) {
          const x = v[i * k + p], y = v[i * k + q];
          v[i * k + p] = c * x - s * y;
          v[i * k + q] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const s = new Float64Array(k), u = new Float64Array(d * k);
  for (let j = 0; j < k; j++) {
    let n = 0;
    for (let i = 0; i < d; i++) n += a[i * k + j] * a[i * k + j];
    s[j] = Math.sqrt(n);
    if (s[j] > 0) { for (let i = 0; i < d; i++) u[i * k + j] = a[i * k + j] / s[j]; }
  }
  return { u, s, v };
}

/** The Riemannian gradient on the Grassmannian at S (orthonormal d × k): G = (I − SSᵀ)D. */
export function riemannianGrad(s: ArrayLike<number>, dEuc: ArrayLike<number>, d: number, k: number): Float64Array {
  const sd = new Float64Array(k * k); // Sᵀ D
  for (let i = 0; i < d; i++) {
    for (let a = 0; a < k; a++) {
      const sa = s[i * k + a];
      for (let b = 0; b < k; b++) sd[a * k + b] += sa * dEuc[i * k + b];
    }
  }
  const g = Float64Array.from(dEuc as ArrayLike<number>);
  for (let i = 0; i < d; i++) {
    for (let b = 0; b < k; b++) {
      let t = 0;
      for (let a = 0; a < k; a++) t += s[i * k + a] * sd[a * k + b];
      g[i * k + b] -= t;
    }
  }
  return g;
}

/** The geodesic from S in direction −G (G tangent at S) at time t: (S V cos(tΣ) − U sin(tΣ)) Vᵀ. */
export function geodesicStep(
  s: ArrayLike<number>,
  g: ArrayLike<number>,
  t: number,
  d: number,
  k: number,
): Float64Array {
  const { u, s: sig, v } = jacobiSvd(g, d, k);
  const m = new Float64Array(d * k); // S V cos − U sin, d × k
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < k; j++) {
      let sv = 0;
      for (let a = 0; a < k; a++) sv += s[i * k + a] * v[a * k + j];
      m[i * k + j] = sv * Math.cos(t * sig[j]) - u[i * k + j] * Math.sin(t * sig[j]);
    }
  }
  return matmulSmall(m, v, d, k, k, { transB: true }); // (S V cos − U sin) Vᵀ
}

/** The QR retraction: the orthonormal factor of S − tG (a first-order alternative to the geodesic). */
export function qrRetraction(
  s: ArrayLike<number>,
  g: ArrayLike<number>,
  t: number,
  d: number,
  k: number,
): Float64Array {
  const y = new Float64Array(d * k);
  for (let i = 0; i < d * k; i++) y[i] = s[i] - t * g[i];
  return qrQ(y, d, k);
}

/** max |SᵀS − I| over the entries. */
export function orthError(s: ArrayLike<number>, d: number, k: number): number {
  let e = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let t = 0;
      for (let i = 0; i < d; i++) t += s[i * k + a] * s[i * k + b];
      e = Math.max(e, Math.abs(t - (a === b ? 1 : 0)));
    }
  }
  return e;
}

/** A Grassmann parameter: a `GrassmannHead`'s weight, K bases of d × k. */
export interface GrassmannBlock {
  param: Param;
  classes: number;
  k: number;
  d: number;
}

/** Options of {@link RiemannianSGD}. */
export interface RsgdOpts {
  lr: number | Schedule;
  momentum?: number;
  /** L2 weight decay of the Euclidean parameters (never applied to the bases, as rsgd.py). */
  weightDecay?: number;
  /** QR re-orthonormalisation every this many steps (rsgd.py: 5). */
  reorthEvery?: number;
  /** "geodesic" (the official update) or "qr" (retraction qf(S − ηG), an ablation). */
  update?: "geodesic" | "qr";
}

/**
 * SGD with momentum on Euclidean parameters and Riemannian SGD on the Grassmann blocks, one step per call, as
 * gcr/rsgd.py (PyTorch SGD conventions: buffer v₁ = g₁, then v ← μv + g; L2 decay folded into g).
 * `maxTangentResidual` records the largest ‖SᵀG‖_F / ‖D‖_F seen (G must be tangent: SᵀG = 0).
 */
export class RiemannianSGD implements Optimizer {
  t = 0;
  maxTangentResidual = 0;
  #v: Float64Array | null = null;
  #master: Float64Array[][] | null = null;
  readonly #lr: Schedule;
  constructor(readonly blocks: GrassmannBlock[], readonly opts: RsgdOpts) {
    const lr = opts.lr;
    this.#lr = typeof lr === "number" ? () => lr : lr;
  }
  lr(): number {
    return this.#lr(this.t);
  }
  /** The float64 bases the optimiser holds (block → class → d × k), or null before the first step. */
  get master(): Float64Array[][] | null {
    return this.#master;
  }
  step(value: Arr, grad: Arr): void {
    const n = value.length, lr = this.lr(), mu = this.opts.momentum ?? 0, wd = this.opts.weightDecay ?? 0;
    const geo = new Uint8Array(n);
    for (const b of this.blocks) geo.fill(1, b.param.offset, b.param.offset + b.param.size);
    this.#master ??= this.blocks.map((b) =>
      Array.from({ length: b.classes }, (_, c) => qrQ(getBasis(b.param.value, c, b.d, b.k), b.d, b.k))
    );
    const first = this.#v === null;
    const v = (this.#v ??= new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const g = geo[i] ? grad[i] : grad[i] + wd * value[i];
      v[i] = first || mu === 0 ? g : mu * v[i] + g;
      if (!geo[i]) value[i] -= lr * v[i];
    }
    const reorth = this.t % (this.opts.reorthEvery ?? 5) === 0;
    this.blocks.forEach((b, bi) => {
      const { d, k } = b, off = b.param.offset;
      for (let c = 0; c < b.classes; c++) {
        const s = this.#master![bi][c];
        const dEuc = getBasis(v.subarray(off, off + b.param.size), c, d, k);
        const g = riemannianGrad(s, dEuc, d, k);
        this.maxTangentResidual = Math.max(this.maxTangentResidual, tangentResidual(s, g, d, k, dEuc));
        let next = this.opts.update === "qr" ? qrRetraction(s, g, lr, d, k) : geodesicStep(s, g, lr, d, k);
        if (reorth) next = qrQ(next, d, k);
        this.#master![bi][c] = next;
        putBasis(b.param.value, c, d, k, next);
      }
    });
    this.t++;
  }
}

/**
 * ‖SᵀG‖_F / ‖D‖_F: how far G is from the tangent space at S, relative to the Euclidean gradient D it came from
 * (D = G by default; 0 when D = 0). Relative to D, not G: near a critical point G itself is rounding noise.
 */
export function tangentResidual(
  s: ArrayLike<number>,
  g: ArrayLike<number>,
  d: number,
  k: number,
  ref: ArrayLike<number> = g,
): number {
  let num = 0, den = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let t = 0;
      for (let i = 0; i < d; i++) t += s[i * k + a] * g[i * k + b];
      num += t * t;
    }
  }
  for (let i = 0; i < d * k; i++) den += ref[i] * ref[i];
  return den > 0 ? Math.sqrt(num / den) : 0;
}

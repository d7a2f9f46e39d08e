/**
 * Adam in a low-rank gradient subspace: GaLore (Zhao et al. 2024, periodic SVD projector) and Online Subspace
 * Descent (Liang et al. 2024, projector moved by one optimiser step on an online-PCA loss each iteration), with the
 * plain full-rank Adam of the same formula as the common baseline.
 *
 * For a weight W (m×n) with gradient G, the projected side is the smaller one, d = min(m, n) (ties: the columns), as
 * in the official `proj_type='std'`; write G_s for G oriented d×e (G itself when m < n, else Gᵀ). With an
 * orthonormal Q (d×r):
 *
 *   R_t = Qᵀ G_s (r×e);   M, V ← Adam moments of R_t;   N = M / (√V + ε);
 *   W ← W − η_t · √(1−β₂ᵗ)/(1−β₁ᵗ) · α · (Q N)ᵀ-or-not   (back in W's orientation), then W ← W − η_t λ W.
 *
 * This is the update of galore_torch/adamw.py in kyleliang919/Online-Subspace-Descent (ε = 1e-6, bias correction
 * folded into the step, decoupled decay after the step, moments kept across projector changes). Projectors:
 * - `svd` (GaLore): Q = the top-r left singular vectors of G_s at the first step and every `gap` steps after.
 * - `online` (OSD): Q from the SVD of the first gradient; at each later step Q is used first, then moved by one
 *   torch-AdamW step (β = 0.9, 0.999, ε = 1e-8, weight decay `projWeightDecay`, default torch's 0.01) on
 *   L(Q) = ‖Q Qᵀ Ĝ − Ĝ‖²_F, Ĝ = G_s/‖G_s‖_F, whose gradient is 2(R Aᵀ + Ĝ Rᵀ Q) with A = Qᵀ Ĝ, R = Q A − Ĝ (the
 *   gradient torch autograd gives the official code; computed here in closed form, see {@link onlinePcaGrad}); its
 *   step size is (1/gap)·(η_t/η), i.e. it follows the weights' schedule (galore_projector.py, `continuous`).
 *   Q is never re-orthonormalised, as in the official code.
 * - `identity`: Q = I (r = d): the check that the machinery reduces to Adam.
 * - `dct` (Modoranu et al. 2025, DCT-AdamW of IST-DASLab/ISTA-DASLab-Optimizers): a fixed orthogonal basis B (d×d,
 *   the DCT matrix of {@link dctBasis}) built once; at the first step and every `gap` steps, S = Bᵀ G_s and Q = the
 *   r columns of B whose rows of S have the largest ℓ1 norms (dynamic column selection, {@link selectColumns}).
 * - `random`: the same column selection from a random orthogonal basis (QR of a Gaussian d×d matrix, seed
 *   `basisSeed`), the official code's `rqr` projection.
 * Parameters not listed as projected take the full-rank Adam step of the same formula (as GaLore does for the
 * embedding, head and biases).
 *
 * @example
 * ```ts
 * const opt = new SubspaceAdam(net.paramList(), hiddenMatrices(net), { lr: 0.01, rank: 64, gap: 200, scale: 0.25,
 *   projector: "online" });
 * net.lossAndGrad(x, y, batch); opt.step();
 * ```
 */
import { getLinalg } from "../linalg/mod.ts";
import { type Gemm, gemmBackend } from "./gemm.ts";
import type { Param } from "./params.ts";
import { Rng } from "../rng.ts";

/** How the projector of a projected weight is found. */
export type ProjectorKind = "svd" | "online" | "identity" | "dct" | "random";

/** Options of {@link SubspaceAdam}. */
export interface SubspaceAdamOpts {
  /** Peak learning rate η. */
  lr: number;
  /** Multiplier of η at 0-based step t (warm-up, decay); default 1. */
  schedule?: (t: number) => number;
  beta1?: number;
  beta2?: number;
  /** Adam ε (default 1e-6, GaLore's AdamW). */
  eps?: number;
  /** Decoupled weight decay λ of the weights (default 0). */
  weightDecay?: number;
  /** Rank r of the projected weights' subspace (capped at min(m, n)). */
  rank: number;
  /** `svd`: steps between SVDs; `online`: the projector's step size is 1/gap. */
  gap: number;
  /** α, the factor on the projected update (GaLore's `scale`). */
  scale: number;
  projector: ProjectorKind;
  /** Weight decay of the projector's AdamW (`online` only; default 0.01, torch.optim.AdamW's default). */
  projWeightDecay?: number;
  /** Seed of the random orthogonal basis (`random` only; default 0). */
  basisSeed?: number;
}

interface Projected {
  p: Param;
  m: number;
  n: number;
  /** true when the columns (n) are projected: G_s = Gᵀ. */
  right: boolean;
  d: number;
  e: number;
  r: number;
  q: Float64Array | null;
  gs: Float64Array;
  low: Float64Array;
  mom: Float64Array;
  vel: Float64Array;
  back: Float64Array;
  /** Online projector: its gradient, AdamW moments and step count. */
  qGrad: Float64Array | null;
  qm: Float64Array | null;
  qv: Float64Array | null;
  qt: number;
  /** Online-PCA loss at the latest projector step (NaN before the first). */
  pcaLoss: number;
}

/** Adam with an optional low-rank projection of chosen weight matrices (see the module header). */
export class SubspaceAdam {
  /** Steps taken. */
  t = 0;
  readonly #full: { p: Param; m: Float64Array; v: Float64Array }[];
  readonly #proj: Projected[];
  readonly #gemm: Gemm;
  readonly #bases = new Map<number, Float64Array>();
  /** Wall-clock milliseconds of each projector refresh (SVD or column selection), in order. */
  readonly refreshMs: number[] = [];

  /** `params`: every parameter to train; `projected`: the 2-D ones (a subset) that get the low-rank step. */
  constructor(params: Param[], projected: Param[], readonly opts: SubspaceAdamOpts) {
    if (!(opts.rank >= 1) || !(opts.gap >= 1)) throw new RangeError("subspace: rank and gap must be ≥ 1");
    const set = new Set(projected);
    for (const p of projected) {
      if (p.shape.length !== 2) throw new Error(`subspace: ${p.name} is not a matrix (shape [${p.shape}])`);
      if (!params.includes(p)) throw new Error(`subspace: ${p.name} is projected but not among the parameters`);
    }
    this.#full = params.filter((p) => !set.has(p)).map((p) => ({
      p,
      m: new Float64Array(p.size),
      v: new Float64Array(p.size),
    }));
    this.#proj = projected.map((p) => {
      const [m, n] = p.shape, right = m >= n, d = right ? n : m, e = right ? m : n;
      const r = opts.projector === "identity" ? d : Math.min(opts.rank, d);
      const online = opts.projector === "online";
      return {
        p,
        m,
        n,
        right,
        d,
        e,
        r,
        q: null,
        gs: new Float64Array(d * e),
        low: new Float64Array(r * e),
        mom: new Float64Array(r * e),
        vel: new Float64Array(r * e),
        back: new Float64Array(d * e),
        qGrad: online ? new Float64Array(d * r) : null,
        qm: online ? new Float64Array(d * r) : null,
        qv: online ? new Float64Array(d * r) : null,
        qt: 0,
        pcaLoss: NaN,
      };
    });
    this.#gemm = gemmBackend();
  }

  /** The learning rate of the next step. */
  lr(): number {
    return this.opts.lr * (this.opts.schedule ? this.opts.schedule(this.t) : 1);
  }

  /** One step on every parameter from the gradients in `p.grad`. */
  step(): void {
    const o = this.opts, b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999, eps = o.eps ?? 1e-6, wd = o.weightDecay ?? 0;
    const lr = this.lr(), t = this.t + 1;
    const stepSize = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (const s of this.#full) {
      const w = s.p.value, g = s.p.grad, m = s.m, v = s.v;
      for (let i = 0; i < w.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        w[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) + eps);
        if (wd > 0) w[i] -= lr * wd * w[i];
      }
    }
    for (const s of this.#proj) this.#stepProjected(s, stepSize, lr, b1, b2, eps, wd);
    this.t = t;
  }

  #stepProjected(s: Projected, stepSize: number, lr: number, b1: number, b2: number, eps: number, wd: number): void {
    const { d, e, r } = s, k = this.#gemm, w = s.p.value, g = s.p.grad;
    orient(g, s.gs, s.m, s.n, s.right);
    const kind = this.opts.projector;
    if (kind === "dct" || kind === "random") {
      if (s.q === null || this.t % this.opts.gap === 0) {
        const t0 = performance.now();
        s.q = selectColumns(this.#basis(kind, d), s.gs, d, e, r, k).q;
        this.refreshMs.push(performance.now() - t0);
      }
    } else if (s.q === null && kind === "identity") s.q = identity(d);
    else if (s.q === null || (kind === "svd" && this.t % this.opts.gap === 0)) {
      const t0 = performance.now();
      s.q = topLeftSingular(s.gs, d, e, r);
      this.refreshMs.push(performance.now() - t0);
    } else if (kind === "online") s.pcaLoss = onlinePcaGrad(s.q, s.gs, d, e, r, s.qGrad!, k);
    const q = s.q;
    k.gemm(true, false, r, e, d, 1, q, r, s.gs, e, 0, s.low, e); // R = Qᵀ G_s
    const low = s.low, m = s.mom, v = s.vel;
    for (let i = 0; i < low.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * low[i];
      v[i] = b2 * v[i] + (1 - b2) * low[i] * low[i];
      low[i] = m[i] / (Math.sqrt(v[i]) + eps);
    }
    k.gemm(false, false, d, e, r, 1, q, r, low, e, 0, s.back, e); // Q N
    const a = stepSize * this.opts.scale, back = s.back;
    if (s.right) {
      for (let i = 0; i < s.m; i++) for (let j = 0; j < s.n; j++) w[i * s.n + j] -= a * back[j * e + i];
    } else for (let i = 0; i < w.length; i++) w[i] -= a * back[i];
    if (wd > 0) { for (let i = 0; i < w.length; i++) w[i] -= lr * wd * w[i]; }
    if (kind === "online" && this.t > 0) this.#stepProjector(s);
  }

  /** The fixed d×d basis of the `dct` or `random` projector (built once per size). */
  #basis(kind: "dct" | "random", d: number): Float64Array {
    let b = this.#bases.get(d);
    if (!b) {
      b = kind === "dct" ? dctBasis(d) : randomOrthogonal(d, Rng.fromSeed(this.opts.basisSeed ?? 0).split(d));
      this.#bases.set(d, b);
    }
    return b;
  }

  /** torch.optim.AdamW on Q with lr (1/gap)·(η_t/η), after Q was used (galore_projector.py `project_back`). */
  #stepProjector(s: Projected): void {
    const q = s.q!, g = s.qGrad!, m = s.qm!, v = s.qv!, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const lr = (1 / this.opts.gap) * (this.opts.schedule ? this.opts.schedule(this.t) : 1);
    const wd = this.opts.projWeightDecay ?? 0.01, t = ++s.qt, c1 = 1 - b1 ** t, c2 = Math.sqrt(1 - b2 ** t);
    for (let i = 0; i < q.length; i++) {
      q[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      q[i] -= (lr / c1) * m[i] / (Math.sqrt(v[i]) / c2 + eps);
    }
  }

  /** The current projector of each projected weight (d×r, row-major; null before its first step), by name. */
  projectors(): Map<string, { q: Float64Array | null; d: number; r: number }> {
    return new Map(this.#proj.map((s) => [s.p.name, { q: s.q, d: s.d, r: s.r }]));
  }

  /** ‖QᵀQ − I‖_F of each projected weight's projector (0 for exact SVD projectors up to rounding), by name. */
  orthogonalityError(): Map<string, number> {
    return new Map(this.#proj.map((s) => [s.p.name, s.q ? gramError(s.q, s.d, s.r) : NaN]));
  }

  /** The latest online-PCA loss ‖QQᵀĜ − Ĝ‖² of each projected weight (`online` only), by name. */
  pcaLosses(): Map<string, number> {
    return new Map(this.#proj.map((s) => [s.p.name, s.pcaLoss]));
  }
}

/** G (m×n) written into gs as d×e: a copy when the rows are projected, the transpose when the columns are. */
function orient(g: ArrayLike<number>, gs: Float64Array, m: number, n: number, right: boolean): void {
  if (!right) { for (let i = 0; i < m * n; i++) gs[i] = g[i]; }
  else for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) gs[j * m + i] = g[i * n + j];
}

function identity(d: number): Float64Array {
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) q[i * d + i] = 1;
  return q;
}

/** The first r left singular vectors of the d×e matrix a, as a d×r row-major array. */
export function topLeftSingular(a: Float64Array, d: number, e: number, r: number): Float64Array {
  const { u } = getLinalg().svd({ rows: d, cols: e, data: a.slice() });
  const q = new Float64Array(d * r), k = u.cols;
  for (let i = 0; i < d; i++) for (let j = 0; j < r; j++) q[i * r + j] = u.data[i * k + j];
  return q;
}

/**
 * The online-PCA loss L(Q) = ‖Q Qᵀ Ĝ − Ĝ‖²_F with Ĝ = G/‖G‖_F (G d×e, Q d×r), returned, and its gradient
 * ∂L/∂Q = 2(R Aᵀ + Ĝ Rᵀ Q), A = Qᵀ Ĝ, R = Q A − Ĝ, written into `grad` (d×r). Computed without forming R:
 * with C = Ĝ Aᵀ (d×r), S = A Aᵀ and K = QᵀQ (r×r), ∂L/∂Q = 2(Q S + C K − 2C) and L = 1 − 2 tr S + tr(K S),
 * two d×e×r products instead of five.
 */
export function onlinePcaGrad(
  q: Float64Array,
  g: Float64Array,
  d: number,
  e: number,
  r: number,
  grad: Float64Array,
  k: Gemm = gemmBackend(),
): number {
  let nrm = 0;
  for (let i = 0; i < d * e; i++) nrm += g[i] * g[i];
  if (nrm === 0) {
    grad.fill(0);
    return 0;
  }
  const inv = 1 / Math.sqrt(nrm);
  const a = new Float64Array(r * e), c = new Float64Array(d * r), sm = new Float64Array(r * r);
  const km = new Float64Array(r * r);
  k.gemm(true, false, r, e, d, inv, q, r, g, e, 0, a, e); // A = Qᵀ Ĝ
  k.gemm(false, true, d, r, e, inv, g, e, a, e, 0, c, r); // C = Ĝ Aᵀ
  k.gemm(false, true, r, r, e, 1, a, e, a, e, 0, sm, r); // S = A Aᵀ
  k.gemm(true, false, r, r, d, 1, q, r, q, r, 0, km, r); // K = Qᵀ Q
  let trS = 0, trKS = 0;
  for (let i = 0; i < r; i++) {
    trS += sm[i * r + i];
    for (let j = 0; j < r; j++) trKS += km[i * r + j] * sm[j * r + i];
  }
  for (let i = 0; i < d * r; i++) grad[i] = -4 * c[i];
  k.gemm(false, false, d, r, r, 2, q, r, sm, r, 1, grad, r); // + 2 Q S
  k.gemm(false, false, d, r, r, 2, c, r, km, r, 1, grad, r); // + 2 C K
  return 1 - 2 * trS + trKS;
}

/**
 * The orthogonal DCT matrix of size d (row-major), the official `dct3_matrix`:
 * B[i][j] = √(2/d) cos(π i (2j + 1) / (2d)), with row 0 scaled by √½. BᵀB = BBᵀ = I.
 */
export function dctBasis(d: number): Float64Array {
  const b = new Float64Array(d * d), c = Math.sqrt(2 / d);
  for (let i = 0; i < d; i++) {
    const s = i === 0 ? c * Math.SQRT1_2 : c;
    for (let j = 0; j < d; j++) b[i * d + j] = s * Math.cos((Math.PI * i * (2 * j + 1)) / (2 * d));
  }
  return b;
}

/** A random d×d orthogonal matrix (row-major): the Q of the QR of a standard Gaussian matrix. */
export function randomOrthogonal(d: number, rng: Rng): Float64Array {
  const { q } = getLinalg().qr({ rows: d, cols: d, data: Float64Array.from(rng.normal(d * d)) });
  return Float64Array.from(q.data);
}

/**
 * Dynamic column selection (Modoranu et al. 2025): S = Bᵀ G (d×e) for an orthogonal basis B (d×d) and G (d×e);
 * returns the indices of the r columns of B whose rows of S have the largest ℓ1 norms (largest first; ties: lower
 * index) and Q = B[:, idx] (d×r, row-major).
 */
export function selectColumns(
  basis: Float64Array,
  g: Float64Array,
  d: number,
  e: number,
  r: number,
  k: Gemm = gemmBackend(),
): { q: Float64Array; idx: number[] } {
  const s = new Float64Array(d * e);
  k.gemm(true, false, d, e, d, 1, basis, d, g, e, 0, s, e);
  const norms = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let a = 0;
    for (let j = 0; j < e; j++) a += Math.abs(s[i * e + j]);
    norms[i] = a;
  }
  const idx = Array.from({ length: d }, (_, i) => i).sort((a, b) => norms[b] - norms[a] || a - b).slice(0, r);
  const q = new Float64Array(d * r);
  for (let i = 0; i < d; i++) for (let j = 0; j < r; j++) q[i * r + j] = basis[i * d + idx[j]];
  return { q, idx };
}

/** ‖G − QQᵀG‖_F / ‖G‖_F for G d×e and Q d×r (any Q; for orthonormal Q the relative residual of the projection). */
export function projectionError(q: Float64Array, g: Float64Array, d: number, e: number, r: number): number {
  return Math.sqrt(Math.max(0, onlinePcaGrad(q, g, d, e, r, new Float64Array(d * r))));
}

/** ‖QᵀQ − I‖_F for a d×r row-major Q. */
export function gramError(q: Float64Array, d: number, r: number): number {
  let s = 0;
  for (let a = 0; a < r; a++) {
    for (let b = 0; b < r; b++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[i * r + a] * q[i * r + b];
      const x = dot - (a === b ? 1 : 0);
      s += x * x;
    }
  }
  return Math.sqrt(s);
}

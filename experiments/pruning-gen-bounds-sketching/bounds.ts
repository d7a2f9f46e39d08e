/**
 * Bound values for a bias-free ReLU MLP x ↦ W_Lᵀ σ(… σ(W_1ᵀ x)) (kit layout: y = x·W, W_l is d_in × d_out,
 * row-major) and a magnitude-pruned copy of it. Every bound is "empirical margin loss + complexity term" with the
 * universal constants and logarithmic factors of the published theorems left out (the same convention for all):
 *
 * - sketch (Guha, Dubey & Huo 2023, as their abstract builds it): Arora et al. 2018's compression bound
 *   L₀(g) ≤ L̂_γ(f) + √(q·ln r / n) for a net g that is γ-close to f on the sample, with g the pruned net and q the
 *   number of parameters of its sparse-matrix sketches: each pruned W_l (at most k_l non-zeros in any row or
 *   column) is stored as the p_l × p_l sketch A W_l Bᵀ, p_l = ⌈√(k_l·d_l)·ln d_l⌉, d_l = max(d_in, d_out) — the
 *   sketch size that Dasarathy et al. 2013 ("Sketching sparse matrices") give for exact recovery of
 *   distributed-sparse matrices, with constant 1 (our assumption);
 * - dense-count compression (Arora et al. 2018, Theorem 2.1, no sketching): the same with q = Σ d_in·d_out;
 * - sparse-coded compression (ours, a reference): q = Σ nnz_l·(1 + log_r(d_in·d_out)) — values plus positions;
 * - spectral (Bartlett, Foster & Telgarsky 2017, Theorem 1.1 with M_i = 0, ρ_i = 1):
 *   L̂_γ(g) + ‖X‖_F/(γn) · Π‖W_l‖₂ · (Σ_l (‖W_l‖_{2,1}/‖W_l‖₂)^{2/3})^{3/2}, ‖·‖_{2,1} the sum of the l2 norms of
 *   the incoming weight vectors of the layer's units (the columns of W_l here);
 * - Frobenius (Golowich, Rakhlin & Shamir 2018, Theorem 1): L̂_γ(g) + B·(√(2L ln 2) + 1)·Π‖W_l‖_F/(γ√n),
 *   B = max_i ‖x_i‖₂;
 * the norm bounds take the best γ over a fixed grid of quantiles of g's positive training margins.
 */
import type { Linalg } from "../../lib/math/linalg/types.ts";
import { mat } from "../../lib/math/linalg/mod.ts";

/** A d_in × d_out row-major weight matrix. */
export interface Weight {
  w: ArrayLike<number>;
  rows: number;
  cols: number;
}

/** ‖W‖₂ as √λ_max(WᵀW), by the run's symmetric eigensolver on the Gram matrix (route B: no SVD). */
export function spectralByGram(m: Weight, la: Linalg): number {
  const w = mat(m.rows, m.cols, Float64Array.from(m.w));
  const ev = la.eigh(la.matmul(w, w, { transA: true })).values;
  return Math.sqrt(Math.max(...ev));
}

/** Norms of one weight matrix: singular values (run's linear algebra), Frobenius two ways, (2,1) norm. */
export function layerNorms(m: Weight, la: Linalg): { spec: number; frob: number; frobSv: number; l21: number } {
  const sv = Float64Array.from(la.svdvals(mat(m.rows, m.cols, Float64Array.from(m.w))));
  let f2 = 0, s2 = 0, l21 = 0;
  for (let i = 0; i < m.rows * m.cols; i++) f2 += m.w[i] * m.w[i];
  for (const v of sv) s2 += v * v;
  for (let j = 0; j < m.cols; j++) {
    let c = 0;
    for (let i = 0; i < m.rows; i++) c += m.w[i * m.cols + j] ** 2;
    l21 += Math.sqrt(c);
  }
  return { spec: Math.max(...sv), frob: Math.sqrt(f2), frobSv: Math.sqrt(s2), l21 };
}

/** Distributed sparsity: the largest number of non-zeros in any row or column, and the total count. */
export function distributedSparsity(m: Weight): { k: number; nnz: number } {
  const r = new Int32Array(m.rows), c = new Int32Array(m.cols);
  let nnz = 0;
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      if (m.w[i * m.cols + j] !== 0) {
        r[i]++;
        c[j]++;
        nnz++;
      }
    }
  }
  return { k: Math.max(...r, ...c), nnz };
}

/** The sketch side p = ⌈c·√(k·d)·ln d⌉, d = max(rows, cols) (Dasarathy et al. 2013's order, constant c). */
export function sketchSide(k: number, rows: number, cols: number, c = 1): number {
  const d = Math.max(rows, cols);
  return Math.ceil(c * Math.sqrt(k * d) * Math.log(d));
}

/** Parameter counts of the three compressed encodings of a list of (pruned) weight matrices. */
export function paramCounts(ws: readonly Weight[], logR: number): { sketch: number; dense: number; sparse: number } {
  let sketch = 0, dense = 0, sparse = 0;
  for (const m of ws) {
    const { k, nnz } = distributedSparsity(m);
    sketch += sketchSide(k, m.rows, m.cols) ** 2;
    dense += m.rows * m.cols;
    sparse += nnz * (1 + Math.log(m.rows * m.cols) / logR);
  }
  return { sketch, dense, sparse };
}

/** Margins f(x)[y] − max_{j≠y} f(x)[j] of an n × classes row-major logit array. */
export function margins(logits: ArrayLike<number>, y: ArrayLike<number>, classes: number): Float64Array {
  const n = y.length, out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let other = -Infinity;
    for (let j = 0; j < classes; j++) if (j !== y[i]) other = Math.max(other, logits[i * classes + j]);
    out[i] = logits[i * classes + y[i]] - other;
  }
  return out;
}

/** Fraction of margins ≤ γ (the empirical margin loss L̂_γ; γ = 0 counts ties as errors). */
export function marginLoss(m: Float64Array, gamma: number): number {
  let c = 0;
  for (const v of m) if (v <= gamma) c++;
  return c / m.length;
}

/** max_{i, j} |f(x_i)[j] − g(x_i)[j]|: the γ for which g is a γ-compression of f on the sample (Arora et al.). */
export function maxDeviation(f: ArrayLike<number>, g: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < f.length; i++) d = Math.max(d, Math.abs(f[i] - g[i]));
  return d;
}

/** Quantile levels of the positive training margins from which the norm bounds take their best γ. */
export const GAMMA_QUANTILES = [0.05, 0.1, 0.2, 0.3, 0.5] as const;

/** min over γ in the grid of L̂_γ + c/γ, the grid the `GAMMA_QUANTILES` of the positive margins. */
export function bestOverGamma(m: Float64Array, c: number): number {
  const pos = Array.from(m).filter((v) => v > 0).sort((a, b) => a - b);
  let best = Infinity;
  for (const q of GAMMA_QUANTILES) {
    const g = pos[Math.min(pos.length - 1, Math.floor(q * pos.length))];
    best = Math.min(best, marginLoss(m, g) + c / g);
  }
  return best;
}

/** The complexity terms (numerators over γ for the norm bounds). */
export function normTerms(ws: readonly Weight[], la: Linalg, n: number, xFrob: number, bMax: number) {
  const ns = ws.map((m) => layerNorms(m, la));
  const specProd = ns.reduce((p, x) => p * x.spec, 1), frobProd = ns.reduce((p, x) => p * x.frob, 1);
  const sum = ns.reduce((s, x) => s + (x.l21 / x.spec) ** (2 / 3), 0);
  return {
    norms: ns,
    spectral: (xFrob / n) * specProd * sum ** 1.5,
    frobenius: bMax * (Math.sqrt(2 * ws.length * Math.LN2) + 1) * frobProd / Math.sqrt(n),
  };
}

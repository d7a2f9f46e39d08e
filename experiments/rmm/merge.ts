/**
 * Merging n low-rank task deltas of one backbone, per layer ℓ: Δ_i = s·B_i·A_i (B_i out×r, A_i r×in, LoRA).
 *
 * Conventional merges collapse the n deltas into one (flattened over all layers where the method says so):
 * - Task Arithmetic (Ilharco et al. 2023): Δ = λ·Σ_i Δ_i.
 * - TIES (Yadav et al. 2023, official prateeky2806/ties-merging): per task keep the top-k fraction of |Δ_i|
 *   entries over the whole flattened task vector (trim), elect the sign γ = sgn(Σ_i trimmed Δ_i) per entry, and
 *   average the trimmed entries that agree with γ (disjoint mean); Δ = λ·that.
 * - DARE (Yu et al. 2024) + Task Arithmetic: drop each entry of Δ_i with probability p, rescale the kept ones by
 *   1/(1 − p), then Δ = λ·Σ_i.
 * - Task Arithmetic on the factors separately ("separate merging" in the RMM paper): A = λ·Σ A_i, B = λ·Σ B_i,
 *   Δ = s·B·A (one adapter of the original size; its cross terms B_i·A_j are the interference the paper names).
 *
 * Reversible Model Merging (RMM; Alipour & Amiri 2025, arXiv 2510.14163) keeps p < n "basis adapters" and
 * per-task coefficients instead of one merged model. For one factor of one layer (A_ℓ, or B_ℓ), each task vector
 * position (a column of A, a row of B) holds an r-vector x_i per task; X_pos = [x_1 … x_n] (r × n). Basis
 * vectors M_pos (r × p) at every position and coefficients C (p × n) shared by the layer's positions minimise
 *   Σ_pos ‖X_pos − M_pos·C‖²_F,
 * i.e. the best rank-p approximation of the stacked factor matrix F = [vec F_1 … vec F_n] ((r·dim) × n).
 * Closed form (Eckart–Young): C = V_pᵀ with V_p the top-p eigenvectors of the n × n Gram matrix G = FᵀF, basis
 * M = F·V_p, task i's factor F̂_i = M·V_pᵀe_i. Data-free: nothing but the factors is read. With p = n the
 * reconstruction is exact (the "reverted" individual adapters).
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { M } from "../../lib/math/nn/factorized.ts";

/** One task's LoRA on one layer: Δ = scale·B·A. */
export interface LoraFactors {
  a: M; // r × in
  b: M; // out × r
  scale: number;
}

const mk = (rows: number, cols: number, data?: Float64Array): M => ({
  rows,
  cols,
  data: data ?? new Float64Array(rows * cols),
});

/** The dense delta scale·B·A. */
export function loraDelta(f: LoraFactors): M {
  const d = getLinalg().matmul(f.b, f.a) as M;
  for (let i = 0; i < d.data.length; i++) d.data[i] *= f.scale;
  return d;
}

/** λ·Σ_i Δ_i per layer. `deltas[i][ℓ]` is task i's delta on layer ℓ. */
export function taskArithmetic(deltas: M[][], lambda: number): M[] {
  const L = deltas[0].length;
  return Array.from({ length: L }, (_, l) => {
    const out = mk(deltas[0][l].rows, deltas[0][l].cols);
    for (const d of deltas) for (let k = 0; k < out.data.length; k++) out.data[k] += d[l].data[k];
    for (let k = 0; k < out.data.length; k++) out.data[k] *= lambda;
    return out;
  });
}

/** The magnitude at or above which `frac` of the entries of all `mats` lie (the k-th largest |x|). */
export function topKThreshold(mats: M[], frac: number): number {
  const n = mats.reduce((s, m) => s + m.data.length, 0);
  const keep = Math.max(1, Math.round(frac * n));
  const abs = new Float64Array(n);
  let o = 0;
  for (const m of mats) for (let k = 0; k < m.data.length; k++) abs[o++] = Math.abs(m.data[k]);
  abs.sort();
  return abs[n - keep];
}

/** TIES-merging: trim to the top `density` of each task vector, elect signs, disjoint mean, times λ. */
export function ties(deltas: M[][], density: number, lambda: number): M[] {
  const trimmed = deltas.map((task) => {
    const t = topKThreshold(task, density);
    return task.map((m) => mk(m.rows, m.cols, m.data.map((v) => (Math.abs(v) >= t ? v : 0))));
  });
  const L = deltas[0].length;
  return Array.from({ length: L }, (_, l) => {
    const out = mk(deltas[0][l].rows, deltas[0][l].cols);
    for (let k = 0; k < out.data.length; k++) {
      let s = 0;
      for (const t of trimmed) s += t[l].data[k];
      const sign = Math.sign(s);
      if (sign === 0) continue;
      let sum = 0, cnt = 0;
      for (const t of trimmed) {
        const v = t[l].data[k];
        if (v !== 0 && Math.sign(v) === sign) (sum += v, cnt++);
      }
      out.data[k] = cnt ? (lambda * sum) / cnt : 0;
    }
    return out;
  });
}

/** DARE: drop each entry with probability `drop`, rescale survivors by 1/(1 − drop); then Task Arithmetic. */
export function dare(deltas: M[][], drop: number, lambda: number, rng: Rng): M[] {
  const keep = 1 / (1 - drop);
  const sparse = deltas.map((task, i) => {
    const r = rng.split(`dare-task${i}`);
    return task.map((m) => mk(m.rows, m.cols, m.data.map((v) => (r.uniform() < drop ? 0 : v * keep))));
  });
  return taskArithmetic(sparse, lambda);
}

/** Task Arithmetic on the factors separately: s·(λΣB_i)·(λΣA_i) per layer. */
export function taskArithmeticFactors(factors: LoraFactors[][], lambda: number): M[] {
  const L = factors[0].length;
  return Array.from({ length: L }, (_, l) => {
    const f0 = factors[0][l];
    const a = mk(f0.a.rows, f0.a.cols), b = mk(f0.b.rows, f0.b.cols);
    for (const t of factors) {
      for (let k = 0; k < a.data.length; k++) a.data[k] += lambda * t[l].a.data[k];
      for (let k = 0; k < b.data.length; k++) b.data[k] += lambda * t[l].b.data[k];
    }
    return loraDelta({ a, b, scale: f0.scale });
  });
}

/** RMM for one factor matrix stack: basis (p columns of length dim) and coefficients (p × n). */
export interface RmmFactor {
  /** (dim × p): the p basis vectors, column j = F·v_j. */
  basis: M;
  /** (p × n): task i's coefficients are column i. */
  coef: M;
}

/**
 * The closed-form RMM basis of one factor: `flats[i]` is task i's factor flattened (same length `dim` for all).
 * Minimises Σ_i ‖flats[i] − basis·coef[:, i]‖² over basis (dim × p) and coef (p × n).
 */
export function rmmFactor(flats: Float64Array[], p: number): RmmFactor {
  const n = flats.length, dim = flats[0].length;
  if (p < 1 || p > n) throw new Error(`rmm: basis size p = ${p} must be in [1, n = ${n}]`);
  const F = mk(dim, n);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) F.data[k * n + i] = flats[i][k];
  const la = getLinalg();
  const G = la.matmul(F, F, { transA: true }) as M; // n × n
  const { vectors } = la.eigh(G); // ascending: the top p are the last p columns
  const V = mk(n, p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) V.data[i * p + j] = vectors.data[i * n + (n - 1 - j)];
  const basis = la.matmul(F, V) as M; // dim × p
  const coef = mk(p, n);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) coef.data[j * n + i] = V.data[i * p + j];
  return { basis, coef };
}

/** Task i's flattened factor reconstructed from an RMM basis: basis · coef[:, i]. */
export function rmmReconstruct(f: RmmFactor, i: number): Float64Array {
  const { basis, coef } = f, p = basis.cols, n = coef.cols;
  const out = new Float64Array(basis.rows);
  for (let k = 0; k < basis.rows; k++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += basis.data[k * p + j] * coef.data[j * n + i];
    out[k] = s;
  }
  return out;
}

/**
 * RMM over all layers: for every layer, one basis for the A factors and one for the B factors (each with its own
 * coefficients). Returns each task's reconstructed factors and the numbers stored (bases + coefficients).
 */
export function rmm(factors: LoraFactors[][], p: number): { tasks: LoraFactors[][]; stored: number } {
  const n = factors.length, L = factors[0].length;
  const tasks: LoraFactors[][] = Array.from({ length: n }, () => []);
  let stored = 0;
  for (let l = 0; l < L; l++) {
    const fa = rmmFactor(factors.map((t) => t[l].a.data), p);
    const fb = rmmFactor(factors.map((t) => t[l].b.data), p);
    stored += fa.basis.data.length + fa.coef.data.length + fb.basis.data.length + fb.coef.data.length;
    const f0 = factors[0][l];
    for (let i = 0; i < n; i++) {
      tasks[i].push({
        a: mk(f0.a.rows, f0.a.cols, rmmReconstruct(fa, i)),
        b: mk(f0.b.rows, f0.b.cols, rmmReconstruct(fb, i)),
        scale: f0.scale,
      });
    }
  }
  return { tasks, stored };
}

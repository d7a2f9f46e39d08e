/**
 * Hierarchical PALM for multi-layer sparse factorization (FAµST), Le Magoarou & Gribonval: arXiv 1406.5388
 * (the PALM-for-sparse-factors algorithm and its hierarchical variant) and its journal version
 * "Flexible Multi-layer Sparse Approximations of Matrices and Applications" (IEEE JSTSP 2016, Algorithms 1–2).
 *
 * Model: X ≈ λ · S_J ⋯ S_2 S_1, each S_j normalized (‖S_j‖_F = 1) and in a sparsity set E_j.
 * Factors are stored right to left: factors[0] = S_1 (applied first to a vector).
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import { eye, frobenius, mat } from "../../lib/math/linalg/mod.ts";

type M = Mat<Float64Array>;

/** A constraint set E: Euclidean projection onto it (sparsity pattern + unit Frobenius norm). */
export type Projection = (a: M) => M;

/**
 * Projection onto {‖A‖₀ ≤ k, ‖A‖_F = 1} (the paper's "sp" set): keep the k entries of largest magnitude,
 * then normalize. Exact Euclidean projection (ties broken by index).
 */
export function projSparse(k: number): Projection {
  return (a) => {
    const n = a.data.length;
    const out = mat(a.rows, a.cols);
    if (k >= n) out.data.set(a.data);
    else {
      const idx = Array.from({ length: n }, (_, i) => i);
      idx.sort((i, j) => Math.abs(a.data[j]) - Math.abs(a.data[i]) || i - j);
      for (let t = 0; t < k; t++) out.data[idx[t]] = a.data[idx[t]];
    }
    const f = frobenius(out);
    if (f > 0) { for (let i = 0; i < n; i++) out.data[i] /= f; }
    return out;
  };
}

/**
 * The FAµST toolbox's "splincol" set, used by its Hadamard demo: support = (k largest |entries| of each row)
 * ∪ (k largest of each column), then unit Frobenius norm. Not an exact projection (the union may hold more
 * than k per line); it is what the official code applies. Ties are broken by the lower index.
 */
export function projSplincol(k: number): Projection {
  return (a) => {
    const { rows, cols } = a;
    const keep = new Uint8Array(rows * cols);
    const top = (idx: number[]) => {
      idx.sort((i, j) => Math.abs(a.data[j]) - Math.abs(a.data[i]) || i - j);
      for (let t = 0; t < Math.min(k, idx.length); t++) keep[idx[t]] = 1;
    };
    for (let i = 0; i < rows; i++) top(Array.from({ length: cols }, (_, j) => i * cols + j));
    for (let j = 0; j < cols; j++) top(Array.from({ length: rows }, (_, i) => i * cols + j));
    const out = mat(rows, cols);
    for (let i = 0; i < keep.length; i++) if (keep[i]) out.data[i] = a.data[i];
    const f = frobenius(out);
    if (f > 0) { for (let i = 0; i < out.data.length; i++) out.data[i] /= f; }
    return out;
  };
}

/** Spectral norm ‖A‖₂ (largest singular value, LAPACK via getLinalg()). */
export function spec(la: Linalg, a: M): number {
  return la.svdvals(a)[0];
}

/** Product of a list of factors given right to left (fs[0] applied first); identity of size n if empty. */
export function chain(la: Linalg, fs: M[], n: number): M {
  if (fs.length === 0) return eye(n) as M;
  let p = fs[0];
  for (let i = 1; i < fs.length; i++) p = la.matmul(fs[i], p);
  return p;
}

export interface PalmState {
  /** factors right to left: [S_1, …, S_J] */
  factors: M[];
  lambda: number;
}

/**
 * PALM (JSTSP Alg. 1, palm4MSA): for t = 1..nIter, for j = 1..J:
 *   L = S_J⋯S_{j+1}, R = S_{j-1}⋯S_1, c = (1+α)·λ²·‖R‖₂²·‖L‖₂²,
 *   S_j ← P_{E_j}(S_j − (1/c)·λ·Lᵀ(λ·L S_j R − X)Rᵀ);
 * then λ ← Tr(Xᵀ X̂)/Tr(X̂ᵀ X̂) with X̂ = S_J⋯S_1.
 */
export function palm(
  la: Linalg,
  x: M,
  init: PalmState,
  projs: Projection[],
  opts: { nIter: number; alpha?: number; fixed?: boolean[] },
): PalmState {
  const alpha = opts.alpha ?? 1e-3;
  const fs = init.factors.slice();
  let lambda = init.lambda;
  const J = fs.length;
  for (let t = 0; t < opts.nIter; t++) {
    for (let j = 0; j < J; j++) {
      if (opts.fixed?.[j]) continue;
      const r = chain(la, fs.slice(0, j), fs[j].cols); // S_{j-1}⋯S_1 (cols(S_j) × n)
      const l = chain(la, fs.slice(j + 1), fs[j].rows); // S_J⋯S_{j+1}
      const c = (1 + alpha) * lambda * lambda * spec(la, r) ** 2 * spec(la, l) ** 2;
      const res = la.matmul(l, la.matmul(fs[j], r)); // L S_j R
      for (let i = 0; i < res.data.length; i++) res.data[i] = lambda * res.data[i] - x.data[i];
      const g = la.matmul(la.matmul(l, res, { transA: true }), r, { transB: true }); // Lᵀ(·)Rᵀ
      const step = mat(fs[j].rows, fs[j].cols);
      const s = c > 0 ? lambda / c : 0;
      for (let i = 0; i < step.data.length; i++) step.data[i] = fs[j].data[i] - s * g.data[i];
      fs[j] = projs[j](step);
    }
    const xh = chain(la, fs, x.cols);
    let num = 0, den = 0;
    for (let i = 0; i < xh.data.length; i++) {
      num += x.data[i] * xh.data[i];
      den += xh.data[i] * xh.data[i];
    }
    lambda = den > 0 ? num / den : 0;
  }
  return { factors: fs, lambda };
}

export interface HierOptions {
  /** number of sparse factors J */
  nFactors: number;
  /** constraint for factor S_l (l = 1..J-1) and for the last factor S_J (the final residual) */
  factorProj: (l: number) => Projection;
  /** constraint of the residual T_l after step l (l = 1..J-1); the last residual gets factorProj(J) */
  residualProj: (l: number) => Projection;
  /**
   * Local split init: "factor-id" (S_l = Id, T_l = 0: T_l is found first, from the gradient of the data term)
   * or "factor-zero" (S_l = 0, T_l = Id).
   */
  init: "factor-id" | "factor-zero";
  nIterLocal: number;
  nIterGlobal: number;
  alpha?: number;
  /** observe(step, state) after each hierarchical level (state = the current full factorization) */
  onLevel?: (l: number, s: PalmState) => void;
}

/**
 * Hierarchical factorization (JSTSP Alg. 2), factoring from the right:
 *   T_0 = X; for l = 1..J-1:
 *     (a) local: T_{l-1} ≈ λ' · T_l S_l with S_l ∈ E_l, T_l ∈ Ẽ_l — PALM on 2 factors (init: see `init`);
 *     (b) global: X ≈ λ · T_l S_l ⋯ S_1 — PALM on all l+1 factors, warm-started.
 *   S_J = T_{J-1}.
 */
export function hierarchical(la: Linalg, x: M, o: HierOptions): PalmState {
  const n = x.rows;
  let left: M[] = []; // S_1..S_{l} found so far (right to left)
  let resid = x;
  let lambda = 1;
  for (let l = 1; l < o.nFactors; l++) {
    const last = l === o.nFactors - 1;
    const pF = o.factorProj(l);
    const pT = last ? o.factorProj(o.nFactors) : o.residualProj(l);
    // (a) split the current residual into T_l · S_l
    const loc = palm(
      la,
      resid,
      {
        factors: o.init === "factor-id" ? [eye(n) as M, mat(n, n)] : [mat(n, n), eye(n) as M],
        lambda: 1,
      },
      [pF, pT],
      {
        nIter: o.nIterLocal,
        alpha: o.alpha,
      },
    );
    // (b) global refinement of X ≈ λ T_l S_l ⋯ S_1
    const projs = [...left.map((_, i) => o.factorProj(i + 1)), pF, pT];
    const glob = palm(la, x, { factors: [...left, ...loc.factors], lambda: lambda * loc.lambda }, projs, {
      nIter: o.nIterGlobal,
      alpha: o.alpha,
    });
    left = glob.factors.slice(0, l);
    lambda = glob.lambda;
    const t = glob.factors[l];
    // the residual carries λ so the next local split factors the actual remaining operator
    resid = mat(n, n, t.data.map((v) => v * lambda));
    lambda = 1;
    o.onLevel?.(l, { factors: [...left, resid], lambda: 1 });
  }
  return { factors: [...left, resid], lambda };
}

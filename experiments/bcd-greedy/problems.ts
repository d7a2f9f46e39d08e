/**
 * Problems A (least squares) and B (binary logistic) of Nutini, Laradji & Schmidt, generated as in the official
 * code (IssamLaradji/BlockCoordinateDescent, src/datasets/datasets.py, with the MATLAB recipe quoted there):
 *   A = (N(0,1) + bias) · diag(scale · N(0,1)), each entry kept with probability density·log(n)/n;
 *   w = N(0,1) kept with probability 0.1;  b = Aw + N(0,1) (A)  or  b = sign(Aw), flipped w.p. 0.1 (B).
 * A is sparse (≈ 7% dense at n = 1000), stored column-compressed so block gradients and updates cost O(nnz).
 */
import type { Rng } from "../../lib/math/rng.ts";

export type Loss = "ls" | "logistic";

/** Column-compressed sparse matrix (rows sorted within each column). */
export interface Csc {
  rows: number;
  cols: number;
  colPtr: Int32Array;
  rowIdx: Int32Array;
  vals: Float64Array;
}

export interface Problem {
  loss: Loss;
  A: Csc;
  b: Float64Array;
  /** Curvature constant c with ∇²f ⪯ c·AᵀA: 1 for least squares, 1/4 for logistic. */
  c: number;
  /** Coordinate Lipschitz constants L_i = c‖A_i‖² (losses.py `lipschitz`). */
  L: Float64Array;
  /** f* used for f − f*: 0, since p > n makes Ax = b solvable (LS) and the data separable (logistic). */
  fStar: number;
}

export interface ProblemSpec {
  loss: Loss;
  n: number;
  p: number;
  bias: number;
  scale: number;
  density: number;
  solSparsity: number;
  flip: number;
}

/** Generate problem A (loss "ls") or B (loss "logistic") from the official recipe. */
export function makeProblem(s: ProblemSpec, rng: Rng): Problem {
  const { n, p } = s;
  const keep = s.density * Math.log(n) / n;
  const colScale = rng.normal(p) as Float64Array;
  const colPtr = new Int32Array(p + 1);
  const ri: number[] = [], va: number[] = [];
  for (let j = 0; j < p; j++) {
    const g = rng.normal(n) as Float64Array;
    for (let i = 0; i < n; i++) {
      if (rng.uniform() < keep) {
        ri.push(i);
        va.push((g[i] + s.bias) * s.scale * colScale[j]);
      }
    }
    colPtr[j + 1] = ri.length;
  }
  const A: Csc = { rows: n, cols: p, colPtr, rowIdx: Int32Array.from(ri), vals: Float64Array.from(va) };
  const w = rng.normal(p) as Float64Array;
  for (let j = 0; j < p; j++) if (rng.uniform() >= s.solSparsity) w[j] = 0;
  const Aw = matvec(A, w);
  const b = new Float64Array(n);
  if (s.loss === "ls") {
    const e = rng.normal(n) as Float64Array;
    for (let i = 0; i < n; i++) b[i] = Aw[i] + e[i];
  } else {
    for (let i = 0; i < n; i++) b[i] = (Aw[i] >= 0 ? 1 : -1) * (rng.uniform() < s.flip ? -1 : 1);
  }
  const c = s.loss === "ls" ? 1 : 0.25;
  const L = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let t = 0;
    for (let k = colPtr[j]; k < colPtr[j + 1]; k++) t += A.vals[k] * A.vals[k];
    L[j] = c * t;
  }
  return { loss: s.loss, A, b, c, L, fStar: 0 };
}

/** y = A x. */
export function matvec(A: Csc, x: Float64Array): Float64Array {
  const y = new Float64Array(A.rows);
  for (let j = 0; j < A.cols; j++) {
    const xj = x[j];
    if (xj === 0) continue;
    for (let k = A.colPtr[j]; k < A.colPtr[j + 1]; k++) y[A.rowIdx[k]] += A.vals[k] * xj;
  }
  return y;
}

/** g = Aᵀ r. */
export function rmatvec(A: Csc, r: Float64Array): Float64Array {
  const g = new Float64Array(A.cols);
  for (let j = 0; j < A.cols; j++) {
    let t = 0;
    for (let k = A.colPtr[j]; k < A.colPtr[j + 1]; k++) t += A.vals[k] * r[A.rowIdx[k]];
    g[j] = t;
  }
  return g;
}

/** Column dot product A_iᵀ A_j (sorted row indices, merge). */
export function colDot(A: Csc, i: number, j: number): number {
  let a = A.colPtr[i], b = A.colPtr[j], t = 0;
  const ae = A.colPtr[i + 1], be = A.colPtr[j + 1];
  while (a < ae && b < be) {
    const ra = A.rowIdx[a], rb = A.rowIdx[b];
    if (ra === rb) t += A.vals[a++] * A.vals[b++];
    else if (ra < rb) a++;
    else b++;
  }
  return t;
}

/** f(x) from the linear predictor z = Ax: ½‖z − b‖² or Σ log(1 + exp(−b_i z_i)) (losses.py f_func). */
export function lossValue(P: Problem, z: Float64Array): number {
  let f = 0;
  if (P.loss === "ls") {
    for (let i = 0; i < z.length; i++) f += 0.5 * (z[i] - P.b[i]) ** 2;
  } else {
    for (let i = 0; i < z.length; i++) {
      const m = -P.b[i] * z[i];
      f += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
    }
  }
  return f;
}

/** ℓ'(z): the vector ρ with ∇f(x) = Aᵀρ (residual z − b, or −b/(1 + exp(b z))). */
export function lossDeriv(P: Problem, z: Float64Array): Float64Array {
  const r = new Float64Array(z.length);
  if (P.loss === "ls") { for (let i = 0; i < z.length; i++) r[i] = z[i] - P.b[i]; }
  else for (let i = 0; i < z.length; i++) r[i] = -P.b[i] / (1 + Math.exp(P.b[i] * z[i]));
  return r;
}

/** H_bb = c·A_bᵀA_b, the block Hessian bound used by the Lb/Hb updates (losses.py Hb_func), row-major τ×τ. */
export function blockHessian(P: Problem, block: ArrayLike<number>): Float64Array {
  const t = block.length, H = new Float64Array(t * t);
  for (let a = 0; a < t; a++) {
    for (let b = a; b < t; b++) H[a * t + b] = H[b * t + a] = P.c * colDot(P.A, block[a], block[b]);
  }
  return H;
}

/** Row sums Σ_j |H_ij| of H = c·AᵀA (the GSD bound of Section 5 / `GSDHb` in the official code), O(Σ_k nnz(row k)²). */
export function hessianAbsRowSums(P: Problem): Float64Array {
  const { A } = P, n = A.rows, p = A.cols;
  // CSR copy of A
  const rowPtr = new Int32Array(n + 1);
  for (let k = 0; k < A.rowIdx.length; k++) rowPtr[A.rowIdx[k] + 1]++;
  for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];
  const fill = rowPtr.slice(0, n), colIdx = new Int32Array(A.rowIdx.length), rv = new Float64Array(A.rowIdx.length);
  for (let j = 0; j < p; j++) {
    for (let k = A.colPtr[j]; k < A.colPtr[j + 1]; k++) {
      const pos = fill[A.rowIdx[k]]++;
      colIdx[pos] = j;
      rv[pos] = A.vals[k];
    }
  }
  const acc = new Float64Array(p), mark = new Int32Array(p).fill(-1), touched = new Int32Array(p);
  const out = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let nt = 0;
    for (let k = A.colPtr[i]; k < A.colPtr[i + 1]; k++) {
      const row = A.rowIdx[k], a = A.vals[k];
      for (let q = rowPtr[row]; q < rowPtr[row + 1]; q++) {
        const j = colIdx[q];
        if (mark[j] !== i) {
          mark[j] = i;
          acc[j] = 0;
          touched[nt++] = j;
        }
        acc[j] += a * rv[q];
      }
    }
    let s = 0;
    for (let q = 0; q < nt; q++) s += Math.abs(acc[touched[q]]);
    out[i] = P.c * s;
  }
  return out;
}

/** λ_max(c·AᵀA) by power iteration (for the IHT step size μ = 1/λ_max). */
export function hessianLambdaMax(P: Problem, iters = 100): number {
  let v: Float64Array = new Float64Array(P.A.cols).fill(1 / Math.sqrt(P.A.cols)), lam = 0;
  for (let t = 0; t < iters; t++) {
    const w = rmatvec(P.A, matvec(P.A, v));
    let nrm = 0;
    for (let j = 0; j < w.length; j++) nrm += w[j] * w[j];
    nrm = Math.sqrt(nrm);
    lam = nrm;
    for (let j = 0; j < w.length; j++) w[j] /= nrm;
    v = w;
  }
  return P.c * lam;
}

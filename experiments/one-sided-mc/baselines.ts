/**
 * Baselines the paper compares against (Cao et al. 2023, experiments): standard matrix completion of X itself
 * (softImpute, AltMin) and the direct spectral estimates from the zero-filled matrix. Each returns a d×r basis of
 * the estimated right singular space.
 *
 * - zero-fill PCA: top-r right singular vectors of P_Ω(X), i.e. top-r eigenvectors of P_Ω(X)ᵀP_Ω(X) = S.
 * - IPW Gram spectral: top-r eigenvectors of the inverse-propensity Gram Ĝ_IPW (the Gram route without completion).
 * - softImpute-ALS (Hastie, Mazumder, Lee, Zadeh 2015, Alg. 3.1) with rank cap r and penalty λ:
 *     Z = P_Ω(X) + P_Ω⊥(ABᵀ);  A ← Z·B·(BᵀB + λI)⁻¹;  B ← Zᵀ·A·(AᵀA + λI)⁻¹.
 * - AltMin (Jain, Netrapalli, Sanghavi 2013) with a small ridge μ: rows a_i and columns b_j by least squares on the
 *   observed entries, started from the zero-fill PCA basis.
 */
import { type M64, orthonormalize, zeros } from "../../lib/math/lowrank/mod.ts";
import type { Problem } from "./data.ts";
import { ipwGram, pairStats, topEig } from "./gram.ts";
import { cholSmall, cholSolveSmall } from "../../lib/math/linalg/chol_small.ts";

export function zeroFillPca(p: Problem): M64 {
  return topEig(pairStats(p).s, p.r).vectors;
}

export function ipwSpectral(p: Problem): M64 {
  return topEig(ipwGram(p, pairStats(p)), p.r).vectors;
}

/**
 * Solve (M + μI)x = b for a small SPD r×r M by Cholesky, without allocating: M is read at m[mo..], b at b[bo..],
 * x is written to out[oo..]; `w` is r×r scratch.
 */
function ridgeSolveInto(
  m: Float64Array,
  mo: number,
  b: Float64Array,
  bo: number,
  r: number,
  mu: number,
  w: Float64Array,
  out: Float64Array,
  oo: number,
): void {
  for (let q = 0; q < r * r; q++) w[q] = m[mo + q];
  for (let i = 0; i < r; i++) w[i * r + i] += mu;
  cholSmall(w, r, 1e-300);
  for (let i = 0; i < r; i++) out[oo + i] = b[bo + i];
  cholSolveSmall(w, r, out, oo);
}

/** Options of the iterative baselines: an iteration cap and a stopping tolerance on the change of B. */
export interface IterOptions {
  iters: number;
  /** Stop once the span of B moves by ≤ tol (‖sin Θ‖_F) in one iteration (0: run all `iters`). */
  tol?: number;
  /** Filled with the number of iterations run. */
  stats?: { iters: number };
}

/**
 * The span of B has settled: ‖(I − QQᵀ)Q'‖_F ≤ tol for orthonormal bases Q of span(prev), Q' of span(b) (the sines of
 * the angles between consecutive column spaces; the factors' scale is free with a small ridge, their span is not).
 */
function settled(b: M64, prev: M64, tol: number): boolean {
  let q: M64, q2: M64;
  try {
    q = orthonormalize(prev);
    q2 = orthonormalize(b);
  } catch {
    return false;
  }
  const r = q.cols, d = q.rows, c = new Float64Array(r * r);
  for (let i = 0; i < d; i++) {
    for (let a = 0; a < r; a++) for (let e = 0; e < r; e++) c[a * r + e] += q.data[i * r + a] * q2.data[i * r + e];
  }
  let res2 = r; // ‖Q'‖² − ‖QᵀQ'‖² = Σ sin²θ
  for (let x = 0; x < r * r; x++) res2 -= c[x] * c[x];
  return res2 <= tol * tol;
}

/** AltMin on the observed entries: a_i ← argmin Σ_t (x_it − ⟨a, b_{j_t}⟩)² + μ‖a‖², then b_j likewise. */
export function altMin(p: Problem, o: IterOptions & { mu: number }, monitor?: (step: number, b: M64) => void): M64 {
  const { n, d, r, perRow: m } = p;
  let b = zeroFillPca(p);
  const a = new Float64Array(n * r), w = new Float64Array(r * r);
  const gram = new Float64Array(r * r), rhs = new Float64Array(r);
  const grams = new Float64Array(d * r * r), rhsB = new Float64Array(d * r);
  for (let it = 0; it < o.iters; it++) {
    if (monitor) monitor(it, b);
    const bd = b.data;
    for (let i = 0; i < n; i++) {
      gram.fill(0);
      rhs.fill(0);
      for (let t = 0; t < m; t++) {
        const j = p.cols[i * m + t], x = p.vals[i * m + t];
        for (let l = 0; l < r; l++) {
          const bl = bd[j * r + l];
          rhs[l] += x * bl;
          for (let q = 0; q < r; q++) gram[l * r + q] += bl * bd[j * r + q];
        }
      }
      ridgeSolveInto(gram, 0, rhs, 0, r, o.mu, w, a, i * r);
    }
    grams.fill(0);
    rhsB.fill(0);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < m; t++) {
        const j = p.cols[i * m + t], x = p.vals[i * m + t];
        for (let l = 0; l < r; l++) {
          const ail = a[i * r + l];
          rhsB[j * r + l] += x * ail;
          for (let q = 0; q < r; q++) grams[j * r * r + l * r + q] += ail * a[i * r + q];
        }
      }
    }
    const nb = zeros(d, r);
    for (let j = 0; j < d; j++) ridgeSolveInto(grams, j * r * r, rhsB, j * r, r, o.mu, w, nb.data, j * r);
    const prev = b;
    b = nb;
    if (o.stats) o.stats.iters = it + 1;
    if (o.tol && settled(b, prev, o.tol)) break;
  }
  return safeOrth(b);
}

/** softImpute-ALS with rank cap r and penalty λ. Returns an orthonormal basis of span(B). */
export function softImputeAls(
  p: Problem,
  o: IterOptions & { lambda: number },
  monitor?: (step: number, b: M64) => void,
): M64 {
  const { n, d, r, perRow: m } = p;
  let b = zeroFillPca(p);
  let a = new Float64Array(n * r), na = new Float64Array(n * r);
  const e = new Float64Array(n * m), w = new Float64Array(r * r), rhs = new Float64Array(r);
  // residual on Ω: x_it − ⟨a_i, b_j⟩
  const resid = () => {
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < m; t++) {
        const j = p.cols[i * m + t];
        let s = 0;
        for (let l = 0; l < r; l++) s += a[i * r + l] * b.data[j * r + l];
        e[i * m + t] = p.vals[i * m + t] - s;
      }
    }
  };
  const gramOf = (x: Float64Array, rows: number) => {
    const g = new Float64Array(r * r);
    for (let i = 0; i < rows; i++) {
      for (let l = 0; l < r; l++) for (let q = 0; q < r; q++) g[l * r + q] += x[i * r + l] * x[i * r + q];
    }
    return g;
  };
  for (let it = 0; it < o.iters; it++) {
    if (monitor) monitor(it, b);
    // A ← (P_Ω(X − ABᵀ)·B + A·BᵀB)(BᵀB + λI)⁻¹
    resid();
    const btb = gramOf(b.data, d);
    for (let i = 0; i < n; i++) {
      rhs.fill(0);
      for (let t = 0; t < m; t++) {
        const j = p.cols[i * m + t];
        for (let l = 0; l < r; l++) rhs[l] += e[i * m + t] * b.data[j * r + l];
      }
      for (let l = 0; l < r; l++) for (let q = 0; q < r; q++) rhs[l] += a[i * r + q] * btb[q * r + l];
      ridgeSolveInto(btb, 0, rhs, 0, r, o.lambda, w, na, i * r);
    }
    [a, na] = [na, a];
    // B ← (P_Ω(X − ABᵀ)ᵀ·A + B·AᵀA)(AᵀA + λI)⁻¹
    resid();
    const ata = gramOf(a, n), rhsB = new Float64Array(d * r);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < m; t++) {
        const j = p.cols[i * m + t];
        for (let l = 0; l < r; l++) rhsB[j * r + l] += e[i * m + t] * a[i * r + l];
      }
    }
    const nb = zeros(d, r);
    for (let j = 0; j < d; j++) {
      for (let l = 0; l < r; l++) {
        let v = rhsB[j * r + l];
        for (let q = 0; q < r; q++) v += b.data[j * r + q] * ata[q * r + l];
        rhs[l] = v;
      }
      ridgeSolveInto(ata, 0, rhs, 0, r, o.lambda, w, nb.data, j * r);
    }
    const prev = b;
    b = nb;
    if (o.stats) o.stats.iters = it + 1;
    if (o.tol && settled(b, prev, o.tol)) break;
  }
  return safeOrth(b);
}

/** Orthonormal basis of span(B); a rank-deficient B is completed with unit vectors so the metric stays defined. */
function safeOrth(b: M64): M64 {
  try {
    return orthonormalize(b);
  } catch {
    const c = { rows: b.rows, cols: b.cols, data: b.data.map((v, q) => v + 1e-9 * ((q * 7919) % 13)) };
    return orthonormalize(c);
  }
}

/**
 * Rank-k routes through a factorization, each returning the projector pair it defines (see projectors.ts).
 * Every function is pure: (la, A, k[, rng]) → Projectors.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import { eye, randn, transpose } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { Projectors } from "./projectors.ts";

type M64 = Mat<Float64Array>;

/** Truncated SVD, A ≈ U_kΣ_kV_kᵀ: F = U_k, Yᵀ = U_kᵀ, X = V_k, Hᵀ = V_kᵀ (orthogonal projectors; Eckart–Young optimal). */
export function svdRoute(la: Linalg, a: M64, k: number): Projectors {
  const { u, vt } = la.svd(a);
  const f = cols(u as M64, 0, k);
  const ht = rows(vt as M64, 0, k);
  return { f, yt: transpose(f), x: transpose(ht), ht };
}

/**
 * Column-pivoted Householder QR stopped after k steps (Businger–Golub), A·Π ≈ Q_k[R₁₁ R₁₂]:
 * F = Q_k, Yᵀ = Q_kᵀ (orthogonal), Hᵀ = [R₁₁ R₁₂]Πᵀ, X = Hᵀ's right inverse through a thin QR of H.
 */
export function cpqrRoute(la: Linalg, a: M64, k: number): Projectors {
  const { q, rk } = partialCpqr(a, k);
  return { f: q, yt: transpose(q), x: rightInverse(la, rk), ht: rk };
}

/**
 * k steps of Gaussian elimination with complete pivoting (LU), whose truncation is the skeleton
 * A ≈ A(:,J)·A(I,J)⁻¹·A(I,:): F = A(:,J), Yᵀ = A(I,J)⁻¹S_Iᵀ, X = S_J·A(I,J)⁻¹, Hᵀ = A(I,:) — oblique,
 * interpolatory projectors (B = S_I and D = S_J are row/column selections).
 */
export function luRoute(la: Linalg, a: M64, k: number): Projectors {
  const { I, J } = completePivots(a, k);
  const { rows: m, cols: n } = a;
  const core = pick(a, I, J);
  const inv = la.solve(core, eye(k) as M64) as M64; // A(I,J)⁻¹
  const yt = new Float64Array(k * m), x = new Float64Array(n * k);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) yt[r * m + I[c]] = inv.data[r * k + c];
  for (let c = 0; c < k; c++) for (let r = 0; r < k; r++) x[J[c] * k + r] = inv.data[c * k + r];
  return {
    f: pick(a, range(m), J),
    yt: { rows: k, cols: m, data: yt },
    x: { rows: n, cols: k, data: x },
    ht: pick(a, I, range(n)),
  };
}

/**
 * Strang's A = CR: C = the first k independent columns of A (left to right, as elimination finds them), R = C⁺A
 * (the rows of rref(A) when rank A = k). F = C with Yᵀ = C⁺ (orthogonal), Hᵀ = R with X = R's right inverse.
 */
export function crRoute(la: Linalg, a: M64, k: number): Projectors {
  const J = firstIndependentColumns(a, k);
  const c = pick(a, range(a.rows), J);
  // C⁺ through a thin QR: C = Q_cR_c ⇒ C⁺ = R_c⁻¹Q_cᵀ.
  const { q, r } = la.qr(c);
  const cPlus = la.triSolve(r, transpose(q as M64), { lower: false }) as M64;
  const rr = la.matmul(cPlus, a) as M64;
  return { f: c, yt: cPlus, x: rightInverse(la, rr), ht: rr };
}

/**
 * Randomized SVD (Halko, Martinsson & Tropp 2011, Alg. 4.1 + 5.1): Q = orth(AΩ), Ω n×(k+p) Gaussian, then the SVD of
 * QᵀA truncated to k: F = QŨ_k, Yᵀ = Fᵀ, X = V_k, Hᵀ = V_kᵀ — orthogonal projectors found from a sketch.
 */
export function rsvdRoute(la: Linalg, a: M64, k: number, p: number, rng: Rng): Projectors {
  const l = Math.min(k + p, a.cols);
  const omega = randn(a.cols, l, rng) as M64;
  const { q } = la.qr(la.matmul(a, omega) as M64);
  const b = la.matmul(q as M64, a, { transA: true }) as M64; // QᵀA (l×n)
  const { u, vt } = la.svd(b);
  const f = la.matmul(q as M64, cols(u as M64, 0, k)) as M64;
  const ht = rows(vt as M64, 0, k);
  return { f, yt: transpose(f), x: transpose(ht), ht };
}

/**
 * Generalized Nyström (Nakatsukasa 2020; the form used in Karpowicz's mft.m): A ≈ AX(YᵀAX)⁺YᵀA with X n×k and
 * Y m×ℓ Gaussian, ℓ = ⌈1.5k⌉. F = AX, Yᵀ_proj = (YᵀAX)⁺Yᵀ (oblique), and on the row side X_proj = X,
 * Hᵀ = (YᵀAX)⁺YᵀA. (YᵀAX)⁺ is applied through a thin QR of YᵀAX, as in the paper's listing.
 */
export function nystromRoute(la: Linalg, a: M64, k: number, rng: Rng): Projectors {
  const l = Math.min(Math.ceil(1.5 * k), a.rows);
  const xs = randn(a.cols, k, rng.split("X")) as M64;
  const ys = randn(a.rows, l, rng.split("Y")) as M64;
  const ax = la.matmul(a, xs) as M64; // AX (m×k)
  const yta = la.matmul(ys, a, { transA: true }) as M64; // YᵀA (ℓ×n)
  const core = la.matmul(yta, xs) as M64; // YᵀAX (ℓ×k)
  const { q, r } = la.qr(core); // YᵀAX = QR ⇒ (YᵀAX)⁺ = R⁻¹Qᵀ
  const solve = (b: M64) => la.triSolve(r, la.matmul(q as M64, b, { transA: true }), { lower: false }) as M64;
  return { f: ax, yt: solve(transpose(ys)), x: xs, ht: solve(yta) };
}

// ---- kernels -----------------------------------------------------------------------------------------

/**
 * Businger–Golub column-pivoted Householder QR, k steps, on a column-major copy. Residual column norms are
 * recomputed at every step (no downdating), so the pivots are exact for the current residual.
 * Returns Q_k (m×k) and Hᵀ = [R₁₁ R₁₂]Πᵀ (k×n, columns back in A's order).
 */
export function partialCpqr(a: M64, k: number): { q: M64; rk: M64; perm: Int32Array } {
  const { rows: m, cols: n } = a;
  const w = transpose(a).data; // column j of A at w[j*m .. j*m+m)
  const perm = Int32Array.from({ length: n }, (_, j) => j);
  const vs: Float64Array[] = [];
  for (let s = 0; s < k; s++) {
    let best = s, bestNorm = -1;
    for (let j = s; j < n; j++) {
      let t = 0;
      for (let i = s; i < m; i++) t += w[j * m + i] ** 2;
      if (t > bestNorm) [bestNorm, best] = [t, j];
    }
    if (best !== s) {
      for (let i = 0; i < m; i++) [w[s * m + i], w[best * m + i]] = [w[best * m + i], w[s * m + i]];
      [perm[s], perm[best]] = [perm[best], perm[s]];
    }
    // Householder v with (I − 2vvᵀ/vᵀv)x = −sign(x₀)‖x‖e₀ on x = column s, rows s..m−1.
    const v = w.slice(s * m + s, s * m + m);
    const alpha = Math.sqrt(bestNorm), sign = v[0] >= 0 ? 1 : -1;
    v[0] += sign * alpha;
    const vv = v.reduce((t, x) => t + x * x, 0);
    vs.push(v);
    if (vv === 0) continue;
    for (let j = s; j < n; j++) {
      let d = 0;
      for (let i = 0; i < v.length; i++) d += v[i] * w[j * m + s + i];
      const c = (2 * d) / vv;
      for (let i = 0; i < v.length; i++) w[j * m + s + i] -= c * v[i];
    }
  }
  // R rows 0..k−1 (upper trapezoidal in pivoted order), put back in A's column order.
  const rk = new Float64Array(k * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < k; i++) rk[i * n + perm[j]] = i <= j ? w[j * m + i] : 0;
  // Q_k = H₁⋯H_k[I_k; 0], applied right to left.
  const q = new Float64Array(m * k);
  for (let j = 0; j < k; j++) q[j * k + j] = 1;
  for (let s = k - 1; s >= 0; s--) {
    const v = vs[s], vv = v.reduce((t, x) => t + x * x, 0);
    if (vv === 0) continue;
    for (let j = 0; j < k; j++) {
      let d = 0;
      for (let i = 0; i < v.length; i++) d += v[i] * q[(s + i) * k + j];
      const c = (2 * d) / vv;
      for (let i = 0; i < v.length; i++) q[(s + i) * k + j] -= c * v[i];
    }
  }
  return { q: { rows: m, cols: k, data: q }, rk: { rows: k, cols: n, data: rk }, perm };
}

/** Row and column indices of the first k pivots of Gaussian elimination with complete pivoting. */
export function completePivots(a: M64, k: number): { I: number[]; J: number[] } {
  const { rows: m, cols: n } = a;
  const w = a.data.slice();
  const rowP = Int32Array.from({ length: m }, (_, i) => i), colP = Int32Array.from({ length: n }, (_, j) => j);
  for (let s = 0; s < k; s++) {
    let bi = s, bj = s, bv = -1;
    for (let i = s; i < m; i++) {
      for (let j = s; j < n; j++) {
        const v = Math.abs(w[i * n + j]);
        if (v > bv) [bv, bi, bj] = [v, i, j];
      }
    }
    if (bi !== s) {
      for (let j = 0; j < n; j++) [w[s * n + j], w[bi * n + j]] = [w[bi * n + j], w[s * n + j]];
      [rowP[s], rowP[bi]] = [rowP[bi], rowP[s]];
    }
    if (bj !== s) {
      for (let i = 0; i < m; i++) [w[i * n + s], w[i * n + bj]] = [w[i * n + bj], w[i * n + s]];
      [colP[s], colP[bj]] = [colP[bj], colP[s]];
    }
    const piv = w[s * n + s];
    if (piv === 0) throw new Error(`complete-pivoting LU: A has rank ${s} < k = ${k}`);
    for (let i = s + 1; i < m; i++) {
      const l = w[i * n + s] / piv;
      if (l === 0) continue;
      for (let j = s + 1; j < n; j++) w[i * n + j] -= l * w[s * n + j];
      w[i * n + s] = 0;
    }
  }
  return { I: Array.from(rowP.subarray(0, k)), J: Array.from(colP.subarray(0, k)) };
}

/**
 * The first k columns of A that are independent of the ones before them (Gram–Schmidt, left to right; a column is
 * dependent when its residual is below 1e-10 of its norm) — the pivot columns of rref(A).
 */
export function firstIndependentColumns(a: M64, k: number): number[] {
  const { rows: m, cols: n } = a;
  const basis: Float64Array[] = [];
  const J: number[] = [];
  for (let j = 0; j < n && J.length < k; j++) {
    const v = Float64Array.from({ length: m }, (_, i) => a.data[i * n + j]);
    const norm0 = Math.hypot(...v);
    for (let pass = 0; pass < 2; pass++) { // re-orthogonalize once (CGS2)
      for (const b of basis) {
        let d = 0;
        for (let i = 0; i < m; i++) d += b[i] * v[i];
        for (let i = 0; i < m; i++) v[i] -= d * b[i];
      }
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-10 * norm0 && norm0 > 0) {
      for (let i = 0; i < m; i++) v[i] /= norm;
      basis.push(v);
      J.push(j);
    }
  }
  if (J.length < k) throw new Error(`A has only ${J.length} independent columns, fewer than k = ${k}`);
  return J;
}

/** X with Hᵀ·X = I and span X = span H (the orthogonal choice D = H): Hᵀ = R_hᵀQ_hᵀ ⇒ X = Q_h·R_h⁻ᵀ. */
function rightInverse(la: Linalg, ht: M64): M64 {
  const { q, r } = la.qr(transpose(ht));
  // Xᵀ = R_h⁻¹Q_hᵀ: one triangular solve.
  return transpose(la.triSolve(r, transpose(q as M64), { lower: false }) as M64);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** A(I, J). */
function pick(a: M64, I: number[], J: number[]): M64 {
  const out = new Float64Array(I.length * J.length);
  for (let r = 0; r < I.length; r++) {
    for (let c = 0; c < J.length; c++) out[r * J.length + c] = a.data[I[r] * a.cols + J[c]];
  }
  return { rows: I.length, cols: J.length, data: out };
}

function cols(a: M64, from: number, to: number): M64 {
  return pick(a, range(a.rows), range(to - from).map((j) => j + from));
}

function rows(a: M64, from: number, to: number): M64 {
  return { rows: to - from, cols: a.cols, data: a.data.slice(from * a.cols, to * a.cols) };
}

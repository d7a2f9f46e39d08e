/**
 * Row-append updates of a rank-k truncated SVD A ≈ U·diag(σ)·Vᵀ when A gains a block of rows E (s×n):
 *   Ā = [A; E].
 * - `zhaSimonRow`: Zha & Simon (1999), the Rayleigh–Ritz projection onto [U 0; 0 I] and [V Q] where
 *   Q·R = (I − VVᵀ)Eᵀ; densifies E and rewrites all of U and V (official code: `_update_svd_zhasimon_row`).
 * - `sparseRow`: Deng et al. (ICLR 2024), Algorithm 3 with the Zha–Simon space: the orthogonalization of
 *   (I − VVᵀ)Eᵀ is done on the nonzero rows of Eᵀ only, in the isometric inner product of Algorithm 2
 *   (⟨b₁ − Vc₁, b₂ − Vc₂⟩ = b₁·b₂ − c₁·c₂), and the singular vectors are kept in the extended form
 *   U = U'·K_u, V = V'·K_v so that only s new rows of U' and the nnz(E)-touched rows of V' change
 *   (official code: `_update_svd_isvd1_row`).
 * - `recompute`: the rank-k SVD of the whole current matrix, from scratch.
 * All dense algebra goes through getLinalg() (OpenBLAS/LAPACK when available).
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { eye, mat, transpose } from "../../lib/math/linalg/mat.ts";
import type { Mat } from "../../lib/math/linalg/mod.ts";
import { type Csr, scatterRows, toDense } from "./sparse.ts";

/** A truncated SVD: U (m×k), σ (k), V (n×k). */
export interface Tsvd {
  u: Mat<Float64Array>;
  s: Float64Array;
  v: Mat<Float64Array>;
}

/** The extended decomposition of Deng et al. §4: U = U'·K_u, V = V'·K_v. U' is preallocated to `capacity` rows. */
export interface ExtSvd {
  uk: Float64Array;
  rows: number;
  k: number;
  ku: Mat<Float64Array>;
  s: Float64Array;
  vk: Mat<Float64Array>;
  kv: Mat<Float64Array>;
  /** How many times K_u or K_v was folded back into U' or V' because it was numerically singular (ours). */
  refreshes: number;
}

/** σ_min/σ_max of a small square matrix below 1e-10 (or non-finite). */
function illConditioned(a: Mat<Float64Array>): boolean {
  const sv = getLinalg().svdvals(a);
  const r = sv[sv.length - 1] / sv[0];
  return !(r > 1e-10);
}

/** Rank-k truncated SVD of a dense matrix (thin LAPACK SVD, first k triplets). */
export function tsvd(a: Mat<Float64Array>, k: number): Tsvd {
  const { u, s, vt } = getLinalg().svd(a);
  return { u: leadCols(u, k), s: s.slice(0, k), v: leadCols(transpose(vt), k) };
}

/** Columns [0, k) of a row-major matrix. */
function leadCols(a: Mat<Float64Array>, k: number, rowLo = 0, rowHi = a.rows): Mat<Float64Array> {
  const out = new Float64Array((rowHi - rowLo) * k);
  for (let i = rowLo; i < rowHi; i++) out.set(a.data.subarray(i * a.cols, i * a.cols + k), (i - rowLo) * k);
  return mat(rowHi - rowLo, k, out);
}

/** The (k+s)×(k+s) middle matrix [diag σ, 0; P, Rᵀ] of both row updates (Zha–Simon step 2; Alg. 3 line 2). */
function middle(s: Float64Array, p: Mat<Float64Array>, rt: Mat<Float64Array>): Mat<Float64Array> {
  const k = s.length, q = p.rows, d = k + q, m = new Float64Array(d * d);
  for (let i = 0; i < k; i++) m[i * d + i] = s[i];
  for (let i = 0; i < q; i++) {
    m.set(p.data.subarray(i * k, (i + 1) * k), (k + i) * d);
    m.set(rt.data.subarray(i * q, (i + 1) * q), (k + i) * d + k);
  }
  return mat(d, d, m);
}

/** Zha–Simon row update: Q·R = (I − VVᵀ)Eᵀ, M = [diag σ, 0; E·V, Rᵀ] = F·T·Gᵀ, U ← [U 0; 0 I]·F_k, V ← [V Q]·G_k. */
export function zhaSimonRow(t: Tsvd, e: Csr): Tsvd {
  const la = getLinalg();
  const k = t.s.length, s = e.rows, n = e.cols;
  const ed = mat(s, n, toDense(e)); // the densification the paper avoids
  const p = la.matmul(ed, t.v); // E·V, s×k
  const x = transpose(ed); // Eᵀ − V·(E·V)ᵀ, n×s
  const vpt = la.matmul(t.v, p, { transB: true });
  for (let i = 0; i < x.data.length; i++) x.data[i] -= vpt.data[i];
  const { q, r } = la.qr(x);
  const { u: f, s: sig, vt: gt } = la.svd(middle(t.s, p, transpose(r)));
  const g = transpose(gt);
  // U_new = [U·F[:k, :k]; F[k:, :k]]
  const uTop = la.matmul(t.u, leadCols(f, k, 0, k));
  const u = new Float64Array((t.u.rows + s) * k);
  u.set(uTop.data);
  u.set(leadCols(f, k, k, k + s).data, t.u.rows * k);
  // V_new = V·G[:k, :k] + Q·G[k:, :k]
  const v = la.matmul(t.v, leadCols(g, k, 0, k));
  const qg = la.matmul(q, leadCols(g, k, k, k + s));
  for (let i = 0; i < v.data.length; i++) v.data[i] += qg.data[i];
  return { u: mat(t.u.rows + s, k, u), s: sig.slice(0, k), v };
}

/** Start the extended form from a truncated SVD: U' = U (room for `capacity` rows), V' = V, K_u = K_v = I. */
export function extend(t: Tsvd, capacity: number): ExtSvd {
  const k = t.s.length, uk = new Float64Array(capacity * k);
  uk.set(t.u.data);
  return {
    uk,
    rows: t.u.rows,
    k,
    ku: eye(k) as Mat<Float64Array>,
    s: t.s.slice(),
    vk: mat(t.v.rows, k, t.v.data.slice()),
    kv: eye(k) as Mat<Float64Array>,
    refreshes: 0,
  };
}

/** U = U'·K_u and V = V'·K_v as plain factors. */
export function collapse(x: ExtSvd): Tsvd {
  const la = getLinalg();
  const u = la.matmul(mat(x.rows, x.k, x.uk.subarray(0, x.rows * x.k)), x.ku);
  return { u, s: x.s.slice(), v: la.matmul(x.vk, x.kv) };
}

/**
 * Algorithm 2 of Deng et al.: Gram–Schmidt on the columns of (I − VVᵀ)Eᵀ, each held as the pair (b, c) with
 * vector b − V·c and b supported on the nonzero rows of Eᵀ; ⟨(b₁,c₁),(b₂,c₂)⟩ = b₁·b₂ − c₁·c₂. A column whose
 * squared norm is ≤ 1e-5 is left unnormalized with R_ii = 0 (the official code's threshold).
 * `b[i]`, `c[i]` are column i (modified in place); returns R (s×s, upper triangular).
 */
export function sparseGramSchmidt(b: Float64Array[], c: Float64Array[]): Mat<Float64Array> {
  const s = b.length, r = new Float64Array(s * s);
  const dot = (x: Float64Array, y: Float64Array) => {
    let acc = 0;
    for (let t = 0; t < x.length; t++) acc += x[t] * y[t];
    return acc;
  };
  for (let i = 0; i < s; i++) {
    const nrm2 = dot(b[i], b[i]) - dot(c[i], c[i]);
    let alpha = 0;
    if (Math.abs(nrm2) > 1e-5) {
      alpha = Math.sqrt(nrm2);
      for (let t = 0; t < b[i].length; t++) b[i][t] /= alpha;
      for (let t = 0; t < c[i].length; t++) c[i][t] /= alpha;
    }
    r[i * s + i] = alpha;
    for (let j = i + 1; j < s; j++) {
      const beta = dot(b[i], b[j]) - dot(c[i], c[j]);
      for (let t = 0; t < b[j].length; t++) b[j][t] -= beta * b[i][t];
      for (let t = 0; t < c[j].length; t++) c[j][t] -= beta * c[i][t];
      r[i * s + j] = beta;
    }
  }
  return mat(s, s, r);
}

/** Columns (as arrays) → row-major matrix with those columns. */
function fromCols(cols: Float64Array[], rows: number): Mat<Float64Array> {
  const q = cols.length, out = new Float64Array(rows * q);
  cols.forEach((col, j) => col.forEach((x, i) => (out[i * q + j] = x)));
  return mat(rows, q, out);
}

/** Deng et al. Algorithm 3 (Zha–Simon space), one row block E; updates `x` in place. */
export function sparseRow(x: ExtSvd, e: Csr): void {
  const la = getLinalg();
  const k = x.k, s = e.rows;
  // Nonzero columns of E (= nonzero rows of Eᵀ) and the compressed block B_s = Eᵀ[uid] (|uid|×s), as columns.
  const uid = Int32Array.from(new Set(e.indices)).sort();
  const where = new Map<number, number>();
  uid.forEach((j, t) => where.set(j, t));
  const nu = uid.length;
  const bcols = Array.from({ length: s }, () => new Float64Array(nu));
  for (let i = 0; i < s; i++) {
    for (let t = e.indptr[i]; t < e.indptr[i + 1]; t++) bcols[i][where.get(e.indices[t])!] = e.data[t];
  }
  // C_s = K_vᵀ·V'[uid]ᵀ·B_s = Vᵀ·Eᵀ (k×s)   (Alg. 3 line 1)
  const vUid = new Float64Array(nu * k);
  uid.forEach((j, t) => vUid.set(x.vk.data.subarray(j * k, (j + 1) * k), t * k));
  const bs = fromCols(bcols, nu);
  const cs = la.matmul(x.kv, la.matmul(mat(nu, k, vUid), bs, { transA: true }), { transA: true });
  const ccols = Array.from({ length: s }, (_, i) => Float64Array.from({ length: k }, (_, a) => cs.data[a * s + i]));
  const r = sparseGramSchmidt(bcols, ccols); // (Alg. 2)
  // M = [diag σ, 0; C_sᵀ, Rᵀ] = F·T·Gᵀ   (Alg. 3 line 2)
  const { u: f, s: sig, vt: gt } = la.svd(middle(x.s, transpose(cs), transpose(r)));
  const g = transpose(gt);
  const fTop = leadCols(f, k, 0, k), fBot = leadCols(f, k, k, k + s);
  const gTop = leadCols(g, k, 0, k), gBot = leadCols(g, k, k, k + s);
  // K_u ← K_u·F[:k];  K_v ← K_v·(G[:k] − C·G[k:])   (Alg. 3 lines 3–4)
  const ku = la.matmul(x.ku, fTop);
  const cg = la.matmul(fromCols(ccols, k), gBot);
  for (let i = 0; i < gTop.data.length; i++) gTop.data[i] -= cg.data[i];
  const kv = la.matmul(x.kv, gTop);
  // New rows of U': F[k:]·K_u⁻¹ ;  V'[uid] += B·G[k:]·K_v⁻¹   (Alg. 3 lines 5–7).
  // Safeguard (ours): when K is numerically singular (a top-k direction of Ā lies wholly in the new rows, which
  // exact sparsity makes common) K⁻¹ does not exist; we then fold K into U' (or V') at O(mk²) and reset K = I.
  const uNew = fBot;
  if (illConditioned(ku)) {
    const fold = la.matmul(mat(x.rows, k, x.uk.subarray(0, x.rows * k)), ku);
    x.uk.set(fold.data);
    x.ku = eye(k) as Mat<Float64Array>;
    x.refreshes++;
  } else {
    x.ku = ku;
    uNew.data.set(la.matmul(fBot, la.solve(ku, eye(k) as Mat<Float64Array>)).data);
  }
  x.uk.set(uNew.data, x.rows * k);
  x.rows += s;
  let dv = la.matmul(fromCols(bcols, nu), gBot);
  if (illConditioned(kv)) {
    x.vk = la.matmul(x.vk, kv);
    x.kv = eye(k) as Mat<Float64Array>;
    x.refreshes++;
  } else {
    x.kv = kv;
    dv = la.matmul(dv, la.solve(kv, eye(k) as Mat<Float64Array>));
  }
  uid.forEach((j, t) => {
    for (let a = 0; a < k; a++) x.vk.data[j * k + a] += dv.data[t * k + a];
  });
  x.s = sig.slice(0, k);
}

/** Recompute: write E under the current rows of the dense matrix `full` (m_total×n) and take its rank-k SVD. */
export function recomputeRow(full: Float64Array, rows: number, e: Csr, k: number): Tsvd {
  scatterRows(e, full, rows);
  const m = rows + e.rows;
  return tsvd(mat(m, e.cols, full.subarray(0, m * e.cols)), k);
}

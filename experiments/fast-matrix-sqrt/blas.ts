/**
 * The four square-root methods on the `native` backend: OpenBLAS gemm / LAPACK through `getLinalg()`, one matrix
 * of the batch at a time (BLAS has no batched gemm here). Same equations as `jax.ts`; elementwise steps are plain
 * loops. Every function is pure: inputs are never modified.
 *
 * Equations: Song, Sebe, Wang, "Fast Differentiable Matrix Square Root", ICLR 2022 (arXiv 2201.08663):
 * MTP Eq. 9, MPA Eqs. 10–12, Lyapunov backward by the matrix sign function Eqs. 14–17; NS iteration and its
 * backward from iSQRT-COV (Li et al., CVPR 2018), as in the official repo's So-ViT/src/normalization/MPN.py.
 */
import type { Float, Linalg, Mat } from "../../lib/math/linalg/mod.ts";

type M = Mat<Float>;

const like = (x: Float, n: number): Float => (x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n));

/** α·X + β·Y + γ·I (Y may be null). */
function comb(alpha: number, x: M, beta = 0, y: M | null = null, gamma = 0): M {
  const n = x.rows, out = like(x.data, x.data.length), xd = x.data, yd = y?.data;
  for (let i = 0; i < out.length; i++) out[i] = alpha * xd[i] + (yd ? beta * yd[i] : 0);
  if (gamma !== 0) { for (let i = 0; i < n; i++) out[i * n + i] += gamma; }
  return { rows: n, cols: n, data: out };
}

/** In place: S ← S + c·P. */
function axpy(s: M, c: number, p: M): void {
  for (let i = 0; i < s.data.length; i++) s.data[i] += c * p.data[i];
}

function frob(a: M): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * a.data[i];
  return Math.sqrt(s);
}

function trace(a: M): number {
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + i];
  return s;
}

/** Sum of entries of X ∘ Y (Frobenius inner product). */
function dot(x: M, y: M): number {
  let s = 0;
  for (let i = 0; i < x.data.length; i++) s += x.data[i] * y.data[i];
  return s;
}

/** Forward result shared by MTP and MPA: the root and the norm used to pre-normalize. */
export interface Normalized {
  sqrt: M[];
  norms: number[];
}

/**
 * MTP, Eq. 9: A^{1/2} ≈ √‖A‖_F · Σ_{k=0}^{K} a_k (I − A/‖A‖_F)^k, a_k the Taylor coefficients of √(1 − z).
 * K − 1 matmuls per matrix (the official code forms one more, unused, power).
 */
export function mtpForward(la: Linalg, batch: M[], a: Float64Array): Normalized {
  const norms = batch.map(frob);
  const sqrt = batch.map((A, i) => {
    const z = comb(-1 / norms[i], A, 0, null, 1); // I − A/‖A‖_F
    const s = comb(a[1], z, 0, null, a[0]);
    let p = z;
    for (let k = 2; k < a.length; k++) {
      p = la.matmul(p, z);
      axpy(s, a[k], p);
    }
    return comb(Math.sqrt(norms[i]), s);
  });
  return { sqrt, norms };
}

/**
 * MPA, Eqs. 10–12: A^{1/2} ≈ √‖A‖_F · Q_N⁻¹ P_M with P_M = Σ p_k Z^k, Q_N = Σ q_k Z^k, Z = I − A/‖A‖_F;
 * max(M, N) − 1 matmuls and one linear solve (LU) per matrix.
 */
export function mpaForward(la: Linalg, batch: M[], pq: { p: Float64Array; q: Float64Array }): Normalized {
  const norms = batch.map(frob);
  const deg = Math.max(pq.p.length, pq.q.length) - 1;
  const sqrt = batch.map((A, i) => {
    const z = comb(-1 / norms[i], A, 0, null, 1);
    const P = comb(pq.p[1] ?? 0, z, 0, null, pq.p[0]);
    const Q = comb(pq.q[1] ?? 0, z, 0, null, pq.q[0]);
    let zk = z;
    for (let k = 2; k <= deg; k++) {
      zk = la.matmul(zk, z);
      if (k < pq.p.length) axpy(P, pq.p[k], zk);
      if (k < pq.q.length) axpy(Q, pq.q[k], zk);
    }
    return comb(Math.sqrt(norms[i]), la.solve(Q, P));
  });
  return { sqrt, norms };
}

/**
 * Lyapunov backward, Eqs. 14–17: ∂l/∂A = X solving A^{1/2}X + XA^{1/2} = ∂l/∂A^{1/2}, by the coupled
 * Newton–Schulz iteration for sign([[B, C], [0, −B]]) with B₀ = A^{1/2}/√‖A‖_F, C₀ = (∂l/∂A^{1/2})/√‖A‖_F:
 *   C_{k+1} = ½(C_k(3I − B_k²) − B_k²C_k + B_kC_kB_k),  B_{k+1} = ½B_k(3I − B_k²),  X = ½C_K.
 * 6 matmuls per iteration (the final, unused B update is skipped).
 */
export function lyapunovBackward(la: Linalg, fwd: Normalized, grads: M[], iters: number): M[] {
  return fwd.sqrt.map((S, i) => {
    const r = 1 / Math.sqrt(fwd.norms[i]);
    let b = comb(r, S), c = comb(r, grads[i]);
    for (let k = 0; k < iters; k++) {
      const b2 = la.matmul(b, b);
      const t = comb(-1, b2, 0, null, 3); // 3I − B²
      const cb = la.matmul(la.matmul(b, c), b);
      c = comb(0.5, la.matmul(c, t), -0.5, la.matmul(b2, c));
      axpy(c, 0.5, cb);
      if (k < iters - 1) b = comb(0.5, la.matmul(b, t));
    }
    return comb(0.5, c);
  });
}

/** NS forward state kept for the backward (iSQRT-COV stores every Y_k, Z_k). */
export interface NsState {
  sqrt: M[];
  /** The pre-normalization constant c(A) of each matrix: tr(A) (iSQRT-COV) or ‖A‖_F (our ablation). */
  traces: number[];
  norm: "trace" | "frobenius";
  normed: M[];
  ys: M[][];
  zs: M[][];
}

/**
 * NS iteration as in iSQRT-COV (Li et al. 2018; the paper's NS baseline, §2): A_n = A/tr(A), Y₀ = A_n, Z₀ = I,
 * T_k = ½(3I − Z_kY_k), Y_{k+1} = Y_kT_k, Z_{k+1} = T_kZ_k; A^{1/2} ≈ √tr(A)·Y_N. 3N − 3 matmuls (the first
 * step uses Z₀ = I, the last skips Z).
 */
export function nsForward(la: Linalg, batch: M[], iters: number, norm: "trace" | "frobenius" = "trace"): NsState {
  if (iters < 2) throw new Error("nsForward: needs at least 2 iterations");
  const traces = batch.map(norm === "trace" ? trace : frob);
  const normed = batch.map((A, i) => comb(1 / traces[i], A));
  const ys: M[][] = [], zs: M[][] = [];
  const sqrt = normed.map((An, i) => {
    const z0 = comb(-0.5, An, 0, null, 1.5); // ½(3I − A_n)
    const Y = [la.matmul(An, z0)], Z = [z0];
    for (let k = 1; k < iters - 1; k++) {
      const t = comb(-0.5, la.matmul(Z[k - 1], Y[k - 1]), 0, null, 1.5);
      Y.push(la.matmul(Y[k - 1], t));
      Z.push(la.matmul(t, Z[k - 1]));
    }
    const last = Y.length - 1;
    const yN = la.matmul(Y[last], comb(-0.5, la.matmul(Z[last], Y[last]), 0, null, 1.5));
    ys.push(Y);
    zs.push(Z);
    return comb(Math.sqrt(traces[i]), yN);
  });
  return { sqrt, traces, norm, normed, ys, zs };
}

/**
 * NS backward by back-propagating through the iterations (iSQRT-COV Eqs. 7–9, official MPN.py `Sqrtm.backward`),
 * including the trace pre-normalization and the √tr post-compensation. Uses that every Y_k, Z_k is a symmetric
 * polynomial in A (so they commute), as the original does.
 */
export function nsBackward(la: Linalg, st: NsState, grads: M[]): M[] {
  return grads.map((G, i) => {
    const tr = st.traces[i], An = st.normed[i], Y = st.ys[i], Z = st.zs[i];
    const yNorm = comb(1 / Math.sqrt(tr), st.sqrt[i]); // Y_N
    const gY = comb(Math.sqrt(tr), G); // ∂l/∂Y_N
    const auxTr = dot(G, yNorm) / (2 * Math.sqrt(tr)); // ∂l/∂tr through the post-compensation
    const L = Y.length - 1;
    let dY = comb(
      0.5,
      la.matmul(gY, comb(-1, la.matmul(Y[L], Z[L]), 0, null, 3)),
      -0.5,
      la.matmul(la.matmul(Z[L], Y[L]), gY),
    );
    let dZ = comb(-0.5, la.matmul(la.matmul(Y[L], gY), Y[L]));
    for (let k = L - 1; k >= 0; k--) {
      const yz = comb(-1, la.matmul(Y[k], Z[k]), 0, null, 3); // 3I − Y_kZ_k
      const zy = la.matmul(Z[k], Y[k]);
      const dY2 = comb(0.5, la.matmul(dY, yz), -0.5, la.matmul(la.matmul(Z[k], dZ), Z[k]));
      axpy(dY2, -0.5, la.matmul(zy, dY));
      const dZ2 = comb(0.5, la.matmul(yz, dZ), -0.5, la.matmul(la.matmul(Y[k], dY), Y[k]));
      axpy(dZ2, -0.5, la.matmul(dZ, zy));
      dY = dY2;
      dZ = dZ2;
    }
    // Through Y₀ = A_n·½(3I − A_n), Z₀ = ½(3I − A_n):
    const dAn = comb(0.5, la.matmul(dY, comb(-1, An, 0, null, 3)), -0.5, dZ);
    axpy(dAn, -0.5, la.matmul(An, dY));
    // Through A_n = A/c(A) and √c(A), with ∂c/∂A = I (trace) or A/‖A‖_F (Frobenius):
    const A = comb(tr, An);
    const dc = auxTr - dot(dAn, A) / (tr * tr);
    return st.norm === "trace"
      ? comb(1 / tr, transposeSq(dAn), 0, null, dc)
      : comb(1 / tr, transposeSq(dAn), dc / tr, A);
  });
}

function transposeSq(a: M): M {
  const n = a.rows, out = like(a.data, n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a.data[i * n + j];
  return { rows: n, cols: n, data: out };
}

/** Eigendecomposition kept for the backward. */
export interface EigState {
  sqrt: M[];
  values: Float[];
  vectors: M[];
}

/** SVD/eigh baseline: A = UΛUᵀ (LAPACK syevd), A^{1/2} = U Λ^{1/2} Uᵀ (eigenvalues clamped at 0). */
export function eighForward(la: Linalg, batch: M[]): EigState {
  const values: Float[] = [], vectors: M[] = [];
  const sqrt = batch.map((A) => {
    const { values: w, vectors: U } = la.eigh(A);
    const n = A.rows, us = like(U.data, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) us[i * n + j] = U.data[i * n + j] * Math.sqrt(Math.max(w[j], 0));
    }
    values.push(w);
    vectors.push(U);
    return la.matmul({ rows: n, cols: n, data: us }, U, { transB: true });
  });
  return { sqrt, values, vectors };
}

/**
 * The eigh-based gradient: ∂l/∂A = U((Uᵀ ∂l/∂A^{1/2} U) ∘ K)Uᵀ with K_ij = 1/(√λ_i + √λ_j), the exact solution of
 * the Lyapunov equation in A's eigenbasis (equal to the SVD backward of the paper's §2 for this function).
 */
export function eighBackward(la: Linalg, st: EigState, grads: M[]): M[] {
  return grads.map((G, i) => {
    const U = st.vectors[i], w = st.values[i], n = U.rows;
    const m = la.matmul(la.matmul(U, G, { transA: true }), U);
    for (let r = 0; r < n; r++) {
      const sr = Math.sqrt(Math.max(w[r], 0));
      for (let c = 0; c < n; c++) {
        const den = sr + Math.sqrt(Math.max(w[c], 0));
        m.data[r * n + c] = den > 0 ? m.data[r * n + c] / den : 0;
      }
    }
    return la.matmul(la.matmul(U, m), U, { transB: true });
  });
}

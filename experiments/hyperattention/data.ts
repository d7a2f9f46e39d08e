/**
 * Synthetic Q/K/V for hyperattention, and the error measures.
 *
 * - `gaussian`: Q, K, V iid N(0, 1), as the official benchmark_single_attention.py draws them (torch.randn): every
 *   score s_ij = ⟨q_i, k_j⟩/√d is N(0, 1)-like, no entry is large (light entries only).
 * - `clustered` (HyperAttention's regime: a few large entries per row): n/c clusters of c tokens; token i of
 *   cluster u gets q_i = √(β√d)·u + σ·g, k_i = √(β√d)·u + σ·g' (u a random unit vector, g, g' iid N(0, I)), so a
 *   query scores ≈ β with the c keys of its cluster and ≈ N(0, β²/d) with the others. Token order is shuffled.
 *   V is iid N(0, 1) in both.
 *
 * Errors: ‖Õ − O‖₂/‖V‖₂ bounds the paper's guarantee ‖Õ − O‖₂ ≤ ε‖D⁻¹A‖₂‖V‖₂ from above (‖D⁻¹A‖₂ ≥ 1: the
 * matrix is row-stochastic); ‖Õ − O‖₂/‖O‖₂ and ‖Õ − O‖_F/‖O‖_F are the relative errors of the output.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { jacobiEigen } from "../../lib/math/linalg/jacobi.ts";
import { getLinalg, type Linalg, mat } from "../../lib/math/linalg/mod.ts";
import type { AttnOut, Qkv } from "./attention.ts";

/** Inputs of one run: Q/K/V, the exact output and normalisers, and ‖V‖₂. */
export interface AttnData extends Qkv {
  exact: Float64Array;
  lse: Float64Array;
  vNorm2: number;
}

/** The data parameters (see the module's config). */
export interface DataOptions {
  n: number;
  d: number;
  structure: "gaussian" | "clustered";
  clusterSize: number;
  heavyScore: number;
  noise: number;
}

/** Q, K, V of one structure (n×d each). */
export function makeQkv(o: DataOptions, rng: Rng): Qkv {
  const { n, d } = o;
  const v = rng.split("v").normal(n * d);
  if (o.structure === "gaussian") {
    return { q: rng.split("q").normal(n * d), k: rng.split("k").normal(n * d), v, nq: n, nk: n, d, dv: d };
  }
  const r = rng.split("clusters"), amp = Math.sqrt(o.heavyScore * Math.sqrt(d));
  const nc = Math.ceil(n / o.clusterSize);
  const centers = r.normal(nc * d);
  for (let c = 0; c < nc; c++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += centers[c * d + t] ** 2;
    for (let t = 0; t < d; t++) centers[c * d + t] *= amp / Math.sqrt(s);
  }
  const perm = r.permutation(n);
  const gq = rng.split("q").normal(n * d), gk = rng.split("k").normal(n * d);
  const q = new Float64Array(n * d), k = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(perm[i] / o.clusterSize);
    for (let t = 0; t < d; t++) {
      q[i * d + t] = centers[c * d + t] + o.noise * gq[i * d + t];
      k[i * d + t] = centers[c * d + t] + o.noise * gk[i * d + t];
    }
  }
  return { q, k, v, nq: n, nk: n, d, dv: d };
}

/** Q/K/V with the exact attention output (by {@link referenceAttention}), its normalisers and ‖V‖₂. */
export function makeData(o: DataOptions, rng: Rng): AttnData {
  const x = makeQkv(o, rng);
  const ex = referenceAttention(x, getLinalg());
  return { ...x, exact: ex.out, lse: ex.lse, vNorm2: spectralNorm(x.v, x.nk, x.dv) };
}

/**
 * Exact softmax attention through the run's dense matrix products (OpenBLAS where it loads), `chunk` query rows
 * at a time: S = Q_c Kᵀ/√d, P = exp(S − rowmax), O_c = (PV)/rowsum. The reference every method is scored against;
 * the timed `exact` method is the plain kernel of attention.ts, the same one the approximations use.
 */
export function referenceAttention(x: Qkv, la: Linalg, chunk = 512): AttnOut {
  const { nq, nk, d, dv } = x, scale = 1 / Math.sqrt(d);
  const out = new Float64Array(nq * dv), lse = new Float64Array(nq);
  const K = mat(nk, d, x.k), V = mat(nk, dv, x.v);
  for (let r0 = 0; r0 < nq; r0 += chunk) {
    const rows = Math.min(chunk, nq - r0);
    const S = la.matmul(mat(rows, d, x.q.subarray(r0 * d, (r0 + rows) * d)), K, { transB: true }).data;
    const sums = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let mx = -Infinity;
      for (let j = 0; j < nk; j++) mx = Math.max(mx, S[i * nk + j] * scale);
      let sum = 0;
      for (let j = 0; j < nk; j++) sum += S[i * nk + j] = Math.exp(S[i * nk + j] * scale - mx);
      sums[i] = sum;
      lse[r0 + i] = mx + Math.log(sum);
    }
    const O = la.matmul(mat(rows, nk, S), V).data;
    for (let i = 0; i < rows; i++) for (let c = 0; c < dv; c++) out[(r0 + i) * dv + c] = O[i * dv + c] / sums[i];
  }
  return { out, lse, ops: nq * nk * (d + dv) };
}

/** ‖M‖₂ of a tall n×c row-major matrix: √λ_max(MᵀM), by Jacobi on the c×c Gram. */
export function spectralNorm(m: Float64Array, n: number, c: number): number {
  const g = new Float64Array(c * c);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < c; a++) {
      const x = m[i * c + a];
      if (x === 0) continue;
      for (let b = a; b < c; b++) g[a * c + b] += x * m[i * c + b];
    }
  }
  for (let a = 0; a < c; a++) for (let b = 0; b < a; b++) g[a * c + b] = g[b * c + a];
  const { w } = jacobiEigen(g, c);
  return Math.sqrt(Math.max(0, ...w));
}

/** The error measures of an approximate output `o` (and normalisers `lse`) against the exact ones. */
export function outputErrors(data: AttnData, o: Float64Array, lse: Float64Array) {
  const { nq, dv } = data;
  const diff = new Float64Array(o.length);
  let num = 0, den = 0;
  for (let t = 0; t < o.length; t++) {
    diff[t] = o[t] - data.exact[t];
    num += diff[t] ** 2;
    den += data.exact[t] ** 2;
  }
  const e2 = spectralNorm(diff, nq, dv);
  let dErr = 0;
  for (let i = 0; i < nq; i++) dErr += Math.abs(Math.expm1(lse[i] - data.lse[i]));
  return {
    err_spec_v: e2 / data.vNorm2,
    err_spec: e2 / spectralNorm(data.exact, nq, dv),
    err_fro: Math.sqrt(num / den),
    d_err: dErr / nq,
  };
}

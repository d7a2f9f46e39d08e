/**
 * Nuclear-norm matrix completion and its high-dimensional representers (Tsai et al. 2023, the low-rank instance;
 * the official code's `HighDimRepresenter` with `normalize=True` on a soft-impute model).
 *
 * Model: Ẑ = argmin_Z ½ Σ_{(u,i)∈Ω} (Z_ui − R_ui)² + λ‖Z‖_*, solved by soft-impute (Mazumder, Hastie and Tibshirani
 * 2010): Z ← S_λ(P_Ω(R) + P_Ω⊥(Z)), S_λ soft-thresholding the singular values, whose fixed points are the minimizers.
 *
 * Representer: with Ẑ = UΣVᵀ (thin, rank r) and G = P_Ω(Ẑ − R), optimality says −G/λ = UVᵀ + W with UᵀW = 0,
 * WV = 0, hence Ẑ = −(1/λ) G VΣVᵀ = −(1/λ) UΣUᵀ G. Entry (u, t) is therefore, exactly,
 *   Ẑ_ut = Σ_{b:(u,b)∈Ω} α_ub ⟨ṽ_b, ṽ_t⟩   (item-based: the ratings of user u)
 *        = Σ_{a:(a,t)∈Ω} α_at ⟨ũ_a, ũ_u⟩   (user-based: the ratings of item t),
 * α = −G/λ, ṽ = V Σ^{1/2}, ũ = U Σ^{1/2}. Both sets score the training ratings that share the test entry's user or
 * item, as the official explainer does.
 */
import type { Linalg } from "../../lib/math/linalg/types.ts";

/** Observed ratings of an nu × ni matrix: entry k is (u[k], i[k]) with value r[k]. */
export interface Ratings {
  nu: number;
  ni: number;
  u: Int32Array;
  i: Int32Array;
  r: Float64Array;
}

/** A soft-impute solution: dense Ẑ (nu × ni, row-major), its thin SVD factors and the iterations taken. */
export interface SoftImputeFit {
  z: Float64Array;
  /** nu × r, column j scaled by √σ_j. */
  uTilde: Float64Array;
  /** ni × r, column j scaled by √σ_j. */
  vTilde: Float64Array;
  rank: number;
  iters: number;
  /** ‖Z_{k+1} − Z_k‖_F / max(1, ‖Z_k‖_F) at the last step. */
  change: number;
}

/** Soft-impute from `init` (default 0) until the relative change per step is below `tol`. */
export function softImpute(
  la: Linalg,
  data: Ratings,
  lambda: number,
  o: { tol?: number; maxIters?: number; init?: Float64Array } = {},
): SoftImputeFit {
  const { nu, ni } = data, tol = o.tol ?? 1e-10, maxIters = o.maxIters ?? 20000;
  let z = o.init ? Float64Array.from(o.init) : new Float64Array(nu * ni);
  let uT = new Float64Array(0), vT = new Float64Array(0), rank = 0, change = Infinity, iters = 0;
  while (iters < maxIters) {
    const filled = Float64Array.from(z);
    for (let k = 0; k < data.r.length; k++) filled[data.u[k] * ni + data.i[k]] = data.r[k];
    const { u, s, vt } = la.svd({ rows: nu, cols: ni, data: filled });
    const kmax = s.length;
    rank = 0;
    while (rank < kmax && s[rank] > lambda) rank++;
    uT = new Float64Array(nu * rank);
    vT = new Float64Array(ni * rank);
    for (let j = 0; j < rank; j++) {
      const w = Math.sqrt(s[j] - lambda);
      for (let a = 0; a < nu; a++) uT[a * rank + j] = u.data[a * u.cols + j] * w;
      for (let b = 0; b < ni; b++) vT[b * rank + j] = vt.data[j * ni + b] * w;
    }
    const next = new Float64Array(nu * ni);
    for (let a = 0; a < nu; a++) {
      for (let b = 0; b < ni; b++) {
        let v = 0;
        for (let j = 0; j < rank; j++) v += uT[a * rank + j] * vT[b * rank + j];
        next[a * ni + b] = v;
      }
    }
    let dz = 0, nz = 0;
    for (let k = 0; k < next.length; k++) {
      dz += (next[k] - z[k]) ** 2;
      nz += z[k] ** 2;
    }
    change = Math.sqrt(dz) / Math.max(1, Math.sqrt(nz));
    z = next;
    iters++;
    if (change < tol) break;
  }
  return { z, uTilde: uT, vTilde: vT, rank, iters, change };
}

/** One test entry's explanation: the training ratings it scores (indices into Ratings) and their values. */
export interface Explanation {
  /** Indices of training ratings in user u's row (item-based terms). */
  rowIdx: number[];
  rowScore: number[];
  /** Indices of training ratings in item t's column (user-based terms). */
  colIdx: number[];
  colScore: number[];
}

/** The training ratings of each user and of each item. */
export function incidence(data: Ratings): { byUser: number[][]; byItem: number[][] } {
  const byUser: number[][] = Array.from({ length: data.nu }, () => []);
  const byItem: number[][] = Array.from({ length: data.ni }, () => []);
  for (let k = 0; k < data.r.length; k++) {
    byUser[data.u[k]].push(k);
    byItem[data.i[k]].push(k);
  }
  return { byUser, byItem };
}

/** High-dimensional representer values of the training ratings for test entry (u, t). */
export function mcRepresenter(
  data: Ratings,
  fit: SoftImputeFit,
  lambda: number,
  inc: { byUser: number[][]; byItem: number[][] },
  u: number,
  t: number,
): Explanation {
  const r = fit.rank, ni = data.ni;
  const alpha = (k: number) => -(fit.z[data.u[k] * ni + data.i[k]] - data.r[k]) / lambda;
  const dot = (p: Float64Array, a: number, b: number) => {
    let s = 0;
    for (let j = 0; j < r; j++) s += p[a * r + j] * p[b * r + j];
    return s;
  };
  const rowIdx = inc.byUser[u], colIdx = inc.byItem[t];
  return {
    rowIdx,
    rowScore: rowIdx.map((k) => alpha(k) * dot(fit.vTilde, data.i[k], t)),
    colIdx,
    colScore: colIdx.map((k) => alpha(k) * dot(fit.uTilde, data.u[k], u)),
  };
}

/**
 * Synthetic incoherent rank-k matrix completion instances: M = U*·diag(σ)·V*ᵀ with U*, V* the orthonormalized
 * n×k Gaussian factors (incoherent with high probability), σ geometric from 1 down to 1/κ, and Ω drawn
 * entrywise with probability p (the model of JNS13 and of Gu–Song–Yin–Zhang, "uniformly at random").
 * Only the observed entries are ever formed: |Ω|·k work, stored twice (by row and by column).
 */
import type { Rng } from "../../lib/math/rng.ts";
import { orthonormalize } from "./dense.ts";

/** Compressed sparse rows: entries of row r are idx/val[ptr[r] .. ptr[r+1]). */
export interface Csr {
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

export interface McData {
  n: number;
  k: number;
  p: number;
  uStar: Float64Array; // n×k, orthonormal columns
  vStar: Float64Array; // n×k, orthonormal columns
  sigma: Float64Array; // k singular values, descending
  /** Incoherence μ = max row norm of U*, V* times √(n/k) (1 ≤ μ ≤ √(n/k)). */
  mu: number;
  byRow: Csr; // row i: observed columns j and M_ij
  byCol: Csr; // column j: observed rows i and M_ij
}

export function makeInstance(
  opts: { n: number; k: number; p: number; kappa: number },
  rng: Rng,
): McData {
  const { n, k, p, kappa } = opts;
  const uStar = orthonormalize(rng.split("U").normal(n * k), n, k);
  const vStar = orthonormalize(rng.split("V").normal(n * k), n, k);
  const sigma = new Float64Array(k);
  for (let l = 0; l < k; l++) sigma[l] = k === 1 ? 1 : Math.pow(kappa, -l / (k - 1));
  let mu = 0;
  for (const f of [uStar, vStar]) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += f[i * k + l] ** 2;
      mu = Math.max(mu, Math.sqrt((s * n) / k));
    }
  }
  // Ω: each entry independently with probability p, drawn row by row with geometric skips (O(|Ω|) draws).
  const omegaRng = rng.split("omega");
  const rowsOf: number[] = [], colsOf: number[] = [];
  const logq = Math.log1p(-p);
  for (let i = 0; i < n; i++) {
    let j = -1;
    for (;;) {
      j += p >= 1 ? 1 : 1 + Math.floor(Math.log(1 - omegaRng.uniform()) / logq);
      if (j >= n) break;
      rowsOf.push(i);
      colsOf.push(j);
    }
  }
  const nnz = rowsOf.length;
  const byRow: Csr = { ptr: new Int32Array(n + 1), idx: new Int32Array(nnz), val: new Float64Array(nnz) };
  for (let e = 0; e < nnz; e++) {
    const i = rowsOf[e], j = colsOf[e];
    let s = 0;
    for (let l = 0; l < k; l++) s += uStar[i * k + l] * sigma[l] * vStar[j * k + l];
    byRow.idx[e] = j;
    byRow.val[e] = s;
    byRow.ptr[i + 1]++;
  }
  for (let i = 0; i < n; i++) byRow.ptr[i + 1] += byRow.ptr[i];
  return { n, k, p, uStar, vStar, sigma, mu, byRow, byCol: transpose(byRow, n) };
}

/** The same entries grouped by column (counting sort, O(|Ω|)). */
export function transpose(a: Csr, nCols: number): Csr {
  const nnz = a.idx.length, nRows = a.ptr.length - 1;
  const t: Csr = { ptr: new Int32Array(nCols + 1), idx: new Int32Array(nnz), val: new Float64Array(nnz) };
  for (let e = 0; e < nnz; e++) t.ptr[a.idx[e] + 1]++;
  for (let j = 0; j < nCols; j++) t.ptr[j + 1] += t.ptr[j];
  const fill = t.ptr.slice(0, nCols);
  for (let i = 0; i < nRows; i++) {
    for (let e = a.ptr[i]; e < a.ptr[i + 1]; e++) {
      const j = a.idx[e], dst = fill[j]++;
      t.idx[dst] = i;
      t.val[dst] = a.val[e];
    }
  }
  return t;
}

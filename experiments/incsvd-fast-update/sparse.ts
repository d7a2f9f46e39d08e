/**
 * A minimal CSR sparse matrix: what the evolving matrix and its appended row blocks are stored as.
 * (No sparse type exists in lib/; this one is all the experiment needs.)
 */
import type { Rng } from "../../lib/math/rng.ts";

export interface Csr {
  rows: number;
  cols: number;
  /** Row i's entries are indices/data[indptr[i] .. indptr[i+1]), column indices ascending. */
  indptr: Int32Array;
  indices: Int32Array;
  data: Float64Array;
}

/**
 * A rows×cols matrix with round(density·rows·cols) nonzeros at distinct uniform positions, values
 * scale·U[0, 1) — the generator of `scipy.sparse.rand` as used in the official tutorial.ipynb.
 */
export function randSparse(rows: number, cols: number, density: number, rng: Rng, scale = 1): Csr {
  const nnz = Math.round(density * rows * cols);
  const picked = new Set<number>();
  while (picked.size < nnz) picked.add(rng.int(rows * cols));
  const pos = Int32Array.from(picked).sort();
  const indptr = new Int32Array(rows + 1), indices = new Int32Array(nnz), data = new Float64Array(nnz);
  pos.forEach((p, t) => {
    indptr[Math.floor(p / cols) + 1]++;
    indices[t] = p % cols;
    data[t] = scale * rng.uniform();
  });
  for (let i = 0; i < rows; i++) indptr[i + 1] += indptr[i];
  return { rows, cols, indptr, indices, data };
}

/** Rows [lo, hi) as their own CSR matrix. */
export function rowSlice(a: Csr, lo: number, hi: number): Csr {
  const s = a.indptr[lo], e = a.indptr[hi];
  return {
    rows: hi - lo,
    cols: a.cols,
    indptr: a.indptr.slice(lo, hi + 1).map((x) => x - s),
    indices: a.indices.slice(s, e),
    data: a.data.slice(s, e),
  };
}

/** Write `a` densely (row-major) into `out` starting at row `row0`; `out` has a.cols columns. */
export function scatterRows(a: Csr, out: Float64Array, row0 = 0): Float64Array {
  for (let i = 0; i < a.rows; i++) {
    for (let t = a.indptr[i]; t < a.indptr[i + 1]; t++) out[(row0 + i) * a.cols + a.indices[t]] = a.data[t];
  }
  return out;
}

/** The dense row-major copy of `a`. */
export const toDense = (a: Csr): Float64Array => scatterRows(a, new Float64Array(a.rows * a.cols));

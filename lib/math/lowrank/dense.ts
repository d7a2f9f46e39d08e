/**
 * Small dense float64 helpers for the low-rank family, typed as float64 row-major `Mat`s (`M64`): products,
 * Frobenius norms, eigen/singular value decompositions. The decompositions and products go through the run's
 * linear algebra (`getLinalg()`: OpenBLAS/LAPACK on `native`, ml-matrix on `js`), so one implementation serves
 * every paper and the run record says where it computed.
 *
 * @example
 * ```ts
 * const a = fromRows([[3, 0], [4, 5]]);
 * svdvals(a); // Float64Array [6.708..., 2.236...]
 * ```
 */
import { getLinalg, type Mat } from "../linalg/mod.ts";

/** A float64 row-major matrix. */
export type M64 = Mat<Float64Array>;

/** An all-zero rows×cols matrix. */
export function zeros(rows: number, cols: number): M64 {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Wrap `data` (row-major, length rows·cols) as a matrix without copying. */
export function mat(rows: number, cols: number, data: Float64Array): M64 {
  if (data.length !== rows * cols) throw new Error(`mat: ${data.length} values for a ${rows}×${cols} matrix`);
  return { rows, cols, data };
}

/** A matrix from nested arrays, e.g. `fromRows([[1, 2], [3, 4]])`. */
export function fromRows(rows: number[][]): M64 {
  const m = zeros(rows.length, rows[0]?.length ?? 0);
  rows.forEach((r, i) => r.forEach((v, j) => (m.data[i * m.cols + j] = v)));
  return m;
}

/** The n×n identity. */
export function eye(n: number): M64 {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** A copy of `a`. */
export function clone(a: M64): M64 {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

/** Aᵀ. */
export function transpose(a: M64): M64 {
  const t = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

/**
 * C = op(A)·op(B) with optional transposes.
 *
 * @example `matmul(u, u, { transB: true })` is U·Uᵀ.
 */
export function matmul(a: M64, b: M64, opts: { transA?: boolean; transB?: boolean } = {}): M64 {
  return getLinalg().matmul(a, b, opts);
}

/** U·Uᵀ (symmetric, n×n for U n×r). */
export function gram(u: M64): M64 {
  const n = u.rows, r = u.cols, g = zeros(n, n), U = u.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += U[i * r + k] * U[j * r + k];
      g.data[i * n + j] = s;
      g.data[j * n + i] = s;
    }
  }
  return g;
}

/** A + βB (new matrix). */
export function axpy(a: M64, b: M64, beta = 1): M64 {
  const c = clone(a);
  for (let i = 0; i < c.data.length; i++) c.data[i] += beta * b.data[i];
  return c;
}

/** Scalar multiple βA (new matrix). */
export function scale(a: M64, beta: number): M64 {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v) => v * beta) };
}

/** ⟨A, B⟩ = Σ A_ij B_ij. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** ‖A‖_F (or the Euclidean norm of a vector). */
export function frobenius(a: M64 | ArrayLike<number>): number {
  const d = "data" in a ? a.data : a;
  return Math.sqrt(dot(d, d));
}

/** ‖A − B‖_F. */
export function frobDist(a: M64, b: M64): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i] - b.data[i]) ** 2;
  return Math.sqrt(s);
}

/** (A + Aᵀ)/2 (new matrix). */
export function symmetrize(a: M64): M64 {
  const n = a.rows, s = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) s.data[i * n + j] = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
  }
  return s;
}

/** Symmetric eigendecomposition of (A + Aᵀ)/2: eigenvalues ascending, eigenvectors as columns. */
export function symEig(a: M64): { values: Float64Array; vectors: M64 } {
  if (a.cols !== a.rows) throw new Error("symEig: matrix is not square");
  return getLinalg().eigh(symmetrize(a));
}

/** Thin SVD: A = U·diag(s)·Vᵀ, s descending, U m×k, Vt k×n, k = min(m, n). */
export function svd(a: M64): { u: M64; s: Float64Array; vt: M64 } {
  return getLinalg().svd(a);
}

/** Singular values, descending. */
export function svdvals(a: M64): Float64Array {
  return getLinalg().svdvals(a);
}

/** Orthonormalize the columns of A (n×r, r ≤ n): the Q of its thin QR (R with a positive diagonal). */
export function orthonormalize(a: M64): M64 {
  if (a.cols > a.rows) throw new Error("orthonormalize: more columns than rows");
  return getLinalg().qr(a).q;
}

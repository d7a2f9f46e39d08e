/**
 * The dense linear-algebra API every method calls. One interface, several implementations:
 * `native` (OpenBLAS + LAPACK through Deno FFI) and `js` (pure TypeScript fallback, ml-matrix).
 *
 * Matrices are row-major `Mat`s over Float64Array (float64) or Float32Array (float32); results come back in
 * the input's precision. Errors from LAPACK's `info` are thrown as `LinalgError` with a sentence a person can act on.
 */
export type Float = Float64Array | Float32Array;

/** A dense row-major matrix. `data.length === rows * cols`. */
export interface Mat<T extends Float = Float> {
  rows: number;
  cols: number;
  data: T;
}

/**
 * A linear-algebra failure (bad shapes, a singular or non-positive-definite matrix, a LAPACK error code) under one name
 * callers can catch.
 */
export class LinalgError extends Error {
  override name = "LinalgError";
}

/** Which implementation a Linalg is (native or js), its library and BLAS threads, recorded with every run. */
export interface LinalgInfo {
  /** "native" or "js". */
  kind: "native" | "js";
  /** e.g. "OpenBLAS 0.3.21 + LAPACKE 3.11" or "ml-matrix 6.15.1". */
  library: string;
  /** BLAS threads in use (1 for js). */
  threads: number;
}

/**
 * The dense linear algebra every method uses, with one native (OpenBLAS + LAPACKE) and one pure-JS implementation, so
 * results do not depend on which loads.
 */
export interface Linalg {
  readonly info: LinalgInfo;
  /** C = op(A) · op(B). */
  matmul<T extends Float>(a: Mat<T>, b: Mat<T>, opts?: { transA?: boolean; transB?: boolean }): Mat<T>;
  /** Thin SVD by default (U: m×k, s: k, Vt: k×n with k = min(m, n)); `full` gives square U and Vt. */
  svd<T extends Float>(a: Mat<T>, opts?: { full?: boolean }): { u: Mat<T>; s: T; vt: Mat<T> };
  /** Singular values only, descending. */
  svdvals<T extends Float>(a: Mat<T>): T;
  /**
   * Symmetric eigendecomposition (lower triangle read), eigenvalues ascending, eigenvectors as columns.
   * `range: [lo, hi]` (0-based, inclusive) computes only those eigenpairs.
   */
  eigh<T extends Float>(a: Mat<T>, opts?: { range?: [number, number] }): { values: T; vectors: Mat<T> };
  /** Lower Cholesky factor L with A = L·Lᵀ. Throws LinalgError naming the failing leading minor. */
  cholesky<T extends Float>(a: Mat<T>): Mat<T>;
  /** Solve A·X = B given the lower Cholesky factor L of A. */
  choSolve<T extends Float>(l: Mat<T>, b: Mat<T>): Mat<T>;
  /** Solve A·X = B for square A by LU with partial pivoting. Throws LinalgError if A is singular. */
  solve<T extends Float>(a: Mat<T>, b: Mat<T>): Mat<T>;
  /** Thin QR: Q m×k with orthonormal columns, R k×n upper triangular, k = min(m, n). */
  qr<T extends Float>(a: Mat<T>): { q: Mat<T>; r: Mat<T> };
  /** Minimum-norm least-squares solution of A·X ≈ B. */
  lstsq<T extends Float>(a: Mat<T>, b: Mat<T>): Mat<T>;
  /** Solve op(T)·X = B for triangular T. */
  triSolve<T extends Float>(t: Mat<T>, b: Mat<T>, opts: { lower: boolean; trans?: boolean }): Mat<T>;
}

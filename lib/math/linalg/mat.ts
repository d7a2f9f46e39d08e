/**
 * Small helpers over `Mat` that methods need all the time: constructors, transpose, norms, dtype conversion,
 * random matrices, and conversion to and from jax-js arrays. None of them mutate their inputs.
 *
 * @example
 * ```ts
 * const a = fromRows([[4, 1], [1, 3]]);
 * const x = randn(2, 3, Rng.fromSeed(0).split("data"));
 * const back = await fromJax(toJax(a)); // same values, Float64Array
 * ```
 */
import { numpy as np } from "@jax-js/jax";
import { type Float, LinalgError, type Mat } from "./types.ts";

/** Element type of a matrix. */
export type DType = "float64" | "float32";

/** A matrix of `rows × cols`: zeros (float64) when `data` is omitted; typed arrays are used as is, not copied. */
export function mat(rows: number, cols: number): Mat<Float64Array>;
export function mat<T extends Float>(rows: number, cols: number, data: T): Mat<T>;
export function mat(rows: number, cols: number, data: ArrayLike<number>): Mat<Float64Array>;
export function mat(rows: number, cols: number, data?: ArrayLike<number>): Mat {
  checkDims(rows, cols);
  let d: Float;
  if (data === undefined) d = new Float64Array(rows * cols);
  else if (data instanceof Float64Array || data instanceof Float32Array) d = data;
  else d = Float64Array.from(data);
  if (d.length !== rows * cols) {
    throw new LinalgError(`mat: data has ${d.length} entries but ${rows}×${cols} needs ${rows * cols}`);
  }
  return { rows, cols, data: d };
}

/** A zero matrix in the given precision (float64 by default). */
export function zeros(rows: number, cols: number, dtype: DType = "float64"): Mat {
  checkDims(rows, cols);
  return { rows, cols, data: alloc(dtype, rows * cols) };
}

/** The n×n identity. */
export function eye(n: number, dtype: DType = "float64"): Mat {
  const m = zeros(n, n, dtype);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** A matrix from an array of equal-length rows. */
export function fromRows(rows: number[][], dtype: DType = "float64"): Mat {
  const r = rows.length, c = r ? rows[0].length : 0;
  const m = zeros(r, c, dtype);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) throw new LinalgError(`fromRows: row ${i} has ${rows[i].length} entries, row 0 has ${c}`);
    m.data.set(rows[i], i * c);
  }
  return m;
}

/** The rows of a matrix as plain arrays (for printing and tests). */
export function toRows(m: Mat): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

/** "float64" or "float32". */
export function dtypeOf(m: Mat): DType {
  return m.data instanceof Float32Array ? "float32" : "float64";
}

/** Aᵀ as a new matrix in the same precision. */
export function transpose<T extends Float>(a: Mat<T>): Mat<T> {
  const { rows: r, cols: c, data: x } = a;
  const y = like(x, r * c);
  // Blocked so both reads and writes stay in cache for large matrices.
  const B = 32;
  for (let i0 = 0; i0 < r; i0 += B) {
    for (let j0 = 0; j0 < c; j0 += B) {
      const i1 = Math.min(r, i0 + B), j1 = Math.min(c, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) y[j * r + i] = x[i * c + j];
    }
  }
  return { rows: c, cols: r, data: y };
}

/** Frobenius norm ‖A‖_F in float64; rescales only when the plain sum of squares would overflow or underflow. */
export function frobenius(a: Mat): number {
  const d = a.data;
  let ss = 0;
  for (let i = 0; i < d.length; i++) ss += d[i] * d[i];
  if (ss > 1e-300 && ss < Infinity) return Math.sqrt(ss);
  let scale = 0;
  for (let i = 0; i < d.length; i++) scale = Math.max(scale, Math.abs(d[i]));
  if (scale === 0 || scale === Infinity || Number.isNaN(ss)) return scale === 0 ? 0 : ss === ss ? Infinity : NaN;
  ss = 0;
  for (let i = 0; i < d.length; i++) ss += (d[i] / scale) ** 2;
  return scale * Math.sqrt(ss);
}

/** A − B (same shape and precision). */
export function sub<T extends Float>(a: Mat<T>, b: Mat<T>): Mat<T> {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new LinalgError(`sub: shapes differ (${a.rows}×${a.cols} vs ${b.rows}×${b.cols})`);
  }
  const y = like(a.data, a.data.length);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i] - b.data[i];
  return { rows: a.rows, cols: a.cols, data: y };
}

/** A deep copy. */
export function clone<T extends Float>(a: Mat<T>): Mat<T> {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() as T };
}

/** A float32 copy (rounds to nearest). */
export function toFloat32(a: Mat): Mat<Float32Array> {
  return { rows: a.rows, cols: a.cols, data: Float32Array.from(a.data) };
}

/** A float64 copy (exact). */
export function toFloat64(a: Mat): Mat<Float64Array> {
  return { rows: a.rows, cols: a.cols, data: Float64Array.from(a.data) };
}

/** A matrix of standard normal draws from `rng` (anything with `normal(n): Float64Array`, e.g. `Rng`). */
export function randn(
  rows: number,
  cols: number,
  rng: { normal(n: number): Float64Array },
  dtype: DType = "float64",
): Mat {
  checkDims(rows, cols);
  const x = rng.normal(rows * cols);
  return { rows, cols, data: dtype === "float32" ? Float32Array.from(x) : x };
}

// ---- jax-js interop ---------------------------------------------------------------------------------------

/** The jax-js array type (kept loose so this module does not depend on jax-js internals). */
export type JaxArray = ReturnType<typeof np.array>;

/** A jax-js array of shape [rows, cols] with the matrix's dtype. The data is copied, so later edits to `m` do not leak in. */
export function toJax(m: Mat): JaxArray {
  const dtype = m.data instanceof Float32Array ? np.float32 : np.float64;
  return np.array(m.data.slice(), { dtype, shape: [m.rows, m.cols] });
}

/**
 * A `Mat` from a 2-D jax-js array. Consumes `arr` (like every jax-js read): pass `arr.ref` to keep it.
 * float32 stays float32; every other dtype comes back as float64.
 */
export async function fromJax(arr: JaxArray): Promise<Mat> {
  const shape = arr.shape, dtype = arr.dtype;
  if (shape.length !== 2) {
    arr.dispose();
    throw new LinalgError(`fromJax: expected a 2-D array, got shape [${shape.join(", ")}]`);
  }
  const raw = await arr.data();
  const data = dtype === np.float32
    ? (raw as Float32Array)
    : raw instanceof Float64Array
    ? raw
    : Float64Array.from(raw as ArrayLike<number>);
  return { rows: shape[0], cols: shape[1], data: data as Float };
}

/** A zeroed array of `n` elements in the same precision as `x`. */
export function like<T extends Float>(x: T, n: number): T {
  return (x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n)) as T;
}

function alloc(dtype: DType, n: number): Float {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

function checkDims(rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new LinalgError(`matrix dimensions must be non-negative integers, got ${rows}×${cols}`);
  }
}

/**
 * The three int8 matmul schemes of LLM.int8() (Dettmers et al. 2022, §3), for Y = X·W with X n×h (tokens ×
 * hidden features) and W h×o, following the official code's default (reference) backend,
 * bitsandbytes/backends/default/ops.py (`int8_vectorwise_quant`, `int8_mm_dequant`, `int8_mixed_scaled_mm`):
 *
 * - int8 rounding: q = round(x · 127 / absmax) (round half to even, as torch.round), clamped to [−127, 127]
 *   (the clamp never acts: |x| ≤ absmax); dequantisation multiplies the int32 accumulator by
 *   (s_x · s_w) / 127², where s is the absmax the scale came from (the code's `6.200124e-05` = 1/127²).
 * - (a) absmax: one scale for all of X and one for all of W.
 * - (b) vector-wise: one scale per row of X (per token) and one per column of W (per output feature; the code
 *   quantises the weight B = Wᵀ, o×h, row-wise, which is the same thing).
 * - (c) vector-wise + mixed-precision decomposition: the columns of X (feature dimensions) holding any |x| ≥ α
 *   (default α = 6.0) are multiplied in 16 bit, X₁₆[:, O]·W₁₆[O, :], and the rest in int8 as in (b). As in the
 *   official code, the row scales of X are taken after zeroing only the outlier entries (|x| ≥ α), and then the
 *   whole outlier columns are zeroed in the int8 matrix. `weightOutliers: "int8"` is the official inference
 *   path (Linear8bitLt without fp16 weights): the weight rows of the outlier dimensions are the int8 weight
 *   dequantised (CB·SCB/127, cast to fp16), not the original 16-bit weight the paper describes.
 *
 * Inputs are cast to float16 first (the code's `A.to(torch.float16)`, `B.to(torch.float16)`); integer products
 * are summed exactly (in float64 through the run's BLAS: |Σ| ≤ 127²·h < 2⁵³); dequantisation and the 16-bit
 * outlier product are in float64 (the code: float32 accumulate, float16 output — see the module's deviations).
 */
import type { Linalg, Mat } from "../../lib/math/linalg/types.ts";

export const QMAX = 127;

/** torch.round: nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** One value to int8 with scale 127/absmax (0 when absmax is 0). */
export function quantize(x: number, absmax: number): number {
  if (absmax === 0) return 0;
  const q = roundHalfEven(x * (QMAX / absmax));
  return q > QMAX ? QMAX : q < -QMAX ? -QMAX : q;
}

/** A matrix in float16 (each entry rounded to the nearest half-precision value). */
export function toF16(m: Mat<Float64Array>): Mat<Float64Array> {
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.f16round(m.data[i]);
  return { rows: m.rows, cols: m.cols, data };
}

/** int8 codes (held as float64 integers, for BLAS) with one absmax per row, per column, or for the whole tensor. */
export interface Int8Mat {
  q: Mat<Float64Array>;
  /** absmax per row (axis "row"), per column (axis "col"), or one value (axis "tensor"). */
  absmax: Float64Array;
  axis: "row" | "col" | "tensor";
}

/** Absmax (per-tensor) quantisation: one scale for the whole matrix. */
export function quantTensor(m: Mat<Float64Array>): Int8Mat {
  let a = 0;
  for (const v of m.data) a = Math.max(a, Math.abs(v));
  const q = new Float64Array(m.data.length);
  for (let i = 0; i < q.length; i++) q[i] = quantize(m.data[i], a);
  return { q: { rows: m.rows, cols: m.cols, data: q }, absmax: Float64Array.of(a), axis: "tensor" };
}

/**
 * Row-wise quantisation (`int8_vectorwise_quant`). With threshold α > 0: entries with |x| ≥ α are left out of
 * the row absmax, and every column holding one (returned sorted in `outlierCols`) is zeroed in the codes.
 */
export function quantRows(m: Mat<Float64Array>, threshold = 0): Int8Mat & { outlierCols: number[] } {
  const { rows, cols, data } = m;
  const isOutlierCol = new Uint8Array(cols);
  const absmax = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let a = 0;
    for (let j = 0; j < cols; j++) {
      const v = Math.abs(data[i * cols + j]);
      if (threshold > 0 && v >= threshold) isOutlierCol[j] = 1;
      else if (v > a) a = v;
    }
    absmax[i] = a;
  }
  const q = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      q[i * cols + j] = threshold > 0 && Math.abs(v) >= threshold ? 0 : quantize(v, absmax[i]);
    }
  }
  const outlierCols: number[] = [];
  for (let j = 0; j < cols; j++) if (isOutlierCol[j]) outlierCols.push(j);
  if (rows > 1) { for (const j of outlierCols) for (let i = 0; i < rows; i++) q[i * cols + j] = 0; }
  return { q: { rows, cols, data: q }, absmax, axis: "row", outlierCols };
}

/** Column-wise quantisation of W (h×o): one scale per output feature (the code's row-wise quantisation of Wᵀ). */
export function quantCols(m: Mat<Float64Array>): Int8Mat {
  const { rows, cols, data } = m;
  const absmax = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) absmax[j] = Math.max(absmax[j], Math.abs(data[i * cols + j]));
  }
  const q = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) q[i * cols + j] = quantize(data[i * cols + j], absmax[j]);
  }
  return { q: { rows, cols, data: q }, absmax, axis: "col" };
}

/** Dequantise back to float64: q · absmax / 127 (`int8_vectorwise_dequant` for rows and columns). */
export function dequant(a: Int8Mat): Mat<Float64Array> {
  const { rows, cols, data } = a.q;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const s = a.axis === "row" ? a.absmax[i] : a.axis === "col" ? a.absmax[j] : a.absmax[0];
      out[i * cols + j] = data[i * cols + j] * s / QMAX;
    }
  }
  return { rows, cols, data: out };
}

/** The int8 product with dequantisation (`int8_scaled_mm`): (Qx·Qw)_ij · s_x(i) · s_w(j) / 127². */
export function int8ScaledMatmul(x: Int8Mat, w: Int8Mat, la: Linalg): Mat<Float64Array> {
  if (x.axis === "col" || w.axis === "row") throw new Error("X is scaled per row or tensor, W per column or tensor");
  const acc = la.matmul(x.q, w.q);
  const { rows, cols, data } = acc;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const sx = x.axis === "row" ? x.absmax[i] : x.absmax[0];
    for (let j = 0; j < cols; j++) {
      const sw = w.axis === "col" ? w.absmax[j] : w.absmax[0];
      out[i * cols + j] = data[i * cols + j] * (sx * sw) / (QMAX * QMAX);
    }
  }
  return { rows, cols, data: out };
}

/** The result of one scheme: the product and how many feature dimensions went through 16 bit. */
export interface SchemeResult {
  y: Mat<Float64Array>;
  decomposed: number;
}

/** Reference 16-bit product: float16 inputs, exact (float64) accumulation. */
export function matmulF16(x: Mat<Float64Array>, w: Mat<Float64Array>, la: Linalg): SchemeResult {
  return { y: la.matmul(toF16(x), toF16(w)), decomposed: 0 };
}

/** (a) absmax (per-tensor) int8 matmul. */
export function matmulAbsmax(x: Mat<Float64Array>, w: Mat<Float64Array>, la: Linalg): SchemeResult {
  return { y: int8ScaledMatmul(quantTensor(toF16(x)), quantTensor(toF16(w)), la), decomposed: 0 };
}

/** (b) vector-wise int8 matmul: row scales for X, column scales for W. */
export function matmulVectorwise(x: Mat<Float64Array>, w: Mat<Float64Array>, la: Linalg): SchemeResult {
  return { y: int8ScaledMatmul(quantRows(toF16(x)), quantCols(toF16(w)), la), decomposed: 0 };
}

/** Options of the decomposition: threshold α and where the weight rows of outlier dimensions come from. */
export interface DecompOptions {
  threshold: number;
  /** "f16": the original weight in float16 (the paper); "int8": the int8 weight dequantised (official inference). */
  weightOutliers: "f16" | "int8";
}

/** (c) LLM.int8(): vector-wise int8 for the regular dimensions + 16-bit product over the outlier dimensions. */
export function matmulLlmInt8(
  x: Mat<Float64Array>,
  w: Mat<Float64Array>,
  la: Linalg,
  opts: DecompOptions,
): SchemeResult {
  const x16 = toF16(x), w16 = toF16(w);
  const qx = quantRows(x16, opts.threshold), qw = quantCols(w16);
  const y = int8ScaledMatmul(qx, qw, la);
  const cols = qx.outlierCols;
  if (cols.length === 0) return { y, decomposed: 0 };
  const n = x.rows, h = x.cols, o = w.cols, k = cols.length;
  const wSrc = opts.weightOutliers === "f16" ? w16 : toF16(dequant(qw));
  const subX = new Float64Array(n * k), subW = new Float64Array(k * o);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) subX[i * k + c] = x16.data[i * h + cols[c]];
  for (let c = 0; c < k; c++) subW.set(wSrc.data.subarray(cols[c] * o, (cols[c] + 1) * o), c * o);
  const yo = la.matmul({ rows: n, cols: k, data: subX }, { rows: k, cols: o, data: subW });
  for (let i = 0; i < y.data.length; i++) y.data[i] += yo.data[i];
  return { y, decomposed: k };
}

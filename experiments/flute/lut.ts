/**
 * Weight-only lookup-table (LUT) quantisation as FLUTE defines it (HanGuo97/flute, flute/nf_utils.py): a weight
 * matrix is cut into groups of `g` consecutive weights along the input dimension; each group keeps one scale s (its
 * absmax) and each weight the index of the nearest table value to w / s, so that the dequantised weight is
 * table[q] · s. The tables:
 *
 * - NormalFloat (`get_values_pivots(bits, symmetric=False)`): with offset δ = ½(1/32 + 1/30) and Φ⁻¹ the standard
 *   normal quantile, 2^(b−1) values −Φ⁻¹(p) for p evenly spaced from 1 − δ down to ½ (the last is 0) and 2^(b−1)
 *   values Φ⁻¹(p) for p evenly spaced from ½ to 1 − δ (the first dropped), all divided by the largest |value|.
 *   For b = 4 the repository overrides this with QLoRA's hard-coded float32 NF4 table ({@link NF4_REPO}); the
 *   construction reproduces it to float32 rounding (an identity check).
 * - Uniform (int) baseline: 2^b evenly spaced values on [−1, 1] with the same absmax scale (an "int" table in
 *   FLUTE's sense: any table is allowed).
 *
 * Rounding follows `torch.searchsorted(pivots, w / s)` with pivots the midpoints of consecutive table values: the
 * index is the first pivot ≥ w / s, i.e. the nearest value with ties going to the lower one.
 */

/** QLoRA's NF4 table as flute/nf_utils.py hard-codes it (float32 values written in decimal). */
export const NF4_REPO = [
  -1.0,
  -0.6961928009986877,
  -0.5250730514526367,
  -0.39491748809814453,
  -0.28444138169288635,
  -0.18477343022823334,
  -0.09105003625154495,
  0.0,
  0.07958029955625534,
  0.16093020141124725,
  0.24611230194568634,
  0.33791524171829224,
  0.44070982933044434,
  0.5626170039176941,
  0.7229568362236023,
  1.0,
];

/** Standard normal quantile Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p = ${p} outside (0, 1)`);
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + (i / (n - 1)) * (b - a));

/** The NormalFloat table of `bits` bits built as get_values_pivots does (before its NF4 override), ascending. */
export function nfTableBuilt(bits: number): number[] {
  const off = 0.5 * (1 / 32 + 1 / 30), h = 2 ** (bits - 1);
  // p = ½ gives Φ⁻¹ = 0 exactly (−0 → 0)
  const q = (p: number) => (p === 0.5 ? 0 : normalQuantile(p));
  const neg = linspace(1 - off, 0.5, h).map((p) => -q(p) + 0);
  const pos = linspace(0.5, 1 - off, h + 1).slice(1).map(q);
  const v = [...neg, ...pos], m = Math.max(...v.map(Math.abs));
  return v.map((x) => x / m);
}

/** A quantisation scheme: its table (ascending, within [−1, 1]) and group size. */
export interface LutScheme {
  table: number[];
  group: number;
}

/** The repository's NF table of `bits` bits: the hard-coded one for 4 bits, the construction otherwise. */
export function nfTable(bits: number): number[] {
  return bits === 4 ? [...NF4_REPO] : nfTableBuilt(bits);
}

/** 2^bits evenly spaced values on [−1, 1]: the uniform (integer) table with the same absmax scale. */
export function intTable(bits: number): number[] {
  return linspace(-1, 1, 2 ** bits);
}

/** Index of the table value nearest to x: the first midpoint ≥ x (torch.searchsorted, right=False). */
export function lookupIndex(table: number[], x: number): number {
  let lo = 0, hi = table.length - 1; // answer in [0, n−1]: first i with pivot_i ≥ x, pivot_i = (t_i + t_{i+1}) / 2
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((table[mid] + table[mid + 1]) / 2 >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The weight-only LUT quantisation of a rows × cols row-major matrix whose groups run along `axis` (0: down each
 * column, as our Dense stores input × output; 1: along each row): indices, per-group scales (absmax unless given)
 * and the dequantised matrix.
 */
export interface Quantized {
  index: Uint8Array;
  scales: Float64Array;
  deq: Float64Array;
}

/** Group id and in-group position of element (i, j) under the grouping described at {@link Quantized}. */
function groupOf(rows: number, cols: number, group: number, axis: 0 | 1) {
  const along = axis === 0 ? rows : cols;
  if (along % group !== 0) throw new RangeError(`lut: ${along} weights per line not divisible by group ${group}`);
  const perLine = along / group;
  return (i: number, j: number) =>
    axis === 0 ? j * perLine + Math.floor(i / group) : i * perLine + Math.floor(j / group);
}

/** Quantises `w` (rows × cols, row-major) with `s`; `scales` overrides the absmax (FLUTE's custom_scales). */
export function quantize(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  s: LutScheme,
  axis: 0 | 1 = 0,
  scales?: Float64Array,
): Quantized {
  const gid = groupOf(rows, cols, s.group, axis), n = rows * cols;
  let sc = scales;
  if (!sc) {
    sc = new Float64Array(n / s.group);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const g = gid(i, j);
        sc[g] = Math.max(sc[g], Math.abs(w[i * cols + j]));
      }
    }
  }
  const index = new Uint8Array(n), deq = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j, g = gid(i, j), scale = sc[g];
      const q = lookupIndex(s.table, scale === 0 ? 0 : w[k] / scale);
      index[k] = q;
      deq[k] = s.table[q] * scale;
    }
  }
  return { index, scales: sc, deq };
}

/** ‖Ŵ − W‖_F / ‖W‖_F. */
export function relError(w: ArrayLike<number>, deq: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < w.length; i++) {
    num += (deq[i] - w[i]) ** 2;
    den += w[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/**
 * The straight-through gradient of the loss with respect to the group scales, given its gradient G with respect to
 * the dequantised weights: ∂L/∂s_g = Σ_{k ∈ g} G_k · table[q_k] (the index is held fixed, as autograd does through
 * `values[searchsorted(…)] * absmax` in flute/integrations/learnable.py).
 */
export function scaleGrad(
  gradDeq: ArrayLike<number>,
  q: Quantized,
  rows: number,
  cols: number,
  s: LutScheme,
  axis: 0 | 1 = 0,
): Float64Array {
  const gid = groupOf(rows, cols, s.group, axis), out = new Float64Array(q.scales.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      out[gid(i, j)] += gradDeq[k] * s.table[q.index[k]];
    }
  }
  return out;
}

/**
 * Tests of the int8 schemes (quant.ts): exact small cases of the rounding (ties to even, scale 127/absmax), the
 * absmax error bounds (per entry and for the product), exactness on matrices whose entries sit on the int8 grid,
 * vector-wise = LLM.int8() when no entry reaches the threshold, the decomposition against its definition, and
 * the smoke pipeline through runOnce.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Mat } from "../../lib/math/linalg/types.ts";
import { Rng } from "../../lib/math/rng.ts";
import {
  dequant,
  matmulAbsmax,
  matmulLlmInt8,
  matmulVectorwise,
  QMAX,
  quantCols,
  quantize,
  quantRows,
  quantTensor,
  roundHalfEven,
  toF16,
} from "./quant.ts";
import exp from "./mod.ts";

const la = getLinalg("js");
const mat = (rows: number, cols: number, data: number[] | Float64Array): Mat<Float64Array> => ({
  rows,
  cols,
  data: Float64Array.from(data),
});
const randn = (rng: Rng, rows: number, cols: number) => mat(rows, cols, rng.normal(rows * cols) as Float64Array);

Deno.test("rounding: ties to even (torch.round), scale 127/absmax, clamp", () => {
  assertEquals([0.5, 1.5, 2.5, -0.5, -1.5, 0.49, -2.6].map(roundHalfEven), [0, 2, 2, -0, -2, 0, -3]);
  // absmax 2 → scale 63.5: 1 → 63.5 → 64 (tie to even), −0.5 → −31.75 → −32, 0.25 → 15.875 → 16, 2 → 127.
  assertEquals([1, -0.5, 0.25, 2, -2].map((x) => quantize(x, 2)), [64, -32, 16, 127, -127]);
  assertEquals(quantize(3, 0), 0);
  const t = quantTensor(mat(2, 2, [1, -0.5, 0.25, 2]));
  assertEquals(Array.from(t.q.data), [64, -32, 16, 127]);
  assertEquals(Array.from(t.absmax), [2]);
});

Deno.test("absmax quantisation: every entry within absmax/254 of the original; the product within its bound", () => {
  const rng = Rng.fromSeed(3);
  const x = toF16(randn(rng, 7, 30)), w = toF16(randn(rng, 30, 5));
  const qx = quantTensor(x), qw = quantTensor(w), dx = dequant(qx), dw = dequant(qw);
  const hx = qx.absmax[0] / (2 * QMAX), hw = qw.absmax[0] / (2 * QMAX);
  for (let i = 0; i < x.data.length; i++) assert(Math.abs(dx.data[i] - x.data[i]) <= hx * (1 + 1e-12), "X entry");
  for (let i = 0; i < w.data.length; i++) assert(Math.abs(dw.data[i] - w.data[i]) <= hw * (1 + 1e-12), "W entry");
  // |Σ_k x̂w̃ − xw| ≤ Σ_k (|x|·hw + hx·|w| + hx·hw), entrywise; Ŷ also equals dequant(X)·dequant(W).
  const y = matmulAbsmax(x, w, la).y, exact = la.matmul(x, w), viaDequant = la.matmul(dx, dw);
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 5; j++) {
      let bound = 0;
      for (let k = 0; k < 30; k++) {
        bound += Math.abs(x.data[i * 30 + k]) * hw + hx * Math.abs(w.data[k * 5 + j]) + hx * hw;
      }
      const e = Math.abs(y.data[i * 5 + j] - exact.data[i * 5 + j]);
      assert(e <= bound * (1 + 1e-9), `entry (${i},${j}): error ${e} above bound ${bound}`);
      assertAlmostEquals(y.data[i * 5 + j], viaDequant.data[i * 5 + j], 1e-12);
    }
  }
});

Deno.test("vector-wise int8 is exact on matrices whose rows (X) and columns (W) sit on their int8 grid", () => {
  const rng = Rng.fromSeed(5);
  const n = 4, h = 9, o = 3;
  // Row i of X: integers in [−127, 127] with one ±127, times 2^−e_i (exact in float16); W: the same per column.
  const codes = (len: number) => Array.from({ length: len }, (_, k) => (k === 0 ? 127 : rng.int(255) - 127));
  const x = new Float64Array(n * h), w = new Float64Array(h * o);
  for (let i = 0; i < n; i++) codes(h).forEach((q, k) => (x[i * h + k] = q * 2 ** -(i + 3)));
  for (let j = 0; j < o; j++) codes(h).forEach((q, k) => (w[k * o + j] = -q * 2 ** -(j + 5)));
  const X = mat(n, h, x), W = mat(h, o, w);
  assertEquals(Array.from(toF16(X).data), Array.from(x));
  const y = matmulVectorwise(X, W, la).y, exact = la.matmul(X, W);
  for (let i = 0; i < y.data.length; i++) assertAlmostEquals(y.data[i], exact.data[i], 1e-12);
  // Absmax is not exact here: a row with a smaller absmax than the tensor's loses bits.
  const a = matmulAbsmax(X, W, la).y;
  assert(a.data.some((v, i) => Math.abs(v - exact.data[i]) > 1e-6), "absmax rounds the small-scale rows");
});

Deno.test("no entry at the threshold: LLM.int8() gives exactly the vector-wise result", () => {
  const rng = Rng.fromSeed(11);
  const x = randn(rng, 16, 64), w = randn(rng, 64, 8);
  for (let i = 0; i < x.data.length; i++) x.data[i] = Math.max(-5.9, Math.min(5.9, x.data[i]));
  const b = matmulVectorwise(x, w, la), c = matmulLlmInt8(x, w, la, { threshold: 6, weightOutliers: "f16" });
  assertEquals(c.decomposed, 0);
  assertEquals(Array.from(c.y.data), Array.from(b.y.data));
});

Deno.test("threshold: outlier columns found, left out of the row absmax and zeroed in the codes", () => {
  const x = mat(3, 4, [1, 7, -0.5, 2, -6, 0.25, 1, -1, 0.5, -3, 2, 0]);
  const q = quantRows(x, 6);
  assertEquals(q.outlierCols, [0, 1]); // |7| and |−6| ≥ 6
  // Row absmax over the entries below 6: row 0 {1, −0.5, 2} → 2; row 1 {0.25, 1, −1} → 1; row 2 → 3.
  assertEquals(Array.from(q.absmax), [2, 1, 3]);
  assertEquals(Array.from(q.q.data), [0, 0, -32, 127, 0, 0, 127, -127, 0, 0, 85, 0]);
  const plain = quantRows(x);
  assertEquals(plain.outlierCols, []);
  assertEquals(Array.from(plain.absmax), [7, 6, 3]);
  // Column-wise quantisation of W is row-wise quantisation of Wᵀ.
  const wt = mat(4, 3, [1, 0.5, -2, 3, 0.1, 1, -4, 0.2, 0.3, 2, -1, 1]);
  const qc = quantCols(wt);
  assertEquals(Array.from(qc.absmax), [4, 1, 2]);
  assertEquals(quantize(-4, 4), qc.q.data[6]);
});

Deno.test("LLM.int8() = vector-wise int8 on the regular columns + float16 product over the outlier columns", () => {
  const rng = Rng.fromSeed(7);
  const n = 12, h = 40, o = 6, cols = [3, 17, 30];
  const x = randn(rng, n, h), w = randn(rng, h, o);
  for (const j of cols) for (let i = 0; i < n; i++) x.data[i * h + j] = (i % 2 ? -1 : 1) * (20 + i);
  const c = matmulLlmInt8(x, w, la, { threshold: 6, weightOutliers: "f16" });
  assertEquals(c.decomposed, 3);
  // Reference: zero the outlier columns, vector-wise int8 on the rest, plus X₁₆[:, O]·W₁₆[O, :] exactly.
  const xr = mat(n, h, x.data.slice()), x16 = toF16(x), w16 = toF16(w);
  for (const j of cols) for (let i = 0; i < n; i++) xr.data[i * h + j] = 0;
  const ref = matmulVectorwise(xr, w, la).y;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < o; j++) {
      let s = 0;
      for (const k of cols) s += x16.data[i * h + k] * w16.data[k * o + j];
      assertAlmostEquals(c.y.data[i * o + j], ref.data[i * o + j] + s, 1e-10);
    }
  }
  // The bitsandbytes inference path uses the int8 weight rows instead: a different, less precise product.
  const bnb = matmulLlmInt8(x, w, la, { threshold: 6, weightOutliers: "int8" });
  const exact = la.matmul(x, w);
  const err = (y: Mat<Float64Array>) => Math.hypot(...y.data.map((v, i) => v - exact.data[i]));
  assert(err(c.y) < err(bnb.y), `f16 weight rows ${err(c.y)} vs int8 weight rows ${err(bnb.y)}`);
});

Deno.test("smoke pipeline through runOnce: LLM.int8() unaffected by outliers, vector-wise degraded", async () => {
  const r = await runMethods(exp, { outlierCols: 4, outlierMag: 32 }, { backend: "js" });
  assertEquals(Object.keys(r).sort(), ["absmax", "fp16", "llm_int8", "llm_int8_bnb", "vectorwise"]);
  assert((r.llm_int8.excess as number) < 1.1, `LLM.int8() excess ${r.llm_int8.excess}`);
  assert((r.vectorwise.excess as number) > 2, `vector-wise excess ${r.vectorwise.excess}`);
  assertEquals(r.llm_int8.frac_16bit, 4 / 512);
  assertEquals(r.llm_int8.spurious_dims, 0);
  assert((r.fp16.rel_err as number) < 1e-3, `fp16 ${r.fp16.rel_err}`);
});

import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import { alphaGain, fjlt, maxDistortion, qAilonChazelle, targetDim } from "./fjlt.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

type M64 = Mat<Float64Array>;
const gram = (a: M64) => getLinalg().matmul(a, a, { transB: true }) as M64;
const rng = Rng.fromSeed(9);

Deno.test("parameters: q_AC = ln²n/d capped at 1, α = min(ε⁻¹ln(1/ε), ln n), k = ⌈c ε⁻² ln n⌉", () => {
  assertAlmostEquals(qAilonChazelle(1000, 1024), Math.log(1000) ** 2 / 1024, 1e-15);
  assertEquals(qAilonChazelle(1000, 16), 1);
  assertAlmostEquals(alphaGain(0.25, 1000), 4 * Math.log(4), 1e-12); // 5.55 < ln 1000 = 6.91
  assertAlmostEquals(alphaGain(0.01, 1000), Math.log(1000), 1e-12);
  assertEquals(targetDim(0.5, Math.E ** 2, 1), 8);
});

Deno.test("the FJLT is unbiased in squared norm for dense and sparse P: mean ‖f(x)‖² ≈ ‖x‖²", () => {
  const d = 64, k = 16, draws = 600;
  const x = { rows: 1, cols: d, data: new Float64Array(d) };
  x.data[3] = 1;
  x.data[17] = -2; // ‖x‖² = 5
  for (const q of [1, 0.1]) {
    const r = rng.split(`q${q}`);
    let acc = 0;
    for (let t = 0; t < draws; t++) {
      const { y } = fjlt(x, k, q, r);
      acc += y.data.reduce((s, v) => s + v * v, 0) / draws;
    }
    // Relative sd of one draw ≈ √(2/k + 3/(q d k)); of the mean, that over √draws. Allow 4 sd.
    const sd = Math.sqrt(2 / k + 3 / (q * d * k)) / Math.sqrt(draws);
    assert(Math.abs(acc / 5 - 1) < 4 * sd, `q=${q}: mean ‖f(x)‖²/‖x‖² = ${acc / 5}`);
  }
});

Deno.test("nnz(P) is Binomial(k·d, q); q = 1 is dense", () => {
  const x = { rows: 2, cols: 256, data: rng.split("nnz").normal(512) };
  const { nnz } = fjlt(x, 50, 0.02, rng.split("nnz-s"));
  const mean = 50 * 256 * 0.02, sd = Math.sqrt(mean * 0.98);
  assert(Math.abs(nnz - mean) < 5 * sd, `nnz ${nnz} vs ${mean}`);
  assertEquals(fjlt(x, 10, 1, rng.split("dense")).nnz, 2560);
});

Deno.test("maxDistortion: 0 for an isometry, 1 for a doubling, and the exact worst pair otherwise", () => {
  const x = { rows: 3, cols: 2, data: Float64Array.from([0, 0, 1, 0, 0, 2]) };
  assertAlmostEquals(maxDistortion(x, x, gram), 0, 1e-12);
  assertAlmostEquals(maxDistortion(x, { ...x, data: x.data.map((v) => 2 * v) }, gram), 1, 1e-12);
  // Squash the second coordinate by half: pair (0,2) has distance 2 → 1, distortion 0.5.
  const y = { ...x, data: Float64Array.from([0, 0, 1, 0, 0, 1]) };
  assertAlmostEquals(maxDistortion(x, y, gram), 0.5, 1e-12);
});

Deno.test("dense FJLT (q = 1): distortion shrinks as k grows", () => {
  const x = { rows: 30, cols: 128, data: rng.split("pts").normal(30 * 128) };
  const small = maxDistortion(x, fjlt(x, 16, 1, rng.split("k16")).y, gram);
  const large = maxDistortion(x, fjlt(x, 512, 1, rng.split("k512")).y, gram);
  assert(large < small && large < 0.2, `k=16: ${small}, k=512: ${large}`);
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, { n: 100, qDiv: 1 });
  assert(Object.keys(byMethod).length === Object.keys(exp.methods).length, "every method runs");
});

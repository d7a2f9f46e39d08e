import assert from "node:assert";
import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { init } from "@jax-js/jax";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { circularConv, randomKernel, spectrum } from "./conv.ts";
import { araujo2021, exactSedghi, gramIteration, powerIteration, singla2021 } from "./bounds.ts";
import { gramIterationJax, uploadSpectrum } from "./gram_jax.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const la = getLinalg();
const rng = Rng.fromSeed(7);
const normal = (m: number) => rng.normal(m);

/** σ₁ of the dense (cout·n²) × (cin·n²) matrix of the circular convolution, built column by column. */
function denseNorm(K: ReturnType<typeof randomKernel>, n: number): number {
  const cols = K.cin * n * n, rows = K.cout * n * n;
  const d = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const e = new Float64Array(cols);
    e[j] = 1;
    const y = circularConv(K, n, e);
    for (let i = 0; i < rows; i++) d[i * cols + j] = y[i];
  }
  return la.svdvals({ rows, cols, data: d })[0];
}

Deno.test("Fourier exact norm equals the dense circular-convolution matrix norm (cin ≠ cout, even and odd n)", () => {
  for (const [cout, cin, k, n] of [[3, 2, 3, 4], [2, 3, 3, 5], [2, 2, 2, 6]]) {
    const K = randomKernel(cout, cin, k, normal);
    assertAlmostEquals(exactSedghi(spectrum(K, n), la).sigma, denseNorm(K, n), 1e-10);
  }
});

Deno.test("Gram iteration: a non-increasing upper bound that reaches the exact norm", () => {
  const K = randomKernel(8, 6, 3, normal);
  const S = spectrum(K, 8);
  const exact = exactSedghi(S, la).sigma;
  const g = gramIteration(S, 10, la);
  for (let t = 0; t < g.trace.length; t++) {
    assert(g.trace[t] >= exact * (1 - 1e-12), `iteration ${t}: ${g.trace[t]} < ${exact}`);
    if (t) assert(g.trace[t] <= g.trace[t - 1] * (1 + 1e-12), `iteration ${t} increased`);
  }
  assertAlmostEquals(g.sigma / exact, 1, 1e-12);
});

Deno.test("power iteration: a lower bound converging to the exact norm", () => {
  const K = randomKernel(4, 4, 3, normal);
  const S = spectrum(K, 6);
  const exact = exactSedghi(S, la).sigma;
  const p = powerIteration(S, 2000, normal);
  assert(p.trace.every((s) => s <= exact * (1 + 1e-12)));
  assertAlmostEquals(p.sigma / exact, 1, 1e-6);
});

Deno.test("Singla 2021 and Araujo 2021 are upper bounds; Frobenius-of-kernel check for k = 1", () => {
  const K = randomKernel(6, 5, 3, normal);
  const exact = exactSedghi(spectrum(K, 8), la).sigma;
  assert(singla2021(K, la).sigma >= exact);
  assert(araujo2021(K, 50).sigma >= exact);
  const K1 = randomKernel(3, 3, 1, normal);
  let fro = 0;
  for (const x of K1.w) fro += x * x;
  assertAlmostEquals(araujo2021(K1, 50).sigma, Math.sqrt(fro), 1e-12);
});

Deno.test("jax-js (wasm, float32) Gram iteration matches the float64 host version", async () => {
  await init();
  const K = randomKernel(12, 12, 3, normal);
  const S = spectrum(K, 8);
  const host = gramIteration(S, 6, la);
  const jax = await gramIterationJax(uploadSpectrum(S), 6);
  host.trace.forEach((h, t) => assertAlmostEquals(jax.trace[t] / h, 1, 1e-5));
});

Deno.test("smoke pipeline: data → every method → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, { c: 8, n: 8, piIters: 20 });
  for (const [name, metrics] of Object.entries(byMethod)) {
    for (const [metric, v] of Object.entries(metrics)) {
      assert(typeof v === "number" || v.length > 0, `${name}.${metric} is empty`);
    }
  }
});

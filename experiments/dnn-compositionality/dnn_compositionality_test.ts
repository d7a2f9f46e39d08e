/**
 * Tests for the dnn-compositionality module: the targets are what they claim (rotation invariance of the radial
 * task, dependence on Pᵀx only for the projection task, unit variance), kernel ridge regression against a direct
 * dense solve, the distance helpers on a small exact case, the tuning rule keeps the best validation point, and one
 * smoke point of every method through runOnce.
 */
import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import { assert, assertAlmostEquals, assertEquals, assertOrthonormalColumns } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { drawTarget, evaluate, randomOrthonormal, sampleInputs, type TargetSpec } from "./target.ts";
import { distances, krrFit, krrPredict, medianDistance } from "./krr.ts";
import { fitNet, mse, type Split } from "./fit.ts";
import exp from "./mod.ts";

/** Rows of x (n×d) rotated by q: x·qᵀ. */
const rotate = (x: Float64Array, n: number, d: number, q: Float64Array) => matmulSmall(x, q, n, d, d, { transB: true });

Deno.test("randomOrthonormal has orthonormal columns", () => {
  const d = 7, k = 3, p = randomOrthonormal(d, k, Rng.fromSeed(1));
  assertOrthonormalColumns(p, d, k, 1e-12);
});

Deno.test("radial target: invariant under rotations, standardised on the reference inputs, radii in [0.5, 1.5]", () => {
  const spec: TargetSpec = { task: "radial", d: 8, k: 2, nu: 1, terms: 16 }, rng = Rng.fromSeed(3);
  const ref = sampleInputs(spec, 500, rng.split("ref"));
  const t = drawTarget(spec, rng.split("t"), ref);
  const f = evaluate(t, ref, 500);
  assertAlmostEquals(f.reduce((a, b) => a + b, 0) / 500, 0, 1e-12);
  assertAlmostEquals(f.reduce((a, b) => a + b * b, 0) / 500, 1, 1e-12);
  for (let i = 0; i < 500; i++) {
    let r = 0;
    for (let j = 0; j < 8; j++) r += ref[i * 8 + j] ** 2;
    assert(Math.sqrt(r) >= 0.5 && Math.sqrt(r) <= 1.5, "radius out of range");
  }
  const q = randomOrthonormal(8, 8, rng.split("q"));
  const fr = evaluate(t, rotate(ref, 500, 8, q), 500);
  for (let i = 0; i < 500; i++) assertAlmostEquals(fr[i], f[i], 1e-10);
  assert(Math.max(...f) - Math.min(...f) > 1, "the target is not constant");
});

Deno.test("project target: depends on x only through Pᵀx", () => {
  const spec: TargetSpec = { task: "project", d: 9, k: 2, nu: 1.5, terms: 8 }, rng = Rng.fromSeed(4);
  const ref = sampleInputs(spec, 200, rng.split("ref"));
  const t = drawTarget(spec, rng.split("t"), ref), p = t.p!;
  const f = evaluate(t, ref, 200);
  // Move every x orthogonally to the columns of P: f* must not change.
  const moved = ref.slice(), z = rng.split("z").normal(200 * 9);
  for (let i = 0; i < 200; i++) {
    const v = z.subarray(i * 9, i * 9 + 9);
    for (let c = 0; c < 2; c++) {
      let dot = 0;
      for (let j = 0; j < 9; j++) dot += v[j] * p[j * 2 + c];
      for (let j = 0; j < 9; j++) v[j] -= dot * p[j * 2 + c];
    }
    for (let j = 0; j < 9; j++) moved[i * 9 + j] += v[j];
  }
  const fm = evaluate(t, moved, 200);
  for (let i = 0; i < 200; i++) assertAlmostEquals(fm[i], f[i], 1e-10);
});

Deno.test("distances and their median on a small exact case", () => {
  const a = new Float64Array([0, 0, 3, 4, 6, 8]);
  const dd = distances(a, 3, a, 3, 2);
  assertEquals(Array.from(dd), [0, 5, 10, 5, 0, 5, 10, 5, 0]);
  assertEquals(medianDistance(dd, 3), 5);
});

Deno.test("kernel ridge regression equals the dense solve of (K + nλI)α = y, and interpolates as λ → 0", () => {
  for (const kind of ["native", "js"] as const) {
    let la;
    try {
      la = getLinalg(kind);
    } catch {
      continue; // native unavailable here
    }
    const rng = Rng.fromSeed(5), n = 30, d = 4, x = rng.normal(n * d), y = rng.normal(n);
    const dd = distances(x, n, x, n, d), sigma = 1.3, lam = 1e-2;
    const alpha = krrFit(la, dd, y, n, sigma, lam);
    const k = new Float64Array(n * n).map((_, i) => Math.exp(-dd[i] / sigma) + (i % (n + 1) === 0 ? n * lam : 0));
    const ref = getLinalg("js").solve({ rows: n, cols: n, data: k }, { rows: n, cols: 1, data: y.slice() }).data;
    for (let i = 0; i < n; i++) assertAlmostEquals(alpha[i], ref[i], 1e-9);
    const fit = krrPredict(dd, n, n, krrFit(la, dd, y, n, sigma, 1e-12), sigma);
    assert(mse(fit, y) < 1e-12, `${kind}: tiny ridge should interpolate, got ${mse(fit, y)}`);
  }
});

Deno.test("fitNet keeps the grid point with the lowest validation error and learns a linear target", () => {
  const rng = Rng.fromSeed(6), d = 3, n = 200;
  const x = rng.normal(n * d), y = new Float64Array(n).map((_, i) => x[i * d] - 0.5 * x[i * d + 1]);
  const s: Split = {
    d,
    xTrain: x.slice(0, 150 * d),
    yTrain: y.slice(0, 150),
    nTrain: 150,
    xVal: x.slice(150 * d),
    yVal: y.slice(150),
    nVal: 50,
    xTest: x.slice(150 * d),
    fTest: y.slice(150),
    nTest: 50,
  };
  const grid = { widths: [d, 16, 1], steps: 300, batch: 32, lrs: [1e-5, 1e-2], weightDecays: [1e-4] };
  const f = fitNet(s, grid, rng.split("fit"));
  assertEquals(f.chosen.lr, 1e-2);
  assert(f.valMse < 0.05, `val MSE ${f.valMse}`);
  const single = fitNet(s, { ...grid, lrs: [1e-5] }, rng.split("fit"));
  assert(single.valMse > f.valMse, "the discarded point must score worse");
});

Deno.test("smoke point through runOnce: every method gives finite errors and records its choice", async () => {
  const runs = await runSmokePoints(exp, (_, i) => i === 0);
  assertEquals(runs.length, 3);
  for (const { run, m } of runs) {
    assert(Number.isFinite(m.test_mse) && m.test_mse > 0, `${run.method}: test_mse ${m.test_mse}`);
    assert(Object.keys(m).some((k) => k.startsWith("hp.")), `${run.method}: no chosen hyper-parameter recorded`);
  }
});

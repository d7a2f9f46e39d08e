/**
 * lightsb against references: the LightSB objective's hand-written gradient against central finite differences;
 * the oracle rewriting of a benchmark potential against the benchmark's own conditional plan (weights, means,
 * covariances); the single-component plan against the closed-form Gaussian EOT formula; the Gaussian EOT formula's
 * marginal constraint and its ε → 0 limit (the Bures OT map); BW² against its 1-D closed form; Sinkhorn's
 * out-of-sample conditional on its own samples against the plan's rows; and one smoke point of every method through
 * runOnce.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { mat } from "../../lib/math/linalg/mod.ts";
import { eighFn } from "../../lib/math/spd/mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import {
  bw2,
  drawGmm,
  gaussianEot,
  gaussianPlanMoments,
  type Gmm,
  type InstanceSpec,
  makePlan,
  matmul,
  planLogWeights,
  planMoments,
  randomSpd,
  sampleGmm,
  sampleMoments,
  samplePlan,
  softmaxInPlace,
} from "./benchmark.ts";
import { condLogits, lightSbMoments, lossAndGrad } from "./lightsb.ts";
import { fitSinkhorn, oracleLightSb, sinkhornMoments } from "./baselines.ts";
import exp from "./mod.ts";

const spec = (d: number, eps: number): InstanceSpec => ({
  d,
  eps,
  inputComponents: 2,
  potentialComponents: 3,
  meanScale: 1.5,
  eigRange: [0.2, 1],
  potentialCovScale: 1,
});

Deno.test("lossAndGrad: gradient equals central finite differences of L(θ) in every coordinate", () => {
  const rng = Rng.fromSeed(1), d = 3, k = 4, eps = 0.7;
  const theta = rng.normal(k + 2 * k * d).map((v) => 0.5 * v);
  const xs = rng.normal(6 * d), ys = rng.normal(5 * d).map((v) => 1.3 * v + 0.2);
  const { grad } = lossAndGrad(theta, xs, ys, { d, k, eps });
  assertCentralDifferences(() => lossAndGrad(theta, xs, ys, { d, k, eps }).loss, theta, grad, {
    tol: 1e-7,
    label: "θ",
  });
});

Deno.test("oracle: the potential rewritten in LightSB form gives the benchmark plan's weights, means and covariances", () => {
  const rng = Rng.fromSeed(2);
  for (const [d, eps] of [[2, 0.1], [4, 1], [3, 10]]) {
    const pot = drawGmm(d, 3, spec(d, eps), rng.split(`p${d}`));
    const plan = makePlan(pot, eps), oracle = oracleLightSb(pot, plan);
    for (let t = 0; t < 5; t++) {
      const x = rng.normal(d).map((v) => 2 * v);
      const wTrue = softmaxInPlace(planLogWeights(plan, x)), wOracle = softmaxInPlace(condLogits(oracle, x));
      for (let c = 0; c < 3; c++) assertAlmostEquals(wOracle[c], wTrue[c], 1e-10, `weight ${c}`);
      const a = lightSbMoments(oracle, x), b = planMoments(plan, x);
      for (let i = 0; i < d; i++) assertAlmostEquals(a.mean[i], b.mean[i], 1e-10);
      for (let i = 0; i < d * d; i++) assertAlmostEquals(a.cov[i], b.cov[i], 1e-10);
    }
  }
});

Deno.test("single-component potential with Gaussian input: the plan is the closed-form Gaussian EOT plan", () => {
  const rng = Rng.fromSeed(3);
  for (const [d, eps] of [[1, 0.5], [3, 0.1], [4, 2]]) {
    const pot: Gmm = drawGmm(d, 1, spec(d, eps), rng.split(`pot${d}`));
    const a = rng.normal(d), aCov = randomSpd(d, 0.3, 2, rng.split(`a${d}`));
    const plan = makePlan(pot, eps);
    // P₁ = N(b, B) exactly: y = bias + (A/ε)x + N(0, A) ⇒ b = bias + (A/ε)a, B = (A/ε)·aCov·(A/ε) + A
    const m = plan.covs.map((v) => v / eps);
    const b = Float64Array.from(plan.bias);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) b[i] += m[i * d + j] * a[j];
    const bCov = matmul(matmul(m, aCov, d), m, d).map((v, i) => v + plan.covs[i]);
    const g = gaussianEot(a, aCov, b, bCov, eps);
    for (let i = 0; i < d * d; i++) assertAlmostEquals(g.m[i], m[i], 1e-9, `M[${i}]`);
    const x = rng.normal(d);
    const gm = gaussianPlanMoments(g, x), pm = planMoments(plan, x);
    for (let i = 0; i < d; i++) assertAlmostEquals(gm.mean[i], pm.mean[i], 1e-9);
    for (let i = 0; i < d * d; i++) assertAlmostEquals(gm.cov[i], pm.cov[i], 1e-9);
  }
});

Deno.test("gaussianEot: MAM + εM = B, and ε → 0 gives the Bures OT map (1-D: √(B/A))", () => {
  const rng = Rng.fromSeed(4), d = 3;
  const a = rng.normal(d), b = rng.normal(d);
  const aCov = randomSpd(d, 0.2, 3, rng.split("A")), bCov = randomSpd(d, 0.2, 3, rng.split("B"));
  const eps = 0.8, g = gaussianEot(a, aCov, b, bCov, eps);
  const lhs = matmul(matmul(g.m, aCov, d), g.m, d);
  for (let i = 0; i < d * d; i++) assertAlmostEquals(lhs[i] + eps * g.m[i], bCov[i], 1e-10);
  const one = gaussianEot(new Float64Array(1), Float64Array.of(2), new Float64Array(1), Float64Array.of(8), 1e-10);
  assertAlmostEquals(one.m[0], 2, 1e-8);
});

Deno.test("bw2: zero on equal moments; 1-D closed form ½(m₁ − m₂)² + ½(σ₁ − σ₂)²", () => {
  const d = 3, rng = Rng.fromSeed(5), cov = randomSpd(d, 0.1, 2, rng);
  const mean = rng.normal(d);
  const sqrt = eighFn(mat(d, d, cov), Math.sqrt).data as Float64Array;
  assertAlmostEquals(bw2({ mean, cov }, { mean, cov }, sqrt), 0, 1e-12);
  const v = bw2(
    { mean: Float64Array.of(1), cov: Float64Array.of(4) },
    { mean: Float64Array.of(-0.5), cov: Float64Array.of(0.25) },
    Float64Array.of(0.5),
  );
  assertAlmostEquals(v, 0.5 * 1.5 ** 2 + 0.5 * (2 - 0.5) ** 2, 1e-12);
});

Deno.test("benchmark sampling: P₀ and π*(·|x) samples match their exact moments", () => {
  const rng = Rng.fromSeed(6), d = 2, s = spec(d, 1);
  const input = drawGmm(d, 2, s, rng.split("in")), pot = drawGmm(d, 3, s, rng.split("pot")), plan = makePlan(pot, 1);
  const x = Float64Array.of(0.3, -0.7), n = 40000;
  const xs = new Float64Array(n * d);
  for (let i = 0; i < n; i++) xs.set(x, i * d);
  const emp = sampleMoments(samplePlan(plan, xs, rng.split("y")), d), exact = planMoments(plan, x);
  for (let i = 0; i < d; i++) assert(Math.abs(emp.mean[i] - exact.mean[i]) < 0.03, `mean ${i}`);
  for (let i = 0; i < d * d; i++) assert(Math.abs(emp.cov[i] - exact.cov[i]) < 0.05, `cov ${i}`);
  const xm = sampleMoments(sampleGmm(input, n, rng.split("x")), d);
  let mu0 = 0;
  for (let c = 0; c < 2; c++) mu0 += input.probs[c] * input.means[c * d];
  assert(Math.abs(xm.mean[0] - mu0) < 0.05, `input mean ${xm.mean[0]} vs ${mu0}`);
});

Deno.test("sinkhorn: the out-of-sample conditionals at the training x_i keep the target marginal (Σ_i a_i π(·|x_i) = b)", () => {
  const rng = Rng.fromSeed(7), d = 2, n = 30, eps = 0.5;
  const xs = rng.normal(n * d), ys = rng.normal(n * d).map((v) => 2 * v + 1);
  const fit = fitSinkhorn(xs, ys, d, { eps, maxIter: 5000, stopThr: 1e-12 });
  assert(fit.err < 1e-10, `marginal error ${fit.err}`);
  // the average conditional mean and second moment over the x_i equal those of the uniform target cloud
  const target = sampleMoments(ys, d);
  const avgMean = new Float64Array(d), avgSecond = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const m = sinkhornMoments(fit, xs, i * d);
    for (let a = 0; a < d; a++) {
      avgMean[a] += m.mean[a] / n;
      for (let b = 0; b < d; b++) avgSecond[a * d + b] += (m.cov[a * d + b] + m.mean[a] * m.mean[b]) / n;
    }
  }
  for (let a = 0; a < d; a++) {
    assertAlmostEquals(avgMean[a], target.mean[a], 1e-9);
    for (let b = 0; b < d; b++) {
      const second = (target.cov[a * d + b] * (n - 1)) / n + target.mean[a] * target.mean[b];
      assertAlmostEquals(avgSecond[a * d + b], second, 1e-8);
    }
  }
});

Deno.test("smoke point through runOnce: every method gives a finite cBW2-UVP; the oracle is exact", async () => {
  const out = await runMethods(exp, { d: 2, eps: 0.1 });
  assertEquals(Object.keys(out).sort(), ["gaussian", "lightsb", "mean", "oracle", "sinkhorn"]);
  for (const [method, m] of Object.entries(out)) {
    const v = (method === "oracle" ? m.oracle_cbw_uvp : m.cbw_uvp) as number;
    assert(Number.isFinite(v) && v > -1e-9, `${method}: cbw_uvp ${v}`);
  }
  assert(Math.abs(out.oracle.oracle_cbw_uvp as number) < 1e-8, `oracle ${out.oracle.oracle_cbw_uvp}`);
});

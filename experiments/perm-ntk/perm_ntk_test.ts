import { ok as assert } from "node:assert";
import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { kernels, ntkPosterior } from "./ntk.ts";
import { allInputs, allUnseen, normalCdf, permuteInput, posteriorMeans, singleInput } from "./ensemble.ts";
import { forward, initNet, trainOnBasis } from "./finite.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const rng = Rng.fromSeed(5);

Deno.test("arc-cosine kernels match Monte Carlo over random ReLU features", () => {
  const x = [1, 0, 1, 1], y = [0, 1, 1, 0], beta2 = 1, n = 200000, r = rng.split("mc");
  let k = 0, t = 0;
  for (let s = 0; s < n; s++) {
    const w = r.normal(4), b = r.normal();
    const u = w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + w[3] * x[3] + b;
    const v = w[0] * y[0] + w[1] * y[1] + w[2] * y[2] + w[3] * y[3] + b;
    k += Math.max(u, 0) * Math.max(v, 0) / n;
    t += (u > 0 && v > 0 ? 1 : 0) * (1 + beta2) / n; // Σ(x,y) = xᵀy + β² = 2 here
  }
  const exact = kernels(x, y, beta2);
  assertAlmostEquals(exact.K, k, 0.02);
  assertAlmostEquals(exact.T - exact.K, t, 0.01);
});

Deno.test("posterior interpolates the training set: at e_i the mean is the label and the variance 0", () => {
  const k = 5, perm = rng.permutation(k);
  const tests = new Float64Array(k * k);
  for (let i = 0; i < k; i++) tests[i * k + i] = 1;
  const post = ntkPosterior(k, tests, 1);
  const mu = posteriorMeans(post.coef.data, k, perm);
  for (let i = 0; i < k; i++) {
    const y = permuteInput(tests.subarray(i * k, (i + 1) * k), perm);
    for (let j = 0; j < k; j++) assertAlmostEquals(mu[i * k + j], y[j], 1e-10);
    assertAlmostEquals(post.variance[i], 0, 1e-10);
  }
});

Deno.test("normal CDF: known values", () => {
  assertAlmostEquals(normalCdf(0), 0.5, 1e-7);
  assertAlmostEquals(normalCdf(1.959963985), 0.975, 1e-7);
  assertAlmostEquals(normalCdf(-3), 0.0013498980, 1e-8);
});

Deno.test("single-input P(exact) curve rises to 1 and the all-inputs M is at least the single-input M", () => {
  const k = 5, perm = rng.permutation(k), g = [1, 4, 16, 64, 256, 1024, 4096];
  const s = singleInput(k, perm, 1, 0.1, g);
  assert(s.minMargin > 0);
  for (let i = 1; i < g.length; i++) assert(s.curve[i] >= s.curve[i - 1] - 1e-12);
  assert(s.curve[g.length - 1] > 0.999);
  const a = allInputs(k, perm, 1, 200, rng.split("all"));
  const sorted = [...a.mStar].sort((x, y) => x - y);
  assert(sorted[179] >= s.mSingle * 0.8, `all ${sorted[179]} vs single ${s.mSingle}`);
});

Deno.test("finite-width GD fits the basis vectors and its ensemble mean approaches the GP mean", () => {
  const k = 4, perm = rng.permutation(k), tests = allUnseen(k), members = 24;
  const post = ntkPosterior(k, tests, 1), mu = posteriorMeans(post.coef.data, k, perm);
  const sum = new Float64Array(mu.length);
  for (let e = 0; e < members; e++) {
    const net = initNet(256, k, 1, rng.split(`net${e}`));
    const loss = trainOnBasis(net, perm, 0.5, 3000);
    assert(loss < 1e-10, `training loss ${loss}`);
    forward(net, tests).forEach((v, i) => (sum[i] += v / members));
  }
  for (let i = 0; i < mu.length; i++) {
    const se = Math.sqrt(post.variance[Math.floor(i / k)] / members);
    assert(Math.abs(sum[i] - mu[i]) < 5 * se + 0.05, `output ${i}: ${sum[i]} vs ${mu[i]}`);
  }
});

Deno.test("smoke pipeline: every method gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite;
  // observed metrics (p_exact) come back as series by step.
  const byMethod = await runMethods(exp, { k: 4, bias: 1, draws: 20, members: 8, width: 64, maxLog2M: 10 });
  for (const [name, metrics] of Object.entries(byMethod)) {
    const obs = Object.values(metrics.p_exact ?? []);
    assert(obs.length > 0 && obs.every((p) => p >= 0 && p <= 1), `${name}: observed probabilities`);
  }
});

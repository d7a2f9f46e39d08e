import { runMethods } from "../../lib/testdata/run.ts";
import { ok as assert } from "node:assert";
import { assertAlmostEquals, assertIdentity } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { christoffel, features, gaussLegendre, sampleOptimal, tensorRule, totalDegreeBasis } from "./basis.ts";
import { errorRatio2, makeProblem, type Problem } from "./data.ts";
import { iidOptimal, projectionDpp, repeatedDpp, volumeRescaled } from "./sampling.ts";
import { weightedLeastSquares } from "./wls.ts";
import exp from "./mod.ts";

const rng = Rng.fromSeed(11);

Deno.test("Gauss–Legendre (q nodes) integrates t^j exactly for j < 2q against dt/2", () => {
  const { nodes, weights } = gaussLegendre(7);
  for (let j = 0; j < 14; j++) {
    let s = 0;
    for (let i = 0; i < 7; i++) s += weights[i] * nodes[i] ** j;
    assertAlmostEquals(s, j % 2 ? 0 : 1 / (j + 1), 1e-14, `t^${j}`);
  }
});

Deno.test("tensor Legendre basis is orthonormal in L²(μ) on [−1,1]² and the index set is downward closed", () => {
  const b = totalDegreeBasis(2, 10);
  const rule = tensorRule(2, 12);
  const g = new Float64Array(100);
  for (let i = 0; i < rule.count; i++) {
    const phi = features(b, rule.points.subarray(2 * i, 2 * i + 2));
    for (let j = 0; j < 10; j++) for (let l = 0; l < 10; l++) g[j * 10 + l] += rule.weights[i] * phi[j] * phi[l];
  }
  assertIdentity(g, 10, 1e-12, "Gram of the features");
  const set = new Set(Array.from({ length: 10 }, (_, j) => `${b.alpha[2 * j]},${b.alpha[2 * j + 1]}`));
  for (let j = 0; j < 10; j++) {
    const [a0, a1] = [b.alpha[2 * j], b.alpha[2 * j + 1]];
    if (a0 > 0) assert(set.has(`${a0 - 1},${a1}`));
    if (a1 > 0) assert(set.has(`${a0},${a1 - 1}`));
  }
});

Deno.test("optimal-density sampler: E_ρ[x²] matches ∫ x² K_m(x,x)/m dμ (m = 4, d = 1)", () => {
  const b = totalDegreeBasis(1, 4);
  const { nodes, weights } = gaussLegendre(20);
  let exact = 0;
  for (let i = 0; i < 20; i++) exact += weights[i] * nodes[i] ** 2 * christoffel(b, [nodes[i]]) / 4;
  const r = rng.split("rho");
  let s = 0;
  const n = 40000;
  for (let i = 0; i < n; i++) s += sampleOptimal(b, r)[0] ** 2;
  assertAlmostEquals(s / n, exact, 0.01); // MC standard error ≈ 0.0015
});

Deno.test("projection DPP (m = 2): E|x₁ − x₂| matches the determinantal density, and differs from i.i.d. ρ", () => {
  const b = totalDegreeBasis(1, 2);
  const { nodes, weights } = gaussLegendre(60);
  // joint density det[K(x_i,x_j)]/2! w.r.t. μ⊗μ; E|x1−x2| by a 60×60 rule (|x−y| kink: accurate to ~1e-4)
  let dpp = 0, iid = 0;
  for (let i = 0; i < 60; i++) {
    for (let j = 0; j < 60; j++) {
      const fi = features(b, [nodes[i]]), fj = features(b, [nodes[j]]);
      const kii = fi[0] ** 2 + fi[1] ** 2, kjj = fj[0] ** 2 + fj[1] ** 2, kij = fi[0] * fj[0] + fi[1] * fj[1];
      const w = weights[i] * weights[j] * Math.abs(nodes[i] - nodes[j]);
      dpp += w * (kii * kjj - kij * kij) / 2;
      iid += w * (kii / 2) * (kjj / 2);
    }
  }
  const r = rng.split("dpp2");
  let s = 0;
  const n = 20000;
  for (let t = 0; t < n; t++) {
    const x = projectionDpp(b, r);
    s += Math.abs(x[0] - x[1]);
  }
  assertAlmostEquals(s / n, dpp, 0.012); // MC standard error ≈ 0.004
  assert(Math.abs(dpp - iid) > 0.05, `DPP and i.i.d. should differ: ${dpp} vs ${iid}`);
});

Deno.test("weighted least squares recovers any f ∈ V_m exactly from every sampler", () => {
  const b = totalDegreeBasis(2, 10);
  const c = Float64Array.from({ length: 10 }, (_, j) => Math.cos(j + 1));
  const f = (x: ArrayLike<number>) => features(b, x).reduce((s, v, j) => s + v * c[j], 0);
  const r = rng.split("exact");
  for (const x of [iidOptimal(b, 30, r), volumeRescaled(b, 25, r), repeatedDpp(b, 2, r), projectionDpp(b, r)]) {
    const fit = weightedLeastSquares(b, x, f);
    for (let j = 0; j < 10; j++) assertAlmostEquals(fit.coef[j], c[j], 1e-9);
  }
});

Deno.test("DPP interpolation (n = m): E‖f − f̂‖² = (m + 1)‖f − P_m f‖² (volume-sampling identity)", () => {
  const p: Problem = makeProblem({ d: 1, m: 4, target: "runge", quad: 80 });
  const r = rng.split("vol");
  let s = 0;
  const n = 4000;
  for (let t = 0; t < n; t++) s += errorRatio2(p, weightedLeastSquares(p.basis, projectionDpp(p.basis, r), p.f).coef);
  const meanRatio = s / n;
  assert(Math.abs(meanRatio / 5 - 1) < 0.15, `mean ratio ${meanRatio}, expected 5`);
});

Deno.test("smoke pipeline: every method gives finite metrics", async () => {
  // runMethods checks that every metric is declared and finite, as the runner does.
  const byMethod = await runMethods(exp, { d: 1, m: 6, k: 2, trials: 5, quad: 40 });
  for (const [name, metrics] of Object.entries(byMethod)) {
    assert((metrics.err2_ratio as number) >= 1, `${name}: error ratio is at least 1 (P_m f is the best approximation)`);
  }
});

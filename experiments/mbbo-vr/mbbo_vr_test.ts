/**
 * Tests for mbbo-vr: the Cholesky solve against ml-matrix, the exact hypergradient against central differences of
 * the exact F, the stochastic oracles against their full-batch values, the block estimators' bias and variance
 * (MSVR vs STORM under block sampling), and the methods on a small problem.
 */
import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import { spdSystem } from "../../lib/testdata/systems.ts";
import { Rng } from "../../lib/math/rng.ts";
import {
  cholesky,
  cholSolve,
  hypergradient,
  lowerSolutions,
  makeProblem,
  type Problem,
  referenceMinimum,
  upperGrad,
  upperLoss,
  upperObjective,
} from "./problem.ts";
import { batchGram, correctionWeight, lowerGrad, runMbbo, sampleWithout, trackUpdate } from "./mbbo.ts";

/** A small random multi-block problem: d features, m classes. */
function smallProblem(seed: number, n = 40, nv = 30, d = 6, m = 3): Problem {
  const rng = Rng.fromSeed(seed);
  const rows = (count: number) => ({
    x: rng.normal(count * d),
    y: Array.from({ length: count }, () => Math.floor(rng.uniform() * m)),
    n: count,
  });
  return makeProblem(rows(n), rows(nv), d, m);
}

Deno.test("cholesky + cholSolve match ml-matrix on a random SPD system; indefinite rejected", () => {
  const d = 7, { g, rhs, ref } = spdSystem(1, d);
  const l = cholesky(g, d);
  assert(l, "SPD must factor");
  const x = cholSolve(l, d, rhs);
  for (let i = 0; i < d; i++) assertAlmostEquals(x[i], ref[i], 1e-10 * (1 + Math.abs(ref[i])), `x[${i}]`);
  assert(cholesky(new Float64Array([1, 2, 2, 1]), 2) === null, "indefinite must be rejected");
});

Deno.test("exact hypergradient equals central differences of the exact F(x)", () => {
  const p = smallProblem(2);
  const x = Float64Array.from({ length: p.d }, (_, k) => -1 + 0.3 * k);
  const g = hypergradient(p, x);
  assert(g.some((v) => Math.abs(v) > 1e-4), "non-trivial gradient");
  assertCentralDifferences(() => upperObjective(p, x), x, Float64Array.from(g), { h: 1e-5, tol: 1e-6, label: "x" });
});

Deno.test("lower solutions: full-batch ∇_w g vanishes at w*(x); full-batch Gram equals AᵀA/n", () => {
  const p = smallProblem(3);
  const x = new Float64Array(p.d).fill(-0.5);
  const { w } = lowerSolutions(p, x);
  const all = Array.from({ length: p.n }, (_, i) => i);
  for (let c = 0; c < p.m; c++) {
    for (const v of lowerGrad(p, c, x, w[c], all)) assertAlmostEquals(v, 0, 1e-12, "∇_w g at w*");
  }
  const gram = batchGram(p, all);
  for (let k = 0; k < gram.length; k++) assertAlmostEquals(gram[k], p.gram[k], 1e-13, "Gram");
  // upperGrad is the gradient of upperLoss
  const wc = Float64Array.from(w[1]);
  assertCentralDifferences(() => upperLoss(p, 1, wc), wc, upperGrad(p, 1, wc), { h: 1e-6, label: "w" });
});

Deno.test("minibatch oracles are unbiased: the mean over all single-row batches is the full-batch value", () => {
  const p = smallProblem(4);
  const x = new Float64Array(p.d).fill(0.2), w = Rng.fromSeed(5).normal(p.d);
  const full = lowerGrad(p, 2, x, w, Array.from({ length: p.n }, (_, i) => i));
  const mean = new Float64Array(p.d);
  for (let r = 0; r < p.n; r++) lowerGrad(p, 2, x, w, [r]).forEach((v, k) => mean[k] += v / p.n);
  for (let k = 0; k < p.d; k++) assertAlmostEquals(mean[k], full[k], 1e-12, `mean ∇g[${k}]`);
});

Deno.test("correction weights: plain 0, STORM 1 − β, MSVR equals STORM when all blocks are sampled", () => {
  assertAlmostEquals(correctionWeight("plain", 10, 3, 0.1), 0, 0);
  assertAlmostEquals(correctionWeight("storm", 10, 3, 0.1), 0.9, 1e-15);
  assertAlmostEquals(correctionWeight("msvr", 10, 10, 0.1), 0.9, 1e-15);
  assertAlmostEquals(correctionWeight("msvr", 10, 1, 0.1), 9 / 0.9 + 0.9, 1e-12);
  const s = sampleWithout(Rng.fromSeed(1), 10, 4);
  assert(new Set(s).size === 4 && s.every((i) => i >= 0 && i < 10), "distinct in range");
});

/**
 * One block sampled with probability p = I/m, tracking h_t = a + δt plus N(0, σ²) noise. Theory of the expected
 * error e = u − h: sampled, e ← (1−β)e + (γ − (1−β))δ (+ noise); not sampled, e ← e − δ. In steady state
 * E e = [p(γ − (1−β)) − (1 − p)] δ / (pβ): STORM −(1−p)δ/(pβ), MSVR (1−p)δ/((1−β)p) — MSVR's drift bias is
 * β/(1−β) of STORM's.
 */
function simulateTracking(est: "storm" | "msvr", sigma: number, delta: number, runs: number, seed: number) {
  const m = 10, blocks = 2, beta = 0.2, p = blocks / m, steps = 200;
  const gamma = correctionWeight(est, m, blocks, beta);
  const rng = Rng.fromSeed(seed);
  const errs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const u = new Float64Array(1);
    let started = false;
    for (let t = 1; t <= steps; t++) {
      if (rng.uniform() >= p) continue;
      const noise = sigma * rng.normal();
      const hNew = [1 + delta * t + noise], hOld = [1 + delta * (t - 1) + noise];
      if (!started) trackUpdate(u, hNew, null, 1, 0);
      else trackUpdate(u, hNew, hOld, beta, gamma);
      started = true;
    }
    errs.push(u[0] - (1 + delta * steps));
  }
  const mean = errs.reduce((a, b) => a + b, 0) / runs;
  const v = errs.reduce((a, b) => a + (b - mean) ** 2, 0) / (runs - 1);
  return { mean, variance: v, se: Math.sqrt(v / runs), p, beta };
}

Deno.test("block estimators: MSVR's drift bias is β/(1−β) of STORM's under block sampling (theory, Monte Carlo)", () => {
  const delta = 0.01;
  const storm = simulateTracking("storm", 0, delta, 4000, 11), msvr = simulateTracking("msvr", 0, delta, 4000, 11);
  const { p, beta } = storm;
  const stormTheory = -(1 - p) * delta / (p * beta), msvrTheory = (1 - p) * delta / ((1 - beta) * p);
  assertAlmostEquals(storm.mean, stormTheory, 4 * storm.se + 0.02 * Math.abs(stormTheory), "STORM bias");
  assertAlmostEquals(msvr.mean, msvrTheory, 4 * msvr.se + 0.02 * Math.abs(msvrTheory), "MSVR bias");
  assert(Math.abs(msvr.mean) < Math.abs(storm.mean) / 2, `MSVR ${msvr.mean} vs STORM ${storm.mean}`);
});

Deno.test("block estimators: at a fixed point both are unbiased, with variance ≈ β/(2−β)·σ² (EMA of noise)", () => {
  const sigma = 1;
  for (const est of ["storm", "msvr"] as const) {
    const r = simulateTracking(est, sigma, 0, 4000, 12);
    assertAlmostEquals(r.mean, 0, 4 * r.se, `${est} mean`);
    const theory = r.beta / (2 - r.beta) * sigma ** 2;
    assertAlmostEquals(r.variance, theory, 0.15 * theory, `${est} variance ${r.variance} vs ${theory}`);
  }
});

Deno.test("methods: with I = m, BSVRB-v1 and RSVRB coincide; every method lowers F on a small problem", () => {
  const p = smallProblem(6, 200, 100, 6, 3);
  const x0 = new Float64Array(p.d).fill(-1);
  const f0 = upperObjective(p, x0), fStar = referenceMinimum(p, x0, -6, 2).f;
  assert(fStar < f0 - 1e-4, `reference minimum lowers F: ${fStar} vs ${f0}`);
  const base = { blocks: 3, batch: 16, iters: 400, eta: 3, tau: 0.02, beta: 0.1, alpha: 0.1, x0 };
  const run = (estimator: "plain" | "storm" | "msvr", variant: "v1" | "v2", blocks = 3) =>
    runMbbo(p, { ...base, blocks, estimator, variant }, Rng.fromSeed(7));
  const a = run("msvr", "v1"), b = run("storm", "v1");
  for (let k = 0; k < p.d; k++) assertAlmostEquals(a[k], b[k], 0, "MSVR = STORM at I = m");
  for (const [e, v] of [["plain", "v1"], ["storm", "v1"], ["msvr", "v1"], ["msvr", "v2"]] as const) {
    const f = upperObjective(p, run(e, v, 2));
    assert(f < f0, `${e}/${v}: F ${f} not below F(x0) ${f0}`);
  }
});

import assert from "node:assert";
import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import { addScore, type Component, distribution, fisherInfo, sample, traceCov } from "./mixture.ts";
import { coordMedian, sampleMean, smoothedMle } from "./estimators.ts";
import { runMethods } from "../../lib/testdata/run.ts";

/** log f_r(z) of the mixture, for finite differences. */
function logDensity(f: Component[], r: number, z: Float64Array): number {
  const d = z.length, u = 1 / Math.sqrt(d);
  let p = 0;
  for (const c of f) {
    const v = c.s * c.s + r * r;
    let q = 0;
    for (let j = 0; j < d; j++) q += (z[j] - c.a * u) ** 2;
    p += c.w * Math.exp(-0.5 * q / v) / Math.pow(2 * Math.PI * v, d / 2);
  }
  return Math.log(p);
}

Deno.test("smoothed score equals the gradient of log f_r (central differences)", () => {
  const rng = Rng.fromSeed(1);
  for (const name of ["bimodal", "spike"] as const) {
    const f = distribution(name);
    for (const r of [0, 0.2]) {
      const z = rng.normal(3).map((v) => 0.5 * v);
      const s = new Float64Array(3);
      addScore(f, r, z, 0, 3, s);
      for (let j = 0; j < 3; j++) {
        const h = 1e-6, zp = z.slice(), zm = z.slice();
        zp[j] += h;
        zm[j] -= h;
        assertAlmostEquals(s[j], (logDensity(f, r, zp) - logDensity(f, r, zm)) / (2 * h), 1e-4 * (1 + Math.abs(s[j])));
      }
    }
  }
});

Deno.test("Fisher information: exact for Gaussians, ≥ 1/Var (Cramér–Rao ≤ covariance) for mixtures", () => {
  const rng = Rng.fromSeed(2);
  // N(0, I) smoothed by r: I_r = I/(1 + r²) in every direction
  const g = fisherInfo(distribution("gaussian"), 0.5, 4, 50000, rng.split("g"));
  assertAlmostEquals(g.jPar, 1 / 1.25, 0.02);
  assertAlmostEquals(g.jPerp, 1 / 1.25, 0.02);
  for (const name of ["bimodal", "spike"] as const) {
    const f = distribution(name);
    const i0 = fisherInfo(f, 0, 5, 50000, rng.split(name));
    assert(i0.trInv < traceCov(f, 5), `${name}: tr I⁻¹ ${i0.trInv} < tr Cov ${traceCov(f, 5)}`);
    const ir = fisherInfo(f, 0.3, 5, 50000, rng.split(name + "r"));
    assert(ir.trInv > i0.trInv, "smoothing loses information");
  }
});

Deno.test("sampler matches the mixture's covariance trace", () => {
  const f = distribution("bimodal");
  const x = sample(f, 4, 40000, Rng.fromSeed(3));
  const m = sampleMean(x, 40000, 4);
  let tr = 0;
  for (let i = 0; i < 40000; i++) for (let j = 0; j < 4; j++) tr += (x[i * 4 + j] - m[j]) ** 2;
  assertAlmostEquals(tr / 40000, traceCov(f, 4), 0.3);
});

Deno.test("median and mean on a small exact case; scoring is a fixed point at the Gaussian MLE (= mean)", () => {
  const x = Float64Array.from([1, 10, 3, -2, 2, 4]); // 3 points in d = 2
  assert.deepStrictEqual([...coordMedian(x, 3, 2)], [2, 4]);
  assert.deepStrictEqual([...sampleMean(x, 3, 2)], [2, 4]);
  // for N(0, I) smoothed by r, Fisher scoring with the exact I_r reaches the mean in one step
  const f = distribution("gaussian");
  const y = sample(f, 3, 50, Rng.fromSeed(4));
  const lam = smoothedMle(y, 50, 3, f, 0.3, { jPar: 1 / 1.09, jPerp: 1 / 1.09 }, 1);
  const mu = sampleMean(y, 50, 3);
  for (let j = 0; j < 3; j++) assertAlmostEquals(lam[j], mu[j], 1e-12);
});

Deno.test("smoothed MLE beats the mean on the bimodal law (1-D, n = 400)", () => {
  const f = distribution("bimodal");
  const rng = Rng.fromSeed(5);
  const info = fisherInfo(f, 0.2, 1, 50000, rng.split("i"));
  let eM = 0, eS = 0;
  for (let t = 0; t < 60; t++) {
    const x = sample(f, 1, 400, rng.split(t));
    eM += sampleMean(x, 400, 1)[0] ** 2;
    eS += smoothedMle(x, 400, 1, f, 0.2, info, 10)[0] ** 2;
  }
  assert(eS < 0.3 * eM, `${eS} vs ${eM}`);
});

Deno.test("smoke pipeline: data → each method → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, { dist: "spike", n: 100, trials: 5 });
  assert(Object.keys(byMethod).length === Object.keys(exp.methods).length, "every method runs");
});

import { assert, assertAlmostEquals, assertEquals } from "../testdata/assert.ts";
import { Rng } from "./rng.ts";
import { JsLinalg, mat } from "./linalg/mod.ts";
import {
  accumulate,
  adamAscent,
  addNoiseMatVec,
  lowRankDense,
  type MatrixNoise,
  noiseSize,
  normalizeFitness,
  sampleFull,
  sampleLowRank,
  sgdAscent,
} from "./es.ts";

const la = new JsLinalg();

Deno.test("lowRankDense: A Bᵀ/√r on a small exact case", () => {
  // A = [[1, 2], [3, 4], [5, 6]] (3×2), B = [[1, 0], [0, 1]] (2×2): A Bᵀ/√2 = A/√2.
  const d: MatrixNoise = {
    kind: "lowrank",
    rank: 2,
    a: Float64Array.of(1, 2, 3, 4, 5, 6),
    b: Float64Array.of(1, 0, 0, 1),
  };
  const e = lowRankDense(d, 3, 2);
  [1, 2, 3, 4, 5, 6].forEach((v, i) => assertAlmostEquals(e[i], v / Math.SQRT2, 1e-15));
  assertEquals(noiseSize(64, 32, 4), 4 * 96);
  assertEquals(noiseSize(64, 32, 0), 64 * 32);
});

Deno.test("addNoiseMatVec: the factored product A(Bᵀx)/√r equals the dense E·x", () => {
  const rng = Rng.fromSeed(1);
  for (const d of [sampleLowRank(rng, 7, 5, 3), sampleFull(rng, 7, 5)]) {
    const e = lowRankDense(d, 7, 5), x = rng.normal(5), y = rng.normal(7), ref = y.slice();
    for (let i = 0; i < 7; i++) for (let j = 0; j < 5; j++) ref[i] += -0.3 * e[i * 5 + j] * x[j];
    addNoiseMatVec(d, 7, 5, x, 0, -0.3, y, 0);
    for (let i = 0; i < 7; i++) assertAlmostEquals(y[i], ref[i], 1e-13);
  }
});

Deno.test("rank-r draws: identity covariance, zero third moment, kurtosis 3 + 6/r (Monte Carlo)", () => {
  const rng = Rng.fromSeed(2), draws = 40000;
  for (const r of [1, 4]) {
    let m2 = 0, m3 = 0, m4 = 0, cross = 0;
    for (let k = 0; k < draws; k++) {
      const e = lowRankDense(sampleLowRank(rng, 3, 2, r), 3, 2);
      m2 += e[0] ** 2 / draws;
      m3 += e[0] ** 3 / draws;
      m4 += e[0] ** 4 / draws;
      cross += (e[0] * e[3]) / draws; // entries (0,0) and (1,1): uncorrelated
    }
    assertAlmostEquals(m2, 1, 0.03);
    assertAlmostEquals(m3, 0, 0.15);
    assertAlmostEquals(cross, 0, 0.03);
    // E[x⁴] = 3 + 6/r exactly; the sample's standard error at r = 1 (E[x⁸] = 11025) is about 0.5.
    assertAlmostEquals(m4, 3 + 6 / r, r === 1 ? 1.6 : 0.5);
  }
});

Deno.test("normalizeFitness: zero mean, unit variance, order kept, constant scores give zeros", () => {
  const s = normalizeFitness([3, 1, 4, 1, 5, 9, 2, 6]);
  const mu = s.reduce((a, b) => a + b, 0) / s.length, v = s.reduce((a, b) => a + (b - mu) ** 2, 0) / s.length;
  assertAlmostEquals(mu, 0, 1e-12);
  assertAlmostEquals(v, 1, 1e-5);
  assert(s[5] > s[7] && s[7] > s[4] && s[4] > s[2], "order preserved");
  const c = normalizeFitness([2, 2, 2, 2]);
  assert(c.every((x) => x === 0), "constant input → zeros, no NaN");
});

Deno.test("accumulate: equals the explicit sum; equal antithetic scores cancel; rank min(P·r, m, n)", () => {
  const rng = Rng.fromSeed(3), m = 12, n = 9;
  const draws = [sampleLowRank(rng, m, n, 2), sampleLowRank(rng, m, n, 2), sampleLowRank(rng, m, n, 2)];
  const scores = Float64Array.of(1.5, -0.5, 0.2, 0.9, -1, -1);
  const g = accumulate(draws, scores, 0.1, m, n);
  const ref = new Float64Array(m * n);
  draws.forEach((d, k) => {
    const e = lowRankDense(d, m, n);
    for (let i = 0; i < m * n; i++) ref[i] += ((scores[2 * k] - scores[2 * k + 1]) * 0.1 * e[i]) / 6;
  });
  for (let i = 0; i < m * n; i++) assertAlmostEquals(g[i], ref[i], 1e-15);
  // The third pair has equal scores: it cancels, so the sum has rank 2·2 = 4.
  const rank = (x: Float64Array) => {
    const s = la.svdvals(mat(m, n, x));
    return s.filter((v) => v > 1e-12 * s[0]).length;
  };
  assertEquals(rank(g), 4);
  assertEquals(rank(accumulate(draws, Float64Array.of(1, 0, 2, 0, 3, 0), 0.1, m, n)), 6);
  const many = Array.from({ length: 10 }, () => sampleLowRank(rng, m, n, 1));
  assertEquals(rank(accumulate(many, rng.normal(20), 0.1, m, n)), 9); // min(10·1, 12, 9)
  // Full-rank draws accumulate the same way.
  const full = [sampleFull(rng, m, n)];
  const gf = accumulate(full, Float64Array.of(1, 0), 2, m, n), ef = (full[0] as { e: Float64Array }).e;
  for (let i = 0; i < m * n; i++) assertAlmostEquals(gf[i], ef[i], 1e-15);
});

Deno.test("ascent optimisers: SGD steps exactly; Adam climbs a concave quadratic", () => {
  const p = Float64Array.of(1, 2);
  sgdAscent(0.5).step(p, Float64Array.of(2, -2));
  assertEquals(Array.from(p), [2, 1]);
  const q = Float64Array.of(3, -4), opt = adamAscent(0.1, 2);
  const f = (x: Float64Array) => -(x[0] ** 2) - x[1] ** 2;
  const f0 = f(q);
  for (let t = 0; t < 100; t++) opt.step(q, Float64Array.of(-2 * q[0], -2 * q[1]));
  assert(f(q) > f0 / 10, `Adam ascent: ${f0} → ${f(q)}`);
});

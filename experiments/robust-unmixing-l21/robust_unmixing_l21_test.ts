import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { baselines, dense, makeBench, regularizedMu, score, tuneAndFit } from "../../lib/math/nmf/mod.ts";
import { exponents, guidanceMap, l21L12, rrlbs } from "./rrlbs.ts";

Deno.test("guidance map: a pure pixel gets h = 1 (p = ½), the uniform mixture h = 0 (p = 1)", () => {
  const s = dense(3, 3, [1, 1 / 3, 0.5, 0, 1 / 3, 0.5, 0, 1 / 3, 0]);
  const h = guidanceMap(s), p = exponents(s);
  assertAlmostEquals(h[0], 1, 1e-12);
  assertAlmostEquals(h[1], 0, 1e-12);
  assertAlmostEquals(h[2], 1 - Math.log(2) / Math.log(3), 1e-12);
  assertAlmostEquals(p[0], 0.5, 1e-12);
  assertAlmostEquals(p[1], 1, 1e-12);
});

Deno.test("ℓ2,1 + per-pixel ℓp objective never increases with the exponents held fixed (abundance step)", () => {
  const b = makeBench(
    { bands: 30, side: 8, endmembers: 3, snrDb: 30, outlierBands: 0.2, alpha: 0.1, block: 4 },
    Rng.fromSeed(1),
  );
  const sc = b.evaluation;
  const res = regularizedMu(sc.x, sc.init.e, sc.init.s, {
    iters: 100,
    fixW: true,
    delta: 15,
    rowLoss: "l21",
    sparsity: { lambda: 0.1 * sc.lambdaHat, p: exponents(sc.init.s) },
  });
  for (let i = 1; i < res.objective.length; i++) {
    if (res.objective[i] > res.objective[i - 1] * (1 + 1e-9)) throw new Error(`rose at ${i}`);
  }
});

Deno.test("with 20% outlier bands the ℓ2,1 methods beat L1/2-NMF on a small fixed scene (property, seed 2)", () => {
  const b = makeBench(
    { bands: 40, side: 16, endmembers: 3, snrDb: 30, outlierBands: 0.2, alpha: 0.1, block: 4 },
    Rng.fromSeed(2),
  );
  const st = { iters: 150, delta: 15, knn: 5, every: 10 };
  const none = () => {};
  const l12 = score(b.evaluation, tuneAndFit(b, baselines.l12(st), [0.03, 0.3], none)).sad;
  const robust = score(b.evaluation, tuneAndFit(b, (sc, c) => l21L12(sc, st, c!), [0.03, 0.3], none)).sad;
  const ours = score(b.evaluation, tuneAndFit(b, (sc, c) => rrlbs(sc, { ...st }, c!), [0.03, 0.3], none)).sad;
  if (!(robust < l12 && ours < l12)) throw new Error(`SAD l12 ${l12}, l21+l12 ${robust}, rrlbs ${ours}`);
});

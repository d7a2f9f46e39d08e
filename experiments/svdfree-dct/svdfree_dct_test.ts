import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { charMlp } from "../../lib/math/nn/charlm.ts";
import { TOY_CHARLM_OPTS, toyCharCorpus } from "../../lib/testdata/charlm.ts";
import { dctBasis, projectionError, selectColumns, topLeftSingular } from "../../lib/math/nn/subspace.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import { fitCharLm, makeOptimizer, projectorStats, recordGradients } from "./train.ts";

const OPTS = TOY_CHARLM_OPTS;
const toyData = toyCharCorpus;

Deno.test("svdfree-dct: Adam projects nothing; the three low-rank methods project the two hidden matrices", () => {
  const net = charMlp({ vocab: 6, context: 4, embed: 4, hidden: 12 });
  assertEquals(makeOptimizer("adam", net, OPTS, 0.01).projectors().size, 0);
  for (const m of ["galore", "dct", "random"] as const) {
    const p = makeOptimizer(m, net, OPTS, 0.01).projectors();
    assertEquals([...p.keys()], ["1.w", "3.w"]);
    assert([...p.values()].every((v) => v.r === 3 && v.d === 12), `${m}: rank 3 on the 12-dim side`);
  }
});

Deno.test("svdfree-dct: recorded gradients are the hidden gradients oriented d×e; SVD error ≤ DCT error", () => {
  const grads = recordGradients(toyData(), OPTS, 0.01, 20, 10, Rng.fromSeed(3));
  assertEquals(grads.length, 4); // 2 matrices × steps 10, 20
  assert(grads.every((x) => x.d === 12 && x.e === 16 || x.d === 12 && x.e === 12), "d = 12 (the smaller side)");
  const svd = projectorStats("galore", grads, 3, 1, Rng.fromSeed(0));
  const dct = projectorStats("dct", grads, 3, 1, Rng.fromSeed(0));
  const rnd = projectorStats("random", grads, 3, 1, Rng.fromSeed(0));
  assert(svd.projErr > 0 && svd.projErr <= dct.projErr + 1e-12 && svd.projErr <= rnd.projErr + 1e-12, "SVD optimal");
  assert(dct.projErr < 1 && svd.refreshMs >= 0 && dct.refreshMs >= 0, `${dct.projErr} ${dct.refreshMs}`);
  // Float64 reference of the first DCT error: the error of the best-ℓ1 columns, from the raw definition.
  const x = grads[0], b = dctBasis(x.d), { q } = selectColumns(b, x.g, x.d, x.e, 3);
  let res = 0, tot = 0;
  for (let j = 0; j < x.e; j++) {
    for (let i = 0; i < x.d; i++) {
      let p = 0;
      for (let k = 0; k < 3; k++) for (let l = 0; l < x.d; l++) p += q[i * 3 + k] * q[l * 3 + k] * x.g[l * x.e + j];
      res += (x.g[i * x.e + j] - p) ** 2;
      tot += x.g[i * x.e + j] ** 2;
    }
  }
  assertAlmostEquals(projectionError(q, x.g, x.d, x.e, 3), Math.sqrt(res / tot), 1e-12);
  assertAlmostEquals(projectionError(topLeftSingular(x.g, x.d, x.e, 12), x.g, x.d, x.e, 12), 0, 1e-7);
});

Deno.test("svdfree-dct: the lr rule keeps the lowest validation loss; runs are paired; refresh times recorded", () => {
  const data = toyData();
  const f = fitCharLm("dct", data, OPTS, [1e-2, 50], Rng.fromSeed(2));
  assertEquals(f.lr, 0.01);
  const g = fitCharLm("dct", data, OPTS, [1e-2], Rng.fromSeed(2));
  assertEquals(g.valLoss, f.valLoss);
  assert(f.valLoss < Math.log(6), `learns the toy phrase: ${f.valLoss}`);
  assertEquals(f.curve.length, 4);
  assert(f.trainRefreshMs >= 0, "dct refreshes timed");
  assert(Number.isNaN(fitCharLm("adam", data, OPTS, [1e-2], Rng.fromSeed(2)).trainRefreshMs), "adam: none");
});

Deno.test("svdfree-dct: smoke runs of every method end to end (runner path)", async () => {
  const runs = await runSmokePoints(exp);
  const by = Object.fromEntries(runs.map((r) => [r.run.method, r.m]));
  assertEquals(Object.keys(by).sort(), ["adam", "checks", "dct", "galore", "random"]);
  assert(by.checks.identity_gap <= 1e-12 && by.checks.dct_orth_err <= 1e-12, "identities");
  for (const m of ["adam", "galore", "dct", "random"]) {
    assert(by[m].test_ppl > 1 && by[m].test_ppl < 85, `${m} ppl ${by[m].test_ppl}`);
    assertAlmostEquals(Math.log(by[m].test_ppl), by[m].test_loss, 1e-12);
  }
  assert(by.galore.proj_err <= by.dct.proj_err && !("proj_err" in by.adam), "SVD optimal; Adam has no projector");
});

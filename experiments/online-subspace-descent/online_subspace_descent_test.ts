import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { charMlp, evalWindows } from "../../lib/math/nn/charlm.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import { type CorpusData, fitCharLm, identityChecks, lrMultiplier, makeOptimizer, type TrainOpts } from "./train.ts";

const OPTS: TrainOpts = {
  context: 4,
  embed: 4,
  hidden: 12,
  layers: 2,
  batch: 16,
  steps: 40,
  warmup: 4,
  minLrRatio: 0.1,
  rank: 3,
  gap: 10,
  scale: 0.25,
  evalEvery: 10,
  curveWindows: 50,
};

/** A synthetic corpus: a repeating phrase over 6 symbols with a little noise. */
function toyData(): CorpusData {
  const rng = Rng.fromSeed(9), phrase = [0, 1, 2, 3, 1, 4, 5, 2];
  const ids = (n: number) =>
    Uint8Array.from({ length: n }, (_, i) => (rng.uniform() < 0.05 ? Math.floor(rng.uniform() * 6) : phrase[i % 8]));
  return { train: ids(3000), val: evalWindows(ids(600), 4, 200), test: evalWindows(ids(600), 4, 200), vocab: 6 };
}

Deno.test("osd: the official cosine schedule — linear warm-up, cosine to the floor at the last step", () => {
  assertEquals(lrMultiplier(0, 100, 10, 0.1), 0);
  assertAlmostEquals(lrMultiplier(5, 100, 10, 0.1), 0.5, 1e-15);
  assertAlmostEquals(lrMultiplier(10, 100, 10, 0.1), 1, 1e-15);
  assertAlmostEquals(lrMultiplier(55, 100, 10, 0.1), 0.55, 1e-15);
  assertAlmostEquals(lrMultiplier(100, 100, 10, 0.1), 0.1, 1e-15);
});

Deno.test("osd: Adam projects nothing; GaLore and OSD project exactly the two hidden matrices", () => {
  const net = charMlp({ vocab: 6, context: 4, embed: 4, hidden: 12 });
  assertEquals(makeOptimizer("adam", net, OPTS, 0.01).projectors().size, 0);
  for (const m of ["galore", "osd"] as const) {
    const p = makeOptimizer(m, net, OPTS, 0.01).projectors();
    assertEquals([...p.keys()], ["1.w", "3.w"]);
    assert([...p.values()].every((v) => v.r === 3 && v.d === 12), `${m}: rank 3 on the 12-dim side`);
  }
});

Deno.test("osd: identity checks on the model — identity projector = Adam, SVD projectors orthonormal", () => {
  const c = identityChecks(toyData(), OPTS, Rng.fromSeed(1));
  assert(c.identityGap <= 1e-12, `identity gap ${c.identityGap}`);
  assert(c.svdOrthErr <= 1e-12, `svd orthonormality ${c.svdOrthErr}`);
});

Deno.test("osd: the lr rule keeps the lowest validation loss; a diverging rate is never chosen; runs are paired", () => {
  const data = toyData();
  const f = fitCharLm("osd", data, OPTS, [1e-2, 50], Rng.fromSeed(2));
  assertEquals(f.lr, 0.01);
  const g = fitCharLm("osd", data, OPTS, [1e-2], Rng.fromSeed(2));
  assertEquals(g.valLoss, f.valLoss); // same init and batches for every rate
  assert(f.valLoss < Math.log(6), `learns the toy phrase: ${f.valLoss}`);
  assertEquals(f.curve.length, 4);
  assert(f.orthErr > 0 && f.orthErr < 0.5 && f.pcaLoss >= 0 && f.pcaLoss < 1, `osd ${f.orthErr} ${f.pcaLoss}`);
});

Deno.test("osd: smoke runs of every method end to end (runner path)", async () => {
  const runs = await runSmokePoints(exp);
  const by = Object.fromEntries(runs.map((r) => [r.run.method, r.m]));
  assertEquals(Object.keys(by).sort(), ["adam", "checks", "galore", "osd"]);
  assert(by.checks.identity_gap <= 1e-12 && by.checks.svd_orth_err <= 1e-12, "identities");
  for (const m of ["adam", "galore", "osd"]) {
    assert(by[m].test_ppl > 1 && by[m].test_ppl < 85, `${m} ppl ${by[m].test_ppl}`);
    assertAlmostEquals(Math.log(by[m].test_ppl), by[m].test_loss, 1e-12);
  }
  assert("orth_err" in by.osd && !("orth_err" in by.galore), "orth_err only for OSD");
});

import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { charMlp } from "../../lib/math/nn/charlm.ts";
import { subspaceChecks } from "../../lib/math/nn/charlm_fit.ts";
import { TOY_CHARLM_OPTS, toyCharCorpus } from "../../lib/testdata/charlm.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import { fitCharLm, makeOptimizer } from "./train.ts";

const OPTS = TOY_CHARLM_OPTS;

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
  const c = subspaceChecks(toyCharCorpus(), OPTS, Rng.fromSeed(1));
  assert(c.identityGap <= 1e-12, `identity gap ${c.identityGap}`);
  assert(c.svdOrthErr <= 1e-12, `svd orthonormality ${c.svdOrthErr}`);
});

Deno.test("osd: the lr rule keeps the lowest validation loss; a diverging rate is never chosen; runs are paired", () => {
  const data = toyCharCorpus();
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

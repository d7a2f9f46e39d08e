import { assert, assertEquals } from "../../testdata/assert.ts";
import { TOY_CHARLM_OPTS, toyCharCorpus } from "../../testdata/charlm.ts";
import { Rng } from "../rng.ts";
import { charMlp } from "./charlm.ts";
import { bestByValidation, trainCharLmRun } from "./charlm_fit.ts";
import { SubspaceAdam } from "./subspace.ts";

Deno.test("charlm_fit: the lr rule keeps the lowest finite validation loss, first best in grid order", () => {
  const loss: Record<number, number> = { 1: 0.5, 2: 0.3, 3: 0.3, 4: NaN };
  const b = bestByValidation([1, 2, 3, 4], (lr) => ({ valLoss: loss[lr], tag: lr }));
  assertEquals([b.lr, b.tag, b.valLoss], [2, 2, 0.3]);
  assertEquals(bestByValidation([4], () => ({ valLoss: NaN })).valLoss, Infinity);
});

Deno.test("charlm_fit: a run learns the toy phrase and records one curve point every evalEvery steps", () => {
  const data = toyCharCorpus(), o = TOY_CHARLM_OPTS;
  const net = charMlp({ vocab: 6, context: 4, embed: 4, hidden: 12, rng: Rng.fromSeed(1) });
  const opt = new SubspaceAdam(net.paramList(), [], { lr: 0.01, rank: 1, gap: 1, scale: 1, projector: "svd" });
  const r = trainCharLmRun(net, opt, data, o, Rng.fromSeed(2));
  assertEquals(r.curve.length, o.steps / o.evalEvery);
  assert(r.valLoss < Math.log(6) && r.trainLoss > 0, `val ${r.valLoss}`);
});

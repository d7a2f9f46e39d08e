import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { TOY_CHARLM_OPTS, toyCharCorpus } from "../../lib/testdata/charlm.ts";
import { Adam } from "../../lib/math/nn/optim.ts";
import type { Param } from "../../lib/math/nn/params.ts";
import { fakeQuantize, FakeQuantized, Spam, StableSpam } from "../../lib/math/nn/spam.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import { fitSpam, spamChecks, type SpamRunOpts } from "./train.ts";

const OPTS: SpamRunOpts = {
  ...TOY_CHARLM_OPTS,
  bits: 4,
  group: 16,
  resetGap: 10,
  spamThreshold: 2000,
  spamAccum: 4,
  spamWarmup: 3,
  gamma1: 0.7,
  gamma2: 0.9,
  gamma3: 0.999,
  etaMin: 0.5,
};

const param = (vals: number[]): Param => ({
  name: "p",
  shape: [vals.length],
  offset: 0,
  size: vals.length,
  value: Float64Array.from(vals),
  grad: new Float64Array(vals.length),
});

/** Gradients of a fixed quadratic-with-spikes sequence, reproducible. */
function gradAt(t: number, n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => rng.normal() + (t === 7 && i === 0 ? 1e3 : 0));
}

Deno.test("stable-spam: with every part off Stable-SPAM is torch Adam (random gradients, 30 steps)", () => {
  const p = param([0.1, -0.2, 0.3, 0.5]), q = param([0.1, -0.2, 0.3, 0.5]);
  const a = new Adam({ lr: 0.01 }), s = new StableSpam([q], { lr: 0.01, clip: false, normalize: false });
  const rng = Rng.fromSeed(3);
  for (let t = 0; t < 30; t++) {
    const g = gradAt(t, 4, rng);
    a.step(p.value, g);
    q.grad.set(g);
    s.step();
  }
  for (let i = 0; i < 4; i++) assertAlmostEquals(q.value[i], p.value[i], 1e-15);
});

Deno.test("stable-spam: AdaClip caps a spike at the moving max; AdaGN gives the step the norm ratio", () => {
  // One step by hand: g = (3, 4): max|g| = 4, m̂ = 4 (bias-corrected at t = 1) so nothing is clipped; ‖g‖ = 5,
  // â = 5, b̂ = 25 so c = 5/(5 + ε) and g keeps its size; Adam's first step then moves every entry by ≈ lr.
  const p = param([0, 0]);
  const s = new StableSpam([p], { lr: 0.1 });
  p.grad.set([3, 4]);
  s.step();
  assertEquals(s.clipped, 0);
  assertAlmostEquals(p.value[0], -0.1, 1e-7);
  assertAlmostEquals(p.value[1], -0.1, 1e-7);
  // A later spike of 1000 in one entry is clipped to the moving max (about 4 + (1000 − 4)·0.001/(1 − 0.999²)).
  p.grad.set([1000, 4]);
  s.step();
  assertEquals(s.clipped, 1);
});

Deno.test("stable-spam: SPAM clips g² > θv to √(θv) and resets the moments every ΔT steps", () => {
  // v is not bias-corrected: after t steps of g = 1, v = 1 − 0.999ᵗ ≈ 0.001t, so θ = 2000 passes g = 1 (θv ≈ 2t)
  const p = param([0]), s = new Spam([p], { lr: 0.1, threshold: 2000, accum: 2, resetGap: 0, restartWarmup: 1 });
  for (let t = 0; t < 3; t++) {
    p.grad.set([1]);
    s.step();
  }
  assertEquals(s.clipped, 0);
  p.grad.set([1e6]);
  s.step();
  assertEquals(s.clipped, 1);
  // Reset: with ΔT = 3 the moments restart at the 3rd step; clipping is off for `accum` steps after it.
  const r = param([0]), sr = new Spam([r], { lr: 0.1, threshold: 2000, accum: 2, resetGap: 3, restartWarmup: 1 });
  for (let t = 0; t < 4; t++) {
    r.grad.set([t === 3 ? 1e6 : 1]);
    sr.step();
  }
  assertEquals(sr.clipped, 0);
});

Deno.test("stable-spam: INT4 fake quantisation — ≤ 16 levels, error ≤ one step", () => {
  const rng = Rng.fromSeed(5), w = Float64Array.from({ length: 64 }, () => rng.normal()), out = new Float64Array(64);
  fakeQuantize(w, out, 4, 32);
  for (let s = 0; s < 64; s += 32) {
    const g = w.subarray(s, s + 32), lo = Math.min(...g), hi = Math.max(...g), step = (hi - lo) / 15;
    assert(new Set(out.subarray(s, s + 32)).size <= 16, "levels");
    for (let i = s; i < s + 32; i++) assert(Math.abs(out[i] - w[i]) <= step * 1.0001, `error at ${i}`);
  }
});

Deno.test("stable-spam: FakeQuantized shows quantised weights and steps float masters (straight-through)", () => {
  const p = param(Array.from({ length: 16 }, (_, i) => i / 10 + 0.013));
  const inner = { step: () => p.value.forEach((_, i) => (p.value[i] += 0.001)) };
  const q = new FakeQuantized(inner, [p], 4, 16);
  q.step();
  // the master moved by 0.001, which the 4-bit grid (step 0.1) cannot show for every entry; no drift accumulates
  for (let k = 0; k < 9; k++) q.step();
  const expect = new Float64Array(16);
  fakeQuantize(Array.from({ length: 16 }, (_, i) => i / 10 + 0.013 + 0.01), expect, 4, 16);
  for (let i = 0; i < 16; i++) assertAlmostEquals(p.value[i], expect[i], 1e-12);
});

Deno.test("stable-spam: checks on the model; lr rule keeps a finite rate; 4-bit runs learn", () => {
  const data = toyCharCorpus();
  const c = spamChecks(data, OPTS, Rng.fromSeed(1));
  assert(c.adamGap <= 1e-12, `adam gap ${c.adamGap}`);
  assert(c.levels <= 16, `levels ${c.levels}`);
  for (const m of ["adam4", "spam4", "stablespam4"] as const) {
    const f = fitSpam(m, data, OPTS, [1e-2, 1e4], Rng.fromSeed(2));
    assertEquals(f.lr, 0.01);
    assertEquals(f.valByLr.length, 2);
    assert(f.valLoss < Math.log(6), `${m} learns the toy phrase: ${f.valLoss}`);
  }
});

Deno.test("stable-spam: smoke runs of every method end to end (runner path)", async () => {
  const runs = await runSmokePoints(exp);
  const by = Object.fromEntries(runs.map((r) => [r.run.method, r.m]));
  assertEquals(Object.keys(by).sort(), ["adam", "adam4", "checks", "spam4", "stablespam4"]);
  assert(by.checks.adam_gap <= 1e-12 && by.checks.quant_levels <= 16, "identities");
  for (const m of ["adam", "adam4", "spam4", "stablespam4"]) {
    assert(by[m].test_ppl > 1 && by[m].test_ppl < 85, `${m} ppl ${by[m].test_ppl}`);
    assertAlmostEquals(Math.log(by[m].test_ppl), by[m].test_loss, 1e-12);
  }
});

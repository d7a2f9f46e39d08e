import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { buildMnist } from "../../datasets/mnist.ts";
import exp from "./mod.ts";
import { addRegGrad, type Reg, regValue, trainPrune } from "./regprune.ts";
import { accuracy, consecutiveSplits as split } from "../../lib/math/nn/labelled.ts";

Deno.test("reg-pruning: each regulariser's gradient matches finite differences of its value (g held constant)", () => {
  const rng = Rng.fromSeed(0);
  const w = rng.normal(20), g = Float64Array.from(rng.normal(20), (v) => v * 0.5);
  for (const reg of ["relevance", "l2", "l1"] as Reg[]) {
    const grad = new Float64Array(20);
    // addRegGrad reads |g| from the gradient array itself: start from g, subtract it afterwards.
    grad.set(g);
    addRegGrad(reg, w, grad, 0.3, 0.7);
    for (const i of [0, 7, 19]) {
      const h = 1e-6, wp = w.slice(), wm = w.slice();
      wp[i] += h;
      wm[i] -= h;
      const fd = (regValue(reg, wp, g, 0.3, 0.7) - regValue(reg, wm, g, 0.3, 0.7)) / (2 * h);
      assertAlmostEquals(grad[i] - g[i], fd, 1e-7, `${reg} ∂R/∂w[${i}]`);
    }
  }
});

Deno.test("reg-pruning: the relevance term shrinks small-gradient weights, spares large-gradient ones", () => {
  const w = Float64Array.from([1, 1]), g = Float64Array.from([0, 5]);
  addRegGrad("relevance", w, g, 0.5, 1);
  assertAlmostEquals(g[0], 1, 1e-15, "irrelevant: full weight decay 2γw");
  assertAlmostEquals(g[1], 5 + Math.exp(-5), 1e-15, "relevant: decay damped by exp(−|g|/α)");
});

Deno.test("reg-pruning: a short run prunes in 30% steps under the bound and keeps a state that meets it", () => {
  const d = split(buildMnist(900), 600, 200, 100);
  const cfg = { epochs: 4, batch: 20, lr: 0.2, alpha: 1, pruneFrac: 0.3, accBound: 0.6, sizes: [784, 32, 16, 10] };
  const r = trainPrune("relevance", d, cfg, 1e-3, Rng.fromSeed(1));
  assert(r.valAcc >= 0.6, `kept state meets the bound: ${r.valAcc}`);
  // Kept sparsities follow 1 − 0.7^k.
  const ks = [0, 0.3, 0.51, 0.657, 0.7599];
  assert(r.curve.every((s) => ks.some((k) => Math.abs(s - k) < 1e-9)), `curve ${r.curve}`);
  let zeros = 0, n = 0;
  for (const l of r.net.layers) {
    const w = l.weight().data;
    n += w.length;
    for (const v of w) zeros += v === 0 ? 1 : 0;
  }
  assertAlmostEquals(zeros / n, r.sparsity, 2e-3, "the kept net has the recorded sparsity (global magnitude)");
  assertAlmostEquals(accuracy(r.net, d.val), r.valAcc, 1e-15, "restored state");
});

Deno.test("reg-pruning: measure reports the kept state", async () => {
  const d = split(buildMnist(400), 200, 100, 100);
  const cfg = exp.config.parse({
    nTrain: 200,
    nVal: 100,
    nTest: 100,
    hidden1: 16,
    hidden2: 8,
    epochs: 2,
    accBound: 0.2,
  });
  const r = trainPrune("l2", d, { ...cfg, sizes: [784, 16, 8, 10] }, 1e-3, Rng.fromSeed(2));
  const m = await exp.measure(d, { ...r, gamma: 1e-3 }, cfg);
  assert(m.sparsity === r.sparsity && (m.sparsity_curve as number[]).length === 2, JSON.stringify(m));
});

import { assert, assertAlmostEquals, assertIdentity } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { assertLayerGradients } from "../../lib/testdata/gradcheck.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { DenseLayer, FactorNet, type M } from "../../lib/math/nn/factorized.ts";
import { buildMnist } from "../../datasets/mnist.ts";
import exp from "./mod.ts";
import { clampSpectrum, CondLRLayer, condOf, condStep, flattenSpectrum, qrPositive } from "./condlr.ts";
import { buildNet, fgsmAccuracy, layerConds, train } from "./train.ts";
import { consecutiveSplits as split } from "../../lib/math/nn/labelled.ts";

const la = getLinalg();
const rand = (r: number, c: number, seed: number): M => ({ rows: r, cols: c, data: Rng.fromSeed(seed).normal(r * c) });

function layer(kappa: number, seed = 0): CondLRLayer {
  return new CondLRLayer(7, 5, { rank: 3, kappa, weight: rand(5, 7, seed), bias: Rng.fromSeed(seed + 1).normal(5) });
}

Deno.test("condlr: the start is the rank-r truncated SVD of the dense weight (Eckart–Young error)", () => {
  const w = rand(5, 7, 0), l = layer(1);
  const s = la.svdvals(w) as Float64Array, wr = l.weight();
  let err = 0;
  for (let k = 0; k < w.data.length; k++) err = Math.hypot(err, w.data[k] - wr.data[k]);
  assertAlmostEquals(err, Math.hypot(...s.slice(3)), 1e-12, "‖W − W_r‖_F = ‖σ_{r+1:}‖");
  assertAlmostEquals(l.a, s.reduce((a, b) => a + b, 0) / s.length, 1e-14, "a = mean σ");
  assert(l.storedParams() === 3 * (7 + 5), "r(in + out) stored");
});

Deno.test("condlr: backward gives ∂L/∂U, ∂L/∂S, ∂L/∂V, ∂L/∂b and ∂L/∂X (finite differences)", () => {
  assertLayerGradients(layer(1.5, 3), rand(4, 7, 4), Rng.fromSeed(5));
});

Deno.test("condlr: projected U, V gradients lie in the tangent space (UᵀG_U = 0) and scale by 1/a at κ = 1", () => {
  const l = layer(1, 6), x = rand(4, 7, 7);
  l.forward(x);
  l.backward(rand(4, 5, 8));
  const raw = l.u.grad.slice();
  l.project();
  const utg = la.matmul(l.U(), { rows: 5, cols: 3, data: l.u.grad }, { transA: true }) as M;
  for (const v of utg.data) assertAlmostEquals(v, 0, 1e-12, "UᵀG_U");
  // (I − UUᵀ)·raw / a, recomputed directly.
  const U = l.U(), P = la.matmul(U, U, { transB: true }) as M;
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 3; j++) {
      let v = raw[i * 3 + j];
      for (let k = 0; k < 5; k++) v -= P.data[i * 5 + k] * raw[k * 3 + j];
      assertAlmostEquals(l.u.grad[i * 3 + j], v / l.a, 1e-12, "projected");
    }
  }
});

Deno.test("condlr: retraction gives orthonormal U, V and cond(S) = 1 (κ = 1) or ≤ κ (κ = 1.5)", () => {
  for (const kappa of [1, 1.5]) {
    const l = layer(kappa, 9);
    // Perturb the factors off the constraint set, then retract.
    for (const p of [l.u, l.s, l.v]) p.value.set(p.value.map((v, k) => v + 0.3 * Math.sin(k + 1)));
    l.retract();
    for (const b of [l.U(), l.V()]) {
      assertIdentity((la.matmul(b, b, { transA: true }) as M).data, 3, 1e-13, "BᵀB");
    }
    const c = condOf(l.weight(), 3);
    assert(c <= kappa * (1 + 1e-10), `κ = ${kappa}: cond ${c}`);
    if (kappa === 1) assertAlmostEquals(c, 1, 1e-10, "cond 1");
  }
});

Deno.test("condlr: κ = 1 keeps ‖S‖_F (S ← √(‖S‖²_F/r)·Q); clampSpectrum bounds the ratio by κ", () => {
  const l = layer(1, 11);
  l.s.value.set(rand(3, 3, 12).data);
  const before = Math.hypot(...l.s.value);
  l.retract();
  assertAlmostEquals(Math.hypot(...l.s.value), before, 1e-12, "‖S‖_F kept");
  const c = clampSpectrum([10, 3, 1, 0.1], 2);
  assertAlmostEquals(Math.max(...c) / Math.min(...c), 2, 1e-12, "ratio κ exactly when every value is clipped");
  assert(clampSpectrum([1.1, 1, 0.95], 1.5).every((v, i) => v === [1.1, 1, 0.95][i]), "inside the band: unchanged");
  const q = qrPositive(rand(6, 3, 13)), { r } = la.qr(rand(6, 3, 13)) as { r: M };
  assert(r.data.length > 0 && q.rows === 6, "qr shape");
  const w = flattenSpectrum(rand(4, 6, 14));
  assertAlmostEquals(condOf(w, 4), 1, 1e-10, "flattened dense weight: cond 1");
});

Deno.test("condlr: a short CondLR run lowers the loss, and every method starts from the same function", () => {
  const d = split(buildMnist(700), 500, 100, 100);
  const cfg = { hidden: 16, depth: 2, epochs: 3, batch: 50, rank: 4, kappa: 1 };
  const t = train("condlr", d, cfg, 0.1, Rng.fromSeed(1));
  assert(t.loss[2] < t.loss[0], `loss ${t.loss}`);
  assert(layerConds(t.net).every((c) => Math.abs(c - 1) < 1e-8), `conds ${layerConds(t.net)}`);
  // Low-rank starts agree with each other (same truncated SVD); full differs only by the truncation.
  const nets = (["uv", "dlrt", "condlr"] as const).map((k) => buildNet(k, cfg, Rng.fromSeed(2)));
  for (const n of nets.slice(1)) {
    for (let i = 0; i < 3; i++) {
      const a = nets[0].layers[i].weight(), b = n.layers[i].weight();
      for (let k = 0; k < a.data.length; k++) assertAlmostEquals(a.data[k], b.data[k], 1e-12, `layer ${i}`);
    }
  }
});

Deno.test("condlr: FGSM at ε = 0 is clean accuracy and accuracy falls as ε grows; one manual condStep matches", () => {
  const d = split(buildMnist(700), 500, 100, 100);
  const cfg = { hidden: 16, depth: 1, epochs: 3, batch: 50, rank: 4, kappa: 1 };
  const t = train("full", d, cfg, 0.1, Rng.fromSeed(3));
  const acc = fgsmAccuracy(t.net, d.test, [0, 0.05, 0.3]);
  const p = t.net.predict(d.test.x);
  assertAlmostEquals(acc[0], p.reduce((s, v, i) => s + (v === d.test.y[i] ? 1 : 0), 0) / 100, 1e-15, "ε = 0");
  assert(acc[2] < acc[0], `FGSM hurts: ${acc}`);
  // condStep on a one-layer net with a dense head: the dense head is flattened to cond 1.
  const net = new FactorNet([layer(1, 20), new DenseLayer(5, 3, { rng: Rng.fromSeed(21) })]);
  condStep(net, rand(8, 7, 22), [0, 1, 2, 0, 1, 2, 0, 1], 0.1);
  assertAlmostEquals(condOf(net.layers[1].weight(), 3), 1, 1e-10, "dense head flattened");
  assertAlmostEquals(condOf(net.layers[0].weight(), 3), 1, 1e-10, "CondLR layer cond 1");
});

Deno.test("condlr: measure reports compression and cond per method", async () => {
  const d = split(buildMnist(400), 200, 100, 100);
  const cfg = exp.config.parse({ hidden: 16, rank: 4, epochs: 1, nTrain: 200, nVal: 100, nTest: 100 });
  const out = { ...train("uv", d, cfg, 0.1, Rng.fromSeed(4)), valAcc: 0.5 };
  const m = await exp.measure(d, out, cfg);
  const full = 784 * 16 + 16 * 16 + 16 * 10;
  assertAlmostEquals(m.compression as number, 1 - (4 * 800 + 4 * 32 + 160) / full, 1e-15);
  assert((m.fgsm_acc as number[]).length === 11 && m.ortho_err === undefined, "11 budgets; no CondLR layer");
});

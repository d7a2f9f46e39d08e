import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { assertLayerGradients } from "../../lib/testdata/gradcheck.ts";
import { DenseLayer, type FactorLayer, FactorNet, type M } from "../../lib/math/nn/factorized.ts";
import { buildMnist } from "../../datasets/mnist.ts";
import { LolduLayer, VeraLayer } from "./adapters.ts";
import { adapt, adaptNet } from "./train.ts";
import { pretrainMlp as pretrain } from "../../lib/math/nn/factor_train.ts";
import { accuracy, takeExamples as take } from "../../lib/math/nn/labelled.ts";

const rand = (rows: number, cols: number, rng: Rng): M => ({ rows, cols, data: rng.normal(rows * cols) });

/** Every trainable entry and ∂x of a layer against central differences. */
function fdCheck(layer: FactorLayer, x: M, rng: Rng, tol = 1e-6): void {
  assertLayerGradients(layer, x, rng, { tol });
}

Deno.test("loldu: LoLDU layer starts at W₀ (full and partial rank), counts r + 1, and L_r D U_r is W₀'s LDU", () => {
  const rng = Rng.fromSeed(1), w = rand(7, 11, rng), b = rng.normal(7);
  for (const rank of [undefined, 3]) {
    const l = new LolduLayer(11, 7, { weight: w, bias: b, rank });
    const wh = l.weight();
    for (let i = 0; i < w.data.length; i++) assertAlmostEquals(wh.data[i], w.data[i], 1e-12, `W(${rank})[${i}]`);
    assert(l.storedParams() === (rank ?? 7) + 1, `count ${l.storedParams()}`);
    assert(l.params().map((p) => p.name).join() === "loldu_z,loldu_scale", "only z and s train");
  }
  // Full rank: the residual is zero up to roundoff after scaling s back to 1.
  const full = new LolduLayer(11, 7, { weight: w, bias: b });
  full.z.value.forEach((_, j) => full.z.value[j] *= 1);
  full.s.value[0] = 1;
  const w2 = full.weight();
  for (let i = 0; i < w.data.length; i++) {
    assertAlmostEquals(w2.data[i] - full.wres.data[i], w.data[i], 1e-10, "s = 1: L D U = W₀");
  }
});

Deno.test("loldu: LoLDU and VeRA gradients match finite differences", () => {
  const rng = Rng.fromSeed(2), w = rand(6, 9, rng), b = rng.normal(6);
  const l = new LolduLayer(9, 6, { weight: w, bias: b, rank: 4 });
  l.s.value[0] = 0.7;
  fdCheck(l, rand(5, 9, rng), rng);
  const v = new VeraLayer(9, 6, 4, { weight: w, bias: b, rng: rng.split("v") });
  v.beta.value.set(rng.normal(6));
  fdCheck(v, rand(5, 9, rng), rng);
});

Deno.test("loldu: VeRA starts at W₀; adapter counts per method (LoRA r(in+out), VeRA r+out, LoLDU r+1)", () => {
  const rng = Rng.fromSeed(3), w = rand(6, 9, rng);
  const v = new VeraLayer(9, 6, 4, { weight: w, bias: new Float64Array(6), rng });
  const wv = v.weight();
  for (let i = 0; i < w.data.length; i++) assertAlmostEquals(wv.data[i], w.data[i], 0, "β₀ = 0");
  const pre = new FactorNet([
    new DenseLayer(784, 16, { rng: rng.split("a") }),
    new DenseLayer(16, 16, { rng: rng.split("b") }),
    new DenseLayer(16, 10, { rng: rng.split("c") }),
  ]);
  const cfg = { loraRank: 2, veraRank: 4, lolduRank: 0 };
  const count = (m: Parameters<typeof adaptNet>[1]) =>
    adaptNet(pre, m, cfg, rng).adapter.reduce((s, p) => s + p.value.length, 0);
  assert(count("lora") === 2 * (784 + 16) + 2 * (16 + 16), `lora ${count("lora")}`);
  assert(count("vera") === 4 + 16 + 4 + 16, `vera ${count("vera")}`);
  assert(count("loldu") === 17 + 17, `loldu ${count("loldu")}`);
  assert(count("head_only") === 0, "head only");
  assert(count("full_ft") === 784 * 16 + 16 + 16 * 16 + 16, "full");
  // Every adapted net computes the pretrained function at the start.
  const x = rand(4, 784, rng);
  const y0 = pre.forward(x).data.slice();
  for (const m of ["lora", "vera", "loldu"] as const) {
    const y = adaptNet(pre, m, cfg, rng).net.forward(x).data;
    for (let i = 0; i < y.length; i++) assertAlmostEquals(y[i], y0[i], 1e-9, `${m} starts at the pretrained net`);
  }
});

Deno.test("loldu: pretraining learns, and adapting only the head keeps the hidden layers", () => {
  const d = buildMnist(1200), src = take(d, 0, 800), tgt = take(d, 800, 400);
  const cfg = { hidden: 24, depth: 2, preEpochs: 8, batch: 50, preLr: 0.2 };
  const pre = pretrain(src, cfg, Rng.fromSeed(4));
  assert(accuracy(pre, tgt) > 0.6, `pretrained accuracy ${accuracy(pre, tgt)}`);
  const w0 = pre.layers[0].weight().data.slice();
  const r = adapt(
    pre,
    "head_only",
    tgt,
    { loraRank: 2, veraRank: 4, lolduRank: 0, epochs: 1, batch: 50 },
    1e-3,
    Rng.fromSeed(5),
  );
  const w1 = r.net.layers[0].weight().data;
  for (let i = 0; i < w0.length; i += 97) assert(w1[i] === w0[i], "frozen hidden layer");
  assert(r.trainable === 24 * 10 + 10 && r.adapterParams === 0, `counts ${r.trainable}`);
  const l = adapt(
    pre,
    "loldu",
    tgt,
    { loraRank: 2, veraRank: 4, lolduRank: 0, epochs: 1, batch: 50 },
    1e-3,
    Rng.fromSeed(5),
  );
  assert(l.adapterParams === 2 * 25, `loldu counts ${l.adapterParams}`);
  assert(Number.isFinite(accuracy(l.net, tgt)), "finite");
});

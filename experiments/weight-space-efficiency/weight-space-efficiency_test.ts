import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { Dense, Sequential } from "../../lib/math/nn/mod.ts";
import { type FfnKind, ffnWeights, matchedRank, ResidualFfn } from "./ffn.ts";
import { blockWeights, buildNet } from "./train.ts";

function net(kind: FfnKind, rank = 0): Sequential {
  return new Sequential([new ResidualFfn(kind, 6, rank), new Dense(3)], [4], {
    dtype: "float64",
    rng: Rng.fromSeed(1),
  });
}

for (const [kind, rank] of [["dense", 0], ["tied", 0], ["lowrank", 2]] as [FfnKind, number][]) {
  Deno.test(`weight-space: ${kind} block gradient matches finite differences (float64)`, () => {
    const m = net(kind, rank), rng = Rng.fromSeed(2);
    // Non-zero biases so that the ReLU pattern is generic.
    for (let i = 0; i < m.store.value.length; i++) if (m.store.value[i] === 0) m.store.value[i] = 0.1 * rng.normal();
    const x = rng.normal(5 * 4), y = [0, 2, 1, 1, 2];
    m.lossAndGrad(x, y, 5);
    const an = m.store.grad.slice(), v = m.store.value, h = 1e-6;
    for (let i = 0; i < v.length; i++) {
      const v0 = v[i];
      v[i] = v0 + h;
      const lp = m.loss(x, y, 5);
      v[i] = v0 - h;
      const lm = m.loss(x, y, 5);
      v[i] = v0;
      assertAlmostEquals(an[i], (lp - lm) / (2 * h), 1e-6, `${kind} param ${i}`);
    }
  });
}

Deno.test("weight-space: the tied block computes x + Wᵀ relu(Wx + b₁) + b₂", () => {
  const m = new Sequential([new ResidualFfn("tied", 3)], [2], { dtype: "float64", rng: Rng.fromSeed(3) });
  const [w, b1, b2] = m.store.list.map((p) => p.value);
  b1.set([0.3, -0.2, 0.1]), b2.set([0.05, -0.07]);
  const x = [0.4, -1.1], y = m.forward(x, 1);
  for (let j = 0; j < 2; j++) {
    let s = x[j] + b2[j];
    for (let i = 0; i < 3; i++) s += w[i * 2 + j] * Math.max(0, w[i * 2] * x[0] + w[i * 2 + 1] * x[1] + b1[i]);
    assertAlmostEquals(y[j], s, 1e-14);
  }
});

Deno.test("weight-space: parameter counts — tied and narrow halve the FFN weights, lowrank matches", () => {
  const cfg = { width: 128, hidden: 512, blocks: 2 };
  assert(blockWeights("dense", cfg) === 2 * 2 * 512 * 128, "dense");
  assert(blockWeights("tied", cfg) * 2 === blockWeights("dense", cfg), "tied = ½ dense");
  assert(blockWeights("narrow", cfg) === blockWeights("tied", cfg), "narrow = tied");
  const r = matchedRank(128, 512);
  assert(r === 51 && ffnWeights("lowrank", 128, 512, r) <= 512 * 128, `rank ${r}`);
  const full = { ...cfg, epochs: 1, batch: 8, momentum: 0.9 };
  const nd = buildNet("dense", full, Rng.fromSeed(4)).store.size,
    nt = buildNet("tied", full, Rng.fromSeed(4)).store.size;
  // Store = embedding + blocks (with biases) + head.
  assert(nd - nt === blockWeights("dense", cfg) - blockWeights("tied", cfg) + 2 * 512 * 0, `stores ${nd} ${nt}`);
});

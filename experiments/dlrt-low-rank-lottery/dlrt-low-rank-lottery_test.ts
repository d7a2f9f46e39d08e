import { assert } from "../../lib/testdata/assert.ts";
import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { DlrtLayer, UVLayer } from "../../lib/math/nn/factorized.ts";
import { buildMnist } from "../../datasets/mnist.ts";
import exp from "./mod.ts";
import { buildNet, fullParams, orthoError, ranksOf, split, svdPrune, train } from "./train.ts";

const small = { hidden: 16, depth: 2, epochs: 1, batch: 50, lr: 0.1, rank: 3, startRank: 6, initDecay: 10 };

Deno.test("dlrt: parameter counts follow the official count_params_test (weights only)", () => {
  assert(fullParams({ hidden: 500, depth: 2 }) === 784 * 500 + 500 * 500 + 500 * 10, "full 784-500-500-10");
  const rng = Rng.fromSeed(0);
  const uv = buildNet("uv", small, rng);
  // rank 3 on 784→16 and 16→16, the last 16→10 dense.
  assert(uv.storedParams() === 3 * (784 + 16) + 3 * (16 + 16) + 16 * 10, `uv params ${uv.storedParams()}`);
  assert(buildNet("full", small, rng).storedParams() === fullParams(small), "full params");
  assert(ranksOf(buildNet("dlrt_adaptive", { ...small, tau: 0.1 }, rng)).join() === "6,6", "adaptive start rank");
});

Deno.test("dlrt: UV and fixed-rank DLRT start from the same weight U₀S₀V₀ᵀ with decaying σ", () => {
  const a = buildNet("uv", small, Rng.fromSeed(1)), b = buildNet("dlrt_fixed", small, Rng.fromSeed(1));
  for (let i = 0; i < 2; i++) {
    const wa = a.layers[i].weight(), wb = b.layers[i].weight();
    for (let k = 0; k < wa.data.length; k++) assertAlmostEquals(wa.data[k], wb.data[k], 1e-14, `layer ${i}`);
    const s = (b.layers[i] as DlrtLayer).S.data;
    // S₀ = diag(sorted |N(0,1)|) with σ_k / 10^k: σ₁ ≤ σ₀/10, σ₂ ≤ σ₁/10.
    assert(s[4] <= s[0] / 10 && s[8] <= s[4] / 10 && s[8] > 0, `decay applied: ${s[0]}, ${s[4]}, ${s[8]}`);
  }
});

Deno.test("dlrt: SVD-prune is the best rank-r approximation (Eckart–Young) and exact at full rank", () => {
  const d = split(buildMnist(300), 200, 100);
  const full = train("full", d, small, Rng.fromSeed(2));
  const la = getLinalg();
  const w = full.net.layers[1].weight();
  const s = la.svdvals(w) as Float64Array;
  const pruned = svdPrune(full.net, 3);
  const wr = pruned.layers[1].weight();
  let err = 0;
  for (let k = 0; k < w.data.length; k++) err = Math.hypot(err, w.data[k] - wr.data[k]);
  assertAlmostEquals(err, Math.hypot(...s.slice(3)), 1e-10, "‖W − W_r‖_F = ‖σ_{r+1:}‖");
  assert(pruned.layers[1] instanceof UVLayer && pruned.storedParams() < full.net.storedParams(), "pruned form");
  const exact = svdPrune(full.net, 784);
  const p1 = full.net.predict(d.xTest), p2 = exact.predict(d.xTest);
  assert(p1.every((v, i) => v === p2[i]), "full-rank truncation changes no prediction");
});

Deno.test("dlrt: a short rank-adaptive run keeps orthonormal bases, ranks within [2, rmax] and lowers the loss", () => {
  const d = split(buildMnist(600), 500, 100);
  const t = train("dlrt_adaptive", d, { ...small, epochs: 3, tau: 0.2 }, Rng.fromSeed(3));
  assert(orthoError(t.net) < 1e-12, `ortho ${orthoError(t.net)}`);
  const r = ranksOf(t.net);
  assert(r.every((x) => x >= 2 && x <= 8), `ranks ${r}`); // clamp: ⌊min(in,out)/2⌋ = 8 for 16-wide layers
  assert(t.lossCurve[2] < t.lossCurve[0], `loss ${t.lossCurve}`);
});

Deno.test("dlrt: measure reports compression from the stored weights", async () => {
  const d = split(buildMnist(300), 200, 100);
  const cfg = exp.config.parse({ ...small, nTrain: 200, nTest: 100 });
  const out = train("uv", d, cfg, Rng.fromSeed(4));
  const m = await exp.measure(d, out, cfg);
  assertAlmostEquals(m.compression as number, 1 - out.net.storedParams() / fullParams(cfg), 1e-15);
  assert(m.ortho_err === undefined, "no DLRT layer, no ortho_err");
  const dl = train("dlrt_fixed", d, cfg, Rng.fromSeed(4));
  const md = await exp.measure(d, dl, cfg);
  assert((md.ortho_err as number) < 1e-12 && md.rank_mean === 3, `dlrt measure ${JSON.stringify(md)}`);
});

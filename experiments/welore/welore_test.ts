import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { DenseLayer, FactorNet, type M, UVLayer } from "../../lib/math/nn/factorized.ts";
import { lowRankFactors, normalisedSpectrum, thresholdCounts, uniformCounts, weloreCounts } from "./compress.ts";
import { compress, matrixParams, spectra } from "./train.ts";

const rand = (rows: number, cols: number, rng: Rng): M => ({ rows, cols, data: rng.normal(rows * cols) });

Deno.test("welore: normalised spectrum maps min → 0 and max → 1 (official min–max rule)", () => {
  const t = normalisedSpectrum([5, 3, 2, 1]);
  [1, 0.5, 0.25, 0].forEach((v, i) => assertAlmostEquals(t[i], v, 1e-15, `σ̃[${i}]`));
});

Deno.test("welore: the global cut prunes exactly round(ρ·Σ rank), more from heavy tails; it is the official τ rule", () => {
  // Heavy-tailed: two large values and a bulk near the smallest; flat: evenly spread.
  const heavy = [100, 40, 3, 2.5, 2.2, 2.1, 2, 1.9];
  const flat = [8, 7, 6, 5, 4, 3, 2, 1];
  for (const rho of [0.25, 0.5, 0.75]) {
    const c = weloreCounts([heavy, flat], rho);
    assert(c[0] + c[1] === Math.round(rho * 16), `total at ρ = ${rho}: ${c}`);
    assert(c[0] >= c[1], `heavy tail loses at least as much at ρ = ${rho}: ${c}`);
  }
  assert(weloreCounts([heavy, flat], 0.5)[0] === 6, `heavy loses 6 of 8 at ρ = 0.5`);
  // Every global count equals #{σ̃ < τ} for a τ between the K-th and (K+1)-th smallest normalised value.
  const all = [...normalisedSpectrum(heavy), ...normalisedSpectrum(flat)].sort((a, b) => a - b);
  for (let K = 1; K < all.length; K++) {
    if (all[K - 1] === all[K]) continue;
    const tau = (all[K - 1] + all[K]) / 2;
    const a = weloreCounts([heavy, flat], K / 16), b = thresholdCounts([heavy, flat], tau);
    assert(a[0] === b[0] && a[1] === b[1], `K = ${K}: ${a} vs ${b}`);
  }
  const u = uniformCounts([heavy, [1, 2, 3, 4]], 0.5);
  assert(u[0] === 4 && u[1] === 2, `uniform ${u}`);
});

Deno.test("welore: rank-k factors give the truncated SVD (error² = tail of σ²), exact at full rank", () => {
  const rng = Rng.fromSeed(1), w = rand(9, 6, rng);
  const s = getLinalg().svdvals(w);
  for (const k of [1, 3, 6]) {
    const { u, v } = lowRankFactors(w, k);
    const wk = getLinalg().matmul(u, v, { transB: true }) as M;
    let err = 0, tail = 0;
    for (let i = 0; i < w.data.length; i++) err += (wk.data[i] - w.data[i]) ** 2;
    for (let j = k; j < s.length; j++) tail += s[j] ** 2;
    assertAlmostEquals(err, tail, 1e-10 * (1 + tail), `k = ${k}`);
    // Balanced factors: ‖U‖_F = ‖V‖_F (each carries √σ).
    const nu = u.data.reduce((a, x) => a + x * x, 0), nv = v.data.reduce((a, x) => a + x * x, 0);
    assertAlmostEquals(nu, nv, 1e-10 * nu, `balanced k = ${k}`);
  }
});

Deno.test("welore: compress factors exactly the matrices above minRatio; counts 0 change nothing", () => {
  const rng = Rng.fromSeed(2);
  const net = new FactorNet([
    new DenseLayer(12, 8, { rng }),
    new DenseLayer(8, 6, { rng }),
    new DenseLayer(6, 3, { rng }),
  ]);
  const x = rand(4, 12, rng), y0 = net.forward(x);
  const same = compress(net, [0, 0, 0], 0);
  const y1 = same.net.forward(x);
  for (let i = 0; i < y0.data.length; i++) assertAlmostEquals(y1.data[i], y0.data[i], 1e-12, `y[${i}]`);
  assert(same.lrc.every((b) => !b) && same.keptRank === same.totalRank, "no LRC at zero counts");
  // Ratios 6/8 = 0.75, 3/6 = 0.5, 1/3: with minRatio 0.4999 the first two are LRCs.
  const c = compress(net, [6, 3, 1], 0.4999);
  assert(c.lrc.join() === "true,true,false", `lrc ${c.lrc}`);
  assert(c.net.layers[0] instanceof UVLayer && (c.net.layers[0] as UVLayer).rank === 2, "layer 0 rank 2");
  assert(c.keptRank === 2 + 3 + 3 && c.totalRank === 8 + 6 + 3, `ranks ${c.keptRank}/${c.totalRank}`);
  assert(c.stored === 2 * 20 + 3 * 14 + 18, `stored ${c.stored}`);
  // LRC-only selects the factors of LRC layers (no biases); full selects every matrix.
  const lrcParams = matrixParams(c.net, (i) => c.lrc[i]).map((p) => p.name).join();
  assert(lrcParams === "u,v,u,v", `lrc params ${lrcParams}`);
  assert(matrixParams(c.net, () => true).map((p) => p.name).join() === "u,v,u,v,w", "full params");
  // Spectra of the original net are each matrix's singular values, descending.
  const sp = spectra(net);
  assert(sp.map((s) => s.length).join() === "8,6,3", "spectrum lengths");
  assert(sp.every((s) => s.every((v, i) => i === 0 || v <= s[i - 1])), "descending");
});

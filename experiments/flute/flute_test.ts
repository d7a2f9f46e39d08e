import { assert, assertAlmostEquals, assertEquals, assertThrowsWith } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { TOY_CHARLM_OPTS, toyCharCorpus } from "../../lib/testdata/charlm.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import {
  intTable,
  lookupIndex,
  NF4_REPO,
  nfTable,
  nfTableBuilt,
  normalQuantile,
  quantize,
  relError,
  scaleGrad,
} from "./lut.ts";
import { quantizeNet, trainBase } from "./quantize.ts";

Deno.test("flute: Φ⁻¹ against known quantiles (float64 reference values) and its symmetry", () => {
  assertAlmostEquals(normalQuantile(0.975), 1.959963984540054, 1e-8);
  assertAlmostEquals(normalQuantile(0.9), 1.2815515655446004, 1e-8);
  assertAlmostEquals(normalQuantile(0.001), -3.090232306167813, 1e-8);
  for (const p of [0.01, 0.2, 0.4, 0.49]) assertAlmostEquals(normalQuantile(p), -normalQuantile(1 - p), 1e-12);
});

Deno.test("flute: the NF construction reproduces the repository's NF4; NF3 has the repository's shape", () => {
  const built = nfTableBuilt(4);
  assertEquals(built.length, 16);
  built.forEach((v, i) => assertAlmostEquals(v, NF4_REPO[i], 1e-6, `NF4[${i}]`));
  const nf3 = nfTable(3);
  assertEquals(nf3.length, 8);
  assertEquals([nf3[0], nf3[3], nf3[7]], [-1, 0, 1]); // 3 negatives, an exact zero, 4 positives
  // the positive NF3 quantile levels are every other NF4 level (linspace(½, 1−δ, 5) ⊂ linspace(½, 1−δ, 9))
  for (let i = 0; i < 4; i++) assertAlmostEquals(nf3[4 + i], NF4_REPO[9 + 2 * i], 1e-6, `NF3[${4 + i}]`);
  for (const t of [nf3, nfTable(2), intTable(3)]) assert(t.every((v, i) => i === 0 || v > t[i - 1]), "ascending");
  [-1, -1 / 3, 1 / 3, 1].forEach((v, i) => assertAlmostEquals(intTable(2)[i], v, 1e-15, `int2[${i}]`));
});

Deno.test("flute: lookup is nearest-value rounding with ties to the lower value (searchsorted, right=False)", () => {
  const t = nfTable(4), rng = Rng.fromSeed(3);
  for (let k = 0; k < 2000; k++) {
    const x = 2.2 * rng.uniform() - 1.1, i = lookupIndex(t, x);
    const best = Math.min(...t.map((v) => Math.abs(v - x)));
    assertAlmostEquals(Math.abs(t[i] - x), best, 1e-15, `x = ${x}`);
  }
  assertEquals(lookupIndex([-1, 0, 1], -0.5), 0);
  assertEquals(lookupIndex([-1, 0, 1], 0.5), 1);
});

Deno.test("flute: groups run along the input dimension with one absmax scale each", () => {
  // 4 × 2 input × output matrix, groups of 2 down each column: scales (col 0: rows 0–1, 2–3; col 1: rows 0–1, 2–3)
  const w = [1, -8, -2, 3, 0.5, 4, 4, -1];
  const q = quantize(w, 4, 2, { table: intTable(2), group: 2 });
  assertEquals([...q.scales], [2, 4, 8, 4]);
  [2 / 3, -8, -2, 8 / 3, 4 / 3, 4, 4, -4 / 3].forEach((v, k) => assertAlmostEquals(q.deq[k], v, 1e-15, `deq[${k}]`));
  const r = quantize(w, 4, 2, { table: intTable(2), group: 2 }, 1); // groups along rows
  assertEquals([...r.scales], [8, 3, 4, 4]);
  assertThrowsWith(() => quantize(w, 4, 2, { table: intTable(2), group: 3 }), "not divisible");
  assertEquals(relError(w, w), 0);
});

Deno.test("flute: the straight-through scale gradient equals central differences with the indices fixed", () => {
  const rng = Rng.fromSeed(5), rows = 8, cols = 3, s = { table: nfTable(3), group: 4 };
  const w = Float64Array.from({ length: rows * cols }, () => rng.normal());
  const c = Float64Array.from({ length: rows * cols }, () => rng.normal());
  const scales = Float64Array.from(quantize(w, rows, cols, s).scales, (x) => x * 1.1);
  const loss = () => quantize(w, rows, cols, s, 0, scales).deq.reduce((a, x, k) => a + c[k] * x, 0);
  const g = scaleGrad(c, quantize(w, rows, cols, s, 0, scales), rows, cols, s);
  assertCentralDifferences(loss, scales, g, { h: 1e-7, tol: 1e-6, label: "s" });
});

Deno.test("flute: NFL with zero steps is NF; the quantised model is restored; NFL lowers the calibration loss", () => {
  const data = toyCharCorpus(), o = { ...TOY_CHARLM_OPTS, hidden: 16, steps: 200 };
  const base = trainBase(data, o, 0.02, Rng.fromSeed(1));
  const before = Float64Array.from(base.net.store.value);
  const s = { table: nfTable(3), group: 4 };
  const nf = quantizeNet(base, data, s, Rng.fromSeed(2));
  assertEquals([...base.net.store.value], [...before]);
  const zero = quantizeNet(base, data, s, Rng.fromSeed(2), { steps: 0, batch: 32, lr: 1e-3, context: o.context });
  assertEquals(zero.testLoss, nf.testLoss);
  const nfl = quantizeNet(base, data, s, Rng.fromSeed(2), { steps: 60, batch: 64, lr: 3e-3, context: o.context });
  assert(nfl.valLoss < nf.valLoss, `NFL ${nfl.valLoss} vs NF ${nf.valLoss}`);
  assert(nf.reconErr > 0 && nf.reconErr < 0.5, `recon ${nf.reconErr}`);
});

Deno.test("flute: smoke runs of every scheme end to end (runner path)", async () => {
  const runs = await runSmokePoints(exp);
  const by = Object.fromEntries(runs.map((r) => [r.run.method, r.m]));
  assertEquals(by.full.ppl_ratio, 1);
  assert(by.checks.table_gap <= 1e-6 && by.checks.roundtrip_err === 0, "identities");
  for (const b of [3, 4]) {
    for (const g of [64, 128]) {
      assert(by[`nf${b}-g${g}`].gauss_err < by[`int${b}-g${g}`].gauss_err, `NF beats int on Gaussians, ${b}/${g}`);
      assertEquals(by[`nf${b}-g${g}`].bits_per_weight, b + 16 / g);
    }
    assert(by[`nf${b}-g64`].recon_err < by[`nf${b}-g128`].recon_err + 1e-3, `smaller groups ${b}`);
  }
  assert(by["nf3-g64"].recon_err > by["nf4-g64"].recon_err, "3 bits err more than 4");
});

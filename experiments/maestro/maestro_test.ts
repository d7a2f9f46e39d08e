import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { bindFlat, crossEntropy, DenseLin, gemmBackend, LodLin, Mlp, samplePerLayer, torchUniform } from "./lod.ts";
import { fitPca, fitSvd, makePcaData, makeSvdData, ranksAt } from "./train.ts";
import exp from "./mod.ts";

const g = gemmBackend();

function lod(inDim: number, outDim: number, seed: number, bias = true): LodLin {
  return new LodLin(inDim, outDim, "float64", bias).initUniform(Rng.fromSeed(seed));
}

Deno.test("maestro: a LoD layer cut to rank k computes x·(U[:, :k]V[:k])ᵀ + b", () => {
  const l = lod(7, 5, 1), x = Rng.fromSeed(2).normal(3 * 7);
  for (const k of [0, 1, 3, 5]) {
    const y = l.forward(x, 3, g, k), w = l.product(k);
    for (let i = 0; i < 3; i++) {
      for (let o = 0; o < 5; o++) {
        let v = l.b![o];
        for (let j = 0; j < 7; j++) v += x[i * 7 + j] * w[o * 7 + j];
        assertAlmostEquals(y[i * 5 + o], v, 1e-13, `k=${k} (${i},${o})`);
      }
    }
  }
});

Deno.test("maestro: decompose_linear is exact at full rank and Eckart–Young optimal when cut", () => {
  const d = new DenseLin(9, 6, "float64");
  torchUniform(d.w, 9, Rng.fromSeed(3));
  torchUniform(d.b, 9, Rng.fromSeed(4));
  const l = LodLin.fromDense(d);
  const s = getLinalg().svdvals({ rows: 6, cols: 9, data: Float64Array.from(d.w) }) as Float64Array;
  for (let k = 0; k <= 6; k++) {
    const w = l.product(k);
    let err = 0;
    for (let i = 0; i < w.length; i++) err += (w[i] - d.w[i]) ** 2;
    assertAlmostEquals(Math.sqrt(err), Math.hypot(...s.slice(k)), 1e-12, `rank ${k}`);
  }
  // ‖U[:, k]‖·‖V[k]‖ = σ_k for the √S split.
  l.rankOneNorms().forEach((v, k) => assertAlmostEquals(v, s[k], 1e-12, `σ_${k}`));
});

/** Loss of a float64 Maestro step: CE(full) + CE_soft(cut, fixed soft targets) + λ·GL, and its analytic gradient. */
function maestroLoss(
  net: Mlp,
  x: Float64Array,
  y: number[],
  ranks: (number | null)[],
  soft: Float64Array,
  lam: number,
) {
  const B = y.length, dz = new Float64Array(B * 3);
  let L = crossEntropy(net.forward(x, B, g), B, 3, dz, { labels: y });
  net.backward(dz, B, g);
  L += crossEntropy(net.forward(x, B, g, ranks), B, 3, dz, { soft });
  net.backward(dz, B, g);
  for (const l of net.layers) if (l instanceof LodLin) L += lam * l.addGroupLasso(lam);
  return L;
}

Deno.test("maestro: the full + sampled + group-lasso gradient matches finite differences (float64)", () => {
  const layers = [lod(6, 5, 5), lod(5, 4, 6), lod(4, 3, 7)];
  const net = new Mlp(layers, "float64");
  const { value, grad } = bindFlat(layers, "float64");
  const rng = Rng.fromSeed(8), x = rng.normal(4 * 6), y = [0, 2, 1, 2];
  const soft = new Float64Array(12).map(() => rng.uniform());
  for (let i = 0; i < 4; i++) {
    const s = soft[3 * i] + soft[3 * i + 1] + soft[3 * i + 2];
    for (let j = 0; j < 3; j++) soft[3 * i + j] /= s;
  }
  const ranks = [null, 2, null], lam = 0.05;
  // Loss without touching gradients (GL value alone, no gradient).
  const lossOnly = () => {
    const saved = grad.slice();
    const L = maestroLoss(net, x, y, ranks, soft, lam);
    grad.set(saved);
    return L;
  };
  grad.fill(0);
  maestroLoss(net, x, y, ranks, soft, lam);
  const analytic = grad.slice();
  const h = 1e-6;
  for (let t = 0; t < 40; t++) {
    const i = Math.floor(rng.uniform() * value.length), v0 = value[i];
    value[i] = v0 + h;
    const lp = lossOnly();
    value[i] = v0 - h;
    const lm = lossOnly();
    value[i] = v0;
    assertAlmostEquals(analytic[i], (lp - lm) / (2 * h), 1e-6, `param ${i}`);
  }
});

Deno.test("maestro: a dense layer's gradient matches finite differences", () => {
  const d = new DenseLin(5, 3, "float64");
  torchUniform(d.w, 5, Rng.fromSeed(9));
  torchUniform(d.b, 5, Rng.fromSeed(10));
  const net = new Mlp([d], "float64"), { value, grad } = bindFlat([d], "float64");
  const x = Rng.fromSeed(11).normal(2 * 5), y = [1, 2], dz = new Float64Array(6);
  const f = () => crossEntropy(net.forward(x, 2, g), 2, 3, dz, { labels: y });
  grad.fill(0);
  f();
  net.backward(dz, 2, g);
  const an = grad.slice();
  for (let i = 0; i < value.length; i++) {
    const v0 = value[i];
    value[i] = v0 + 1e-6;
    const lp = f();
    value[i] = v0 - 1e-6;
    const lm = f();
    value[i] = v0;
    assertAlmostEquals(an[i], (lp - lm) / 2e-6, 1e-7, `param ${i}`);
  }
});

Deno.test("maestro: soft targets equal to one-hot give the hard-label cross-entropy", () => {
  const z = Rng.fromSeed(12).normal(2 * 4), g1 = new Float64Array(8), g2 = new Float64Array(8);
  const soft = new Float64Array(8);
  soft[1] = 1, soft[4 + 3] = 1;
  assertAlmostEquals(crossEntropy(z, 2, 4, g1, { labels: [1, 3] }), crossEntropy(z, 2, 4, g2, { soft }), 1e-15);
  g1.forEach((v, i) => assertAlmostEquals(v, g2[i], 1e-15));
});

Deno.test("maestro: importance is non-increasing and shrinking keeps a prefix", () => {
  const l = lod(8, 6, 13);
  const imp = l.importance();
  for (let i = 1; i < imp.length; i++) assert(imp[i] <= imp[i - 1], "hierarchical importance is non-increasing");
  // Zero the last two rank-one terms: shrinking at a tiny threshold drops exactly them.
  for (const k of [4, 5]) {
    for (let j = 0; j < 8; j++) l.vin[k * 8 + j] = 0;
    for (let o = 0; o < 6; o++) l.uout[o * 6 + k] = 0;
  }
  l.shrink(1e-12);
  assert(l.kept === 4, `kept ${l.kept}`);
  assert(l.params() === 4 * (8 + 6) + 6, "params at the kept rank");
});

Deno.test("maestro: the per-layer sampler draws (layer, width) pairs uniformly", () => {
  const a = lod(10, 4, 14), b = lod(4, 2, 15), net = new Mlp([a, b], "float64");
  const rng = Rng.fromSeed(16), count = new Map<string, number>();
  const N = 12000;
  for (let t = 0; t < N; t++) {
    const r = samplePerLayer(net, rng), i = r.findIndex((v) => v !== null);
    assert(r.filter((v) => v !== null).length === 1, "one layer cut per draw");
    count.set(`${i}:${r[i]}`, (count.get(`${i}:${r[i]}`) ?? 0) + 1);
  }
  assert(count.size === 6, `4 + 2 pairs, got ${[...count.keys()]}`);
  for (const c of count.values()) assert(Math.abs(c / N - 1 / 6) < 0.02, `frequency ${c / N}`);
});

Deno.test("maestro: LoD recovers the truncated SVD of a linear map, plain factor training does not", () => {
  const d = makeSvdData(8, 5, [5, 4, 3, 2, 1], Rng.fromSeed(17));
  const l = fitSvd(d, { iters: 8000, linearLr: 2 }, true, Rng.fromSeed(18));
  assert(l.prefix_gap < 1e-6 && l.sv_err < 1e-6, `lod ${JSON.stringify(l)}`);
  const p = fitSvd(d, { iters: 8000, linearLr: 2 }, false, Rng.fromSeed(18));
  assert(p.full_err < 1e-6 && p.prefix_gap > 0.1, `plain ${JSON.stringify(p)}`);
});

Deno.test("maestro: the PCA reference is the optimal rank-k reconstruction, and LoD approaches it", () => {
  const d = makePcaData(200, [2, 1.5, 1, 0.5], Rng.fromSeed(19));
  // tail[0] = ‖X‖², tail[m] = 0, decreasing.
  let sq = 0;
  for (const v of d.x) sq += v * v;
  assertAlmostEquals(d.tail[0], sq, 1e-9 * sq);
  assert(d.tail[4] === 0 && d.tail[1] < d.tail[0], "tails");
  const r = fitPca(d, { iters: 6000, linearLr: 0.2 }, true, Rng.fromSeed(20));
  assert(r.pca_gap >= -1e-9 && r.pca_gap < 1e-3, `pca gap ${r.pca_gap}`);
});

Deno.test("maestro: the declaration parses and ranks follow the fractions", () => {
  const cfg = exp.config.parse({});
  assert(cfg.task === "fashion" && cfg.hidden === 256, "defaults");
  assert(ranksAt(256, 0.125).join() === "32,32,", `ranks ${ranksAt(256, 0.125)}`);
  assert(ranksAt(256, 0.0625)[0] === 16, "1/16");
});

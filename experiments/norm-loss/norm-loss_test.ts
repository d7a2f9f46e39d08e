import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { mlp, SGD } from "../../lib/math/nn/mod.ts";
import { type Data, normLoss, NormLossSGD, obliqueGap, type Point, select, trainPoint, weightsOf } from "./normloss.ts";

Deno.test("normLoss on an exact case: columns (3, 4) and (0, 1) of a 2 × 2 weight", () => {
  // W = [[3, 0], [4, 1]] (n_in × n_out): ‖w_0‖ = 5 → (1 − 5)² = 16; ‖w_1‖ = 1 → 0.
  const w = Float64Array.from([3, 0, 4, 1]), g = new Float64Array(4);
  assertEquals(normLoss(w, 2, 2, 0.5, g), 16);
  // ∂/∂w_0 = −2·0.5·(1 − 5)·w_0/5 = 0.8·(3, 4); ∂/∂w_1 = 0.
  assertAlmostEquals(g[0], 2.4, 1e-15);
  assertAlmostEquals(g[2], 3.2, 1e-15);
  assertEquals(g[1], 0);
  assertEquals(g[3], 0);
});

Deno.test("normLoss gradient matches central finite differences (float64)", () => {
  const rng = Rng.fromSeed(1), nIn = 5, nOut = 3, lambda = 0.7;
  const w = rng.normal(nIn * nOut), g = new Float64Array(nIn * nOut);
  normLoss(w, nIn, nOut, lambda, g);
  const h = 1e-6;
  for (let q = 0; q < w.length; q++) {
    const p = w.slice(), m = w.slice();
    p[q] += h;
    m[q] -= h;
    const fd = (lambda * (normLoss(p, nIn, nOut) - normLoss(m, nIn, nOut))) / (2 * h);
    assertAlmostEquals(g[q], fd, 1e-7);
  }
});

Deno.test("NormLossSGD is SGD on the gradient plus λ∇L_norm of the weights (biases untouched)", () => {
  const rng = Rng.fromSeed(2);
  const a = mlp([4, 3, 2], { rng: rng.split("i"), dtype: "float64" });
  const b = mlp([4, 3, 2], { rng: rng.split("i"), dtype: "float64" });
  const grad = rng.normal(a.store.size);
  const lambda = 0.3;
  new NormLossSGD(new SGD({ lr: 0.1 }), weightsOf(a), lambda).step(a.store.value, grad.slice() as Float64Array);
  const ref = grad.slice();
  for (const p of weightsOf(b)) {
    normLoss(p.value, p.shape[0], p.shape[1], lambda, ref.subarray(p.offset, p.offset + p.size));
  }
  new SGD({ lr: 0.1 }).step(b.store.value, ref);
  for (let i = 0; i < a.store.size; i++) assertAlmostEquals(a.store.value[i], b.store.value[i], 1e-15);
});

Deno.test("obliqueGap is zero on unit-norm columns and the mean |‖w_j‖ − 1| otherwise", () => {
  const net = mlp([2, 2], { rng: Rng.fromSeed(3), dtype: "float64" });
  weightsOf(net)[0].value.set([0.6, 0, 0.8, 1]);
  assertAlmostEquals(obliqueGap(net), 0, 1e-15);
  weightsOf(net)[0].value.set([3, 0, 4, 2]); // norms 5 and 2
  assertAlmostEquals(obliqueGap(net), (4 + 1) / 2, 1e-15);
});

Deno.test("select takes the best validation accuracy, ties to the earlier point", () => {
  const p = (batch: number, lambda: number, val: number): Point => ({ batch, lambda, val, test: 0, gap: 0 });
  assertEquals(select([p(32, 1, 0.5), p(32, 2, 0.7), p(128, 1, 0.7)]).lambda, 2);
  assertEquals(select([p(32, 1, 0.5), p(32, 2, 0.4)]).lambda, 1);
});

Deno.test("a strong norm loss drives the weight vectors towards unit norm; weight decay shrinks them", () => {
  const rng = Rng.fromSeed(4), n = 64;
  const x = new Float32Array(n * 784).map(() => rng.uniform()), y = new Uint8Array(n).map(() => rng.int(10));
  const d: Data = { xTrain: x, yTrain: y, nTrain: n, xVal: x, yVal: y, nVal: n, xTest: x, yTest: y, nTest: n };
  const cfg = { hidden: 16, depth: 1, epochs: 20, lr: 0.05, momentum: 0.9 };
  const run = (reg: "none" | "wd" | "norm", l: number) =>
    trainPoint(d, cfg, reg, 16, l, rng.split("i"), rng.split("o"));
  const none = run("none", 0), norm = run("norm", 1), wd = run("wd", 0.1);
  assert(norm.point.gap < 0.5 * none.point.gap, `gap ${norm.point.gap} with norm loss vs ${none.point.gap}`);
  const mean = (r: typeof none) => Array.from(weightsOf(r.net)[0].value).reduce((s, v) => s + v * v, 0);
  assert(mean(wd) < mean(none), "weight decay shrinks the first layer");
});

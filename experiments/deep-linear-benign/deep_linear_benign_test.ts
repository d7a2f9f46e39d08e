import { ok as assert } from "node:assert";
import { Rng } from "../../lib/math/rng.ts";
import { mat } from "../../lib/math/linalg/mod.ts";
import { makeRegression, trainLoss } from "./data.ts";
import { endToEnd, initLayers, lossAndGrads, minNorm, trainDeepLinear } from "./deepnet.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const small = (seed: number) => makeRegression({ n: 5, d: 12, q: 2, k: 3, eps: 0.1, noise: 0.5 }, Rng.fromSeed(seed));
const net = { hidden: 2, width: 7, alpha: 0.3, beta: 0.7, lr: 1e-2, targetLoss: 1e-10, maxEpochs: 1 };

Deno.test("backprop gradients match central finite differences", () => {
  const p = small(0);
  const layers = initLayers(12, 2, net, Rng.fromSeed(1));
  // perturb the identity hidden layer so every layer is generic
  layers[1].data.forEach((_, i) => (layers[1].data[i] += 0.05 * Math.sin(i)));
  const { grads } = lossAndGrads(p, layers);
  const h = 1e-6;
  for (let l = 0; l < layers.length; l++) {
    for (const i of [0, 3, layers[l].data.length - 1]) {
      const w = layers[l].data, old = w[i];
      w[i] = old + h;
      const lp = lossAndGrads(p, layers).loss;
      w[i] = old - h;
      const lm = lossAndGrads(p, layers).loss;
      w[i] = old;
      const fd = (lp - lm) / (2 * h);
      assert(
        Math.abs(fd - grads[l].data[i]) < 1e-6 * (1 + Math.abs(fd)),
        `layer ${l} entry ${i}: ${fd} vs ${grads[l].data[i]}`,
      );
    }
  }
});

Deno.test("min-norm interpolant interpolates and lies in the row space of X", () => {
  const p = small(2);
  const w = minNorm(p);
  assert(trainLoss(p, w) < 1e-20);
  // W = Xᵀc for some c ⇔ W is orthogonal to the null space: check against the lstsq-free projector via a random null vector
  const v = Rng.fromSeed(3).normal(12);
  const g = mat(12, 1, v);
  const pv = minNorm({
    ...p,
    y: mat(
      5,
      1,
      Array.from(
        { length: 5 },
        (_, i) => p.x.data.slice(i * 12, i * 12 + 12).reduce((s, x, j) => s + x * g.data[j], 0),
      ),
    ),
  });
  // pv = X⁺X v (projection onto the row space); v − pv is in the null space and must be orthogonal to W's columns
  for (let c = 0; c < 2; c++) {
    let dot = 0;
    for (let j = 0; j < 12; j++) dot += (v[j] - pv.data[j]) * w.data[j * 2 + c];
    assert(Math.abs(dot) < 1e-10, `null-space component ${dot}`);
  }
});

Deno.test("GD from α = 0 converges to the min-norm interpolant; α > 0 leaves an init component", () => {
  const p = small(4);
  const ols = minNorm(p);
  const dist = (a: Float64Array) => a.reduce((s, x, i) => s + (x - ols.data[i]) ** 2, 0);
  const cfg = { ...net, width: 20, lr: 5e-3, maxEpochs: 20000 };
  const zero = trainDeepLinear(p, { ...cfg, alpha: 0 }, Rng.fromSeed(5));
  const big = trainDeepLinear(p, { ...cfg, alpha: 0.3 }, Rng.fromSeed(5));
  assert(zero.loss < 1e-10 && big.loss < 1e-10, `losses ${zero.loss}, ${big.loss}`);
  assert(dist(zero.w.data) < 1e-8, `α = 0 distance ${dist(zero.w.data)}`);
  assert(dist(big.w.data) > 1e-3, `α = 0.3 distance ${dist(big.w.data)}`);
});

Deno.test("end-to-end weights are the product of the layers", () => {
  const layers = initLayers(4, 2, { ...net, width: 3 }, Rng.fromSeed(6));
  const w = endToEnd(layers); // d×q
  const x = [0.3, -1, 2, 0.5];
  let h1 = Array.from({ length: 3 }, (_, i) => x.reduce((s, xj, j) => s + layers[0].data[i * 4 + j] * xj, 0));
  h1 = Array.from({ length: 3 }, (_, i) => h1.reduce((s, v, j) => s + layers[1].data[i * 3 + j] * v, 0));
  for (let c = 0; c < 2; c++) {
    const out = h1.reduce((s, v, j) => s + layers[2].data[c * 3 + j] * v, 0);
    const viaW = x.reduce((s, xj, j) => s + xj * w.data[j * 2 + c], 0);
    assert(Math.abs(out - viaW) < 1e-12);
  }
});

Deno.test("smoke pipeline gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite. A method
  // that does not depend on α runs at α = 0 only, so both α values together cover every method.
  const ran = new Set<string>();
  for (const alpha of [0, 0.02]) {
    for (const name of Object.keys(await runMethods(exp, { d: 20, alpha }))) ran.add(name);
  }
  assert(ran.size === Object.keys(exp.methods).length, `every method runs: ${[...ran]}`);
});

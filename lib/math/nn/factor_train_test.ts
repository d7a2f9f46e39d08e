import { assert, assertEquals, assertThrowsWith } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { DenseLayer, FactorNet, UVLayer } from "./factorized.ts";
import { cloneNet, fitEpochs, pretrainMlp, sgdStep } from "./factor_train.ts";

/** Two well-separated classes in 784 dimensions (pixel 0 carries the class). */
function twoClasses(n: number, rng: Rng) {
  const x = new Float64Array(n * 784), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < 784; j++) x[i * 784 + j] = 0.1 * (rng.uniform() - 0.5);
    x[i * 784] += y[i] ? 1 : -1;
  }
  return { x: { rows: n, cols: 784, data: x }, y };
}

Deno.test("fitEpochs: one loss per epoch, decreasing on separable data; the same streams give the same net", () => {
  const d = twoClasses(64, Rng.fromSeed(1));
  const run = () => {
    const layer = new DenseLayer(784, 10, { rng: Rng.fromSeed(2) }), net = new FactorNet([layer]);
    const losses = fitEpochs(net, layer.params(), d, {
      epochs: 4,
      batch: 16,
      rng: Rng.fromSeed(3),
      step: sgdStep(0.5),
    });
    return { losses, w: layer.w.value.slice() };
  };
  const a = run(), b = run();
  assertEquals(a.losses.length, 4);
  assert(a.losses[3] < a.losses[0] / 2, `losses ${a.losses}`);
  assertEquals(Array.from(a.w), Array.from(b.w));
});

Deno.test("pretrainMlp: 784 → h ×depth → 10 dense layers that learn separable data", () => {
  const d = twoClasses(64, Rng.fromSeed(4));
  const net = pretrainMlp(d, { hidden: 16, depth: 2, preEpochs: 30, batch: 16, preLr: 0.2 }, Rng.fromSeed(5));
  assertEquals(net.layers.map((l) => [l.inDim, l.outDim]), [[784, 16], [16, 16], [16, 10]]);
  const p = net.predict(d.x);
  let ok = 0;
  for (let i = 0; i < d.y.length; i++) ok += p[i] === d.y[i] ? 1 : 0;
  assert(ok / d.y.length > 0.9, `accuracy ${ok / d.y.length}`);
});

Deno.test("cloneNet copies dense and UV layers deeply and refuses other kinds", () => {
  const rng = Rng.fromSeed(6);
  const net = new FactorNet([new UVLayer(5, 4, 2, { rng }), new DenseLayer(4, 3, { rng })]);
  const copy = cloneNet(net);
  const x = { rows: 2, cols: 5, data: rng.normal(10) as Float64Array };
  assertEquals(Array.from(copy.forward(x).data), Array.from(net.forward(x).data));
  (copy.layers[1] as DenseLayer).w.value[0] += 1;
  assert((net.layers[1] as DenseLayer).w.value[0] !== (copy.layers[1] as DenseLayer).w.value[0], "deep copy");
  assertThrowsWith(() => new DenseLayer(4, 3, {}), "pass rng");
});

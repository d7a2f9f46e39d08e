import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import { Dense, ReLU, Sequential } from "../../lib/math/nn/mod.ts";
import { intervalOf, MatrixActivation, PReLU, uniformKnots } from "./tmaf.ts";
import { buildNet, regressData } from "./train.ts";

/** A float64 net dense → act → dense with random activation parameters, input and targets. */
function setup(act: MatrixActivation | PReLU, seed: number) {
  const rng = Rng.fromSeed(seed);
  const net = new Sequential([new Dense(7), act, new Dense(3)], [5], { dtype: "float64", rng: rng.split("init") });
  const p = act instanceof MatrixActivation ? act.levels : act.slope;
  p.value.set(rng.normal(p.value.length));
  const batch = 6, x = rng.normal(batch * 5), y = rng.normal(batch * 3);
  return { net, batch, x, y };
}

/** Central finite differences of the MSE loss against the hand-written gradient, every parameter. */
function checkGrad(act: MatrixActivation | PReLU, seed: number) {
  const { net, batch, x, y } = setup(act, seed);
  net.lossAndGrad(x, y, batch, "mse");
  const loss = () => net.loss(x, y, batch, "mse");
  assertCentralDifferences(loss, net.store.value, net.store.grad.slice(), { label: `${act.label} params` });
  // ∂L/∂x through the layer too: perturb the input.
  const gx = (() => {
    net.store.zeroGrad();
    const out = net.forward(x, batch, true);
    const d = new Float64Array(out.length);
    for (let i = 0; i < out.length; i++) d[i] = (2 * (out[i] - y[i])) / out.length;
    let dx: Float64Array | null = d;
    for (let l = net.layers.length - 1; l >= 0; l--) {
      dx = net.layers[l].backward(dx!, batch, net.ctx(), true) as Float64Array;
    }
    return dx!.slice();
  })();
  assertCentralDifferences(loss, x, gx, { label: `${act.label} input` });
}

Deno.test("tmaf: hand-written gradients (levels and input) match central finite differences, float64", () => {
  checkGrad(new MatrixActivation(uniformKnots(-1, 1, 5)), 1);
  checkGrad(new MatrixActivation([0]), 2);
});

Deno.test("prelu: hand-written gradients (slopes and input) match central finite differences, float64", () => {
  checkGrad(new PReLU(), 3);
});

Deno.test("tmaf: intervals follow (−∞, s₁], (s₁, s₂], …, (s_m, ∞)", () => {
  const s = Float64Array.from([-1, 0, 2]);
  assertEquals([-5, -1, -0.5, 0, 1e-9, 2, 3].map((x) => intervalOf(x, s)), [0, 0, 1, 1, 2, 2, 3]);
});

Deno.test("tmaf: small exact case σ(y) = diag(α_i(y_i))·y", () => {
  const a = new MatrixActivation([0, 1]);
  a.build([2]);
  const p = { name: "t", value: Float64Array.from([0.5, 2, 3, -1, 4, 5]), grad: new Float64Array(6), offset: 0 };
  a.bind([p as never]);
  const ctx = { gemm: null as never, dtype: "float64" as const };
  const y = a.forward(Float64Array.from([-2, 0.5, 1.5, 3]), 2, ctx);
  // sample 1: neuron 0 at −2 → t₀₀ = 0.5; neuron 1 at 0.5 → t₁₁ = 4. sample 2: 1.5 → t₀₂ = 3; 3 → t₁₂ = 5.
  assertEquals(Array.from(y), [-1, 2, 4.5, 15]);
  const dx = a.backward(Float64Array.from([1, 1, 1, 1]), 2, ctx, true)!;
  assertEquals(Array.from(dx), [0.5, 4, 3, 5]);
  assertEquals(Array.from(p.grad), [-2, 0, 1.5, 0, 0.5, 3]);
});

Deno.test("tmaf: started at ReLU levels the net equals the ReLU net exactly (same dense weights)", () => {
  const d = regressData(16, 4, 4, Rng.fromSeed(4));
  const knots = { knotLo: -2, knotHi: 2, nKnots: 9 };
  const a = buildNet("tmaf", d, 8, 2, knots, Rng.fromSeed(5)), b = buildNet("relu", d, 8, 2, knots, Rng.fromSeed(5));
  const ya = a.predict(d.tr.x, 16), yb = b.predict(d.tr.x, 16);
  for (let i = 0; i < 16; i++) assertEquals(ya[i], yb[i]);
  assert(b.layers[1] instanceof ReLU);
  // Parameter overhead: 2 layers × 8 neurons × 10 levels.
  assertEquals(a.store.size - b.store.size, 2 * 8 * 10);
});

Deno.test("tmaf: per-example gradients sum to the batch gradient", () => {
  const act = new MatrixActivation([-0.5, 0, 0.5]);
  const { net, batch, x, y } = setup(act, 6);
  const pe = net.perExampleGrads(x, y, batch, "mse");
  net.lossAndGrad(x, y, batch, "mse", "sum");
  const size = net.store.size;
  for (let j = 0; j < size; j++) {
    let s = 0;
    for (let i = 0; i < batch; i++) s += pe[i * size + j];
    assertAlmostEquals(s, net.store.grad[j], 1e-10, `param ${j}`);
  }
});

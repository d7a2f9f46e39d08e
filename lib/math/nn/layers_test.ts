/**
 * Every layer's gradient (parameters and input) against central finite differences in float64, on both gemm
 * backends; losses' gradients likewise; the two backends against each other; per-example gradients against
 * single-sample gradients.
 */
import { assertAlmostEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import {
  AvgPool2d,
  Conv2d,
  Dense,
  Flatten,
  GELU,
  jsGemm,
  type Layer,
  LeakyReLU,
  lenet5,
  MaxPool2d,
  mlp,
  mse,
  ReLU,
  Sequential,
  Sigmoid,
  softmaxCrossEntropy,
  Tanh,
} from "./mod.ts";
import { gemmBackend } from "./gemm.ts";
import { nativeAvailable } from "../linalg/mod.ts";
import { assertCentralDifferences, centralDifferences } from "../../testdata/gradcheck.ts";

const BACKENDS = nativeAvailable() ? (["native", "js"] as const) : (["js"] as const);

/** Max |a−b| / max(1, |b|) over entries. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return e;
}

/** Checks ∂(Σ r·y)/∂θ and ∂/∂x of one layer against central differences. */
function checkLayer(make: () => Layer, inShape: number[], batch: number, backend: "native" | "js", seed = 1) {
  const layer = make();
  const net = new Sequential([layer], inShape, { rng: Rng.fromSeed(seed), backend });
  const rng = Rng.fromSeed(seed).split("data");
  // Perturb biases too so they are not all zero.
  for (let i = 0; i < net.store.size; i++) net.store.value[i] += 0.1 * rng.normal();
  const x = rng.normal(batch * net.inSize), r = rng.normal(batch * net.outSize);
  const ctx = net.ctx();
  const f = () => {
    const y = layer.forward(x, batch, ctx, true);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += r[i] * y[i];
    return s;
  };
  net.store.zeroGrad();
  f();
  const dx = Float64Array.from(layer.backward(Float64Array.from(r), batch, ctx, true)!);
  const g = Float64Array.from(net.store.grad);
  const fdX = centralDifferences(f, x, 1e-5), fdT = centralDifferences(f, net.store.value, 1e-5);
  const ex = relErr(dx, fdX), et = relErr(g, fdT);
  if (ex > 1e-6 || et > 1e-6) {
    throw new Error(
      `${layer.label} [${backend}]: input grad err ${ex.toExponential(2)}, param err ${et.toExponential(2)}`,
    );
  }
}

const CASES: [string, () => Layer, number[]][] = [
  ["dense", () => new Dense(4), [5]],
  ["dense no bias", () => new Dense(3, { bias: false }), [6]],
  ["dense transposed (n_out × n_in)", () => new Dense(4, { transposed: true }), [5]],
  ["dense on C×H×W input", () => new Dense(3), [2, 2, 3]],
  ["relu", () => new ReLU(), [7]],
  ["tanh", () => new Tanh(), [7]],
  ["sigmoid", () => new Sigmoid(), [7]],
  ["leaky relu", () => new LeakyReLU(0.1), [7]],
  ["gelu", () => new GELU(), [7]],
  ["flatten", () => new Flatten(), [2, 3, 2]],
  ["conv 3×3 pad 1", () => new Conv2d(3, 3, { padding: 1 }), [2, 5, 4]],
  ["conv 3×3 stride 2", () => new Conv2d(2, 3, { stride: 2 }), [2, 7, 6]],
  ["conv 2×2 stride 2 pad 1", () => new Conv2d(2, 2, { stride: 2, padding: 1 }), [1, 5, 5]],
  ["conv 5×5 no bias", () => new Conv2d(2, 5, { bias: false, padding: 2 }), [1, 6, 6]],
  ["maxpool 2", () => new MaxPool2d(2), [2, 4, 6]],
  ["maxpool 3 stride 2", () => new MaxPool2d(3, 2), [1, 7, 7]],
  ["avgpool 2", () => new AvgPool2d(2), [2, 4, 5]],
];

for (const backend of BACKENDS) {
  for (const [name, make, shape] of CASES) {
    Deno.test(`nn: ${name} gradient = finite differences (${backend}, float64)`, () => {
      checkLayer(make, shape, 3, backend);
    });
  }
}

Deno.test("nn: softmax cross-entropy and MSE gradients = finite differences", () => {
  const rng = Rng.fromSeed(2), B = 4, K = 5, z = rng.normal(B * K), t = rng.normal(B * K);
  const labels = [0, 4, 2, 2];
  for (const red of ["mean", "sum"] as const) {
    const gx = new Float64Array(B * K), gm = new Float64Array(B * K);
    softmaxCrossEntropy(z, labels, B, K, gx, red);
    mse(z, t, B, K, gm, red);
    const h = 1e-6;
    for (let i = 0; i < z.length; i++) {
      const v = z[i];
      z[i] = v + h;
      const a = softmaxCrossEntropy(z, labels, B, K, undefined, red), c = mse(z, t, B, K, undefined, red);
      z[i] = v - h;
      const b = softmaxCrossEntropy(z, labels, B, K, undefined, red), d = mse(z, t, B, K, undefined, red);
      z[i] = v;
      assertAlmostEquals(gx[i], (a - b) / (2 * h), 1e-7);
      assertAlmostEquals(gm[i], (c - d) / (2 * h), 1e-7);
    }
  }
  // A hand value: logits (0, 0) with label 0 give log 2.
  assertAlmostEquals(softmaxCrossEntropy(new Float64Array([0, 0]), [0], 1, 2), Math.LN2, 1e-15);
  // Large logits stay finite.
  assertAlmostEquals(softmaxCrossEntropy(new Float64Array([1000, 0]), [1], 1, 2), 1000, 1e-9);
});

Deno.test("nn: a whole LeNet-5's gradient = finite differences on sampled coordinates (float64)", () => {
  const net = lenet5({ rng: Rng.fromSeed(3), classic: true, backend: BACKENDS[0] });
  const rng = Rng.fromSeed(3).split("x"), B = 2, x = rng.normal(B * 784), y = [3, 7];
  net.lossAndGrad(x, y, B);
  const th = net.store.value, indices = Array.from({ length: 60 }, () => Math.floor(rng.uniform() * th.length));
  assertCentralDifferences(() => net.loss(x, y, B), th, Float64Array.from(net.store.grad), {
    indices,
    h: 1e-5,
    tol: 1e-7,
    label: "θ",
  });
});

Deno.test("nn: native and js backends agree (MLP and LeNet-5, float64 and float32)", () => {
  if (!nativeAvailable()) return;
  for (const dtype of ["float64", "float32"] as const) {
    const tol = dtype === "float64" ? 1e-12 : 2e-4;
    for (const make of [() => mlp([784, 32, 10], { dtype }), () => lenet5({ dtype })]) {
      const a = make(), b = make();
      const rng = Rng.fromSeed(4), x = rng.normal(5 * 784), y = [1, 2, 3, 4, 5];
      const la = new Sequential(a.layers, a.inShape, { dtype, backend: "native" });
      const lb = new Sequential(b.layers, b.inShape, { dtype, backend: "js" });
      const l1 = la.lossAndGrad(x, y, 5), l2 = lb.lossAndGrad(x, y, 5);
      assertAlmostEquals(l1, l2, tol);
      const e = relErr(la.store.grad, lb.store.grad);
      if (e > tol) throw new Error(`${dtype}: gradients differ by ${e}`);
    }
  }
});

Deno.test("nn: per-example gradients equal single-sample gradients and sum to the batch gradient", () => {
  const transposed = () =>
    new Sequential([new Dense(5, { transposed: true }), new Tanh(), new Dense(3, { transposed: true })], [6]);
  for (const make of [() => mlp([6, 5, 3], { rng: Rng.fromSeed(5) }), () => lenetSmall(), transposed]) {
    const net = make(), B = 4, rng = Rng.fromSeed(6), x = rng.normal(B * net.inSize), y = [0, 2, 1, 2];
    const pe = net.perExampleGrads(x, y, B), P = net.store.size;
    const total = new Float64Array(P);
    for (let i = 0; i < B; i++) {
      net.lossAndGrad(x.subarray(i * net.inSize, (i + 1) * net.inSize), [y[i]], 1);
      const e = relErr(pe.subarray(i * P, (i + 1) * P), net.store.grad);
      if (e > 1e-12) throw new Error(`sample ${i}: per-example gradient off by ${e}`);
      for (let j = 0; j < P; j++) total[j] += pe[i * P + j] / B;
    }
    net.lossAndGrad(x, y, B);
    if (relErr(total, net.store.grad) > 1e-12) throw new Error("per-example mean ≠ batch gradient");
  }
});

function lenetSmall(): Sequential {
  return new Sequential(
    [new Conv2d(2, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Dense(3)],
    [1, 4, 4],
    { rng: Rng.fromSeed(7) },
  );
}

Deno.test("nn: js gemm matches the native gemm in all four transpose cases", () => {
  if (!nativeAvailable()) return;
  const nat = gemmBackend("native"), rng = Rng.fromSeed(8);
  const cases = [[false, false], [false, true], [true, false], [true, true]] as const;
  for (const [[ta, tb], [m, n, k]] of cases.flatMap((c) => [[c, [5, 7, 3]], [c, [6, 9, 10]]] as const)) {
    const a = rng.normal(m * k), b = rng.normal(k * n), c0 = rng.normal(m * n);
    const c1 = c0.slice(), c2 = c0.slice();
    const lda = ta ? m : k, ldb = tb ? k : n;
    nat.gemm(ta, tb, m, n, k, 0.7, a, lda, b, ldb, 0.3, c1, n);
    jsGemm.gemm(ta, tb, m, n, k, 0.7, a, lda, b, ldb, 0.3, c2, n);
    if (relErr(c1, c2) > 1e-13) throw new Error(`gemm ${ta}/${tb} differs`);
  }
});

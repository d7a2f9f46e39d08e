import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { DenseLayer, FactorNet, type M } from "../../lib/math/nn/factorized.ts";
import { buildMnist } from "../../datasets/mnist.ts";
import { colFisher, compress, rowFisher, weightedTrunc } from "./fwsvd.ts";
import { rowsOf } from "../../lib/math/nn/labelled.ts";

const rand = (rows: number, cols: number, rng: Rng): M => ({ rows, cols, data: rng.normal(rows * cols) });

function smallNet(rng: Rng): FactorNet {
  return new FactorNet([
    new DenseLayer(784, 12, { rng: rng.split("a") }),
    new DenseLayer(12, 9, { rng: rng.split("b") }),
    new DenseLayer(9, 10, { rng: rng.split("c") }),
  ]);
}

function digits(n: number): { x: M; y: Uint8Array } {
  const d = buildMnist(n);
  return { x: { rows: n, cols: 784, data: Float64Array.from(d.images) }, y: d.labels };
}

Deno.test("fwsvd: row Fisher from δ²‖x‖² equals the brute-force mean of squared per-example gradients", () => {
  const rng = Rng.fromSeed(1), net = smallNet(rng), { x, y } = digits(20);
  const fast = rowFisher(net, x, y, 20, "example");
  const brute = net.layers.map((l) => new Float64Array(l.outDim));
  for (let d = 0; d < 20; d++) {
    net.lossAndGrad(rowsOf(x, [d], 0, 1), [y[d]]);
    net.layers.forEach((l, k) => {
      const g = (l as DenseLayer).w.grad;
      for (let i = 0; i < l.outDim; i++) {
        for (let j = 0; j < l.inDim; j++) brute[k][i] += g[i * l.inDim + j] ** 2 / 20;
      }
    });
  }
  brute.forEach((b, k) =>
    b.forEach((v, i) => assertAlmostEquals(fast[k][i], v, 1e-12 * Math.max(1, v), `row ${k}.${i}`))
  );
  // Column Fisher: the same squared gradients summed over rows instead.
  const col = colFisher(net, x, y, 20);
  const bruteCol = net.layers.map((l) => new Float64Array(l.inDim));
  for (let d = 0; d < 20; d++) {
    net.lossAndGrad(rowsOf(x, [d], 0, 1), [y[d]]);
    net.layers.forEach((l, k) => {
      const g = (l as DenseLayer).w.grad;
      for (let i = 0; i < l.outDim; i++) {
        for (let j = 0; j < l.inDim; j++) bruteCol[k][j] += g[i * l.inDim + j] ** 2 / 20;
      }
    });
  }
  bruteCol.forEach((b, k) =>
    b.forEach((v, j) => assertAlmostEquals(col[k][j], v, 1e-12 * Math.max(1, v), `col ${k}.${j}`))
  );
});

Deno.test("fwsvd: batch Fisher averages squared minibatch-mean gradients", () => {
  const rng = Rng.fromSeed(2), net = smallNet(rng), { x, y } = digits(8);
  const f = rowFisher(net, x, y, 8, "batch", 4);
  const want = net.layers.map((l) => new Float64Array(l.outDim));
  for (const s of [0, 4]) {
    net.lossAndGrad(rowsOf(x, [0, 1, 2, 3, 4, 5, 6, 7], s, s + 4), Array.from(y.subarray(s, s + 4)));
    net.layers.forEach((l, k) => {
      const g = (l as DenseLayer).w.grad;
      for (let i = 0; i < l.outDim; i++) for (let j = 0; j < l.inDim; j++) want[k][i] += g[i * l.inDim + j] ** 2 / 2;
    });
  }
  want.forEach((w, k) => w.forEach((v, i) => assertAlmostEquals(f[k][i], v, 1e-12 * Math.max(1, v), `${k}.${i}`)));
});

Deno.test("fwsvd: weighted truncation minimises the weighted error; uniform weights give plain SVD", () => {
  const rng = Rng.fromSeed(3), w = rand(8, 6, rng), r = 2;
  const wts = Float64Array.from({ length: 8 }, () => 0.1 + 5 * rng.uniform());
  const werr = (a: { u: M; v: M }) => {
    const wh = getLinalg().matmul(a.u, a.v, { transB: true }) as M;
    let e = 0;
    for (let i = 0; i < 8; i++) for (let j = 0; j < 6; j++) e += wts[i] * (w.data[i * 6 + j] - wh.data[i * 6 + j]) ** 2;
    return e;
  };
  const fw = weightedTrunc(w, r, wts), plain = weightedTrunc(w, r);
  assert(werr(fw) <= werr(plain) + 1e-12, `weighted error ${werr(fw)} ≤ ${werr(plain)}`);
  // Random rank-2 perturbations of the optimum never do better.
  for (let t = 0; t < 20; t++) {
    const p = { u: { ...fw.u, data: fw.u.data.map((v) => v + 1e-3 * rng.normal()) }, v: fw.v };
    assert(werr(p) >= werr(fw) - 1e-12, "local optimum");
  }
  const same = weightedTrunc(w, r, new Float64Array(8).fill(3));
  const a = getLinalg().matmul(same.u, same.v, { transB: true }) as M;
  const b = getLinalg().matmul(plain.u, plain.v, { transB: true }) as M;
  a.data.forEach((v, i) => assertAlmostEquals(v, b.data[i], 1e-12, "constant weights = SVD"));
});

Deno.test("fwsvd: compress keeps the head, reports Eckart–Young-ordered errors, and is exact at full rank", () => {
  const rng = Rng.fromSeed(4), net = smallNet(rng), { x, y } = digits(30);
  const f = rowFisher(net, x, y, 30, "example");
  const svd = compress(net, 3, null), fw = compress(net, 3, f);
  assert(fw.recon >= svd.recon - 1e-12, `SVD has the least Frobenius error: ${svd.recon} ≤ ${fw.recon}`);
  assert(svd.net.storedParams() === 3 * (784 + 12) + 3 * (12 + 9) + 9 * 10, "params");
  const full = compress(net, 12, f);
  assert(full.recon < 1e-10, `full rank exact: ${full.recon}`);
  const p0 = net.predict(x), p1 = full.net.predict(x);
  for (let i = 0; i < 30; i++) assert(p0[i] === p1[i], "same predictions at full rank");
});

import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import { assert, assertAlmostEquals, assertIdentity } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { DenseLayer, FactorNet, LoraLayer, type M } from "../../lib/math/nn/factorized.ts";
import {
  dare,
  loraDelta,
  type LoraFactors,
  rmm,
  rmmFactor,
  rmmReconstruct,
  taskArithmetic,
  taskArithmeticFactors,
  ties,
} from "./merge.ts";
import { withDeltas } from "./train.ts";

const mat = (rows: number, cols: number, data: number[] | Float64Array): M => ({
  rows,
  cols,
  data: Float64Array.from(data),
});
const rand = (rows: number, cols: number, rng: Rng): M => mat(rows, cols, rng.normal(rows * cols));

function lora(inDim: number, outDim: number, r: number, rng: Rng): LoraFactors {
  return { a: rand(r, inDim, rng), b: rand(outDim, r, rng), scale: 1 };
}

Deno.test("rmm: Task Arithmetic, TIES and DARE on a hand-computed 1×4 case", () => {
  const d = [[mat(1, 4, [1, -2, 0.5, 3])], [mat(1, 4, [2, 1, -0.1, -1])], [mat(1, 4, [-0.5, -3, 0.2, 2])]];
  const ta = taskArithmetic(d, 0.5)[0].data;
  [1.25, -2, 0.3, 2].forEach((v, k) => assertAlmostEquals(ta[k], v, 1e-12, `ta[${k}]`));
  // TIES with density 0.5 keeps each task's 2 largest |entries|:
  //   task 0: [0, -2, 0, 3]; task 1: [2, 1, 0, 0] (|−1| ties |1|: both ≥ threshold 1 → [2, 1, 0, -1]);
  //   task 2: [0, -3, 0, 2]. Sums: [2, -4, 0, 4] → signs [+, −, 0, +]; disjoint means: [2, -2.5, 0, 2.5].
  const t = ties(d, 0.5, 1)[0].data;
  [2, -2.5, 0, 2.5].forEach((v, k) => assertAlmostEquals(t[k], v, 1e-12, `ties[${k}]`));
  // DARE with p = 0 is Task Arithmetic.
  const d0 = dare(d, 0, 0.5, Rng.fromSeed(1))[0].data;
  ta.forEach((v, k) => assertAlmostEquals(d0[k], v, 1e-12, `dare0[${k}]`));
});

Deno.test("rmm: DARE is unbiased (mean over draws → Task Arithmetic)", () => {
  const rng = Rng.fromSeed(2);
  const d = [[rand(3, 5, rng)], [rand(3, 5, rng)]];
  const ta = taskArithmetic(d, 0.7)[0].data, acc = new Float64Array(ta.length), N = 4000;
  for (let s = 0; s < N; s++) dare(d, 0.5, 0.7, Rng.fromSeed(100 + s))[0].data.forEach((v, k) => (acc[k] += v / N));
  ta.forEach((v, k) => assertAlmostEquals(acc[k], v, 0.12, `mean dare[${k}]`));
});

Deno.test("rmm: loraDelta equals LoraLayer.weight() − W₀; separate TA is (λΣB)(λΣA)", () => {
  const rng = Rng.fromSeed(3);
  const l = new LoraLayer(6, 4, 2, { base: rand(4, 6, rng), rng });
  l.bB.value.set(rng.normal(8));
  const w = l.weight(), d = loraDelta({ a: mat(2, 6, l.a.value), b: mat(4, 2, l.bB.value), scale: l.scale });
  for (let k = 0; k < w.data.length; k++) assertAlmostEquals(d.data[k], w.data[k] - l.w0.data[k], 1e-12, `Δ[${k}]`);
  const f = [[lora(6, 4, 2, rng)], [lora(6, 4, 2, rng)]];
  const sep = taskArithmeticFactors(f, 0.5)[0];
  const a = mat(2, 6, f[0][0].a.data.map((v, k) => 0.5 * (v + f[1][0].a.data[k])));
  const b = mat(4, 2, f[0][0].b.data.map((v, k) => 0.5 * (v + f[1][0].b.data[k])));
  const ref = getLinalg().matmul(b, a) as M;
  for (let k = 0; k < ref.data.length; k++) assertAlmostEquals(sep.data[k], ref.data[k], 1e-12, `sep[${k}]`);
});

Deno.test("rmm: the closed form is exact at p = n and the best rank-p fit (Eckart–Young) below", () => {
  const rng = Rng.fromSeed(4), n = 5, dim = 40;
  const flats = Array.from({ length: n }, () => rng.normal(dim));
  // p = n: exact.
  const full = rmmFactor(flats, n);
  for (let i = 0; i < n; i++) {
    const rec = rmmReconstruct(full, i);
    for (let k = 0; k < dim; k++) assertAlmostEquals(rec[k], flats[i][k], 1e-10, `exact ${i},${k}`);
  }
  // p < n: residual² = Σ_{j>p} σ_j² of F = [flats] (dim × n), in float64 against the SVD.
  const F = mat(dim, n, new Float64Array(dim * n));
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) F.data[k * n + i] = flats[i][k];
  const s = getLinalg().svdvals(F);
  for (let p = 1; p < n; p++) {
    const f = rmmFactor(flats, p);
    let res = 0;
    for (let i = 0; i < n; i++) {
      const rec = rmmReconstruct(f, i);
      for (let k = 0; k < dim; k++) res += (rec[k] - flats[i][k]) ** 2;
    }
    let tail = 0;
    for (let j = p; j < n; j++) tail += s[j] ** 2;
    assertAlmostEquals(res, tail, 1e-9 * Math.max(1, tail), `residual at p = ${p}`);
    // Coefficient rows are orthonormal (V_pᵀV_p = I).
    assertIdentity(matmulSmall(f.coef.data, f.coef.data, p, n, p, { transB: true }), p, 1e-10, "CCᵀ");
  }
  // Shared structure: flats in a 2-dim span are rebuilt exactly with p = 2.
  const u = rng.normal(dim), v = rng.normal(dim);
  const low = Array.from({ length: n }, (_, i) => u.map((x, k) => (i + 1) * x - i * i * v[k]));
  const f2 = rmmFactor(low, 2);
  for (let i = 0; i < n; i++) {
    const rec = rmmReconstruct(f2, i);
    for (let k = 0; k < dim; k++) assertAlmostEquals(rec[k], low[i][k], 1e-9 * (1 + Math.abs(low[i][k])), "span-2");
  }
});

Deno.test("rmm: over layers, p = n reverts every task; storage counts bases and coefficients", () => {
  const rng = Rng.fromSeed(5), n = 3;
  const factors = Array.from({ length: n }, () => [lora(7, 5, 2, rng), lora(5, 3, 2, rng)]);
  const { tasks, stored } = rmm(factors, n);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < 2; l++) {
      const a = loraDelta(tasks[i][l]), b = loraDelta(factors[i][l]);
      for (let k = 0; k < a.data.length; k++) assertAlmostEquals(a.data[k], b.data[k], 1e-10, `Δ${i},${l}`);
    }
  }
  // Layer 0: A 2×7, B 5×2; layer 1: A 2×5, B 3×2; per factor p·dim + p·n.
  const p = n, expect = p * (14 + 10 + 10 + 6) + 4 * p * n;
  assert(stored === expect, `stored ${stored} ≠ ${expect}`);
});

Deno.test("rmm: withDeltas(0) predicts like the backbone; a delta moves the logits by x·Δᵀ", () => {
  const rng = Rng.fromSeed(6);
  const pre = new FactorNet([new DenseLayer(6, 4, { rng }), new DenseLayer(4, 3, { rng })]);
  const x = rand(5, 6, rng);
  const zero = withDeltas(pre, [mat(4, 6, new Float64Array(24)), mat(3, 4, new Float64Array(12))]);
  const y0 = pre.forward(x), y1 = zero.forward(x);
  for (let k = 0; k < y0.data.length; k++) assertAlmostEquals(y1.data[k], y0.data[k], 1e-14, `y[${k}]`);
  const dh = rand(3, 4, rng), moved = withDeltas(pre, [mat(4, 6, new Float64Array(24)), dh]);
  const h = pre.layers[0].forward(x);
  h.data.forEach((v, k) => (h.data[k] = Math.max(0, v)));
  const ref = getLinalg().matmul(h, dh, { transB: true }) as M, y2 = moved.forward(x);
  for (let k = 0; k < ref.data.length; k++) {
    assertAlmostEquals(y2.data[k] - y0.data[k], ref.data[k], 1e-12, `dy[${k}]`);
  }
});

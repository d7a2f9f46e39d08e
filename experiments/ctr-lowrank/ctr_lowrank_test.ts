import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import {
  compressAfm,
  compressSvd,
  type CtrModel,
  forward,
  initModel,
  macs,
  makeCtr,
  paramCount,
  predictAll,
  trainModel,
} from "./ctr.ts";
import { rocAuc } from "../../lib/math/stats.ts";
import { eigSymDesc } from "./eig.ts";

Deno.test("AUC equals the fraction of correctly ordered (positive, negative) pairs, ties counting one half", () => {
  const rng = Rng.fromSeed(1);
  const p = Array.from({ length: 60 }, () => Math.round(rng.uniform() * 10) / 10);
  const y = p.map((v) => (rng.uniform() < v ? 1 : 0));
  let num = 0, den = 0;
  for (let i = 0; i < p.length; i++) {
    for (let j = 0; j < p.length; j++) {
      if (y[i] === 1 && y[j] === 0) (den++, num += p[i] > p[j] ? 1 : p[i] === p[j] ? 0.5 : 0);
    }
  }
  assertAlmostEquals(rocAuc(p, y), num / den, 1e-12);
  assertEquals(rocAuc([0.1, 0.9], [0, 1]), 1);
});

Deno.test("eigSymDesc: descending eigenpairs with S u = λ u", () => {
  const S = Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]);
  const { values, vectors } = eigSymDesc(S, 3);
  assert(values[0] >= values[1] && values[1] >= values[2]);
  for (let t = 0; t < 3; t++) {
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += S[i * 3 + j] * vectors[j * 3 + t];
      assertAlmostEquals(s, values[t] * vectors[i * 3 + t], 1e-12);
    }
  }
});

function small(): { m: CtrModel; d: ReturnType<typeof makeCtr> } {
  const rng = Rng.fromSeed(2);
  const d = makeCtr({ fields: 3, vocab: 20, fmRank: 2, zipf: 1, bias: 0, nTrain: 400, nVal: 2, nTest: 200 }, rng);
  const m = initModel({ fields: 3, vocab: 20, dim: 6, hidden: [8, 4] }, rng.split("m"));
  return { m, d };
}

Deno.test("full-rank weight SVD and AFM reproduce the model's predictions (identity)", () => {
  const { m, d } = small();
  const full = { emb: 6, fc: [8, 4] };
  const p0 = predictAll(m, d.test);
  for (const c of [compressSvd(m, full), compressAfm(m, full, d.train)]) {
    const p1 = predictAll(c, d.test);
    for (let i = 0; i < p0.length; i++) assertAlmostEquals(p1[i], p0[i], 1e-10);
  }
});

Deno.test("AFM is exact at rank r when a layer's outputs span an r-dimensional affine subspace", () => {
  const { m, d } = small();
  // Make the first FC layer's output lie in a 2-dim affine subspace: W = P·W with P a rank-2 projector, b off it.
  const L = m.layers[0], out = L.out, inp = L.inp;
  const u = [new Float64Array(out), new Float64Array(out)];
  for (let o = 0; o < out; o++) (u[0][o] = o % 2 ? 1 : 0, u[1][o] = o < out / 2 ? 1 : 0);
  const coef = Rng.fromSeed(3).normal(2 * inp);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inp; i++) L.w[o * inp + i] = u[0][o] * coef[i] + u[1][o] * coef[inp + i] + 1e-9 * i;
    L.b[o] = 0.3 * o;
  }
  const ranks = { emb: 6, fc: [2, 4] };
  const afm = compressAfm(m, ranks, d.train), svd = compressSvd(m, ranks);
  let eA = 0, eS = 0;
  for (let i = 0; i < d.test.n; i++) {
    const z = forward(m, d.test.x, i).pre[0],
      za = forward(afm, d.test.x, i).pre[0],
      zs = forward(svd, d.test.x, i).pre[0];
    for (let o = 0; o < out; o++) {
      (eA = Math.max(eA, Math.abs(za[o] - z[o])), eS = Math.max(eS, Math.abs(zs[o] - z[o])));
    }
  }
  assert(eA < 1e-6, `AFM error ${eA}`);
  // Here W itself has rank 2 (up to 1e-9), so the weight SVD is exact too.
  assert(eS < 1e-6, `weight SVD error ${eS}`);
});

Deno.test("compression shrinks parameters and multiply–adds; training lowers the loss and learns the FM clicks", () => {
  const { m, d } = small();
  const c = compressAfm(m, { emb: 2, fc: [2, 1] }, d.train);
  assert(paramCount(c) < paramCount(m) && macs(c) < macs(m));
  // Parameter count of the compressed model by hand: tables 3·(20·2 + 2·6 + 6); FC1 2·18 + 2 + 8·2 + 8; FC2 1·8 + 1
  // + 4·1 + 4; output 4 + 1.
  assertEquals(paramCount(c), 3 * (40 + 12 + 6) + (36 + 2 + 16 + 8) + (8 + 1 + 4 + 4) + 5);
  const rng = Rng.fromSeed(4);
  const big = makeCtr({ fields: 4, vocab: 30, fmRank: 2, zipf: 1, bias: 0, nTrain: 4000, nVal: 2, nTest: 2000 }, rng);
  const net = initModel({ fields: 4, vocab: 30, dim: 8, hidden: [16, 8] }, rng.split("m"));
  const losses = trainModel(net, big.train, { epochs: 3, batch: 64, lr: 0.005 }, rng.split("t"));
  assert(losses[2] < losses[0], `loss ${losses}`);
  assert(rocAuc(predictAll(net, big.test), big.test.y) > 0.65);
});

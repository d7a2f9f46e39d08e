/**
 * Tests for hyperattention: each kernel against an independent dense reference (softmax computed naively, the
 * HyperAttention estimator rebuilt entry by entry from its definition, ‖·‖₂ from ml-matrix's SVD), the identity
 * b = n, m = 0 ⇒ exact attention, unbiasedness of the sampled normaliser, and the smoke pipeline.
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import {
  AngularLsh,
  exactAttention,
  graySequence,
  hyperAttention,
  type Qkv,
  stableSortByKey,
  uniformSampling,
} from "./attention.ts";
import { makeData, makeQkv, referenceAttention, spectralNorm } from "./data.ts";
import { getLinalg, nativeAvailable } from "../../lib/math/linalg/mod.ts";
import exp from "./mod.ts";

const randomQkv = (nq: number, nk: number, d: number, dv: number, seed: number): Qkv => {
  const r = Rng.fromSeed(seed);
  return { q: r.normal(nq * d), k: r.normal(nk * d), v: r.normal(nk * dv), nq, nk, d, dv };
};

/** Naive dense attention: P = exp(S)/rowsum, no max shift (inputs are small), O = PV. */
function denseAttention(x: Qkv, scale: number) {
  const S = new Matrix(x.nq, x.nk);
  for (let i = 0; i < x.nq; i++) {
    for (let j = 0; j < x.nk; j++) {
      let s = 0;
      for (let c = 0; c < x.d; c++) s += x.q[i * x.d + c] * x.k[j * x.d + c];
      S.set(i, j, Math.exp(s * scale));
    }
  }
  const D = S.sum("row"),
    V = new Matrix(Array.from({ length: x.nk }, (_, j) => [...x.v.slice(j * x.dv, (j + 1) * x.dv)]));
  const O = S.mmul(V);
  for (let i = 0; i < x.nq; i++) for (let c = 0; c < x.dv; c++) O.set(i, c, O.get(i, c) / D[i]);
  return { S, D, O };
}

Deno.test("exactAttention matches naive dense softmax(QKᵀ/√d)V, lse = log rowsum, ops = n_q·n_k·(d + d_v)", () => {
  const x = randomQkv(9, 13, 5, 3, 1);
  const ex = exactAttention(x), ref = denseAttention(x, 1 / Math.sqrt(5));
  for (let i = 0; i < 9; i++) {
    assertAlmostEquals(ex.lse[i], Math.log(ref.D[i]), 1e-13, `lse[${i}]`);
    for (let c = 0; c < 3; c++) assertAlmostEquals(ex.out[i * 3 + c], ref.O.get(i, c), 1e-13, `O[${i},${c}]`);
  }
  assertEquals(ex.ops, 9 * 13 * 8);
});

Deno.test("referenceAttention (BLAS products, row chunks) equals the plain kernel on native and js linear algebra", () => {
  const x = randomQkv(37, 29, 6, 4, 2), ex = exactAttention(x);
  for (const kind of nativeAvailable() ? ["native", "js"] as const : ["js"] as const) {
    const ref = referenceAttention(x, getLinalg(kind), 8);
    for (let t = 0; t < ex.out.length; t++) assertAlmostEquals(ref.out[t], ex.out[t], 1e-13, `${kind} out[${t}]`);
    for (let i = 0; i < 37; i++) assertAlmostEquals(ref.lse[i], ex.lse[i], 1e-13, `${kind} lse[${i}]`);
  }
});

Deno.test("graySequence is the reflected Gray code i ^ (i >> 1): neighbours differ in one bit", () => {
  for (const r of [1, 3, 7]) {
    const g = graySequence(r);
    assertEquals(g.length, 1 << r);
    for (let i = 0; i < g.length; i++) assertEquals(g[i], i ^ (i >> 1));
    for (let i = 1; i < g.length; i++) {
      const x = g[i] ^ g[i - 1];
      assert(x > 0 && (x & (x - 1)) === 0, `g[${i}] and g[${i - 1}] differ in one bit`);
    }
  }
});

Deno.test("AngularLsh.hash: gray(Σ_b [⟨x, g_b⟩ > 0]·2ᵇ), invariant to positive scaling; counting sort is stable", () => {
  const d = 6, r = 4, lsh = new AngularLsh(d, r, Rng.fromSeed(3));
  const x = Rng.fromSeed(4).normal(20 * d), ops = { n: 0 };
  const h = lsh.hash(x, 20, ops), h2 = lsh.hash(x.map((v) => 3.5 * v), 20, ops);
  assertEquals(ops.n, 2 * 20 * d * r);
  for (let i = 0; i < 20; i++) {
    let bin = 0;
    for (let b = 0; b < r; b++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += x[i * d + c] * lsh.proj[c * r + b];
      if (s > 0) bin |= 1 << b;
    }
    assertEquals(h[i], bin ^ (bin >> 1), `hash of row ${i}`);
    assertEquals(h2[i], h[i], "scaling a vector keeps its hash");
  }
  const keys = Int32Array.from([3, 1, 3, 0, 1, 3]), order = stableSortByKey(keys, 4);
  assertEquals([...order], [3, 1, 4, 0, 2, 5]);
});

Deno.test("hyperAttention with one block of all keys and no samples is exact attention", () => {
  const x = randomQkv(64, 64, 8, 5, 6);
  const ex = exactAttention(x);
  for (const lsh of [true, false]) {
    const h = hyperAttention(x, { numProjs: 3, blockSize: 64, sampleSize: 0, lsh }, Rng.fromSeed(7));
    for (let t = 0; t < ex.out.length; t++) assertAlmostEquals(h.out[t], ex.out[t], 1e-13, `out[${t}]`);
    for (let i = 0; i < 64; i++) assertAlmostEquals(h.lse[i], ex.lse[i], 1e-12, `lse[${i}]`);
  }
});

Deno.test("hyperAttention equals its estimator rebuilt entry by entry: D̃ = D_blk + (n/m)Σ_{S∖blk}, Õ = D̃⁻¹(…)V", () => {
  const nq = 48, nk = 32, d = 6, dv = 4, b = 8, m = 10, scale = 1 / Math.sqrt(d);
  const x = randomQkv(nq, nk, d, dv, 8);
  const h = hyperAttention(x, { numProjs: 3, blockSize: b, sampleSize: m, lsh: true }, Rng.fromSeed(9));
  // The same draws: the LSH uses a split stream, the sample the parent's first m integers.
  const r = Rng.fromSeed(9), pos = Array.from({ length: m }, () => r.int(nk));
  const { S } = denseAttention(x, scale);
  assertEquals(h.qBlock, nq / (nk / b));
  const qPos = new Int32Array(nq);
  h.qOrder.forEach((i, p) => (qPos[i] = p));
  for (let i = 0; i < nq; i++) {
    const blk = Math.floor(qPos[i] / h.qBlock);
    let D = 0;
    const num = new Float64Array(dv);
    const add = (j: number, w: number) => {
      D += w * S.get(i, j);
      for (let c = 0; c < dv; c++) num[c] += w * S.get(i, j) * x.v[j * dv + c];
    };
    for (let t = blk * b; t < (blk + 1) * b; t++) add(h.kOrder[t], 1);
    for (const p of pos) if (Math.floor(p / b) !== blk) add(h.kOrder[p], nk / m);
    assertAlmostEquals(h.lse[i], Math.log(D), 1e-12, `lse[${i}]`);
    for (let c = 0; c < dv; c++) assertAlmostEquals(h.out[i * dv + c], num[c] / D, 1e-12, `out[${i},${c}]`);
  }
  assertEquals(h.ops, (nq + nk) * d * 3 + nq * b * (d + dv) + nq * m * (d + dv));
});

Deno.test("uniformSampling's normaliser is unbiased: the mean of D̃ over 400 samples is within 4 SE of D", () => {
  const x = randomQkv(3, 50, 4, 2, 10), ex = exactAttention(x);
  const draws: number[][] = [[], [], []];
  for (let s = 0; s < 400; s++) {
    const u = uniformSampling(x, 5, Rng.fromSeed(100 + s));
    for (let i = 0; i < 3; i++) draws[i].push(Math.exp(u.lse[i]));
  }
  for (let i = 0; i < 3; i++) {
    const mu = draws[i].reduce((a, b) => a + b) / 400;
    const sd = Math.sqrt(draws[i].reduce((a, b) => a + (b - mu) ** 2, 0) / 399);
    const D = Math.exp(ex.lse[i]);
    assert(Math.abs(mu - D) < 4 * sd / Math.sqrt(400), `row ${i}: mean D̃ ${mu} vs D ${D} (sd ${sd})`);
  }
});

Deno.test("spectralNorm equals the largest singular value (ml-matrix SVD)", () => {
  const n = 40, c = 7, a = Rng.fromSeed(11).normal(n * c);
  const svd = new SingularValueDecomposition(
    new Matrix(Array.from({ length: n }, (_, i) => [...a.slice(i * c, (i + 1) * c)])),
  );
  assertAlmostEquals(spectralNorm(a, n, c), svd.diagonal[0], 1e-11);
});

Deno.test("clustered data: a query scores ≈ β with the keys of its own cluster, and ≈ 0 with the others", () => {
  const o = { n: 64, d: 64, structure: "clustered" as const, clusterSize: 8, heavyScore: 5, noise: 0.01 };
  const x = makeQkv(o, Rng.fromSeed(12));
  const s = (i: number, j: number) => {
    let v = 0;
    for (let c = 0; c < 64; c++) v += x.q[i * 64 + c] * x.k[j * 64 + c];
    return v / 8;
  };
  let heavy = 0;
  for (let j = 0; j < 64; j++) if (s(0, j) > 4) heavy++;
  assertEquals(heavy, 8, "8 large scores in row 0");
  assert(s(0, 0) > 4.8 && s(0, 0) < 5.2, `self score ${s(0, 0)}`);
  const d = makeData({ ...o, n: 32 }, Rng.fromSeed(13));
  assertAlmostEquals(d.vNorm2, spectralNorm(d.v, 32, 64), 0);
});

Deno.test("smoke runs: every method gives finite metrics; b = n, m = 0 is exact; exact costs n²(d + d_v)", async () => {
  const runs = await runSmokePoints(exp, (p) => p.n === 256 && p.structure === "clustered");
  const by = Object.fromEntries(runs.map((r) => [r.run.method, r.m]));
  for (const m of ["exact", "hyper", "uniform", "nolsh", "lshblock", "full_block"]) assert(by[m], `ran ${m}`);
  assert(by.exact.err_fro < 1e-13 && by.full_block.err_fro < 1e-13, `identity: ${by.full_block.err_fro}`);
  assertEquals(by.exact.ops, 256 * 256 * 128);
  assert(by.hyper.ops < by.exact.ops, "HyperAttention does fewer multiply–adds");
  assert(by.hyper.block_mass > 0 && by.hyper.block_mass < 1, "block mass is a share");
});

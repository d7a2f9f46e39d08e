import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import {
  buildNet,
  convFlops,
  type Data,
  decompose,
  energyRank,
  lowRankApprox,
  speedup,
  svdOf,
  targetConvs,
  trainNet,
  valueRank,
} from "./trp.ts";

/** Orthonormal columns (rows × k) from the QR of a Gaussian matrix. */
function orth(rows: number, k: number, rng: Rng): Float64Array {
  const q = getLinalg().qr({ rows, cols: k, data: rng.normal(rows * k) }).q;
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) out[i * k + j] = q.data[i * q.cols + j];
  return out;
}

/** W = Σ σ_i u_i v_iᵀ with known orthonormal factors. */
function known(rows: number, cols: number, s: number[], rng: Rng) {
  const k = s.length, u = orth(rows, k, rng), v = orth(cols, k, rng);
  const term = (i: number, j: number, upto: number, scale: boolean) => {
    let x = 0;
    for (let q = 0; q < upto; q++) x += (scale ? s[q] : 1) * u[i * k + q] * v[j * k + q];
    return x;
  };
  const w = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[i * cols + j] = term(i, j, k, true);
  return { w, term };
}

Deno.test("energyRank and valueRank follow the official criteria on exact cases", () => {
  // energies 9, 4, 1, 0.25 of 14.25: cumulative 0.632, 0.912, 0.982, 1
  assertEquals(energyRank([3, 2, 1, 0.5], 0.9), 2);
  assertEquals(energyRank([3, 2, 1, 0.5], 0.95), 3);
  assertEquals(energyRank([3, 2, 1, 0.5], 0.5), 1);
  assertEquals(energyRank([1, 1, 1, 1], 0.75), 3);
  assertEquals(valueRank([3, 2, 0.04, 0.01], 0.05), 2);
  assertEquals(valueRank([3, 2, 1], 0.05), 3);
  assertEquals(valueRank([0.01], 0.05), 0);
});

Deno.test("lowRankApprox truncates to U_r Σ_r V_rᵀ and returns U_r V_rᵀ (known SVD, float64)", () => {
  const rng = Rng.fromSeed(1);
  const { w, term } = known(6, 10, [3, 2, 1, 0.5], rng);
  const { rank, sub } = lowRankApprox(w, 6, 10, 0.9, true);
  assertEquals(rank, 2);
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 10; j++) {
      assertAlmostEquals(w[i * 10 + j], term(i, j, 2, true), 1e-12);
      assertAlmostEquals(sub[i * 10 + j], term(i, j, 2, false), 1e-12);
    }
  }
  const s = svdOf(w, 6, 10).s;
  assertAlmostEquals(s[0], 3, 1e-12);
  assertAlmostEquals(s[1], 2, 1e-12);
  assert(s[2] < 1e-12, `rank 2 after truncation, σ₃ = ${s[2]}`);
});

Deno.test("without truncation, lowRankApprox leaves W alone; at full rank its U Vᵀ is ∇‖W‖_* (finite differences)", () => {
  const rng = Rng.fromSeed(2);
  const rows = 4, cols = 7, w = rng.normal(rows * cols), w0 = w.slice();
  const { rank, sub } = lowRankApprox(w, rows, cols, 1 - 1e-15, false);
  assertEquals(rank, rows);
  for (let i = 0; i < w.length; i++) assertEquals(w[i], w0[i]);
  const nuc = (x: Float64Array) => getLinalg().svdvals({ rows, cols, data: x }).reduce((a, b) => a + b, 0);
  const h = 1e-6;
  for (let q = 0; q < w.length; q++) {
    const p = w.slice(), m = w.slice();
    p[q] += h;
    m[q] -= h;
    assertAlmostEquals((nuc(p) - nuc(m)) / (2 * h), sub[q], 1e-6);
  }
});

function randomData(n: number, rng: Rng): Data {
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  const y = new Uint8Array(n).map(() => rng.int(10));
  return { xTrain: x, yTrain: y, nTrain: n, xTest: x, yTest: y, nTest: n };
}

Deno.test("decompose at full rank reproduces the net; at rank r it equals the net with truncated kernels (float64)", () => {
  const rng = Rng.fromSeed(3), a = { c1: 3, c2: 5 };
  const net = buildNet(a, { rng: rng.split("init"), dtype: "float64" });
  const d = randomData(4, rng.split("x"));
  const y0 = net.predict(d.xTest, 4).slice();
  const full = decompose(net, a, [5, 5], rng.split("d"));
  const y1 = full.predict(d.xTest, 4);
  for (let i = 0; i < y0.length; i++) assertAlmostEquals(y1[i], y0[i], 1e-10 * (1 + Math.abs(y0[i])));
  // Rank 2: the same as truncating each target kernel to its best rank-2 approximation in place.
  const low = decompose(net, a, [2, 2], rng.split("d"));
  for (const c of targetConvs(net)) {
    const [N, C, k] = c.w.shape, K = C * k * k, { u, uc, s, vt, vc } = svdOf(c.w.value, N, K);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < K; j++) c.w.value[i * K + j] = s[0] * u[i * uc] * vt[j] + s[1] * u[i * uc + 1] * vt[vc + j];
    }
  }
  const y2 = net.predict(d.xTest, 4).slice(), y3 = low.predict(d.xTest, 4);
  for (let i = 0; i < y2.length; i++) assertAlmostEquals(y3[i], y2[i], 1e-10 * (1 + Math.abs(y2[i])));
});

Deno.test("conv FLOPs and speed-up match a hand count", () => {
  const a = { c1: 16, c2: 32 };
  // conv1 16·1·9·784; conv2 32·16·9·196; conv3 32·32·9·196
  assertEquals(convFlops(a), 16 * 9 * 784 + 32 * 16 * 9 * 196 + 32 * 32 * 9 * 196);
  // rank 8: conv2 (16·9·8 + 8·32)·196, conv3 (32·9·8 + 8·32)·196
  const dec = 16 * 9 * 784 + (16 * 9 * 8 + 8 * 32) * 196 + (32 * 9 * 8 + 8 * 32) * 196;
  assertEquals(convFlops(a, [8, 8]), dec);
  assertAlmostEquals(speedup(a, [8, 8]), convFlops(a) / dec, 1e-12);
  assert(speedup(a, [32, 32]) < 1, "full-rank factorisation costs more than the dense conv");
});

Deno.test("TRP training logs one rank per step with finite losses; the nuclear term shrinks ‖W‖_*", () => {
  const rng = Rng.fromSeed(4), a = { c1: 4, c2: 8 };
  const d = randomData(64, rng.split("x"));
  const cfg = { epochs: 2, batch: 16, lr: 0.02, momentum: 0.9, weightDecay: 0 };
  const plain = buildNet(a, { rng: rng.split("init"), dtype: "float64" });
  const trp = buildNet(a, { rng: rng.split("init"), dtype: "float64" });
  trainNet(plain, d, cfg, rng.split("o"));
  const log = trainNet(trp, d, cfg, rng.split("o"), { trp: true, nuclear: 0, energy: 0.9, period: 1 });
  assertEquals(log.trainRank.length, 8);
  assert(log.loss.every(Number.isFinite));
  const nuc = (net: typeof plain) =>
    targetConvs(net).map((c) => {
      const [N, C, k] = c.w.shape;
      return svdOf(c.w.value, N, C * k * k).s.reduce((x, y) => x + y, 0);
    });
  // A strong nuclear weight shrinks the nuclear norm below plain SGD's from the same start.
  const nu = buildNet(a, { rng: rng.split("init"), dtype: "float64" });
  trainNet(nu, d, cfg, rng.split("o"), { trp: false, nuclear: 0.5, energy: 0.9, period: 1 });
  const [p, q] = [nuc(plain), nuc(nu)];
  for (let i = 0; i < p.length; i++) assert(q[i] < p[i], `layer ${i}: ‖W‖_* ${q[i]} with λ vs ${p[i]} without`);
});

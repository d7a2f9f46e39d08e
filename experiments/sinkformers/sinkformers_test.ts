import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { Rng } from "../../lib/math/rng.ts";
import { sinkhornLogits } from "../../lib/math/nn/mod.ts";
import exp, { decayEpochs } from "./mod.ts";
import { buildVit, decaySchedule } from "./vit.ts";

/**
 * The official SinkhornDistance.forward (vit-pytorch/vit_pytorch/sinkhorn.py, ε = 1) in float64, on one T × T
 * matrix of scores `dots`: C = −dots, mu = nu = 1/T, u = v = 0; even steps u ← log mu − lse_j(M) + u, odd steps
 * v ← log nu − lse_i(M) + v, M_ij = −C_ij + u_i + v_j; then attn = exp(M) · T.
 */
function officialSinkhorn(dots: Float64Array, t: number, maxIter: number): Float64Array {
  const u = new Float64Array(t), v = new Float64Array(t), lmu = Math.log(1 / t);
  const M = (i: number, j: number) => dots[i * t + j] + u[i] + v[j];
  const lse = (f: (k: number) => number) => {
    let m = -Infinity, s = 0;
    for (let k = 0; k < t; k++) m = Math.max(m, f(k));
    for (let k = 0; k < t; k++) s += Math.exp(f(k) - m);
    return m + Math.log(s);
  };
  for (let it = 0; it < maxIter; it++) {
    if (it % 2 === 0) {
      const nu = Array.from({ length: t }, (_, i) => lmu - lse((j) => M(i, j)) + u[i]);
      u.set(nu);
    } else {
      const nv = Array.from({ length: t }, (_, j) => lmu - lse((i) => M(i, j)) + v[j]);
      v.set(nv);
    }
  }
  return Float64Array.from({ length: t * t }, (_, q) => Math.exp(M(Math.floor(q / t), q % t)) * t);
}

Deno.test("sinkformers: our log-normalised Sinkhorn equals the official dual-potential form for n_it = 1…6", () => {
  const t = 17, dots = Rng.fromSeed(1).normal(t * t).map((x) => 2 * x);
  for (let n = 1; n <= 6; n++) {
    const l = dots.slice();
    sinkhornLogits(l, t, n);
    const ref = officialSinkhorn(dots, t, n);
    for (let q = 0; q < t * t; q++) assertAlmostEquals(Math.exp(l[q]), ref[q], 1e-12, `n_it=${n} entry ${q}`);
  }
});

Deno.test("sinkformers: the n_it = 1 model's attention is the row softmax of QKᵀ/√d_h (recomputed by hand)", () => {
  const m = buildVit({ patch: 7, dim: 16, dimHead: 8, nIt: 1 }, Rng.fromSeed(2));
  const x = Rng.fromSeed(3).normal(2 * 784).map((v) => Math.fround(v));
  const xs = Float32Array.from(x);
  m.net.forward(xs, 2);
  const { a, t } = m.attn.attention;
  assertEquals(t, 17);
  // Recompute: tokens → LayerNorm → Q, K → softmax rows.
  const tok = m.net.layers[0].forward(xs, 2, m.net.ctx(), false).slice();
  const d = 16, dh = 8, g = m.attn.g.value, b = m.attn.b.value, w = m.attn.wqkv.value;
  for (let s = 0; s < 2; s++) {
    const h = new Float64Array(t * d), q = new Float64Array(t * dh), k = new Float64Array(t * dh);
    for (let i = 0; i < t; i++) {
      const row = Array.from(tok.subarray((s * t + i) * d, (s * t + i + 1) * d));
      const mu = row.reduce((p, c) => p + c, 0) / d, va = row.reduce((p, c) => p + (c - mu) ** 2, 0) / d;
      for (let j = 0; j < d; j++) h[i * d + j] = ((row[j] - mu) / Math.sqrt(va + 1e-5)) * g[j] + b[j];
      for (let c = 0; c < dh; c++) {
        let sq = 0, sk = 0;
        for (let j = 0; j < d; j++) {
          sq += h[i * d + j] * w[j * 3 * dh + c];
          sk += h[i * d + j] * w[j * 3 * dh + dh + c];
        }
        q[i * dh + c] = sq;
        k[i * dh + c] = sk;
      }
    }
    for (let i = 0; i < t; i++) {
      const sc = Array.from({ length: t }, (_, j) => {
        let z = 0;
        for (let c = 0; c < dh; c++) z += q[i * dh + c] * k[j * dh + c];
        return z / Math.sqrt(dh);
      });
      const mx = Math.max(...sc), den = sc.reduce((p, z) => p + Math.exp(z - mx), 0);
      for (let j = 0; j < t; j++) assertAlmostEquals(a[s * t * t + i * t + j], Math.exp(sc[j] - mx) / den, 1e-5);
    }
  }
});

Deno.test("sinkformers: the schedule is the official one at 45 epochs and scales to fewer", () => {
  assertEquals(decayEpochs(45), [34, 40]); // lr ÷ 10 when epoch == 35 and == 41 (1-based)
  assertEquals(decayEpochs(12), [9, 11]);
  const s = decaySchedule(1e-3, [2, 3], 10);
  assertEquals([s(0), s(19), s(20), s(29), s(30)].map((x) => +x.toPrecision(6)), [1e-3, 1e-3, 1e-4, 1e-4, 1e-5]);
});

Deno.test("sinkformers: patches follow 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'", () => {
  const m = buildVit({ patch: 7, dim: 4, dimHead: 2, nIt: 1 }, Rng.fromSeed(4));
  const pe = m.net.layers[0] as unknown as { w: { value: Float32Array }; b: { value: Float32Array } };
  // W picks pixel (p1, p2) = (1, 3) of each patch into output 0; zero bias, class token and positions.
  pe.w.value.fill(0);
  pe.w.value[(1 * 7 + 3) * 4] = 1;
  pe.b.value.fill(0);
  m.net.store.list.filter((p) => p.name.endsWith("cls") || p.name.endsWith("pos")).forEach((p) => p.value.fill(0));
  const img = Float32Array.from({ length: 784 }, (_, i) => i);
  const y = m.net.layers[0].forward(img, 1, m.net.ctx(), false);
  for (let p = 0; p < 16; p++) {
    const ph = Math.floor(p / 4), pw = p % 4;
    assertEquals(y[(p + 1) * 4], (ph * 7 + 1) * 28 + pw * 7 + 3);
  }
});

Deno.test("sinkformers: smoke runs of the three n_it record finite metrics and exact identities", async () => {
  const out = await runMethods(exp, { nTrain: 200, nTest: 100, epochs: 1 });
  for (const method of ["softmax", "sinkhorn3", "sinkhorn5"]) {
    const r = out[method];
    assert((r.test_acc as number) >= 0 && (r.test_acc as number) <= 1, `${method} accuracy`);
    assert((r.row_sum_err as number) < 1e-5, `${method} rows`);
    assert((r.limit_col_dev as number) < 1e-9, `${method} Sinkhorn limit`);
    assertEquals((r.acc_curve as number[]).length, 2);
  }
  // At init the Sinkformer's attention is closer to doubly stochastic than softmax's (same init weights).
  assert((out.sinkhorn5.col_dev_init as number) < (out.softmax.col_dev_init as number));
});

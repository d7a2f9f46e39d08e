import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import {
  attentionStats,
  eluAttention,
  entryVariance,
  ksNormal,
  llnAttention,
  llnCalibrated,
  llnLogVarModel,
  llnMoments,
  normalCdf,
  performerAttention,
  type Qkv,
  softmaxAttention,
} from "./lln.ts";

function randomQkv(n: number, d: number, dv: number, scale: number, seed: number): Qkv {
  const r = Rng.fromSeed(seed);
  return {
    n,
    d,
    dv,
    q: r.split("q").normal(n * d).map((x) => x * scale),
    k: r.split("k").normal(n * d).map((x) => x * scale),
    v: r.split("v").normal(n * dv),
  };
}

Deno.test("linear-lognormal-attention: softmax equals the definition on a small exact case", () => {
  const x: Qkv = {
    n: 2,
    d: 2,
    dv: 1,
    q: Float64Array.of(1, 0, 0, 2),
    k: Float64Array.of(1, 1, -1, 0.5),
    v: Float64Array.of(3, -1),
  };
  const r = softmaxAttention(x), s = 1 / Math.sqrt(2);
  // Row 0 scores (1, −1)/√2, row 1 scores (2, 1)/√2.
  const rows = [[1 * s, -1 * s], [2 * s, 1 * s]];
  rows.forEach((sc, i) => {
    const z = Math.exp(sc[0]) + Math.exp(sc[1]);
    assertAlmostEquals(r.p[i * 2], Math.exp(sc[0]) / z, 1e-15);
    assertAlmostEquals(r.outQuad[i], (3 * Math.exp(sc[0]) - Math.exp(sc[1])) / z, 1e-14);
  });
});

Deno.test("linear-lognormal-attention: LLN and elu+1 equal their kernel definitions; routes agree", () => {
  const x = randomQkv(9, 4, 3, 1.3, 2);
  const lln = llnAttention(x);
  const eluF = (t: number) => (t > 0 ? t + 1 : Math.exp(t));
  const elu = eluAttention(x);
  for (let i = 0; i < x.n; i++) {
    const kl = (j: number) => {
      let s = 0;
      for (let c = 0; c < x.d; c++) s += Math.exp(lln.alpha * x.q[i * x.d + c] + lln.beta * x.k[j * x.d + c]);
      return s;
    };
    const ke = (j: number) => {
      let s = 0;
      for (let c = 0; c < x.d; c++) s += eluF(x.q[i * x.d + c]) * eluF(x.k[j * x.d + c]);
      return s;
    };
    let zl = 0, ze = 0;
    for (let j = 0; j < x.n; j++) (zl += kl(j)), (ze += ke(j));
    for (let j = 0; j < x.n; j++) {
      assertAlmostEquals(lln.p[i * x.n + j], kl(j) / zl, 1e-14, `LLN P[${i},${j}]`);
      assertAlmostEquals(elu.p[i * x.n + j], ke(j) / ze, 1e-14, `elu P[${i},${j}]`);
    }
  }
  for (const r of [lln, elu, llnAttention(x, "fenton-wilkinson")]) {
    for (let i = 0; i < r.outQuad.length; i++) assertAlmostEquals(r.outLinear[i], r.outQuad[i], 1e-13);
  }
});

Deno.test("linear-lognormal-attention: Performer's random-feature attention tends to softmax as m grows", () => {
  const x = randomQkv(24, 8, 2, 0.4, 3), sm = softmaxAttention(x);
  const err = (m: number) => {
    const p = performerAttention(x, m, Rng.fromSeed(4)).p;
    let e = 0, s = 0;
    for (let i = 0; i < p.length; i++) (e += (p[i] - sm.p[i]) ** 2), (s += sm.p[i] ** 2);
    return Math.sqrt(e / s);
  };
  // Monte-Carlo error ∝ 1/√m: 64× the features should cut it about 8×.
  const e256 = err(256), e16k = err(16384);
  assert(e16k < 0.05, `m = 16384: relative error ${e16k}`);
  assert(e16k < e256 / 4, `error falls with m: ${e256} → ${e16k}`);
});

Deno.test("linear-lognormal-attention: the moment matchings hit their targets", () => {
  // Closed form: log(1 + (e^{s²} − 1)e^{s²}/d) = σ_q²σ_k² at s = α·σ_q.
  for (const [sq, sk, d] of [[1, 1, 16], [2, 0.5, 32], [0.5, 0.5, 8]]) {
    const { alpha, beta } = llnMoments(sq, sk, d), s2 = alpha * alpha * sq;
    assertAlmostEquals(beta * beta * sk, s2, 1e-12);
    assertAlmostEquals(Math.log1p((Math.expm1(s2) * Math.exp(s2)) / d), sq * sk, 1e-12);
  }
  // Calibrated: the fixed Monte-Carlo model's LLN log-variance at s equals σ².
  const d = 8, target = 2, { alpha } = llnCalibrated(Math.sqrt(target), Math.sqrt(target), d);
  const s = alpha * Math.sqrt(Math.sqrt(target));
  const model = llnLogVarModel(s, d, Rng.fromSeed(0).split(`lln-calibration-d${d}`));
  assertAlmostEquals(model, target, 1e-6);
});

Deno.test("linear-lognormal-attention: statistics — Φ, KS, and softmax's log-variance is its scores' variance", () => {
  assertAlmostEquals(normalCdf(0), 0.5, 1e-15);
  assertAlmostEquals(normalCdf(1.959963984540054), 0.975, 1e-12);
  assertAlmostEquals(normalCdf(-1), 0.15865525393145707, 1e-12);
  const g = Rng.fromSeed(5).normal(20000);
  assert(ksNormal(g) < 0.015, `KS of a normal sample ${ksNormal(g)}`);
  const u = Float64Array.from({ length: 20000 }, (_, i) => (i + 0.5) / 20000 * 4 - 2);
  assert(ksNormal(u) > 0.05, `KS of a uniform sample ${ksNormal(u)}`);
  // log P_ij = q_i·k_j/√d − log Z_i: the row log-variance is the population variance of the row's scores.
  const x = randomQkv(30, 6, 1, 1, 6), r = softmaxAttention(x), st = attentionStats(r.p, x.n);
  let want = 0;
  for (let i = 0; i < x.n; i++) {
    const row = new Float64Array(x.n);
    for (let j = 0; j < x.n; j++) {
      for (let c = 0; c < x.d; c++) row[j] += x.q[i * x.d + c] * x.k[j * x.d + c] / Math.sqrt(x.d);
    }
    want += entryVariance(row) / x.n;
  }
  assertAlmostEquals(st.logVar, want, 1e-12);
  assert(st.rowSumErr < 1e-14);
  // Uniform rows: entropy log n.
  const n = 5, uni = attentionStats(new Float64Array(n * n).fill(1 / n), n);
  assertAlmostEquals(uni.entropy, Math.log(n), 1e-14);
});

Deno.test("linear-lognormal-attention: module runs every method at a smoke point; identities hold", async () => {
  const out = await runMethods(exp, { sigma2: 2 });
  for (const [m, r] of Object.entries(out)) {
    assert((r.row_sum_err as number) < 1e-12, `${m} row sums`);
    assert((r.route_err as number) < 1e-10, `${m} routes`);
  }
  assertAlmostEquals(out.softmax.log_var_ratio as number, 1, 1e-15);
  assertAlmostEquals(out.softmax.entropy_gap as number, 0, 1e-15);
});

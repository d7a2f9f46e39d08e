import { assert, assertAlmostEquals, assertEquals, assertOrthonormalColumns } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences, spread } from "../../lib/testdata/gradcheck.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { Rng } from "../../lib/math/rng.ts";
import { JsLinalg } from "../../lib/math/linalg/mod.ts";
import { Dense, Sequential } from "../../lib/math/nn/mod.ts";
import exp from "./mod.ts";
import {
  addCondGrad,
  condPenalty,
  layerFactors,
  logAbsDetLu,
  logKoopmanByDet,
  netFactors,
  randomOrthogonal,
  sobolevOrder,
} from "./bounds.ts";
import { SmoothLeaky } from "./net.ts";

const la = new JsLinalg();

function gaussian(d: number, rng: Rng, scale = 1): Float64Array {
  return Float64Array.from(rng.normal(d * d) as Float64Array, (v) => scale * v);
}

Deno.test("layer factors of a diagonal matrix are the closed forms", () => {
  const sv = [3, 2, 0.5, 0.25], d = 4, w = new Float64Array(16);
  sv.forEach((v, i) => (w[i * d + i] = i % 2 ? -v : v));
  const s = sobolevOrder(d), f = layerFactors(w, d, la);
  assertEquals(s, 3);
  const logDet = sv.reduce((a, v) => a + Math.log(v), 0);
  assertAlmostEquals(f.logKoop, s * Math.log(3) - 0.5 * logDet, 1e-12);
  assertAlmostEquals(f.logSpec, Math.log(3), 1e-12);
  assertAlmostEquals(f.logFrob, 0.5 * Math.log(9 + 4 + 0.25 + 0.0625), 1e-12);
  assertAlmostEquals(f.logKappa, Math.log(12), 1e-12);
  // ‖W‖ < 1: the max(1, ‖W‖)^s part is 1, only the determinant counts.
  const small = w.map((v) => v / 4);
  assertAlmostEquals(layerFactors(small, d, la).logKoop, -0.5 * (logDet - 4 * Math.log(4)), 1e-12);
});

Deno.test("Sobolev order is the smallest integer above d/2", () => {
  assertEquals([1, 2, 16, 49, 196].map(sobolevOrder), [1, 2, 9, 25, 99]);
});

Deno.test("orthogonal weights: Koopman factor 1 at every width, Frobenius product d^{L/2}", () => {
  const rng = Rng.fromSeed(3);
  for (const d of [4, 16, 49]) {
    const q = randomOrthogonal(d, () => rng.normal(), la);
    assertOrthonormalColumns(q, d, d, 1e-12);
    const f = netFactors([q, q, q], d, la);
    assertAlmostEquals(f.logKoop, 0, 1e-10, `d=${d}`);
    assertAlmostEquals(f.logSpec, 0, 1e-12);
    assertAlmostEquals(f.logFrob, 1.5 * Math.log(d), 1e-12);
  }
});

Deno.test("two routes: SVD vs LU determinant, SVD vs eigh + LU Koopman factor", () => {
  const rng = Rng.fromSeed(7);
  for (const d of [5, 16, 49]) {
    const w = gaussian(d, rng, 1 / Math.sqrt(d));
    const f = layerFactors(w, d, la);
    assertAlmostEquals(f.logDetSvd, logAbsDetLu(w, d), 1e-10 * Math.max(1, Math.abs(f.logDetSvd)));
    assertAlmostEquals(f.logKoop, logKoopmanByDet(w, d, la), 1e-10 * Math.max(1, Math.abs(f.logKoop)));
    const n = netFactors([w], d, la);
    assert(n.detRouteErr < 1e-12 && n.koopRouteErr < 1e-12, JSON.stringify(n));
  }
});

Deno.test("log|det| by LU on a permuted triangular matrix with known determinant", () => {
  // rows of an upper-triangular matrix with diagonal 2, −3, 0.5 in another order: |det| = 3.
  const w = [0, -3, 1, 2, 4, 5, 0, 0, 0.5];
  assertAlmostEquals(logAbsDetLu(w, 3), Math.log(3), 1e-14);
});

Deno.test("regulariser gradient matches central differences; R ≥ 0, = 0 at scaled orthogonal, ≤ log κ²", () => {
  const rng = Rng.fromSeed(11), d = 6;
  const w = gaussian(d, rng, 0.5), grad = new Float64Array(d * d);
  const pen = addCondGrad(w, grad, d, 2, la);
  assertAlmostEquals(pen, 2 * condPenalty(w, d), 1e-12);
  assertCentralDifferences(() => 2 * condPenalty(w, d), w, grad.slice(), { tol: 1e-6, label: "W" });
  const f = layerFactors(w, d, la);
  const r = condPenalty(w, d);
  assert(r > 0 && r <= 2 * f.logKappa + 1e-12, `0 < R = ${r} ≤ log κ² = ${2 * f.logKappa}`);
  const q = randomOrthogonal(d, () => rng.normal(), la).map((v) => 2.5 * v);
  assertAlmostEquals(condPenalty(q, d), 0, 1e-12);
});

Deno.test("Koopman operator norm bound: ‖f∘W‖_{H^s} ≤ max(1, ‖W‖)^s/√|det W| ‖f‖_{H^s} for Gaussians in 2-D", () => {
  // f(x) = exp(−|x|²/2): f̂(ω) ∝ exp(−|ω|²/2); f∘W(x) = exp(−xᵀMx/2), M = WᵀW: its transform ∝ |det W|⁻¹
  // exp(−ωᵀM⁻¹ω/2) (same constant). Sobolev norms by a midpoint rule on [−L, L]², s = 2 (> d/2 = 1).
  const s = 2, L = 40, n = 800, h = (2 * L) / n;
  const norm2 = (minv: number[], scale: number) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const a = -L + (i + 0.5) * h;
      for (let j = 0; j < n; j++) {
        const b = -L + (j + 0.5) * h;
        const q = minv[0] * a * a + 2 * minv[1] * a * b + minv[3] * b * b;
        acc += scale * Math.exp(-q) * (1 + a * a + b * b) ** s;
      }
    }
    return acc * h * h;
  };
  const base = norm2([1, 0, 0, 1], 1);
  for (const w of [[1.5, 0.3, -0.2, 0.8], [0.4, 0.1, 0, 0.3], [2, 0, 0, 2], [1, 0, 0, 1]]) {
    const det = w[0] * w[3] - w[1] * w[2];
    const m = [w[0] * w[0] + w[2] * w[2], w[0] * w[1] + w[2] * w[3], 0, w[1] * w[1] + w[3] * w[3]];
    m[2] = m[1];
    const md = m[0] * m[3] - m[1] * m[2], minv = [m[3] / md, -m[1] / md, -m[2] / md, m[0] / md];
    const ratio = Math.sqrt(norm2(minv, 1 / (det * det)) / base);
    const opNorm = Math.exp(layerFactors(w, 2, la, s).logSpec);
    const bound = Math.max(1, opNorm) ** s / Math.sqrt(Math.abs(det));
    assert(ratio <= bound * (1 + 1e-9), `W=${w}: ratio ${ratio} > bound ${bound}`);
    if (w[0] === 1 && w[3] === 1) assertAlmostEquals(ratio, 1, 1e-9); // the identity is an isometry
  }
});

Deno.test("smooth leaky unit: value, monotone slope in (a, 1), gradients by central differences", () => {
  const rng = Rng.fromSeed(5), d = 4, batch = 3;
  const net = new Sequential([new Dense(d), new SmoothLeaky(0.1), new Dense(2)], [d], { rng, dtype: "float64" });
  const x = rng.normal(batch * d) as Float64Array, y = new Int32Array([0, 1, 1]);
  net.lossAndGrad(x, y, batch);
  const grad = net.store.grad.slice();
  assertCentralDifferences(() => net.loss(x, y, batch), net.store.value, grad, {
    indices: spread(net.store.size, 20),
    tol: 1e-6,
    label: "θ",
  });
  const act = new SmoothLeaky(0.1), ctx = net.ctx();
  const out = act.forward(Float64Array.from([-30, 0, 30]), 1, ctx);
  assertAlmostEquals(out[0], -3, 1e-9);
  assertAlmostEquals(out[1], 0.9 * Math.LN2, 1e-15);
  assertAlmostEquals(out[2], 30, 1e-9);
});

Deno.test("smoke: both methods run; routes agree; orthogonal factor is 1", async () => {
  const runs = (await runSmokePoints(exp)).filter((r) => !r.run.skip);
  assertEquals(runs.map((r) => r.run.method).sort(), ["mlp", "mlp", "orthogonal"]);
  for (const { run, m } of runs) {
    assert(m.det_route_err < 1e-9 && m.koop_route_err < 1e-9, JSON.stringify(m));
    if (run.method === "orthogonal") assert(m.abs_log_koop < 1e-9, `${m.abs_log_koop}`);
    else {
      assert(Number.isFinite(m.log_koop) && Number.isFinite(m.gap_ce), JSON.stringify(m));
      if (run.config.lambda === 0) assert(m.test_acc > 0.3, `unregularised smoke net learns: ${m.test_acc}`);
    }
  }
});

import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { addTime, sigDim, sigMul, signature } from "./signature.ts";
import { conformance, fitVarianceNorm, varianceNorm } from "./varnorm.ts";
import { reparametrise } from "./data.ts";
import exp from "./mod.ts";

function randomStream(rng: Rng, len: number, d: number): Float64Array {
  const x = new Float64Array(len * d);
  for (let k = 1; k < len; k++) for (let c = 0; c < d; c++) x[k * d + c] = x[(k - 1) * d + c] + rng.normal();
  return x;
}

Deno.test("signature: level 1 is the increment, level 2 of a 2-segment path by hand", () => {
  // path (0,0) → (1,0) → (1,1): S¹ = (1,1); S²: ∫∫dx dx = 1/2, dx dy = 1, dy dx = 0, dy dy = 1/2
  const s = signature(Float64Array.from([0, 0, 1, 0, 1, 1]), 3, 2, 2);
  const want = [1, 1, 0.5, 1, 0, 0.5];
  for (let i = 0; i < 6; i++) assertAlmostEquals(s[i], want[i], 1e-15);
  assert(sigDim(3, 4) === 120);
});

Deno.test("signature: Chen's identity on random 3-channel streams, levels 1–4", () => {
  const rng = Rng.fromSeed(1);
  for (const depth of [1, 2, 3, 4]) {
    const x = randomStream(rng, 12, 3);
    const whole = signature(x, 12, 3, depth);
    const ab = sigMul(signature(x.subarray(0, 15), 5, 3, depth), signature(x.subarray(12), 8, 3, depth), 3, depth);
    for (let i = 0; i < whole.length; i++) assertAlmostEquals(ab[i], whole[i], 1e-11 * (1 + Math.abs(whole[i])));
  }
});

Deno.test("signature: a straight line's signature is exp of its increment; symmetric part is ½(ΔΔ)", () => {
  const delta = [0.3, -1.2, 2];
  const line = new Float64Array(4 * 3);
  for (let k = 0; k < 4; k++) for (let c = 0; c < 3; c++) line[k * 3 + c] = (k / 3) * delta[c];
  const s = signature(line, 4, 3, 3);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      assertAlmostEquals(s[3 + i * 3 + j], delta[i] * delta[j] / 2, 1e-14);
      for (let k = 0; k < 3; k++) {
        assertAlmostEquals(s[12 + i * 9 + j * 3 + k], delta[i] * delta[j] * delta[k] / 6, 1e-14);
      }
    }
  }
  // any path: S²_ij + S²_ji = Δ_i Δ_j (shuffle identity)
  const x = randomStream(Rng.fromSeed(2), 9, 3), t = signature(x, 9, 3, 2);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) assertAlmostEquals(t[3 + i * 3 + j] + t[3 + j * 3 + i], t[i] * t[j], 1e-12);
  }
});

Deno.test("signature: invariant under reparametrisation (extra points, pauses), not with time added", () => {
  const rng = Rng.fromSeed(3), x = randomStream(rng, 10, 2);
  const r = reparametrise({ x, len: 10 }, 2, rng);
  assert(r.len > 10);
  const a = signature(x, 10, 2, 4), b = signature(r.x, r.len, 2, 4);
  for (let i = 0; i < a.length; i++) assertAlmostEquals(b[i], a[i], 1e-11 * (1 + Math.abs(a[i])));
  const at = signature(addTime(x, 10, 2), 10, 3, 2), bt = signature(addTime(r.x, r.len, 2), r.len, 3, 2);
  let gap = 0;
  for (let i = 0; i < at.length; i++) gap = Math.max(gap, Math.abs(at[i] - bt[i]));
  assert(gap > 1e-6, "time augmentation should see the reparametrisation");
});

Deno.test("variance norm: Mahalanobis distance for a full-rank corpus; invariant to invertible linear maps", () => {
  const rng = Rng.fromSeed(4), n = 200, d = 4, la = getLinalg();
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = rng.normal(4);
    x[i * d] = z[0], x[i * d + 1] = z[0] + z[1], x[i * d + 2] = 3 * z[2], x[i * d + 3] = z[3] - z[1];
  }
  const vn = fitVarianceNorm(x, n, d, la);
  assert(vn.rank === d);
  // reference: yᵀ (XcᵀXc)⁻¹ y by solving with the covariance
  const mu = vn.mu, c = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) c[a * d + b] += (x[i * d + a] - mu[a]) * (x[i * d + b] - mu[b]);
    }
  }
  const y = Float64Array.from([0.5, -1, 2, 0.3]);
  const sol = la.solve({ rows: d, cols: d, data: c }, { rows: d, cols: 1, data: y.slice() }).data;
  let q = 0;
  for (let a = 0; a < d; a++) q += y[a] * sol[a];
  assertAlmostEquals(varianceNorm(vn, y), Math.sqrt(q), 1e-10);
  // invertible map A (rows of x ↦ rows of x·A): norms and conformance scores unchanged
  const A = [2, 0, 1, 0, 0, 0.01, 0, 0, 1, 1, 50, 0, 0, 0, 0, -3];
  const mapRows = (v: Float64Array, m: number) => {
    const o = new Float64Array(m * d);
    for (let i = 0; i < m; i++) {
      for (let b = 0; b < d; b++) for (let a = 0; a < d; a++) o[i * d + b] += v[i * d + a] * A[a * d + b];
    }
    return o;
  };
  const xa = mapRows(x, n), vna = fitVarianceNorm(xa, n, d, la);
  assertAlmostEquals(varianceNorm(vna, mapRows(y, 1)), varianceNorm(vn, y), 1e-8);
  const test = new Float64Array(10 * d).map(() => rng.normal());
  const s1 = conformance(vn, x, n, test, 10), s2 = conformance(vna, xa, n, mapRows(test, 10), 10);
  for (let i = 0; i < 10; i++) assertAlmostEquals(s2[i], s1[i], 1e-8 * (1 + s1[i]));
});

Deno.test("variance norm: a direction the corpus never varies in has norm ∞", () => {
  const rng = Rng.fromSeed(5), n = 50, d = 3, x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) x[i * d] = rng.normal(), x[i * d + 1] = rng.normal(), x[i * d + 2] = 1;
  const vn = fitVarianceNorm(x, n, d, getLinalg());
  assert(vn.rank === 2);
  assert(varianceNorm(vn, Float64Array.from([0, 0, 1])) === Infinity);
  assert(Number.isFinite(varianceNorm(vn, Float64Array.from([1, 1, 0]))));
});

Deno.test("smoke: every method runs, AUC in [0, 1], identities hold, SigMahaKNN unit-invariant", async () => {
  const runs = await runSmokePoints(exp, (p) => p.depth === 2);
  assert(runs.length === 12);
  for (const r of runs) {
    assert(r.m.auc >= 0 && r.m.auc <= 1, `${r.run.method} auc ${r.m.auc}`);
    if (r.run.method.startsWith("sigmahaknn")) assert(r.m.auc_units_delta < 1e-3, `${r.run.method} units`);
    if (r.run.method === "sigmahaknn") assert(r.m.chen_err < 1e-12 && r.m.line_err < 1e-12);
    if (r.run.method === "sigmahaknn_notime") assert(r.m.auc_reparam_delta < 1e-3);
  }
});

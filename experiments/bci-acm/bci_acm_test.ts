import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { aiDistance, type Spd, wishart } from "../../lib/math/spd/mod.ts";
import {
  accuracy,
  augment,
  covariance,
  covariances,
  fitLogistic,
  fitMdm,
  predictLogistic,
  predictMdm,
  tangentSpace,
} from "./acm.ts";
import { makeTrials } from "./data.ts";

const la = getLinalg("js");

Deno.test("augment follows moabb AugmentedDataset: order 1 is the trial, order 2 stacks X[:, :T−2τ] over X[:, τ:T−τ]", () => {
  // C = 2, T = 6: rows [0..5] and [10..15]
  const x = Float64Array.from([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
  assertEquals(augment(x, 2, 6, 1, 3).z, x);
  const { z, n } = augment(x, 2, 6, 2, 1);
  assertEquals(n, 4);
  assertEquals(Array.from(z), [0, 1, 2, 3, 10, 11, 12, 13, 1, 2, 3, 4, 11, 12, 13, 14]);
  const a3 = augment(x, 2, 6, 3, 1); // blocks k = 0, 1, 2: X[:, k : k + 3]
  assertEquals(a3.n, 3);
  assertEquals(Array.from(a3.z.subarray(12)), [2, 3, 4, 12, 13, 14]);
});

Deno.test("covariance is numpy.cov (mean removed, n − 1); the ACM's off-diagonal block is the lagged covariance", () => {
  const c = covariance(Float64Array.from([1, 2, 3, 4, 2, 4, 6, 9]), 2, 4);
  assertAlmostEquals(c.data[0], 5 / 3, 1e-14); // var(1,2,3,4)
  assertAlmostEquals(c.data[1], (-1.5 * -3.25 + -0.5 * -1.25 + 0.5 * 0.75 + 1.5 * 3.75) / 3, 1e-14);
  const rng = Rng.fromSeed(4), t = 50, ch = 3, lag = 2;
  const x = Float64Array.from({ length: ch * t }, () => rng.normal() as number);
  const [acm] = covariances([x], ch, t, 2, lag), n = t - 2 * lag, d = 2 * ch;
  for (let i = 0; i < ch; i++) {
    for (let j = 0; j < ch; j++) {
      let mi = 0, mj = 0;
      for (let k = 0; k < n; k++) {
        mi += x[i * t + k] / n;
        mj += x[j * t + lag + k] / n;
      }
      let s = 0;
      for (let k = 0; k < n; k++) s += (x[i * t + k] - mi) * (x[j * t + lag + k] - mj);
      assertAlmostEquals(acm.data[i * d + ch + j], s / (n - 1), 1e-12);
    }
  }
});

Deno.test("tangent vectors: zero at the reference, and their norm is the AI distance to it", () => {
  const rng = Rng.fromSeed(2), xs = wishart(rng, { d: 4, df: 10, n: 4 });
  const v = tangentSpace(xs[0], xs, la);
  for (const e of v[0]) assertAlmostEquals(e, 0, 1e-10);
  for (let i = 1; i < 4; i++) {
    assertAlmostEquals(Math.hypot(...v[i]), aiDistance(xs[0], xs[i], la), 1e-9);
  }
});

Deno.test("MDM separates two Wishart clouds and is invariant to a congruence of all matrices", () => {
  const rng = Rng.fromSeed(7);
  const s1 = mat(3, 3, Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]));
  const s2 = mat(3, 3, Float64Array.from([3, 0.5, 0, 0.5, 1, 0, 0, 0, 0.3]));
  const draw = (s: Spd, n: number) => wishart(rng, { d: 3, df: 30, n, scale: s });
  const tr = [...draw(s1, 20), ...draw(s2, 20)], te = [...draw(s1, 20), ...draw(s2, 20)];
  const y = Int32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1));
  const pred = predictMdm(fitMdm(tr, y, la), te, la);
  assert(accuracy(pred, y) >= 0.95, `accuracy ${accuracy(pred, y)}`);
  const g = [1, 0.4, 0, -0.3, 2, 0.2, 0.1, 0, 0.7];
  const cong = (x: Spd): Spd => {
    const o = new Float64Array(9);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s += g[i * 3 + a] * x.data[a * 3 + b] * g[j * 3 + b];
        o[i * 3 + j] = s;
      }
    }
    return mat(3, 3, o);
  };
  const pred2 = predictMdm(fitMdm(tr.map(cong), y, la), te.map(cong), la);
  assertEquals(Array.from(pred2), Array.from(pred));
});

Deno.test("logistic regression: the gradient of ½‖w‖² + C·Σ log-loss vanishes at the solution", () => {
  const rng = Rng.fromSeed(3), n = 60, p = 5, cReg = 10;
  const v = Array.from({ length: n }, () => Float64Array.from({ length: p }, () => rng.normal() as number));
  const y = Int32Array.from(v, (vi) => (vi[0] + 0.5 * vi[1] + 0.3 * (rng.normal() as number) > 0 ? 1 : 0));
  const m = fitLogistic(v, y, cReg);
  const g = Array.from(m.w), gb = { v: 0 };
  for (let i = 0; i < n; i++) {
    const yi = y[i] === 1 ? 1 : -1;
    let z = m.b;
    for (let k = 0; k < p; k++) z += m.w[k] * v[i][k];
    const s = -cReg * yi / (1 + Math.exp(yi * z));
    for (let k = 0; k < p; k++) g[k] += s * v[i][k];
    gb.v += s;
  }
  for (const e of g) assertAlmostEquals(e, 0, 1e-6);
  assertAlmostEquals(gb.v, 0, 1e-6);
  assert(accuracy(predictLogistic(m, v), y) > 0.85);
});

Deno.test("generator: equal zero-lag covariance across classes, different lag-1 covariance", () => {
  const d = makeTrials(
    { channels: 3, samples: 4000, nTrain: 30, nTest: 1, rho: 0.5, gainSd: 0, noiseSd: 0.1, covShift: 0 },
    Rng.fromSeed(11),
  );
  const mean = (cls: number, order: number, lag: number) => {
    const cs = covariances(d.train.x.filter((_, i) => d.train.y[i] === cls), 3, 4000, order, lag);
    const dim = cs[0].rows, m = new Float64Array(dim * dim);
    for (const c of cs) for (let k = 0; k < m.length; k++) m[k] += c.data[k] / cs.length;
    return m;
  };
  const z0 = mean(0, 1, 1), z1 = mean(1, 1, 1);
  for (let k = 0; k < 9; k++) assertAlmostEquals(z0[k], z1[k], 0.05);
  const a0 = mean(0, 2, 1), a1 = mean(1, 2, 1);
  let diff = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) diff = Math.max(diff, Math.abs(a0[i * 6 + 3 + j] - a1[i * 6 + 3 + j]));
  }
  assert(diff > 0.2, `lag-1 blocks differ by only ${diff}`);
});

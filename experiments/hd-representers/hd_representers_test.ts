/**
 * Tests for hd-representers: the ℓ1-logistic objective's gradient against central differences, the solver against
 * its optimality conditions, each representer decomposition against the prediction (ℓ1 and nuclear norm), the
 * influence function against the leave-one-out change it approximates, TracIn and the ℓ2 representer against
 * their closed forms, and the smoke pipeline end to end.
 */
import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { type Design, fitL1Logistic, istaCheckpoints, lossGradient, margins, objective } from "./l1logistic.ts";
import { hdRepresenter, influenceActiveSet, l2Representer, support, tracIn } from "./scorers.ts";
import { incidence, mcRepresenter, type Ratings, softImpute } from "./mc.ts";
import { rankDescending } from "./deletion.ts";
import exp from "./mod.ts";

function toy(seed: number, n = 80, d = 12): Design {
  const rng = Rng.fromSeed(seed), x = rng.normal(n * d), star = new Float64Array(d);
  star[0] = 2, star[3] = -1.5, star[7] = 1;
  const t = margins({ x, y: new Float64Array(n), n, d }, star);
  return { x, y: t.map((ti) => (rng.uniform() < 1 / (1 + Math.exp(-ti)) ? 1 : 0)), n, d };
}

Deno.test("lossGradient matches central differences of the smooth part of F", () => {
  const ds = toy(1), c = 0.7, theta = Rng.fromSeed(2).normal(ds.d);
  const l1 = () => theta.reduce((a, b) => a + Math.abs(b), 0);
  assertCentralDifferences(() => objective(ds, theta, c) - l1(), theta, lossGradient(ds, theta, c), {
    h: 1e-6,
    tol: 1e-6,
    label: "θ",
  });
});

Deno.test("fitL1Logistic reaches the KKT conditions, is sparse, and beats nearby points", () => {
  const ds = toy(3), c = 0.3, fit = fitL1Logistic(ds, c, { tol: 1e-10 });
  assert(fit.kkt < 1e-10, `KKT violation ${fit.kkt}`);
  const s = support(fit.theta);
  assert(s.length > 0 && s.length < ds.d, `support size ${s.length} of ${ds.d}`);
  const f = objective(ds, fit.theta, c), rng = Rng.fromSeed(4);
  for (let r = 0; r < 20; r++) {
    const p = fit.theta.map((v) => v + 1e-3 * rng.normal());
    assert(objective(ds, p, c) >= f - 1e-12, "a perturbed point has a lower objective");
  }
  const warm = fitL1Logistic(ds, c, { tol: 1e-10, init: fit.theta.map((v) => v * 0.5) });
  for (let k = 0; k < ds.d; k++) assertAlmostEquals(warm.theta[k], fit.theta[k], 1e-8, `warm start θ[${k}]`);
});

Deno.test("ℓ1 representer terms sum to the prediction θ̂ᵀx (the representer theorem)", () => {
  const ds = toy(5), c = 0.5, fit = fitL1Logistic(ds, c, { tol: 1e-12 });
  const m = 6, q = { x: Rng.fromSeed(6).normal(m * ds.d), m };
  const sc = hdRepresenter(ds, q, fit.theta, c),
    f = margins({ x: q.x, y: new Float64Array(m), n: m, d: ds.d }, fit.theta);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < ds.n; i++) s += sc[i * m + j];
    assertAlmostEquals(s, f[j], 1e-9 * Math.max(1, Math.abs(f[j])), `Σ representers for test ${j}`);
  }
});

Deno.test("influence on the active set predicts the leave-one-out change of the prediction", () => {
  const ds = toy(7, 200, 8), c = 1, fit = fitL1Logistic(ds, c, { tol: 1e-12 });
  const q = { x: Rng.fromSeed(8).normal(ds.d), m: 1 };
  const inf = influenceActiveSet(ds, q, fit.theta, c);
  const f0 = margins({ x: q.x, y: new Float64Array(1), n: 1, d: ds.d }, fit.theta)[0];
  // Removing point i changes the prediction by ≈ −(its influence) when the support does not change.
  let agree = 0, checked = 0;
  for (const i of [0, 17, 42, 99, 150]) {
    const keep = Array.from({ length: ds.n }, (_, k) => k).filter((k) => k !== i);
    const sub: Design = {
      x: Float64Array.from(keep.flatMap((k) => Array.from(ds.x.subarray(k * ds.d, (k + 1) * ds.d)))),
      y: Float64Array.from(keep, (k) => ds.y[k]),
      n: keep.length,
      d: ds.d,
    };
    const refit = fitL1Logistic(sub, c, { tol: 1e-12, init: fit.theta });
    if (support(refit.theta).join() !== support(fit.theta).join()) continue;
    checked++;
    const f1 = margins({ x: q.x, y: new Float64Array(1), n: 1, d: ds.d }, refit.theta)[0];
    const actual = f1 - f0, predicted = -inf[i];
    if (Math.abs(actual - predicted) <= 0.1 * Math.abs(actual) + 1e-6) agree++;
  }
  assert(checked >= 3 && agree === checked, `influence matched ${agree} of ${checked} leave-one-out changes`);
});

Deno.test("TracIn over one checkpoint is η times the ℓ2 representer at that point", () => {
  const ds = toy(9), c = 0.5, m = 3, q = { x: Rng.fromSeed(10).normal(m * ds.d), m };
  const [cp] = istaCheckpoints(ds, c, { steps: 5, every: 5 });
  const a = tracIn(ds, q, [cp], c), b = l2Representer(ds, q, cp.theta, c);
  for (let k = 0; k < a.length; k++) assertAlmostEquals(a[k], cp.eta * b[k], 1e-12 * (1 + Math.abs(a[k])), "entry");
});

Deno.test("nuclear-norm representers: item-based and user-based sums both equal Ẑ_ut", () => {
  const rng = Rng.fromSeed(11), nu = 20, ni = 15, u: number[] = [], i: number[] = [], r: number[] = [];
  const us = rng.normal(nu * 2), vs = rng.normal(ni * 2);
  for (let a = 0; a < nu; a++) {
    for (let b = 0; b < ni; b++) {
      if (rng.uniform() > 0.5) continue;
      u.push(a), i.push(b), r.push(us[2 * a] * vs[2 * b] + us[2 * a + 1] * vs[2 * b + 1] + 0.1 * rng.normal());
    }
  }
  const data: Ratings = { nu, ni, u: Int32Array.from(u), i: Int32Array.from(i), r: Float64Array.from(r) };
  const lambda = 1.5, fit = softImpute(getLinalg(), data, lambda, { tol: 1e-13 });
  assert(fit.rank > 0 && fit.rank < Math.min(nu, ni), `rank ${fit.rank}`);
  const inc = incidence(data);
  for (const [a, b] of [[0, 0], [3, 7], [19, 14]]) {
    const e = mcRepresenter(data, fit, lambda, inc, a, b), z = fit.z[a * ni + b];
    assertAlmostEquals(e.rowScore.reduce((x, y) => x + y, 0), z, 1e-8, `item-based sum at (${a}, ${b})`);
    assertAlmostEquals(e.colScore.reduce((x, y) => x + y, 0), z, 1e-8, `user-based sum at (${a}, ${b})`);
  }
});

Deno.test("rankDescending orders by score, ties by index", () => {
  assert(rankDescending([0.1, 0.5, 0.5, -1], [0, 1, 2, 3]).join() === "1,2,0,3");
});

Deno.test("smoke pipeline: every run finishes with finite deletion metrics and an exact decomposition", async () => {
  const runs = await runSmokePoints(exp, (p) => p.dataset === "breast_cancer");
  assert(runs.length === 5, `${runs.length} runs`);
  for (const { run, m } of runs) {
    assert(Number.isFinite(m.auc_del_pos) && Number.isFinite(m.auc_del_neg), `${run.method}: AUC-DEL finite`);
    if (run.method === "hd_rep") assert(m.rep_residual < 1e-7, `residual ${m.rep_residual}`);
  }
});

/**
 * Tests for rtbf-recourse: the models' ∂f/∂θ and ∂f/∂x and the training gradient against central differences;
 * Newton training to the logistic optimum; the influence direction of one deletion against exact retraining on a
 * small problem; the worst-k selection; SCFE against the closed-form minimal counterfactual of a linear model, and
 * RR-CFE's counterfactual valid on both models it guards; one smoke point of each method through the harness.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { Rng } from "../../lib/math/rng.ts";
import { forward, gradAndGaussNewton, initParams, makeNet, objective, type Rows, train } from "./model.ts";
import {
  deletedParams,
  influenceDirections,
  linearProjection,
  logitInfluence,
  scfe,
  type ScfeOptions,
  worstDeletions,
} from "./recourse.ts";
import exp from "./mod.ts";

/** A small separable-ish problem: y = 1 when a noisy linear score is positive. */
function toy(n: number, d: number, seed: number): Rows {
  const rng = Rng.fromSeed(seed), x = rng.normal(n * d) as Float64Array, y = new Uint8Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i * d] - 0.5 * x[i * d + 1] + 0.7 * (rng.normal() as number) > 0 ? 1 : 0;
  return { x, y, n };
}

const OPTS: ScfeOptions = { target: 0, lambda: 2.5, step: 2, lr: 0.5, maxIter: 20000, iterPerOpt: 10, tol: 1e-5 };

Deno.test("model: ∂f/∂θ and ∂f/∂x match central differences (lr and mlp)", () => {
  const rng = Rng.fromSeed(1), d = 5;
  for (const net of [makeNet("lr", d, 0), makeNet("mlp", d, 3)]) {
    const theta = Float64Array.from(rng.normal(net.p) as Float64Array, (v) => 0.7 * v);
    const x = rng.normal(d) as Float64Array, gT = new Float64Array(net.p), gX = new Float64Array(d);
    forward(net, theta, x, 0, gT, gX);
    assertCentralDifferences(() => forward(net, theta, x, 0), theta, gT.slice(), { label: `${net.kind} θ`, tol: 1e-7 });
    assertCentralDifferences(() => forward(net, theta, x, 0), x, gX.slice(), { label: `${net.kind} x`, tol: 1e-7 });
  }
});

Deno.test("model: ∇L of the training objective matches central differences, with rows deleted", () => {
  const rows = toy(40, 4, 2), net = makeNet("mlp", 4, 3), theta = initParams(net, Rng.fromSeed(3));
  const keep = new Uint8Array(40).fill(1);
  keep[3] = keep[17] = 0;
  const kept = { ...rows, keep }, l2 = 0.01;
  const { grad, loss } = gradAndGaussNewton(net, theta, kept, l2);
  assertAlmostEquals(loss, objective(net, theta, kept, l2), 1e-14);
  assertCentralDifferences(() => objective(net, theta, kept, l2), theta, grad.slice(), { label: "θ", tol: 1e-7 });
});

Deno.test("model: Newton training reaches the logistic optimum (∇L = 0) and the MLP a stationary point", () => {
  const rows = toy(120, 4, 4);
  const lr = train(makeNet("lr", 4, 0), new Float64Array(5), rows, { l2: 1e-3, tol: 1e-12, maxIter: 50 });
  assert(lr.gradNorm <= 1e-12 && lr.iters < 20, `lr: ‖∇L‖ ${lr.gradNorm} after ${lr.iters} steps`);
  const net = makeNet("mlp", 4, 3);
  const mlp = train(net, initParams(net, Rng.fromSeed(5)), rows, { l2: 1e-3, tol: 1e-8, maxIter: 300 });
  assert(mlp.gradNorm <= 1e-8, `mlp: ‖∇L‖ ${mlp.gradNorm} after ${mlp.iters} steps`);
});

Deno.test("influence: one deletion's first-order change of θ matches exact retraining (lr, O(1/n²) error)", () => {
  const rows = toy(400, 3, 6), net = makeNet("lr", 3, 0), l2 = 1e-2, o = { l2, tol: 1e-13, maxIter: 50 };
  const theta = train(net, new Float64Array(4), rows, o).theta;
  const v = influenceDirections(net, theta, rows, l2, 0); // undamped: the exact Hessian
  for (const i of [0, 11, 250]) {
    const keep = new Uint8Array(rows.n).fill(1);
    keep[i] = 0;
    // The step is O(1/n); the first-order error O(1/n²), a few per cent of it here.
    const exact = train(net, theta, { ...rows, keep }, o).theta, approx = deletedParams(theta, v, rows.n, 4, [i]);
    for (let j = 0; j < 4; j++) {
      const step = exact[j] - theta[j];
      assertAlmostEquals(approx[j] - theta[j], step, 0.05 * Math.abs(step) + 1e-5, `row ${i}, θ[${j}]`);
    }
  }
});

Deno.test("influence: Aᵢ(z) is n·∂f(z) of deleting i to first order, and the worst k are the k smallest", () => {
  const rows = toy(60, 3, 7), net = makeNet("lr", 3, 0), l2 = 1e-2;
  const theta = train(net, new Float64Array(4), rows, { l2, tol: 1e-13, maxIter: 50 }).theta;
  const v = influenceDirections(net, theta, rows, l2, 0.01), z = new Float64Array([0.3, -1, 2]);
  const a = logitInfluence(net, theta, v, rows.n, z);
  const th1 = deletedParams(theta, v, rows.n, 4, [5, 9]);
  assertAlmostEquals(forward(net, th1, z, 0) - forward(net, theta, z, 0), (a[5] + a[9]) / rows.n, 1e-12);
  assertEquals(worstDeletions([3, -1, 0.5, -7, -1], 3), [3, 1, 4]);
  assertEquals(worstDeletions([3, -1], 0), []);
});

Deno.test("scfe: on a linear model it finds nearly the minimal counterfactual (the projection), within 10%", () => {
  const net = makeNet("lr", 4, 0), theta = new Float64Array([1.5, -0.5, 0.25, 2, -1]);
  const rng = Rng.fromSeed(8);
  for (let t = 0; t < 5; t++) {
    const x = Float64Array.from(rng.normal(4) as Float64Array, (v) => v - 1.2);
    if (forward(net, theta, x, 0) >= 0) continue;
    const r = scfe(net, [theta], x, OPTS), best = linearProjection(theta.subarray(0, 4), theta[4], x, 0);
    let dBest = 0;
    for (let j = 0; j < 4; j++) dBest += (best[j] - x[j]) ** 2;
    assert(r.cf !== null && forward(net, theta, r.cf, 0) >= 0, "a valid counterfactual");
    assert(r.cost >= Math.sqrt(dBest) - 1e-12, `no valid point is nearer than the projection`);
    // The official search keeps the nearest valid Adam iterate: a little past the boundary (here ≤ 10%).
    assertAlmostEquals(r.cost, Math.sqrt(dBest), 0.1 * Math.sqrt(dBest), `case ${t}`);
  }
});

Deno.test("rr-cfe: the counterfactual is valid on the worst-case model and the original, and costs more", () => {
  const rows = toy(80, 3, 9), net = makeNet("lr", 3, 0), l2 = 1e-3;
  const theta = train(net, new Float64Array(4), rows, { l2, tol: 1e-12, maxIter: 50 }).theta;
  const v = influenceDirections(net, theta, rows, l2, 0.01);
  const x = new Float64Array([-1.5, 1, 0]);
  assert(forward(net, theta, x, 0) < 0, "x is rejected");
  const worst = deletedParams(theta, v, rows.n, 4, worstDeletions(logitInfluence(net, theta, v, rows.n, x), 8));
  const robust = scfe(net, [worst, theta], x, OPTS), plain = scfe(net, [theta], x, OPTS);
  assert(robust.cf !== null && plain.cf !== null, "both found");
  assert(forward(net, worst, robust.cf, 0) >= 0 && forward(net, theta, robust.cf, 0) >= 0, "valid on both");
  assert(robust.cost > plain.cost, `robust ${robust.cost} vs plain ${plain.cost}`);
});

Deno.test("rtbf-recourse: smoke point of both methods through the harness", async () => {
  const runs = await runSmokePoints(exp);
  assertEquals(runs.length, 2);
  for (const { run, m } of runs) {
    assertEquals(m.found, 1, `${run.method} found`);
    assertEquals(m.valid_now, 1, `${run.method} valid now`);
    assert(m.grad_norm <= 1e-8, `${run.method}: ‖∇L‖ ${m.grad_norm}`);
    assert(m.invalid_worst >= 0 && m.invalid_worst <= 1 && m.invalid_random >= 0 && m.invalid_random <= 1);
  }
});

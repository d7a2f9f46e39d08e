/**
 * Tests for the EGGROLL module: the tanh fitness's gradient against finite differences; the expected-update
 * estimator against the exact rank-r answer of a cubic objective (where the O(1/r) term is 6σ²c/r exactly) and
 * against Stein's identity for full-rank noise; the environments against hand-computed steps; EGGROLL's factored
 * population forward pass against the materialised W + σ A Bᵀ/√r; one smoke point of each method through runOnce.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { lowRankDense, type MatrixNoise, sampleNoise } from "../../lib/math/es.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import {
  expectedUpdate,
  fitness,
  fitnessGrad,
  makeProblem,
  numericalRank,
  type Objective,
  tanhObjective,
} from "./update.ts";
import { cartpole, pendulum } from "./envs.ts";
import { initParams, makePolicy, rollout } from "./rl.ts";
import exp from "./mod.ts";

Deno.test("tanh fitness: back-propagated gradient matches central differences", () => {
  const p = makeProblem(Rng.fromSeed(0), 5, 4, 6), g = fitnessGrad(p, p.w), h = 1e-6;
  for (let i = 0; i < 20; i++) {
    const wp = p.w.slice(), wm = p.w.slice();
    wp[i] += h;
    wm[i] -= h;
    assertAlmostEquals(g[i], (fitness(p, wp) - fitness(p, wm)) / (2 * h), 1e-8);
  }
});

/** f(W) = Σ c_ij W_ij³: E[f(W+σE)E]/σ = 3c∘W² + σ²c·E[E_ij⁴] = 3c∘W² + σ²c(3 + 6/r) (3σ²c for full rank). */
function cubic(rng: Rng, m: number, n: number): Objective & { c: Float64Array } {
  const c = rng.normal(m * n), w = rng.normal(m * n);
  return {
    m,
    n,
    w,
    c,
    f: (x) => x.reduce((s, v, i) => s + c[i] * v ** 3, 0),
    grad: (x) => x.map((v, i) => 3 * c[i] * v * v),
  };
}

Deno.test("expected update on a cubic objective: the exact rank-r answer, and a bias of exactly 6σ²c/r", () => {
  const rng = Rng.fromSeed(1), o = cubic(rng, 3, 3), sigma = 0.5, d = 9;
  for (const rank of [0, 1, 2, 8]) {
    const est = expectedUpdate(o, sigma, rank, 40000, rng.split(rank));
    const k4 = rank === 0 ? 3 : 3 + 6 / rank, sd = Math.sqrt(est.varTrace / d);
    let z2 = 0;
    for (let i = 0; i < d; i++) {
      const exact = 3 * o.c[i] * o.w[i] ** 2 + sigma ** 2 * o.c[i] * k4;
      z2 += (est.g[i] - exact) ** 2;
    }
    // ‖ĝ − g‖² is on the order of its trace variance; 4× leaves room for the χ² spread over 9 entries.
    assert(z2 < 4 * est.varTrace, `rank ${rank}: ‖ĝ − g‖² = ${z2} vs Var ${est.varTrace} (sd/entry ${sd})`);
  }
});

Deno.test("expected update with full-rank noise satisfies Stein's identity E[f(W+σZ)Z]/σ = E[∇f(W+σZ)]", () => {
  const p = makeProblem(Rng.fromSeed(2), 4, 4, 6), o = tanhObjective(p), sigma = 0.4, d = 16, n = 40000;
  const es = expectedUpdate(o, sigma, 0, n, Rng.fromSeed(3));
  const rng = Rng.fromSeed(4), sum = new Float64Array(d), sq = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    const z = rng.normal(d), g = fitnessGrad(p, p.w.map((v, i) => v + sigma * z[i]));
    for (let i = 0; i < d; i++) {
      sum[i] += g[i];
      sq[i] += g[i] * g[i];
    }
  }
  let diff2 = 0, varSmooth = 0;
  for (let i = 0; i < d; i++) {
    const mu = sum[i] / n;
    diff2 += (es.g[i] - mu) ** 2;
    varSmooth += (sq[i] / n - mu * mu) / (n - 1);
  }
  assert(diff2 < 3 * (es.varTrace + varSmooth), `Stein: ${diff2} vs ${es.varTrace + varSmooth}`);
  // And the rank-1 update is measurably different (its bias is far above the noise at this σ).
  const r1 = expectedUpdate(o, sigma, 1, n, Rng.fromSeed(5));
  const d1 = r1.g.reduce((s, v, i) => s + (v - es.g[i]) ** 2, 0);
  assert(d1 > 10 * (es.varTrace + r1.varTrace), `rank-1 bias ${d1} vs noise ${es.varTrace + r1.varTrace}`);
});

Deno.test("numericalRank counts singular values above max(m, n)·eps·σ₁", () => {
  assertEquals(numericalRank([3, 1, 1e-20], 3, 3), 2);
  assertEquals(numericalRank([0, 0], 2, 2), 0);
});

Deno.test("environments: one CartPole-v1 and one Pendulum-v1 step against the Gym equations by hand", () => {
  const s = new Float64Array(4); // upright, at rest; push right
  cartpole.step(s, 0, Float64Array.of(0, 1));
  // temp = 10/1.1; θ̈ = −temp/(0.5·(4/3 − 0.1/1.1)); ẍ = temp − 0.05·θ̈/1.1
  const temp = 10 / 1.1, thacc = -temp / (0.5 * (4 / 3 - 0.1 / 1.1)), xacc = temp - (0.05 * thacc) / 1.1;
  assertAlmostEquals(s[1], 0.02 * xacc, 1e-15);
  assertAlmostEquals(s[3], 0.02 * thacc, 1e-15);
  assertAlmostEquals(thacc, -14.634146341463415, 1e-12);
  const q = Float64Array.of(Math.PI / 2, 0);
  const r = pendulum.step(q, 0, Float64Array.of(0));
  assertAlmostEquals(q[1], 15 * 0.05, 1e-15); // θ̇ += (3g/2l·sin θ + 3u)·dt with u = 0
  assertAlmostEquals(q[0], Math.PI / 2 + 0.75 * 0.05, 1e-15);
  assertAlmostEquals(r.reward, -((Math.PI / 2) ** 2), 1e-15);
});

Deno.test("EGGROLL's factored forward pass equals the materialised W ± σ A Bᵀ/√r (Pendulum rollouts)", () => {
  const p = makePolicy([3, 8, 8, 1]), theta = initParams(p, Rng.fromSeed(6)), rng = Rng.fromSeed(7);
  const low = Array.from({ length: 3 }, () => ({
    mats: p.layers.map((l) => sampleNoise(rng, l.m, l.n, 2)),
    bias: p.layers.map((l) => rng.normal(l.m)),
  }));
  const dense = low.map((d) => ({
    mats: d.mats.map((e, k): MatrixNoise => ({ kind: "full", e: lowRankDense(e, p.layers[k].m, p.layers[k].n) })),
    bias: d.bias,
  }));
  const a = rollout(pendulum, p, theta, 6, Rng.fromSeed(8), low, 0.3, 2);
  const b = rollout(pendulum, p, theta, 6, Rng.fromSeed(8), dense, 0.3, 0);
  for (let i = 0; i < 6; i++) assertAlmostEquals(a[i], b[i], 1e-9 * Math.abs(b[i]));
  // Antithetic members differ; σ = 0 gives the unperturbed policy for every member.
  assert(a[0] !== a[1]);
  const z = rollout(pendulum, p, theta, 2, Rng.fromSeed(8), low, 0, 2);
  const u = rollout(pendulum, p, theta, 2, Rng.fromSeed(8), null, 0, 0);
  assertAlmostEquals(z[0], u[0], 1e-12);
});

Deno.test("smoke points through runOnce: both methods on the update study and CartPole", async () => {
  const runs = await runSmokePoints(exp, (p) => p.rank === 1);
  assertEquals(runs.length, 4);
  for (const { run, m, metrics } of runs) {
    if (run.config.task === "update") {
      assertEquals(m.acc_rank_deficit, 0);
      assert(m.update_err > 0 && m.update_err < 1, `${run.method} update_err`);
    } else {
      assert(Number.isFinite(m.final_return) && m.final_return >= 1);
      assertEquals(metrics.filter((x) => x.name === "pop_return").length, run.config.generations);
    }
  }
});

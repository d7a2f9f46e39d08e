import { ok as assert } from "node:assert";
import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { axpy, dot, frobDist, gram, type M64, symEig, zeros } from "../../lib/math/lowrank/mod.ts";
import { baseMatrices, kron, liftedInstance } from "./instance.ts";
import { hessian, objective, spuriousCurvature } from "./landscape.ts";
import { localSearch } from "./local_search.ts";
import { gaussian } from "../../lib/math/lowrank/mod.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

Deno.test("the instance's quadratic form has eigenvalues 1 − δ, 1 + δ, 1 + δ (RIP constant δ)", () => {
  const delta = 0.7, mats = baseMatrices(delta);
  // H_jk = Σ_i ⟨A_i, B_j⟩⟨A_i, B_k⟩ over the orthonormal basis B of symmetric 2×2 matrices.
  const s = Math.SQRT1_2;
  const basis = [[1, 0, 0, 0], [0, 0, 0, 1], [0, s, s, 0]].map((v) => Float64Array.from(v));
  const h = zeros(3, 3);
  for (let j = 0; j < 3; j++) {
    for (let k = 0; k < 3; k++) {
      h.data[j * 3 + k] = mats.reduce((acc, a) => acc + dot(a.data, basis[j]) * dot(a.data, basis[k]), 0);
    }
  }
  const w = symEig(h).values;
  assertAlmostEquals(w[0], 1 - delta, 1e-12);
  assertAlmostEquals(w[1], 1 + delta, 1e-12);
  assertAlmostEquals(w[2], 1 + delta, 1e-12);
});

Deno.test("x̂ = (0, √δ) is a strict spurious local minimum of the original problem iff δ > 1/2", () => {
  for (const delta of [0.45, 0.6, 0.8]) {
    const c = spuriousCurvature(liftedInstance(delta, 1), 1);
    assert(c.gradNorm < 1e-12);
    // closed form: ∇²f = diag(4(2δ² + δ − 1), 8δ)
    assertAlmostEquals(c.minEig, Math.min(4 * (2 * delta * delta + delta - 1), 8 * delta), 1e-10);
  }
});

Deno.test("Kronecker measurements factor: ⟨A ⊗ B, X ⊗ Y⟩ = ⟨A, X⟩⟨B, Y⟩", () => {
  const rng = Rng.fromSeed(0);
  const [a, b, x, y] = [0, 1, 2, 3].map(() => gaussian(2, 2, rng));
  assertAlmostEquals(dot(kron(a, b).data, kron(x, y).data), dot(a.data, x.data) * dot(b.data, y.data), 1e-12);
});

Deno.test("lifted gradient and Hessian match finite differences", () => {
  const p = liftedInstance(0.6, 2);
  const rng = Rng.fromSeed(1);
  const w = gaussian(p.dim, 2, rng, 0.5), dir = gaussian(p.dim, 2, rng);
  const f = (v: M64) => objective(p, v).value, h = 1e-5;
  const fd = (f(axpy(w, dir, h)) - f(axpy(w, dir, -h))) / (2 * h);
  assertAlmostEquals(dot(objective(p, w).grad.data, dir.data), fd, 1e-6 * Math.max(1, Math.abs(fd)));
  const second = (f(axpy(w, dir, h)) - 2 * f(w) + f(axpy(w, dir, -h))) / (h * h);
  const H = hessian(p, w), n = dir.data.length;
  let quad = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) quad += dir.data[i] * H.data[i * n + j] * dir.data[j];
  assertAlmostEquals(quad, second, 1e-3 * Math.max(1, Math.abs(second)));
});

Deno.test("GD from near the truth recovers it; from near x̂ at l = 1 it stays at the spurious point", () => {
  const p = liftedInstance(0.6, 1);
  const target = { rows: 2, cols: 2, data: Float64Array.from([1, 0, 0, 0]) };
  const run = (seed: number) =>
    localSearch(p, { rank: 1, eta: 0.05, iters: 2000, every: 2000 }, Rng.fromSeed(seed), () => 0);
  let hits = 0;
  for (let s = 0; s < 10; s++) if (frobDist(gram(run(s).w), target) < 1e-6) hits++;
  assert(hits > 0 && hits < 10, `successes ${hits}/10 (both basins should be hit)`);
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  for (const order of [1, 2]) {
    const byMethod = await runMethods(exp, { order, iters: 200 });
    assert(Object.keys(byMethod).length > 0, `order ${order}: some method runs`);
  }
});

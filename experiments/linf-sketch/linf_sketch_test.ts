import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { makeProblem } from "./problem.ts";
import { quantile, sketchAndSolve, worstQuantile } from "./sketch_solve.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const rng = Rng.fromSeed(5);

Deno.test("instances: the stored x* is the exact least-squares solution; coherent residuals have norm 1", () => {
  const la = getLinalg();
  for (const design of ["coherent", "gaussian"] as const) {
    const p = makeProblem({ design, n: 256, d: 6, mOverD: 8 }, rng.split(design));
    const x = la.lstsq(p.a, p.b);
    for (let q = 0; q < x.data.length; q++) assertAlmostEquals(p.xstar.data[q], x.data[q], 1e-10);
    // Normal equations Aᵀ(b − Ax*) = 0 for every instance.
    const K = p.b.cols;
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < p.d; j++) {
        let g = 0;
        for (let i = 0; i < p.n; i++) {
          let ri = p.b.data[i * K + k];
          for (let l = 0; l < p.d; l++) ri -= p.a.data[i * p.d + l] * p.xstar.data[l * K + k];
          g += p.a.data[i * p.d + j] * ri;
        }
        assertAlmostEquals(g, 0, 1e-8);
      }
    }
    if (design === "coherent") {
      assertEquals(p.spikes, [1, 2, 4, 8]);
      for (const r of p.rnorm) assertAlmostEquals(r, 1, 1e-15);
    }
  }
});

Deno.test("an SRHT with m = N rows is orthogonal, so sketch-and-solve is exact (ε̂ = 0)", () => {
  const p = makeProblem({ design: "gaussian", n: 128, d: 5, mOverD: 4 }, rng.split("exact"));
  const e = sketchAndSolve(p, { kind: "srht", m: 128, trials: 2 }, rng.split("exact-s"));
  for (const v of [...e.linf[0], ...e.l2[0]]) assert(v < 1e-9, `error ${v} should vanish`);
});

Deno.test("Gaussian sketch matches the inverse-Wishart identity E‖x' − x*‖² = ‖r‖²·d/(m − d − 1)", () => {
  const d = 4, m = 24, trials = 3000;
  const p = makeProblem({ design: "coherent", n: 256, d, mOverD: 1 }, rng.split("wishart")); // one spike, A = [I; 0]
  const e = sketchAndSolve(p, { kind: "gaussian", m, trials }, rng.split("wishart-s"));
  const ms = e.l2[0].reduce((s, v) => s + v * v, 0) / trials;
  const want = d / (m - d - 1);
  // ‖e‖² = r²·χ²-like with relative sd ≈ 1.3 per draw; 3000 draws → ≈ 2.4% sd of the mean; allow 4 sd.
  assert(Math.abs(ms / want - 1) < 0.1, `mean ε̂₂² = ${ms}, identity gives ${want}`);
});

Deno.test("CountSketch on the one-spike coherent instance: all of the error lands on collided coordinates", () => {
  const d = 4, m = 64;
  const p = makeProblem({ design: "coherent", n: 512, d, mOverD: 1 }, rng.split("cs"));
  const e = sketchAndSolve(p, { kind: "countsketch", m, trials: 400 }, rng.split("cs-s"));
  let hits = 0;
  for (let t = 0; t < 400; t++) {
    const linf = e.linf[0][t] / Math.sqrt(d), l2 = e.l2[0][t];
    // Either no collision (x' = x* exactly) or the spike (size 1) is shared equally by the j colliding columns.
    if (linf < 1e-12) continue;
    hits++;
    const j = Math.round(1 / linf);
    assertAlmostEquals(linf, 1 / j, 1e-9);
    assertAlmostEquals(l2, 1 / Math.sqrt(j), 1e-9);
  }
  // P(collision) ≈ d/m = 1/16: expect ≈ 25 of 400.
  assert(hits > 8 && hits < 50, `collisions ${hits}`);
});

Deno.test("quantile interpolates order statistics; worstQuantile picks the worst instance", () => {
  assertAlmostEquals(quantile([3, 1, 2, 4, 5], 0.5), 3, 0);
  assertAlmostEquals(quantile([0, 10], 0.9), 9, 1e-12);
  const w = worstQuantile([[0, 0, 1], [0, 2, 2], [5, 0, 0]], 0.5);
  assertEquals(w.index, 1);
  assertAlmostEquals(w.value, 2, 0);
});

Deno.test("smoke pipeline: data → every method → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  for (const design of ["coherent", "gaussian"] as const) {
    const byMethod = await runMethods(exp, { d: 16, mOverD: 4, trials: 4, design });
    assert(Object.keys(byMethod).length === Object.keys(exp.methods).length, `${design}: every method runs`);
  }
});

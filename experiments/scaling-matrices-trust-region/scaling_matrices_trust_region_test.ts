import { assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { PROBLEMS } from "./problems.ts";
import { dColemanLi, dHUU, dKK, scaledTrustRegion, type Scaling, scalingVector, solveDense } from "./strn.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const opts = { p: 1, gamma: 1, weights: [1 / 3, 1 / 3, 1 / 3] as [number, number, number] };

Deno.test("scalings: hand-computed values on a 3-d box; combo is their average", () => {
  const x = [0.2, 0.9, 0.5], l = [0, 0, 0], u = [1, 1, 10], g = [3, -0.05, -2];
  const cl = dColemanLi(x, l, u, g), huu = dHUU(x, l, u, g, 1), kk = dKK(x, l, u, g, 1);
  [0.2, 0.1, 9.5].forEach((v, i) => assertAlmostEquals(cl[i], v, 1e-12));
  [0.2, 0.05, 2].forEach((v, i) => assertAlmostEquals(huu[i], v, 1e-12)); // min(distance, |g|)
  [0.2, 0.1, 1].forEach((v, i) => assertAlmostEquals(kk[i], v, 1e-12)); // distance only within γ = 1
  const c = scalingVector("combo", x, l, u, g, opts);
  c.forEach((v, i) => assertAlmostEquals(v, (cl[i] + huu[i] + kk[i]) / 3, 1e-12));
});

Deno.test("scalings vanish at the bound −g points to and stay positive in the interior", () => {
  const rng = Rng.fromSeed(3);
  for (let t = 0; t < 200; t++) {
    const x = [rng.uniform(), rng.uniform()], g = [rng.uniform() - 0.5, rng.uniform() - 0.5];
    for (const k of ["cl", "huu", "kk", "combo"] as Scaling[]) {
      const d = scalingVector(k, x, [0, 0], [1, 1], g, opts);
      if (!d.every((v) => v > 0)) throw new Error(`${k} not positive: ${d}`);
      const dAtBound = scalingVector(k, [g[0] > 0 ? 0 : 1, 0.5], [0, 0], [1, 1], g, opts);
      assertAlmostEquals(dAtBound[0], 0, 1e-15);
    }
  }
});

Deno.test("solveDense matches a known 3×3 solution", () => {
  const y = solveDense([[2, 1, 0], [1, 3, 1], [0, 1, 4]], [3, 5, 5])!;
  [1, 1, 1].forEach((v, i) => assertAlmostEquals(y[i], v, 1e-12));
  assertEquals(solveDense([[1, 2], [2, 4]], [1, 2]), null);
});

Deno.test("every problem's Jacobian matches central finite differences", () => {
  const rng = Rng.fromSeed(7);
  for (const p of Object.values(PROBLEMS)) {
    const x = p.lower.map((l, i) => l + (0.1 + 0.8 * rng.uniform()) * (p.upper[i] - l));
    const J = p.J(x);
    for (let j = 0; j < p.n; j++) {
      const h = 1e-6 * Math.max(1, Math.abs(x[j]));
      const xp = [...x], xm = [...x];
      xp[j] += h, xm[j] -= h;
      const Fp = p.F(xp), Fm = p.F(xm);
      for (let i = 0; i < p.n; i++) {
        const fd = (Fp[i] - Fm[i]) / (2 * h);
        assertAlmostEquals(J[i][j], fd, 1e-5 * Math.max(1, Math.abs(fd)), `${p.name} J[${i}][${j}]`);
      }
    }
  }
});

Deno.test("solver: every scaling finds Himmelblau's root (3,2) in [0,5]² with strictly feasible iterates", () => {
  const p = PROBLEMS.himmelblau_pos;
  for (const k of ["cl", "huu", "kk", "combo"] as Scaling[]) {
    const r = scaledTrustRegion(p, [0.5, 4.5], k, { ...opts, maxIter: 100, tol: 1e-10, delta0: 1 });
    assertEquals(r.converged, true, k);
    assertAlmostEquals(r.x[0], 3, 1e-8);
    assertAlmostEquals(r.x[1], 2, 1e-8);
    if (!r.x.every((v, i) => v > p.lower[i] && v < p.upper[i])) throw new Error(`${k} left the interior`);
  }
});

Deno.test("solver: Bullard–Biegler solutions returned are roots inside the box", () => {
  const p = PROBLEMS.bullard_biegler;
  const r = scaledTrustRegion(p, [1, 5], "combo", { ...opts, maxIter: 300, tol: 1e-8, delta0: 1 });
  if (r.converged) {
    const F = p.F(r.x);
    if (Math.hypot(...F) > 1e-8) throw new Error("claimed convergence without a root");
    if (!r.x.every((v, i) => v >= p.lower[i] && v <= p.upper[i])) throw new Error("outside the box");
  }
});

Deno.test("smoke pipeline: data → every method → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  for (const problem of ["rosenbrock", "bullard_biegler"]) {
    for (const metrics of Object.values(await runMethods(exp, { problem, starts: 5 }))) {
      const sr = metrics.success_rate as number;
      if (!(sr >= 0 && sr <= 1)) throw new Error("success_rate out of range");
    }
  }
});

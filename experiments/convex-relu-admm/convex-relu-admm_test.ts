/**
 * Tests of the convex-relu-admm solvers: the cached u-step against the dense system, the group shrinkage against its
 * defining minimisation, the nonconvex gradient against central differences, ADMM against the primal-dual method on
 * a small program, and on the exact formulation (every pattern enumerated, d = 2) the identity that the convex
 * optimum is attained by the recovered net and lower-bounds every trained net.
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Mat } from "../../lib/math/linalg/types.ts";
import { Rng } from "../../lib/math/rng.ts";
import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import {
  adamNet,
  admm,
  convexObjective,
  denseUStepMatrix,
  factorUStep,
  groupShrink,
  infeasibility,
  netGradient,
  netObjective,
  pdhg,
  type Problem,
  recoverNet,
  samplePatterns,
  solveUStep,
} from "./convex.ts";

const la = getLinalg("auto");

function toyProblem(n: number, d: number, p: number, beta: number, seed: number): Problem {
  const rng = Rng.fromSeed(seed);
  const x: Mat<Float64Array> = { rows: n, cols: d, data: rng.normal(n * d) };
  const y = Float64Array.from({ length: n }, (_, k) => (x.data[k * d] * x.data[k * d + 1] > 0 ? 1 : -1));
  return { x, y, dmask: samplePatterns(x, p, rng), p, beta };
}

Deno.test("u-step: Woodbury solve with cached factors equals the dense (I + F'F/ρ + G'G) solve", () => {
  const pr = toyProblem(15, 3, 4, 0.1, 1);
  for (const rho of [0.1, 2]) {
    const a = denseUStepMatrix(la, pr, rho);
    const b = Rng.fromSeed(7).normal(a.rows);
    const dense = la.solve(a, { rows: a.rows, cols: 1, data: b }).data;
    const fast = solveUStep(la, pr, factorUStep(la, pr, rho), b);
    for (let j = 0; j < b.length; j++) assertAlmostEquals(fast[j], dense[j], 1e-9, `u[${j}] at ρ=${rho}`);
  }
});

Deno.test("groupShrink is the prox of t‖·‖: no random perturbation lowers ½‖z − b‖² + t‖z‖", () => {
  const rng = Rng.fromSeed(3), d = 4, t = 0.7;
  const b = rng.normal(3 * d);
  b.fill(0.1, d, 2 * d); // a block below the threshold (shrinks to zero)
  const z = groupShrink(b, d, t);
  const f = (w: Float64Array) => {
    let s = 0;
    for (let j = 0; j < w.length; j++) s += 0.5 * (w[j] - b[j]) ** 2;
    for (let g = 0; g < w.length; g += d) s += t * Math.hypot(...w.subarray(g, g + d));
    return s;
  };
  for (let j = d; j < 2 * d; j++) assertAlmostEquals(z[j], 0, 0, "small block is zeroed");
  const f0 = f(z);
  for (let k = 0; k < 200; k++) {
    const w = z.map((v) => v + 1e-3 * rng.normal());
    assert(f(w) >= f0 - 1e-12, "perturbation lowered the prox objective");
  }
});

Deno.test("netGradient matches central differences of the nonconvex objective", () => {
  const rng = Rng.fromSeed(5), n = 12, d = 3, m = 4, beta = 0.3;
  const x: Mat<Float64Array> = { rows: n, cols: d, data: rng.normal(n * d) };
  const y = Float64Array.from({ length: n }, () => (rng.uniform() > 0.5 ? 1 : -1));
  const net = { w1: { rows: d, cols: m, data: rng.normal(d * m) }, alpha: rng.normal(m) };
  const g = netGradient(la, net, x, y, beta);
  const loss = () => netObjective(la, net, x, y, beta);
  assertCentralDifferences(loss, net.w1.data, g.w1.slice(), { label: "W", tol: 1e-5 });
  assertCentralDifferences(loss, net.alpha, g.alpha.slice(), { label: "α", tol: 1e-5 });
});

Deno.test("ADMM and the primal-dual method reach the same optimum of a small sampled program", () => {
  const pr = toyProblem(30, 3, 6, 0.5, 11);
  const a = admm(la, pr, { rho: 1, iters: 4000 });
  const b = pdhg(la, pr, { kappa: 1, iters: 60000, rng: Rng.fromSeed(1) });
  const fa = convexObjective(la, pr, a.v), fb = convexObjective(la, pr, b.v);
  assert(infeasibility(la, pr, a.v) < 1e-5, `ADMM infeasibility ${infeasibility(la, pr, a.v)}`);
  assert(infeasibility(la, pr, b.v) < 1e-4, `PDHG infeasibility ${infeasibility(la, pr, b.v)}`);
  assertAlmostEquals(fa / fb, 1, 1e-4, `ADMM ${fa} vs PDHG ${fb}`);
});

/** Every activation pattern of 2-D data without bias: one per arc between the critical directions. */
function allPatterns(x: Mat<Float64Array>): Float64Array {
  const n = x.rows, angles: number[] = [];
  for (let k = 0; k < n; k++) {
    const a = Math.atan2(x.data[2 * k + 1], x.data[2 * k]);
    angles.push(a + Math.PI / 2, a - Math.PI / 2);
  }
  const norm = angles.map((a) => ((a % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)).sort((p, q) => p - q);
  const seen = new Set<string>(), pats: number[][] = [];
  for (let i = 0; i < norm.length; i++) {
    const next = i + 1 < norm.length ? norm[i + 1] : norm[0] + 2 * Math.PI;
    const th = (norm[i] + next) / 2, g = [Math.cos(th), Math.sin(th)];
    const pat = Array.from({ length: n }, (_, k) => (x.data[2 * k] * g[0] + x.data[2 * k + 1] * g[1] >= 0 ? 1 : 0));
    const key = pat.join("");
    if (!seen.has(key)) {
      seen.add(key);
      pats.push(pat);
    }
  }
  const p = pats.length, out = new Float64Array(n * p);
  for (let i = 0; i < p; i++) for (let k = 0; k < n; k++) out[k * p + i] = pats[i][k];
  return out;
}

Deno.test("exact formulation (all patterns, d = 2): the convex optimum is attained by the recovered net and lower-bounds trained nets", () => {
  const rng = Rng.fromSeed(21), n = 12, beta = 0.2;
  const x: Mat<Float64Array> = { rows: n, cols: 2, data: rng.normal(2 * n) };
  const y = Float64Array.from({ length: n }, () => (rng.uniform() > 0.5 ? 1 : -1));
  const dmask = allPatterns(x), p = dmask.length / n;
  assert(p <= 2 * n, `at most 2n patterns in the plane, got ${p}`);
  const pr: Problem = { x, y, dmask, p, beta };
  const sol = admm(la, pr, { rho: 1, iters: 6000 });
  const pStar = convexObjective(la, pr, sol.v);
  assert(infeasibility(la, pr, sol.v) < 1e-6, "ADMM solution is feasible");
  const net = recoverNet(sol.v, 2, p);
  assertAlmostEquals(netObjective(la, net, x, y, beta) / pStar, 1, 1e-5, "recovered net attains p*");
  for (let s = 0; s < 5; s++) {
    const trained = adamNet(la, x, y, beta, { m: 2 * p, lr: 1e-2, iters: 3000, rng: Rng.fromSeed(100 + s) });
    const f = netObjective(la, trained, x, y, beta);
    assert(f >= pStar * (1 - 1e-4), `trained net ${f} below the convex optimum ${pStar}`);
  }
  // a sampled subset of the patterns can only do worse
  const sub = samplePatterns(x, 3, Rng.fromSeed(2));
  const subSol = admm(la, { x, y, dmask: sub, p: 3, beta }, { rho: 1, iters: 6000 });
  assert(convexObjective(la, { x, y, dmask: sub, p: 3, beta }, subSol.v) >= pStar * (1 - 1e-6), "sampled ≥ exact");
});

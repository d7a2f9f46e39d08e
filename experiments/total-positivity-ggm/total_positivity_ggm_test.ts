import { assert } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { adaptiveMtp2, cholesky, gradProj, invFromChol, logdetChol, objective, penaltyDeriv } from "./gp.ts";
import { fScore, makeGgm, makeGraph, relError } from "./data.ts";
import { adaptive, glasso, l1Mtp2, mtp2Mle } from "./methods.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

/** Random sample covariance of n draws from N(0, I_p) (plus a little ridge so it is PD when n < p is not used). */
function sampleCov(p: number, n: number, seed: number): Float64Array {
  const rng = Rng.fromSeed(seed);
  const s = new Float64Array(p * p);
  for (let r = 0; r < n; r++) {
    const x = rng.normal(p);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) s[i * p + j] += x[i] * x[j] / n;
  }
  return s;
}

Deno.test("cholesky / inverse / logdet against a 2×2 closed form", () => {
  const a = new Float64Array([4, 1, 1, 3]);
  const l = cholesky(a, 2)!;
  const inv = invFromChol(l, 2);
  const det = 11;
  const want = [3 / det, -1 / det, -1 / det, 4 / det];
  for (let k = 0; k < 4; k++) assert(Math.abs(inv[k] - want[k]) < 1e-14, `inv[${k}]`);
  assert(Math.abs(logdetChol(l, 2) - Math.log(det)) < 1e-14, "logdet");
  assert(cholesky(new Float64Array([1, 2, 2, 1]), 2) === null, "indefinite must fail");
});

Deno.test("MTP2 MLE satisfies the KKT conditions (Slawski & Hein): Σ̂_ii = S_ii, Σ̂_ij ≥ S_ij, equality on the support", () => {
  const p = 6, s = sampleCov(p, 30, 3);
  const r = gradProj(s, p, { lambda: new Float64Array(p * p), constraint: "mtp2", maxIter: 20000, tol: 1e-12 });
  const sig = invFromChol(cholesky(r.theta, p)!, p);
  for (let i = 0; i < p; i++) {
    assert(Math.abs(sig[i * p + i] - s[i * p + i]) < 1e-6, `diag ${i}: ${sig[i * p + i]} vs ${s[i * p + i]}`);
    for (let j = 0; j < p; j++) {
      if (i === j) continue;
      const k = i * p + j;
      assert(r.theta[k] <= 0, "sign constraint");
      assert(sig[k] >= s[k] - 1e-6, `dual feasibility ${i},${j}`);
      if (r.theta[k] < -1e-8) assert(Math.abs(sig[k] - s[k]) < 1e-6, `complementary slackness ${i},${j}`);
    }
  }
});

Deno.test("weighted ℓ1-MTP2: no feasible random perturbation lowers the objective (local optimality of a convex problem)", () => {
  const p = 5, s = sampleCov(p, 40, 7);
  const lambda = new Float64Array(p * p).fill(0.1);
  const r = gradProj(s, p, { lambda, constraint: "mtp2", maxIter: 20000, tol: 1e-12 });
  const f0 = objective(r.theta, s, lambda, p);
  const rng = Rng.fromSeed(11);
  for (let t = 0; t < 200; t++) {
    const z = rng.normal(p * p), q = Float64Array.from(r.theta);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j <= i; j++) {
        const v = 1e-3 * z[i * p + j];
        q[i * p + j] += v;
        if (i !== j) q[j * p + i] += v;
      }
    }
    for (let k = 0; k < p * p; k++) if (k % (p + 1) !== 0) q[k] = Math.min(q[k], 0);
    assert(objective(q, s, lambda, p) >= f0 - 1e-10, `perturbation ${t} lowered the objective`);
  }
});

Deno.test("GLASSO prox-gradient matches the subgradient optimality condition |Σ̂_ij − S_ij| ≤ λ, = on the support", () => {
  const p = 6, s = sampleCov(p, 20, 5), lam = 0.15;
  const r = gradProj(s, p, {
    lambda: new Float64Array(p * p).fill(lam),
    constraint: "none",
    maxIter: 20000,
    tol: 1e-12,
  });
  const sig = invFromChol(cholesky(r.theta, p)!, p);
  let zeros = 0;
  for (let i = 0; i < p; i++) {
    assert(Math.abs(sig[i * p + i] - s[i * p + i]) < 1e-6, "diag");
    for (let j = 0; j < p; j++) {
      if (i === j) continue;
      const k = i * p + j, g = sig[k] - s[k];
      if (r.theta[k] === 0) {
        zeros++;
        assert(Math.abs(g) <= lam + 1e-6, `zero entry ${i},${j}`);
      } else assert(Math.abs(g - lam * Math.sign(r.theta[k])) < 1e-6, `support entry ${i},${j}`);
    }
  }
  assert(zeros > 0, "λ = 0.15 on a white-noise S should zero some entries");
});

Deno.test("SCAD/MCP weights: λ near 0, vanish for large entries; adaptive with 1 stage equals ℓ1-MTP2", () => {
  assert(penaltyDeriv(0, 0.2, "scad", 3.7) === 0.2 && penaltyDeriv(1, 0.2, "scad", 3.7) === 0, "scad");
  assert(Math.abs(penaltyDeriv(0.37, 0.2, "scad", 3.7) - (0.74 - 0.37) / 2.7) < 1e-15, "scad middle");
  assert(penaltyDeriv(0, 0.2, "mcp", 2) === 0.2 && penaltyDeriv(0.4, 0.2, "mcp", 2) === 0, "mcp");
  const p = 5, s = sampleCov(p, 40, 9), lam = 0.1;
  const one = adaptiveMtp2(s, p, { lam, stages: 1, penalty: "scad", a: 3.7, maxIter: 5000, tol: 1e-10 });
  const l1 = gradProj(s, p, {
    lambda: new Float64Array(p * p).fill(lam),
    constraint: "mtp2",
    maxIter: 5000,
    tol: 1e-10,
  });
  assert(relError(one.theta, l1.theta) < 1e-12, "stage 1 = ℓ1-MTP2");
});

Deno.test("data: grid/BA edge counts, Θ* is an M-matrix with unit-diagonal Σ*, S → Σ* for large n", () => {
  const rng = Rng.fromSeed(1);
  assert(makeGraph("grid", 16, rng).length === 24, "4×4 grid has 24 edges");
  assert(
    makeGraph("ba", 20, rng, 2).length === 3 + 2 * 17,
    "BA(m=2): triangle on nodes 0..2, then 2 edges for each of nodes 3..19",
  );
  const d = makeGgm({ graph: "grid", p: 9, n: 20000, wLo: 0.5, wHi: 1, margin: 0.1, baM: 1 }, Rng.fromSeed(2));
  const sig = invFromChol(cholesky(d.theta, 9)!, 9);
  for (let i = 0; i < 9; i++) {
    assert(Math.abs(sig[i * 9 + i] - 1) < 1e-10, "unit diagonal Σ*");
    for (let j = 0; j < 9; j++) if (i !== j) assert(d.theta[i * 9 + j] <= 0, "M-matrix sign pattern");
  }
  assert(relError(d.s, sig) < 0.05, `S far from Σ*: ${relError(d.s, sig)}`);
  assert(fScore(d.theta, d.adj, 9) === 1, "truth has F-score 1");
});

Deno.test("smoke pipeline: data → every method → measure gives finite metrics", async () => {
  const cfg = exp.config.parse({ p: 16, n: 60, graph: "ba" });
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  for (const [name, ms] of Object.entries(await runMethods(exp, cfg))) {
    assert((ms.rel_error as number) < 1, `${name} rel_error ${ms.rel_error}`);
  }
  // the four solvers are distinct functions
  assert(new Set([adaptive, glasso, l1Mtp2, mtp2Mle]).size === 4, "methods");
});

Deno.test("tuning: held-out NLL closed form, the split recombines to S, and the choice never reads Θ*", async () => {
  const { heldOutNll } = await import("./methods.ts");
  // Θ = 2I, S = I (p = 3): tr(SΘ) − log det Θ = 6 − 3 log 2
  const p = 3, eye = new Float64Array(9), two = new Float64Array(9);
  for (let i = 0; i < p; i++) [eye[i * 4], two[i * 4]] = [1, 2];
  assert(Math.abs(heldOutNll(two, eye, p) - (6 - 3 * Math.log(2))) < 1e-12, "closed form");
  assert(heldOutNll(new Float64Array(9), eye, p) === Infinity, "not PD → ∞");
  const cfg = exp.config.parse({ p: 16, n: 50, graph: "grid" });
  const d = await exp.data(cfg, { seed: 0, rng: Rng.fromSeed(3).split("data") });
  for (let k = 0; k < d.s.length; k++) {
    const mix = (d.nFit * d.sFit[k] + d.nVal * d.sVal[k]) / d.n;
    assert(Math.abs(mix - d.s[k]) < 1e-12, "S = weighted sum of the two halves");
  }
  const chosen: number[] = [];
  const a = l1Mtp2(d, cfg, (_n, v) => chosen.push(v));
  const b = l1Mtp2({ ...d, theta: new Float64Array(d.theta.length) }, cfg);
  assert(chosen.length === 1 && cfg.lamGrid.includes(chosen[0]), `choose called once: ${chosen}`);
  assert(a.lamC === b.lamC && a.theta.every((v, k) => v === b.theta[k]), "estimate independent of Θ*");
});

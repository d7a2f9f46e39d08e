import { ok as assert } from "node:assert";
import { Rng } from "../../lib/math/rng.ts";
import { excessRisk, makeProblem, type SparseProblem, testLoss, trainResidual } from "./data.ts";
import { basisPursuit, gdModel, l1, minL2, supportOracle, xMul, xtMul } from "./interpolators.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { ResultSet } from "../../lib/claims/results.ts";

function tiny(n: number, d: number, seed: number): SparseProblem {
  return makeProblem({ n, d, s: 1, sigma: 0.3, signal: 1 }, Rng.fromSeed(seed));
}

/** Exact min-ℓ1 interpolator of a tiny problem: the optimum of the LP is a basic solution, so enumerate supports. */
function bruteL1(p: SparseProblem): number {
  const { n, d } = p;
  let best = Infinity;
  const idx: number[] = [];
  const rec = (start: number) => {
    if (idx.length === n) {
      // solve the n×n system X_S b = y by Gaussian elimination with partial pivoting
      const a = idx.map((_, r) => idx.map((j) => 0 * r + 0 + p.x[r * d + j]));
      const b = Array.from(p.y);
      for (let k = 0; k < n; k++) {
        let piv = k;
        for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[piv][k])) piv = i;
        [a[k], a[piv]] = [a[piv], a[k]];
        [b[k], b[piv]] = [b[piv], b[k]];
        if (Math.abs(a[k][k]) < 1e-12) return;
        for (let i = k + 1; i < n; i++) {
          const f = a[i][k] / a[k][k];
          for (let j = k; j < n; j++) a[i][j] -= f * a[k][j];
          b[i] -= f * b[k];
        }
      }
      const sol = new Array(n).fill(0);
      for (let i = n - 1; i >= 0; i--) {
        let t = b[i];
        for (let j = i + 1; j < n; j++) t -= a[i][j] * sol[j];
        sol[i] = t / a[i][i];
      }
      best = Math.min(best, sol.reduce((s, v) => s + Math.abs(v), 0));
      return;
    }
    for (let j = start; j < d; j++) {
      idx.push(j);
      rec(j + 1);
      idx.pop();
    }
  };
  rec(0);
  return best;
}

Deno.test("xMul / xtMul are adjoint", () => {
  const p = tiny(5, 12, 0);
  const rng = Rng.fromSeed(9);
  const b = rng.normal(12), r = rng.normal(5);
  const lhs = xMul(p, b).reduce((s, v, i) => s + v * r[i], 0);
  const rhs = xtMul(p, r).reduce((s, v, j) => s + v * b[j], 0);
  assert(Math.abs(lhs - rhs) < 1e-12 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`);
});

Deno.test("min-ℓ2 interpolates, lies in the row space, and equals GD on β from 0 (hybrid with α → 0 and only v)", () => {
  const p = tiny(6, 30, 1);
  const b = minL2(p);
  assert(trainResidual(p, b) < 1e-12);
  // GD on v alone (tiny α so the Hadamard part stays ~0) converges to the same point.
  const g = gdModel(p, { alpha: 1e-12, lambda: 1, lr: 0.5, maxIters: 200000, tol: 1e-12, every: 1e9 });
  const diff = Math.sqrt(excessRisk({ ...p, betaStar: b }, g.beta));
  assert(diff < 1e-8, `‖β_GD − β_minℓ2‖ = ${diff}`);
});

Deno.test("basis pursuit (ADMM) matches the enumerated exact ℓ1 minimum", () => {
  for (const seed of [2, 3, 4]) {
    const p = tiny(3, 9, seed);
    const bp = basisPursuit(p, { iters: 20000, tol: 1e-12 });
    const exact = bruteL1(p);
    assert(trainResidual(p, bp.beta) < 1e-10);
    assert(Math.abs(l1(bp.beta) - exact) < 1e-6 * exact, `ADMM ‖β‖₁ ${l1(bp.beta)} vs exact ${exact}`);
  }
});

Deno.test("Hadamard GD from small init approaches the min-ℓ1 interpolator; large init does not", () => {
  const p = tiny(4, 12, 5);
  const exact = bruteL1(p);
  const small = gdModel(p, { alpha: 1e-6, lambda: 0, lr: 0.5, maxIters: 400000, tol: 1e-9, every: 1e9 });
  const large = gdModel(p, { alpha: 3, lambda: 0, lr: 0.5, maxIters: 400000, tol: 1e-9, every: 1e9 });
  assert(Math.abs(l1(small.beta) / exact - 1) < 0.02, `small α: ${l1(small.beta)} vs ${exact}`);
  assert(l1(large.beta) / exact > 1.02, `large α: ${l1(large.beta)} vs ${exact}`);
});

Deno.test("oracle recovers β* well with enough samples and interpolates", () => {
  const p = makeProblem({ n: 40, d: 200, s: 2, sigma: 0.1, signal: 1 }, Rng.fromSeed(6));
  const b = supportOracle(p);
  assert(trainResidual(p, b) < 1e-10);
  assert(excessRisk(p, b) < 0.01, `oracle excess ${excessRisk(p, b)}`);
  assert(Math.abs(testLoss(p, p.betaStar) - 0.5 * 0.01) < 1e-15);
});

Deno.test("smoke-scale pipeline gives finite metrics for every method", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp);
  assert(Object.keys(byMethod).length === Object.keys(exp.methods).length, "every method runs at smoke scale");
});

Deno.test("claims: the new model must beat ℓ1 and ℓ2 beyond noise and stay within 3× the oracle", () => {
  const fake = (risk: Record<string, number>) =>
    new ResultSet(
      Object.entries(risk).flatMap(([method, v]) =>
        [25, 50].flatMap((n) =>
          [0, 1, 2].map((seed) => ({
            run_id: `${method}-${n}-${seed}`,
            method,
            backend: "native",
            seed,
            config: { n },
            metric: "excess_risk",
            step: null,
            value: v * (1 + 0.01 * seed),
          }))
        )
      ),
    );
  const claim = (id: string) => exp.claims.find((c) => c.id === id)!;
  assert(claim("new-model-beats-both").check(fake({ hybrid: 0.05, min_l1: 1, min_l2: 3, oracle: 0.03 })).pass);
  assert(!claim("new-model-beats-both").check(fake({ hybrid: 1, min_l1: 1, min_l2: 3, oracle: 0.03 })).pass);
  assert(!claim("new-model-beats-both").check(fake({ hybrid: 0.2, min_l1: 1, min_l2: 3, oracle: 0.03 })).pass);
  assert(claim("min-l1-far-from-optimal").check(fake({ min_l1: 1, oracle: 0.03 })).pass);
  assert(!claim("min-l1-far-from-optimal").check(fake({ min_l1: 0.06, oracle: 0.03 })).pass);
});

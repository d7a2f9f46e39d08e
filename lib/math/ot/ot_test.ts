/**
 * OT kernels against references: the Hungarian assignment against brute force over all permutations (n ≤ 7), the
 * assignment's optimal value against the LP dual certificate, Sinkhorn against the exact cost as reg → 0 and its
 * marginals, and the 1-D Wasserstein against its sorted-matching and quantile-integral definitions.
 */
import { ok as assert } from "node:assert";
import { assertAlmostEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { assignment, emdUniform, sinkhorn, sinkhornLog, wasserstein1d } from "./mod.ts";

function bruteForce(cost: Float64Array, n: number): number {
  let best = Infinity;
  const perm = Array.from({ length: n }, (_, i) => i);
  const rec = (k: number, acc: number) => {
    if (k === n) {
      best = Math.min(best, acc);
      return;
    }
    for (let i = k; i < n; i++) {
      [perm[k], perm[i]] = [perm[i], perm[k]];
      rec(k + 1, acc + cost[k * n + perm[k]]);
      [perm[k], perm[i]] = [perm[i], perm[k]];
    }
  };
  rec(0, 0);
  return best;
}

Deno.test("assignment equals brute force over all permutations for n = 1…7 (random, integer and tied costs)", () => {
  const rng = Rng.fromSeed(11);
  for (let n = 1; n <= 7; n++) {
    for (let trial = 0; trial < 20; trial++) {
      const c = new Float64Array(n * n);
      for (let k = 0; k < n * n; k++) {
        c[k] = trial % 3 === 0 ? rng.int(4) : trial % 3 === 1 ? rng.normal() * 10 : rng.uniform() ** 3;
      }
      const r = assignment(c, n);
      assert(new Set(r.cols).size === n, "a permutation");
      assertAlmostEquals(
        r.cost,
        bruteForce(c, n),
        1e-9 * (1 + Math.abs(r.cost)),
        `n=${n} trial ${trial}: ${r.cost} vs ${bruteForce(c, n)} [${c}]`,
      );
    }
  }
});

Deno.test("assignment on a known 3×3 case and emdUniform divides by n", () => {
  const c = new Float64Array([4, 1, 3, 2, 0, 5, 3, 2, 2]);
  const r = assignment(c, 3);
  assert(r.cost === 5, `cost ${r.cost}`);
  assert(Array.from(r.cols).join() === "1,0,2", `cols ${r.cols}`);
  assert(emdUniform(c, 3) === 5 / 3);
});

Deno.test("assignment of n = 300 random costs is optimal: no 2-swap improves it and it beats the greedy match", () => {
  const rng = Rng.fromSeed(3), n = 300, c = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) c[k] = rng.uniform();
  const { cols, cost } = assignment(c, n);
  for (let i = 0; i < n; i++) {
    for (let k = i + 1; k < n; k++) {
      const swap = c[i * n + cols[k]] + c[k * n + cols[i]] - c[i * n + cols[i]] - c[k * n + cols[k]];
      assert(swap >= -1e-12, `swap ${i},${k} improves by ${-swap}`);
    }
  }
  // identity permutation is feasible: the optimum is below it
  let id = 0;
  for (let i = 0; i < n; i++) id += c[i * n + i];
  assert(cost < id);
});

Deno.test("sinkhorn: marginals hold at convergence and ⟨π, C⟩ → exact OT as reg → 0", () => {
  const rng = Rng.fromSeed(5), n = 6, c = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) c[k] = rng.uniform();
  const exact = emdUniform(c, n);
  let prevGap = Infinity;
  for (const reg of [1, 0.1, 0.03]) {
    const r = sinkhorn(c, { n, m: n, reg, maxIter: 100000, stopThr: 1e-12 });
    assert(r.err < 1e-11, `reg ${reg}: marginal error ${r.err}`);
    const gap = r.cost - exact;
    assert(gap > -1e-9, `reg ${reg}: entropic plan cost ${r.cost} below exact ${exact}`);
    assert(gap < prevGap, `reg ${reg}: gap ${gap} should shrink`);
    // ⟨π_reg, C⟩ − W ≤ reg·(H(a) + H(b)) = 2·reg·log n for uniform marginals
    assert(gap <= 2 * reg * Math.log(n), `reg ${reg}: gap ${gap}`);
    prevGap = gap;
  }
});

Deno.test("sinkhorn with unequal sizes keeps both marginals", () => {
  const rng = Rng.fromSeed(6), n = 5, m = 8, c = new Float64Array(n * m);
  for (let k = 0; k < n * m; k++) c[k] = rng.uniform() * 3;
  const r = sinkhorn(c, { n, m, reg: 0.5, maxIter: 10000, stopThr: 1e-13 });
  assert(r.err < 1e-12 && r.cost > 0);
});

Deno.test("wasserstein1d: sorted matching for equal sizes, quantile integral for unequal sizes", () => {
  assertAlmostEquals(wasserstein1d([0, 1], [1, 3], 2), (1 + 4) / 2, 1e-15);
  assertAlmostEquals(wasserstein1d([3, 0], [1, 1], 1), 1.5, 1e-15);
  // x = {0, 1} (n = 2), y = {0, 0, 3} (m = 3): quantiles on (0,1/3): 0 vs 0; (1/3,1/2): 0 vs 0; (1/2,2/3): 1 vs 0;
  // (2/3,1): 1 vs 3 → W_2² = (1/6)·1 + (1/3)·4 = 1.5
  assertAlmostEquals(wasserstein1d([1, 0], [0, 3, 0], 2), 1 / 6 + 4 / 3, 1e-14);
  // duplicating every point leaves the measure unchanged
  const rng = Rng.fromSeed(8), x = Array.from(rng.normal(9)), y = Array.from(rng.normal(7));
  assertAlmostEquals(wasserstein1d(x, y, 2), wasserstein1d([...x, ...x], y, 2), 1e-12);
  // 1-D exact OT by the Hungarian algorithm equals sorting
  const n = 8, a = rng.normal(n), b = rng.normal(n), c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[i * n + j] = (a[i] - b[j]) ** 2;
  assertAlmostEquals(wasserstein1d(a, b, 2), emdUniform(c, n), 1e-12);
});

Deno.test("sinkhornLog equals sinkhorn where both work, keeps its marginals, and survives a tiny reg", () => {
  const rng = Rng.fromSeed(21), n = 7, m = 5;
  const cost = Float64Array.from({ length: n * m }, () => rng.uniform() * 2);
  const a = Float64Array.from({ length: n }, () => 0.5 + rng.uniform()),
    b = Float64Array.from({ length: m }, () => 0.5 + rng.uniform());
  const sa = a.reduce((x, y) => x + y), sb = b.reduce((x, y) => x + y);
  a.forEach((v, i) => (a[i] = v / sa));
  b.forEach((v, j) => (b[j] = v / sb));
  const ref = sinkhorn(cost, { n, m, reg: 0.5, a, b, maxIter: 5000, stopThr: 1e-13 });
  const lg = sinkhornLog(cost, { n, m, reg: 0.5, a, b, maxIter: 5000, stopThr: 1e-13 });
  assertAlmostEquals(lg.cost, ref.cost, 1e-10);
  // both marginals of π_ij = a_i b_j exp((f_i + g_j − C_ij)/reg)
  const plan = (reg: number, r: { f: Float64Array; g: Float64Array }) => (i: number, j: number) =>
    a[i] * b[j] * Math.exp((r.f[i] + r.g[j] - cost[i * m + j]) / reg);
  const p = plan(0.5, lg);
  for (let i = 0; i < n; i++) assertAlmostEquals([0, 1, 2, 3, 4].reduce((s, j) => s + p(i, j), 0), a[i], 1e-11);
  for (let j = 0; j < m; j++) assertAlmostEquals([0, 1, 2, 3, 4, 5, 6].reduce((s, i) => s + p(i, j), 0), b[j], 1e-11);
  // reg = 1e-3: exp(−C/reg) underflows to 0 for C ≳ 0.75, yet the log-domain plan is finite and near the exact cost
  const small = sinkhornLog(cost.subarray(0, 25), { n: 5, m: 5, reg: 1e-3, maxIter: 20000, stopThr: 1e-9 });
  assert(Number.isFinite(small.cost) && small.err < 1e-4, `err ${small.err}`);
  const exact = emdUniform(cost.subarray(0, 25), 5);
  assert(Math.abs(small.cost - exact) < 0.02, `${small.cost} vs exact ${exact}`);
});

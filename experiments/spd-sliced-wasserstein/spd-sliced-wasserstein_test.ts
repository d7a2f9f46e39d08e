/**
 * spd-sliced-wasserstein: each timed discrepancy against a reference (exact OT by brute force over permutations,
 * the library SPDSW with the same random stream, Sinkhorn → exact OT as reg → 0), the quality inputs' references,
 * and one smoke-scale quality point through the harness's single-run function (runOnce) for every method.
 */
import { ok as assert } from "node:assert";
import { assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { aiCost, leCost, spdsw, wishart } from "../../lib/math/spd/mod.ts";
import { emdUniform } from "../../lib/math/ot/mod.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { discrepancy, type DistOptions } from "./distances.ts";
import { qualityInputs } from "./data.ts";
import exp from "./mod.ts";

const OPTS: DistOptions = { projections: 50, sinkhornReg: 1, sinkhornMaxIter: 100, sinkhornStopThr: 1e-10 };

function bruteForceW(cost: Float64Array, n: number): number {
  let best = Infinity;
  const perm = Array.from({ length: n }, (_, i) => i);
  const rec = (k: number, acc: number) => {
    if (k === n) best = Math.min(best, acc);
    for (let i = k; i < n; i++) {
      [perm[k], perm[i]] = [perm[i], perm[k]];
      rec(k + 1, acc + cost[k * n + perm[k]]);
      [perm[k], perm[i]] = [perm[i], perm[k]];
    }
  };
  rec(0, 0);
  return best / n;
}

Deno.test("aiw and lew equal exact OT by brute force (n = 6; d = 2 closed form and d = 3 eigh)", () => {
  const rng = Rng.fromSeed(1);
  for (const d of [2, 3]) {
    const xs = wishart(rng, { d, df: d, n: 6 }), ys = wishart(rng, { d, df: d + 2, n: 6 });
    const ai = discrepancy("aiw", xs, ys, OPTS, rng).value, le = discrepancy("lew", xs, ys, OPTS, rng).value;
    assertAlmostEquals(ai, bruteForceW(aiCost(xs, ys), 6), 1e-12 * ai);
    assertAlmostEquals(le, bruteForceW(leCost(xs, ys), 6), 1e-12 * le);
    assert(le <= ai * (1 + 1e-12), `W_LE² ${le} ≤ W_AI² ${ai}`);
  }
});

Deno.test("spdsw and logsw are the library SPDSW with the same stream; both ≤ W_2²(LE)", () => {
  const rng = Rng.fromSeed(2), xs = wishart(rng, { d: 3, df: 4, n: 30 }), ys = wishart(rng, { d: 3, df: 6, n: 30 });
  const a = discrepancy("spdsw", xs, ys, OPTS, Rng.fromSeed(7)).value;
  assert(a === spdsw(xs, ys, { projections: 50, rng: Rng.fromSeed(7) }));
  const le = emdUniform(leCost(xs, ys), 30);
  assert(a > 0 && a <= le);
  const b = discrepancy("logsw", xs, ys, OPTS, Rng.fromSeed(7)).value;
  assert(b > 0 && b <= le && b !== a);
});

Deno.test("les: Sinkhorn's cost approaches exact W_2²(LE) as reg → 0 (gap ≤ 2·reg·log n)", () => {
  const rng = Rng.fromSeed(3), n = 8, xs = wishart(rng, { d: 2, df: 3, n }), ys = wishart(rng, { d: 2, df: 3, n });
  const exact = emdUniform(leCost(xs, ys), n);
  for (const reg of [1, 0.1]) {
    const r = discrepancy("les", xs, ys, { ...OPTS, sinkhornReg: reg, sinkhornMaxIter: 100000 }, rng);
    assert(r.value >= exact - 1e-9 && r.value - exact <= 2 * reg * Math.log(n), `reg ${reg}: ${r.value} vs ${exact}`);
  }
});

Deno.test("quality inputs: references are the exact W_2², distances grow from the first pair to the last", () => {
  const inp = qualityInputs(Rng.fromSeed(4), { n: 20, d: 3, pairs: 4 });
  inp.pairs.forEach((p, k) => {
    assertAlmostEquals(inp.refLE![k], emdUniform(leCost(p.xs, p.ys), 20), 1e-14);
    assertAlmostEquals(inp.refAI![k], emdUniform(aiCost(p.xs, p.ys), 20), 1e-14);
  });
  assert(inp.refLE![3] > inp.refLE![0] && inp.refAI![3] > inp.refAI![0]);
});

Deno.test("smoke quality point through runOnce: every method's metrics finite; exact methods reproduce the references", async () => {
  const runs = await runSmokePoints(exp, (p) => p.study === "quality" && p.n === p.qualityN);
  assertEquals(runs.length, 5);
  for (const { run, m } of runs) {
    for (const [k, v] of Object.entries(m)) assert(Number.isFinite(v), `${run.method} ${k} = ${v}`);
    assert(m.spearman_le >= -1 && m.spearman_le <= 1);
    if (run.method === "lew") assertAlmostEquals(m.max_ratio_le, 1, 1e-12);
    if (run.method === "aiw") assertAlmostEquals(m.max_ratio_ai, 1, 1e-12);
    if (run.method === "spdsw" || run.method === "logsw") assert(m.max_ratio_le <= 1);
  }
});

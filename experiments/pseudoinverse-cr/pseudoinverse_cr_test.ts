import { ok as assert } from "node:assert";
import { eye, fromRows, getLinalg, type Mat, randn, toRows, transpose } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { firstCols, formula2, penrose, pinv, randomized, rank, relDiff, reverseOrder } from "./formulas.ts";
import { projectOut, sketches } from "./sketch.ts";
import { makeProduct } from "./data.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const la = getLinalg();
const M = (rows: number[][]) => fromRows(rows) as Mat<Float64Array>;
const close = (x: Mat<Float64Array>, y: number[][], tol = 1e-13) => {
  const d = relDiff(x, M(y));
  assert(d < tol, `got ${JSON.stringify(toRows(x))}, want ${JSON.stringify(y)} (rel ${d})`);
};

Deno.test("pinv: known pseudoinverses of small matrices (rank-one, diagonal with a zero, full column rank)", () => {
  // [1 2; 2 4] = vvᵀ·5/‖v‖²… its pseudoinverse is Aᵀ/‖A‖_F² = Aᵀ/25.
  close(pinv(la, M([[1, 2], [2, 4]])), [[1 / 25, 2 / 25], [2 / 25, 4 / 25]]);
  close(pinv(la, M([[2, 0, 0], [0, 0, 0]])), [[0.5, 0], [0, 0], [0, 0]]);
  // Full column rank: A⁺ = (AᵀA)⁻¹Aᵀ; for A = [1 0; 0 1; 1 1], AᵀA = [2 1; 1 2].
  close(pinv(la, M([[1, 0], [0, 1], [1, 1]])), [[2 / 3, -1 / 3, 1 / 3], [-1 / 3, 2 / 3, 1 / 3]]);
  assert(rank(la, M([[1, 2], [2, 4]])) === 1);
});

Deno.test("pinv: native and pure-JS backends agree in float64 on a rank-deficient product", () => {
  const rng = Rng.fromSeed(3);
  const a = la.matmul(randn(12, 4, rng.split("a")), randn(4, 9, rng.split("b"))) as Mat<Float64Array>;
  const x = pinv(la, a), y = pinv(getLinalg("js"), a);
  assert(relDiff(x, y) < 1e-11, `backends differ by ${relDiff(x, y)}`);
  assert(penrose(la, a, x) < 1e-12);
});

Deno.test("penrose: zero for A⁺, large for a wrong inverse", () => {
  const a = M([[1, 0], [0, 1], [1, 1]]);
  assert(penrose(la, a, pinv(la, a)) < 1e-14);
  assert(penrose(la, a, transpose(a)) > 0.1);
});

Deno.test("formula 1 and 2 on a hand-worked case where C has dependent columns: R⁺C⁺ = 1/2 but A⁺ = 1", () => {
  const c = M([[1, 1]]), r = M([[1], [0]]); // A = CR = [1]
  close(reverseOrder(la, c, r), [[0.5]]);
  close(formula2(la, c, r), [[1]]);
});

Deno.test("formula 1 equals A⁺ for full-rank factors (small integer case)", () => {
  const c = M([[1, 0], [0, 1], [1, 1]]), r = M([[1, 0, 2], [0, 1, 1]]);
  const a = la.matmul(c, r);
  assert(relDiff(reverseOrder(la, c, r), pinv(la, a)) < 1e-13);
});

Deno.test("formula 3: identity sketches give A⁺AA⁺ = A⁺; k < rank A loses it; nested sketches are prefixes", () => {
  const rng = Rng.fromSeed(5);
  const p = makeProduct(la, { m: 9, n: 7, r: 4, factors: "full_rank", drop: 1 }, rng);
  const full = randomized(la, p.a, eye(9) as Mat<Float64Array>, eye(7) as Mat<Float64Array>);
  assert(relDiff(full.x, p.aPlus) < 1e-12);
  const P = randn(9, 4, rng.split("P")) as Mat<Float64Array>, Q = randn(7, 4, rng.split("Q")) as Mat<Float64Array>;
  assert(relDiff(randomized(la, p.a, P, Q).x, p.aPlus) < 1e-11);
  assert(relDiff(randomized(la, p.a, firstCols(P, 3), firstCols(Q, 3)).x, p.aPlus) > 1e-3);
  assert(firstCols(P, 2).data[2] === P.data[4]);
});

Deno.test("rank_losing sketch: Pᵀu = 0 for the removed direction, so rank(PᵀA) < rank A at every k", () => {
  const rng = Rng.fromSeed(9);
  const p = makeProduct(la, { m: 10, n: 8, r: 5, factors: "rank_deficient", drop: 2 }, rng);
  assert(p.rankA === 3 && p.rankC === 3 && p.rankR === 3, `ranks ${p.rankA} ${p.rankC} ${p.rankR}`);
  const { P, Q } = sketches(la, p.a, p.rankA, 7, "rank_losing", rng.split("s"));
  assert(rank(la, la.matmul(P, p.a, { transA: true }) as Mat<Float64Array>) === p.rankA - 1);
  assert(rank(la, la.matmul(p.a, Q) as Mat<Float64Array>) === p.rankA - 1);
  const w = Float64Array.from([0.6, 0.8]);
  const out = projectOut(M([[1, 2], [3, 4]]), w);
  for (let j = 0; j < 2; j++) assert(Math.abs(w[0] * out.data[j] + w[1] * out.data[2 + j]) < 1e-15);
});

Deno.test("smoke pipeline: data → every method → observe/measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric (observed ones too) is declared
  // and finite.
  const smoke = exp.scales.smoke;
  for (const factors of smoke.grid!.factors!) {
    for (const sketch of smoke.grid!.sketch!) {
      const byMethod = await runMethods(exp, { factors, sketch }, { seed: 1 });
      assert(Object.keys(byMethod).length > 0, `${factors}/${sketch}: some method runs`);
    }
  }
});

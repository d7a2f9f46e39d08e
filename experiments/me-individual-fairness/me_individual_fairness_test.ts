import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { gaussian, matmul } from "../../lib/math/lowrank/mod.ts";
import { makeData } from "./data.ts";
import { svt } from "./svt.ts";
import { knnPredict, RIDGE_GRID, ridgePredict, tuned } from "./models.ts";
import { solveSpdSmall } from "../../lib/math/linalg/chol_small.ts";
import { fairness } from "./fairness.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const rng = Rng.fromSeed(11);

Deno.test("SVT on a noiseless fully observed low-rank matrix returns it exactly (rank kept)", () => {
  const a = matmul(gaussian(40, 3, rng.split("u")), gaussian(15, 3, rng.split("v")), { transB: true });
  const out = svt(a, new Uint8Array(40 * 15).fill(1), 0.05);
  assertAlmostEquals(out.kept, 3, 0);
  for (let q = 0; q < a.data.length; q++) assertAlmostEquals(out.a.data[q], a.data[q], 1e-9);
});

Deno.test("SVT with p < 1 rescales by 1/p̂ and denoises: closer to A than the zero-filled data", () => {
  const d = makeData({ n: 200, m: 50, r: 3, p: 0.5, noise: 0.5, labelNoise: 0, trainFrac: 0.5 }, rng.split("d"));
  const est = svt(d.z, d.mask, 1.1).a;
  let eSvt = 0, eRaw = 0, norm = 0;
  for (let q = 0; q < d.a.data.length; q++) {
    eSvt += (est.data[q] - d.a.data[q]) ** 2;
    eRaw += (d.z.data[q] - d.a.data[q]) ** 2;
    norm += d.a.data[q] ** 2;
  }
  if (!(eSvt < 0.5 * eRaw)) throw new Error(`SVT error ${eSvt} not below half the raw error ${eRaw}`);
  if (!(eSvt / norm < 0.5)) throw new Error(`relative SVT error ${eSvt / norm}`);
});

Deno.test("ridge solves the normal equations; kNN with k = 1 copies the nearest training label", () => {
  const g = Float64Array.from([4, 1, 1, 3]), b = Float64Array.from([1, 2]);
  const x = solveSpdSmall(g, b, 2);
  assertAlmostEquals(4 * x[0] + x[1], 1, 1e-12);
  assertAlmostEquals(x[0] + 3 * x[1], 2, 1e-12);
  // exact linear data, tiny ridge: predictions are exact
  const feats = gaussian(30, 4, rng.split("f")), beta = [1, -2, 0.5, 3];
  const y = Float64Array.from({ length: 30 }, (_, i) => beta.reduce((s, bj, j) => s + bj * feats.data[i * 4 + j], 0));
  const pred = ridgePredict(feats, 20, y.subarray(0, 20), 1e-10);
  for (let i = 20; i < 30; i++) assertAlmostEquals(pred[i], y[i], 1e-6);
  const pts = { rows: 3, cols: 1, data: Float64Array.from([0, 10, 9]) };
  assertAlmostEquals(knnPredict(pts, 2, Float64Array.from([5, 7]), 1)[2], 7, 0);
});

Deno.test("fairness: the true outcome map never violates L*, and a constant predictor has ratio 0", () => {
  const d = makeData({ n: 60, m: 20, r: 3, p: 0.7, noise: 1, labelNoise: 0, trainFrac: 0.5 }, rng.split("fair"));
  const truth = fairness(d, d.y);
  assertAlmostEquals(truth.violationRate, 0, 0);
  assertAlmostEquals(truth.mse, 0, 0);
  if (!(truth.q95Ratio <= d.lStar + 1e-12)) throw new Error("true map above its Lipschitz constant");
  const flat = fairness(d, new Float64Array(60).fill(0.3));
  assertAlmostEquals(flat.meanRatio, 0, 0);
  assertAlmostEquals(flat.violationRate, 0, 0);
});

Deno.test("smoke pipeline: data → every method → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, { p: 0.3 });
  assert(Object.keys(byMethod).length === Object.keys(exp.methods).length, "every method runs");
});

Deno.test("held-out tuning: picks the ridge λ with the lowest validation error and never reads test rows", () => {
  // exact linear data: the smallest λ fits best; test rows are NaN so any read of them would poison the choice
  const feats = gaussian(50, 3, rng.split("t")), beta = [2, -1, 0.5];
  const y = Float64Array.from({ length: 40 }, (_, i) => beta.reduce((s, bj, j) => s + bj * feats.data[i * 3 + j], 0));
  const x = { rows: 50, cols: 3, data: feats.data.slice().fill(NaN, 40 * 3) };
  const t = tuned(x, 40, y, RIDGE_GRID, (xx, nFit, yy, h) => {
    if (xx.rows !== 40) return ridgePredict(xx, nFit, yy, h);
    for (let q = 0; q < xx.data.length; q++) if (!Number.isFinite(xx.data[q])) throw new Error("read test rows");
    return ridgePredict(xx, nFit, yy, h);
  });
  assertAlmostEquals(t.chosen, RIDGE_GRID[0], 0);
  assertAlmostEquals(t.pred.length, 50, 0);
});

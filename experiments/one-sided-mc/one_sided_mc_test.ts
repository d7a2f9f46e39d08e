import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { gaussian, gram, type M64, matmul, orthonormalize, randomOrthonormal } from "../../lib/math/lowrank/mod.ts";
import { makeProblem, type Problem } from "./data.ts";
import { gramCompletion, gramLoss, ipwGram, pairStats } from "./gram.ts";
import { altMin, softImputeAls, zeroFillPca } from "./baselines.ts";
import { projectionDistance, sinMaxAngle } from "./subspace.ts";
import { heldOutScore, rowSlice, tuneByHoldout } from "./tuning.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const rng = Rng.fromSeed(3);

/** A problem in which every row reveals every column: the Gram and completion routes must be exact. */
function fullyObserved(n: number, d: number, r: number): Problem {
  const v = randomOrthonormal(d, r, rng.split("fullV"));
  const a = gaussian(n, r, rng.split("fullA"));
  const x = matmul(a, v, { transB: true });
  const cols = new Int32Array(n * d), vals = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      cols[i * d + j] = j;
      vals[i * d + j] = x.data[i * d + j];
    }
  }
  return { n, d, r, perRow: d, cols, vals, v, sigmas: new Float64Array(r).fill(1) };
}

Deno.test("subspace distances: 0 for the same space (any basis), 1 for orthogonal spaces", () => {
  const q = randomOrthonormal(8, 4, rng.split("q"));
  const v = { rows: 8, cols: 2, data: new Float64Array(16) }, w = { rows: 8, cols: 2, data: new Float64Array(16) };
  for (let i = 0; i < 8; i++) {
    for (let l = 0; l < 2; l++) {
      v.data[i * 2 + l] = q.data[i * 4 + l];
      w.data[i * 2 + l] = q.data[i * 4 + 2 + l];
    }
  }
  const rot = orthonormalize({ rows: 8, cols: 2, data: v.data.map((x, k) => x + (k % 2 ? v.data[k - 1] : 0)) });
  assertAlmostEquals(projectionDistance(rot, v), 0, 1e-7);
  assertAlmostEquals(projectionDistance(w, v), 1, 1e-12);
  assertAlmostEquals(sinMaxAngle(w, v), 1, 1e-12);
});

Deno.test("pair statistics on full observation equal XᵀX; IPW Gram is then XᵀX/n", () => {
  const p = fullyObserved(20, 6, 2);
  const st = pairStats(p);
  const x = { rows: 20, cols: 6, data: p.vals };
  const xtx = matmul(x, x, { transA: true });
  for (let q = 0; q < 36; q++) {
    assertAlmostEquals(st.s.data[q], xtx.data[q], 1e-10);
    assertAlmostEquals(st.c.data[q], 20, 0);
    assertAlmostEquals(ipwGram(p, st).data[q], xtx.data[q] / 20, 1e-10);
  }
});

Deno.test("Gram-loss gradient matches finite differences", () => {
  const d = 5, r = 2;
  const g = gram(gaussian(d, r, rng.split("g")));
  const c = { rows: d, cols: d, data: Float64Array.from({ length: d * d }, (_, q) => (q * 7) % 3) };
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) c.data[j * d + k] = c.data[k * d + j]; // symmetric weights
  const u = gaussian(d, r, rng.split("u"));
  const { grad } = gramLoss(g, c, 1.3, u);
  const h = 1e-6;
  for (let q = 0; q < d * r; q++) {
    const up = { ...u, data: u.data.slice() }, dn = { ...u, data: u.data.slice() };
    up.data[q] += h;
    dn.data[q] -= h;
    const fd = (gramLoss(g, c, 1.3, up).loss - gramLoss(g, c, 1.3, dn).loss) / (2 * h);
    assertAlmostEquals(grad.data[q], fd, 1e-7);
  }
});

Deno.test("noiseless, fully observed: Gram completion, zero-fill PCA, softImpute and AltMin recover V exactly", () => {
  const p = fullyObserved(40, 8, 2);
  assertAlmostEquals(
    projectionDistance(
      orthonormalize(gramCompletion(p, { r: 2, iters: 50, stepScale: 0.5, weighting: "count" }).u),
      p.v,
    ),
    0,
    1e-6,
  );
  assertAlmostEquals(projectionDistance(zeroFillPca(p), p.v), 0, 1e-8);
  assertAlmostEquals(projectionDistance(softImputeAls(p, { iters: 30, lambda: 1e-8 }), p.v), 0, 1e-6);
  assertAlmostEquals(projectionDistance(altMin(p, { iters: 10, mu: 1e-10 }), p.v), 0, 1e-6);
});

Deno.test("exact Gram completion: a rank-r PSD matrix with a random half of its entries observed is recovered by GD", () => {
  const d = 20, r = 2;
  const u0 = gaussian(d, r, rng.split("truth"));
  const g = gram(u0);
  const maskRng = rng.split("mask");
  const c = { rows: d, cols: d, data: new Float64Array(d * d) };
  for (let j = 0; j < d; j++) {
    c.data[j * d + j] = 1;
    for (let k = 0; k < j; k++) if (maskRng.uniform() < 0.5) c.data[j * d + k] = c.data[k * d + j] = 1;
  }
  let u: M64 = orthonormalize(gaussian(d, r, rng.split("init")));
  const cbar = c.data.reduce((a, b) => a + b, 0) / (d * d);
  for (let t = 0; t < 3000; t++) {
    const { grad } = gramLoss(g, c, cbar, u);
    u = { ...u, data: u.data.map((v, q) => v - 0.02 * grad.data[q]) };
  }
  assertAlmostEquals(projectionDistance(orthonormalize(u), orthonormalize(u0)), 0, 1e-6);
});

Deno.test("data: exactly perRow distinct observed columns per row; 4 products per row", () => {
  const p = makeProblem({ n: 200, d: 10, r: 3, kappa: 2, perRow: 2, noise: 0 }, rng.split("data"));
  for (let i = 0; i < p.n; i++) if (p.cols[2 * i] === p.cols[2 * i + 1]) throw new Error(`row ${i} repeats a column`);
  const st = pairStats(p);
  assertAlmostEquals(st.c.data.reduce((a, b) => a + b, 0), 4 * p.n, 0);
});

Deno.test("smoke pipeline: data → every method → measure gives finite metrics in [0, 1]", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, { n: 1000 });
  for (const [name, metrics] of Object.entries(byMethod)) {
    for (const [k, v] of Object.entries(metrics)) {
      if (k === "iters" || k === "time_ms" || k.startsWith("hp.")) continue;
      // distances are in [0, 1], the observed series (proj_dist_iter) too
      for (const x of typeof v === "number" ? [v] : Object.values(v)) {
        if (!(x >= 0 && x <= 1 + 1e-12)) throw new Error(`${name}: ${k} = ${x}`);
      }
    }
  }
});

Deno.test("accelerated GD reaches the same stationary point as plain small-step GD on the Gram loss", () => {
  const p = makeProblem({ n: 3000, d: 12, r: 2, kappa: 2, perRow: 2, noise: 0 }, rng.split("gd"));
  const fast = gramCompletion(p, { r: 2, iters: 20000, stepScale: 0.5, weighting: "uniform", tol: 1e-10 });
  const st = pairStats(p), d = 12;
  const c = { rows: d, cols: d, data: st.c.data.map((v) => (v > 0 ? 1 : 0)) };
  const cbar = c.data.reduce((a, b) => a + b, 0) / (d * d);
  const { grad } = gramLoss(fast.gram, c, cbar, fast.u);
  const gnorm = Math.sqrt(grad.data.reduce((a, b) => a + b * b, 0));
  assertAlmostEquals(gnorm, 0, 1e-8); // a stationary point of the same loss
  if (!(fast.iters < 20000)) throw new Error(`did not stop on tolerance: ${fast.iters}`);
});

Deno.test("AltMin and softImpute stop on their tolerance and report the iteration count", () => {
  const p = fullyObserved(60, 8, 2);
  const s1 = { iters: 0 }, s2 = { iters: 0 };
  altMin(p, { iters: 500, mu: 1e-6, tol: 1e-9, stats: s1 });
  softImputeAls(p, { iters: 500, lambda: 1e-6, tol: 1e-9, stats: s2 });
  if (!(s1.iters > 0 && s1.iters < 500 && s2.iters > 0 && s2.iters < 500)) throw new Error(`${s1.iters} ${s2.iters}`);
});

Deno.test("held-out score: depends only on span(V̂); the true V scores below a random subspace", () => {
  const p = makeProblem({ n: 20000, d: 10, r: 2, kappa: 2, perRow: 2, noise: 0 }, rng.split("hold"));
  const hold = rowSlice(p, 10000, 20000);
  const rot = { rows: 10, cols: 2, data: new Float64Array(20) };
  const c = Math.cos(0.7), s = Math.sin(0.7);
  for (let i = 0; i < 10; i++) {
    rot.data[i * 2] = c * p.v.data[i * 2] - s * p.v.data[i * 2 + 1];
    rot.data[i * 2 + 1] = s * p.v.data[i * 2] + c * p.v.data[i * 2 + 1];
  }
  const truth = heldOutScore(p.v, hold);
  assertAlmostEquals(heldOutScore(rot, hold), truth, 1e-9 * truth);
  const other = randomOrthonormal(10, 2, rng.split("other"));
  if (!(truth < heldOutScore(other, hold))) throw new Error("true subspace should score lower");
  // tuneByHoldout picks the grid value whose fit is the true subspace, and refits it on all rows
  const t = tuneByHoldout(p, 0.2, [0, 1], (_q, v, final) => ({ v: v === 1 ? p.v : other, final }), (o) => o.v);
  if (t.value !== 1 || !t.out.final) throw new Error(`chose ${t.value}`);
});

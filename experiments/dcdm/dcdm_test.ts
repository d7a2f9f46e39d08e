import { ok } from "node:assert";
import { centralDifferences } from "../../lib/testdata/gradcheck.ts";
import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { cg, dot, norm2, poisson2d, poissonEigenvalues, toDense } from "../../lib/math/solvers/mod.ts";
import { initNet, lossAndGrad, predict } from "./cnn.ts";
import { ritzVectors } from "./data.ts";
import { dcdmSolve } from "./dcdm.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

Deno.test("cnn: backprop gradient matches central finite differences", () => {
  const rng = Rng.fromSeed(0), A = poisson2d(6), net = initNet(3, () => rng.uniform());
  for (let i = 0; i < net.theta.length; i++) net.theta[i] += 0.05 * rng.normal(); // nonzero biases too
  const b = rng.normal(A.n), g = new Float64Array(net.theta.length);
  lossAndGrad(net, A, b, g);
  const every7 = Array.from({ length: Math.ceil(net.theta.length / 7) }, (_, i) => 7 * i);
  const fd = centralDifferences(() => lossAndGrad(net, A, b, null), net.theta, 1e-6, every7);
  for (const k of every7) {
    assertAlmostEquals(g[k], fd[k], 1e-6 + 1e-4 * Math.abs(fd[k]), `param ${k}: ${g[k]} vs ${fd[k]}`);
  }
  ok(every7.length > 100);
});

Deno.test("cnn: the DCDM loss is invariant to the scale of the network output", () => {
  const rng = Rng.fromSeed(1), A = poisson2d(6), net = initNet(2, () => rng.uniform()), b = rng.normal(A.n);
  const l1 = lossAndGrad(net, A, b, null);
  const { off, size } = net.layout["last.k"], bo = net.layout["last.b"].off;
  for (let i = off; i < off + size; i++) net.theta[i] *= -3;
  net.theta[bo] *= -3;
  assertAlmostEquals(lossAndGrad(net, A, b, null), l1, 1e-9 * l1);
});

Deno.test("dcdm: one step with the exact inverse; equals CG's iteration count with q = r", () => {
  const A = poisson2d(8, 0), n = A.n, b = Rng.fromSeed(2).normal(n), D = mat(n, n, toDense(A));
  const exact = dcdmSolve(A, b, (r) => getLinalg().solve(D, mat(n, 1, r)).data as Float64Array, {
    tol: 1e-10,
    maxIter: 5,
  });
  assertAlmostEquals(exact.iterations, 1, 0);
  // with q = r, A-orthogonalizing against the last direction already gives CG's directions (exact arithmetic)
  const asCg = dcdmSolve(A, b, (r) => r, { tol: 1e-6, maxIter: 500 }),
    ref = cg(A.apply, b, { tol: 1e-6, maxIter: 500 });
  ok(Math.abs(asCg.iterations - ref.iterations) <= 1, `${asCg.iterations} vs ${ref.iterations}`);
});

Deno.test("ritzVectors: full Lanczos reproduces A's spectrum with orthonormal eigenvectors", () => {
  const A = poisson2d(5, 0.1), { values, vectors } = ritzVectors(A, A.n, Rng.fromSeed(3));
  const ev = poissonEigenvalues(5, 0.1);
  // Krylov space of a generic start vector is all of ℝⁿ only for simple eigenvalues; check the extremes and orthonormality
  assertAlmostEquals(values[0], ev[0], 1e-8);
  assertAlmostEquals(values[values.length - 1], ev[ev.length - 1], 1e-8);
  const av = new Float64Array(A.n);
  for (let i = 0; i < vectors.length; i++) {
    assertAlmostEquals(norm2(vectors[i]), 1, 1e-8);
    if (i > 0) assertAlmostEquals(dot(vectors[i], vectors[i - 1]), 0, 1e-8);
  }
  A.apply(vectors[0], av);
  for (let i = 0; i < A.n; i++) assertAlmostEquals(av[i], values[0] * vectors[0][i], 1e-6);
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  Deno.env.set("REPRO_CACHE_DIR", await Deno.makeTempDir());
  const cfg = exp.config.parse({
    m: 8,
    trainGrid: 8,
    steps: 4,
    batch: 2,
    trainCount: 8,
    testCount: 2,
    rhs: "bumps",
    maxIter: 80,
  });
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, cfg);
  for (const [name, metrics] of Object.entries(byMethod)) {
    for (const [k, v] of Object.entries(metrics)) ok(typeof v === "number" || v.length > 0, `${name}.${k}`);
    if (name !== "dcdm") ok((metrics.converged as number) === 1, `${name} converged`); // a 4-step net may stall
  }
  const data = await exp.data(cfg, { seed: 0, rng: Rng.fromSeed(0).split("data") });
  ok(predict(data.net, new Float64Array(64).fill(1), 8).every(Number.isFinite));
});

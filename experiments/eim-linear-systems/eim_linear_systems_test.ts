import { ok as assert } from "node:assert";
import { assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { apply, assemble, chebPoints, lagrange, norm2, relDiff, solve } from "./bvp.ts";
import { eimCoeffs, eimGreedy, eimInterpolate, gaussSolve, toSnapshotCoeffs } from "./eim.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const bvp = { n: 30, kappa: 10, width: 0.1, twoParams: true };

Deno.test("tridiagonal solve: A u = 1 to rounding, and the constant-coefficient case matches x(1−x)/2", () => {
  const a = assemble(bvp, [0.4, 0.1]);
  const u = solve(bvp.n, a);
  const r = apply(bvp.n, a, u);
  for (const v of r) assertAlmostEquals(v, 1, 1e-10);
  const flat = assemble({ ...bvp, kappa: 0 }, [0.5, 0.1]);
  const h = 1 / (bvp.n + 1);
  solve(bvp.n, flat).forEach((v, i) => assertAlmostEquals(v, (i + 1) * h * (1 - (i + 1) * h) / 2, 1e-12));
});

Deno.test("storage: ℓ2 norm of the vector is the Frobenius norm of the symmetric matrix", () => {
  const a = assemble(bvp, [0.3, 0.07]);
  let f = 0;
  for (let i = 0; i < bvp.n; i++) {
    f += a[i] ** 2;
    if (i < bvp.n - 1) f += 2 * (a[bvp.n + i] / Math.SQRT2) ** 2;
  }
  assertAlmostEquals(norm2(a), Math.sqrt(f), 1e-9);
});

Deno.test("EIM is exact on a rank-3 family after 3 terms and interpolates at the magic entries", () => {
  const r = Rng.fromSeed(2);
  const basis = [0, 1, 2].map(() => r.normal(20) as Float64Array);
  const f = (t: number) => basis[0].map((_, i) => basis[0][i] + Math.sin(3 * t) * basis[1][i] + t * t * basis[2][i]);
  const snaps = Array.from({ length: 30 }, (_, j) => f(j / 29));
  const e = eimGreedy(snaps, 10, 1e-12);
  assertEquals(e.q.length, 3);
  const g = f(0.37);
  const approx = eimInterpolate(e, e.magic.map((i) => g[i]));
  assert(relDiff(approx, g) < 1e-12);
  // interpolation property at every M
  const h = f(0.81);
  for (let M = 1; M <= 3; M++) {
    const a = eimInterpolate(e, e.magic.slice(0, M).map((i) => h[i]), M);
    for (let l = 0; l < M; l++) assertAlmostEquals(a[e.magic[l]], h[e.magic[l]], 1e-10);
  }
  // the separated form Σ γ_m f(μ_m) reproduces the same interpolant
  const beta = eimCoeffs(e, e.magic.map((i) => g[i]));
  const gamma = toSnapshotCoeffs(e, snaps, beta);
  const sep = new Float64Array(20);
  e.picks.forEach((j, m) => snaps[j].forEach((v, i) => sep[i] += gamma[m] * v));
  assert(relDiff(sep, approx) < 1e-10);
});

Deno.test("EIM on the BVP matrices: greedy error decreases and the error at training points is ≤ the greedy bound", () => {
  const rng = Rng.fromSeed(4);
  const train = Array.from(
    { length: 60 },
    () => [0.2 + 0.6 * rng.uniform(), 0.05 + 0.15 * rng.uniform()] as [number, number],
  );
  const snaps = train.map((mu) => assemble(bvp, mu));
  const e = eimGreedy(snaps, 20);
  assert(e.greedyErr[19] < 1e-2 * e.greedyErr[0]);
  const next = eimGreedy(snaps, 21).greedyErr[20];
  for (const s of snaps) {
    const a = eimInterpolate(e, e.magic.map((i) => s[i]));
    let m = 0;
    for (let i = 0; i < s.length; i++) m = Math.max(m, Math.abs(a[i] - s[i]));
    assert(m <= next * (1 + 1e-9));
  }
});

Deno.test("Lagrange/Chebyshev interpolation reproduces a cubic exactly with 4 nodes", () => {
  const nodes = chebPoints(4, 0.2, 0.8);
  const p = (x: number) => 1 - 2 * x + 3 * x ** 3;
  const l = lagrange(nodes, 0.55);
  assertAlmostEquals(l.reduce((s, v, j) => s + v * p(nodes[j]), 0), p(0.55), 1e-12);
});

Deno.test("gaussSolve solves a pivoting-requiring system", () => {
  const x = gaussSolve([Float64Array.of(0, 1), Float64Array.of(2, 1)], Float64Array.of(1, 3));
  assertAlmostEquals(x[0], 1, 1e-15);
  assertAlmostEquals(x[1], 1, 1e-15);
});

Deno.test("smoke pipeline: every method gives finite, decreasing errors", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite;
  // observed metrics (mat_err) come back as series by step.
  const byMethod = await runMethods(exp, { params: 2, nTrain: 60, nTest: 5, mMax: 16 });
  for (const [name, met] of Object.entries(byMethod)) {
    const errs = Object.values(met.mat_err ?? []); // the observed steps, in order
    assert(errs.length > 0, name);
    if (name !== "chebyshev") assert(errs[errs.length - 1] < errs[0], `${name} did not improve`);
  }
});

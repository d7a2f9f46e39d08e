import { ok } from "node:assert";
import { assertAlmostEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { getLinalg, mat } from "../linalg/mod.ts";
import { cg, ic0, norm2, pcg, poisson2d, poissonEigenvalues, sorIterations, sorSweep, toDense } from "./mod.ts";

const la = getLinalg();

Deno.test("poisson2d: dense matrix is symmetric with the closed-form eigenvalues", () => {
  const A = poisson2d(5, 0.3), D = toDense(A), n = A.n;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assertAlmostEquals(D[i * n + j], D[j * n + i], 0);
  const ev = la.eigh(mat(n, n, D)).values, ref = poissonEigenvalues(5, 0.3);
  for (let i = 0; i < n; i++) assertAlmostEquals(ev[i], ref[i], 1e-12);
});

Deno.test("cg: exact in at most n steps on a small SPD system and matches a dense solve", () => {
  const A = poisson2d(3, 0.1), b = Rng.fromSeed(1).normal(A.n);
  const res = cg(A.apply, b, { tol: 1e-12, maxIter: 50 });
  ok(res.converged && res.iterations <= A.n, `iterations ${res.iterations}`);
  const x = la.solve(mat(A.n, A.n, toDense(A)), mat(A.n, 1, b)).data;
  for (let i = 0; i < A.n; i++) assertAlmostEquals(res.x[i], x[i], 1e-10);
});

Deno.test("pcg with IC(0): L Lᵀ agrees with A on A's pattern, and it needs fewer iterations than CG", () => {
  const A = poisson2d(4, 0), n = A.n, P = ic0(A), Minv = new Float64Array(n * n), e = new Float64Array(n);
  const z = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    P(e, z);
    for (let i = 0; i < n; i++) Minv[i * n + j] = z[i];
  }
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  const M = la.solve(mat(n, n, Minv), mat(n, n, eye)).data, D = toDense(A);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (D[i * n + j] !== 0) assertAlmostEquals(M[i * n + j], D[i * n + j], 1e-10);
  }
  const B = poisson2d(24), b = Rng.fromSeed(2).normal(B.n);
  const plain = cg(B.apply, b, { tol: 1e-6, maxIter: 2000 }),
    pre = pcg(B.apply, b, ic0(B), { tol: 1e-6, maxIter: 2000 });
  ok(pre.converged && pre.iterations < 0.7 * plain.iterations, `IC-PCG ${pre.iterations} vs CG ${plain.iterations}`);
});

Deno.test("sorSweep is x + (D/ω + L)⁻¹(b − A x)", () => {
  const A = poisson2d(4, 0.2), n = A.n, D = toDense(A), omega = 1.3, rng = Rng.fromSeed(3);
  const b = rng.normal(n), x = rng.normal(n), r = new Float64Array(n);
  A.apply(x, r);
  for (let i = 0; i < n; i++) r[i] = b[i] - r[i];
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) M[i * n + j] = i === j ? D[i * n + i] / omega : D[i * n + j];
  const dx = la.triSolve(mat(n, n, M), mat(n, 1, r), { lower: true }).data, y = Float64Array.from(x);
  sorSweep(A, b, y, omega);
  for (let i = 0; i < n; i++) assertAlmostEquals(y[i], x[i] + dx[i], 1e-12);
});

Deno.test("SOR converges on SPD A for 0 < ω < 2 and not for ω outside", () => {
  const A = poisson2d(8, 0.05), b = Rng.fromSeed(4).normal(A.n), opts = { tol: 1e-8, maxIter: 5000 };
  for (const w of [0.5, 1, 1.5, 1.9]) ok(sorIterations(A, b, w, opts) < 5000, `ω=${w}`);
  assertAlmostEquals(sorIterations(A, b, 2.2, opts), 5000, 0);
  // the iterate really solves the system
  const x = new Float64Array(A.n), r = new Float64Array(A.n);
  for (let k = 0; k < 300; k++) sorSweep(A, b, x, 1.5);
  A.apply(x, r);
  for (let i = 0; i < A.n; i++) r[i] -= b[i];
  ok(norm2(r) / norm2(b) < 1e-8);
});

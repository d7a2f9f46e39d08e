import { ok } from "node:assert";
import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { pcg, poisson2d } from "../../lib/math/solvers/mod.ts";
import { darcyMatrix, darcyRhs, greedySort, tourLength } from "./darcy.ts";
import { deflatedPcg, recycledSequence, ritzUpdate } from "./defcg.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const la = getLinalg();
const dense = (apply: (x: Float64Array, y: Float64Array) => void, n: number) => {
  const D = new Float64Array(n * n), e = new Float64Array(n), c = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0), e[j] = 1, apply(e, c);
    for (let i = 0; i < n; i++) D[i * n + j] = c[i];
  }
  return D;
};
const theta = (seed: number) => Float64Array.from(Rng.fromSeed(seed).normal(8));

Deno.test("darcyMatrix: θ = 0 is the 5-point Laplacian; random θ gives a symmetric positive definite matrix", () => {
  const A = darcyMatrix(5, new Float64Array(8)), P = poisson2d(5), n = 25;
  const DA = dense(A.apply, n), DP = dense(P.apply, n);
  for (let i = 0; i < n * n; i++) assertAlmostEquals(DA[i], DP[i], 1e-14);
  const B = dense(darcyMatrix(6, theta(1)).apply, 36);
  for (let i = 0; i < 36; i++) for (let j = 0; j < 36; j++) assertAlmostEquals(B[i * 36 + j], B[j * 36 + i], 1e-14);
  ok(la.eigh(mat(36, 36, B)).values[0] > 0);
});

Deno.test("deflatedPcg with k = 0 is Jacobi-PCG of lib/math/solvers, iteration for iteration", () => {
  const A = darcyMatrix(16, theta(2)), b = darcyRhs(16), opts = { tol: 1e-8, maxIter: 2000, k: 0, ell: 10 };
  const ref = pcg(A.apply, b, (r, z) => {
    for (let i = 0; i < r.length; i++) z[i] = r[i] / A.diag[i];
  }, opts);
  const ours = deflatedPcg(A.apply, A.diag, b, [], opts).stats;
  ok(ours.converged && ours.iterations === ref.iterations, `${ours.iterations} vs ${ref.iterations}`);
  for (let i = 0; i < b.length; i++) assertAlmostEquals(ours.x[i], ref.x[i], 1e-10);
});

Deno.test("ritzUpdate recovers the smallest eigenpairs of (A, diag A) from a basis containing them", () => {
  const A = darcyMatrix(6, theta(3)),
    n = 36,
    D = dense(A.apply, n),
    s = new Float64Array(n).map((_, i) => 1 / Math.sqrt(A.diag[i]));
  const S = new Float64Array(n * n); // S = D^-1/2 A D^-1/2
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = s[i] * D[i * n + j] * s[j];
  const { values, vectors } = la.eigh(mat(n, n, S));
  const rng = Rng.fromSeed(4), Z: Float64Array[] = [];
  for (let c = 0; c < 3; c++) Z.push(Float64Array.from({ length: n }, (_, i) => s[i] * vectors.data[i * n + c])); // exact
  for (let c = 0; c < 5; c++) Z.push(rng.normal(n)); // plus noise directions
  const AZ = Z.map((z) => {
    const y = new Float64Array(n);
    A.apply(z, y);
    return y;
  });
  const W = ritzUpdate(Z, AZ, A.diag, 3, Z.length); // kw = all: full G
  const y = new Float64Array(n);
  W.forEach((w, c) => { // Rayleigh quotient wᵀAw / wᵀMw = λ_c
    A.apply(w, y);
    let num = 0, den = 0;
    for (let i = 0; i < n; i++) num += w[i] * y[i], den += w[i] * w[i] * A.diag[i];
    assertAlmostEquals(num / den, values[c], 1e-9);
  });
});

Deno.test("recycling on a sequence: correct solutions and fewer iterations than independent PCG", () => {
  const m = 20, b = darcyRhs(m), thetas = [5, 6, 7, 8, 9].map((s) => theta(s).map((x) => 0.3 * x));
  const systems = thetas.map((t) => ({ ...darcyMatrix(m, t), b }));
  const order = [0, 1, 2, 3, 4], opts = { tol: 1e-10, maxIter: 3000, ell: 20 };
  const ind = recycledSequence(systems, order, { ...opts, k: 0 }),
    rec = recycledSequence(systems, order, { ...opts, k: 8 });
  const r = new Float64Array(b.length);
  rec.forEach((st, t) => {
    systems[t].apply(st.x, r);
    let e = 0;
    for (let i = 0; i < r.length; i++) e += (b[i] - r[i]) ** 2;
    ok(Math.sqrt(e) / Math.hypot(...b) < 1e-9, `system ${t}`);
  });
  const sum = (a: { iterations: number }[]) => a.slice(1).reduce((s, x) => s + x.iterations, 0);
  ok(sum(rec) < 0.9 * sum(ind), `recycled ${sum(rec)} vs independent ${sum(ind)}`);
});

Deno.test("greedySort: a permutation whose tour is no longer than the natural order on random points", () => {
  const rng = Rng.fromSeed(10), th = Array.from({ length: 40 }, () => Float64Array.from(rng.normal(3)));
  const o = greedySort(th);
  ok([...o].sort((a, b) => a - b).every((v, i) => v === i));
  ok(tourLength(th, o) < tourLength(th, th.map((_, i) => i)));
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  for (const [name, mets] of Object.entries(await runMethods(exp))) {
    ok((mets.true_residual as number) < 1e-7, `${name} residual`);
  }
});

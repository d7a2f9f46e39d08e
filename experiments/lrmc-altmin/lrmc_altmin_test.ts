/**
 * Tests for lrmc-altmin: each kernel against an independent reference (ml-matrix), the solvers against
 * exact least squares, AltMin against exact recovery, and the smoke-scale pipeline for finite metrics.
 */
import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { EigenvalueDecomposition, Matrix, solve } from "ml-matrix";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { spdSystem } from "../../lib/testdata/systems.ts";
import { cholesky, householderQr, relErrorFactored } from "./dense.ts";
import { cholSolveSmall } from "../../lib/math/linalg/chol_small.ts";
import { type Csr, makeInstance } from "./data.ts";
import { solveRowsExact, solveRowsSketched } from "./lsq.ts";
import { altMin, jacobiEigenvectors } from "./altmin.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const assertClose = (a: number, b: number, tol: number, what: string) =>
  assertAlmostEquals(a, b, tol, `${what}: ${a} vs ${b} (tol ${tol})`);

Deno.test("cholesky reads only the Gram's upper triangle (the row solves fill that half); indefinite rejected", () => {
  const k = 7, { g, rhs, ref } = spdSystem(1, k), x = Float64Array.from(rhs);
  for (let i = 1; i < k; i++) for (let j = 0; j < i; j++) g[i * k + j] = NaN;
  assert(cholesky(g, k), "SPD matrix must factor");
  cholSolveSmall(g, k, x);
  for (let i = 0; i < k; i++) assertClose(x[i], ref[i], 1e-10 * (1 + Math.abs(ref[i])), `x[${i}]`);
  assert(!cholesky(new Float64Array([1, 2, 2, 1]), 2), "indefinite matrix must be rejected");
});

Deno.test("householderQr: QᵀQ = I and Q·R = A", () => {
  const rng = Rng.fromSeed(2), m = 30, c = 5;
  const a = rng.normal(m * c);
  const { q, r } = householderQr(a, m, c);
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let t = 0; t < m; t++) s += q![t * c + i] * q![t * c + j];
      assertClose(s, i === j ? 1 : 0, 1e-13, `QᵀQ[${i},${j}]`);
    }
    for (let j = 0; j < i; j++) assert(r[i * c + j] === 0, "R upper triangular");
  }
  for (let t = 0; t < m; t++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let l = 0; l < c; l++) s += q![t * c + l] * r[l * c + j];
      assertClose(s, a[t * c + j], 1e-13, `QR[${t},${j}]`);
    }
  }
});

Deno.test("relErrorFactored equals the dense ‖UVᵀ − M‖_F/‖M‖_F, and resolves 1e-10 errors", () => {
  const rng = Rng.fromSeed(3), n = 25, k = 3;
  const d = makeInstance({ n, k, p: 0.5, kappa: 2 }, rng);
  const dense = (u: Float64Array, v: Float64Array) => {
    let num = 0, den = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let x = 0, m = 0;
        for (let l = 0; l < k; l++) {
          x += u[i * k + l] * v[j * k + l];
          m += d.uStar[i * k + l] * d.sigma[l] * d.vStar[j * k + l];
        }
        num += (x - m) ** 2;
        den += m * m;
      }
    }
    return Math.sqrt(num / den);
  };
  const u = rng.normal(n * k), v = rng.normal(n * k);
  assertClose(relErrorFactored(u, v, d.uStar, d.vStar, d.sigma, n, k), dense(u, v), 1e-12, "random U, V");
  // U = U*Σ + δ·G, V = V*: the error is δ·‖G‖_F/‖σ‖, far below where a trace formula would cancel to noise.
  const delta = 1e-10, gN = rng.normal(n * k);
  const u2 = new Float64Array(n * k);
  let g2 = 0, s2 = 0;
  for (let i = 0; i < n * k; i++) {
    u2[i] = d.uStar[i] * d.sigma[i % k] + delta * gN[i];
    g2 += gN[i] ** 2;
  }
  for (const s of d.sigma) s2 += s * s;
  const want = (delta * Math.sqrt(g2)) / Math.sqrt(s2);
  const got = relErrorFactored(u2, d.vStar, d.uStar, d.vStar, d.sigma, n, k);
  assertClose(got / want, 1, 1e-3, "tiny error measured to 0.1%");
});

Deno.test("data: Ω has density ≈ p, by-row and by-column storage agree with U*ΣV*ᵀ", () => {
  const n = 300, k = 4, p = 0.2;
  const d = makeInstance({ n, k, p, kappa: 3 }, Rng.fromSeed(4));
  const nnz = d.byRow.idx.length;
  assertClose(nnz / (n * n), p, 0.01, "sampling density"); // sd ≈ 0.0013
  assert(d.byCol.idx.length === nnz, "same entries by column");
  let sum = 0;
  for (let j = 0; j < n; j++) {
    for (let e = d.byCol.ptr[j]; e < d.byCol.ptr[j + 1]; e++) {
      const i = d.byCol.idx[e];
      let m = 0;
      for (let l = 0; l < k; l++) m += d.uStar[i * k + l] * d.sigma[l] * d.vStar[j * k + l];
      assertClose(d.byCol.val[e], m, 1e-14, `M[${i},${j}]`);
      sum += 1;
    }
  }
  assert(sum === nnz, "every entry visited");
  assert(d.mu >= 1 && d.mu <= Math.sqrt(n / k), "incoherence in [1, √(n/k)]");
});

/** A tiny regression problem: 3 output rows, each with its own observed subset of F's rows. */
function tinyProblem(seed: number, k: number, lens: number[]) {
  const rng = Rng.fromSeed(seed), nF = 400;
  const f = rng.normal(nF * k);
  const idx: number[] = [], val: number[] = [], ptr = [0];
  for (const len of lens) {
    const perm = rng.permutation(nF).slice(0, len).sort();
    for (const j of perm) {
      idx.push(j);
      val.push(rng.normal());
    }
    ptr.push(idx.length);
  }
  const a: Csr = { ptr: Int32Array.from(ptr), idx: Int32Array.from(idx), val: Float64Array.from(val) };
  const refs = lens.map((_, r) => {
    const rows = Array.from(a.idx.slice(a.ptr[r], a.ptr[r + 1]), (j) => Array.from(f.slice(j * k, j * k + k)));
    const b = Array.from(a.val.slice(a.ptr[r], a.ptr[r + 1]));
    return { x: solve(new Matrix(rows), Matrix.columnVector(b)).getColumn(0), rows, b };
  });
  return { f, a, refs, nOut: lens.length };
}

const residual = (rows: number[][], b: number[], x: ArrayLike<number>) =>
  Math.sqrt(rows.reduce((s, row, t) => s + (row.reduce((u, v, l) => u + v * x[l], 0) - b[t]) ** 2, 0));

Deno.test("solveRowsExact matches ml-matrix least squares", () => {
  const k = 6, { f, a, refs, nOut } = tinyProblem(5, k, [40, 90, 7]);
  const { x, stats } = solveRowsExact(f, k, a, nOut);
  assert(stats.fallbacks === 0, "no fallback on full-rank rows");
  refs.forEach((ref, r) => {
    for (let l = 0; l < k; l++) assertClose(x[r * k + l], ref.x[l], 1e-9, `row ${r} x[${l}]`);
  });
});

Deno.test("BLAS Grams (native) give the same exact and sketched solves as the plain loops", () => {
  const k = 6, { f, a, nOut } = tinyProblem(11, k, [40, 90, 7, 300]);
  const la = getLinalg("auto");
  const loop = solveRowsExact(f, k, a, nOut).x, blas = solveRowsExact(f, k, a, nOut, la).x;
  for (let i = 0; i < loop.length; i++) assertClose(blas[i], loop[i], 1e-10, `exact x[${i}]`);
  const opts = { sketchRows: 4 * k, iters: 2 };
  const sl = solveRowsSketched(f, k, a, nOut, { ...opts, rng: Rng.fromSeed(3) }).x;
  const sb = solveRowsSketched(f, k, a, nOut, { ...opts, rng: Rng.fromSeed(3), la }).x;
  for (let i = 0; i < sl.length; i++) assertClose(sb[i], sl[i], 1e-10, `sketch x[${i}]`);
});

Deno.test("solveRowsSketched: converges to the exact solution; CG steps shrink the error; never beats optimal", () => {
  const k = 6, { f, a, refs, nOut } = tinyProblem(6, k, [120, 300, 60]);
  const run = (iters: number) => solveRowsSketched(f, k, a, nOut, { sketchRows: 4 * k, iters, rng: Rng.fromSeed(7) }).x;
  const many = run(40);
  refs.forEach((ref, r) => {
    for (let l = 0; l < k; l++) assertClose(many[r * k + l], ref.x[l], 1e-9, `row ${r} x[${l}] after 40 CG steps`);
  });
  const errOf = (x: Float64Array, r: number) => {
    const ref = refs[r];
    return residual(ref.rows, ref.b, x.slice(r * k, r * k + k)) - residual(ref.rows, ref.b, ref.x);
  };
  const x0 = run(0), x1 = run(1), x3 = run(3);
  for (let r = 0; r < nOut; r++) {
    assert(errOf(x0, r) >= -1e-12, "sketch-and-solve residual ≥ optimal");
    assert(
      errOf(x3, r) <= errOf(x1, r) + 1e-14 && errOf(x1, r) <= errOf(x0, r) + 1e-14,
      `monotone in CG steps, row ${r}`,
    );
  }
  // rows with |Ω_r| ≤ s go to the exact solve
  const small = solveRowsSketched(f, k, a, nOut, { sketchRows: 100, iters: 1, rng: Rng.fromSeed(7) });
  assert(small.stats.small === 1, "the 60-entry row is solved exactly when s = 100");
});

Deno.test("jacobiEigenvectors diagonalizes a symmetric matrix (vs ml-matrix eigenvalues)", () => {
  const rng = Rng.fromSeed(8), k = 6;
  const b = new Matrix(Array.from({ length: k }, () => Array.from(rng.normal(k))));
  const h = b.add(b.transpose());
  const v = new Matrix(
    Array.from(
      { length: k },
      (_, i) => Array.from(jacobiEigenvectors(Float64Array.from(h.to1DArray()), k).slice(i * k, i * k + k)),
    ),
  );
  const d = v.transpose().mmul(h).mmul(v);
  const got = Array.from({ length: k }, (_, i) => d.get(i, i)).sort((x, y) => x - y);
  const want = new EigenvalueDecomposition(h).realEigenvalues.sort((x, y) => x - y);
  for (let i = 0; i < k; i++) {
    assertClose(got[i], want[i], 1e-10, `eigenvalue ${i}`);
    for (let j = 0; j < k; j++) if (i !== j) assertClose(d.get(i, j), 0, 1e-10, `off-diagonal ${i},${j}`);
  }
});

Deno.test("altMin recovers a well-sampled rank-k matrix, exact and sketched alike", () => {
  const d = makeInstance({ n: 300, k: 5, p: 0.3, kappa: 3 }, Rng.fromSeed(9));
  for (const solver of [{ kind: "exact" } as const, { kind: "sketch", sketchRows: 20, iters: 2 } as const]) {
    const errs: number[] = [];
    const out = altMin(
      d,
      { solver, maxIters: 40, tol: 1e-10, powerIters: 10, clip: true },
      Rng.fromSeed(10),
      (_t, s) => {
        errs.push(relErrorFactored(s.u, s.v, d.uStar, d.vStar, d.sigma, d.n, d.k));
      },
    );
    const final = relErrorFactored(out.u, out.v, d.uStar, d.vStar, d.sigma, d.n, d.k);
    assert(final < 1e-8, `${solver.kind}: final error ${final}`);
    assert(out.stats.small === 0, `${solver.kind}: all rows sketched`);
    assert(errs[errs.length - 1] < 1e-3 * errs[0], `${solver.kind}: error decreased`);
  }
});

Deno.test("smoke pipeline: data → every method → observe/measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric (observed ones too) is declared
  // and finite; observed metrics come back as series by step (t = 1, 2, …). The js backend keeps the row solves off
  // BLAS, as on the cpu backend this test used before.
  const byMethod = await runMethods(exp, { n: 200, k: 4 }, { backend: "js" });
  for (const [name, m] of Object.entries(byMethod)) {
    const observed = Object.keys(m.rel_error ?? []).length;
    assert(observed === m.iters, `${name}: one observation per iteration`);
    assert((m.final_rel_error as number) < 1e-3, `${name}: smoke instance recovered (${m.final_rel_error})`);
  }
});

import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import assert from "node:assert";
import { assertAlmostEquals, assertEquals, assertIdentity } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import {
  blockHessian,
  colDot,
  hessianAbsRowSums,
  lossDeriv,
  lossValue,
  makeProblem,
  matvec,
  rmatvec,
} from "./problems.ts";
import { bcd, RULES, topK } from "./bcd.ts";
import { jacobiEigen } from "../../lib/math/linalg/jacobi.ts";
import { pinvSym } from "./small.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const spec = (loss: "ls" | "logistic") => ({
  loss,
  n: 30,
  p: 120,
  bias: 1,
  scale: 10,
  density: 10,
  solSparsity: 0.1,
  flip: 0.1,
});

/** Dense copy of A for reference computations. */
function dense(P: ReturnType<typeof makeProblem>): number[][] {
  const D = Array.from({ length: P.A.rows }, () => new Array(P.A.cols).fill(0));
  for (let j = 0; j < P.A.cols; j++) {
    for (let k = P.A.colPtr[j]; k < P.A.colPtr[j + 1]; k++) D[P.A.rowIdx[k]][j] = P.A.vals[k];
  }
  return D;
}

Deno.test("gradient Aᵀℓ'(Ax) matches finite differences (both losses)", () => {
  for (const loss of ["ls", "logistic"] as const) {
    const P = makeProblem(spec(loss), Rng.fromSeed(3));
    const x = (Rng.fromSeed(4).normal(P.A.cols) as Float64Array).map((v) => v * 1e-3);
    const g = rmatvec(P.A, lossDeriv(P, matvec(P.A, x)));
    for (const j of [0, 17, 77]) {
      const h = 1e-6, xp = x.slice(), xm = x.slice();
      xp[j] += h;
      xm[j] -= h;
      const fd = (lossValue(P, matvec(P.A, xp)) - lossValue(P, matvec(P.A, xm))) / (2 * h);
      assertAlmostEquals(g[j], fd, 1e-5 * Math.max(1, Math.abs(fd)));
    }
  }
});

Deno.test("sparse helpers match dense: colDot, |AᵀA| row sums", () => {
  const P = makeProblem(spec("ls"), Rng.fromSeed(5));
  const D = dense(P);
  const ata = (i: number, j: number) => D.reduce((s, row) => s + row[i] * row[j], 0);
  assertAlmostEquals(colDot(P.A, 3, 9), ata(3, 9), 1e-8 * Math.abs(ata(3, 3)));
  const rs = hessianAbsRowSums(P);
  for (const i of [0, 50, 119]) {
    let s = 0;
    for (let j = 0; j < P.A.cols; j++) s += Math.abs(ata(i, j));
    assertAlmostEquals(rs[i], s, 1e-9 * s);
  }
});

Deno.test("Jacobi eigh reconstructs H and pinv inverts a nonsingular block", () => {
  const P = makeProblem(spec("ls"), Rng.fromSeed(6));
  const t = 5, H = blockHessian(P, [1, 2, 3, 4, 5]);
  const { w, V } = jacobiEigen(H, t);
  for (let i = 0; i < t; i++) {
    for (let j = 0; j < t; j++) {
      let s = 0;
      for (let k = 0; k < t; k++) s += V[i * t + k] * w[k] * V[j * t + k];
      assertAlmostEquals(s, H[i * t + j], 1e-9 * Math.max(...w));
    }
  }
  const Hi = pinvSym(H, t);
  assertIdentity(matmulSmall(H, Hi, t, t, t), t, 1e-6, "H·H⁺");
});

Deno.test("topK returns the k largest", () => {
  assertEquals(Array.from(topK([3, 9, 1, 7, 5], 2)).sort(), [1, 3]);
});

Deno.test("every rule × blocks × update decreases f monotonically (majorization property)", () => {
  for (const loss of ["ls", "logistic"] as const) {
    const P = makeProblem(spec(loss), Rng.fromSeed(7));
    for (const rule of RULES) {
      for (const blocks of ["fixed", "variable"] as const) {
        for (const update of ["gradient", "matrix"] as const) {
          const { f } = bcd(P, { rule, blocks, update, tau: 5, iters: 40 }, Rng.fromSeed(8));
          for (let k = 1; k < f.length; k++) {
            assert(f[k] <= f[k - 1] * (1 + 1e-12) + 1e-12, `${loss} ${rule} ${blocks} ${update} rose at ${k}`);
          }
          assert(f[40] < f[0], `${loss} ${rule} ${blocks} ${update} made no progress`);
        }
      }
    }
  }
});

Deno.test("matrix update minimizes least squares exactly over the block (block gradient vanishes)", () => {
  const P = makeProblem(spec("ls"), Rng.fromSeed(9));
  const { x } = bcd(P, { rule: "cyclic", blocks: "fixed", update: "matrix", tau: 5, iters: 1 }, Rng.fromSeed(1));
  const g = rmatvec(P.A, lossDeriv(P, matvec(P.A, x)));
  const touched = Array.from(x.keys()).filter((j) => x[j] !== 0);
  assert(touched.length > 0);
  const g0 = rmatvec(P.A, lossDeriv(P, new Float64Array(P.A.rows)));
  for (const j of touched) assert(Math.abs(g[j]) < 1e-8 * Math.max(...g0.map(Math.abs)));
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, { iters: 20, update: "matrix" }, { backend: "js" });
  for (const [name, meas] of Object.entries(byMethod)) {
    assertEquals((meas.subopt as number[]).length, 21, name);
  }
});

import { assert, assertEquals, assertIdentity } from "../../lib/testdata/assert.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat, transpose } from "../../lib/math/linalg/mat.ts";
import { Rng } from "../../lib/math/rng.ts";
import { collapse, extend, recomputeRow, sparseGramSchmidt, sparseRow, tsvd, zhaSimonRow } from "./incsvd.ts";
import { randSparse, rowSlice, toDense } from "./sparse.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const la = getLinalg();
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assertEquals(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    assert(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
};
/** U·diag(σ)·Vᵀ */
const product = (t: { u: { rows: number; cols: number; data: Float64Array }; s: Float64Array; v: any }) => {
  const us = mat(t.u.rows, t.u.cols, t.u.data.map((x, i) => x * t.s[i % t.u.cols]));
  return la.matmul(us, t.v, { transB: true }).data;
};

Deno.test("randSparse: exact nnz, sorted CSR, rowSlice/toDense agree", () => {
  const a = randSparse(40, 30, 0.1, Rng.fromSeed(7).split("s"), 10);
  assertEquals(a.indptr[40], 120);
  const d = toDense(a), lo = toDense(rowSlice(a, 10, 25));
  close(lo, d.subarray(10 * 30, 25 * 30), 0, "slice");
  assert(d.every((x) => x >= 0 && x < 10));
});

Deno.test("Zha–Simon is exact when A has rank ≤ k and [A; E] rank ≤ k (projection contains the range)", () => {
  const rng = Rng.fromSeed(7).split("zs");
  const m = 30, n = 20, k = 8;
  const l = mat(m, 3, rng.normal(m * 3)), r = mat(3, n, rng.normal(3 * n));
  const a = la.matmul(l, r); // rank 3
  const e = randSparse(4, n, 0.2, rng.split("e")); // ≤ 4 more directions → rank ≤ 7 ≤ k
  const t = zhaSimonRow(tsvd(a, k), e);
  const full = new Float64Array((m + 4) * n);
  full.set(a.data);
  full.set(toDense(e), m * n);
  close(product(t), full, 1e-9, "U S Vᵀ = [A; E]");
  const sv = la.svdvals(mat(m + 4, n, full)).slice(0, k);
  close(t.s, sv, 1e-9, "σ");
});

Deno.test("sparse Gram–Schmidt (Alg. 2) = QR of (I − VVᵀ)Eᵀ in the isometric inner product", () => {
  const rng = Rng.fromSeed(7).split("gs");
  const n = 25, k = 5, s = 3;
  const v = la.qr(mat(n, k, rng.normal(n * k))).q as any;
  const et = mat(n, s, rng.normal(n * s));
  const c = la.matmul(v, et, { transA: true }); // k×s
  const cols = (m: any, q: number) =>
    Array.from({ length: q }, (_, j) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * q + j]));
  const b = cols(et, s), cc = cols(c, s);
  const r = sparseGramSchmidt(b, cc);
  // Q = B − V·C has orthonormal columns and Q·R = (I − VVᵀ)Eᵀ
  const bm = mat(n, s, new Float64Array(n * s)), cm = mat(k, s, new Float64Array(k * s));
  b.forEach((col, j) => col.forEach((x, i) => (bm.data[i * s + j] = x)));
  cc.forEach((col, j) => col.forEach((x, i) => (cm.data[i * s + j] = x)));
  const vc = la.matmul(v, cm);
  const q = mat(n, s, bm.data.map((x, i) => x - vc.data[i]));
  close(la.matmul(q, q, { transA: true }).data, [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-10, "QᵀQ");
  const proj = la.matmul(v, c);
  close(la.matmul(q, r).data, et.data.map((x: number, i: number) => x - proj.data[i]), 1e-10, "QR");
});

Deno.test("sparse-aware update (Alg. 3) equals Zha–Simon over several sparse row blocks (float64)", () => {
  const rng = Rng.fromSeed(7).split("eq");
  const n = 60, k = 10;
  const a0 = randSparse(n, n, 0.05, rng.split("a0"));
  const add = randSparse(24, n, 0.05, rng.split("add"), 10);
  const init = tsvd(mat(n, n, toDense(a0)), k);
  let zs = init;
  const ext = extend(init, n + 24);
  for (let t = 0; t < 4; t++) {
    const e = rowSlice(add, 6 * t, 6 * t + 6);
    zs = zhaSimonRow(zs, e);
    sparseRow(ext, e);
  }
  const sp = collapse(ext);
  close(sp.s, zs.s, 1e-8, "σ");
  close(product(sp), product(zs), 1e-8, "U S Vᵀ");
  // the collapsed factors stay orthonormal
  assertIdentity(la.matmul(sp.v, sp.v, { transA: true }).data, k, 1e-8, "VᵀV");
});

Deno.test("recompute = rank-k SVD of the stacked matrix, leaving the input intact", () => {
  const rng = Rng.fromSeed(7).split("rc");
  const a = randSparse(12, 9, 0.3, rng.split("a")), e = randSparse(3, 9, 0.3, rng.split("e"));
  const full = new Float64Array(15 * 9);
  full.set(toDense(a));
  const t = recomputeRow(full, 12, e, 4);
  const ref = la.svdvals(mat(15, 9, full.slice()));
  close(t.s, ref.slice(0, 4), 1e-10, "σ");
  close(full.subarray(12 * 9), toDense(e), 0, "buffer");
  assertEquals(transpose(t.v).rows, 4);
});

Deno.test("smoke pipeline: data → every method → finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, { n: 100 });
  for (const [name, res] of Object.entries(byMethod)) {
    assert((res.err_ratio as number) >= 1 - 1e-9, `${name}: error below the optimum`);
  }
});

import { ok as assert } from "node:assert";
import {
  eye,
  frobenius,
  fromRows,
  getLinalg,
  type Mat,
  randn,
  sub,
  toRows,
  transpose,
} from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { idempotenceResidual, obliqueness, projectorScale, reconstruct } from "./projectors.ts";
import {
  completePivots,
  cpqrRoute,
  crRoute,
  firstIndependentColumns,
  luRoute,
  nystromRoute,
  partialCpqr,
  rsvdRoute,
  svdRoute,
} from "./factorizations.ts";
import { makeMatrix } from "./data.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const la = getLinalg();
type M64 = Mat<Float64Array>;
const M = (rows: number[][]) => fromRows(rows) as M64;
const rel = (x: M64, y: M64) => frobenius(sub(x, y)) / frobenius(y);
const mm = (a: M64, b: M64) => la.matmul(a, b) as M64;

Deno.test("idempotenceResidual and obliqueness match brute force (d×d products)", () => {
  const rng = Rng.fromSeed(1);
  const u = randn(7, 3, rng.split("u")) as M64, w = randn(3, 7, rng.split("w")) as M64;
  const p = mm(u, w);
  const brute = frobenius(sub(mm(p, p), p)) / frobenius(p);
  assert(
    Math.abs(idempotenceResidual(la, u, w) - brute) < 1e-12 * brute,
    `${idempotenceResidual(la, u, w)} vs ${brute}`,
  );
  // The oblique rank-one projector [1 1; 0 0] = [1; 0]·[1 1]: idempotent, ‖P‖_F² = 2 ⇒ obliqueness 1.
  const e = M([[1], [0]]), f = M([[1, 1]]);
  assert(idempotenceResidual(la, e, f) === 0);
  assert(Math.abs(obliqueness(la, e, f) - 1) < 1e-15);
  // An orthogonal projector QQᵀ has obliqueness 0 (to rounding).
  const q = la.qr(randn(6, 2, rng.split("q"))).q as M64;
  assert(obliqueness(la, q, transpose(q)) < 1e-7);
  // The rounding scale ‖U‖_F‖W‖_F/k: 1 for QQᵀ, √2 for [1; 0]·[1 1].
  assert(Math.abs(projectorScale(la, q, transpose(q)) - 1) < 1e-14);
  assert(Math.abs(projectorScale(la, e, f) - Math.SQRT2) < 1e-15);
});

Deno.test("partial CPQR: orthonormal Q, non-increasing |R_ii|, and full QRΠᵀ = A", () => {
  const rng = Rng.fromSeed(2);
  const a = randn(9, 6, rng) as M64;
  const { q, rk, perm } = partialCpqr(a, 6);
  assert(rel(mm(q, rk), a) < 1e-14);
  assert(frobenius(sub(mm(transpose(q), q), eye(6) as M64)) < 1e-14);
  const diag = Array.from({ length: 6 }, (_, i) => Math.abs(rk.data[i * 6 + perm[i]]));
  for (let i = 1; i < 6; i++) assert(diag[i] <= diag[i - 1] * (1 + 1e-12), `|R_ii| ${diag}`);
});

Deno.test("complete pivoting picks the largest entry first; skeleton is exact on a rank-k matrix", () => {
  const { I, J } = completePivots(M([[1, 2, 3], [4, -9, 5], [0, 1, 2]]), 1);
  assert(I[0] === 1 && J[0] === 1);
  const t = makeMatrix(la, { m: 30, n: 20, k: 4, spectrum: "exact" }, Rng.fromSeed(3));
  const p = luRoute(la, t.a, 4);
  assert(rel(reconstruct(la, t.a, p), t.a) < 1e-12);
  // Interpolatory: P_col fixes the selected rows of A exactly (Yᵀ is A(I,J)⁻¹ on the selected rows only).
  assert(idempotenceResidual(la, p.f, p.yt) < 1e-13);
});

Deno.test("CR: Strang's example A = [1 3 8; 1 2 6; 0 1 2] has C = first two columns, R = [1 0 2; 0 1 2]", () => {
  const a = M([[1, 3, 8], [1, 2, 6], [0, 1, 2]]);
  assert(firstIndependentColumns(a, 2).join() === "0,1");
  const p = crRoute(la, a, 2);
  assert(rel(p.ht, M([[1, 0, 2], [0, 1, 2]])) < 1e-14, JSON.stringify(toRows(p.ht)));
  assert(rel(reconstruct(la, a, p), a) < 1e-14);
  assert(firstIndependentColumns(M([[1, 2, 0], [0, 0, 1]]), 2).join() === "0,2");
});

Deno.test("SVD route attains the Eckart–Young optimum; randomized routes are exact on rank-k input", () => {
  const rng = Rng.fromSeed(4);
  const t = makeMatrix(la, { m: 40, n: 25, k: 6, spectrum: "geom" }, rng.split("g"));
  const e = frobenius(sub(t.a, reconstruct(la, t.a, svdRoute(la, t.a, 6))));
  assert(Math.abs(e / t.tail - 1) < 1e-10, `${e} vs ${t.tail}`);
  const cp = frobenius(sub(t.a, reconstruct(la, t.a, cpqrRoute(la, t.a, 6))));
  assert(cp >= t.tail * (1 - 1e-12));
  const x = makeMatrix(la, { m: 40, n: 25, k: 6, spectrum: "exact" }, rng.split("x"));
  assert(rel(reconstruct(la, x.a, rsvdRoute(la, x.a, 6, 4, rng.split("r"))), x.a) < 1e-12);
  assert(rel(reconstruct(la, x.a, nystromRoute(la, x.a, 6, rng.split("n"))), x.a) < 1e-11);
});

Deno.test("native and pure-JS backends agree on the LU and Nyström routes (float64)", () => {
  const t = makeMatrix(la, { m: 20, n: 15, k: 3, spectrum: "poly" }, Rng.fromSeed(6));
  const js = getLinalg("js");
  const a = reconstruct(la, t.a, luRoute(la, t.a, 3)), b = reconstruct(js, t.a, luRoute(js, t.a, 3));
  assert(rel(a, b) < 1e-12);
  const c = reconstruct(la, t.a, nystromRoute(la, t.a, 3, Rng.fromSeed(7)));
  const d = reconstruct(js, t.a, nystromRoute(js, t.a, 3, Rng.fromSeed(7)));
  assert(rel(c, d) < 1e-10);
});

Deno.test("smoke pipeline: data → every method → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const smoke = exp.scales.smoke;
  for (const spectrum of smoke.grid!.spectrum!) {
    const byMethod = await runMethods(exp, { k: smoke.grid!.k![1], spectrum }, { seed: 1 });
    for (const [name, m] of Object.entries(byMethod)) assert(("opt_ratio" in m) === (spectrum !== "exact"), name);
  }
});

import { ok as assert } from "node:assert";
import { assertAlmostEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { dot, frobenius, symmetrize } from "./dense.ts";
import { DenseSensing, gaussianSensing } from "./sensing.ts";
import { gaussian, psdTruth } from "./truth.ts";

Deno.test("adjoint identity ⟨A(X), y⟩ = ⟨X, A*(y)⟩", () => {
  const rng = Rng.fromSeed(0);
  for (const symmetric of [false, true]) {
    const op = gaussianSensing({ m: 40, rows: 5, cols: 5, symmetric }, rng.split(`A${symmetric}`));
    const x = gaussian(5, 5, rng), y = rng.normal(40);
    assertAlmostEquals(dot(op.apply(x), y), dot(x.data, op.adjoint(y).data), 1e-10);
  }
  const rect = gaussianSensing({ m: 30, rows: 3, cols: 7 }, rng.split("rect"));
  const x = gaussian(3, 7, rng), y = rng.normal(30);
  assertAlmostEquals(dot(rect.apply(x), y), dot(x.data, rect.adjoint(y).data), 1e-10);
});

Deno.test("symmetric measurements are symmetric and (1/m)‖A(X)‖² ≈ ‖X‖_F² (RIP normalisation)", () => {
  const rng = Rng.fromSeed(1);
  const op = gaussianSensing({ m: 4000, rows: 6, cols: 6, symmetric: true }, rng.split("A"));
  const a0 = op.matrix(0);
  assert(frobenius(symmetrize(a0)) === frobenius(a0));
  for (let t = 0; t < 3; t++) {
    const x = psdTruth({ n: 6, r: 2, kappa: 3 }, rng.split(t)).x;
    const ratio = dot(op.apply(x), op.apply(x)) / op.m / frobenius(x) ** 2;
    assert(Math.abs(ratio - 1) < 0.1, `ratio ${ratio}`);
  }
});

Deno.test("fromMatrices reproduces explicit inner products", () => {
  const e = { rows: 2, cols: 2, data: Float64Array.from([1, 0, 0, 0]) };
  const f = { rows: 2, cols: 2, data: Float64Array.from([0, 1, 1, 0]) };
  const op = DenseSensing.fromMatrices([e, f]);
  const y = op.apply({ rows: 2, cols: 2, data: Float64Array.from([3, 4, 5, 6]) });
  assertAlmostEquals(y[0], 3, 0);
  assertAlmostEquals(y[1], 9, 0);
});

import { cholSmall, cholSolveSmall, solveSpdSmall } from "./chol_small.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrowsWith } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";

Deno.test("cholSmall: exact 3×3 case; the strict upper triangle is left alone", () => {
  // A = L·Lᵀ with L = [[2, 0, 0], [1, 3, 0], [−1, 2, 1]]; the upper triangle holds markers.
  const a = new Float64Array([4, 7, 7, 2, 10, 7, -2, 5, 6]);
  assert(cholSmall(a, 3));
  assertEquals([...a], [2, 7, 7, 1, 3, 7, -1, 2, 1]);
});

Deno.test("cholSolveSmall: residual of a random SPD system is at rounding level, at an offset", () => {
  const rng = Rng.fromSeed(5), n = 9;
  const g = new Float64Array(n * n), a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) g[i] = rng.normal();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += g[i * n + k] * g[j * n + k];
      a[i * n + j] = s;
    }
  }
  const b = Float64Array.from({ length: n }, () => rng.normal());
  const l = a.slice(), x = new Float64Array(n + 2);
  x.set(b, 2);
  assert(cholSmall(l, n));
  cholSolveSmall(l, n, x, 2);
  for (let i = 0; i < n; i++) {
    let r = -b[i];
    for (let j = 0; j < n; j++) r += a[i * n + j] * x[2 + j];
    assertAlmostEquals(r, 0, 1e-11, `residual row ${i}`);
  }
});

Deno.test("cholSmall: an indefinite matrix is rejected, or factored with its pivot raised to minPivot", () => {
  assertEquals(cholSmall(new Float64Array([1, 2, 2, 1]), 2), false);
  const a = new Float64Array([1, 2, 2, 1]);
  assert(cholSmall(a, 2, 1e-300), "with a floor the factorisation goes through");
  assertEquals(a[3], Math.sqrt(1e-300), "the second pivot (1 − 4 < 0) is raised to the floor");
});

Deno.test("solveSpdSmall: solves without touching its inputs; names a matrix that is not positive definite", () => {
  const a = [4, 1, 1, 3], b = [1, 2];
  const x = solveSpdSmall(a, b, 2);
  assertAlmostEquals(4 * x[0] + x[1], 1, 1e-15);
  assertAlmostEquals(x[0] + 3 * x[1], 2, 1e-15);
  assertEquals(a, [4, 1, 1, 3]);
  assertThrowsWith(() => solveSpdSmall([1, 2, 2, 1], [1, 1], 2), "2×2 matrix is not positive definite");
});

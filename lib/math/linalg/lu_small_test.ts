import { luSmall, luSolveSmall } from "./lu_small.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrowsWith } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";

Deno.test("luSmall: exact 3×3 case with a row swap; P·A = L·U", () => {
  const a = [0, 2, 1, 4, 1, 0, 2, 1, 3];
  const f = luSmall(a, 3, 3);
  assertEquals([...f.perm], [1, 0, 2], "the largest |entry| of column 0 is in row 1");
  assertEquals(f.zeroPivot, -1);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k <= Math.min(i, j); k++) s += (k === i ? 1 : f.lu[i * 3 + k]) * (k <= j ? f.lu[k * 3 + j] : 0);
      assertAlmostEquals(s, a[f.perm[i] * 3 + j], 1e-14, `(P·A)[${i},${j}]`);
    }
  }
});

Deno.test("luSolveSmall: residual of a random well-conditioned system is at rounding level", () => {
  const rng = Rng.fromSeed(3), n = 7;
  const a = rng.normal(n * n), b = rng.normal(n);
  for (let i = 0; i < n; i++) a[i * n + i] += n;
  const x = luSolveSmall(luSmall(a, n, n), b);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
    assertAlmostEquals(s, b[i], 1e-12, `row ${i}`);
  }
});

Deno.test("luSmall: a singular matrix reports its zero pivot; tinyPivot keeps the solve finite", () => {
  const f = luSmall([1, 2, 2, 4], 2, 2);
  assertEquals(f.zeroPivot, 1);
  assert(!Number.isFinite(luSolveSmall(f, [1, 1])[1]), "divides by zero by default");
  assert(luSolveSmall(f, [1, 2], 1e-300).every(Number.isFinite), "with a tiny pivot the solve stays finite");
  assertThrowsWith(() => luSolveSmall(luSmall([1, 2], 1, 2), [1]), "not square");
  assertThrowsWith(() => luSolveSmall(f, [1]), "b has 1 entries");
});

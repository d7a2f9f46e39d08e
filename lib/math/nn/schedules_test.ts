import { assert, assertAlmostEquals, assertEquals } from "../../testdata/assert.ts";
import { BUDGET_SCHEDULES, budgetSchedule, multiplier, onecycle, resample, rex, warmupCosine } from "./schedules.ts";

Deno.test("budget schedules match hand-computed values", () => {
  assertEquals(multiplier("constant", 70, 100), 1);
  assertEquals(multiplier("step", 0, 100), 1);
  assertAlmostEquals(multiplier("step", 50, 100), 0.1, 1e-15);
  assertEquals(multiplier("step", 74, 100), 0.1);
  assertAlmostEquals(multiplier("step", 80, 100), 0.01, 1e-15);
  assertAlmostEquals(multiplier("cosine", 25, 100), (1 + Math.SQRT1_2) / 2, 1e-15);
  assertAlmostEquals(multiplier("cosine", 50, 100), 0.5, 1e-15);
  assertAlmostEquals(multiplier("linear", 25, 100), 0.75, 1e-15);
  assertAlmostEquals(multiplier("linear", 99, 100), 0.01, 1e-15);
  assertAlmostEquals(multiplier("poly2", 50, 100), 0.25, 1e-15);
  assertAlmostEquals(multiplier("exponential", 50, 100), 0.1, 1e-14); // 0.01^(1/2)
  assertAlmostEquals(multiplier("exponential", 50, 100, { expFinal: 0.04 }), 0.2, 1e-14);
  assertAlmostEquals(rex(0.5), 2 / 3, 1e-15); // 0.5 / 0.75
  assertEquals(rex(0), 1);
  assertEquals(rex(1), 0);
  // OneCycle, T = 10: warm-up ends at step 0.3·10 − 1 = 2, anneal ends at step 9 (PyTorch's phase ends).
  assertAlmostEquals(onecycle(0, 10), 0.04, 1e-15);
  assertAlmostEquals(onecycle(1, 10), 0.52, 1e-15); // halfway up: (1/25 + 1) / 2
  assertAlmostEquals(onecycle(2, 10), 1, 1e-15);
  assertAlmostEquals(onecycle(5, 10), 0.6112620219, 1e-9); // 4e-6 + (1 − 4e-6)(1 + cos(3π/7))/2
  assertAlmostEquals(onecycle(9, 10), 4e-6, 1e-15);
});

Deno.test("every budget schedule stays in (0, 1] and peaks at 1", () => {
  for (const k of BUDGET_SCHEDULES) {
    const s = budgetSchedule(k, 300);
    assertEquals(s.length, 300);
    for (const v of s) assert(v > 0 && v <= 1 + 1e-12, `${k}: ${v}`);
    assertAlmostEquals(Math.max(...s), 1, 1e-12);
  }
});

Deno.test("resample keeps both ends and picks the nearest step", () => {
  const s = Float64Array.from({ length: 11 }, (_, t) => t);
  assertEquals(resample(s, 3), [0, 5, 10]);
  assertEquals(resample(s).length, 101);
});

Deno.test("warmupCosine: linear warm-up, then cosine to the floor at the last step", () => {
  assertEquals(warmupCosine(0, 100, 10, 0.1), 0);
  assertAlmostEquals(warmupCosine(5, 100, 10, 0.1), 0.5, 1e-15);
  assertAlmostEquals(warmupCosine(10, 100, 10, 0.1), 1, 1e-15);
  assertAlmostEquals(warmupCosine(55, 100, 10, 0.1), 0.55, 1e-15);
  assertAlmostEquals(warmupCosine(100, 100, 10, 0.1), 0.1, 1e-15);
});

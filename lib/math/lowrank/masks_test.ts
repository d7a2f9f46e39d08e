import { ok as assert } from "node:assert";
import { assertEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { density, perRowMask, project, uniformMask } from "./masks.ts";

Deno.test("uniformMask density is near p and observed matches the indicator", () => {
  const m = uniformMask({ rows: 100, cols: 100, p: 0.3 }, Rng.fromSeed(0));
  assert(Math.abs(density(m) - 0.3) < 0.03, `density ${density(m)}`);
  let count = 0;
  for (const v of m.indicator) count += v;
  assertEquals(count, m.observed.length);
});

Deno.test("perRowMask has exactly perRow entries per row; project zeroes the rest", () => {
  const m = perRowMask({ rows: 7, cols: 10, perRow: 3 }, Rng.fromSeed(1));
  for (let i = 0; i < 7; i++) {
    let c = 0;
    for (let j = 0; j < 10; j++) c += m.indicator[i * 10 + j];
    assertEquals(c, 3);
  }
  const x = { rows: 7, cols: 10, data: new Float64Array(70).fill(2) };
  const p = project(m, x);
  assertEquals(p.data.reduce((a, b) => a + b, 0), 2 * 21);
});

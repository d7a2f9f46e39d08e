import { throws } from "node:assert";
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";

Deno.test("assert passes on truthy values and throws its message on falsy ones", () => {
  assert(1 < 2);
  throws(() => assert(false, "no"), /^Error: no$/);
  throws(() => assert(0), /assertion failed/);
});

Deno.test("assertEquals is deep and strict; assertAlmostEquals is absolute and rejects NaN", () => {
  assertEquals({ a: [1, 2] }, { a: [1, 2] });
  throws(() => assertEquals<unknown>(1, "1"));
  assertAlmostEquals(1, 1 + 1e-9, 1e-8);
  throws(() => assertAlmostEquals(1, 1.1, 1e-3));
  throws(() => assertAlmostEquals(NaN, NaN, 1));
});

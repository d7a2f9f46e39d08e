import { throws } from "node:assert";
import { assert, assertAlmostEquals, assertEquals, assertIdentity, assertOrthonormalColumns } from "./assert.ts";

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

Deno.test("assertIdentity and assertOrthonormalColumns accept what they should and name the entry that fails", () => {
  assertIdentity([1, 0, 0, 1], 2, 0);
  assertOrthonormalColumns([0.6, 0.8, 0.8, -0.6, 0, 0], 3, 2, 1e-15);
  throws(() => assertIdentity([1, 0, 1e-3, 1], 2, 1e-6), /matrix\[1,0\]/);
  throws(() => assertOrthonormalColumns([1, 1, 0, 0], 2, 2, 1e-6), /QᵀQ\[0,1\]/);
});

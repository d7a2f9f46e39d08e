import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert";
import toy from "../testdata/experiments/toy/mod.ts";
import { configPoints, crossProduct, parseSets } from "./config.ts";
import { UserError } from "./errors.ts";

Deno.test("crossProduct expands every combination in key order", () => {
  assertEquals(crossProduct({ a: [1, 2], b: ["x"] }), [{ a: 1, b: "x" }, { a: 2, b: "x" }]);
  assertEquals(crossProduct({}), [{}]);
});

Deno.test("configPoints fills defaults and applies the scale grid", () => {
  assertEquals(configPoints(toy, "smoke"), [{ n: 10, scale: 1 }, { n: 1000, scale: 1 }]);
});

Deno.test("--set overrides the grid, coerces types, and sweeps comma lists", () => {
  assertEquals(configPoints(toy, "smoke", parseSets(["n=5,6", "scale=2.5"])), [
    { n: 5, scale: 2.5 },
    { n: 6, scale: 2.5 },
  ]);
});

Deno.test("a bad --set names the key, the value and what was expected", () => {
  const err = assertThrowsUser(() => configPoints(toy, "smoke", parseSets(["n=abc"])));
  for (const part of ["n=abc", "number", "sample size"]) assertEquals(err.message.includes(part), true, err.message);
  const neg = assertThrowsUser(() => configPoints(toy, "smoke", parseSets(["n=-3"])));
  assertEquals(neg.message.includes("n=-3"), true, neg.message);
});

Deno.test("an unknown key or scale lists the known ones", () => {
  assertEquals(
    assertThrowsUser(() => configPoints(toy, "smoke", parseSets(["m=1"]))).message.includes("n, scale"),
    true,
  );
  assertEquals(assertThrowsUser(() => configPoints(toy, "huge")).message.includes("smoke, paper"), true);
  assertThrows(() => parseSets(["novalue"]), UserError);
});

function assertThrowsUser(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error("expected a UserError");
}

Deno.test("--set: an integer past 2³¹ is refused up front, naming the key and the bound", () => {
  let message = "";
  try {
    configPoints(toy, "smoke", parseSets(["n=1e12"]));
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message.startsWith("--set n=1e12: 1000000000000 is more than 2147483647"), true, message);
});

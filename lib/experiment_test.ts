import { assertEquals } from "./testdata/assert.ts";
import { higher, lower, reported, sameGrid, timing, tol } from "./experiment.ts";

Deno.test("tol builds each tolerance kind, leaving out the arguments not given", () => {
  assertEquals(tol.exact(), { kind: "exact" });
  assertEquals(tol.stable(), { kind: "stable" });
  assertEquals(tol.stable(1e-8), { kind: "stable", rel: 1e-8 });
  assertEquals(tol.statistic(), { kind: "statistic" });
  assertEquals(tol.statistic(0.02), { kind: "statistic", rel: 0.02 });
  assertEquals(tol.rounding(1e-12), { kind: "rounding", floor: 1e-12 });
  assertEquals(tol.conditioned("cond_eff"), { kind: "conditioned", cond: "cond_eff" });
  assertEquals(tol.conditioned(1e8, "float32"), { kind: "conditioned", cond: 1e8, dtype: "float32" });
  assertEquals(tol.iterative(1e-6), { kind: "iterative", rtol: 1e-6 });
  assertEquals("rel" in tol.stable(), false, "an absent rel must not become rel: undefined");
});

Deno.test("higher/lower/reported/timing build the MetricSpec a table of objects would", () => {
  assertEquals(higher("test accuracy", tol.statistic()), {
    label: "test accuracy",
    direction: "higher",
    tolerance: { kind: "statistic" },
  });
  assertEquals(lower("error"), { label: "error", direction: "lower" });
  assertEquals("tolerance" in lower("error"), false);
  assertEquals(reported("seconds", undefined, { unit: "s", timing: true }), {
    label: "seconds",
    direction: "none",
    unit: "s",
    timing: true,
  });
  assertEquals(timing("wall-clock", "ms"), { label: "wall-clock", direction: "lower", unit: "ms", timing: true });
  assertEquals(timing("wall-clock"), { label: "wall-clock", direction: "lower", timing: true });
});

Deno.test("sameGrid gives every method the one grid, in the order named", () => {
  const g = sameGrid(["sgd", "adam"], "lr ∈ {0.1, 1}");
  assertEquals(g, { sgd: "lr ∈ {0.1, 1}", adam: "lr ∈ {0.1, 1}" });
  assertEquals(Object.keys(g), ["sgd", "adam"]);
});

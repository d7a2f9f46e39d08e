import { deepStrictEqual as assertEquals, ok as assert } from "node:assert";
import { type MetricRow, type PlannedRun, ResultSet } from "./results.ts";
import {
  allOf,
  bestOf,
  compare,
  eachCase,
  LARGEST,
  monotone,
  notMeasured,
  pairedComparison,
  runSpearman,
  slopeWithInterval,
  threshold,
  trend,
} from "./vocabulary.ts";
import { evaluateClaims, paperStatus, splitByBackend } from "./evaluate.ts";
import type { Claim, ClaimResult } from "./types.ts";

/** Strict results from (method, n, seed, value) tuples, all runs finished unless `failed` lists some. */
function results(
  rows: [string, number, number, number][],
  o: { failed?: [string, number, number][]; backend?: (m: string) => string } = {},
): ResultSet {
  const be = o.backend ?? (() => "native");
  const id = (m: string, n: number, s: number) => `${m}|${n}|${s}`;
  const metricRows: MetricRow[] = rows.map(([method, n, seed, value]) => ({
    run_id: id(method, n, seed),
    method,
    backend: be(method),
    seed,
    config: { n },
    metric: "err",
    step: null,
    value,
  }));
  const runs: PlannedRun[] = [
    ...rows.map(([method, n, seed]) => ({
      run_id: id(method, n, seed),
      method,
      backend: be(method),
      seed,
      config: { n },
      status: "ok" as const,
    })),
    ...(o.failed ?? []).map(([method, n, seed]) => ({
      run_id: id(method, n, seed),
      method,
      backend: be(method),
      seed,
      config: { n },
      status: "failed" as const,
      error: "Error: boom",
    })),
  ];
  return new ResultSet(metricRows, runs);
}

Deno.test("compare: an exact tie is not a win, whatever the margin", () => {
  const r = results([["a", 1, 0, 0.5], ["a", 1, 1, 0.5], ["b", 1, 0, 0.5], ["b", 1, 1, 0.5]]);
  const c = compare({ metric: "err", method: "a", baseline: "b", better: "lower", margin: { rel: 0 } });
  assertEquals(c(r).pass, false);
  assertEquals(c.metrics, ["err"]);
});

Deno.test("compare: an advantage must clear the margin plus two standard errors of the paired differences", () => {
  // a is better by 0.1 on every seed: passes a 10%-of-1 margin only when the advantage exceeds it.
  const clean = results([["a", 1, 0, 0.9], ["a", 1, 1, 0.9], ["b", 1, 0, 1], ["b", 1, 1, 1]]);
  assert(compare({ metric: "err", method: "a", baseline: "b", better: "lower", margin: { rel: 0.05 } })(clean).pass);
  assert(!compare({ metric: "err", method: "a", baseline: "b", better: "lower", margin: { rel: 0.2 } })(clean).pass);
  // Same mean advantage, but one seed reverses: the noise swallows it.
  const noisy = results([["a", 1, 0, 0.6], ["a", 1, 1, 1.2], ["b", 1, 0, 1], ["b", 1, 1, 1]]);
  const v = compare({ metric: "err", method: "a", baseline: "b", better: "lower", margin: { rel: 0 } })(noisy);
  assertEquals(v.pass, false);
  assert(v.measured.includes("advantage"), v.measured);
});

Deno.test("compare: pairs by seed, so a shared seed effect cancels", () => {
  // Seeds differ a lot (1 vs 10) but a is 5% better on each: unpaired noise would hide it, paired does not.
  const r = results([["a", 1, 0, 0.95], ["a", 1, 1, 9.5], ["a", 1, 2, 4.75], ["b", 1, 0, 1], ["b", 1, 1, 10], [
    "b",
    1,
    2,
    5,
  ]]);
  assert(compare({ metric: "err", method: "a", baseline: "b", better: "lower", factor: 1.04 })(r).pass);
  assert(!compare({ metric: "err", method: "a", baseline: "b", better: "lower", factor: 1.06 })(r).pass);
});

Deno.test("pairedComparison: factor reads as a geometric-mean ratio with its lower bound", () => {
  const c = pairedComparison([[1, 2], [1, 2], [1, 2]], { better: "lower", factor: 2 });
  assertEquals(c.pass, true);
  assert(c.text.startsWith("2×"), c.text);
});

Deno.test("compare with forEach must hold at every level, and says where it fails", () => {
  const r = results([["a", 1, 0, 0.5], ["b", 1, 0, 1], ["a", 2, 0, 1], ["b", 2, 0, 1]]);
  const v = compare({ metric: "err", method: "a", baseline: "b", better: "lower", forEach: "n" })(r);
  assertEquals(v.pass, false);
  assert(v.measured.includes("n=2") && v.measured.includes("✗"), v.measured);
  const at1 = compare({ metric: "err", method: "a", baseline: "b", better: "lower", where: { n: 1 } })(r);
  assertEquals(at1.pass, true);
});

Deno.test("LARGEST picks the top level of a key", () => {
  const r = results([["a", 1, 0, 5], ["a", 10, 0, 0.1]]);
  assert(threshold({ metric: "err", method: "a", where: { n: LARGEST }, below: 0.2 })(r).pass);
  assert(!threshold({ metric: "err", method: "a", below: 0.2 })(r).pass); // worst run over all n
});

Deno.test("threshold: several methods must each meet the bound, with the same text as allOf", () => {
  const r = results([["a", 1, 0, 0.1], ["a", 1, 1, 0.3], ["b", 1, 0, 0.2], ["b", 1, 1, 0.4]]);
  const both = threshold({ metric: "err", method: ["a", "b"], below: 10 })(r);
  const each = allOf(
    threshold({ metric: "err", method: "a", below: 10 }),
    threshold({ metric: "err", method: "b", below: 10 }),
  )(r);
  assertEquals(both, each);
  assertEquals(threshold({ metric: "err", method: ["a", "b"], below: 0 })(r).pass, false);
});

Deno.test("threshold: worst run by default, mean when asked", () => {
  const r = results([["a", 1, 0, 0.1], ["a", 1, 1, 0.3]]);
  assertEquals(threshold({ metric: "err", method: "a", below: 0.25 })(r).pass, false);
  assertEquals(threshold({ metric: "err", method: "a", below: 0.25, stat: "mean" })(r).pass, true);
  assertEquals(threshold({ metric: "err", method: "a", above: 0.1 })(r).pass, true);
});

Deno.test("strict selection: a failed run fails the claim with the reason; an empty selection too", () => {
  const r = results([["a", 1, 0, 0.1], ["b", 1, 0, 0.2]], { failed: [["a", 1, 1]] });
  const claims: Claim[] = [
    { id: "t", kind: "paper", statement: "", check: threshold({ metric: "err", method: "a", below: 1 }) },
    { id: "u", kind: "paper", statement: "", check: threshold({ metric: "err", method: "zzz", below: 1 }) },
    { id: "v", kind: "paper", statement: "", check: threshold({ metric: "err", method: "b", below: 1 }) },
  ];
  const [t, u, v] = evaluateClaims({ claims }, r);
  assertEquals([t.pass, u.pass, v.pass], [false, false, true]);
  assert(t.detail!.includes("1 of 2 runs") && t.detail!.includes("boom"), t.detail);
  assert(u.detail!.includes("no runs planned"), u.detail);
});

Deno.test("trend: the whole 95% interval of the log–log slope must lie within the bound", () => {
  // y = n^-0.5 exactly, three seeds with small multiplicative noise.
  const rows: [string, number, number, number][] = [];
  for (const n of [10, 100, 1000, 10000]) {
    for (const s of [0, 1, 2]) rows.push(["a", n, s, n ** -0.5 * (1 + 0.01 * (s - 1))]);
  }
  const r = results(rows);
  assert(trend({ metric: "err", method: "a", x: "n", below: -0.4 })(r).pass);
  assert(!trend({ metric: "err", method: "a", x: "n", below: -0.55 })(r).pass);
  const s = slopeWithInterval([0, 1, 2, 3], [0, 1, 2, 3.3]);
  assert(s.lo < s.slope && s.slope < s.hi);
});

Deno.test("monotone and bestOf and allOf", () => {
  const r = results([["a", 1, 0, 3], ["a", 2, 0, 2], ["a", 3, 0, 1], ["b", 3, 0, 2], ["c", 3, 0, 1.01]]);
  assert(monotone({ metric: "err", method: "a", x: "n", direction: "decreasing" })(r).pass);
  assert(!monotone({ metric: "err", method: "a", x: "n", direction: "increasing" })(r).pass);
  const best = bestOf({ metric: "err", better: "lower", winner: "a", others: ["b", "c"], where: { n: 3 } });
  assertEquals(best(r).pass, false); // c is within 2% of a
  const both = allOf(
    threshold({ metric: "err", method: "a", below: 5 }),
    compare({ metric: "err", method: "a", baseline: "b", better: "lower", where: { n: 3 } }),
  );
  assertEquals(both(r).pass, true);
  assertEquals(both.metrics, ["err"]);
});

Deno.test("claims outside their scales are shown but not graded; timing claims default to paper scale", () => {
  const r = results([["a", 1, 0, 0.1]]);
  const check = threshold({ metric: "err", method: "a", below: 1 });
  const claims: Claim[] = [
    { id: "p", kind: "paper", statement: "", scales: ["paper"], check },
    { id: "t", kind: "paper", statement: "", timing: true, check },
    { id: "a", kind: "sanity", statement: "", check },
  ];
  assertEquals(evaluateClaims({ claims }, r, { scale: "smoke" }).map((c) => c.graded), [false, false, true]);
  assertEquals(evaluateClaims({ claims }, r, { scale: "paper" }).map((c) => c.graded), [true, true, true]);
});

Deno.test("paperStatus: only graded paper claims count; reproduced needs every one and ≥ 3 seeds", () => {
  const c = (kind: Claim["kind"], pass: boolean, graded = true): ClaimResult => ({
    id: "x",
    kind,
    statement: "",
    measured: "",
    pass,
    graded,
    timing: false,
  });
  assertEquals(paperStatus([c("paper", true), c("identity", false)], 3).status, "reproduced");
  assertEquals(paperStatus([c("paper", true), c("paper", true)], 2).status, "partial");
  assertEquals(paperStatus([c("paper", true), c("paper", false)], 5).status, "partial");
  assertEquals(paperStatus([c("paper", false), c("sanity", true)], 5).status, "not reproduced");
  assertEquals(paperStatus([c("paper", true), c("paper", false, false)], 3).status, "reproduced");
});

Deno.test("splitByBackend: a method run on two backends is never pooled", () => {
  const r = results([["a", 1, 0, 1], ["b", 1, 0, 2]], { backend: (m) => (m === "a" ? "native" : "wasm") });
  assertEquals(splitByBackend(r).map((s) => s.label), ["native + wasm"]);
  const mixed = new ResultSet(
    [...r.rows, { ...r.rows[0], run_id: "a-js", backend: "js", value: 7 }],
    [...r.runs!, { ...r.runs![0], run_id: "a-js", backend: "js" }],
  );
  const sets = splitByBackend(mixed);
  assertEquals(sets.map((s) => s.label), ["js", "native"]);
  assertEquals(sets[0].results.values({ metric: "err", method: "a" }), [7]);
  assertEquals(sets[1].results.values({ metric: "err", method: "b" }), [2]);
});

Deno.test("eachCase: every case must hold (failures marked ✗), or with 'some' one must (passes marked ✓)", () => {
  const one = (x: number) => ({ pass: x < 3, text: `x=${x}` });
  assertEquals(eachCase([1, 2], one, { suffix: " (x < 3)" }), { pass: true, measured: "x=1; x=2 (x < 3)" });
  assertEquals(eachCase([1, 5], one), { pass: false, measured: "x=1; x=5 ✗" });
  assertEquals(eachCase([1, 5], one, { need: "some", prefix: "p: " }), { pass: true, measured: "p: x=1 ✓; x=5" });
  assertEquals(eachCase([4, 5], one, { need: "some" }), { pass: false, measured: "x=4; x=5" });
  assertEquals(eachCase([], one), { pass: false, measured: "no case in the results" });
});

Deno.test("notMeasured: always fails, saying why, whatever the results", () => {
  const check = notMeasured("no GPU here");
  assertEquals(check(new ResultSet([])), { pass: false, measured: "not measured (no GPU here)" });
  assertEquals(check.metrics, [], "it reads no metric");
});

Deno.test("runSpearman: pairs two metrics by run; a run missing one is an error", () => {
  const row = (seed: number, metric: string, value: number): MetricRow => ({
    run_id: `b|${seed}`,
    method: "b",
    backend: "native",
    seed,
    config: {},
    metric,
    step: null,
    value,
  });
  const rows = [[1, 10, 0.5], [2, 30, 0.1], [3, 20, 0.9]].flatMap(([id, x, y]) => [row(id, "x", x), row(id, "y", y)]);
  const r = new ResultSet(rows);
  // x ranks 1, 3, 2; y ranks 2, 1, 3 → ρ = −0.5
  assertEquals(runSpearman(r, { method: "b", x: "x", y: "y" }), { rho: -0.5, runs: 3 });
  assertEquals(runSpearman(r, { method: "b", x: "x", y: "x" }).rho, 1);
  const partial = new ResultSet(rows.slice(0, 5));
  let msg = "";
  try {
    runSpearman(partial, { method: "b", x: "y", y: "x" });
  } catch (e) {
    msg = (e as Error).message;
  }
  assert(msg.includes("has x but no y"), msg);
});

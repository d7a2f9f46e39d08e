import { ok as assert } from "node:assert";
import toy from "../testdata/experiments/toy/mod.ts";
import { declarationProblems } from "./validate.ts";
import { threshold } from "../claims/vocabulary.ts";
import type { AnyExperiment } from "../experiment.ts";

/** Asserts that some problem contains each needle. */
const has = (problems: string[], ...needles: string[]) => {
  for (const s of needles) assert(problems.some((p) => p.includes(s)), `no problem says ${s}:\n${problems.join("\n")}`);
};

Deno.test("validate: the toy experiment is well formed", () => {
  const p = declarationProblems(toy as AnyExperiment);
  assert(p.length === 0, p.join("\n"));
});

Deno.test("validate: a code URL, a string source and a claim without kind are named with key and value", () => {
  const bad = {
    ...toy,
    paper: { ...toy.paper, code: "https://github.com/a/b" },
    claims: [{ ...toy.claims[0], kind: undefined, paper: { value: "1", source: "https://x.org (abstract)" } }],
  } as unknown as AnyExperiment;
  const problems = declarationProblems(bad);
  has(problems, "paper.code: GitHub owner/name", 'got "https://github.com/a/b"');
  has(problems, "claims.0.kind", "claims.0.paper.source");
});

Deno.test("validate: metrics named by claims, tables and figures must exist; a paper claim is required", () => {
  const bad = {
    ...toy,
    claims: [{
      id: "c",
      kind: "sanity",
      statement: "s",
      check: threshold({ metric: "nope", method: "mean", below: 1 }),
    }],
    tables: [{ id: "t", title: "t", metrics: ["missing"], by: ["zz"] }],
    figures: [{ id: "f", title: "f", spec: { transform: [{ filter: "datum.metric == 'ghost'" }] } }],
  } as unknown as AnyExperiment;
  has(
    declarationProblems(bad),
    'claims[0] (c): metric "nope"',
    'tables.t: metric "missing"',
    'tables.t.by: no config key "zz"',
    'figures.f: metric "ghost"',
    'none has kind "paper"',
  );
});

Deno.test("validate: tolerances are well formed and cannot hide a 5% drift by accident", () => {
  const bad = {
    ...toy,
    metrics: { ...toy.metrics, abs_error: { direction: "lower", tolerance: { kind: "statistic", rel: 0.2 } } },
  } as unknown as AnyExperiment;
  has(declarationProblems(bad), "metrics.abs_error.tolerance.rel");
  const old = { ...toy, metrics: { abs_error: { direction: "lower", tolerance: { rel: 1e-6 } } } };
  has(declarationProblems(old as unknown as AnyExperiment), "metrics.abs_error.tolerance.kind");
});

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert";
import toy from "../lib/testdata/experiments/toy/mod.ts";
import { compare, type EnvironmentBaseline, readBaseline, summarize } from "./check.ts";
import type { ClaimResult } from "../lib/claims/types.ts";
import type { MetricSpec } from "../lib/experiment.ts";
import { roundoff } from "../lib/experiment.ts";
import { ResultSet } from "../lib/claims/results.ts";
import { allowedDrift, type MetricSummary } from "../lib/claims/tolerance.ts";
import { experimentIds, loadExperiment } from "../lib/run/registry.ts";

const claim = (pass: boolean, o: { timing?: boolean; graded?: boolean } = {}): ClaimResult => ({
  id: "error-shrinks",
  kind: "paper",
  statement: "",
  measured: pass ? "yes" : "no",
  pass,
  graded: o.graded ?? true,
  timing: o.timing ?? false,
});
const m = (metric: string, mean: number, o: Partial<MetricSummary> = {}): MetricSummary => ({
  method: "mean",
  config: { n: 10 },
  metric,
  mean,
  sd: 0,
  runs: 2,
  ...o,
});
const baseline = (pass: boolean): EnvironmentBaseline => ({
  created: "",
  git_commit: "",
  machine: {
    linalg: "native",
    cpu: "test",
    library: "test",
    openblas_coretype: "Haswell",
    blas_threads: 1,
    deno: "2",
  },
  backends: {},
  metrics: [m("abs_error", 0.5), m("time_ms", 3)],
  claims: { "error-shrinks": { pass, measured: "", graded: true } },
});
const levels = (f: { level: string }[]) => f.map((x) => x.level);

Deno.test("summarize: mean and sd over seeds per method × config × metric, series at their last step", () => {
  const rows = [
    { run_id: "a", method: "m", backend: "wasm", seed: 0, config: { n: 1 }, metric: "e", step: 0, value: 9 },
    { run_id: "a", method: "m", backend: "wasm", seed: 0, config: { n: 1 }, metric: "e", step: 1, value: 1 },
    { run_id: "b", method: "m", backend: "wasm", seed: 1, config: { n: 1 }, metric: "e", step: 1, value: 3 },
  ];
  assertEquals(summarize(new ResultSet(rows)), [
    { method: "m", config: { n: 1 }, metric: "e", mean: 2, sd: Math.SQRT2, runs: 2 },
  ]);
});

Deno.test("check: equal results pass; drift past tolerance and flipped claims are regressions", () => {
  const same = [m("abs_error", 0.5), m("time_ms", 30)]; // timing, 10×: reported, not failed
  assertEquals(levels(compare(toy, baseline(true), same, [claim(true)])), ["info"]);
  const drifted = [m("abs_error", 0.5 + 1e-6), same[1]]; // toy's tolerance is stable, rel 1e-9
  assertEquals(levels(compare(toy, baseline(true), drifted, [claim(true)])), ["regression", "info"]);
  assertEquals(levels(compare(toy, baseline(true), [same[1]], [claim(true)])), ["regression", "info"]);
  assertEquals(levels(compare(toy, baseline(true), same, [claim(false)])), ["info", "regression"]);
  assertEquals(levels(compare(toy, baseline(true), same, [claim(false, { timing: true })])), ["info", "warning"]);
  // A claim that now holds where the baseline says it failed is a flip too: the baseline must be updated.
  assertEquals(levels(compare(toy, baseline(false), same, [claim(true)])), ["info", "regression"]);
  // A claim not graded at this scale is never a regression.
  assertEquals(levels(compare(toy, baseline(true), same, [claim(false, { graded: false })])), ["info"]);
});

Deno.test("tolerance model: each kind allows the drift its nature explains, and catches a 5% drift", () => {
  const spec = (t: MetricSpec["tolerance"]): MetricSpec => ({ direction: "lower", tolerance: t });
  const b = m("x", 0.25, { sd: 0.05, runs: 3 });
  const drift5 = 0.05 * 0.25;
  // stable: last bits only.
  assert(allowedDrift(undefined, b).allowed < 1e-6);
  assert(allowedDrift(spec({ kind: "stable" }), b).allowed < drift5);
  // rounding: an identity residual of 1e-14 may become 3e-14 (another kernel), never 1e-9.
  const floor = roundoff({ n: 100, cond: 10 }); // 16 · eps · 100 · 10 ≈ 3.6e-12
  const r = m("res", 1e-14);
  assert(Math.abs(3e-14 - r.mean) <= allowedDrift(spec({ kind: "rounding", floor }), r).allowed);
  assert(Math.abs(1e-9 - r.mean) > allowedDrift(spec({ kind: "rounding", floor }), r).allowed);
  // conditioned: κ = 1e10 allows ~3.6e-5 relative; a metric may carry κ per run.
  const cnd = allowedDrift(spec({ kind: "conditioned", cond: 1e10 }), b);
  assert(cnd.allowed > 1e-6 * 0.25 && cnd.allowed < drift5, cnd.why);
  const byMetric = allowedDrift(
    spec({ kind: "conditioned", cond: "kappa" }),
    b,
    (k) => (k === "kappa" ? 1e8 : undefined),
  );
  assert(byMetric.why.includes("1.0e+8"), byMetric.why);
  // iterative: to its stopping tolerance.
  assertEquals(allowedDrift(spec({ kind: "iterative", rtol: 1e-4 }), b).allowed, 1e-4 * 0.25 + 1e-12);
  // statistic: the seed spread, capped at 4% so 5% is still caught.
  const st = allowedDrift(spec({ kind: "statistic" }), b);
  assert(st.allowed < drift5 && st.allowed > 0.03 * 0.25, st.why);
});

Deno.test({
  name: "every committed baseline: a 5% drift of any deterministic metric is a regression",
  // Reads every experiment and baseline; exempt only what is below its rounding floor or conditioned past 5%.
  fn: async () => {
    let checked = 0, exempt = 0;
    for (const id of experimentIds()) {
      const exp = await loadExperiment(id);
      const base = readBaseline(id);
      assert(base?.environments, `${id}: no baseline with environments`);
      for (const [env, entry] of Object.entries(base.environments)) {
        for (const b of entry.metrics) {
          const spec = exp.metrics[b.metric];
          if (b.metric === "time_ms" || spec?.timing || b.mean === 0) continue;
          const condOf = (k: string) =>
            entry.metrics.find((x) =>
              x.method === b.method && x.metric === k &&
              JSON.stringify(x.config) === JSON.stringify(b.config)
            )?.mean;
          const { allowed } = allowedDrift(spec, b, condOf);
          const kind = spec?.tolerance?.kind ?? "stable";
          if (allowed >= 0.05 * Math.abs(b.mean)) {
            // Exempt: values below their rounding floor or conditioned past 5%, and values so small (|b| ≤ 2e-11)
            // that 5% of them is under the 1e-12 absolute floor every kind keeps for metrics at zero.
            const atFloor = 0.05 * Math.abs(b.mean) <= 1e-12;
            assert(
              kind === "rounding" || kind === "conditioned" || atFloor,
              `${id} [${env}] ${b.method} ${b.metric}: a 5% drift passes (${kind})`,
            );
            exempt++;
          } else checked++;
        }
      }
    }
    assert(checked > 0);
    console.log(
      `5% drift caught in ${checked} baseline metrics; ${exempt} exempt (at a rounding floor, at the absolute floor, or conditioned)`,
    );
  },
});

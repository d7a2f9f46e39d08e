/** A tiny experiment for the harness's own tests: cheap, deterministic, with a method that can fail or hang. */
import { z } from "zod";
import { defineExperiment } from "../../../experiment.ts";
import { mean } from "../../../math/stats.ts";

export default defineExperiment({
  id: "toy",
  paper: { title: "A toy", authors: "Nobody", year: 2024 },
  summary: "The mean of n standard normals shrinks like 1/sqrt(n).",
  config: z.object({
    n: z.number().int().positive().default(100).describe("sample size"),
    scale: z.number().positive().default(1).describe("standard deviation"),
  }),
  scales: {
    smoke: { description: "two sizes", seeds: 2, grid: { n: [10, 1000] } },
    paper: { description: "more sizes", seeds: 5, grid: { n: [10, 100, 1000, 10000] } },
  },
  data: (cfg, { rng }) => rng.normal(cfg.n).map((x) => x * cfg.scale),
  dataKeys: ["n", "scale"],
  methods: {
    mean: { run: (x) => ({ est: mean(x), trace: [mean(x.subarray(0, 1)), mean(x)] }) },
    iterative: {
      description: "running mean, observed at each step",
      run: (x, _cfg, ctx) => {
        let s = 0;
        for (let i = 0; i < x.length; i++) {
          s += x[i];
          if (i % 5 === 4) ctx.observe(i, s / (i + 1));
        }
        return { est: s / x.length, trace: [] };
      },
    },
    nan: { run: () => ({ est: NaN, trace: [] }) },
    throws: {
      run: () => {
        throw new Error("this method always fails");
      },
    },
    hangs: {
      run: () => {
        while (true) { /* never yields */ }
      },
    },
    small_only: { skip: (cfg) => cfg.n > 100 && "only handles n ≤ 100", run: (x) => ({ est: mean(x), trace: [] }) },
  },
  metrics: {
    abs_error: { direction: "lower", tolerance: { kind: "stable", rel: 1e-9 } },
    running: { direction: "none" },
  },
  measure: (_x, out) => ({ abs_error: Math.abs(out.est) }),
  observe: (_x, state: number) => ({ running: state }),
  claims: [
    {
      id: "error-shrinks",
      kind: "paper",
      statement: "The error at n=1000 is below the error at n=10.",
      check: (r) => {
        const small = r.mean({ metric: "abs_error", method: "mean", where: { n: 10 } });
        const large = r.mean({ metric: "abs_error", method: "mean", where: { n: 1000 } });
        return { measured: `${large.toFixed(3)} vs ${small.toFixed(3)}`, pass: large < small };
      },
    },
  ],
  figures: [{
    id: "error-vs-n",
    title: "Error vs n",
    spec: {
      transform: [{ filter: "datum.metric == 'abs_error'" }],
      mark: "line",
      encoding: {
        x: { field: "n", type: "quantitative", scale: { type: "log" } },
        y: { aggregate: "mean", field: "value", type: "quantitative" },
        color: { field: "method", type: "nominal" },
      },
    },
  }],
  tables: [{ id: "errors", title: "Absolute error", metrics: ["abs_error"], by: ["n"] }],
  paperNumbers: [{
    method: "mean",
    metric: "abs_error",
    where: { n: 10 },
    value: 0.25,
    source: { url: "https://example.org/toy", where: "made up for the test" },
  }],
});

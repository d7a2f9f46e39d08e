/**
 * Weighted least-squares approximation with determinantal point processes and generalized volume sampling (Anthony
 * Nouy, Bertrand Michel, 2023): the module's declaration. To approximate f in an m-dimensional space V_m from n
 * point evaluations, weighted least squares with the optimal weights w = m/K_m(x,x) is quasi-optimal in expectation
 * with n = O(m log m) points drawn i.i.d. Config, scales, methods, metrics, claims and figures below; deviations
 * from the paper in `deviations`, the algorithms in this folder's other files, what runs in README.md.
 */
import { z } from "zod";
import { count, intAtLeast, intBetween } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported } from "../../lib/experiment.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { mean, median, std } from "../../lib/math/stats.ts";
import { compare, fmt, verdict } from "../../lib/claims/mod.ts";
import { errorRatio2, makeProblem, type Problem } from "./data.ts";
import { iidOptimal, repeatedDpp, volumeRescaled } from "./sampling.ts";
import { weightedLeastSquares } from "./wls.ts";
import { lineChart } from "../../lib/figures/mod.ts";

const config = z.object({
  d: intBetween(1, 3, 1, "dimension of the domain [−1,1]^d"),
  m: intAtLeast(2, 20, "dim V_m: first m tensor Legendre polynomials, total-degree order"),
  k: intAtLeast(1, 4, "oversampling: n = k·m points (k DPP repetitions for repeated DPP)"),
  target: z.enum(["runge", "exp_sum"]).default("runge").describe("function f to approximate (see data.ts)"),
  trials: count(100, "independent point sets drawn per run (metrics average them)"),
  quad: intAtLeast(10, 120, "Gauss–Legendre nodes per coordinate for ⟨f, φ_j⟩ and ‖f − P_m f‖"),
});
type Config = z.infer<typeof config>;

/** Per-trial squared error ratio ‖f − f̂‖²/‖f − P_m f‖² and Gram deviation ‖G − I‖₂. */
interface Output {
  ratio2: number[];
  gramDev: number[];
}

/** Thresholds fixed from the paper's statements before running (see README). */
const QUASI_OPT = 2; // "quasi-optimal": E‖f − f̂‖² ≤ C ‖f − P_m f‖² with a small constant; we ask C ≤ 2
const DELTA = 0.5; // stability event ‖G − I‖₂ ≤ δ with δ = 1/2, the paper's usual choice
const STABLE_P = 0.9; // "with high probability"
const NONINF = 0.05; // non-inferiority margin of repeated DPP vs i.i.d. (relative to the i.i.d. mean)
const ABS = { url: "https://arxiv.org/abs/2312.14057", where: "abstract" };
const METHODS = ["iid_optimal", "volume", "dpp_repeated"];

function trialsOf(sample: (p: Problem, cfg: Config) => Float64Array) {
  return (p: Problem, cfg: Config): Output => {
    const out: Output = { ratio2: [], gramDev: [] };
    for (let t = 0; t < cfg.trials; t++) {
      const fit = weightedLeastSquares(p.basis, sample(p, cfg), p.f);
      out.ratio2.push(errorRatio2(p, fit.coef));
      out.gramDev.push(fit.gramDev);
    }
    return out;
  };
}

const ks = (r: ResultSet) => (r.levels("k") as number[]).sort((a, b) => a - b);

export default defineExperiment({
  id: "wls-dpp",
  paper: {
    title: "Weighted least-squares approximation with determinantal point processes and generalized volume sampling",
    authors: "Anthony Nouy, Bertrand Michel",
    year: 2023,
    arxiv: "2312.14057",
  },
  summary: "To approximate f in an m-dimensional space V_m from n point evaluations, weighted least squares with the " +
    "optimal weights w = m/K_m(x,x) is quasi-optimal in expectation with n = O(m log m) points drawn i.i.d. from the " +
    "optimal density, or from the paper's generalized volume-rescaled sampling; independent repetitions of a " +
    "projection DPP give similar guarantees with fewer points in practice. We fit tensor-Legendre spaces on " +
    "[−1,1]^d with all three samplers and measure ‖f − f̂‖²/‖f − P_m f‖² and the stability ‖G − I‖₂ ≤ 1/2 of the " +
    "weighted Gram matrix as n/m grows.",
  config,
  scales: {
    smoke: {
      description: "d = 1, m = 10, Runge target, n/m ∈ {1, 2, 4, 8, 16, 32}, 100 point sets per run, 2 seeds",
      seeds: 2,
      set: { d: 1, m: 10, trials: 100, quad: 80 },
      grid: { k: [1, 2, 4, 8, 16, 32] },
      deviations: ["one small space (m = 10, d = 1) and 200 point sets per (method, n)"],
    },
    paper: {
      description: "d ∈ {1, 2}, m ∈ {10, 20, 40}, Runge target, n/m ∈ {1, 2, 3, 4, 6, 8, 12, 16, 24, 32}, " +
        "100 point sets per run, 5 seeds (500 per point)",
      seeds: 5,
      set: { trials: 100, quad: 120 },
      grid: { d: [1, 2], m: [10, 20, 40], k: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32] },
      deviations: [
        "500 point sets per (method, space, n) where the paper may use more; means of heavy-tailed errors at n = m " +
        "are noisy at this count",
        "n is restricted to multiples of m so that repeated DPP (n = k·m) is comparable at equal n",
      ],
    },
  },
  deviations: [
    "The paper's numerical section (spaces, test functions, sample counts) could not be read here (only its " +
    "abstract is stored); spaces (tensor Legendre, total-degree order, d ≤ 2), targets (Runge-type, exp·cos) " +
    "and n-grid are ours, within the catalog's m = 10–50 on [−1,1]^d.",
    "Volume-rescaled sampling is drawn as a projection DPP plus n − m i.i.d. optimal points in random order " +
    "(the Dereziński–Warmuth–Hsu decomposition) rather than by a generic MCMC/rejection sampler.",
    "No conditioned variants (resampling until ‖G − I‖₂ ≤ δ) are run; stability is measured, not enforced.",
  ],
  data: (cfg) => makeProblem(cfg),
  dataKeys: ["d", "m", "target", "quad"],
  methods: {
    iid_optimal: {
      label: "i.i.d. optimal",
      description: "n i.i.d. points from ρ = K_m(x,x)/m dμ, weights m/K_m (paper §2; Cohen & Migliorati 2017)",
      run: (p: Problem, cfg: Config, ctx) => trialsOf((q, c) => iidOptimal(q.basis, c.k * c.m, ctx.rng))(p, cfg),
    },
    volume: {
      label: "volume-rescaled",
      description: "generalized volume-rescaled sampling of n points with the optimal weights (paper §4), drawn as " +
        "projection DPP ∪ (n − m) i.i.d. ρ points",
      run: (p: Problem, cfg: Config, ctx) => trialsOf((q, c) => volumeRescaled(q.basis, c.k * c.m, ctx.rng))(p, cfg),
    },
    dpp_repeated: {
      label: "repeated DPP",
      description: "k independent projection DPPs with kernel K_m (m points each, n = k·m), optimal weights " +
        "(paper §5); k = 1 is DPP interpolation",
      run: (p: Problem, cfg: Config, ctx) => trialsOf((q, c) => repeatedDpp(q.basis, c.k, ctx.rng))(p, cfg),
    },
  },
  metrics: {
    err2_ratio: lower("mean ‖f − f̂‖² / ‖f − P_m f‖² over point sets"),
    err_ratio_median: lower("median ‖f − f̂‖ / ‖f − P_m f‖"),
    stable_frac: higher(`fraction of point sets with ‖G − I‖₂ ≤ ${DELTA}`),
    gram_dev_median: lower("median ‖G − I‖₂"),
    n: reported("number of points n"),
  },
  measure: (_p: Problem, o: Output, cfg: Config) => ({
    err2_ratio: o.ratio2.reduce((a, b) => a + b, 0) / o.ratio2.length,
    err_ratio_median: Math.sqrt(median(o.ratio2)),
    stable_frac: o.gramDev.filter((g) => g <= DELTA).length / o.gramDev.length,
    gram_dev_median: median(o.gramDev),
    n: cfg.k * cfg.m,
  }),
  claims: [
    {
      id: "quasi-optimal-m-log-m",
      kind: "paper",
      statement: "With n = O(m log m) points, i.i.d. optimal sampling and generalized volume-rescaled sampling (and " +
        "repeated DPP) give E‖f − f̂‖² ≤ C‖f − P_m f‖² (abstract). Checked: the mean over seeds of the mean squared " +
        `error ratio is ≤ ${QUASI_OPT} for every method, space and n/m ≥ 2 ln m (C = ${QUASI_OPT} fixed before any run).`,
      paper: { value: "quasi-optimality in expectation for n = O(m log m)", source: ABS },
      check: (r) => {
        let worst = 0, count = 0, where = "";
        for (const d of r.levels("d") as number[]) {
          for (const m of r.levels("m") as number[]) {
            for (const k of ks(r).filter((k) => k >= 2 * Math.log(m))) {
              for (const method of METHODS) {
                const v = r.mean({ metric: "err2_ratio", method, where: { d, m, k } });
                count++;
                if (!(v <= worst)) [worst, where] = [v, `${method}, d=${d}, m=${m}, n=${k}m`];
              }
            }
          }
        }
        return verdict(
          worst <= QUASI_OPT,
          `worst mean ratio ${fmt(worst)} (${where}) over ${count} (method, space, n) (need ≤ ${QUASI_OPT})`,
        );
      },
    },
    {
      id: "volume-identity-n-equals-m",
      kind: "identity",
      statement: "A check of our sampler, not a claim of the paper: at n = m, volume-rescaled sampling is a single " +
        "projection DPP and E‖f − f̂‖² = (m + 1)‖f − P_m f‖² exactly (the volume-sampling identity of Dereziński, " +
        "Warmuth & Hsu, which the paper generalizes). Checked: the mean over seeds is within [0.5, 1.5]·(m + 1) in " +
        "every space (a band, because the ratio is heavy-tailed and sample means fall low).",
      check: (r) => {
        const parts: string[] = [];
        let ok = true;
        for (const d of r.levels("d") as number[]) {
          for (const m of r.levels("m") as number[]) {
            const vol = r.mean({ metric: "err2_ratio", method: "volume", where: { d, m, k: 1 } });
            const good = vol >= 0.5 * (m + 1) && vol <= 1.5 * (m + 1);
            ok &&= good;
            parts.push(`d=${d} m=${m}: ${fmt(vol)} vs m+1 = ${m + 1}${good ? "" : " ✗"}`);
          }
        }
        return verdict(ok, parts.join("; "));
      },
    },
    {
      id: "iid-unstable-at-n-equals-m",
      kind: "sanity",
      statement: "A known property of the baseline (why the paper needs n = O(m log m) for i.i.d. points): at n = m, " +
        "i.i.d. optimal sampling has a mean error ratio at least 10× that of volume sampling (geometric mean of the " +
        "per-seed ratios, less 2 SE), in every space.",
      check: compare({
        metric: "err2_ratio",
        method: "volume",
        baseline: "iid_optimal",
        better: "lower",
        factor: 10,
        where: { k: 1 },
        forEach: ["d", "m"],
      }),
    },
    {
      id: "repeated-dpp-fewer-samples-stability",
      kind: "paper",
      statement: "Independent repetitions of projection DPP yield bounds like i.i.d. sampling 'but in practice with " +
        `a much lower number of samples' (abstract). Checked in every space: the smallest grid n/m at which ` +
        `‖G − I‖₂ ≤ ${DELTA} holds in ≥ ${STABLE_P * 100}% of point sets (mean over seeds) is strictly smaller for ` +
        `repeated DPP than for i.i.d. optimal sampling, and at that n/m the i.i.d. fraction plus 2 SE over seeds is ` +
        `still below ${STABLE_P} (so the gap is not seed noise).`,
      paper: { value: "much lower number of samples in practice", source: ABS },
      check: (r) => {
        const stats = (method: string, w: Record<string, unknown>) => {
          const v = r.values({ metric: "stable_frac", method, where: w });
          return { m: mean(v), se: v.length > 1 ? std(v) / Math.sqrt(v.length) : 0 };
        };
        const parts: string[] = [];
        let ok = true;
        for (const d of r.levels("d") as number[]) {
          for (const m of r.levels("m") as number[]) {
            const first = (method: string) => ks(r).find((k) => stats(method, { d, m, k }).m >= STABLE_P) ?? Infinity;
            const a = first("dpp_repeated"), b = first("iid_optimal");
            const iidAt = Number.isFinite(a) ? stats("iid_optimal", { d, m, k: a }) : { m: NaN, se: NaN };
            const good = Number.isFinite(a) && a < b && iidAt.m + 2 * iidAt.se < STABLE_P;
            ok &&= good;
            const show = (k: number) => (Number.isFinite(k) ? `${k}m` : "∞ (not within the grid)");
            parts.push(
              `d=${d} m=${m}: DPP n = ${show(a)} vs i.i.d. n = ${show(b)} (i.i.d. at DPP's n: ${fmt(iidAt.m)} ± ` +
                `${fmt(2 * iidAt.se)})${good ? "" : " ✗"}`,
            );
          }
        }
        return verdict(ok, parts.join("; "));
      },
    },
    {
      id: "repeated-dpp-not-worse",
      kind: "paper",
      statement: "Repeated DPP gives 'similar error bounds as with i.i.d. or volume sampling' (abstract). Checked as " +
        "non-inferiority at equal n, in every space and at every n/m: the geometric mean over seeds of the paired " +
        "ratio (i.i.d. / repeated DPP) of the mean squared error ratio, less 2 SE on the log scale, is ≥ " +
        `1/${1 + NONINF}, i.e. repeated DPP is at most ${NONINF * 100}% worse beyond seed noise (ratios, because ` +
        "i.i.d. errors at small n are heavy-tailed; the former check asked for DPP ≤ i.i.d. on means without noise).",
      paper: { value: "similar error bounds, much lower number of samples", source: ABS },
      check: compare({
        metric: "err2_ratio",
        method: "dpp_repeated",
        baseline: "iid_optimal",
        better: "lower",
        factor: 1 / (1 + NONINF),
        forEach: ["d", "m", "k"],
      }),
    },
  ],
  figures: [
    {
      id: "error-vs-n",
      title: "Mean ‖f − f̂‖² / ‖f − P_m f‖² against n/m",
      mirrors: "the paper's error-vs-n figures (§6; not readable here, so the layout is ours)",
      caption:
        "Runge-type target; the claims ask for a mean ratio ≤ 2 at n/m ≥ 2 ln m, and ≈ m + 1 for volume at n = m.",
      spec: lineChart({
        metric: "err2_ratio",
        calculate: [{ as: "space", expr: "'d=' + datum.d + ', m=' + datum.m" }],
        x: "k",
        logX: true,
        xTitle: "n / m",
        logY: true,
        yTitle: "mean ‖f − f̂‖² / ‖f − P_m f‖²",
        wrap: "space",
      }),
    },
    {
      id: "stability-vs-n",
      title: `Fraction of point sets with ‖G − I‖₂ ≤ ${DELTA}`,
      mirrors: "the paper's stability / sample-count comparison of repeated DPP and i.i.d. sampling",
      spec: lineChart({
        metric: "stable_frac",
        calculate: [{ as: "space", expr: "'d=' + datum.d + ', m=' + datum.m" }],
        x: "k",
        logX: true,
        xTitle: "n / m",
        yTitle: "P(‖G − I‖₂ ≤ 1/2)",
        zeroY: true,
        wrap: "space",
      }),
    },
  ],
  tables: [
    {
      id: "errors",
      title: "Error ratio and stability per sampler",
      metrics: ["err2_ratio", "err_ratio_median", "stable_frac"],
      by: ["d", "m", "k"],
    },
  ],
  // The paper's figures could not be read here (only the abstract is stored): no paper numbers are quoted.
  paperNumbers: [],
});

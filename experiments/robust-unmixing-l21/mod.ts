/**
 * robust-unmixing-l21 — Zhu, Wang, Fan, Meng, Pan: "Effective Spectral Unmixing via Robust Representation and
 * Learning-based Sparsity" (arXiv 1409.0685, 2014). An ℓ2,1 data term over channels plus a per-pixel ℓp sparsity
 * set by a learnt guidance map (RRLbS), against NMF, L1/2-NMF, GLNMF and VCA + FCLS on synthetic scenes with a
 * growing fraction of corrupted (outlier) bands; SAD of the endmembers and RMSE of the abundances.
 *
 * Files: rrlbs.ts (the method and an ℓ2,1 + L1/2 ablation); lib/math/nmf (the multiplicative family, VCA, FCLS,
 * metrics, the scene generator and the shared tuning bench, also used by ss-nmf-unmixing).
 */
import { z } from "zod";
import { between, count, positive } from "../../lib/fields.ts";
import { defineExperiment } from "../../lib/experiment.ts";
import { allOf, bestOf, compare } from "../../lib/claims/mod.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import * as bench from "../../lib/math/nmf/unmixing_bench.ts";
import { l21L12, rrlbs } from "./rrlbs.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/1409.0685", where: "abstract" };

const config = z.object({
  ...bench.UNMIXING_CONFIG,
  snrDb: z.number().default(30).describe("Gaussian noise, signal-to-noise ratio in dB"),
  outlierBands: between(0, 0.9, 0.1, "fraction of bands replaced by outlier noise"),
  outlierScale: positive(2, "outlier bands: |N(0, (scale·mean Y)²)| values"),
  knn: count(5, "neighbours of GLNMF's spectral kNN graph"),
  every: count(10, "RRLbS: re-learn the guidance map every this many iterations"),
  lambdaGrid: z.array(z.number().positive()).default([0.01, 0.03, 0.1, 0.3, 1])
    .describe("λ = c·λ̂ (Qian et al.'s sparsity estimate) for each c here: L1/2-NMF, RRLbS, ℓ2,1+L1/2"),
  muGrid: z.array(z.number().positive()).default([0.001, 0.01, 0.1, 1, 10]).describe("GLNMF graph weight μ"),
});
type Cfg = z.infer<typeof config>;

const settings = (c: Cfg) => ({ iters: c.iters, delta: c.delta, knn: c.knn, every: c.every });
const BASELINES = bench.BASELINE_IDS;

export default defineExperiment({
  id: "robust-unmixing-l21",
  paper: {
    title: "Effective Spectral Unmixing via Robust Representation and Learning-based Sparsity",
    authors: "Feiyun Zhu, Ying Wang, Bin Fan, Gaofeng Meng, Chunhong Pan",
    year: 2014,
    arxiv: "1409.0685",
  },
  summary: "Hyperspectral unmixing suffers from outlier (blank or badly degraded) channels and from a large solution " +
    "space. The paper measures the representation error with the ℓ2,1 norm over channels, so outlier channels " +
    "cannot dominate, and imposes an ℓp (0 < p ≤ 1) sparsity whose strength per pixel follows a learnt guidance map " +
    "of its mixed level. It claims much better unmixing than state-of-the-art methods. We compare it with NMF, " +
    "L1/2-NMF, GLNMF and VCA + FCLS on synthetic scenes (smooth generated endmembers, spatially smooth Dirichlet " +
    "abundances, 30 dB noise) as the fraction of corrupted bands grows, by endmember SAD and abundance RMSE.",
  config,
  scales: {
    smoke: {
      description: "L = 40 bands, 12×12 pixels, R = 3, 60 iterations, 10% outlier bands, 1 seed",
      seeds: 1,
      set: { bands: 40, side: 12, endmembers: 3, iters: 60, block: 4, lambdaGrid: [0.1, 1], muGrid: [0.1, 1] },
      grid: { outlierBands: [0.1] },
      deviations: [
        "tiny scene, 60 iterations, 2-value grids, one seed: a pipeline check; claims are graded at paper scale only",
      ],
    },
    paper: {
      description: "L = 100 bands, 32×32 pixels, R = 5, 30 dB, 0 / 10% / 20% outlier bands, 300 iterations, 5 seeds",
      seeds: 5,
      grid: { outlierBands: [0, 0.1, 0.2] },
      deviations: [
        "synthetic scenes only (the paper also unmixes real images, e.g. Urban / Jasper Ridge, not available here); " +
        "32×32 pixels, L = 100, R = 5 and 300 iterations instead of the paper's sizes, to fit 2 shared CPU cores",
      ],
    },
  },
  deviations: [
    "only the abstract and introduction could be read: the ℓ2,1 data term over channels and the per-pixel ℓp " +
    "sparsity are the paper's; the guidance map (h_n = 1 − entropy/log R of the current abundances, p_n = 1 − h_n/2, " +
    "re-learnt every 10 iterations) and the solver (reweighted multiplicative updates with a fixed scale c) are our " +
    "reconstruction, not the paper's learning rule or algorithm",
    "every NMF variant starts from the same VCA + FCLS solution of the scene, uses sum-to-one by augmentation " +
    "(δ = 15) and runs a fixed number of iterations (no stopping rule)",
    "endmembers are generated smooth spectra (no USGS library); abundances are blockwise Dirichlet(0.1) (near-pure blocks), box-smoothed over (block+1)² pixels " +
    "and capped at 0.8 purity; outlier bands are replaced by |N(0, (2·mean Y)²)| noise; negative noisy values are " +
    "clipped to 0 before factorizing",
    "tuning grids changed after a first look (seed 0, 0% outliers): with c ∈ {0.1, 0.3, 1, 3} and μ ∈ {0.01, 0.1, " +
    "1, 10} every method picked the bottom of its grid (SAD: NMF 0.1065, L1/2 0.1095 at c = 0.1, GLNMF 0.1330 at " +
    "μ = 0.01, RRLbS 0.1071 at c = 0.1); the grids were widened downward to 5 values for every method alike",
    "SAD is computed on the uncorrupted bands only (a corrupted band says nothing about the true spectrum); first " +
    "looks used all bands (seed 0, 20% outliers: every method's SAD ≈ 0.47–0.64 rad, dominated by those bands)",
    "5 seeds after a first verify with 3 (commit be07353), where 1 of 3 paper claims held: RMSE with outliers passed " +
    "(RRLbS 0.193 / 0.206 vs best baseline 0.218 / 0.232 at 10 / 20% outlier bands); SAD with outliers failed on " +
    "noise (RRLbS 0.270 / 0.242 vs 0.286–0.310 / 0.254–0.277, advantages +6–13% ± 9–18%); clean bands failed (SAD " +
    "0.122 vs NMF 0.122); the claims and margins are unchanged",
    "GLNMF's graph is a 5-nearest-neighbour heat-kernel graph in spectral space; its λ is fixed at λ̂ as in Lu et al.",
  ],
  data: (cfg: Cfg, { rng }): bench.Bench => bench.benchFromConfig(cfg, rng),
  dataKeys: ["bands", "side", "endmembers", "snrDb", "outlierBands", "outlierScale", "maxPurity", "block", "alpha"],
  methods: {
    rrlbs: {
      label: "RRLbS (proposed)",
      description: "ℓ2,1 data term over channels + guidance-map ℓp sparsity (Zhu et al. 2014; our reconstruction)",
      run: (b: bench.Bench, cfg: Cfg, ctx) =>
        bench.tuneAndFit(b, (sc, c) => rrlbs(sc, settings(cfg), c!), cfg.lambdaGrid, ctx.choose, "lambda_c"),
    },
    l21_l12: {
      label: "ℓ2,1 + L1/2 (ablation)",
      description: "our ablation: the ℓ2,1 data term with a fixed L1/2 penalty, no guidance map",
      run: (b: bench.Bench, cfg: Cfg, ctx) =>
        bench.tuneAndFit(b, (sc, c) => l21L12(sc, settings(cfg), c!), cfg.lambdaGrid, ctx.choose, "lambda_c"),
    },
    ...bench.baselineMethods(settings),
  },
  metrics: bench.UNMIXING_METRICS,
  measure: bench.measureUnmixing,
  tuning: {
    ...bench.UNMIXING_TUNING,
    grids: {
      rrlbs: "λ = c·λ̂, c ∈ {0.01, 0.03, 0.1, 0.3, 1}",
      l21_l12: "λ = c·λ̂, c ∈ {0.01, 0.03, 0.1, 0.3, 1}",
      l12: "λ = c·λ̂, c ∈ {0.01, 0.03, 0.1, 0.3, 1}",
      glnmf: "μ ∈ {0.001, 0.01, 0.1, 1, 10} (λ = λ̂ fixed, as Lu et al.)",
      nmf: "none",
      vca_fcls: "none",
    },
  },
  claims: [
    {
      id: "sad-beats-baselines-with-outliers",
      kind: "paper",
      statement: "With outlier channels, RRLbS estimates endmembers better than the state of the art (abstract: " +
        "'preventing outlier channels from dominating our objective … much better HU results'). Checked at 10% and " +
        "20% outlier bands: RRLbS's SAD is lower than each of NMF, L1/2-NMF, GLNMF and VCA + FCLS by 2% beyond 2·SE, " +
        "paired per seed.",
      paper: { value: "much better HU results than state-of-the-art methods", source: ABSTRACT },
      scales: ["paper"],
      check: allOf(
        bestOf({ metric: "sad", winner: "rrlbs", others: BASELINES, better: "lower", where: { outlierBands: 0.1 } }),
        bestOf({ metric: "sad", winner: "rrlbs", others: BASELINES, better: "lower", where: { outlierBands: 0.2 } }),
      ),
    },
    {
      id: "rmse-beats-baselines-with-outliers",
      kind: "paper",
      statement: "With outlier channels, RRLbS's abundances are better: at 10% and 20% outlier bands its RMSE is " +
        "lower than each baseline's by 2% beyond 2·SE, paired per seed.",
      paper: { value: "much better HU results than state-of-the-art methods", source: ABSTRACT },
      scales: ["paper"],
      check: allOf(
        bestOf({ metric: "rmse", winner: "rrlbs", others: BASELINES, better: "lower", where: { outlierBands: 0.1 } }),
        bestOf({ metric: "rmse", winner: "rrlbs", others: BASELINES, better: "lower", where: { outlierBands: 0.2 } }),
      ),
    },
    {
      id: "beats-baselines-clean-bands",
      kind: "paper",
      statement: "Without outlier channels the learning-based sparsity alone should still give better results " +
        "(abstract: better HU results in general). Checked at 0% outlier bands: SAD and RMSE each lower than every " +
        "baseline's by 2% beyond 2·SE.",
      paper: { value: "much better HU results than state-of-the-art methods", source: ABSTRACT },
      scales: ["paper"],
      check: allOf(
        bestOf({ metric: "sad", winner: "rrlbs", others: BASELINES, better: "lower", where: { outlierBands: 0 } }),
        bestOf({ metric: "rmse", winner: "rrlbs", others: BASELINES, better: "lower", where: { outlierBands: 0 } }),
      ),
    },
    {
      id: "l21-helps-l12",
      kind: "sanity",
      statement:
        "Our ablation: the ℓ2,1 data term alone improves L1/2-NMF's SAD at 20% outlier bands (2% beyond 2·SE).",
      scales: ["paper"],
      check: compare({
        metric: "sad",
        method: "l21_l12",
        baseline: "l12",
        better: "lower",
        where: { outlierBands: 0.2 },
      }),
    },
  ],
  figures: [
    {
      id: "sad-vs-outliers",
      title: "Endmember SAD vs fraction of outlier bands",
      mirrors: "the paper's SAD tables (synthetic data; shape only, the paper's numbers were not readable)",
      spec: lineChart({ metric: "sad", x: "outlierBands", xTitle: "fraction of outlier bands", band: true }),
    },
    {
      id: "rmse-vs-outliers",
      title: "Abundance RMSE vs fraction of outlier bands",
      spec: lineChart({ metric: "rmse", x: "outlierBands", xTitle: "fraction of outlier bands", band: true }),
    },
  ],
  tables: [{
    id: "summary",
    title: "SAD and RMSE per method and outlier fraction",
    metrics: ["sad", "rmse"],
    by: ["outlierBands"],
  }],
  // No paperNumbers: the paper's tables could not be read here.
});

/**
 * weighting-vectors — Bunch, Kline, Dickinson, Bhat, Fung: "Weighting vectors for machine learning: numerical
 * harmonic analysis applied to boundary detection" (arXiv 2106.00827). The weighting vector w = Z⁻¹·1 of the
 * similarity matrix Z = exp(−t·d(xᵢ, xⱼ)) is large on the boundary of a point cloud; read as an outlier score
 * (|wᵢ|, t = 1 on standardised features, the official code's defaults), it is said to be competitive with or better
 * than the classic detectors, and to have cheap nearest-neighbour approximations.
 *
 * Files: weighting.ts (Z, the exact weighting by Cholesky, the local k-NN approximation), data.ts (ODDS-style sets
 * from scikit-learn's bundled tables and a synthetic 2-D set), lib/math/anomaly.ts (LOF, isolation forest, one-class
 * SVM, k-NN distance, ROC-AUC), lib/math/knn.ts (kd-tree neighbours). How the paper and code were read: NOTES.md.
 */
import { z } from "zod";
import { intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, reported, roundoff, tol } from "../../lib/experiment.ts";
import type { RunContext } from "../../lib/experiment.ts";
import { compare, LARGEST, threshold, trend } from "../../lib/claims/mod.ts";
import { barChart, lineChart } from "../../lib/figures/mod.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { isolationForest, knnDistance, lof, oneClassSvm } from "../../lib/math/anomaly.ts";
import { rocAuc } from "../../lib/math/stats.ts";
import { spearman } from "../../lib/math/stats.ts";
import { DATASETS, type OutlierSet, outlierSet } from "./data.ts";
import { localWeights, weightingVector } from "./weighting.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2106.00827", where: "abstract" };

const config = z.object({
  dataset: z.enum(DATASETS).default("wine").describe(
    "outlier set (data.ts): wbc, wine, digits (scikit-learn tables, ODDS-style class splits) or blobs (synthetic 2-D)",
  ),
  n: intAtLeast(
    50,
    1000,
    "points of the synthetic `blobs` set; the real sets have their own size and run only at the default n = 1000",
  ),
  t: positive(
    1,
    "magnitude scale t in Z = exp(−t·‖xᵢ − xⱼ‖) on z-scored features (the official code's default class_ts = 1)",
  ),
  approxK: intAtLeast(1, 20, "neighbours in each local weighting solve (weighting_knn)"),
  wideK: intAtLeast(1, 100, "neighbours of the wider local solve (weighting_knn_wide, our ablation; capped at n − 1)"),
  lofK: intAtLeast(1, 20, "LOF neighbours (scikit-learn's default n_neighbors)"),
  knnK: intAtLeast(1, 5, "k of the k-th-neighbour distance score (PyOD's KNN default)"),
  ifTrees: intAtLeast(1, 100, "isolation-forest trees (scikit-learn's n_estimators)"),
  ifSample: intAtLeast(2, 256, "isolation-forest subsample size (max_samples)"),
  nu: z.number().gt(0).max(1).default(0.5).describe("one-class SVM ν (scikit-learn's default); γ = 1/(d·Var X)"),
});
type Cfg = z.infer<typeof config>;

/** What every method returns: one outlier score per point (higher = more outlying) and method-specific numbers. */
interface Out {
  scores: Float64Array;
  extra: Record<string, number>;
}

const REAL_ONLY_AT = 1000;
const realAtOtherN = (cfg: Cfg) =>
  cfg.dataset !== "blobs" && cfg.n !== REAL_ONLY_AT &&
  `n sweeps the synthetic blobs set only; ${cfg.dataset} has its own size and runs at n = ${REAL_ONLY_AT}`;

/** Non-inferiority on every data set at n = 1000: `method`'s ROC-AUC, paired by seed, ≥ baseline's − `by` beyond 2 SE. */
const aucNotWorse = (method: string, baseline: string, by: number) =>
  compare({
    metric: "roc_auc",
    method,
    baseline,
    better: "higher",
    margin: { abs: -by },
    where: { n: REAL_ONLY_AT },
    forEach: "dataset",
  });

const exact = (d: OutlierSet, cfg: Cfg, ctx: RunContext): Out => {
  const r = weightingVector(ctx.linalg ?? getLinalg(), d.x, d.n, d.d, cfg.t);
  return {
    scores: r.w.map(Math.abs),
    extra: { magnitude: r.magnitude, solve_resid: r.residual, jitter: r.jitter },
  };
};

export default defineExperiment({
  id: "weighting-vectors",
  paper: {
    title: "Weighting vectors for machine learning: numerical harmonic analysis applied to boundary detection",
    authors: "Eric Bunch, Jeffery Kline, Daniel Dickinson, Suhaas Bhat, Glenn Fung",
    year: 2021,
    arxiv: "2106.00827",
    code: "AmFamMLTeam/metric-space-magnitude",
  },
  summary: "The weighting vector w = Z⁻¹·1 of Z = exp(−t·‖xᵢ − xⱼ‖) (metric-space magnitude) is large on the " +
    "boundary of a point cloud. As an outlier score it is claimed competitive with or better than the classic " +
    "detectors, and approximable in linear time by nearest-neighbour methods. We score three ODDS-style sets built " +
    "from scikit-learn's tables and a synthetic 2-D set by |w| (exact Cholesky solve and a local k-NN " +
    "approximation), LOF, isolation forest, one-class SVM and k-NN distance at fixed defaults, compare ROC-AUC " +
    "paired by seed, and time the approximation against the exact solve as n grows.",
  config,
  scales: {
    smoke: {
      description: "wine (129 points) and wbc (378), all six methods, 2 seeds; well under a second per run",
      seeds: 2,
      grid: { dataset: ["wine", "wbc"] },
      deviations: ["two of the four sets, 2 seeds; no size sweep (the timing claims are graded at paper scale only)"],
    },
    paper: {
      description: "wbc, wine, digits and blobs (n = 1000) for the ROC-AUC table; blobs at n = 500, 1000, 2000, " +
        "4000 for the timing sweep; 5 seeds (each its own outlier draw, and isolation-forest trees)",
      seeds: 5,
      grid: { dataset: [...DATASETS], n: [500, 1000, 2000, 4000] },
      deviations: [
        "ODDS-style sets rebuilt from scikit-learn's tables (a fresh outlier sample per seed), not the ODDS files; " +
        "ionosphere, pima and the other sets of the paper's benchmark are not here (see NOTES.md)",
      ],
    },
  },
  deviations: [
    "only the abstract and the opening of the introduction could be read; the paper's outlier protocol (data sets, " +
    "scale t, score, approximation) is not known to us. We follow the official code where it decides: z-scored " +
    "features, t = 1, score |wᵢ|, 0.01·I added to Z when it cannot be factored. The official experiments.py runs " +
    "a classification benchmark (weight classifier vs k-NN, logistic regression, random forest, SVM), not outlier " +
    "detection, and the repository holds no results",
    "the nearest-neighbour approximation is our construction (the weighting of each point's own k-neighbourhood); " +
    "the paper's linear-time scheme could not be read",
    "the ablation weighting_knn_wide (k = 100) was added after a one-seed probe of the paper scale showed the " +
    "k = 20 local weighting far below the exact one: blobs n = 1000 seed 0 ROC-AUC 0.655 vs 0.888, digits 0.438 " +
    "vs 0.510; k = 20 stays the graded setting of the paper claim, the wide one is graded as sanity only",
    "one-class SVM by our SMO (libsvm's pair selection and stopping rule), not libsvm itself; scores are in-sample " +
    "for every method (all detectors fit and score the whole contaminated set)",
    "timing protocol changed after two paper-scale verifies: each method is now timed as the median of 3 calls after " +
    "1 warm-up call (it was one cold call). With one call the linear-time slope's 95% interval was [0.771, 1.463] " +
    "(fail) in the first verify and inside 1.3 in the second, with no setting changed: single cold timings on a " +
    "shared machine were too noisy to decide the claim either way",
  ],
  timing: { warmup: 1, repeats: 3 },
  tuning: {
    rule: "none: every method runs at fixed defaults set before any result — the official code's t = 1 for the " +
      "weighting vector, scikit-learn's (or PyOD's) defaults for the baselines; no labels are used",
    budget: "1 fit per run for every method; 0 tuning evaluations",
    grids: {
      weighting: "t = 1 (fixed)",
      weighting_knn: "t = 1, k = 20 neighbours per local solve (fixed)",
      weighting_knn_wide: "t = 1, k = 100 (fixed; an ablation added after the probe, see deviations)",
      lof: "k = 20 (fixed)",
      iforest: "100 trees × 256 samples (fixed)",
      ocsvm: "ν = 0.5, γ = 1/(d·Var X) (fixed)",
      knn: "k = 5 (fixed)",
    },
  },
  data: (cfg: Cfg, { rng }) => outlierSet(cfg.dataset, rng, cfg.n),
  dataKeys: ["dataset", "n"],
  methods: {
    weighting: {
      label: "weighting vector |Z⁻¹1| (exact)",
      description: "|wᵢ| with w = Z⁻¹·1 by a dense Cholesky solve, O(n³) (Bunch et al.; official Classifier.py)",
      skip: realAtOtherN,
      run: exact,
    },
    weighting_knn: {
      label: "weighting vector, k-NN local",
      description: "|w̃ᵢ|, w̃ᵢ = (Z_N(i)⁻¹·1)ᵢ over i and its k nearest neighbours (kd-tree): O(n·k³) (our construction)",
      skip: realAtOtherN,
      run: (d: OutlierSet, cfg: Cfg): Out => {
        const r = localWeights(d.x, d.n, d.d, cfg.t, cfg.approxK);
        return { scores: r.w.map(Math.abs), extra: { jittered: r.jittered } };
      },
    },
    weighting_knn_wide: {
      label: "weighting vector, k-NN local (k = 100)",
      description: "our ablation: the same local weighting over 100 neighbours, O(n·k³) with a 125× larger constant",
      skip: realAtOtherN,
      run: (d: OutlierSet, cfg: Cfg): Out => {
        const r = localWeights(d.x, d.n, d.d, cfg.t, Math.min(cfg.wideK, d.n - 1));
        return { scores: r.w.map(Math.abs), extra: { jittered: r.jittered } };
      },
    },
    lof: {
      label: "LOF",
      description: "Local Outlier Factor (Breunig et al. 2000), k = 20",
      skip: realAtOtherN,
      run: (d: OutlierSet, cfg: Cfg): Out => ({ scores: lof(d.x, d.n, d.d, cfg.lofK), extra: {} }),
    },
    iforest: {
      label: "isolation forest",
      description: "Liu, Ting & Zhou 2008: 100 trees, 256 samples each",
      skip: realAtOtherN,
      run: (d: OutlierSet, cfg: Cfg, ctx): Out => ({
        scores: isolationForest(d.x, d.n, d.d, ctx.rng, { trees: cfg.ifTrees, sample: cfg.ifSample }),
        extra: {},
      }),
    },
    ocsvm: {
      label: "one-class SVM",
      description: "Schölkopf et al. 2001, RBF kernel, ν = 0.5, γ = 1/(d·Var X), SMO to libsvm's gap 1e-3",
      skip: realAtOtherN,
      run: (d: OutlierSet, cfg: Cfg): Out => {
        const r = oneClassSvm(d.x, d.n, d.d, { nu: cfg.nu });
        return { scores: r.scores, extra: { svm_iters: r.iters } };
      },
    },
    knn: {
      label: "k-NN distance",
      description: "distance to the 5th nearest neighbour (Ramaswamy et al. 2000)",
      skip: realAtOtherN,
      run: (d: OutlierSet, cfg: Cfg): Out => ({ scores: knnDistance(d.x, d.n, d.d, cfg.knnK), extra: {} }),
    },
  },
  metrics: {
    roc_auc: higher("ROC-AUC of the outlier scores", tol.stable(2e-3)),
    magnitude: reported("magnitude Σwᵢ of tX (exact weighting)", tol.stable(1e-6)),
    solve_resid: reported("‖Z·w − 1‖∞ of the Cholesky solve", tol.rounding(roundoff({ n: 4000, cond: 1e4 }))),
    jitter: reported("diagonal shift added to Z (0: none needed)", tol.exact()),
    jittered: reported("local solves that needed the 0.01·I shift", tol.exact()),
    spearman_exact: reported("Spearman ρ of the local weights with the exact ones", tol.stable(1e-6)),
    svm_iters: reported("SMO iterations of the one-class SVM", tol.exact()),
  },
  measure: (d: OutlierSet, out: Out, cfg: Cfg) => {
    const m: Record<string, number> = { roc_auc: rocAuc(out.scores, d.outlier), ...out.extra };
    if ("jittered" in out.extra) {
      // Agreement with the exact weighting (computed here, outside the timed run).
      const w = weightingVector(getLinalg(), d.x, d.n, d.d, cfg.t).w.map(Math.abs);
      m.spearman_exact = spearman(out.scores, w);
    }
    return m;
  },
  claims: [
    ...(["lof", "iforest", "ocsvm", "knn"] as const).map((b) => ({
      id: `competitive-with-${b}`,
      kind: "paper" as const,
      statement: `The weighting vector is competitive with or better than ${b} for outlier detection. Checked on ` +
        `each data set at n = 1000 (blobs at n = 1000; the real sets at their own size): the weighting vector's ` +
        `ROC-AUC, paired by seed, is no more than 0.05 below ${b}'s beyond two standard errors (non-inferiority, ` +
        `margin −0.05 AUC; our reading of "competitive").`,
      paper: { value: "competitive or exceeds state-of-the-art on benchmark data sets", source: ABSTRACT },
      check: aucNotWorse("weighting", b, 0.05),
    })),
    {
      id: "knn-approximation-matches",
      kind: "paper",
      statement: "Nearest-neighbour methods approximate the weighting vector: the local k-NN weighting (k = 20) " +
        "detects outliers as well as the exact one. Checked on each data set at n = 1000: its ROC-AUC, paired by " +
        "seed, is no more than 0.02 below the exact weighting's beyond two standard errors.",
      paper: { value: "the weighting vector can be efficiently approximated", source: ABSTRACT },
      check: aucNotWorse("weighting_knn", "weighting", 0.02),
    },
    {
      id: "wider-neighbourhood-closer",
      kind: "sanity",
      statement: "Our ablation: a wider neighbourhood (k = 100) brings the local weights closer to the exact ones: " +
        "Spearman ρ with the exact weighting higher than with k = 20 by 0.02 beyond two standard errors, on every " +
        "data set at n = 1000.",
      check: compare({
        metric: "spearman_exact",
        method: "weighting_knn_wide",
        baseline: "weighting_knn",
        better: "higher",
        margin: { abs: 0.02 },
        where: { n: REAL_ONLY_AT },
        forEach: "dataset",
      }),
    },
    {
      id: "approximation-linear-time",
      kind: "paper",
      statement: "The approximation runs in linear time: on blobs (2-D) over n = 500…4000, the log–log slope of " +
        "the local weighting's wall time in n has its 95% interval ≤ 1.3 (room for the kd-tree's log factor).",
      paper: { value: "approximated in linear time (under mild assumptions)", source: ABSTRACT },
      timing: true,
      check: trend({ metric: "time_ms", method: "weighting_knn", x: "n", below: 1.3, where: { dataset: "blobs" } }),
    },
    {
      id: "approximation-faster",
      kind: "paper",
      statement: "The approximation is much cheaper than the exact solve (the cost of a matrix inversion): on blobs " +
        "at n = 4000 the exact/local time ratio, geometric mean over seeds less 2 SE, is ≥ 5×.",
      paper: { value: "the weighting vector has the computational cost of matrix inversion", source: ABSTRACT },
      timing: true,
      check: compare({
        metric: "time_ms",
        method: "weighting_knn",
        baseline: "weighting",
        better: "lower",
        factor: 5,
        where: { dataset: "blobs", n: LARGEST },
      }),
    },
    {
      id: "weights-solve-z",
      kind: "identity",
      statement: "The exact weighting solves Z·w = 1: ‖Z·w − 1‖∞ ≤ 16·eps·4000·1e4 in every run (backward-stable " +
        "Cholesky; Z has unit diagonal).",
      check: threshold({ metric: "solve_resid", method: "weighting", below: roundoff({ n: 4000, cond: 1e4 }) }),
    },
    {
      id: "magnitude-at-least-one",
      kind: "identity",
      statement: "For a positive definite space the magnitude lies between 1 and the number of points (Leinster); " +
        "checked: Σw ≥ 0.99 in every run (0.99 leaves room for the 0.01·I shift).",
      check: threshold({ metric: "magnitude", method: "weighting", above: 0.99 }),
    },
  ],
  figures: [
    {
      id: "auc-by-dataset",
      title: "ROC-AUC per data set and method (mean ± SE over seeds)",
      mirrors: "the paper's outlier-detection table (ODDS benchmarks)",
      caption: "Real sets at their own size; blobs at n = 1000. Each seed draws its own outliers.",
      spec: barChart({ metric: "roc_auc", column: "dataset", where: "datum.n == 1000" }),
    },
    {
      id: "time-vs-n",
      title: "Wall time vs n on blobs (log–log)",
      caption: "Exact weighting: a dense Cholesky, O(n³); local weighting: kd-tree + n small solves.",
      spec: lineChart({
        metric: "time_ms",
        x: "n",
        yTitle: "time (ms)",
        logX: true,
        logY: true,
        where: "datum.dataset == 'blobs'",
      }),
    },
  ],
  tables: [
    {
      id: "auc",
      title: "ROC-AUC per data set (mean ± 95% CI over seeds)",
      mirrors: "the paper's outlier-detection table",
      metrics: ["roc_auc"],
      by: ["dataset", "n"],
    },
    {
      id: "weighting-diagnostics",
      title: "Magnitude, solve residual and agreement of the approximation",
      metrics: ["magnitude", "solve_resid", "spearman_exact", "time_ms"],
      by: ["dataset", "n"],
    },
  ],
});

/**
 * hd-representers — Tsai, Zhang, Chien, Yu, Hsieh, Ravikumar: "Representer Point Selection for Explaining
 * Regularized High-dimensional Models" (ICML 2023, arXiv 2305.20002; official code chepingt/High-dimensional-
 * Representer). A representer theorem for regularized high-dimensional models writes each prediction as a sum of
 * one term per training point; for ℓ1-regularized models the terms use a |θ̂|-weighted inner product on the support,
 * for nuclear-norm models the singular-value-weighted embeddings. We run the paper's deletion-curve diagnostic
 * (remove the training points a scorer ranks most positive / negative, retrain, see how far the prediction moves)
 * for ℓ1-logistic models on breast cancer, binary digits and a synthetic d ≫ n problem — high-dimensional
 * representers vs ℓ2 representers, influence functions on the active set, TracIn and random — and for a
 * soft-impute (nuclear-norm) model on synthetic ratings (representers vs random, as the official code runs it);
 * and we time each scorer.
 */
import { z } from "zod";
import { atLeast, between, count, intAtLeast, positive } from "../../lib/fields.ts";
import { type Claim, defineExperiment, higher, lower, reported, tol } from "../../lib/experiment.ts";
import { allOf, bestOf, compare, threshold } from "../../lib/claims/mod.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { L1_DATASETS, type L1Task, makeL1Task, makeMcTask, type Task } from "./data.ts";
import { aucDel, L1_FRACTIONS, l1DeletionCurves, MC_REMOVALS, mcDeletionCurves } from "./deletion.ts";
import { type Explanation, mcRepresenter } from "./mc.ts";
import { hdRepresenter, influenceActiveSet, l2Representer, randomScores, tracIn } from "./scorers.ts";
import { margins } from "./l1logistic.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2305.20002", where: "abstract" };
const REPO_L1 = {
  url: "https://github.com/chepingt/High-dimensional-Representer",
  where: "del_curve_l1_classification.py (deletion curve; compare_run_time times high-dim rep., ℓ2 rep. and IF)",
};
const REPO_CF = {
  url: "https://github.com/chepingt/High-dimensional-Representer",
  where: "del_curve_cf.py (SoftImputeMF: algos = ['high-dim rep', 'Random'])",
};

const DATASETS = [...L1_DATASETS, "ratings"] as const;

const config = z.object({
  dataset: z.enum(DATASETS).default("breast_cancer").describe(
    "breast_cancer (569 × 30, standardized), digits (1797 × 64, 0–4 vs 5–9), synthetic (sparse logistic, d ≫ n): " +
      "ℓ1-logistic; ratings: synthetic low-rank ratings, nuclear-norm soft-impute",
  ),
  c: positive(1, "ℓ1-logistic C (objective C·Σ loss + ‖θ‖₁, liblinear's form; the official runs use C = 1)"),
  nTest: count(10, "test points explained per run (ℓ1 data sets; the official script: 40 per run, 40 runs)"),
  tol: positive(1e-9, "optimality tolerance of every ℓ1-logistic fit (largest KKT violation)"),
  tracInSteps: intAtLeast(10, 200, "ISTA steps of the training path TracIn sums over (10 checkpoints along it)"),
  synthN: count(200, "synthetic: samples (80% train)"),
  synthD: count(500, "synthetic: features"),
  synthS: count(10, "synthetic: nonzero entries (±1) of the true θ*"),
  mcUsers: count(60, "ratings: users"),
  mcItems: count(50, "ratings: items"),
  mcRank: count(3, "ratings: rank of the true matrix"),
  mcDensity: between(0, 1, 0.3, "ratings: probability an entry is observed"),
  mcNoise: atLeast(0, 0.3, "ratings: noise standard deviation (entries are about N(0, 1))"),
  lambdaFrac: between(0, 1, 0.15, "ratings: λ as a fraction of the largest singular value of P_Ω(R)"),
  mcTest: count(6, "ratings: test entries explained per run"),
  mcTol: positive(1e-9, "ratings: soft-impute stops when the relative change per step is below this"),
});
type Cfg = z.infer<typeof config>;

/** A scorer's output: importance scores (ℓ1: n_train × m) or per-entry explanations (ratings). */
type Out =
  | { kind: "l1"; scores: Float64Array; decomposes: boolean }
  | { kind: "mc"; expl: Explanation[]; decomposes: boolean };

/** A baseline defined here for the ℓ1-logistic model only (skipped on the ratings). */
const l1Scorer = (label: string, description: string, score: (t: L1Task) => Float64Array) => ({
  label,
  description,
  skip: (cfg: Cfg) => cfg.dataset === "ratings" ? "defined here for the ℓ1-logistic model only" : false,
  run: (t: Task): Out => {
    if (t.kind !== "l1") throw new Error("expected an ℓ1-logistic task");
    return { kind: "l1", scores: score(t), decomposes: false };
  },
});
const OTHERS = ["l2_rep", "influence", "tracin", "random"] as const;

/** Paper claim: hd_rep beats every other scorer on one AUC-DEL metric, on each ℓ1 data set (paper scale). */
function l1DeletionClaim(
  id: string,
  metric: "auc_del_pos" | "auc_del_neg",
  better: "lower" | "higher",
  statement: string,
  paperValue: string,
): Claim {
  return {
    id,
    kind: "paper",
    statement,
    paper: { value: paperValue, source: REPO_L1 },
    scales: ["paper"],
    check: allOf(
      ...L1_DATASETS.map((ds) => bestOf({ metric, winner: "hd_rep", others: OTHERS, better, where: { dataset: ds } })),
    ),
  };
}

/** Paper timing claim: hd_rep's scorer time is ≥ 1.5× below `baseline`'s on each ℓ1 data set (paper scale). */
function l1FasterClaim(id: string, baseline: string, statement: string, paper: Claim["paper"]): Claim {
  return {
    id,
    kind: "paper",
    statement,
    paper,
    timing: true,
    scales: ["paper"],
    check: allOf(
      ...L1_DATASETS.map((ds) =>
        compare({ metric: "time_ms", method: "hd_rep", baseline, better: "lower", factor: 1.5, where: { dataset: ds } })
      ),
    ),
  };
}

export default defineExperiment({
  id: "hd-representers",
  paper: {
    title: "Representer Point Selection for Explaining Regularized High-dimensional Models",
    authors: "Che-Ping Tsai, Jiong Zhang, Eli Chien, Hsiang-Fu Yu, Cho-Jui Hsieh, Pradeep Ravikumar",
    year: 2023,
    arxiv: "2305.20002",
    venue: "ICML 2023",
    code: "chepingt/High-dimensional-Representer",
  },
  summary:
    "High-dimensional representers decompose a regularized high-dimensional model's prediction exactly into one " +
    "term per training point (ℓ1: a |θ̂|-weighted inner product on the support; nuclear norm: singular-value-weighted " +
    "user/item embeddings) and are claimed to find the training points that move a prediction better and faster " +
    "than influence functions and TracIn. We check the decomposition, run the official deletion-curve diagnostic on " +
    "ℓ1-logistic models (breast cancer, binary digits, a synthetic d ≫ n problem) against ℓ2 representers, " +
    "influence functions on the active set, TracIn and random, and on a soft-impute model of synthetic ratings " +
    "against random, and time each scorer.",
  config,
  scales: {
    smoke: {
      description: "breast cancer and 30 × 25 ratings, 4 test points, 50 ISTA steps, 2 seeds",
      seeds: 2,
      grid: { dataset: ["breast_cancer", "ratings"] },
      set: { nTest: 4, tracInSteps: 50, mcUsers: 30, mcItems: 25, mcDensity: 0.4, mcTest: 3, mcTol: 1e-8 },
      deviations: ["tiny: 4 test points per run, 2 seeds; claims are not meaningful here"],
    },
    paper: {
      description: "breast cancer, digits 0–4 vs 5–9, synthetic n = 200 × d = 500, and 60 × 50 ratings; " +
        "10 (ℓ1) / 6 (ratings) test points per run, 3 seeds",
      seeds: 3,
      grid: { dataset: [...DATASETS] },
      deviations: [
        "the paper's ℓ1 data sets (rcv1, gisette, news20: 5k–1.3M sparse features) are not available here; " +
        "breast cancer and digits are low-dimensional, so the synthetic d ≫ n problem stands in for their regime",
        "the paper's recommender data (MovieLens, Yelp, Amazon) are not available; synthetic 60 × 50 rank-3 ratings",
        "3 seeds × 10 test points per ℓ1 data set (official: 40 runs × 40 test points); 3 × 6 entries for ratings",
      ],
    },
  },
  deviations: [
    "the model is fitted by our coordinate-descent Newton solver (KKT violation ≤ 1e-9) instead of liblinear; same " +
    "objective C·Σ logistic loss + ‖θ‖₁, no intercept, labels in {0, 1} as the official code's gradient assumes",
    "the representer terms keep the constant C (the official code drops it) so that they sum to the prediction; " +
    "rankings, hence deletion curves, are unchanged",
    "influence functions: the official code adds the regularizer's gradient (1/C)·sign(θ) to every training " +
    "gradient; that shifts every score of a test point by the same constant and leaves its ranking unchanged, so we " +
    "leave it out",
    "TracIn is not in the paper's ℓ1 experiments (only in its recommender ones, for SGD-trained MF). Here its " +
    "checkpoints are 10 iterates of a proximal-gradient (ISTA) path of the same objective from θ = 0, since the " +
    "model itself is fitted by coordinate descent",
    "ratings: the removal candidates are the training ratings of the test entry's user and item (the ones the " +
    "explainers score); removal sizes 2–10 ratings (official: 3–50 by data set); soft-impute retrains are " +
    "warm-started and stopped at a relative change 1e-9",
    "scorer time is the runner's median of 3 timed calls (after 1 warm-up) on the whole batch of test points; the " +
    "fitted model (and TracIn's checkpoints) are inputs, not timed",
  ],
  data: (cfg: Cfg, { rng }): Promise<Task> | Task =>
    cfg.dataset === "ratings" ? makeMcTask(getLinalg(), cfg, rng) : makeL1Task(cfg.dataset, cfg, rng),
  methods: {
    hd_rep: {
      label: "high-dim representer",
      description: "Tsai et al. 2023: ℓ1: −C·gᵢ·Σ_{k∈S}|θ̂_k| x_ik x_jk; nuclear norm: −(1/λ)gᵢ·⟨ṽ_b, ṽ_t⟩ / ⟨ũ_a, ũ_u⟩",
      run: (t: Task, _cfg: Cfg): Out =>
        t.kind === "l1" ? { kind: "l1", scores: hdRepresenter(t.train, t.q, t.fit.theta, t.c), decomposes: true } : {
          kind: "mc",
          expl: t.tests.map(([u, i]) => mcRepresenter(t.ratings, t.fit, t.lambda, t.inc, u, i)),
          decomposes: true,
        },
    },
    l2_rep: l1Scorer(
      "ℓ2 representer",
      "Yeh et al. 2018 applied to the same model: −C·gᵢ·⟨xᵢ, x_j⟩ (the official 'ℓ2 rep.' baseline)",
      (l) => l2Representer(l.train, l.q, l.fit.theta, l.c),
    ),
    influence: l1Scorer(
      "influence function (active set)",
      "Koh & Liang 2017 on the support: −x_{j,S}ᵀ H_S⁻¹ ∇ℓᵢ,S, H_S + 1e-6·I (the official 'IF')",
      (l) => influenceActiveSet(l.train, l.q, l.fit.theta, l.c),
    ),
    tracin: l1Scorer(
      "TracIn-CP",
      "Pruthi et al. 2020: Σ_c η_c ⟨∇f_j(θ_c), −∇ℓᵢ(θ_c)⟩ over 10 ISTA checkpoints",
      (l) => tracIn(l.train, l.q, l.checkpoints, l.c),
    ),
    random: {
      label: "random",
      description: "uniform random scores (ratings: over the test entry's user and item ratings)",
      run: (t: Task, _cfg: Cfg, ctx): Out => {
        if (t.kind === "l1") return { kind: "l1", scores: randomScores(t.train.n, t.q.m, ctx.rng), decomposes: false };
        const expl = t.tests.map(([u, i]) => {
          const rowIdx = t.inc.byUser[u], colIdx = t.inc.byItem[i];
          return {
            rowIdx,
            colIdx,
            rowScore: rowIdx.map(() => ctx.rng.uniform()),
            colScore: colIdx.map(() => ctx.rng.uniform()),
          };
        });
        return { kind: "mc", expl, decomposes: false };
      },
    },
  },
  timing: { warmup: 1, repeats: 3 },
  metrics: {
    del_pos: lower(
      "mean prediction change after removing the top-ranked proponents, per removal size",
      tol.statistic(),
    ),
    del_neg: higher(
      "mean prediction change after removing the top-ranked opponents, per removal size",
      tol.statistic(),
    ),
    auc_del_pos: lower("AUC-DEL+: mean over removal sizes of the proponent-removal curve", tol.statistic()),
    auc_del_neg: higher("AUC-DEL−: mean over removal sizes of the opponent-removal curve", tol.statistic()),
    rep_residual: lower(
      "max over test points |Σᵢ representer termᵢ − prediction| / max(1, |prediction|)",
      tol.rounding(1e-7),
    ),
    fit_residual: lower(
      "model optimality: largest KKT violation (ℓ1) or last relative soft-impute step",
      tol.rounding(1e-7),
    ),
    nnz: reported("nonzero coefficients |S| (ℓ1) or rank (ratings) of the fitted model", tol.statistic()),
    test_acc: reported("test accuracy of the ℓ1-logistic model (whole test split)", tol.statistic()),
    test_rmse: reported("RMSE of the soft-impute model on the unobserved entries (ratings)", tol.statistic()),
  },
  measure: (t: Task, out: Out, cfg: Cfg) => {
    if (t.kind === "l1" && out.kind === "l1") {
      const curves = l1DeletionCurves(t, out.scores, cfg.tol);
      const m: Record<string, number | number[]> = {
        del_pos: curves.pos,
        del_neg: curves.neg,
        auc_del_pos: aucDel(curves.pos),
        auc_del_neg: aucDel(curves.neg),
        fit_residual: t.fit.kkt,
        nnz: t.nnz,
        test_acc: t.testAcc,
      };
      if (out.decomposes) {
        const f = margins({ x: t.q.x, y: new Float64Array(t.q.m), n: t.q.m, d: t.train.d }, t.fit.theta);
        let worst = 0;
        for (let j = 0; j < t.q.m; j++) {
          let s = 0;
          for (let i = 0; i < t.train.n; i++) s += out.scores[i * t.q.m + j];
          worst = Math.max(worst, Math.abs(s - f[j]) / Math.max(1, Math.abs(f[j])));
        }
        m.rep_residual = worst;
      }
      return m;
    }
    if (t.kind === "mc" && out.kind === "mc") {
      const curves = mcDeletionCurves(getLinalg(), t, out.expl, cfg.mcTol);
      const m: Record<string, number | number[]> = {
        del_pos: curves.pos,
        del_neg: curves.neg,
        auc_del_pos: aucDel(curves.pos),
        auc_del_neg: aucDel(curves.neg),
        fit_residual: t.fit.change,
        nnz: t.fit.rank,
        test_rmse: t.testRmse,
      };
      if (out.decomposes) {
        let worst = 0;
        t.tests.forEach(([u, i], j) => {
          const zUt = t.fit.z[u * t.ratings.ni + i], e = out.expl[j];
          const sr = e.rowScore.reduce((a, b) => a + b, 0), sc = e.colScore.reduce((a, b) => a + b, 0);
          worst = Math.max(worst, Math.max(Math.abs(sr - zUt), Math.abs(sc - zUt)) / Math.max(1, Math.abs(zUt)));
        });
        m.rep_residual = worst;
      }
      return m;
    }
    throw new Error("task and scorer output disagree");
  },
  claims: [
    {
      id: "decomposition-exact",
      kind: "identity",
      statement: "The representer theorem holds for our fits: the representer terms of each test point sum to the " +
        "model's prediction (ℓ1: Σᵢ −C gᵢ ⟨xᵢ, x⟩_{|θ̂|,S} = θ̂ᵀx; nuclear norm: both the item-based and the " +
        "user-based sums equal Ẑ_ut), to ≤ 1e-7 relative in every run (the fits' optimality tolerance is 1e-9).",
      check: threshold({ metric: "rep_residual", method: "hd_rep", below: 1e-7 }),
    },
    l1DeletionClaim(
      "l1-proponents-best",
      "auc_del_pos",
      "lower",
      "Removing the training points high-dimensional representers rank most positive lowers the prediction more " +
        "than removing those ranked by ℓ2 representers, influence functions, TracIn or at random: AUC-DEL+ of " +
        "hd_rep below each other scorer's by 2% beyond 2·SE (paired by seed), on each ℓ1 data set.",
      "high-dim representers best on the deletion curves of rcv1, gisette, news20",
    ),
    l1DeletionClaim(
      "l1-opponents-best",
      "auc_del_neg",
      "higher",
      "Removing the training points high-dimensional representers rank most negative raises the prediction more " +
        "than with the other scorers: AUC-DEL− of hd_rep above each other scorer's by 2% beyond 2·SE, on each ℓ1 " +
        "data set.",
      "high-dim representers best on the deletion curves (negative impact)",
    ),
    l1FasterClaim(
      "l1-faster-than-influence",
      "influence",
      "High-dimensional representers are cheaper to compute than influence functions (no Hessian on the active " +
        "set): influence/hd_rep scorer time ≥ 1.5× (geometric mean over seeds less 2 SE) on each ℓ1 data set.",
      { value: "faster than influence functions (the official compare_run_time)", source: REPO_L1 },
    ),
    l1FasterClaim(
      "l1-faster-than-tracin",
      "tracin",
      "High-dimensional representers are cheaper than TracIn (which needs every checkpoint's gradients): " +
        "tracin/hd_rep scorer time ≥ 1.5× on each ℓ1 data set.",
      { value: "better and faster influential-point detection than IF and TracIn", source: ABSTRACT },
    ),
    {
      id: "nuclear-beats-random",
      kind: "paper",
      statement: "For the nuclear-norm (soft-impute) model, removing the ratings representers rank most positive " +
        "(negative) moves the prediction down (up) more than removing random ratings of the same user and item: " +
        "AUC-DEL+ lower and AUC-DEL− higher than random's by 2% beyond 2·SE.",
      paper: { value: "high-dim representers beat random on SoftImpute MF deletion curves", source: REPO_CF },
      check: allOf(
        compare({
          metric: "auc_del_pos",
          method: "hd_rep",
          baseline: "random",
          better: "lower",
          where: { dataset: "ratings" },
        }),
        compare({
          metric: "auc_del_neg",
          method: "hd_rep",
          baseline: "random",
          better: "higher",
          where: { dataset: "ratings" },
        }),
      ),
    },
  ],
  figures: [
    {
      id: "deletion-proponents",
      title: "Prediction change after removing the top-ranked proponents",
      mirrors: "the paper's deletion curves (positive impact)",
      caption: "Mean over test points and seeds; ℓ1 data sets: removal of 1–5% of the training set; ratings: " +
        `${MC_REMOVALS.join(", ")} ratings. Lower is better.`,
      spec: lineChart({
        metric: "del_pos",
        x: "step",
        xTitle: "removal size (step)",
        yTitle: "Δ prediction",
        column: "dataset",
        points: true,
      }),
    },
    {
      id: "deletion-opponents",
      title: "Prediction change after removing the top-ranked opponents",
      mirrors: "the paper's deletion curves (negative impact)",
      caption: `Fractions ${L1_FRACTIONS.join(", ")} (ℓ1) / ${MC_REMOVALS.join(", ")} ratings. Higher is better.`,
      spec: lineChart({
        metric: "del_neg",
        x: "step",
        xTitle: "removal size (step)",
        yTitle: "Δ prediction",
        column: "dataset",
        points: true,
      }),
    },
  ],
  tables: [
    {
      id: "auc-del",
      title: "AUC-DEL and scorer time per data set",
      mirrors: "the paper's deletion-curve and run-time tables",
      metrics: ["auc_del_pos", "auc_del_neg", "time_ms", "nnz"],
      by: ["dataset"],
    },
  ],
});

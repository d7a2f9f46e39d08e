/**
 * rtbf-recourse — Krishna, Ma, Lakkaraju: "Towards Bridging the Gaps between the Right to Explanation and the Right
 * to be Forgotten" (ICML 2023, arXiv 2302.04288). Counterfactual recourse (a nearby point x' the model accepts) can
 * be invalidated when training rows are deleted and the model retrained. The paper's robust recourse (RR-CFE /
 * ROCERF) optimises the counterfactual against the worst k deletions, approximated by influence functions, and is
 * claimed to stay valid under deletions at bounded extra cost. We compare it with Wachter/SCFE counterfactuals on
 * logistic regression and a small MLP on scikit-learn's breast-cancer table: ℓ2 cost, and the fraction invalidated
 * after k random deletions and after each counterfactual's own worst k deletions, both with the model retrained.
 *
 * Files: model.ts (the two classifiers, Levenberg–Marquardt training), recourse.ts (influence, worst-case
 * deletions, SCFE as the official SCFE_modified), data.ts (split, trained model, queries, the retraining
 * evaluation). How the paper and code were read: NOTES.md.
 */
import { z } from "zod";
import { between, count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, tol } from "../../lib/experiment.ts";
import { allOf, compare, notMeasured, threshold } from "../../lib/claims/mod.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { invalidation, prepare, type Prepared } from "./data.ts";
import { deletedParams, logitInfluence, scfe, type ScfeOptions, worstDeletions } from "./recourse.ts";
import { forward } from "./model.ts";
import { mean } from "../../lib/math/stats.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2302.04288", where: "abstract" };
const CODE = (file: string) => ({ url: `https://github.com/y12uc231/rocerf_code/blob/main/${file}`, where: file });

const config = z.object({
  model: z.enum(["lr", "mlp"]).default("lr").describe(
    "classifier: logistic regression, or an MLP with two centred-softplus hidden layers (official NN3_ModelSP)",
  ),
  hidden: intAtLeast(1, 6, "MLP hidden units per layer (official: 2d = 60)"),
  l2: positive(1e-3, "α of the (α/2)‖θ‖² term of the training objective (mean cross-entropy + α/2‖θ‖²)"),
  damping: positive(0.01, "added to the Hessian before inverting it for the influence directions (official 0.01)"),
  deletePct: between(0, 50, 2, "deletions k as a percentage of the training rows (rounded); RR-CFE guards k"),
  testFrac: between(0.05, 0.9, 0.3, "test share of the 569 rows; queries are test rows the model rejects"),
  nQuery: count(25, "queries (rejected test rows) per run, in the split's order"),
  draws: count(5, "random-deletion draws per run (each: delete k random training rows, retrain)"),
  trainIters: count(300, "Levenberg–Marquardt iterations of the first training (stops at ‖∇L‖∞ ≤ 1e-9)"),
  retrainIters: count(10, "Levenberg–Marquardt iterations of each retraining, warm-started at the trained θ"),
  scfeMaxIter: count(20000, "Adam steps of one counterfactual search, over all λ (official max_iter: 1e5)"),
  iterPerOpt: count(10, "one λ's Adam call runs at most scfeMaxIter/iterPerOpt steps (official 10)"),
});
type Cfg = z.infer<typeof config>;

/** A method's counterfactuals, one per query (null where no valid iterate was found), and the Adam steps spent. */
interface Out {
  cfs: (Float64Array | null)[];
  steps: number[];
}

const TARGET = 0;
const scfeOptions = (cfg: Cfg): ScfeOptions => ({
  target: TARGET,
  lambda: 2.5,
  step: 2,
  lr: 0.5,
  maxIter: cfg.scfeMaxIter,
  iterPerOpt: cfg.iterPerOpt,
  tol: 1e-5,
});
const deletions = (d: Prepared, cfg: Cfg) => Math.round((cfg.deletePct / 100) * d.train.n);

/** Counterfactuals for every query, against the models `models(x)` returns (the first drives the loss). */
function recourse(d: Prepared, cfg: Cfg, models: (x: Float64Array) => Float64Array[]): Out {
  const out: Out = { cfs: [], steps: [] }, dim = d.net.d;
  for (let q = 0; q < d.nQueries; q++) {
    const x = d.queries.slice(q * dim, (q + 1) * dim);
    const r = scfe(d.net, models(x), x, scfeOptions(cfg));
    out.cfs.push(r.cf);
    out.steps.push(r.steps);
  }
  return out;
}

const forEach = ["model", "deletePct"];

export default defineExperiment({
  id: "rtbf-recourse",
  paper: {
    title: "Towards Bridging the Gaps between the Right to Explanation and the Right to be Forgotten",
    authors: "Satyapriya Krishna, Jiaqi Ma, Himabindu Lakkaraju",
    year: 2023,
    arxiv: "2302.04288",
    venue: "ICML 2023",
    code: "y12uc231/rocerf_code",
  },
  summary: "Recourse (a counterfactual x' the model accepts) can be invalidated when training rows are deleted " +
    "under the right to be forgotten and the model is retrained. The paper's robust recourse RR-CFE optimises the " +
    "counterfactual against the worst k deletions (first-order influence, worst set chosen at the query) and is " +
    "claimed to stay valid under deletions at bounded cost. We run it and Wachter/SCFE, with the official SCFE " +
    "search, on logistic regression and a small MLP trained on scikit-learn's breast-cancer table, and measure " +
    "ℓ2 cost and the fraction invalidated after k random deletions and after each counterfactual's own worst k " +
    "deletions, with the model retrained.",
  config,
  scales: {
    smoke: {
      description: "logistic regression, k = 2% (8 rows), 6 queries, 2 draws, 2 seeds; about a second per run",
      seeds: 2,
      set: { nQuery: 6, draws: 2, scfeMaxIter: 5000 },
      grid: { model: ["lr"], deletePct: [2] },
      deviations: ["logistic regression only, 6 queries, 2 random draws, 5000 SCFE steps"],
    },
    paper: {
      description: "logistic regression and the MLP (6 units per layer) at k = 0.5, 1, 2, 5% of the 398 training " +
        "rows (2, 4, 8, 20 rows); 25 queries for lr, 12 for the MLP; 5 random draws; 3 seeds (each its own split)",
      seeds: 3,
      grid: { model: ["lr", "mlp"], deletePct: [0.5, 1, 2, 5] },
      deviations: [
        "breast cancer (scikit-learn) instead of the paper's German credit, COMPAS and Adult; 3 seeds",
        "the MLP runs 12 queries per run (its retraining is the cost; see NOTES.md)",
      ],
    },
  },
  deviations: [
    "data: scikit-learn's breast-cancer table (569 × 30, label 1 = benign is the favourable outcome), z-scored on " +
    "the training split; the paper's German credit, COMPAS and Adult are not read here (German credit ships only " +
    "in Debian's weka package, which the sandbox and CI do not install)",
    "baselines: Wachter/SCFE only; ROAR and C-CHVAE (the official code's other baselines) are not run",
    "models trained to stationarity by Levenberg–Marquardt (Newton for lr) on mean cross-entropy + (α/2)‖θ‖², " +
    "α = 1e-3 (official: sklearn LogisticRegression C = 100; the MLP by SGD, lr 1e-2, 100 epochs); retraining " +
    "after deletions warm-starts from the trained θ (exact for the convex lr)",
    "MLP: 6 units per layer (official 2d = 60) to keep retraining cheap; its influence directions use the " +
    "Gauss–Newton curvature of the MLP itself, where the official non-linear script fits a LIME logistic surrogate " +
    "at each query and applies the linear machinery to the surrogate",
    "SCFE: the official λ schedule, Adam lr 0.5 and stopping rule, with 20 000 steps per search (official 1e5)",
    "evaluation is ours (the paper's could not be read): invalidation after k random deletions (5 draws) and after " +
    "the k deletions that, to first order, lower each counterfactual's logit most; each time the model is retrained",
  ],
  tuning: {
    rule: "none: both methods run the official SCFE search with the official constants (λ₀ = 2.5, step 2, Adam lr " +
      "0.5, tol 1e-5); RR-CFE's k is the evaluated k, as in the official RR-CFE-k",
    budget: "the same Adam step budget per counterfactual (scfeMaxIter) for both methods; the same trained model",
    grids: { scfe: "none (fixed constants)", rocerf: "none (fixed constants; k = the deletions evaluated)" },
  },
  data: (cfg: Cfg, { rng }) =>
    prepare({
      model: cfg.model,
      hidden: cfg.hidden,
      l2: cfg.l2,
      damping: cfg.damping,
      testFrac: cfg.testFrac,
      // The MLP's retraining is the cost of a run: 12 queries (see the paper scale's deviations).
      nQuery: cfg.model === "mlp" ? Math.min(cfg.nQuery, 12) : cfg.nQuery,
      draws: cfg.draws,
      trainIters: cfg.trainIters,
      retrainIters: cfg.retrainIters,
    }, rng),
  dataKeys: ["model", "hidden", "l2", "damping", "testFrac", "nQuery", "draws", "trainIters", "retrainIters"],
  cacheData: true,
  methods: {
    scfe: {
      label: "SCFE (Wachter)",
      description: "Wachter et al. 2018 counterfactual by the official SCFE_modified search on the trained model",
      run: (d: Prepared, cfg: Cfg): Out => recourse(d, cfg, () => [d.theta]),
    },
    rocerf: {
      label: "RR-CFE (robust to k deletions)",
      description: "Krishna et al. 2023: SCFE on θ + (1/n)Σ_{worst k at x} H⁻¹∇ℓᵢ, valid on it and on θ " +
        "(official generate_explanation_linear.py)",
      run: (d: Prepared, cfg: Cfg): Out =>
        recourse(d, cfg, (x) => {
          const a = logitInfluence(d.net, d.theta, d.v, d.train.n, x);
          return [deletedParams(d.theta, d.v, d.train.n, d.net.p, worstDeletions(a, deletions(d, cfg))), d.theta];
        }),
    },
  },
  metrics: {
    cost: lower("mean ℓ2 distance ‖x' − x‖ of the counterfactuals", tol.statistic()),
    invalid_random: lower("fraction invalidated by k random deletions + retraining (mean of draws)", tol.statistic()),
    invalid_worst: lower(
      "fraction invalidated by each counterfactual's worst k deletions + retraining",
      tol.statistic(),
    ),
    invalid_worst_pred: reported("the same, predicted by the first-order (influence) model", tol.statistic()),
    influence_corr: reported("Pearson r of predicted vs retrained logit change (worst deletions)", tol.statistic()),
    influence_scale: reported(
      "retrained / predicted logit change (LS slope through 0; worst deletions)",
      tol.statistic(),
    ),
    invalid_anticipated: lower(
      "fraction invalidated by deleting the worst k rows at the query (the set RR-CFE guards) + retraining",
      tol.statistic(),
    ),
    valid_now: reported("fraction of counterfactuals the trained model accepts", tol.exact()),
    found: reported("fraction of queries with a counterfactual", tol.exact()),
    margin: reported("mean logit f_θ(x') at the counterfactuals", tol.statistic()),
    steps: reported("mean Adam steps per counterfactual search", tol.statistic()),
    queries: reported("queries (test rows the model rejects)", tol.exact()),
    k: reported("deleted training rows k", tol.exact()),
    test_acc: reported("test accuracy of the trained model", tol.statistic()),
    grad_norm: reported("‖∇L‖∞ at the trained θ", tol.rounding(1e-8)),
    retrain_grad: reported("largest ‖∇L‖∞ after a retraining", tol.statistic()),
  },
  measure: (d: Prepared, out: Out, cfg: Cfg) => {
    const found = out.cfs.flatMap((c, q) => (c ? [q] : [])), k = deletions(d, cfg), dim = d.net.d;
    const cfs = found.map((q) => out.cfs[q]!), xs = found.map((q) => d.queries.slice(q * dim, (q + 1) * dim));
    const costs = out.cfs.flatMap((c, q) => {
      if (!c) return [];
      let s = 0;
      for (let j = 0; j < dim; j++) s += (c[j] - d.queries[q * dim + j]) ** 2;
      return [Math.sqrt(s)];
    });
    const logits = cfs.map((c) => forward(d.net, d.theta, c, 0));
    const inv = invalidation(d, xs, cfs, k, TARGET);
    return {
      cost: mean(costs),
      invalid_random: inv.random,
      invalid_worst: inv.worst,
      invalid_worst_pred: inv.worstPredicted,
      influence_corr: inv.influenceCorr,
      influence_scale: inv.influenceScale,
      invalid_anticipated: inv.anticipated,
      valid_now: logits.filter((f) => f >= TARGET).length / cfs.length,
      found: cfs.length / out.cfs.length,
      margin: mean(logits),
      steps: mean(out.steps),
      queries: d.nQueries,
      k,
      test_acc: d.testAcc,
      grad_norm: d.gradNorm,
      retrain_grad: inv.retrainGrad,
    };
  },
  claims: [
    {
      id: "robust-valid-worst-case",
      kind: "paper",
      statement: "Robust recourse stays valid under worst-case deletions far more often than SCFE: after each " +
        "counterfactual's worst k deletions (first-order choice) and retraining, RR-CFE's invalidated fraction is " +
        "below SCFE's by more than 0.2 (absolute) beyond two standard errors, paired by seed, for each model and k.",
      paper: {
        value: "explanations that are provably robust to worst-case data deletion requests with bounded costs",
        source: ABSTRACT,
      },
      check: compare({
        metric: "invalid_worst",
        method: "rocerf",
        baseline: "scfe",
        better: "lower",
        margin: { abs: 0.2 },
        forEach,
      }),
    },
    {
      id: "robust-valid-random",
      kind: "paper",
      statement: "Robust recourse stays valid under deletion requests more often than SCFE: after k random " +
        "deletions and retraining, RR-CFE's invalidated fraction (mean of the draws) is below SCFE's by more than " +
        "0.1 beyond two standard errors, paired by seed, for each model and k.",
      paper: { value: "the efficacy of the proposed framework (experiments on real-world data)", source: ABSTRACT },
      check: compare({
        metric: "invalid_random",
        method: "rocerf",
        baseline: "scfe",
        better: "lower",
        margin: { abs: 0.1 },
        forEach,
      }),
    },
    {
      id: "bounded-cost",
      kind: "paper",
      statement: "The robustness comes at bounded cost: RR-CFE's mean ℓ2 cost is at most 2× SCFE's (geometric " +
        "mean of the per-seed ratios, less two standard errors), for each model and k (our reading of 'bounded').",
      paper: { value: "provably robust ... with bounded costs", source: ABSTRACT },
      check: compare({ metric: "cost", method: "rocerf", baseline: "scfe", better: "lower", factor: 0.5, forEach }),
    },
    {
      id: "paper-data-and-baselines",
      kind: "paper",
      statement: "The paper's experiments: German credit, COMPAS and Adult, with ROAR and C-CHVAE besides SCFE. Not " +
        "measured: none of these data sets or baselines runs here (breast cancer and SCFE stand in). Recorded as a " +
        "paper claim that fails as not measured, so that the status covers only what was checked.",
      paper: {
        value: "German, COMPAS, Adult data (official code)",
        source: CODE("src/generate_explanation_linear.py"),
      },
      scales: ["paper"],
      check: notMeasured("breast cancer and SCFE only; see the deviations"),
    },
    {
      id: "robust-valid-anticipated",
      kind: "sanity",
      statement: "Our ablation: against the deletions RR-CFE-k is built for (the worst k rows at the query, first " +
        "order), retrained exactly, RR-CFE's invalidated fraction is below SCFE's by more than 0.2 beyond two " +
        "standard errors for each model and k. Separates the first-order error from the choice of the set at the " +
        "query rather than at the counterfactual.",
      check: compare({
        metric: "invalid_anticipated",
        method: "rocerf",
        baseline: "scfe",
        better: "lower",
        margin: { abs: 0.2 },
        forEach,
      }),
    },
    {
      id: "recourse-flips-decision",
      kind: "identity",
      statement: "Every query gets a counterfactual, and the trained model accepts each one (f_θ(x') ≥ 0), for " +
        "both methods: found = valid_now = 1 in every run.",
      check: allOf(
        threshold({ metric: "found", method: ["scfe", "rocerf"], above: 1 }),
        threshold({ metric: "valid_now", method: ["scfe", "rocerf"], above: 1 }),
      ),
    },
    {
      id: "trained-to-stationarity",
      kind: "sanity",
      statement: "The logistic regression is trained to its optimum (‖∇L‖∞ ≤ 1e-8 in every run), so the influence " +
        "approximation is taken where it is derived.",
      check: threshold({ metric: "grad_norm", method: ["scfe", "rocerf"], below: 1e-8, where: { model: "lr" } }),
    },
    {
      id: "influence-tracks-retraining",
      kind: "sanity",
      statement: "The first-order influence ranks the logit changes that retraining produces: Pearson r of predicted " +
        "vs actual change at the counterfactuals ≥ 0.8 (mean over seeds) for the logistic regression.",
      check: threshold({
        metric: "influence_corr",
        method: ["scfe", "rocerf"],
        above: 0.8,
        stat: "mean",
        where: { model: "lr" },
        forEach: "deletePct",
      }),
    },
  ],
  figures: [
    {
      id: "invalidation-worst",
      title: "Invalidated by each counterfactual's worst k deletions (retrained) vs k",
      mirrors: "the paper's invalidation-vs-deletions plots",
      spec: lineChart({
        metric: "invalid_worst",
        x: "deletePct",
        xTitle: "deleted rows k (% of training set)",
        column: "model",
        yDomain: [0, 1],
      }),
    },
    {
      id: "invalidation-random",
      title: "Invalidated by k random deletions (retrained) vs k",
      spec: lineChart({
        metric: "invalid_random",
        x: "deletePct",
        xTitle: "deleted rows k (% of training set)",
        column: "model",
        yDomain: [0, 1],
      }),
    },
    {
      id: "cost",
      title: "Mean ℓ2 cost of the counterfactuals vs k",
      mirrors: "the paper's cost tables",
      spec: lineChart({ metric: "cost", x: "deletePct", xTitle: "k (% of training set)", column: "model" }),
    },
  ],
  tables: [
    {
      id: "recourse",
      title: "Cost and invalidation per model and k",
      mirrors: "the paper's cost / invalidation tables",
      metrics: ["cost", "invalid_random", "invalid_worst", "invalid_anticipated", "invalid_worst_pred", "margin"],
      by: ["model", "deletePct"],
    },
    {
      id: "models",
      title: "The trained models",
      metrics: ["test_acc", "grad_norm", "retrain_grad", "influence_corr", "influence_scale", "queries", "k", "steps"],
      by: ["model", "deletePct"],
    },
  ],
});

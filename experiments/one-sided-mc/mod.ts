/**
 * One-sided Matrix Completion from Two Observations Per Row (Steven Cao, Percy Liang, Gregory Valiant, 2023): the
 * module's declaration. When each row of a tall rank-r matrix X (n×d) reveals only two entries, the left factor
 * cannot be recovered, but the right singular space can: every row gives one sample of an entry of XᵀX, and imputing
 * the missing entries of the rank-r Gram matrix recovers it once n = Ω(r²d log d). Config, scales, methods, metrics,
 * claims and figures below; deviations from the paper in `deviations`, the algorithms in this folder's other files,
 * what runs in README.md.
 */
import { z } from "zod";
import { atLeast, count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, reported } from "../../lib/experiment.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { type M64, orthonormalize } from "../../lib/math/lowrank/mod.ts";
import { makeProblem, type Problem } from "./data.ts";
import { gramCompletion } from "./gram.ts";
import { altMin, ipwSpectral, softImputeAls, zeroFillPca } from "./baselines.ts";
import { projectionDistance, sinMaxAngle } from "./subspace.ts";
import { tuneByHoldout } from "./tuning.ts";
import { allOf, compare, LARGEST, threshold, trend } from "../../lib/claims/mod.ts";

/** The standard completion / direct-factorization baselines the paper compares against. */
const BASELINES = ["zero_fill_pca", "softimpute", "altmin"];

/**
 * Tuning grids (≤ 3 values per method; see tuning.ts for the rule). The baselines' grids were first {0.01, 0.1, 1,
 * 10}; on seed 100 (not a verdict seed) at n = 10⁴ both chose 1, so the 0.01 end was dropped to fit the time budget.
 */
const WEIGHTINGS = ["count", "uniform"] as const;
const ALT_MU = [0.1, 1, 10];
const SOFT_LAMBDA = [0.1, 1, 10];
const HOLD = 0.2;
const ABSTRACT = { url: "https://icml.cc/virtual/2023/poster/24268", where: "abstract" };

const config = z.object({
  n: count(10000, "number of rows n of X (n×d)"),
  d: intAtLeast(3, 30, "number of columns d"),
  r: intAtLeast(1, 3, "rank r of X (known to every method)"),
  kappa: atLeast(1, 2, "condition number: singular values of the row factor geometric 1 → 1/kappa"),
  perRow: intAtLeast(2, 2, "observed entries per row (two in the paper's title)"),
  noise: atLeast(0, 0, "std of Gaussian noise added to each observed entry"),
  iters: count(20000, "cap on GD steps on the Gram factor U (proposed method)"),
  gdTol: positive(1e-8, "GD stops once a step moves U by ≤ gdTol·‖U‖_F"),
  stepScale: positive(0.5, "GD step as a multiple of 1/(λ₁(Ĝ_IPW)·max W/mean W)"),
  altIters: count(300, "cap on AltMin / softImpute-ALS iterations"),
  altTol: positive(1e-5, "AltMin / softImpute stop once span(B) moves by ≤ altTol (‖sin Θ‖_F) in one iteration"),
  every: count(25, "record the GD trajectory every this many steps"),
});
type Config = z.infer<typeof config>;

/** Every method returns an orthonormal basis of its estimated right singular space (and, if iterative, its steps). */
interface Output {
  v: M64;
  iters?: number;
}

export default defineExperiment({
  id: "one-sided-mc",
  paper: {
    title: "One-sided Matrix Completion from Two Observations Per Row",
    authors: "Steven Cao, Percy Liang, Gregory Valiant",
    year: 2023,
    venue: "ICML 2023",
    url: "https://icml.cc/virtual/2023/poster/24268",
  },
  summary: "When each row of a tall rank-r matrix X (n×d) reveals only two entries, the left factor cannot be " +
    "recovered, but the right singular space can: every row gives one sample of an entry of XᵀX, and imputing the " +
    "missing entries of the rank-r Gram matrix recovers it once n = Ω(r²d log d). We compare this Gram route " +
    "(average the products, complete by GD on a d×r factor) with completing X itself (softImpute, AltMin) and with " +
    "zero-fill PCA, measuring the distance between estimated and true right singular spaces as n grows.",
  config,
  scales: {
    smoke: {
      description: "d = 30, r = 3, two observations per row, n ∈ {1000, 3000}, AltMin/softImpute capped at 100 " +
        "iterations, 2 seeds",
      seeds: 2,
      set: { altIters: 100 },
      grid: { n: [1000, 3000] },
      deviations: ["d = 30 instead of the paper-scale d ≈ 100; n ≤ 3000; iteration cap 100 for AltMin/softImpute"],
    },
    paper: {
      description: "d = 100, r = 3, two observations per row, n ∈ {3·10³, 10⁴, 3·10⁴}, 3 seeds",
      seeds: 3,
      set: { d: 100 },
      grid: { n: [3000, 10000, 30000] },
      deviations: [
        "rank 3 and condition number 2 only (no sweep over r); sizes are ours",
        "n = 10⁵ dropped (it was in this scale before the audit): with every method tuned (3 fits + refit) and run " +
        "to convergence it would take about 25 more minutes on this loaded 2-core machine",
      ],
    },
  },
  deviations: [
    "Only the abstract of the paper was readable offline (the ICML page; no arXiv body, no official code was found), " +
    "so the algorithm is our reading of it: per-pair averages of the observed products X_ijX_ik form a partially " +
    "observed estimate of XᵀX/n, completed by gradient descent on f(U) = Σ W_jk((UUᵀ)_jk − Ĝ_jk)² from a spectral " +
    "init (top-r eigenpairs of the inverse-propensity Gram), accelerated by Nesterov momentum with gradient restart " +
    "and run to a relative-step tolerance of 1e-8. The weights W (count of products per pair, or uniform: tuned) and " +
    "the step rule are our choices.",
    "Synthetic data only (rows a_iᵀdiag(σ)Vᵀ with Gaussian a_i and random orthonormal V); the genome-sequencing " +
    "experiment is skipped. No paper numbers are quoted: the paper's figures could not be read.",
    "Baselines: zero-fill PCA, softImpute-ALS (Hastie et al. 2015) with rank cap r, and AltMin (Jain et al. 2013) " +
    "with a ridge, each started from the zero-fill PCA basis and run to convergence; λ and μ are tuned by the same " +
    "held-out rule as the Gram route's weighting (see tuning). The paper's exact baseline list and tuning are unknown " +
    "to us. 'gram_ipw' (the Gram route without the completion step) is our ablation.",
    "Changed by the audit (before → after): AltMin ran 30 iterations at μ = 1e-3 and softImpute 30 at λ = 0.1, while " +
    "the Gram route ran 500 plain GD steps that had not converged for n ≤ 3·10⁴; now every method runs to its " +
    "tolerance with held-out tuning. On seed 100 at n = 10⁴ (d = 100): AltMin 0.30 (μ = 1 chosen), Gram route 0.58 " +
    "(converged; 0.61 after 500 steps before), softImpute 0.78 (λ = 1).",
    "softImpute-ALS converges slowly with two entries per row: it stops on its 300-iteration cap, not on its " +
    "tolerance (seed 100, n = 10⁴, λ = 1: 0.81 / 0.78 / 0.64 after 100 / 300 / 1000 iterations). It is capped for " +
    "time, so its numbers overstate what it can reach; the AltMin baseline does converge.",
  ],
  data: (cfg, { rng }) => makeProblem(cfg, rng),
  dataKeys: ["n", "d", "r", "kappa", "perRow", "noise"],
  tuning: {
    rule: `hold out the last ${HOLD * 100}% of the rows; fit each grid value on the rest; score each fit's V̂ by the ` +
      "mean squared residual of the held-out products x_ij·x_ik against the best Gram supported on span(V̂) " +
      "(least squares over symmetric r×r S; tuning.ts); refit the lowest-scoring value on all rows",
    budget: "≤ 3 grid values, one fit each, plus one refit, per method; every iterative method runs to its " +
      "stopping tolerance (GD: 1e-8 relative step, cap 20000; AltMin / softImpute: span moves ≤ 1e-5 per iteration, cap 300)",
    grids: {
      gram_gd: "Gram-loss weighting ∈ {count, uniform} (hp.weighting_uniform = 0 / 1)",
      altmin: `ridge μ ∈ {${ALT_MU.join(", ")}}`,
      softimpute: `penalty λ ∈ {${SOFT_LAMBDA.join(", ")}}`,
      gram_ipw: "none",
      zero_fill_pca: "none",
    },
  },
  methods: {
    gram_gd: {
      label: "Gram imputation + GD (proposed)",
      description: "Impute the missing entries of XᵀX from per-row products, complete by GD on U to convergence " +
        "(Cao et al. 2023, abstract), return span(U); weighting tuned by the held-out rule",
      run: (p: Problem, cfg: Config, ctx) => {
        const fit = (q: Problem, weighting: "count" | "uniform", monitor?: (step: number, u: M64) => void) =>
          gramCompletion(
            q,
            { r: cfg.r, iters: cfg.iters, stepScale: cfg.stepScale, tol: cfg.gdTol, weighting },
            monitor,
          );
        const t = tuneByHoldout(
          p,
          HOLD,
          WEIGHTINGS,
          (q, w, final) => fit(q, w, final ? (step, u) => step % cfg.every === 0 && ctx.observe(step, u) : undefined),
          (o) => orthonormalize(o.u),
        );
        ctx.choose("weighting_uniform", t.value === "uniform" ? 1 : 0);
        return { v: orthonormalize(t.out.u), iters: t.out.iters };
      },
    },
    gram_ipw: {
      label: "Gram IPW spectral (ablation)",
      description: "Top-r eigenvectors of the inverse-propensity Gram estimate, no completion step (our ablation)",
      run: (p: Problem) => ({ v: ipwSpectral(p) }),
    },
    zero_fill_pca: {
      label: "zero-fill PCA",
      description: "Top-r right singular vectors of the zero-filled matrix P_Ω(X)",
      run: (p: Problem) => ({ v: zeroFillPca(p) }),
    },
    softimpute: {
      label: "softImpute-ALS",
      description: "Nuclear-norm matrix completion of X by softImpute-ALS (Hastie, Mazumder, Lee, Zadeh 2015), " +
        "λ tuned by the held-out rule, run to convergence",
      run: (p: Problem, cfg: Config, ctx) => {
        const t = tuneByHoldout(p, HOLD, SOFT_LAMBDA, (q, lambda) => {
          const stats = { iters: 0 };
          return { v: softImputeAls(q, { iters: cfg.altIters, tol: cfg.altTol, lambda, stats }), iters: stats.iters };
        }, (o) => o.v);
        ctx.choose("lambda", t.value);
        return t.out;
      },
    },
    altmin: {
      label: "AltMin",
      description: "Alternating ridge least squares on the observed entries of X (Jain, Netrapalli, Sanghavi 2013), " +
        "μ tuned by the held-out rule, run to convergence",
      run: (p: Problem, cfg: Config, ctx) => {
        const t = tuneByHoldout(p, HOLD, ALT_MU, (q, mu) => {
          const stats = { iters: 0 };
          return { v: altMin(q, { iters: cfg.altIters, tol: cfg.altTol, mu, stats }), iters: stats.iters };
        }, (o) => o.v);
        ctx.choose("mu", t.value);
        return t.out;
      },
    },
  },
  metrics: {
    proj_dist: lower("‖V̂V̂ᵀ − VVᵀ‖_F/√(2r)"),
    sin_max: lower("sin of the largest principal angle"),
    proj_dist_iter: lower("projection distance along GD"),
    iters: reported("iterations to the stopping tolerance (refit on all rows)"),
  },
  observe: (p: Problem, u: M64) => ({ proj_dist_iter: projectionDistance(orthonormalize(u), p.v) }),
  measure: (p: Problem, o: Output) => ({
    proj_dist: projectionDistance(o.v, p.v),
    sin_max: sinMaxAngle(o.v, p.v),
    ...(o.iters === undefined ? {} : { iters: o.iters }),
  }),
  claims: [
    {
      id: "gram-route-recovers",
      kind: "paper",
      statement: "With only two observations per row, the Gram-imputation algorithm recovers the right singular " +
        "space once n is large enough (paper: recovery of XᵀX for n = Ω(r²d log d)). Recovery here is statistical " +
        "(each product is one noisy sample), so we check consistency: the log–log slope of the projection distance " +
        "in n has its 95% interval ≤ −0.25 (a √n-consistent estimator has −0.5), and the distance is < 0.3 in " +
        "every seed at the largest n.",
      paper: { value: "recovery of XᵀX (hence V) once n = Ω(r²d log d)", source: ABSTRACT },
      check: allOf(
        trend({ metric: "proj_dist", method: "gram_gd", x: "n", below: -0.25 }),
        threshold({ metric: "proj_dist", method: "gram_gd", below: 0.3, where: { n: LARGEST } }),
      ),
    },
    {
      id: "baselines-do-not",
      kind: "paper",
      statement: "The algorithm substantially outperforms standard matrix completion and direct factorization " +
        "(paper abstract). Checked at the largest n against tuned, converged baselines: zero-fill PCA, softImpute " +
        "and AltMin each have at least 2× the projection distance of the Gram route (geometric mean of the " +
        "per-seed ratios, less 2 SE; 2× is our reading of 'substantially').",
      paper: {
        value: "substantially outperforms standard matrix completion and direct factorization",
        source: ABSTRACT,
      },
      check: allOf(
        ...BASELINES.map((baseline) =>
          compare({
            metric: "proj_dist",
            method: "gram_gd",
            baseline,
            better: "lower",
            factor: 2,
            where: { n: LARGEST },
          })
        ),
      ),
    },
    {
      id: "beats-baselines-every-n",
      kind: "sanity",
      statement: "Our weaker reading, not a statement of the paper: the Gram route has a lower projection distance " +
        "than each baseline at every n, by 2% beyond 2 SE of the paired differences.",
      check: allOf(
        ...BASELINES.map((baseline) =>
          compare({ metric: "proj_dist", method: "gram_gd", baseline, better: "lower", forEach: "n" })
        ),
      ),
    },
    {
      id: "completion-step-helps",
      kind: "sanity",
      statement: "Our ablation, not a statement of the paper: completing the Gram matrix beats eigendecomposing its " +
        "unbiased (inverse-propensity) estimate directly, at every n, by 2% beyond 2 SE of the paired differences.",
      check: compare({ metric: "proj_dist", method: "gram_gd", baseline: "gram_ipw", better: "lower", forEach: "n" }),
    },
    {
      id: "gd-converged",
      kind: "sanity",
      statement: "The Gram route's GD stops on its tolerance (relative step ≤ 1e-8), not on the step cap, in every " +
        "run (so the comparison is not against an unconverged method).",
      check: threshold({ metric: "iters", method: "gram_gd", below: 19999 }),
    },
  ],
  figures: [
    {
      id: "recovery-vs-n",
      title: "Right-singular-space error vs number of rows n (two observations per row)",
      mirrors: "the paper's synthetic one-sided recovery experiment (error vs n), as described in its abstract",
      spec: lineChart({
        metric: "proj_dist",
        x: "n",
        xTitle: "rows n",
        logX: true,
        logY: true,
        yTitle: "‖V̂V̂ᵀ − VVᵀ‖_F/√(2r)",
      }),
    },
    {
      id: "gd-trajectory",
      title: "Gram completion: subspace error along GD, per n",
      spec: lineChart({
        metric: "proj_dist_iter",
        x: "step",
        xTitle: "GD step",
        logY: true,
        yTitle: "projection distance",
        color: "n",
        colorType: "ordinal",
      }),
    },
  ],
  tables: [
    {
      id: "recovery",
      title: "Right-singular-space error per method and n",
      metrics: ["proj_dist", "sin_max"],
      by: ["n"],
    },
  ],
});

/**
 * Recovery Bounds on Class-Based Optimal Transport: A Sum-of-Norms Regularization Framework (Arman Rahbar, Ashkan
 * Panahi, Morteza Haghir Chehreghani, Devdatt Dubhashi, Hamid Krim, 2023): the module's declaration. Source points
 * carry class labels; Config, scales, methods, metrics, claims and figures below; deviations from the paper in
 * `deviations`, the algorithms in this folder's other files, what runs in README.md.
 */
import { z } from "zod";
import { count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported } from "../../lib/experiment.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { type ResultSet, SelectionError } from "../../lib/claims/results.ts";
import { mean, spearman } from "../../lib/math/stats.ts";
import { allOf, compare, fmt, LARGEST, pairedComparison, threshold, verdict } from "../../lib/claims/mod.ts";
import { classPurity, makeProblem, marginalError, type Problem, transferAccuracy, transportCost } from "./data.ts";
import { classPairs, dualProxOT, exactAssignment, type Penalty, sinkhorn } from "./ot.ts";

const config = z.object({
  classes: intAtLeast(2, 3, "number of classes K (Gaussian clusters per domain)"),
  perClass: intAtLeast(2, 20, "points per class in source and in target"),
  separation: positive(4, "radius of the circle the class means sit on (σ units)"),
  sigma: positive(1, "within-class standard deviation"),
  rotation: z.number().default(40).describe("target class means = source means rotated by this many degrees"),
  dim: intAtLeast(2, 2, "ambient dimension (means live in the first two coordinates)"),
  eps: positive(0.05, "quadratic smoothing (ε·n/2)‖T‖²_F added to SON / group / quad"),
  iters: count(2000, "iterations of the dual (accelerated) proximal solver"),
  every: count(100, "record the marginal error every this many iterations"),
});
type Config = z.infer<typeof config>;
type Output = Float64Array; // transport plan, n×m row-major

/** The test problem and an independent draw of the same config, whose target labels select the weights. */
interface Data {
  test: Problem;
  validation: Problem;
}

/** Tuning grids: 5 values per regularized method (SON and group-lasso λ in mean-cost units; Sinkhorn η). */
const LAMBDA_GRID = [0.1, 0.3, 1, 3, 10];
const ETA_GRID = [0.02, 0.05, 0.1, 0.2, 0.5];

/** The grid value whose plan on the validation problem has the highest class purity (first on ties). */
function select(grid: readonly number[], fit: (p: Problem, v: number) => Float64Array, val: Problem): number {
  let best = grid[0], bestP = -Infinity;
  for (const v of grid) {
    const pur = classPurity(val, fit(val, v));
    if (pur > bestP + 1e-12) [best, bestP] = [v, pur];
  }
  return best;
}

const sonPen = (p: Problem): Penalty => ({ kind: "son", pairs: classPairs(p.ys) });
const groupPen = (p: Problem): Penalty => ({ kind: "group", classes: p.ys, k: p.k });

const smooth = (
  p: Problem,
  cfg: Config,
  pen: Penalty,
  lambda: number,
  accelerated: boolean,
  observe?: (it: number, t: Float64Array) => void,
) =>
  dualProxOT(p.cost, p.a, p.b, pen, {
    lambda,
    eps: cfg.eps * p.n,
    iters: cfg.iters,
    accelerated,
    onIter: observe,
    every: cfg.every,
  }).plan;

const purityAt = (r: ResultSet, method: string, separation: unknown) =>
  r.mean({ metric: "purity", method, where: { separation } });
const ABSTRACT = { url: "https://arxiv.org/abs/1903.03850", where: "abstract" };
/** Purity margin a "better class structure" claim must clear beyond seed noise (2 points of purity). */
const PURITY_MARGIN = 0.02;

/** Per seed, class purity averaged over the separation grid. */
function gridMeanBySeed(r: ResultSet, method: string): Map<number, number> {
  const seps = r.levels("separation");
  const acc = new Map<number, number[]>();
  for (const sep of seps) {
    for (const x of r.select({ metric: "purity", method, where: { separation: sep } })) {
      (acc.get(x.seed) ?? acc.set(x.seed, []).get(x.seed)!).push(x.value);
    }
  }
  return new Map([...acc].filter(([, v]) => v.length === seps.length).map(([k, v]) => [k, mean(v)]));
}

/** SON vs `baseline` on the grid-mean purity, paired by seed, by PURITY_MARGIN beyond 2·SE. */
function sonBeats(baseline: string) {
  return Object.assign((r: ResultSet) => {
    const s = gridMeanBySeed(r, "son"), b = gridMeanBySeed(r, baseline);
    const pairs = [...s].filter(([k]) => b.has(k)).map(([k, v]) => [v, b.get(k)!] as [number, number]);
    if (!pairs.length) throw new SelectionError(`no seed shared by son and ${baseline}`);
    const c = pairedComparison(pairs, { better: "higher", margin: { abs: PURITY_MARGIN } });
    return verdict(
      c.pass,
      `grid-mean purity son ${fmt(c.method)} vs ${baseline} ${fmt(c.baseline)}, ${c.text} [${c.seeds} seeds]`,
    );
  }, { metrics: ["purity"] });
}

export default defineExperiment({
  id: "class-ot-sum-of-norms",
  paper: {
    title: "Recovery Bounds on Class-Based Optimal Transport: A Sum-of-Norms Regularization Framework",
    authors: "Arman Rahbar, Ashkan Panahi, Morteza Haghir Chehreghani, Devdatt Dubhashi, Hamid Krim",
    year: 2023,
    venue: "ICML 2023",
    arxiv: "1903.03850",
  },
  summary: "Source points carry class labels; a sum-of-norms (convex-clustering) penalty on the transport plan asks " +
    "points of one class to share their transport rows, which provably recovers the class structure under " +
    "geometric (separation) assumptions, and an accelerated proximal scheme with closed-form projections solves " +
    "it. We transport labelled Gaussian clusters onto rotated copies and measure the class purity of the plan " +
    "against cluster separation, for the SON plan, exact OT, entropic Sinkhorn and Courty's ℓ1–ℓ2 group-lasso OT.",
  config,
  scales: {
    smoke: {
      description: "K = 3 classes × 8 points, rotation 40°, separation ∈ {1, 8}, 2 seeds, 300 solver iterations",
      seeds: 2,
      set: { perClass: 8, iters: 300, every: 50 },
      grid: { separation: [1, 8] },
      deviations: ["8 points per class, 300 dual iterations, two separations"],
    },
    paper: {
      description: "K = 3 classes × 20 points, rotation 40°, separation ∈ {1, 2, 4, 8}, 5 seeds, 1000 iterations",
      seeds: 5,
      set: { iters: 1000 },
      grid: { separation: [1, 2, 4, 8] },
      deviations: [
        "60 + 60 points and 2-D clusters only; no rotated-MNIST domain-adaptation experiment; no sweep over the " +
        "rotation angle; no timing/scaling study against problem size",
        "Since the audit (validation tuning costs 5 extra solves per regularized method): 1000 dual iterations " +
        "instead of 2000 and separation ∈ {1, 2, 4, 8} instead of {1, 2, 3, 4, 6, 8}, so the paper scale fits in " +
        "about 20 minutes on the shared 2-core machine",
      ],
    },
  },
  deviations: [
    "Only the abstract of the paper could be read offline (arXiv 1903.03850; no official code was found), so the " +
    "regularizer and solver are our reading of it: Ω(T) = Σ_c Σ_{i<i' in source class c} ‖T_i· − T_i'·‖₂ " +
    "(sum-of-norms fusion of the transport rows of same-class source points, as in Panahi et al.'s sum-of-norms " +
    "clustering), solved by FISTA on the dual with closed-form projections of the dual pair variables onto λ-balls.",
    "To make that dual smooth we add (ε·n/2)‖T‖²_F to the SON objective (and, for a like-for-like comparison, to the " +
    "group-lasso one); 'quad' (λ = 0) is that smoothing alone. The paper's exact smoothing / step sizes are unknown.",
    "Courty et al.'s ℓ1–ℓ2 group-lasso OT is solved with the same quadratic-smoothed dual solver, not with their " +
    "entropic generalized conditional gradient.",
    "Regularization weights: before the 2026 audit λ = 1 (mean-cost units) and η = 0.05 were fixed by us for every " +
    "method (one calibration run, seed 1, was looked at before the thresholds were written). Since the audit, SON, " +
    "group lasso and Sinkhorn each select their weight from 5 values by purity on an independent validation draw " +
    "(see tuning); the smoothing ε = 0.05 stays fixed and shared by SON, group lasso and quad.",
    "No paper numbers are quoted: the paper's figures and tables could not be read.",
  ],
  data: (cfg, { rng }): Data => ({
    test: makeProblem(cfg, rng),
    validation: makeProblem(cfg, rng.split("validation")),
  }),
  dataKeys: ["classes", "perClass", "separation", "sigma", "rotation", "dim"],
  methods: {
    son: {
      label: "sum-of-norms OT (proposed, accelerated)",
      description:
        "min <C,T> + λ Σ_c Σ_{i,i'∈c} ‖T_i − T_i'‖ over Π(a,b) (Rahbar et al. 2023, abstract), FISTA on the dual",
      run: (d: Data, cfg: Config, ctx) => {
        const lam = select(LAMBDA_GRID, (p, v) => smooth(p, cfg, sonPen(p), v / cfg.perClass, true), d.validation);
        ctx.choose("lambda", lam);
        return smooth(d.test, cfg, sonPen(d.test), lam / cfg.perClass, true, (it, t) => ctx.observe(it, t));
      },
    },
    son_pg: {
      label: "sum-of-norms OT, plain projected gradient (ablation)",
      description: "the same dual without Nesterov momentum, same step 1/L, iteration budget and λ as `son` (λ " +
        "selected by the same validation run of the accelerated solver; our ablation)",
      run: (d: Data, cfg: Config, ctx) => {
        const lam = select(LAMBDA_GRID, (p, v) => smooth(p, cfg, sonPen(p), v / cfg.perClass, true), d.validation);
        ctx.choose("lambda", lam);
        return smooth(d.test, cfg, sonPen(d.test), lam / cfg.perClass, false, (it, t) => ctx.observe(it, t));
      },
    },
    group_lasso: {
      label: "ℓ1–ℓ2 group-lasso OT",
      description: "min <C,T> + λ Σ_j Σ_c ‖T_{I_c, j}‖₂ (Courty, Flamary, Tuia, Rakotomamonjy 2017, Eq. 11)",
      run: (d: Data, cfg: Config, ctx) => {
        const lam = select(LAMBDA_GRID, (p, v) => smooth(p, cfg, groupPen(p), v, true), d.validation);
        ctx.choose("lambda", lam);
        return smooth(d.test, cfg, groupPen(d.test), lam, true);
      },
    },
    quad: {
      label: "quadratic-smoothed OT (λ = 0)",
      description: "min <C,T> + (ε n/2)‖T‖² over Π(a,b): the smoothing alone (our ablation)",
      run: (d: Data, cfg: Config) => smooth(d.test, cfg, groupPen(d.test), 0, true),
    },
    sinkhorn: {
      label: "entropic OT (Sinkhorn)",
      description: "min <C,T> − η H(T) over Π(a,b) by log-domain Sinkhorn (Cuturi 2013)",
      run: (d: Data, _cfg: Config, ctx) => {
        const eta = select(ETA_GRID, (p, v) => sinkhorn(p.cost, p.a, p.b, v).plan, d.validation);
        ctx.choose("eta", eta);
        return sinkhorn(d.test.cost, d.test.a, d.test.b, eta).plan;
      },
    },
    exact: {
      label: "exact OT",
      description: "unregularized OT; with n = m and uniform weights an optimal plan is a permutation (Hungarian)",
      run: (d: Data) => exactAssignment(d.test.cost, d.test.n),
    },
  },
  tuning: {
    rule: "highest class purity of the plan on a validation problem: an independent draw of the same config " +
      "(same separation, rotation, sizes; fresh points), scored with its target labels; the test problem's target " +
      "labels are never used for selection",
    budget: "5 values of one weight per regularized method, 1 fit each with the same solver and iterations",
    grids: {
      son: "λ ∈ {0.1, 0.3, 1, 3, 10} (mean-cost units; λ/perClass per pair)",
      son_pg: "λ chosen exactly as for son (the same validation fits), so the ablation isolates momentum",
      group_lasso: "λ ∈ {0.1, 0.3, 1, 3, 10} (mean-cost units)",
      sinkhorn: "η ∈ {0.02, 0.05, 0.1, 0.2, 0.5} (cost normalized to mean 1)",
    },
  },
  metrics: {
    purity: higher("class purity of the plan (mass moved within a class)"),
    accuracy: higher("label-transfer accuracy (argmax class mass per target)"),
    cost: reported("transport cost <C,T> (cost normalized to mean 1)"),
    marg_err: lower("marginal violation (‖T1−a‖₁+‖Tᵀ1−b‖₁)/2"),
    marg_err_iter: lower("marginal violation along the solver"),
  },
  observe: (d: Data, t: Float64Array) => ({ marg_err_iter: marginalError(d.test, t) }),
  measure: (d: Data, t: Output) => ({
    purity: classPurity(d.test, t),
    accuracy: transferAccuracy(d.test, t),
    cost: transportCost(d.test, t),
    marg_err: marginalError(d.test, t),
  }),
  claims: [
    {
      id: "son-beats-sinkhorn",
      kind: "paper",
      statement: "The sum-of-norms regularizer preserves class structure better than entropic regularization " +
        "(abstract). Checked: class purity averaged over the separation grid, paired by seed, SON beats Sinkhorn " +
        `by more than ${PURITY_MARGIN} (2 points of purity, fixed in the audit before rerunning) beyond 2·SE, ` +
        "each with its weight selected on a validation draw by the same rule and budget.",
      paper: { value: "SON preserves class structure better than previous regularizers", source: ABSTRACT },
      check: sonBeats("sinkhorn"),
    },
    {
      id: "son-beats-group-lasso",
      kind: "paper",
      statement: "…and better than the earlier class-based (ℓ1–ℓ2 group-lasso) regularizer (abstract: 'compared to " +
        "previous regularizers'). Checked: grid-mean purity, paired by seed, SON beats group lasso by more than " +
        `${PURITY_MARGIN} beyond 2·SE, both with λ selected on the validation draw from the same grid.`,
      paper: { value: "SON preserves class structure better than previous regularizers", source: ABSTRACT },
      check: sonBeats("group_lasso"),
    },
    {
      id: "recovery-with-separation",
      kind: "paper",
      statement: "SON OT recovers the class structure under geometric (separation) assumptions (abstract). Checked: " +
        "SON purity rises with separation (Spearman ρ ≥ 0.9 over the seed means on the grid) and its seed mean is " +
        "≥ 0.99 (near-exact recovery) at the largest separation.",
      paper: { value: "recovery of the class structure under separation assumptions", source: ABSTRACT },
      check: allOf(
        Object.assign((r: ResultSet) => {
          const seps = r.levels("separation") as number[];
          const ps = seps.map((s) => purityAt(r, "son", s));
          const rho = spearman(seps, ps);
          return verdict(
            rho >= 0.9,
            seps.map((s, i) => `sep ${s}: ${fmt(ps[i])}`).join(", ") + `; Spearman ρ = ${fmt(rho)} (≥ 0.9)`,
          );
        }, { metrics: ["purity"] }),
        threshold({ metric: "purity", method: "son", where: { separation: LARGEST }, above: 0.99, stat: "mean" }),
      ),
    },
    {
      id: "acceleration-helps",
      kind: "sanity",
      statement: "Our ablation of the solver (Nesterov momentum is known to help): after the same iteration budget " +
        "and at the same λ, the accelerated dual solver's marginal violation is at most half that of plain projected " +
        "gradient: paired over all runs (every separation and seed), the mean reduction less 2·SE exceeds half of PG's " +
        "mean violation.",
      check: compare({
        metric: "marg_err",
        method: "son",
        baseline: "son_pg",
        better: "lower",
        margin: { rel: 0.5 },
      }),
    },
  ],
  figures: [
    {
      id: "purity-vs-separation",
      title: "Class purity of the transport plan vs cluster separation (target rotated by 40°)",
      mirrors: "the paper's synthetic class-structure experiment, as described in its abstract",
      spec: lineChart({
        metric: "purity",
        x: "separation",
        xTitle: "separation (σ units)",
        yTitle: "class purity",
        band: true,
      }),
    },
    {
      id: "solver-convergence",
      title: "Marginal violation along the dual solver: FISTA vs plain projected gradient",
      spec: lineChart({
        metric: "marg_err_iter",
        x: "step",
        logY: true,
        yTitle: "marginal violation",
        column: "separation",
      }),
    },
  ],
  tables: [
    {
      id: "purity",
      title: "Purity, transfer accuracy and cost per method and separation",
      metrics: ["purity", "accuracy", "cost", "marg_err"],
      by: ["separation"],
    },
  ],
});

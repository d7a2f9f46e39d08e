/**
 * Over-parametrization via Lifting for Low-rank Matrix Sensing: Conversion of Spurious Solutions to Strict Saddle
 * Points (Ziye Ma, Igor Molybog, Javad Lavaei, Somayeh Sojoudi, 2023): the module's declaration. Lifting a rank-1
 * matrix sensing problem to order l (Kronecker-power measurements on n^l × n^l matrices, solved by Burer–Monteiro)
 * keeps its spurious solutions stationary but turns them into strict saddle points that local search escapes.
 * Config, scales, methods, metrics, claims and figures below; deviations from the paper in `deviations`, the
 * algorithms in this folder's other files, what runs in README.md.
 */
import { z } from "zod";
import { count, intBetween, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported, tol } from "../../lib/experiment.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { frobDist, gram, type M64, zeros } from "../../lib/math/lowrank/mod.ts";
import { roundoff } from "../../lib/experiment.ts";
import { fmt, LARGEST, SMALLEST, threshold, verdict } from "../../lib/claims/mod.ts";
import { type LiftedInstance, liftedInstance } from "./instance.ts";
import { spuriousCurvature } from "./landscape.ts";
import { localSearch } from "./local_search.ts";
import { lineChart } from "../../lib/figures/mod.ts";

interface Data {
  p: LiftedInstance;
  /** Lifted ground truth ẑẑᵀ. */
  target: M64;
  /** Landscape at the lifted spurious point, for the search rank of this config. */
  curvature: { gradNorm: number; minEig: number };
}

interface Output {
  w: M64;
  perturbations: number;
}

const SUCCESS_TOL = 0.1;

const ABSTRACT = { url: "https://arxiv.org/abs/2302.07828", where: "abstract" };
/** Success-rate gain (largest l over l = 1) the claim needs beyond 2 SE: 10 points, well above 1/50 granularity. */
const GAIN = 0.1;

/** Success rate and its binomial standard error over seeds (random inits). */
function rate(r: ResultSet, method: string, where: Record<string, unknown>) {
  const v = r.values({ metric: "success", method, where });
  const p = v.reduce((a, b) => a + b, 0) / v.length;
  return { p, se: Math.sqrt(Math.max(p * (1 - p), 0.25 / v.length) / v.length), n: v.length };
}

export default defineExperiment({
  id: "lifting-matrix-sensing",
  paper: {
    title: "Over-parametrization via Lifting for Low-rank Matrix Sensing: Conversion of Spurious Solutions to Strict " +
      "Saddle Points",
    authors: "Ziye Ma, Igor Molybog, Javad Lavaei, Somayeh Sojoudi",
    year: 2023,
    arxiv: "2302.07828",
    venue: "ICML 2023",
  },
  summary: "Lifting a rank-1 matrix sensing problem to order l (Kronecker-power measurements on n^l × n^l matrices, " +
    "solved by Burer–Monteiro) keeps its spurious solutions stationary but turns them into strict saddle points that " +
    "local search escapes. On a hard 2×2 instance with RIP constant δ > 1/2 we compute the Hessian's smallest " +
    "eigenvalue at the lifted spurious point for l = 1..4 and the success rate of GD and perturbed GD from random inits.",
  config: z.object({
    delta: z.number().gt(0.5).lt(1).default(0.6).describe(
      "RIP constant δ of the hard instance (spurious minima need δ > 1/2)",
    ),
    order: intBetween(1, 5, 1, "lifting order l (l = 1: the original BM problem)"),
    rank: count(1, "Burer–Monteiro search rank in the lifted space"),
    etaScale: positive(0.1, "step η = etaScale/(1 + δ)^l (the lifted smoothness grows like (1+δ)^l)"),
    iters: count(3000, "local search iterations"),
    every: count(50, "record the objective every this many steps"),
    radius: positive(0.05, "PGD perturbation radius"),
    gThres: positive(1e-3, "PGD: perturb when ‖∇F‖ ≤ gThres"),
    tThres: count(100, "PGD: at most one perturbation per tThres steps"),
  }),
  scales: {
    smoke: {
      description: "δ = 0.6, l ∈ {1, 3}, rank-1 lifted BM, perturbed GD only, 30 random inits, 2000 steps",
      seeds: 30,
      set: { iters: 2000 },
      grid: { order: [1, 3] },
      methods: ["pgd"],
      deviations: [
        "30 random initializations per point (paper scale: 50); orders 1 and 3 only; δ = 0.6 only; PGD only",
      ],
    },
    paper: {
      description: "δ ∈ {0.6, 0.8}, l ∈ {1, 2, 3, 4}, rank-1 lifted BM, 50 random inits per point",
      seeds: 50,
      grid: { delta: [0.6, 0.8], order: [1, 2, 3, 4] },
    },
  },
  deviations: [
    "The paper's experiment section (its instances, lifting orders and local-search settings) could not be read offline " +
    "(only the abstract and introduction of arXiv 2302.07828 were reachable), so no paper numbers are quoted.",
    "The hard instance is our own closed-form 2×2 rank-1 instance in the Zhang–Josz–Sojoudi–Lavaei (2018) family: " +
    "quadratic form H = [[1, δ, 0], [δ, 1, 0], [0, 0, 1 + δ]] on (M₁₁, M₂₂, √2M₁₂), RIP constant δ, spurious local " +
    "minimum x̂ = (0, √δ) for every δ > 1/2 (see instance.ts). It may differ from the paper's instance.",
    "The lifted problem is solved in its full n^l-dimensional space with search rank 1 (no extra rank), so any gain " +
    "comes from lifting alone; for n = 2 a search rank of 2 in the original space already removes the spurious point.",
    "Success means ‖WWᵀ − z^{⊗l}(z^{⊗l})ᵀ‖_F ≤ 0.1 after the iteration budget (the spurious point is at distance ≥ 1).",
  ],
  data: (cfg) => {
    const p = liftedInstance(cfg.delta, cfg.order);
    const target = zeros(p.dim, p.dim);
    for (let i = 0; i < p.dim; i++) for (let j = 0; j < p.dim; j++) target.data[i * p.dim + j] = p.zHat[i] * p.zHat[j];
    return { p, target, curvature: spuriousCurvature(p, cfg.rank) };
  },
  dataKeys: ["delta", "order", "rank"],
  methods: {
    gd: {
      label: "GD",
      description:
        "Gradient descent on the order-l lifted BM objective from a random init (l = 1: plain Burer–Monteiro)",
      run: (d: Data, cfg, ctx): Output => {
        const out = localSearch(
          d.p,
          { ...cfg, eta: cfg.etaScale / Math.pow(1 + cfg.delta, cfg.order) },
          ctx.rng,
          (step, w, value) => ({ step, value, w }),
        );
        for (const pt of out.trace) ctx.observe(pt.step, pt);
        return { w: out.w, perturbations: 0 };
      },
    },
    pgd: {
      label: "Perturbed GD",
      description:
        "Perturbed gradient descent (Jin et al. 2017), the saddle-escaping local search of Ma et al. 2023 Sec. 4",
      run: (d: Data, cfg, ctx): Output => {
        const out = localSearch(
          d.p,
          {
            ...cfg,
            eta: cfg.etaScale / Math.pow(1 + cfg.delta, cfg.order),
            perturb: { radius: cfg.radius, gThres: cfg.gThres, tThres: cfg.tThres },
          },
          ctx.rng,
          (step, w, value) => ({ step, value, w }),
        );
        for (const pt of out.trace) ctx.observe(pt.step, pt);
        return { w: out.w, perturbations: out.perturbations };
      },
    },
  },
  metrics: {
    objective: lower("F(W_t)"),
    dist: lower("‖W_tW_tᵀ − ẑẑᵀ‖_F"),
    success: higher("recovered (‖WWᵀ − ẑẑᵀ‖_F ≤ 0.1)"),
    final_dist: lower("final ‖WWᵀ − ẑẑᵀ‖_F"),
    perturbations: reported("perturbations used"),
    spurious_min_eig: lower("λ_min(∇²F) at the lifted spurious point", tol.rounding(roundoff({ n: 16, cond: 10 }))),
    spurious_grad_norm: reported("‖∇F‖ at the lifted spurious point", tol.rounding(roundoff({ n: 16, cond: 10 }))),
  },
  observe: (d: Data, pt: { value: number; w: M64 }) => ({
    objective: pt.value,
    dist: frobDist(gram(pt.w), d.target),
  }),
  measure: (d: Data, out: Output) => {
    const dist = frobDist(gram(out.w), d.target);
    return {
      success: dist <= SUCCESS_TOL ? 1 : 0,
      final_dist: dist,
      perturbations: out.perturbations,
      spurious_min_eig: d.curvature.minEig,
      spurious_grad_norm: d.curvature.gradNorm,
    };
  },
  claims: [
    {
      id: "spurious-stays-stationary",
      kind: "identity",
      statement: "A check of our lifted gradient (the paper proves it; here it is exact arithmetic): the spurious " +
        "point stays stationary through the lifting hierarchy — ‖∇F‖ at [x̂^{⊗l}, 0] is ≤ 1e-10 for every order l " +
        "and δ in the grid.",
      check: threshold({ metric: "spurious_grad_norm", method: "pgd", below: 1e-10 }),
    },
    {
      id: "spurious-min-at-l1",
      kind: "sanity",
      statement: "Our instance is built (instance.ts) so that x̂ is a strict spurious local minimum of the original " +
        "problem: λ_min(∇²F) at x̂ is ≥ 1e-6 at l = 1 for every δ in the grid.",
      check: threshold({
        metric: "spurious_min_eig",
        method: "pgd",
        above: 1e-6,
        where: { order: SMALLEST },
        forEach: "delta",
      }),
    },
    {
      id: "lifting-creates-negative-curvature",
      kind: "paper",
      statement: "Lifting converts the spurious local minimum into a strict saddle (abstract): for every δ in the " +
        "grid, λ_min(∇²F) at the lifted spurious point is ≤ −1e-6 at the largest l (beyond rounding).",
      paper: { value: "spurious solutions become strict saddle points after lifting", source: ABSTRACT },
      check: threshold({
        metric: "spurious_min_eig",
        method: "pgd",
        below: -1e-6,
        where: { order: LARGEST },
        forEach: "delta",
      }),
    },
    {
      id: "lifting-raises-success",
      kind: "paper",
      statement: "Local search escapes the converted saddles: for every δ in the grid the success rate of perturbed " +
        `GD from random inits at the largest lifting order exceeds that at l = 1 by ≥ ${GAIN * 100} points beyond 2 ` +
        "binomial SE of the difference.",
      paper: { value: "saddle-escaping local search succeeds on the lifted problem", source: ABSTRACT },
      check: Object.assign((r: ResultSet) => {
        const lmax = r.levels("order").at(-1) as number;
        const parts: string[] = [];
        let pass = lmax > 1;
        for (const delta of r.levels("delta") as number[]) {
          const s1 = rate(r, "pgd", { delta, order: 1 }), sL = rate(r, "pgd", { delta, order: lmax });
          const gain = sL.p - s1.p, noise = 2 * Math.hypot(s1.se, sL.se), ok = gain - noise >= GAIN;
          pass &&= ok;
          parts.push(
            `δ=${delta}: ${fmt(100 * s1.p)}% (l=1) → ${fmt(100 * sL.p)}% (l=${lmax}), gain ${fmt(100 * gain)} ± ` +
              `${fmt(100 * noise)} points${ok ? "" : " ✗"}`,
          );
        }
        return verdict(pass, `${parts.join("; ")} (need gain − 2 SE ≥ ${GAIN * 100} points)`);
      }, { metrics: ["success"] }),
    },
  ],
  figures: [
    {
      id: "success-vs-order",
      title: "Success rate from random initializations vs lifting order",
      mirrors: "the paper's success-rate comparison of the original and lifted formulations",
      spec: lineChart({
        metric: "success",
        x: "order",
        xType: "ordinal",
        xTitle: "lifting order l",
        yTitle: "success rate",
        yDomain: [0, 1],
        column: "delta",
        columnTitle: "RIP constant δ",
      }),
    },
    {
      id: "curvature-vs-order",
      title: "Smallest Hessian eigenvalue at the lifted spurious point vs lifting order",
      mirrors: "the paper's negative-curvature-at-spurious-points result (strict saddle once lifted)",
      spec: lineChart({
        metric: "spurious_min_eig",
        where: "datum.method == 'gd'",
        x: "order",
        xType: "ordinal",
        xTitle: "lifting order l",
        yTitle: "λ_min(∇²F) at x̂^{⊗l}",
        zeroY: true,
        color: "delta",
        colorTitle: "δ",
      }),
    },
    {
      id: "objective-vs-iteration",
      title: "Lifted objective vs iteration (mean over random inits)",
      spec: lineChart({
        metric: "objective",
        x: "step",
        xTitle: "iteration",
        logY: true,
        yTitle: "F(W_t)",
        color: "order",
        colorTitle: "l",
        dash: "method",
        column: "delta",
        columnTitle: "δ",
      }),
    },
  ],
  tables: [
    {
      id: "success",
      title: "Success rate and curvature at the spurious point",
      metrics: ["success", "final_dist", "spurious_min_eig"],
      by: ["delta", "order"],
    },
  ],
});

/**
 * Critical Points and Convergence Analysis of Generative Deep Linear Networks Trained with Bures-Wasserstein Loss
 * (Pierre Bréchet, Katerina Papagiannouli, Jing An, Guido Montúfar, 2023): the module's declaration. A deep linear
 * generator W = W_N⋯W_1 with latent dimension k models a Gaussian N(0, WWᵀ) of rank ≤ k and is trained to match N(0,
 * Σ₀) in Bures–Wasserstein distance. Config, scales, methods, metrics, claims and figures below; deviations from the
 * paper in `deviations`, the algorithms in this folder's other files, what runs in README.md.
 */
import { z } from "zod";
import { atLeast, count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, roundoff, type RunContext, tol } from "../../lib/experiment.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { fmt, threshold, verdict } from "../../lib/claims/mod.ts";
import { gram, type M64 } from "../../lib/math/lowrank/mod.ts";
import { endToEnd, imbalance, initLayers, type LossKind, train } from "./bw.ts";
import { makeTarget, optimalValue, optimum, relDist, type Target } from "./target.ts";
import { lineChart } from "../../lib/figures/mod.ts";

/** A run reaches the optimum once its relative distance falls below this. */
const TOL = 1e-3;

interface State {
  w: M64;
  tau: number;
}

interface Output {
  w: M64;
  tau: number;
  imbalance: number;
  /** First observed step with ‖WWᵀ − Σ*‖/‖Σ*‖ < TOL (Σ* the method's own optimum), or steps + every if never. */
  stepsToTol: number;
}

const methodOf = (kind: LossKind, tauOf: (cfg: Config) => number, label: string, description: string) => ({
  label,
  description,
  run: (t: Target, cfg: Config, ctx: RunContext): Output => {
    const tau = tauOf(cfg);
    const layers = initLayers(cfg, ctx.rng.split("init"));
    const own = optimum(t, tau);
    let stepsToTol = cfg.steps + cfg.every;
    const out = train(t.sigma0, layers, { kind, tau, eta: cfg.eta, steps: cfg.steps, every: cfg.every }, (step, w) => {
      ctx.observe(step, { w, tau } satisfies State);
      if (stepsToTol > cfg.steps && relDist(gram(w), own) < TOL) stepsToTol = step;
    });
    if (out.diverged) {
      throw new Error(`GD diverged (η = ${cfg.eta}, depth ${cfg.depth}, init ${cfg.init} ×${cfg.scale})`);
    }
    return { w: out.w, tau, imbalance: imbalance(out.layers), stepsToTol };
  },
});

const config = z.object({
  d: intAtLeast(2, 10, "dimension d of the target covariance Σ₀ (d×d)"),
  k: intAtLeast(1, 3, "latent dimension k = rank bound of the generator WWᵀ"),
  kappa: atLeast(1, 10, "eigenvalues of Σ₀ geometric from 1 down to 1/kappa (d values)"),
  depth: intAtLeast(1, 3, "number of layers N of the deep linear generator W = W_N⋯W_1"),
  width: intAtLeast(1, 5, "hidden width h ≥ k of layers 2..N−1 (W_1: h×k, W_N: d×h)"),
  init: z.enum(["balanced", "random"]).default("balanced")
    .describe("balanced layers (the GD theorem's assumption) or independent Gaussian layers"),
  scale: positive(0.1, "init scale: singular values of W_0 in [scale/2, scale] (balanced)"),
  tau: positive(1e-2, "smoothing τ of the perturbed loss L_τ (method bw_smooth only)"),
  eta: positive(0.05, "GD step size η (all layers, all losses)"),
  steps: count(3000, "GD steps"),
  every: count(25, "record the trajectory every this many steps"),
});
type Config = z.infer<typeof config>;

const DEFAULTS = config.parse({});
/** tr Σ₀ for the default spectrum (eigenvalues geometric from 1 to 1/kappa), the scale of the BW² values. */
const TRACE = Array.from({ length: DEFAULTS.d }, (_, i) => Math.pow(DEFAULTS.kappa, -i / (DEFAULTS.d - 1)))
  .reduce((a, b) => a + b, 0);
/**
 * Distances, gaps and imbalances of GD runs that converged sit at rounding level (GD contracts last-bit
 * differences toward the same fixed point): any two values below the roundoff of d×d products over many steps,
 * with κ(Σ₀) = kappa, are equal; larger values (unconverged or divergent-init runs) are held to 1e-6 relative.
 */
const ROUNDING = tol.rounding(roundoff({ n: 10 * DEFAULTS.d, cond: DEFAULTS.kappa }));

/** Worst (largest) value over runs of one method matching `where`. */
function worst(r: ResultSet, metric: string, method: string, where: Record<string, unknown> = {}): [number, number] {
  const v = r.values({ metric, method, where });
  return [Math.max(...v), v.length];
}

export default defineExperiment({
  id: "bures-wasserstein-dln",
  paper: {
    title:
      "Critical Points and Convergence Analysis of Generative Deep Linear Networks Trained with Bures-Wasserstein Loss",
    authors: "Pierre Bréchet, Katerina Papagiannouli, Jing An, Guido Montúfar",
    year: 2023,
    arxiv: "2303.03027",
    venue: "ICML 2023",
  },
  summary:
    "A deep linear generator W = W_N⋯W_1 with latent dimension k models a Gaussian N(0, WWᵀ) of rank ≤ k and is " +
    "trained to match N(0, Σ₀) in Bures–Wasserstein distance. The paper characterizes the critical points over " +
    "rank-bounded matrices (the minimizer is the truncated eigendecomposition Σ₀,k) and proves convergence of gradient " +
    "flow on a smoothed loss and of finite-step GD under assumptions on the initial weights. We run GD on the exact " +
    "BW² loss, on the τ-smoothed loss and on the Frobenius loss, over depth and initialization, and measure the " +
    "distance of WWᵀ to the predicted optimum along the iterations.",
  config,
  scales: {
    smoke: {
      description: "d = 10, k = 3, balanced init at scale 0.1, depth ∈ {1, 3}, 1500 steps, 2 seeds",
      seeds: 2,
      set: { steps: 1500 },
      grid: { depth: [1, 3] },
      deviations: ["two depths, one init, 1500 steps"],
    },
    paper: {
      description:
        "d = 10, k = 3, depth ∈ {1, 2, 3, 4}, balanced and random init at scales {0.1, 1}, 3000 steps, 5 seeds",
      seeds: 5,
      grid: { depth: [1, 2, 3, 4], init: ["balanced", "random"], scale: [0.1, 1] },
      deviations: ["the paper is theoretical (no experiment to mirror); sizes, spectrum, η and τ are our choice"],
    },
  },
  deviations: [
    "Only the abstract and introduction of arXiv 2303.03027 were readable offline, so the exact form of the paper's " +
    "smooth perturbative loss and the precise constants of its GD theorem could not be checked. Our smoothing adds " +
    "τ·I inside the matrix square root, L_τ(W) = tr Σ₀ + ‖W‖² − 2 tr (WᵀΣ₀W + τI)^{1/2} (+2k√τ), whose rank-k " +
    "minimizer Σ_τ* = Σ_{i≤k}(λ_i − τ/λ_i)q_iq_iᵀ we derived ourselves; the paper's version may differ.",
    "Conditions of the finite-step GD result as we implement them: balanced initial layers (W_{j+1}ᵀW_{j+1} = " +
    "W_jW_jᵀ) of full rank k and a step size small enough for stability; the 'random' init violates balancedness " +
    "on purpose. We do not check the paper's exact margin condition on the initial loss (not readable here).",
    "The target has a random eigenbasis and eigenvalues geometric from 1 to 1/kappa, so λ_k > λ_{k+1} (a strict " +
    "eigengap, needed for a unique minimizer).",
    "No paper numbers: the paper reports theorems, not tables.",
  ],
  data: (cfg, { rng }) => makeTarget(cfg, rng),
  dataKeys: ["d", "k", "kappa"],
  methods: {
    bw: methodOf(
      "bw",
      () => 0,
      "GD on BW²",
      "GD on the exact loss BW²(Σ₀, WWᵀ) (paper eq. for the BW distance of Gaussians; gradient 2W − 2Σ₀^{1/2}UVᵀ)",
    ),
    bw_smooth: methodOf(
      "bw",
      (cfg) => cfg.tau,
      "GD on smoothed BW (τ)",
      "GD on the τ-perturbed BW loss L_τ (the paper's smoothed loss for its gradient-flow result; our form, see deviations)",
    ),
    frobenius: methodOf(
      "frobenius",
      () => 0,
      "GD on ½‖WWᵀ − Σ₀‖²",
      "GD on the square (Frobenius) loss, the discriminative baseline the paper contrasts with",
    ),
  },
  metrics: {
    rel_dist: lower("‖WWᵀ − Σ₀,k‖_F/‖Σ₀,k‖_F", ROUNDING),
    rel_dist_own: lower("‖WWᵀ − Σ*‖_F/‖Σ*‖_F (Σ* the method's own predicted optimum)", ROUNDING),
    bw_gap: lower("BW²(Σ₀, WWᵀ) − Σ_{i>k} λ_i", ROUNDING),
    final_rel_dist: lower("final ‖WWᵀ − Σ₀,k‖/‖Σ₀,k‖", ROUNDING),
    final_rel_dist_own: lower("final distance to own optimum", ROUNDING),
    final_bw_gap: lower("final BW² gap", ROUNDING),
    // a count at a stride of `every` steps: a crossing near the tolerance can move it by one stride
    steps_to_tol: lower(`first step with distance to own optimum < ${TOL}`, tol.statistic()),
    final_imbalance: reported("max_j ‖W_{j+1}ᵀW_{j+1} − W_jW_jᵀ‖_F at the end", ROUNDING),
  },
  observe: (t: Target, s: State) => {
    const x = gram(s.w);
    return {
      rel_dist: relDist(x, optimum(t, 0)),
      rel_dist_own: relDist(x, optimum(t, s.tau)),
      bw_gap: Math.max(endToEnd("bw", t.sigma0, s.w, 0).loss - optimalValue(t), 0),
    };
  },
  measure: (t: Target, o: Output) => {
    const x = gram(o.w);
    return {
      final_rel_dist: relDist(x, optimum(t, 0)),
      final_rel_dist_own: relDist(x, optimum(t, o.tau)),
      final_bw_gap: Math.max(endToEnd("bw", t.sigma0, o.w, 0).loss - optimalValue(t), 0),
      steps_to_tol: o.stepsToTol,
      final_imbalance: o.imbalance,
    };
  },
  claims: [
    {
      id: "bw-gd-reaches-rank-k-optimum",
      kind: "paper",
      statement:
        "Under the GD result's assumptions (balanced, full-rank initial weights, small step), gradient descent " +
        "on the BW loss converges to the minimizer over rank-≤k matrices, the truncated eigendecomposition Σ₀,k " +
        "(paper: critical-point characterization + GD convergence theorem). Checked: every balanced-init run of " +
        `'bw' ends with ‖WWᵀ − Σ₀,k‖/‖Σ₀,k‖ < ${TOL}, at every depth.`,
      paper: {
        value: "finite-step GD converges under conditions on the initial weights; minimizer characterized",
        source: { url: "https://arxiv.org/abs/2303.03027", where: "abstract" },
      },
      check: threshold({
        metric: "final_rel_dist",
        method: "bw",
        where: { init: "balanced" },
        forEach: "depth",
        below: TOL,
      }),
    },
    {
      id: "bw-minimum-value",
      kind: "paper",
      statement: "The minimum of BW²(Σ₀, ·) over rank ≤ k is Σ_{i>k} λ_i (the value at Σ₀,k, from the paper's " +
        "critical-point characterization): at the end of every balanced-init 'bw' run the gap BW²(Σ₀, WWᵀ) − " +
        `Σ_{i>k}λ_i is below 1e-6·tr Σ₀ = ${fmt(1e-6 * TRACE)} (default spectrum).`,
      paper: {
        value: "critical points over rank-bounded matrices characterized; the minimizer is the rank-k truncation",
        source: { url: "https://arxiv.org/abs/2303.03027", where: "abstract" },
      },
      check: threshold({
        metric: "final_bw_gap",
        method: "bw",
        where: { init: "balanced" },
        forEach: "depth",
        below: 1e-6 * TRACE,
      }),
    },
    {
      id: "smoothed-flow-converges",
      kind: "paper",
      statement: "GD on the smooth perturbative loss L_τ converges to its own rank-k minimizer Σ_τ*, which tends to " +
        "Σ₀,k as τ → 0 (the paper's gradient-flow result on the smoothed loss). Checked: every balanced-init " +
        `'bw_smooth' run ends within ${TOL} of Σ_τ*, and its distance to Σ₀,k is within 5% of the closed-form bias ` +
        "‖Σ_τ* − Σ₀,k‖/‖Σ₀,k‖ (our smoothing form, see deviations).",
      paper: {
        value: "gradient flow on a smooth perturbative BW loss converges",
        source: { url: "https://arxiv.org/abs/2303.03027", where: "abstract" },
      },
      check: Object.assign((r: ResultSet) => {
        const [own, n] = worst(r, "final_rel_dist_own", "bw_smooth", { init: "balanced" });
        const rows = r.select({ metric: "final_rel_dist", method: "bw_smooth", where: { init: "balanced" } });
        let worstBias = 0, predicted = NaN;
        for (const row of rows) {
          const c = row.config as Config;
          const lam = Array.from({ length: c.d }, (_, i) => Math.pow(c.kappa, -i / (c.d - 1)));
          const bias = Math.sqrt(lam.slice(0, c.k).reduce((s, l) => s + (c.tau / l) ** 2, 0));
          predicted = bias / Math.sqrt(lam.slice(0, c.k).reduce((s, l) => s + l * l, 0));
          worstBias = Math.max(worstBias, Math.abs(row.value / predicted - 1));
        }
        return verdict(
          own < TOL && worstBias < 0.05,
          `worst distance to Σ_τ* ${fmt(own)} over ${n} runs; distance to Σ₀,k vs predicted ${fmt(predicted)}: ` +
            `worst relative deviation ${fmt(100 * worstBias)}%`,
        );
      }, { metrics: ["final_rel_dist_own", "final_rel_dist"] }),
    },
    {
      id: "same-minimizer-as-square-loss",
      kind: "sanity",
      statement: "The BW and square losses share the rank-k minimizer Σ₀,k (Eckart–Young for PSD targets), so GD " +
        `on the Frobenius loss from the same balanced init also ends within ${TOL} of Σ₀,k; a sanity check of the ` +
        "baseline, not a claim of the paper.",
      check: threshold({
        metric: "final_rel_dist",
        method: "frobenius",
        where: { init: "balanced" },
        forEach: "depth",
        below: TOL,
      }),
    },
  ],
  figures: [
    {
      id: "distance-vs-iteration",
      title: "Distance of WWᵀ to the rank-k optimum Σ₀,k vs iteration, per depth",
      mirrors: "none (theory paper); illustrates the convergence theorem",
      spec: lineChart({
        metric: "rel_dist",
        x: "step",
        xTitle: "GD step",
        logY: true,
        yTitle: "‖WWᵀ − Σ₀,k‖/‖Σ₀,k‖",
        column: "depth",
        columnTitle: "depth N",
        row: "init",
        dash: "scale",
        dashTitle: "init scale",
      }),
    },
    {
      id: "bw-gap-vs-iteration",
      title: "BW²(Σ₀, WWᵀ) − min over rank ≤ k, vs iteration",
      mirrors: "none (theory paper)",
      spec: lineChart({
        metric: "bw_gap",
        where: "datum.value > 1e-16",
        x: "step",
        xTitle: "GD step",
        logY: true,
        yTitle: "BW² gap",
        column: "depth",
        columnTitle: "depth N",
        row: "init",
        dash: "scale",
        dashTitle: "init scale",
      }),
    },
    {
      id: "steps-vs-depth",
      title: `Steps to reach distance ${TOL} of the own optimum vs depth`,
      spec: lineChart({
        metric: "steps_to_tol",
        x: "depth",
        xType: "ordinal",
        xTitle: "depth N",
        yTitle: "steps",
        zeroY: true,
        column: "init",
        dash: "scale",
        dashTitle: "init scale",
      }),
    },
  ],
  tables: [
    {
      id: "final",
      title: "Final distances, BW² gap, steps to tolerance and layer imbalance",
      metrics: ["final_rel_dist", "final_rel_dist_own", "final_bw_gap", "steps_to_tol", "final_imbalance"],
      by: ["depth", "init", "scale"],
    },
  ],
});

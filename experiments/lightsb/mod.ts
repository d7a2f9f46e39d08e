/**
 * lightsb — Korotin, Gushchin, Burnaev: "Light Schrödinger Bridge" (ICLR'24, arXiv 2310.01174; official code
 * ngushchin/LightSB). A Gaussian-mixture (sum-exp quadratic) adjusted Schrödinger potential gives the EOT/SB
 * conditional plan in closed form and a simulation-free KL objective, so the solver trains in minutes on a CPU. We
 * rebuild the Gaussian-mixture EOT benchmark of Gushchin et al. (NeurIPS'23, ngushchin/EntropicOTBenchmark) with our
 * own draws, train LightSB with the benchmark notebook's settings, and compare its cBW²₂-UVP with discrete Sinkhorn
 * EOT and the closed-form Gaussian EOT plan. Benchmark and metric in benchmark.ts, LightSB in lightsb.ts, the
 * baselines and the oracle in baselines.ts.
 */
import { z } from "zod";
import { atLeast, count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, type Measurements, reported, tol } from "../../lib/experiment.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { compare, threshold } from "../../lib/claims/mod.ts";
import {
  cbwUvp,
  drawInstance,
  gaussianEot,
  type GaussianPlan,
  gaussianPlanMoments,
  type Instance,
  sampleGmm,
  sampleMoments,
  samplePlan,
} from "./benchmark.ts";
import { type LightSb, lightSbMoments, trainLightSb } from "./lightsb.ts";
import { fitSinkhorn, oracleLightSb, type SinkhornFit, sinkhornMoments } from "./baselines.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2310.01174", where: "abstract" };
/**
 * The authors' ICLR'24 poster, "Schrödinger Bridge Benchmark" table (cBW²₂-UVP, %, mean ± std), read from a text copy
 * of the poster in the code index (file id 51821672531); the repository's own poster/LightSB_poster.pdf is over
 * 4 MiB and absent from our snapshot, so the PDF itself was not opened. Their numbers are on the benchmark's own
 * instances, ours on our draws: context, not a like-for-like comparison.
 */
const POSTER = {
  url: "https://github.com/ngushchin/LightSB/blob/main/poster/LightSB_poster.pdf",
  where: "'Schrödinger Bridge Benchmark' table, rows 'LightSB' and 'Best solver' (read from a text copy in the " +
    "code index, id 51821672531; the PDF is not in our snapshot)",
};
const POSTER_LIGHTSB: Record<number, Record<number, number>> = {
  0.1: { 2: 0.03, 16: 0.08 },
  1: { 2: 0.05, 16: 0.09 },
  10: { 2: 0.07, 16: 0.11 },
};

const config = z.object({
  d: intAtLeast(1, 2, "dimension of x and y"),
  eps: positive(1, "entropy weight ε (SB volatility); cost ½‖x − y‖²"),
  inputComponents: count(3, "components of the input GMM P₀ (our draw)"),
  potentialComponents: count(5, "components of the GMM Schrödinger potential v* that defines the true plan (our draw)"),
  meanScale: positive(2, "per-coordinate std of every component mean"),
  potentialScale: positive(
    0.5,
    "the potential's covariances are potentialScale·ε·Σ̃ (Σ̃ eigenvalues in [0.1, 1]): v* peaked at the scale of ε",
  ),
  nPool: count(
    20000,
    "unpaired training samples of P₀ and of P₁ every method sees (LightSB draws its minibatches from them)",
  ),
  nTest: count(1000, "test inputs x for cBW²₂-UVP (the benchmark: 1000)"),
  nVar: count(10000, "input draws for the normaliser tr Var(P₁)"),
  k: count(50, "LightSB mixture components K (notebook: 50)"),
  lr: atLeast(
    0,
    0,
    "LightSB Adam learning rate; 0 = the notebook's per-ε value (1e-3 at ε = 0.1, 3e-3 at ε = 1, 6e-2 at ε = 10)",
  ),
  steps: count(10000, "LightSB Adam steps (notebook: 10000)"),
  batch: count(128, "LightSB batch size for x and for y (notebook: 128)"),
  sInit: positive(1, "initial diag S (notebook: S_diagonal_init = 1.0)"),
  sinkhornN: count(1000, "samples of each side for discrete Sinkhorn EOT"),
  sinkhornIter: count(1000, "cap on Sinkhorn iterations"),
});
type Cfg = z.infer<typeof config>;

interface Data {
  inst: Instance;
  xPool: Float64Array;
  yPool: Float64Array;
}

type Output =
  | { kind: "lightsb" | "oracle"; model: LightSb }
  | { kind: "sinkhorn"; fit: SinkhornFit }
  | { kind: "gaussian"; plan: GaussianPlan }
  | { kind: "mean"; mean: Float64Array };

/** The notebook's learning rate for ε (its comment: 1e-3 for eps 0.1, 3e-3 for eps 1, 6e-2 for eps 10). */
export function notebookLr(eps: number): number {
  return eps <= 0.1 ? 1e-3 : eps <= 1 ? 3e-3 : 6e-2;
}

const SMOKE_STEPS = 300, PAPER_STEPS = 10000;
/** Training seconds: an Adam run of LightSB and a Sinkhorn solve depend on the load of this shared machine. */

export default defineExperiment({
  id: "lightsb",
  paper: {
    title: "Light Schrödinger Bridge",
    authors: "Alexander Korotin, Nikita Gushchin, Evgeny Burnaev",
    year: 2024,
    arxiv: "2310.01174",
    venue: "ICLR 2024",
    code: "ngushchin/LightSB",
  },
  summary: "LightSB parameterises the adjusted Schrödinger potential as a Gaussian mixture, which makes the EOT/SB " +
    "conditional plan closed form and the KL objective simulation-free: a light solver that trains in minutes on a " +
    "CPU and, on the Gaussian-mixture EOT benchmark, reaches a lower cBW²₂-UVP than the heavy neural solvers. We " +
    "rebuild that benchmark with our own draws (GMM input, GMM potential ⇒ known plan), train LightSB with the " +
    "notebook's settings and compare it with discrete Sinkhorn EOT and the closed-form Gaussian EOT plan.",
  config,
  scales: {
    smoke: {
      description: `d ∈ {2, 16}, ε ∈ {0.1, 10}, ${SMOKE_STEPS} LightSB steps, 2000-sample pools, 50 test inputs, ` +
        "Sinkhorn on 200 samples; 1 seed; seconds",
      seeds: 1,
      grid: { d: [2, 16], eps: [0.1, 10] },
      set: { steps: SMOKE_STEPS, nPool: 2000, nTest: 50, nVar: 2000, sinkhornN: 200, sinkhornIter: 200 },
      deviations: [`${SMOKE_STEPS} Adam steps instead of 10000: LightSB is far from converged; claims not meaningful`],
    },
    paper: {
      description: `d ∈ {2, 16} × ε ∈ {0.1, 1, 10}, K = 50, ${PAPER_STEPS} Adam steps of batch 128 (the notebook's), ` +
        "20000-sample pools, 200 test inputs, Sinkhorn on 500 + 500 samples; 3 seeds (each its own instance)",
      seeds: 3,
      grid: { d: [2, 16], eps: [0.1, 1, 10] },
      set: { steps: PAPER_STEPS, nTest: 200, sinkhornN: 500 },
      deviations: [
        "d = 64 and d = 128 dropped (time budget: a 10000-step LightSB fit takes ≈ 100 s at d = 64 on this shared " +
        "machine, ≈ 15 min for 9 runs); d ∈ {2, 16} are the paper's first two columns",
        "Sinkhorn on 500 samples per side (a 1000-sample solve took 27 s at d = 2, ε = 0.1)",
        "200 test inputs instead of the benchmark's 1000 (each has its exact conditional moments, so no sampling noise)",
      ],
    },
  },
  deviations: [
    "Our own benchmark instances: the repo's parameter files are a Google-Drive download. Drawn the same way (GMM " +
    "input, GMM potential, plan by the repo's ConditionalPlan formulas), with our sizes: 3 input and 5 potential " +
    "components, uniform weights, means N(0, 2²I), covariances QΛQᵀ with Q Haar and Λ uniform in [0.1, 1]; the " +
    "potential's covariances further scaled by 0.5·ε (see NOTES: without it the ε = 0.1 plan is a near-identity)",
    "cBW²₂-UVP from each model's exact conditional moments (LightSB's mixture, Sinkhorn's weighted cloud, the " +
    "Gaussian plan) instead of 1000 samples per test input; the same BW² formula and normaliser ½ tr Var(P₁) " +
    "(here from 10000 inputs with exact conditional moments, not the repo's saved y_var file)",
    "LightSB draws its minibatches from fixed pools of 20000 unpaired samples per side instead of fresh samples",
    "Baselines are ours, not the paper's neural solvers (not runnable here): discrete Sinkhorn EOT with the " +
    "entropic-map out-of-sample extension, and the closed-form Gaussian EOT plan between fitted Gaussians",
    "no method is tuned: LightSB uses the notebook's fixed per-ε learning rate; Sinkhorn and Gaussian EOT have no " +
    "hyper-parameter besides the sample size",
  ],
  data: (cfg: Cfg, { rng }): Data => {
    const inst = drawInstance(
      {
        d: cfg.d,
        eps: cfg.eps,
        inputComponents: cfg.inputComponents,
        potentialComponents: cfg.potentialComponents,
        meanScale: cfg.meanScale,
        eigRange: [0.1, 1],
        potentialCovScale: cfg.potentialScale * cfg.eps,
      },
      { nTest: cfg.nTest, nVar: cfg.nVar },
      rng.split("instance"),
    );
    const xPool = sampleGmm(inst.input, cfg.nPool, rng.split("xpool"));
    // y-pool from independent inputs: the methods see unpaired samples of P₁
    const yPool = samplePlan(inst.plan, sampleGmm(inst.input, cfg.nPool, rng.split("ypool-x")), rng.split("ypool"));
    return { inst, xPool, yPool };
  },
  dataKeys: [
    "d",
    "eps",
    "inputComponents",
    "potentialComponents",
    "meanScale",
    "potentialScale",
    "nPool",
    "nTest",
    "nVar",
  ],
  methods: {
    lightsb: {
      label: "LightSB (K = 50, diagonal S)",
      description: "Korotin et al. Alg. 1: Gaussian-mixture adjusted potential, KL objective by Adam, closed-form " +
        "conditional plan (ngushchin/LightSB src/light_sb.py)",
      run: (d: Data, cfg: Cfg, ctx): Output => {
        const lr = cfg.lr || notebookLr(cfg.eps);
        ctx.choose("lr", lr);
        const model = trainLightSb(
          d.xPool,
          d.yPool,
          cfg.d,
          { k: cfg.k, eps: cfg.eps, lr, steps: cfg.steps, batch: cfg.batch, sInit: cfg.sInit, logEvery: 250 },
          ctx.rng,
          (step, loss) => ctx.observe(step, { loss }),
        );
        return { kind: "lightsb", model };
      },
    },
    sinkhorn: {
      label: "Sinkhorn EOT (discrete)",
      description: "Cuturi 2013, log domain, on sinkhornN samples per side; entropic-map conditional out of sample",
      run: (d: Data, cfg: Cfg): Output => {
        const n = cfg.sinkhornN * cfg.d;
        const fit = fitSinkhorn(d.xPool.subarray(0, n), d.yPool.subarray(0, n), cfg.d, {
          eps: cfg.eps,
          maxIter: cfg.sinkhornIter,
          stopThr: 1e-6,
        });
        return { kind: "sinkhorn", fit };
      },
    },
    gaussian: {
      label: "Gaussian EOT (closed form)",
      description: "Gaussians fitted to the pools; closed-form EOT plan between them (Janati et al. 2020)",
      run: (d: Data, cfg: Cfg): Output => {
        const x = sampleMoments(d.xPool, cfg.d), y = sampleMoments(d.yPool, cfg.d);
        return { kind: "gaussian", plan: gaussianEot(x.mean, x.cov, y.mean, y.cov, cfg.eps) };
      },
    },
    mean: {
      label: "target mean (trivial)",
      description: "every x mapped to the mean of P₁, as in the benchmark notebook's calibration cell: ≈ 100 by " +
        "construction",
      run: (d: Data, cfg: Cfg): Output => ({ kind: "mean", mean: sampleMoments(d.yPool, cfg.d).mean }),
    },
    oracle: {
      label: "true potential in LightSB form",
      description: "the benchmark potential rewritten as a LightSB potential with full S (identity check)",
      run: (d: Data): Output => ({ kind: "oracle", model: oracleLightSb(d.inst.potential, d.inst.plan) }),
    },
  },
  metrics: {
    cbw_uvp: lower("cBW²₂-UVP (%)", tol.statistic()),
    oracle_cbw_uvp: lower(
      "cBW²₂-UVP (%) of the true potential in LightSB form (identity: 0 up to rounding)",
      tol.rounding(1e-9),
    ),
    loss: lower("LightSB objective L(θ) on the minibatch", tol.statistic()),
    sinkhorn_err: lower("Sinkhorn ‖rowsum(π) − a‖₁ at the end", tol.iterative(0.02)),
    sinkhorn_iters: reported("Sinkhorn iterations", tol.iterative(0.04)),
  },
  observe: (_d: Data, s: { loss: number }) => ({ loss: s.loss }),
  measure: (d: Data, out: Output): Measurements => {
    const { inst } = d, dim = inst.spec.d, x = inst.xTest;
    switch (out.kind) {
      case "lightsb":
        return { cbw_uvp: cbwUvp(inst, (t) => lightSbMoments(out.model, x, t * dim)) };
      case "oracle":
        return { oracle_cbw_uvp: cbwUvp(inst, (t) => lightSbMoments(out.model, x, t * dim)) };
      case "sinkhorn":
        return {
          cbw_uvp: cbwUvp(inst, (t) => sinkhornMoments(out.fit, x, t * dim)),
          sinkhorn_err: out.fit.err,
          sinkhorn_iters: out.fit.iterations,
        };
      case "gaussian":
        return { cbw_uvp: cbwUvp(inst, (t) => gaussianPlanMoments(out.plan, x, t * dim)) };
      case "mean":
        return { cbw_uvp: cbwUvp(inst, () => ({ mean: out.mean, cov: new Float64Array(dim * dim) })) };
    }
  },
  claims: [
    {
      id: "lightsb-accurate",
      kind: "paper",
      statement: "LightSB solves the Gaussian-mixture EOT benchmark accurately: its cBW²₂-UVP is below 1% at every " +
        "(d, ε) (mean over seeds; our bound, set before any run from the poster's largest value 0.62% at d = 128).",
      paper: {
        value: "LightSB 0.03–0.28% at d ∈ {2, 16, 64}, ε ∈ {0.1, 1, 10} (≤ 0.62% up to d = 128)",
        source: POSTER,
      },
      check: threshold({ metric: "cbw_uvp", method: "lightsb", below: 1, stat: "mean", forEach: ["d", "eps"] }),
    },
    {
      id: "beats-sinkhorn",
      kind: "paper",
      statement: "LightSB matches or beats the other EOT solvers on the benchmark; here against discrete Sinkhorn " +
        "EOT (the paper's 'simple baseline' of discrete OT): lower cBW²₂-UVP at every (d, ε), paired by seed, by " +
        "2% of Sinkhorn's value beyond 2·SE.",
      paper: { value: "best solver vs LightSB: e.g. 13.67 vs 0.08 at d = 16, ε = 0.1", source: POSTER },
      check: compare({
        metric: "cbw_uvp",
        method: "lightsb",
        baseline: "sinkhorn",
        better: "lower",
        forEach: ["d", "eps"],
      }),
    },
    {
      id: "beats-gaussian",
      kind: "paper",
      statement: "The same against the closed-form Gaussian EOT plan between fitted Gaussians: LightSB lower at " +
        "every (d, ε), paired by seed, by 2% beyond 2·SE.",
      paper: { value: "LightSB below every other solver at every (d, ε)", source: POSTER },
      check: compare({
        metric: "cbw_uvp",
        method: "lightsb",
        baseline: "gaussian",
        better: "lower",
        forEach: ["d", "eps"],
      }),
    },
    {
      id: "minutes-on-cpu",
      kind: "paper",
      statement:
        "LightSB trains in minutes on a CPU: every training run of the notebook's 10000 Adam steps (one core " +
        "of this shared 2-core machine) takes ≤ 5 min (our bound for 'a matter of minutes').",
      paper: { value: "'solving SB in moderate dimensions in a matter of minutes on CPU'", source: ABSTRACT },
      timing: true,
      check: threshold({
        metric: "time_ms",
        method: "lightsb",
        below: 5 * 60_000,
        forEach: ["d", "eps"],
      }),
    },
    {
      id: "oracle-exact",
      kind: "identity",
      statement: "The benchmark's potential rewritten in LightSB's form (α_k, r_k, full S_k from p_k, μ_k, Σ_k) " +
        "reproduces the true conditional plan: its cBW²₂-UVP is at rounding level (≤ 1e-6 %).",
      check: threshold({ metric: "oracle_cbw_uvp", method: "oracle", below: 1e-6, forEach: ["d", "eps"] }),
    },
    {
      id: "trivial-is-100",
      kind: "sanity",
      statement: "Mapping every x to the target mean scores ≈ 100 by construction of the normaliser (the benchmark " +
        "notebook's calibration gives 99.77): between 90 and 110 in every run.",
      check: threshold({ metric: "cbw_uvp", method: "mean", below: 110, above: 90, forEach: ["d", "eps"] }),
    },
  ],
  figures: [
    {
      id: "cbw-vs-d",
      title: "cBW²₂-UVP (%) vs dimension, per ε",
      mirrors: "the paper's EOT-benchmark table (cBW²₂-UVP per d and ε)",
      caption:
        "Mean over seeds; columns: ε. 'Target mean' is the ≈ 100 calibration (the oracle's ≈ 0 is its own metric).",
      spec: lineChart({ metric: "cbw_uvp", x: "d", xTitle: "d", yTitle: "cBW²₂-UVP (%)", logY: true, column: "eps" }),
    },
    {
      id: "lightsb-loss",
      title: "LightSB objective during training",
      caption: "Minibatch L(θ) every 250 steps; rows: d, columns: ε.",
      spec: lineChart({ metric: "loss", x: "step", xTitle: "Adam step", yTitle: "L(θ)", row: "d", column: "eps" }),
    },
  ],
  tables: [
    {
      id: "benchmark",
      title: "cBW²₂-UVP (%) and fit time per method, d and ε",
      mirrors: "the paper's EOT-benchmark table",
      metrics: ["cbw_uvp", "time_ms"],
      by: ["d", "eps"],
    },
  ],
  paperNumbers: [
    ...Object.entries(POSTER_LIGHTSB).flatMap(([eps, byD]) =>
      Object.entries(byD).map(([d, value]) => ({
        method: "lightsb",
        metric: "cbw_uvp",
        value,
        where: { d: Number(d), eps: Number(eps) },
        source: POSTER,
      }))
    ),
  ],
});

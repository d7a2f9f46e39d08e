/**
 * sinkformers — Sander, Ablin, Blondel & Peyré: "Sinkformers: Transformers with Doubly Stochastic Attention"
 * (AISTATS 2022, arXiv 2110.11773; code michaelsdr/sinkformers). Softmax attention is row-stochastic; a Sinkformer
 * replaces it by n_it log-domain Sinkhorn steps on QKᵀ/√d (row step first, so n_it = 1 is softmax), making the
 * attention doubly stochastic. The paper claims this raises accuracy (vision and NLP), and that a softmax
 * Transformer's attention drifts toward doubly stochastic as training proceeds.
 *
 * Here: the official MNIST model (`vit-pytorch/one_expe_mnist.py`: a one-layer, one-head ViT with patch 7, dim 128,
 * attention only, Adam, batch 100, lr ÷10 twice near the end) trained with softmax (n_it = 1) and Sinkhorn
 * (n_it = 3, 5) on the packaged 10k digits with one budget; test accuracy per n_it over seeds, and the column-sum
 * deviation of the attention matrices at init and after each epoch. Model and training: vit.ts; layers:
 * lib/math/nn/attention.ts.
 */
import { z } from "zod";
import { count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported, sameGrid, timing, tol } from "../../lib/experiment.ts";
import { compare, threshold } from "../../lib/claims/mod.ts";
import { barChart, lineChart } from "../../lib/figures/mod.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import { type Data, normalisedSplit, trainVit, type VitRun } from "./vit.ts";

const config = z.object({
  nTrain: count(8000, "training digits (the first of the packaged 10k, canonical order)"),
  nTest: count(2000, "test digits (the next ones)"),
  patch: intAtLeast(1, 7, "patch side (28 must be a multiple): 7 gives 16 patches + the class token"),
  dim: count(128, "token width (official dim = 128)"),
  dimHead: count(64, "query/key/value width of the single head (vit-pytorch's default dim_head = 64)"),
  epochs: count(24, "training epochs; the lr is divided by 10 before epochs round(E·34/45) and round(E·40/45)"),
  batch: count(100, "minibatch size (official 100)"),
  lr: positive(1e-3, "Adam step, the same for every n_it"),
});
type Config = z.infer<typeof config>;

/** The official schedule (÷10 before the 35th and the 41st of 45 epochs) scaled to `epochs`, 0-based. */
export const decayEpochs = (
  epochs: number,
): number[] => [Math.round((epochs * 34) / 45), Math.round((epochs * 40) / 45)];

const ABSTRACT = {
  url: "https://arxiv.org/abs/2110.11773",
  where: "abstract: 'We show that the row-wise stochastic attention matrices in classical Transformers get close to " +
    "doubly stochastic matrices as the number of epochs increases … we show that Sinkformers enhance model " +
    "accuracy in vision and natural language processing tasks'",
};
const MNIST_CODE = {
  url: "https://github.com/michaelsdr/sinkformers/blob/main/vit-pytorch/plot_results_mnist.py",
  where: "vit-pytorch/plot_results_mnist.py and run_expe_mnist.py: Transformer (n_it = 1) vs Sinkformer " +
    "(n_it = 5) test accuracy per patch size, 5 seeds; the figure's numbers are not in the repository",
};

const run = (nIt: number) => (d: Data, cfg: Config, ctx: { rng: import("../../lib/math/rng.ts").Rng }): VitRun =>
  trainVit(d, { patch: cfg.patch, dim: cfg.dim, dimHead: cfg.dimHead, nIt }, {
    epochs: cfg.epochs,
    batch: cfg.batch,
    lr: cfg.lr,
    decayAt: decayEpochs(cfg.epochs),
  }, ctx.rng);

export default defineExperiment({
  id: "sinkformers",
  paper: {
    title: "Sinkformers: Transformers with Doubly Stochastic Attention",
    authors: "Michael E. Sander, Pierre Ablin, Mathieu Blondel, Gabriel Peyré",
    year: 2022,
    arxiv: "2110.11773",
    code: "michaelsdr/sinkformers",
    venue: "AISTATS 2022",
  },
  summary: "Sinkformers replace the row softmax of attention by Sinkhorn's alternating row/column normalisation " +
    "(n_it steps, n_it = 1 being softmax), so attention becomes doubly stochastic; the paper reports higher " +
    "accuracy and that softmax attention itself drifts toward doubly stochastic in training. We train the " +
    "official one-layer MNIST ViT with n_it = 1, 3, 5 under one budget on the packaged 10k digits and compare " +
    "test accuracy over seeds, and track the column sums of the softmax model's attention from init to the end.",
  config,
  scales: {
    smoke: {
      description: "600 training / 200 test digits, 2 epochs, 2 seeds",
      seeds: 2,
      set: { nTrain: 600, nTest: 200, epochs: 2 },
      deviations: ["tiny data and training: claims are shown, not meaningful"],
    },
    paper: {
      description: "official model (patch 7, dim 128, one head, attention only), 8000 training / 2000 test digits " +
        "of the packaged 10k, 24 epochs (lr ÷10 before epochs 18 and 21), Adam 1e-3, batch 100; n_it ∈ {1, 3, 5}; " +
        "3 seeds",
      seeds: 3,
      deviations: [
        "8000 of the packaged 10k MNIST digits for training and 2000 for testing, not the 60k/10k MNIST split",
        "24 epochs (1,920 Adam steps) instead of 45 epochs of 600 steps (27,000 steps): the ÷10 steps of the " +
        "official schedule are moved to the same fractions of the run (epochs 18 and 21, 0-based); accuracy is " +
        "therefore below the paper's (it is a fixed, equal budget for every n_it) — the 6-minute budget of " +
        "this shared 2-core machine sets it (~10–15 ms per step)",
        "Changed after seeing a result: the first paper-scale verdict (not committed) trained 12 epochs (÷10 before " +
        "epochs 9 and 11); its runs took 11–17 s each, well inside the budget, so the run was doubled toward the " +
        "official length. It gave test accuracy softmax 0.799, n_it = 3 0.877, n_it = 5 0.882 (Sinkformer-5 vs " +
        "Transformer +0.083 ± 0.011, pass) and softmax col_dev_ratio worst 1.90 (init 0.047–0.071 → end " +
        "0.080–0.111, fail); nothing else changed",
        "patch size 7 only (the paper's figure sweeps 1, 2, 4, 7, 14, 28); n_it = 3 added beside the figure's 1 and 5",
        "3 seeds (the official plot: 5)",
      ],
    },
  },
  deviations: [
    "One Adam step 1e-3 for every n_it, fixed before any run: one_expe_mnist.py defaults to 5e-4, and the " +
    "official launch script run_expe_mnist.py gives the Transformer 1e-3 and the Sinkformer 2e-3; no step is tuned",
    "Test accuracy is the last epoch's; the official plot takes each run's best epoch on the test set and drops " +
    "runs that never exceed 80%",
    "float32 training (as PyTorch); PyTorch's default initialisations (linear U(±1/√fan_in), class token and " +
    "positions N(0, 1)) with our own random streams; the Sinkhorn iterations are the official ones in the " +
    "equivalent normalised form (log A rows then columns; the official dual potentials with marginals 1/T and the " +
    "×T rescaling give the same matrix); the official early break when the row potential moves < 1e-12 is not " +
    "reproduced (it cannot trigger in a few steps)",
    "The drift measure is ours: mean over test images and columns of |Σ_i A_ij − 1| (the paper shows histograms " +
    "of column sums; its figure was not read)",
  ],
  data: async (cfg): Promise<Data> => {
    const m = await loadMnist(cfg.nTrain + cfg.nTest);
    return {
      train: normalisedSplit(m.images, m.labels, 0, cfg.nTrain),
      test: normalisedSplit(m.images, m.labels, cfg.nTrain, cfg.nTest),
    };
  },
  dataKeys: ["nTrain", "nTest"],
  methods: {
    softmax: {
      label: "Transformer (softmax, n_it = 1)",
      description: "row softmax attention: one Sinkhorn row step (official max_iter = 1)",
      run: run(1),
    },
    sinkhorn3: {
      label: "Sinkformer (n_it = 3)",
      description: "Sinkhorn attention, row/column/row log-normalisation (paper §3)",
      run: run(3),
    },
    sinkhorn5: {
      label: "Sinkformer (n_it = 5)",
      description: "Sinkhorn attention with 5 steps, the official MNIST Sinkformer (run_expe_mnist.py)",
      run: run(5),
    },
  },
  tuning: {
    rule: "none: every n_it trains with the same fixed settings chosen before any run",
    budget: "one training run per seed and n_it",
    grids: sameGrid(["softmax", "sinkhorn3", "sinkhorn5"], "Adam lr 1e-3 fixed"),
  },
  metrics: {
    test_acc: higher("test accuracy after the last epoch", tol.statistic()),
    col_dev_init: reported("column-sum deviation mean|Σ_i A_ij − 1| at init (test images)", tol.stable(1e-4)),
    col_dev: lower("column-sum deviation after training", tol.statistic()),
    col_dev_ratio: lower("column-sum deviation after training / at init", tol.statistic()),
    col_dev_vs_epoch1: lower("column-sum deviation after training / after the first epoch", tol.statistic()),
    acc_curve: higher("test accuracy per epoch (step 0: init)", tol.statistic()),
    col_dev_curve: reported("column-sum deviation per epoch (step 0: init)", tol.statistic()),
    row_sum_err: lower("largest |Σ_j A_ij − 1| of the trained attention (50 test images)", tol.rounding(1e-5)),
    limit_col_dev: lower(
      "column-sum deviation after 1001 more Sinkhorn steps on the trained attention",
      tol.rounding(1e-6),
    ),
    ms_per_step: timing("milliseconds per training step", "ms"),
  },
  measure: (_d, r: VitRun) => ({
    test_acc: r.testAcc,
    col_dev_init: r.colDevInit,
    col_dev: r.colDev,
    col_dev_ratio: r.colDev / r.colDevInit,
    col_dev_vs_epoch1: r.colDev / r.colDevCurve[1],
    acc_curve: r.accCurve,
    col_dev_curve: r.colDevCurve,
    row_sum_err: r.rowSumErr,
    limit_col_dev: r.limitColDev,
    ms_per_step: r.msPerStep,
  }),
  claims: [
    {
      id: "sinkformer-more-accurate",
      kind: "paper",
      statement: "The Sinkformer (n_it = 5) reaches a higher MNIST test accuracy than the Transformer (n_it = 1) " +
        "with the same model, data and training: paired by seed, its mean advantage less 2·SE exceeds 0.2 " +
        "accuracy points.",
      paper: {
        value: "Sinkformer above Transformer at patch 7 (figure; no number in the repository)",
        source: MNIST_CODE,
      },
      check: compare({
        metric: "test_acc",
        method: "sinkhorn5",
        baseline: "softmax",
        better: "higher",
        margin: { abs: 0.002 },
      }),
    },
    {
      id: "softmax-drifts-doubly-stochastic",
      kind: "paper",
      statement: "The softmax Transformer's attention gets closer to doubly stochastic during training: in every " +
        "seed the column-sum deviation after training is at most 0.9 × its value at init.",
      paper: { value: "'get close to doubly stochastic matrices as the number of epochs increases'", source: ABSTRACT },
      check: threshold({ metric: "col_dev_ratio", method: "softmax", below: 0.9 }),
    },
    {
      id: "softmax-drift-after-first-epoch",
      kind: "sanity",
      statement: "Ours, added after seeing the first paper-scale curves (the softmax deviation jumps in the first " +
        "epoch, when attention sharpens from near-uniform, then falls): in every seed the softmax column-sum " +
        "deviation at the end is at most 0.9 × its value after the first epoch.",
      check: threshold({ metric: "col_dev_vs_epoch1", method: "softmax", below: 0.9 }),
    },
    {
      id: "sinkformer3-more-accurate",
      kind: "sanity",
      statement: "Ours: the n_it = 3 Sinkformer also beats the Transformer by 0.2 accuracy points beyond 2·SE.",
      check: compare({
        metric: "test_acc",
        method: "sinkhorn3",
        baseline: "softmax",
        better: "higher",
        margin: { abs: 0.002 },
      }),
    },
    {
      id: "rows-stochastic",
      kind: "identity",
      statement: "After an odd number of Sinkhorn steps (softmax included) every attention row sums to 1 (float32: " +
        "|Σ_j A_ij − 1| ≤ 1e-5).",
      check: threshold({ metric: "row_sum_err", method: ["softmax", "sinkhorn3", "sinkhorn5"], below: 1e-5 }),
    },
    {
      id: "sinkhorn-limit-doubly-stochastic",
      kind: "identity",
      statement: "Continuing Sinkhorn for 1001 steps from any trained attention gives a doubly stochastic matrix: " +
        "column-sum deviation ≤ 1e-6.",
      check: threshold({ metric: "limit_col_dev", method: ["softmax", "sinkhorn3", "sinkhorn5"], below: 1e-6 }),
    },
    {
      id: "nets-learn",
      kind: "sanity",
      statement: "Every net learns: test accuracy ≥ 0.7 in every run at paper scale.",
      scales: ["paper"],
      check: threshold({ metric: "test_acc", method: ["softmax", "sinkhorn3", "sinkhorn5"], above: 0.7 }),
    },
  ],
  figures: [
    {
      id: "accuracy-curve",
      title: "Test accuracy per epoch (0: init), mean ± SE over seeds",
      mirrors: "the MNIST accuracy comparison (plot_results_mnist.py), at patch 7, over epochs",
      spec: lineChart({ metric: "acc_curve", x: "step", xTitle: "epoch", yTitle: "test accuracy" }),
    },
    {
      id: "column-sum-drift",
      title: "Column-sum deviation of the attention matrices per epoch (0: init)",
      mirrors: "the paper's column-sum histograms at init and after training (Transformer)",
      spec: lineChart({ metric: "col_dev_curve", x: "step", xTitle: "epoch", yTitle: "mean |Σ_i A_ij − 1|" }),
    },
    {
      id: "final-accuracy",
      title: "Final test accuracy per n_it",
      spec: barChart({ metric: "test_acc", yTitle: "test accuracy" }),
    },
  ],
  tables: [{
    id: "summary",
    title: "Accuracy and attention drift per n_it",
    mirrors: "MNIST patch-7 point of the official figure",
    metrics: ["test_acc", "col_dev_init", "col_dev", "col_dev_ratio", "ms_per_step"],
  }],
});

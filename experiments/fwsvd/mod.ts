/**
 * Language model compression with weighted low-rank factorization (Hsu, Hua, Chang, Lou, Shen & Jin, ICLR 2022):
 * Fisher-weighted SVD (FWSVD). Plain SVD minimises ‖W − Ŵ‖_F, which ignores how much each parameter matters to
 * the task; FWSVD weighs each row of W by its Fisher information (the mean squared gradient of the task loss,
 * summed over the row) and truncates diag(√I)·W instead, then undoes the weighting.
 *
 * Proxy here: a 784-256-256-10 ReLU MLP trained on a Fashion-MNIST subset; every weight matrix but the head is
 * replaced by a rank-r factorisation from plain SVD or FWSVD (per-example Fisher; a minibatch-gradient variant as
 * an ablation), with and without a short fine-tune; we report test accuracy and the relative reconstruction error.
 * Algorithms: experiments/fwsvd/fwsvd.ts on lib/math/nn/factorized.ts.
 */
import { z } from "zod";
import { count, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, sameGrid, tol } from "../../lib/experiment.ts";
import { allOf, compare, threshold } from "../../lib/claims/mod.ts";
import { barChart } from "../../lib/figures/mod.ts";
import { loadFashionMnist } from "../../datasets/fashion-mnist.ts";
import { Rng } from "../../lib/math/rng.ts";
import type { FactorNet } from "../../lib/math/nn/factorized.ts";
import {
  colFisher,
  compress,
  type Data,
  type FisherKind,
  rowFisher,
  sgd,
  split,
  storedParams,
  trainBase,
} from "./fwsvd.ts";
import { accuracy } from "../../lib/math/nn/labelled.ts";
import { cloneNet } from "../../lib/math/nn/factor_train.ts";

const config = z.object({
  nTrain: count(12000, "training images (first of Fashion-MNIST's train split)"),
  nVal: count(2000, "validation images (the next ones; fine-tune lr choice)"),
  nTest: count(5000, "test images (first of the test split)"),
  hidden: count(256, "width of each hidden layer"),
  depth: count(2, "hidden layers"),
  epochs: count(15, "SGD epochs of the dense task model"),
  batch: count(64, "minibatch size (training and fine-tuning)"),
  lr: positive(0.1, "SGD step of the dense task model"),
  rank: count(16, "rank r of every compressed matrix (all but the head)"),
  nFisher: count(4000, "training samples the Fisher information is averaged over"),
  fisherBatch: count(32, "minibatch size of the batch-gradient Fisher variant"),
  ftEpochs: count(1, "fine-tuning epochs after compression"),
  ftLr: positive(0.01, "centre of the fine-tuning step grid (× ⅓, 1, 3)"),
});
type Config = z.infer<typeof config>;

const FT_MULTS = [1 / 3, 1, 3];

interface Out {
  net: FactorNet;
  recon: number;
}

/** The dense task model and its row Fisher of one (data, base config, seed), computed once per process. */
const memo = new WeakMap<Data, Map<string, { net: FactorNet; fisher: Partial<Record<FisherKind, Float64Array[]>> }>>();
function base(d: Data, cfg: Config, seed: number) {
  const key = JSON.stringify([cfg.hidden, cfg.depth, cfg.epochs, cfg.batch, cfg.lr, seed]);
  const m = memo.get(d) ?? memo.set(d, new Map()).get(d)!;
  if (!m.has(key)) m.set(key, { net: trainBase(d, cfg, Rng.fromSeed(seed).split("fwsvd-base")), fisher: {} });
  return m.get(key)!;
}
function fisherOf(d: Data, cfg: Config, seed: number, kind: FisherKind): Float64Array[] {
  const b = base(d, cfg, seed);
  return (b.fisher[kind] ??= rowFisher(
    b.net,
    d.xTrain,
    d.yTrain,
    Math.min(cfg.nFisher, d.xTrain.rows),
    kind,
    cfg.fisherBatch,
  ));
}

const colMemo = new WeakMap<FactorNet, Float64Array[]>();
function compressed(d: Data, cfg: Config, seed: number, fisher: FisherKind | "col" | null): Out {
  const b = base(d, cfg, seed);
  if (fisher === "col") {
    const f = colMemo.get(b.net) ??
      colMemo.set(b.net, colFisher(b.net, d.xTrain, d.yTrain, Math.min(cfg.nFisher, d.xTrain.rows))).get(b.net)!;
    return compress(b.net, cfg.rank, f, "col");
  }
  return compress(b.net, cfg.rank, fisher ? fisherOf(d, cfg, seed, fisher) : null);
}

/** Fine-tune from the compressed point at each step of the grid; keep the best on validation (tuning rule). */
function fineTuned(
  d: Data,
  cfg: Config,
  ctx: { seed: number; choose: (n: string, v: number) => void },
  fisher: FisherKind | null,
): Out {
  const start = compressed(d, cfg, ctx.seed, fisher);
  let best: { net: FactorNet; val: number; lr: number } | null = null;
  for (const mult of FT_MULTS) {
    const lr = cfg.ftLr * mult, net = cloneNet(start.net);
    let val = -Infinity;
    try {
      sgd(net, d.xTrain, d.yTrain, {
        epochs: cfg.ftEpochs,
        batch: cfg.batch,
        lr,
        rng: Rng.fromSeed(ctx.seed).split("ft"),
      });
      val = accuracy(net, { x: d.xVal, y: d.yVal });
    } catch (e) {
      // A step that diverges (non-finite weights) is a failed candidate, not a failed run.
      if (!/non-finite/.test(String(e))) throw e;
    }
    if (!best || val > best.val) best = { net, val, lr };
  }
  if (!Number.isFinite(best!.val)) throw new Error("fwsvd: every fine-tuning step diverged");
  ctx.choose("ftLr", best!.lr);
  return { net: best!.net, recon: start.recon };
}

const ABSTRACT = {
  url: "https://arxiv.org/abs/2207.00112",
  where: "abstract: 'Although the factorized matrices from our approach do not result in smaller reconstruction " +
    "errors, we find that our resulting task accuracy is much closer to the original model's performance.'",
};

export default defineExperiment({
  id: "fwsvd",
  paper: {
    title: "Language model compression with weighted low-rank factorization",
    authors: "Yen-Chang Hsu, Ting Hua, Sungen Chang, Qian Lou, Yilin Shen, Hongxia Jin",
    year: 2022,
    arxiv: "2207.00112",
    venue: "ICLR 2022",
  },
  summary: "Fisher-weighted SVD (FWSVD) truncates diag(√I)·W, I the row-wise Fisher information, instead of W. The " +
    "paper claims it keeps much more task accuracy than plain SVD at the same rank although its reconstruction " +
    "error is larger. We compress a Fashion-MNIST MLP at ranks 8, 16 and 32 with SVD and FWSVD, with and without " +
    "a short fine-tune (step chosen on validation, same grid for both), and report test accuracy and ‖W − Ŵ‖/‖W‖.",
  config,
  scales: {
    smoke: {
      description: "1500 training / 300 validation / 500 test images, 784-32-32-10, rank 4, 2 epochs, 2 seeds",
      seeds: 2,
      set: { nTrain: 1500, nVal: 300, nTest: 500, hidden: 32, epochs: 2, rank: 4, nFisher: 500 },
      deviations: ["a much smaller net and data: claims are shown, not meaningful"],
    },
    paper: {
      description: "784-256-256-10 MLP, 12000 training / 2000 validation / 5000 test Fashion-MNIST images, " +
        "15 epochs, ranks 8, 16, 32, 3 seeds",
      seeds: 3,
      grid: { rank: [8, 16, 32] },
      deviations: [
        "an MLP on Fashion-MNIST instead of BERT/DistilBERT on GLUE and CoNLL (the paper's Table 1): the " +
        "mechanism (Fisher-weighted truncation of trained weight matrices) is tested, not the language tasks",
        "12000 of the 60000 training images, 5000 of the 10000 test images; 3 seeds",
        "every matrix but the 256→10 head compressed at one rank (the paper compresses the transformer's linear " +
        "layers at a chosen parameter-reduction ratio)",
      ],
    },
  },
  deviations: [
    "The Fisher rows are W's rows with W stored out × in (one weight per output neuron), I_i = Σ_j mean_d " +
    "(∂L_d/∂W_ij)², from per-example gradients of the first nFisher training samples (exact, as δ_di²‖x_d‖²); " +
    "zero-Fisher rows are floored at 1e-12·max I so diag(√I) is invertible",
    "fwsvd_batch (our ablation): the same with squared gradients of 32-sample minibatch means; fwsvd_col (our " +
    "ablation): the weighting put on W's columns (input side) instead, J_j = mean_d x_dj²‖δ_d‖²",
    "A fine-tuning candidate whose weights become non-finite counts as validation accuracy −∞ (first seen at " +
    "rank 32, FWSVD, step 0.09: the FWSVD factor D⁻¹U_rΣ_r has large rows where the Fisher is small)",
    "Fine-tuning: 1 epoch of plain SGD on all parameters of the compressed net (factors, biases, head), step " +
    "chosen from ftLr × {⅓, 1, 3} by validation accuracy (paper: fine-tuning on the task's training set, " +
    "details in their appendix, not read)",
    "The dense task model: plain SGD at lr 0.1, batch 64, 15 epochs, PyTorch-default init, float64",
    "Changed after seeing a result: the first paper-scale verdict (committed) trained the dense model for 6 " +
    "epochs (test accuracy 78.2–83.8%, under-trained: every fine-tuned net beat it) with the fine-tune grid " +
    "0.03 × {⅓, 1, 3} (all but 2 of 18 choices at the lower edge 0.01); it gave FWSVD − SVD = −3.3 / −0.6 / −0.8 " +
    "points at r = 8 / 16 / 32 without fine-tuning and −0.4 / −0.6 / −0.2 with it (0 of 3 paper claims). The dense " +
    "model now trains 15 epochs and the grid is 0.01 × {⅓, 1, 3}",
    "lord (LoRD, Kaushal et al. 2023) is not folded in as a method row: its abstract only says 'low rank " +
    "decomposition' of the linear layers, which is the plain-SVD row here; its exact decomposition could not be " +
    "read from the sources available",
    "No official FWSVD code was read (papers.md lists none); the method follows the paper's definition",
  ],
  data: async (cfg) =>
    split(
      await loadFashionMnist({ split: "train", n: cfg.nTrain + cfg.nVal }),
      await loadFashionMnist({ split: "test", n: cfg.nTest }),
      cfg.nTrain,
      cfg.nVal,
      cfg.nTest,
    ),
  dataKeys: ["nTrain", "nVal", "nTest"],
  methods: {
    dense: {
      label: "uncompressed",
      description: "the trained dense MLP (the model every other row compresses)",
      run: (d: Data, cfg: Config, ctx): Out => ({ net: base(d, cfg, ctx.seed).net, recon: 0 }),
    },
    svd: {
      label: "SVD",
      description: "truncated SVD of each matrix at rank r (Eckart–Young; paper's SVD baseline), no fine-tune",
      run: (d: Data, cfg: Config, ctx): Out => compressed(d, cfg, ctx.seed, null),
    },
    fwsvd: {
      label: "FWSVD",
      description: "D⁻¹·trunc_r(D·W), D = diag(√I), I the row-wise Fisher from per-example gradients (paper §3), " +
        "no fine-tune",
      run: (d: Data, cfg: Config, ctx): Out => compressed(d, cfg, ctx.seed, "example"),
    },
    fwsvd_batch: {
      label: "FWSVD (batch Fisher)",
      description: "FWSVD with the Fisher from squared minibatch-mean gradients (our ablation), no fine-tune",
      run: (d: Data, cfg: Config, ctx): Out => compressed(d, cfg, ctx.seed, "batch"),
    },
    fwsvd_col: {
      label: "FWSVD (input-side Fisher)",
      description: "our ablation, not the paper's definition: W·D_c truncated, D_c = diag(√J), J the column-wise " +
        "(input-side) Fisher from per-example gradients; no fine-tune",
      run: (d: Data, cfg: Config, ctx): Out => compressed(d, cfg, ctx.seed, "col"),
    },
    svd_ft: {
      label: "SVD + fine-tune",
      description: "SVD, then 1 epoch of SGD on the factorised net (step tuned on validation)",
      run: (d: Data, cfg: Config, ctx): Out => fineTuned(d, cfg, ctx, null),
    },
    fwsvd_ft: {
      label: "FWSVD + fine-tune",
      description: "FWSVD, then 1 epoch of SGD on the factorised net (step tuned on validation)",
      run: (d: Data, cfg: Config, ctx): Out => fineTuned(d, cfg, ctx, "example"),
    },
  },
  tuning: {
    rule: "highest validation accuracy (nVal held-out training images, never the test images) after the " +
      "fine-tune; the chosen candidate's net is the result",
    budget: "3 fine-tuning steps per method, one fine-tune each, from the same compressed start and data order; " +
      "compression itself has no free parameter (rank fixed by the grid)",
    grids: sameGrid(["svd_ft", "fwsvd_ft"], "ftLr × {⅓, 1, 3} (ftLr 0.01)"),
  },
  metrics: {
    test_acc: higher("test accuracy", tol.statistic()),
    recon_err: lower("relative reconstruction error √(Σ‖W − Ŵ‖²/Σ‖W‖²) over the compressed matrices", tol.statistic()),
    params: lower("weights kept for inference (biases excluded)", tol.statistic()),
  },
  measure: (d: Data, out: Out) => ({
    test_acc: accuracy(out.net, { x: d.xTest, y: d.yTest }),
    recon_err: out.recon,
    params: storedParams(out.net),
  }),
  claims: [
    {
      id: "fwsvd-keeps-more-accuracy",
      kind: "paper",
      statement: "Without fine-tuning, FWSVD's compressed net has a higher test accuracy than plain SVD's at the " +
        "same rank, by more than 1 point beyond 2·SE, at every rank swept.",
      paper: {
        value: "'task accuracy much closer to the original model's performance' (no number read)",
        source: ABSTRACT,
      },
      check: compare({
        metric: "test_acc",
        method: "fwsvd",
        baseline: "svd",
        better: "higher",
        margin: { abs: 0.01 },
        forEach: "rank",
      }),
    },
    {
      id: "fwsvd-larger-recon-error",
      kind: "paper",
      statement: "FWSVD's reconstruction error is larger than SVD's at every rank (it must be: SVD is the " +
        "Frobenius-optimal rank-r approximation), by more than 2% of SVD's beyond 2·SE.",
      paper: { value: "'do not result in smaller reconstruction errors'", source: ABSTRACT },
      check: compare({ metric: "recon_err", method: "fwsvd", baseline: "svd", better: "higher", forEach: "rank" }),
    },
    {
      id: "fwsvd-better-after-finetune",
      kind: "paper",
      statement: "After the same short fine-tune (same step grid and selection rule), FWSVD still beats SVD in test " +
        "accuracy by more than 0.5 point beyond 2·SE, at every rank swept.",
      paper: {
        value: "FWSVD with fine-tuning above SVD with fine-tuning (Table 1, numbers not read)",
        source: ABSTRACT,
      },
      check: compare({
        metric: "test_acc",
        method: "fwsvd_ft",
        baseline: "svd_ft",
        better: "higher",
        margin: { abs: 0.005 },
        forEach: "rank",
      }),
    },
    {
      id: "finetune-recovers",
      kind: "sanity",
      statement:
        "Fine-tuning helps both: svd_ft > svd and fwsvd_ft > fwsvd in test accuracy (default margin) at rank 8.",
      scales: ["paper"],
      check: allOf(
        compare({ metric: "test_acc", method: "svd_ft", baseline: "svd", better: "higher", where: { rank: 8 } }),
        compare({ metric: "test_acc", method: "fwsvd_ft", baseline: "fwsvd", better: "higher", where: { rank: 8 } }),
      ),
    },
    {
      id: "dense-trains",
      kind: "sanity",
      statement: "The uncompressed MLP learns Fashion-MNIST: test accuracy ≥ 0.84 in every run at paper scale.",
      scales: ["paper"],
      check: threshold({ metric: "test_acc", method: "dense", above: 0.84 }),
    },
  ],
  figures: [
    {
      id: "accuracy",
      title: "Test accuracy per method and rank",
      mirrors: "Table 1 (accuracy of SVD vs FWSVD with and without fine-tuning), on an MLP",
      spec: barChart({ metric: "test_acc", yTitle: "test accuracy" }),
    },
    {
      id: "recon",
      title: "Relative reconstruction error per method and rank",
      mirrors: "the paper's observation that FWSVD reconstructs W less well",
      spec: barChart({ metric: "recon_err", yTitle: "‖W − Ŵ‖ / ‖W‖" }),
    },
  ],
  tables: [{
    id: "summary",
    title: "Accuracy and reconstruction error at equal rank",
    mirrors: "Table 1",
    metrics: ["test_acc", "recon_err", "params"],
  }],
});

/**
 * Stepsize anything: A unified learning rate schedule for budgeted-iteration training (Anda Tang, Yiming Dong,
 * Yutao Zeng, Xun Zhou, Zhouchen Lin, NeurIPS 2025): the module's declaration. The Unified Budget-Aware (UBA)
 * schedule, η_t = η·2c/(2φ + (2 − φ)c) with c = 1 + cos(πt/T), is claimed to beat the common schedules under fixed
 * iteration budgets. We train a small MLP on Fashion-MNIST at three budgets, tune every schedule's peak rate on
 * the same grid by validation accuracy, and compare test accuracy paired by seed. Schedules in schedules.ts,
 * budgeted training and tuning in train.ts.
 */
import { z } from "zod";
import { atLeast, between, count, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported, tol } from "../../lib/experiment.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { bestOf, threshold, verdict } from "../../lib/claims/mod.ts";
import { loadFashionMnist } from "../../datasets/fashion-mnist.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { type Kind, multiplier, schedule, SCHEDULES, uba } from "./schedules.ts";
import { accuracyOn, type Data, tunePeak } from "./train.ts";
import { resample } from "../../lib/math/nn/schedules.ts";

const config = z.object({
  budget: count(600, "iteration budget T (SGD steps)"),
  phi: positive(0.5, "UBA's φ (fixed before any run; see deviations)"),
  hidden: count(128, "hidden width of the one-hidden-layer ReLU MLP"),
  batch: count(64, "minibatch size"),
  momentum: between(0, 1, 0.9, "SGD (heavy-ball, PyTorch form) momentum"),
  weightDecay: atLeast(0, 5e-4, "L2 weight decay"),
  lrMin: positive(0.01, "smallest peak learning rate of the tuning grid"),
  lrFactor: z.number().gt(1).default(3).describe("ratio between neighbouring grid values"),
  lrPoints: count(4, "grid size: lrMin·lrFactor^k, k < lrPoints"),
  nTrain: count(10000, "training images (Fashion-MNIST train, first n)"),
  nVal: count(2000, "validation images (the next ones) for tuning"),
  nTest: count(5000, "test images (Fashion-MNIST test split, first n)"),
});
type Config = z.infer<typeof config>;

interface Output {
  acc: number;
  valAcc: number;
  trainLoss: number;
  lr: number;
  sched: Float64Array;
}

/** Float32 training amplifies last-bit differences between BLAS kernels: trained-net metrics are statistics. */
const OTHERS = SCHEDULES.filter((s) => s !== "uba");
/** A win needs test accuracy higher by 0.2 percentage points beyond 2·SE (fixed before the first run). */
const WIN = { abs: 0.002 };
const ABSTRACT = { url: "https://arxiv.org/abs/2505.24452", where: "abstract" };

export const lrGrid = (cfg: Config): number[] =>
  Array.from({ length: cfg.lrPoints }, (_, k) => cfg.lrMin * cfg.lrFactor ** k);

function method(kind: Kind, label: string, description: string) {
  return {
    label,
    description,
    run: (
      d: Data,
      cfg: Config,
      ctx: { rng: import("../../lib/math/rng.ts").Rng; choose(n: string, v: number): void },
    ) => {
      const sched = schedule(kind, cfg.budget, { phi: cfg.phi });
      const t = tunePeak(d, sched, lrGrid(cfg), {
        widths: [784, cfg.hidden, 10],
        batch: cfg.batch,
        momentum: cfg.momentum,
        weightDecay: cfg.weightDecay,
      }, ctx.rng);
      ctx.choose("lr", t.lr);
      return { acc: accuracyOn(t.net, d.test), valAcc: t.valAcc, trainLoss: t.trainLoss, lr: t.lr, sched };
    },
  };
}

/** Largest |UBA(φ = 2) − cosine| over the steps of a budget: zero up to rounding (identity). */
export function phi2CosineGap(T: number): number {
  let g = 0;
  for (let t = 0; t <= T; t++) g = Math.max(g, Math.abs(uba(t / T, 2) - multiplier("cosine", t, T)));
  return g;
}

export default defineExperiment({
  id: "uba-schedule",
  paper: {
    title: "Stepsize anything: A unified learning rate schedule for budgeted-iteration training",
    authors: "Anda Tang, Yiming Dong, Yutao Zeng, Xun Zhou, Zhouchen Lin",
    year: 2025,
    arxiv: "2505.24452",
  },
  summary: "UBA, a learning-rate schedule with one shape parameter φ derived from a budget-aware min–max " +
    "framework, is claimed to consistently surpass the commonly used schedules across architectures and tasks " +
    "under different iteration budgets. We train a one-hidden-layer MLP on Fashion-MNIST with SGD-momentum at " +
    "three budgets, give UBA and six baselines (step, cosine, linear, exponential, OneCycle, REX) the same " +
    "peak-rate grid chosen by validation accuracy, and compare test accuracy paired by seed.",
  config,
  scales: {
    smoke: {
      description: "1000 train / 300 val / 500 test images, budgets 40 and 120 steps, 2-point LR grid, 2 seeds",
      seeds: 2,
      set: { nTrain: 1000, nVal: 300, nTest: 500, hidden: 32, lrMin: 0.03, lrPoints: 2 },
      grid: { budget: [40, 120] },
      deviations: ["tiny data, budgets and grid: a pipeline check, not the comparison"],
    },
    paper: {
      description: "MLP 784-128-10, 10k train / 2k val / 5k test Fashion-MNIST images, budgets T ∈ {150, 450, " +
        "1350} steps of batch 64, peak LR ∈ {0.01, 0.03, 0.09, 0.27}, 5 seeds",
      seeds: 5,
      grid: { budget: [150, 450, 1350] },
      deviations: [
        "The paper trains ResNets and OLMo language models on CIFAR/ImageNet/LM data; here a one-hidden-layer MLP " +
        "on a 10k subset of Fashion-MNIST at 150–1350 steps (≈1–8.6 epochs), to fit the ≤ 4 min budget on a " +
        "shared 2-core machine.",
        "A 4-point peak-LR grid (×3 apart) for every schedule; 5 seeds. (Scale history: a first verify ran 3 " +
        "seeds; its 1.5 min wall time showed room for the plan's 5, and the change was made before its claims " +
        "were read.)",
      ],
    },
  },
  deviations: [
    "Only the abstract and introduction of the paper were readable offline (arXiv HTML opening) and no official " +
    "code was found. The UBA formula s_t = 2c/(2φ + (2 − φ)c), c = 1 + cos(πt/T), η_min = 0, single stage, is " +
    "taken from a public third-party implementation (a Galaxy10 baseline's UBAScheduler, found by text search); " +
    "its consistency checks (s_0 = 1, s_T = 0, φ = 2 gives cosine) hold, but we could not confirm it against " +
    "the paper's equation. The paper's multi-stage/warm-up variants are not implemented.",
    "φ = 0.5 is fixed a priori (not tuned, so UBA has exactly the baselines' tuning budget): the paper's " +
    "φ-selection guideline was not readable; 0.5 (< 2, i.e. decaying later than cosine) is the default of the " +
    "third-party implementations we saw. A result at other φ would be a different claim.",
    "Baseline shapes are ours where the paper's settings were not readable: step = ×0.1 at 50% and 75% " +
    "(as lr-refine; lib/math/nn/schedules.ts); exponential γ^t with γ^T = 0.01; OneCycle = PyTorch OneCycleLR defaults (30% cosine warm-up " +
    "from η/25, cosine down to η/(25·10⁴)); REX = (1 − u)/(½ + ½(1 − u)) (Chen et al. 2022); no warm-up elsewhere.",
    "Selection on validation accuracy of the last iterate (no early stopping); test accuracy of that same net.",
    "No paper numbers are quoted: the paper's tables were not readable offline.",
  ],
  tuning: {
    rule: "per run (schedule, budget, seed): train once per grid value from the same initialisation and " +
      "minibatch stream; keep the peak LR with the highest validation accuracy (first in grid order on ties)",
    budget: "the same lrPoints-value peak-LR grid (lrMin·lrFactor^k), one training run per value, for every " +
      "schedule; UBA's φ is fixed, not tuned",
    grids: Object.fromEntries(
      SCHEDULES.map((s) => [s, "peak LR ∈ {lrMin·lrFactor^k}" + (s === "uba" ? "; φ fixed" : "")]),
    ),
  },
  data: async (cfg): Promise<Data> => {
    const tr = await loadFashionMnist({ split: "train", n: cfg.nTrain + cfg.nVal });
    const te = await loadFashionMnist({ split: "test", n: cfg.nTest });
    const P = 784;
    return {
      train: { x: tr.images.subarray(0, cfg.nTrain * P), y: tr.labels.subarray(0, cfg.nTrain), n: cfg.nTrain },
      val: { x: tr.images.subarray(cfg.nTrain * P), y: tr.labels.subarray(cfg.nTrain), n: cfg.nVal },
      test: { x: te.images, y: te.labels, n: cfg.nTest },
    };
  },
  dataKeys: ["nTrain", "nVal", "nTest"],
  methods: {
    uba: method(
      "uba",
      "UBA (φ fixed)",
      "Unified Budget-Aware schedule 2c/(2φ + (2 − φ)c), c = 1 + cos(πt/T) " +
        "(Tang et al. 2025; formula from a third-party implementation, see deviations)",
    ),
    step: method("step", "step decay", "×0.1 at 50% and 75% of the budget"),
    cosine: method("cosine", "cosine", "½(1 + cos πt/T) (Loshchilov & Hutter 2017); UBA at φ = 2"),
    linear: method("linear", "linear decay", "1 − t/T (budget-aware baseline of Li et al. 2020)"),
    exponential: method("exponential", "exponential", "γ^t with γ^T = 0.01"),
    onecycle: method("onecycle", "OneCycle", "PyTorch OneCycleLR defaults (Smith & Topin 2019)"),
    rex: method("rex", "REX", "(1 − u)/(½ + ½(1 − u)), u = t/T (Chen, Wolfe & Kyrillidis 2022)"),
  },
  metrics: {
    test_acc: higher("test accuracy of the tuned run (last iterate)", tol.statistic()),
    val_acc: higher("validation accuracy of the tuned run", tol.statistic()),
    train_loss: lower("mean minibatch loss over the last 10% of steps (tuned run)", tol.statistic()),
    schedule: reported("LR multiplier at k% of the budget (step = k)"),
    phi2_gap: lower("max |UBA(φ = 2) − cosine| over the budget's steps"),
  },
  measure: (_d: Data, o: Output, cfg: Config) => ({
    test_acc: o.acc,
    val_acc: o.valAcc,
    train_loss: o.trainLoss,
    schedule: resample(o.sched),
    phi2_gap: phi2CosineGap(cfg.budget),
  }),
  claims: [
    {
      id: "uba-best-every-budget",
      kind: "paper",
      statement: "UBA consistently surpasses the commonly used schedules under different training budgets " +
        "(abstract). Checked: at every budget, UBA's test accuracy beats each of step, cosine, linear, exponential, " +
        "OneCycle and REX by more than 0.2 percentage points beyond 2·SE (paired by seed), all at their tuned peak LR.",
      paper: { value: "UBA consistently surpasses the commonly-used schedules", source: ABSTRACT },
      check: bestOf({
        metric: "test_acc",
        winner: "uba",
        others: OTHERS,
        better: "higher",
        forEach: "budget",
        margin: WIN,
      }),
    },
    {
      id: "uba-beats-cosine-step",
      kind: "paper",
      statement: "The weaker form: UBA beats the two most common defaults, cosine and step decay, at every budget " +
        "(test accuracy, > 0.2 pp beyond 2·SE, paired by seed).",
      paper: { value: "UBA consistently surpasses the commonly-used schedules", source: ABSTRACT },
      check: bestOf({
        metric: "test_acc",
        winner: "uba",
        others: ["cosine", "step"],
        better: "higher",
        forEach: "budget",
        margin: WIN,
      }),
    },
    {
      id: "uba-phi2-is-cosine",
      kind: "identity",
      statement: "UBA at φ = 2 is cosine annealing: max |UBA(φ = 2) − ½(1 + cos πt/T)| ≤ 1e-12 over each budget.",
      check: threshold({ metric: "phi2_gap", method: "uba", below: 1e-12, forEach: "budget" }),
    },
    {
      id: "tuned-lr-interior",
      kind: "sanity",
      statement: "The peak-LR grid brackets the choices: in at least 80% of runs the chosen peak LR is not the " +
        "grid's largest value (the smallest can be right for short budgets with aggressive schedules).",
      check: (r: ResultSet) => {
        const v = r.values({ metric: "hp.lr" });
        const top = Math.max(...v);
        const edge = v.filter((x) => x >= top * (1 - 1e-9)).length;
        const grid = [...new Set(v)].sort((a, b) => a - b);
        return verdict(
          edge <= 0.2 * v.length,
          `${v.length - edge}/${v.length} runs chose below the grid's top (${
            grid.map((x) => x.toPrecision(2)).join(", ")
          } chosen)`,
        );
      },
    },
  ],
  figures: [
    {
      id: "acc-by-budget",
      title: "Test accuracy of each schedule (tuned peak LR) against the iteration budget",
      mirrors: "the paper's accuracy-per-budget comparisons (its tables; not readable here)",
      spec: lineChart({ metric: "test_acc", x: "budget", logX: true, color: "method", yTitle: "test accuracy" }),
    },
    {
      id: "schedules",
      title: "The schedules' shapes (multiplier of the peak rate)",
      spec: lineChart({
        metric: "schedule",
        where: "datum.budget == 450",
        x: "step",
        xTitle: "% of budget",
        yTitle: "LR multiplier",
        zeroY: true,
        color: "method",
      }),
    },
  ],
  tables: [
    {
      id: "final",
      title: "Test/validation accuracy and tuned peak LR",
      metrics: ["test_acc", "val_acc", "hp.lr"],
      by: ["budget"],
    },
  ],
});

/**
 * kronecker-attention — Gao, Wang, Ji: "Kronecker Attention Networks" (KDD 2020, arXiv 2007.08442; no official
 * code). Full self-attention over the H·W positions of an H×W×C map vs the Kronecker attention operators KAO_KV
 * (keys/values = the H + W row and column means) and KAO_QKV (queries too; outputs broadcast back as an outer sum):
 * floating-point operations and intermediate memory counted in the loops (and checked against closed forms), and
 * wall time on this CPU, as the map grows; and a small CNN on Fashion-MNIST with no attention, full attention or a
 * KAO layer, trained under one budget (stand-in for the paper's ImageNet/PASCAL accuracy tables).
 */
import { z } from "zod";
import { count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, type Measurements, reported, tol } from "../../lib/experiment.ts";
import { loadFashionMnist } from "../../datasets/fashion-mnist.ts";
import { mean, std } from "../../lib/math/stats.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { allOf, compare, eachCase, fmt, LARGEST, threshold } from "../../lib/claims/mod.ts";
import { barChart, lineChart } from "../../lib/figures/mod.ts";
import { type AttnOut, closedForm, fullAttention, kaoKV, kaoQKV } from "./kao.ts";
import { type FashionData, fitVariant } from "./net.ts";
import type { AttnMode } from "./layer.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2007.08442", where: "abstract" };

const config = z.object({
  task: z.enum(["cost", "fashion"]).default("cost").describe(
    "cost: count and time one operator call on a random map; fashion: train the small CNN with that attention",
  ),
  side: intAtLeast(2, 16, "height = width of the feature map (H = W = side)"),
  channels: intAtLeast(1, 32, "channels C of the feature map"),
  nTrain: count(4000, "Fashion-MNIST training images (the first n of the train split)"),
  nTest: count(2000, "Fashion-MNIST test images (the first n of the test split)"),
  epochs: count(2, "training epochs, every variant"),
  lr: positive(2e-3, "Adam learning rate, every variant (fixed, not tuned)"),
});
type Cfg = z.infer<typeof config>;

/** The input feature map, H×W×C row-major, entries standard normal. */
interface MapData {
  x: Float64Array;
  H: number;
  W: number;
  C: number;
}

/** The side at which the Fashion comparison runs (it does not depend on side; run once). */
const FASHION_SIDE = 8;
const COST = { task: "cost" };
const FASHION = { task: "fashion" };

type Data = MapData | FashionData;
/** A Fashion training run's result. */
interface FitOut {
  testAcc: number;
  trainLoss: number;
}
type Out = AttnOut | FitOut;

const skipFashion = (c: Cfg) =>
  c.task === "fashion" && c.side !== FASHION_SIDE
    ? `the Fashion comparison does not depend on side: run once, at side ${FASHION_SIDE}`
    : false;

const run =
  (op: (x: Float64Array, H: number, W: number, C: number) => AttnOut, mode: AttnMode) =>
  (d: Data, cfg: Cfg, ctx: { rng: Rng; backend: string }): Out =>
    cfg.task === "cost"
      ? op((d as MapData).x, (d as MapData).H, (d as MapData).W, (d as MapData).C)
      : fitVariant(mode, d as FashionData, {
        epochs: cfg.epochs,
        lr: cfg.lr,
        rng: ctx.rng,
        backend: ctx.backend === "js" ? "js" : "native",
      });

/**
 * Non-inferiority on paired seeds: for each KAO, the test-accuracy gap full − KAO, mean + 2 SE, is ≤ `gap`.
 */
function notWorseThanFull(gap: number) {
  return Object.assign((r: ResultSet) =>
    eachCase(["kaoKV", "kaoQKV"], (m) => {
      const full = new Map(
        r.select({ metric: "test_acc", method: "full", where: FASHION }).map((x) => [x.seed, x.value]),
      );
      const d = r.select({ metric: "test_acc", method: m, where: FASHION }).filter((x) => full.has(x.seed))
        .map((x) => full.get(x.seed)! - x.value);
      const hi = mean(d) + (d.length > 1 ? 2 * std(d) / Math.sqrt(d.length) : Infinity);
      return {
        pass: d.length > 0 && hi <= gap,
        text: `${m}: full − ${m} = ${fmt(mean(d))} (+2SE ${fmt(hi)}, ${d.length} seeds)`,
      };
    }, { prefix: `test-accuracy gap to full attention ≤ ${gap} (mean + 2 SE): ` }), { metrics: ["test_acc"] });
}

/** Mean over seeds of a metric for one method at one side. */
const meanAt = (r: ResultSet, metric: string, method: string, side: unknown) =>
  r.mean({ metric, method, where: { side, ...COST } });

/**
 * The full/KAO ratio of `metric` (mean over seeds) grows strictly with the map side, for both KAOs: "larger
 * factors for higher-dimensional data".
 */
function ratioGrows(metric: string) {
  return Object.assign((r: ResultSet) => {
    const sides = (r.levels("side") as number[]).slice().sort((a, b) => a - b);
    const cases = (["kaoKV", "kaoQKV"] as const).map((m) => ({
      m,
      ratios: sides.map((s) => meanAt(r, metric, "full", s) / meanAt(r, metric, m, s)),
    }));
    return eachCase(cases, ({ m, ratios }) => ({
      pass: ratios.length >= 2 && ratios.every((x, i) => i === 0 || x > ratios[i - 1]),
      text: `${m}: ${ratios.map(fmt).join(" → ")}`,
    }), { prefix: `full/KAO ${metric} over side = ${sides.join(", ")}: ` });
  }, { metrics: [metric] });
}

export default defineExperiment({
  id: "kronecker-attention",
  paper: {
    title: "Kronecker Attention Networks",
    authors: "Hongyang Gao, Zhengyang Wang, Shuiwang Ji",
    year: 2020,
    arxiv: "2007.08442",
    venue: "KDD 2020",
  },
  summary: "Attention on an H×W×C map flattens it to HW positions and costs O((HW)²C) time and O((HW)²) memory. " +
    "Assuming a matrix-variate (Kronecker-covariance) model, the paper's KAOs attend over the H + W row and column " +
    "means instead, which it says cuts resources by a factor of hundreds while networks keep their accuracy. We " +
    "count the operations and intermediate floats of full attention, KAO_KV and KAO_QKV (counters checked against " +
    "closed forms) and time them in float64 on this CPU for square maps up to 64×64, and train a small CNN on Fashion-MNIST " +
    "with no attention, full attention, KAO_KV or KAO_QKV under one budget.",
  config,
  scales: {
    smoke: {
      description: "cost: side ∈ {4, 8}, C = 8; fashion: 300 training / 200 test images, 1 epoch; 1 seed (seconds)",
      seeds: 1,
      grid: { task: ["cost", "fashion"], side: [4, 8] },
      set: { channels: 8, nTrain: 300, nTest: 200, epochs: 1 },
      deviations: [
        "tiny maps: times are call overhead; the counts are exact at any size; the tiny training run " +
        "only checks the pipeline",
      ],
    },
    paper: {
      description: "cost: side ∈ {8, 16, 24, 32, 48, 64} (H = W), C = 32; fashion: 4000 training / 2000 test " +
        "images, 2 epochs, Adam lr 2e-3; 3 seeds",
      seeds: 3,
      grid: { task: ["cost", "fashion"], side: [8, 16, 24, 32, 48, 64] },
      set: { channels: 32, nTrain: 4000, nTest: 2000, epochs: 2, lr: 2e-3 },
      deviations: [
        "square maps up to 64×64 with C = 32, one operator call, float64 TypeScript loops on 2 shared CPU cores " +
        "(the paper measures on a GPU inside networks, with its own input sizes)",
        "accuracy on Fashion-MNIST (4000 training images, 2 epochs) with a 2-block CNN and one parameter-free " +
        "residual attention layer on its 16×7×7 map, instead of ImageNet with MobileNetV2 and PASCAL segmentation",
      ],
    },
  },
  deviations: [
    "only the abstract and introduction of the paper are readable here; the operators follow our reading of its " +
    "definitions: pooled keys/values = the W column means and the H row means stacked (H + W vectors); KAO_QKV " +
    "output O_ij = L̂_i + Ĥ_j (outer sum of the row and column outputs)",
    "the operator alone: Q = K = V = the input (or its pooled vectors), no learned projections, no 1/√C scaling, " +
    "one head; memory = floats of the intermediates the operator allocates (input excluded), not bytes on a device",
    "accuracy: a small CNN on Fashion-MNIST (net.ts) with one parameter-free residual attention layer y = x + A(x) " +
    "(scores scaled by 1/√C, no projections) after its second block, A ∈ {none, full, KAO_KV, KAO_QKV}; the paper " +
    "inserts KAO blocks with learned projections into MobileNetV2 (ImageNet) and a segmentation network (PASCAL)",
    "every variant: Adam, lr 2e-3, batch 64, the same epochs and data, untuned (lr fixed after one 1-epoch " +
    "probe on 2000 images that only timed the variants)",
  ],
  data: async (cfg: Cfg, { rng }): Promise<Data> => {
    if (cfg.task === "cost") {
      return {
        x: rng.normal(cfg.side * cfg.side * cfg.channels) as Float64Array,
        H: cfg.side,
        W: cfg.side,
        C: cfg.channels,
      };
    }
    const tr = await loadFashionMnist({ split: "train", n: cfg.nTrain });
    const te = await loadFashionMnist({ split: "test", n: cfg.nTest });
    return {
      xTrain: tr.images,
      yTrain: tr.labels,
      nTrain: cfg.nTrain,
      xTest: te.images,
      yTest: te.labels,
      nTest: cfg.nTest,
    };
  },
  methods: {
    none: {
      label: "no attention",
      description: "the CNN without the attention layer (Fashion task only)",
      backends: ["native", "js"],
      skip: (c) => c.task === "cost" ? "no operator to count" : skipFashion(c),
      run: (d: Data, cfg: Cfg, ctx) => run(fullAttention, "none")(d, cfg, ctx),
    },
    full: {
      label: "full attention",
      description: "softmax(XXᵀ)X over all HW positions: the flattened attention the paper improves on (Sec. 1)",
      backends: ["native", "js"],
      skip: skipFashion,
      run: run(fullAttention, "full"),
    },
    kaoKV: {
      label: "KAO_KV",
      description: "every position attends to the H + W row/column means (keys and values pooled)",
      backends: ["native", "js"],
      skip: skipFashion,
      run: run(kaoKV, "kaoKV"),
    },
    kaoQKV: {
      label: "KAO_QKV",
      description: "attention among the H + W row/column means, broadcast back as an outer sum",
      backends: ["native", "js"],
      skip: skipFashion,
      run: run(kaoQKV, "kaoQKV"),
    },
  },
  metrics: {
    flops: reported("floating-point operations, counted in the loops", tol.exact()),
    mem_floats: reported("intermediate floats allocated (input excluded)", tol.exact()),
    count_gap: reported("|counted − closed form| flops + memory", tol.exact()),
    test_acc: higher("Fashion-MNIST test accuracy", tol.statistic()),
    train_loss: reported("mean training loss of the last epoch", tol.statistic()),
  },
  measure: (d: Data, o: Out, _cfg: Cfg): Measurements => {
    if ("testAcc" in o) return { test_acc: o.testAcc, train_loss: o.trainLoss };
    const m = d as MapData, cf = closedForm(o.op, m.H, m.W, m.C);
    return {
      flops: o.cost.flops,
      mem_floats: o.cost.memFloats,
      count_gap: Math.abs(o.cost.flops - cf.flops) + Math.abs(o.cost.memFloats - cf.memFloats),
    };
  },
  claims: [
    {
      id: "hundreds-fewer-resources",
      kind: "paper",
      statement: "KAOs cut the computational resources of attention by a factor of hundreds: at the largest map " +
        "(64×64, C = 32) full/KAO_QKV ≥ 100× in counted flops and in intermediate memory (100× fixed before the " +
        "paper-scale run).",
      paper: {
        value: "reduce the amount of required computational resources by a factor of hundreds",
        source: ABSTRACT,
      },
      scales: ["paper"],
      check: allOf(
        ...["flops", "mem_floats"].map((metric) =>
          compare({
            metric,
            method: "kaoQKV",
            baseline: "full",
            better: "lower",
            factor: 100,
            where: { side: LARGEST, ...COST },
          })
        ),
      ),
    },
    {
      id: "hundreds-faster",
      kind: "paper",
      statement: "The same in wall time on this CPU: at 64×64, full/KAO_QKV time ≥ 100× (geometric mean over seeds " +
        "less 2 SE; 100× fixed before the paper-scale run).",
      paper: {
        value: "reduce the amount of required computational resources by a factor of hundreds",
        source: ABSTRACT,
      },
      timing: true,
      scales: ["paper"],
      check: compare({
        metric: "time_ms",
        method: "kaoQKV",
        baseline: "full",
        better: "lower",
        factor: 100,
        where: { side: LARGEST, ...COST },
      }),
    },
    {
      id: "kv-reduction",
      kind: "paper",
      statement: "KAO_KV (queries kept at every position) also cuts resources, by less: at 64×64, full/KAO_KV ≥ 10× " +
        "in counted flops, memory and wall time (10× fixed before the paper-scale run; its count ratio is about " +
        "HW/(H + W) = 32).",
      paper: {
        value: "reduce the amount of required computational resources by a factor of hundreds",
        source: ABSTRACT,
      },
      timing: true,
      scales: ["paper"],
      check: allOf(
        ...["flops", "mem_floats", "time_ms"].map((metric) =>
          compare({
            metric,
            method: "kaoKV",
            baseline: "full",
            better: "lower",
            factor: 10,
            where: { side: LARGEST, ...COST },
          })
        ),
      ),
    },
    {
      id: "larger-factors-for-larger-inputs",
      kind: "paper",
      statement: "The savings grow with the input: the full/KAO ratio of counted flops and of memory rises at every " +
        "step of side = 8 → 64, for both KAOs.",
      paper: { value: "with larger factors for higher-dimensional and higher-order data", source: ABSTRACT },
      check: allOf(ratioGrows("flops"), ratioGrows("mem_floats")),
    },
    {
      id: "competitive-with-attention",
      kind: "paper",
      statement: "Networks with KAOs achieve performance competitive with those using full attention: on " +
        "Fashion-MNIST, full − KAO test accuracy (paired by seed, mean + 2 SE) ≤ 0.01 for KAO_KV and for KAO_QKV " +
        "(1 point fixed before the paper-scale run).",
      paper: { value: "competitive performance as those with original attention operators", source: ABSTRACT },
      scales: ["paper"],
      check: notWorseThanFull(0.01),
    },
    {
      id: "beats-no-attention",
      kind: "paper",
      statement: "Networks with KAOs outperform models without attention: on Fashion-MNIST, KAO_KV and KAO_QKV " +
        "each beat the CNN without attention in test accuracy by more than 0.5 point beyond 2 SE (paired by seed).",
      paper: { value: "networks with KAOs outperform models without attention", source: ABSTRACT },
      scales: ["paper"],
      check: allOf(
        ...["kaoKV", "kaoQKV"].map((method) =>
          compare({
            metric: "test_acc",
            method,
            baseline: "none",
            better: "higher",
            margin: { abs: 0.005 },
            where: FASHION,
          })
        ),
      ),
    },
    {
      id: "networks-learn",
      kind: "sanity",
      statement: "Every variant learns: test accuracy ≥ 0.7 in every paper-scale run (10 classes; chance 0.1).",
      scales: ["paper"],
      check: threshold({ metric: "test_acc", method: ["none", "full", "kaoKV", "kaoQKV"], above: 0.7, where: FASHION }),
    },
    {
      id: "counts-match-closed-form",
      kind: "identity",
      statement: "The loop counters equal the closed-form counts (kao.ts closedForm) for every operator and size: " +
        "count gap = 0.",
      check: threshold({ metric: "count_gap", method: ["full", "kaoKV", "kaoQKV"], below: 0, where: COST }),
    },
  ],
  figures: [
    {
      id: "fashion-accuracy",
      title: "Fashion-MNIST test accuracy per attention variant",
      mirrors: "the paper's accuracy tables (ImageNet, PASCAL)",
      spec: barChart({ metric: "test_acc", yTitle: "test accuracy" }),
    },
    {
      id: "flops-vs-side",
      title: "Counted flops vs map side (H = W)",
      mirrors: "the paper's efficiency comparison (resources vs input size)",
      spec: lineChart({ metric: "flops", x: "side", yTitle: "flops", logX: true, logY: true }),
    },
    {
      id: "memory-vs-side",
      title: "Intermediate memory vs map side",
      spec: lineChart({ metric: "mem_floats", x: "side", yTitle: "floats", logX: true, logY: true }),
    },
    {
      id: "time-vs-side",
      title: "Wall time vs map side (this CPU, float64)",
      spec: lineChart({ metric: "time_ms", x: "side", yTitle: "time (ms)", logX: true, logY: true }),
    },
  ],
  tables: [
    { id: "accuracy", title: "Fashion-MNIST test accuracy", metrics: ["test_acc", "train_loss"], by: ["task"] },
    {
      id: "costs",
      title: "Costs per operator and size",
      metrics: ["flops", "mem_floats", "time_ms"],
      by: ["side"],
    },
  ],
});

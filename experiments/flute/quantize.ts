/**
 * LUT quantisation of a trained char-MLP language model (lib/math/nn/charlm.ts): the full-precision model is
 * trained once per seed with full-rank Adam (the kit's schedule and loop, lib/math/nn/charlm_fit.ts); then each
 * scheme replaces its hidden dense weights (the analogue of the transformer's Linear layers FLUTE quantises; the
 * embedding table and the output head stay in full precision, as FLUTE leaves embeddings and lm_head) by their
 * dequantised values and the test loss is measured.
 *
 * Learned NormalFloat (NFL, flute/integrations/learnable.py `learn_scales`): start from the NF table and absmax
 * scales, then learn only the scales by Adam on the training loss of calibration minibatches, the gradient passing
 * straight through the table lookup (lut.ts `scaleGrad`); the indices are recomputed from W / s at every step, as
 * the repository's forward pass does.
 */
import { heldOutLoss, hiddenMatrices, sampleWindows } from "../../lib/math/nn/charlm.ts";
import { type CharCorpus, charLmNet, type CharLmOpts, trainCharLmRun } from "../../lib/math/nn/charlm_fit.ts";
import type { Sequential } from "../../lib/math/nn/model.ts";
import type { Param } from "../../lib/math/nn/params.ts";
import { warmupCosine } from "../../lib/math/nn/schedules.ts";
import { SubspaceAdam } from "../../lib/math/nn/subspace.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { type LutScheme, quantize, type Quantized, relError, scaleGrad } from "./lut.ts";

/** A trained full-precision model and its validation / test losses. */
export interface Base {
  net: Sequential;
  valLoss: number;
  testLoss: number;
}

/** Trains the full-precision char-MLP with full-rank Adam (GaLore-AdamW's formula, nothing projected). */
export function trainBase(data: CharCorpus, o: CharLmOpts, lr: number, rng: Rng): Base {
  const net = charLmNet(data.vocab, o, rng);
  const opt = new SubspaceAdam(net.paramList(), [], {
    lr,
    schedule: (t) => warmupCosine(t, o.steps, o.warmup, o.minLrRatio),
    rank: o.rank,
    gap: o.gap,
    scale: 1,
    projector: "svd",
  });
  const run = trainCharLmRun(net, opt, data, o, rng.split("batches"));
  return { net, valLoss: run.valLoss, testLoss: heldOutLoss(net, data.test) };
}

/** Rows × cols of a Dense weight (input × output: groups run down the columns, along the input dimension). */
const dims = (p: Param) => [p.shape[0], p.shape[1]] as const;

/** NFL's calibration settings (learnable.py: Adam lr 1e-4, 128 sequences, one epoch). */
export interface NflOpts {
  steps: number;
  batch: number;
  lr: number;
  context: number;
}

/** The outcome of quantising one model with one scheme. */
export interface QuantResult {
  valLoss: number;
  testLoss: number;
  /** ‖Ŵ − W‖_F / ‖W‖_F over all quantised hidden weights together. */
  reconErr: number;
}

/**
 * Quantises the hidden weights of `base` with `s` (absmax scales; with `nfl`, scales then learned by NFL), measures
 * the losses and restores the full-precision weights.
 */
export function quantizeNet(base: Base, data: CharCorpus, s: LutScheme, rng: Rng, nfl?: NflOpts): QuantResult {
  const net = base.net, hidden = hiddenMatrices(net), saved = hidden.map((p) => Float64Array.from(p.value));
  let qs: Quantized[] = hidden.map((p, i) => quantize(saved[i], ...dims(p), s));
  const apply = () => hidden.forEach((p, i) => p.value.set(qs[i].deq));
  apply();
  if (nfl) {
    const scales = qs.map((q) => Float64Array.from(q.scales));
    const m = scales.map((x) => new Float64Array(x.length)), v = scales.map((x) => new Float64Array(x.length));
    const [b1, b2, eps] = [0.9, 0.999, 1e-8]; // torch.optim.Adam defaults
    for (let t = 1; t <= nfl.steps; t++) {
      const w = sampleWindows(data.train, nfl.context, nfl.batch, rng);
      net.lossAndGrad(w.x, w.y, nfl.batch);
      hidden.forEach((p, i) => {
        const g = scaleGrad(p.grad, qs[i], ...dims(p), s);
        for (let k = 0; k < g.length; k++) {
          m[i][k] = b1 * m[i][k] + (1 - b1) * g[k];
          v[i][k] = b2 * v[i][k] + (1 - b2) * g[k] * g[k];
          const mh = m[i][k] / (1 - b1 ** t), vh = v[i][k] / (1 - b2 ** t);
          scales[i][k] -= nfl.lr * mh / (Math.sqrt(vh) + eps);
        }
      });
      qs = hidden.map((p, i) => quantize(saved[i], ...dims(p), s, 0, scales[i]));
      apply();
    }
  }
  let num = 0, den = 0;
  hidden.forEach((_, i) => {
    const e = relError(saved[i], qs[i].deq);
    const n2 = saved[i].reduce((a, x) => a + x * x, 0);
    num += e * e * n2;
    den += n2;
  });
  const out = { valLoss: heldOutLoss(net, data.val), testLoss: heldOutLoss(net, data.test) };
  hidden.forEach((p, i) => p.value.set(saved[i]));
  return { ...out, reconErr: Math.sqrt(num / den) };
}

/** Relative error of quantising an n × n' matrix of N(0, 1) weights (groups down the columns). */
export function gaussianError(rows: number, cols: number, s: LutScheme, rng: Rng): number {
  const w = Float64Array.from({ length: rows * cols }, () => rng.normal());
  return relError(w, quantize(w, rows, cols, s).deq);
}

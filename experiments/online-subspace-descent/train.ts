/**
 * Pretraining the char-MLP language model (lib/math/nn/charlm.ts) on the Brown corpus with full-rank Adam, GaLore
 * or Online Subspace Descent (lib/math/nn/subspace.ts), under one schedule and one learning-rate rule
 * (lib/math/nn/charlm_fit.ts).
 *
 * Schedule: the official torchrun_main.py's `cosine` (peft_pretraining.training_utils; `warmupCosine` in
 * lib/math/nn/schedules.ts): a linear warm-up over the first `warmup` steps, then cosine decay of the multiplier
 * from 1 to `minLrRatio` (0.1) at the last step. Low-rank methods project the hidden dense weights (the analogue of
 * GaLore's "attn"/"mlp" Linear modules); the embedding table, the head and all biases take the full-rank Adam step of
 * the same formula.
 *
 * Tuning: every method trains once per learning rate of the same grid, from the same initial weights and on the same
 * minibatch stream; the run keeps the rate with the lowest validation loss (first best in grid order) and reports
 * that model's test loss.
 */
import type { Sequential } from "../../lib/math/nn/model.ts";
import { heldOutLoss, hiddenMatrices } from "../../lib/math/nn/charlm.ts";
import {
  bestByValidation,
  type CharCorpus,
  type CharLmFit,
  charLmNet,
  type CharLmOpts,
  trainCharLmRun,
} from "../../lib/math/nn/charlm_fit.ts";
import { warmupCosine } from "../../lib/math/nn/schedules.ts";
import { SubspaceAdam } from "../../lib/math/nn/subspace.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** The three optimisers compared. */
export type Optim = "adam" | "galore" | "osd";

/** The chosen fit of one method and seed. */
export interface Fit extends CharLmFit {
  method: Optim;
  /** Largest ‖QᵀQ − I‖_F over the projected weights at the end (0 for Adam). */
  orthErr: number;
  /** Mean online-PCA loss ‖QQᵀĜ − Ĝ‖² over the projected weights at the last step (OSD only; NaN otherwise). */
  pcaLoss: number;
}

/** The optimiser of `method` over `net` (Adam: nothing projected). */
export function makeOptimizer(method: Optim, net: Sequential, o: CharLmOpts, lr: number): SubspaceAdam {
  return new SubspaceAdam(net.paramList(), method === "adam" ? [] : hiddenMatrices(net), {
    lr,
    schedule: (t) => warmupCosine(t, o.steps, o.warmup, o.minLrRatio),
    rank: o.rank,
    gap: o.gap,
    scale: method === "adam" ? 1 : o.scale,
    projector: method === "osd" ? "online" : "svd",
  });
}

/** Trains one net at learning rate `lr`; `rng` fixes the initial weights and the minibatch stream. */
export function trainOnce(method: Optim, data: CharCorpus, o: CharLmOpts, lr: number, rng: Rng) {
  const net = charLmNet(data.vocab, o, rng);
  const opt = makeOptimizer(method, net, o, lr);
  return { net, opt, ...trainCharLmRun(net, opt, data, o, rng.split("batches")) };
}

/** Tries every learning rate in `lrs`, keeps the lowest validation loss, returns that fit with its test loss. */
export function fitCharLm(method: Optim, data: CharCorpus, o: CharLmOpts, lrs: number[], rng: Rng): Fit {
  const b = bestByValidation(lrs, (lr) => trainOnce(method, data, o, lr, rng));
  const orth = [...b.opt.orthogonalityError().values()], pca = [...b.opt.pcaLosses().values()];
  return {
    method,
    lr: b.lr,
    valLoss: b.valLoss,
    testLoss: heldOutLoss(b.net, data.test),
    trainLoss: b.trainLoss,
    curve: b.curve,
    orthErr: orth.length ? Math.max(...orth) : 0,
    pcaLoss: pca.length ? pca.reduce((s, x) => s + x, 0) / pca.length : NaN,
    params: b.net.store.size,
  };
}

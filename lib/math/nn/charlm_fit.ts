/**
 * The training loop, learning-rate rule and configuration of the char-MLP language-model experiments
 * (lib/math/nn/charlm.ts on the Brown corpus): one run of an optimiser on a minibatch stream with a validation
 * curve, the choice of the learning rate with the lowest validation loss, the shared config fields and the corpus
 * split into evaluation windows.
 *
 * @example
 * ```ts
 * const best = bestByValidation([0.01, 0.03], (lr) => { const net = build(); return trainCharLmRun(net, opt(net, lr),
 *   data, o, rng.split("batches")); });
 * ```
 */
import { z } from "zod";
import { intAtLeast, positive } from "../../fields.ts";
import { lower, reported, tol } from "../../experiment.ts";
import { encodeChars, loadBrown } from "../../../datasets/brown.ts";
import { lineChart } from "../../figures/mod.ts";
import type { Rng } from "../rng.ts";
import { charMlp, evalWindows, heldOutLoss, hiddenMatrices, sampleWindows, type Windows } from "./charlm.ts";
import type { Sequential } from "./model.ts";
import { SubspaceAdam } from "./subspace.ts";

/** Token ids of the three splits, with the fixed evaluation windows. */
export interface CharCorpus {
  train: Uint8Array;
  val: Windows;
  test: Windows;
  vocab: number;
}

/** The loop settings of {@link trainCharLmRun}. */
export interface RunOpts {
  context: number;
  batch: number;
  steps: number;
  /** Record the validation loss (on the first `curveWindows` validation windows) every this many steps. */
  evalEvery: number;
  curveWindows: number;
}

/** Model, budget, schedule and projector settings shared by every method of a low-rank char-LM experiment. */
export interface CharLmOpts extends RunOpts {
  embed: number;
  hidden: number;
  layers: number;
  warmup: number;
  minLrRatio: number;
  rank: number;
  gap: number;
  scale: number;
}

/** The char-MLP of these sizes, its weights drawn from `rng.split("init")` (the same for every method and lr). */
export function charLmNet(vocab: number, o: CharLmOpts, rng: Rng): Sequential {
  return charMlp({
    vocab,
    context: o.context,
    embed: o.embed,
    hidden: o.hidden,
    layers: o.layers,
    rng: rng.split("init"),
  });
}

/** What the identity checks of the subspace optimiser measure on the real model and data. */
export interface SubspaceChecks {
  /** max |θ − θ_Adam| after `steps` steps with the identity projector (r = d, α = 1): 0 when GaLore ⊇ Adam. */
  identityGap: number;
  /** Largest ‖QᵀQ − I‖_F of GaLore's SVD projectors after `steps` steps with a projector refresh every 5. */
  svdOrthErr: number;
}

/**
 * Trains three copies of the same net on the same minibatches for `steps` steps: plain Adam, the subspace optimiser
 * with the identity projector (must equal Adam) and with SVD projectors refreshed every 5 steps (must stay
 * orthonormal).
 */
export function subspaceChecks(data: CharCorpus, o: CharLmOpts, rng: Rng, steps = 20): SubspaceChecks {
  const [a, b, c] = [0, 1, 2].map(() => charLmNet(data.vocab, o, rng));
  const base = { lr: 0.01, rank: o.rank, gap: 5, scale: 1 };
  const optA = new SubspaceAdam(a.paramList(), [], { ...base, projector: "svd" });
  const optB = new SubspaceAdam(b.paramList(), hiddenMatrices(b), { ...base, projector: "identity" });
  const optC = new SubspaceAdam(c.paramList(), hiddenMatrices(c), { ...base, projector: "svd" });
  const stream = rng.split("batches");
  for (let t = 0; t < steps; t++) {
    const w = sampleWindows(data.train, o.context, o.batch, stream);
    for (const [net, opt] of [[a, optA], [b, optB], [c, optC]] as const) {
      net.lossAndGrad(w.x, w.y, o.batch);
      opt.step();
    }
  }
  let gap = 0;
  for (let i = 0; i < a.store.size; i++) gap = Math.max(gap, Math.abs(a.store.value[i] - b.store.value[i]));
  return { identityGap: gap, svdOrthErr: Math.max(...optC.orthogonalityError().values()) };
}

/** One training run: its validation curve, mean train loss over the last 10% of steps, final validation loss. */
export interface CharLmRun {
  curve: number[];
  trainLoss: number;
  valLoss: number;
}

/** Trains `net` with `opt` (one `step()` per minibatch drawn from `stream`); stops early on a non-finite loss. */
export function trainCharLmRun(
  net: Sequential,
  opt: { step(): void },
  data: CharCorpus,
  o: RunOpts,
  stream: Rng,
): CharLmRun {
  const curveSet: Windows = {
    x: data.val.x.subarray(0, o.curveWindows * o.context),
    y: data.val.y.subarray(0, o.curveWindows),
    batch: o.curveWindows,
  };
  const curve: number[] = [], tail = Math.max(1, Math.floor(o.steps / 10));
  let trainSum = 0;
  for (let t = 0; t < o.steps; t++) {
    const w = sampleWindows(data.train, o.context, o.batch, stream);
    const loss = net.lossAndGrad(w.x, w.y, o.batch);
    if (!Number.isFinite(loss)) break;
    if (t >= o.steps - tail) trainSum += loss;
    opt.step();
    if ((t + 1) % o.evalEvery === 0) curve.push(heldOutLoss(net, curveSet));
  }
  return { curve, trainLoss: trainSum / tail, valLoss: heldOutLoss(net, data.val) };
}

/** Runs `run` at every learning rate; keeps the lowest finite validation loss (first best in grid order). */
export function bestByValidation<R extends { valLoss: number }>(lrs: number[], run: (lr: number) => R): R & {
  lr: number;
} {
  let best: (R & { lr: number }) | null = null;
  for (const lr of lrs) {
    const r = run(lr);
    const score = Number.isFinite(r.valLoss) ? r.valLoss : Infinity;
    if (best === null || score < best.valLoss) best = { ...r, lr, valLoss: score };
  }
  return best!;
}

/** The Brown corpus (1 in 10 documents validation, another 1 in 10 test) as ids and evaluation windows. */
export async function loadBrownCorpus(context: number, nVal: number, nTest: number): Promise<CharCorpus> {
  const text = await loadBrown(10);
  const ids = (s: string) => encodeChars(s, text.vocab).ids;
  return {
    train: ids(text.train),
    val: evalWindows(ids(text.val), context, nVal),
    test: evalWindows(ids(text.test), context, nTest),
    vocab: text.vocab.length,
  };
}

/** The config fields shared by the low-rank char-LM experiments, with the defaults that differ between them. */
export function charLmFields(d: { steps: number; warmup: number; lrs: string }) {
  return {
    context: intAtLeast(1, 16, "characters of context per prediction"),
    embed: intAtLeast(1, 16, "embedding width per character"),
    hidden: intAtLeast(1, 128, "width of the hidden layers (projected: context·embed × hidden and hidden × hidden)"),
    layers: intAtLeast(1, 2, "hidden dense + GELU layers"),
    batch: intAtLeast(1, 64, "minibatch size, in (context, next character) windows"),
    steps: intAtLeast(1, d.steps, "optimiser steps per fit"),
    warmup: intAtLeast(0, d.warmup, "linear warm-up steps"),
    minLrRatio: z.number().min(0).max(1).default(0.1).describe("final lr / peak lr of the cosine (official 0.1)"),
    rank: intAtLeast(1, 32, "rank r of every low-rank method's subspace"),
    gap: intAtLeast(1, 200, "steps between projector refreshes"),
    scale: positive(0.25, "α, the factor on the projected update (GaLore's scale)"),
    lrs: z.string().regex(/^[0-9.e+-]+(,[0-9.e+-]+)*$/).default(d.lrs)
      .describe("peak learning rates every method tries, comma-separated (the tuning grid)"),
    nVal: intAtLeast(1, 5000, "validation windows (evenly spaced over the validation documents) that choose the lr"),
    nTest: intAtLeast(1, 20000, "test windows (evenly spaced over the test documents)"),
    evalEvery: intAtLeast(1, 100, "steps between points of the validation-loss curve"),
    curveWindows: intAtLeast(1, 1000, "validation windows of each curve point (the first ones)"),
  };
}

/** The smoke-scale settings of those experiments: a 32-wide model, rank 8, 60 steps at one lr. */
export const CHARLM_SMOKE = {
  context: 8,
  embed: 8,
  hidden: 32,
  rank: 8,
  gap: 20,
  batch: 32,
  steps: 60,
  warmup: 6,
  lrs: "0.01",
  nVal: 500,
  nTest: 1000,
  evalEvery: 20,
  curveWindows: 200,
};

/** The fields of a chosen char-LM fit that every such experiment reports. */
export interface CharLmFit {
  lr: number;
  valLoss: number;
  testLoss: number;
  /** Mean training minibatch loss over the last 10% of steps. */
  trainLoss: number;
  /** Validation loss every `evalEvery` steps of the chosen run. */
  curve: number[];
  params: number;
}

/** The validation-curve figure of those experiments (metric `val_curve`, mean over seeds with a band). */
export function valCurveFigure(mirrors: string) {
  return {
    id: "val-curves",
    title: "Validation cross-entropy during training (chosen learning rate)",
    mirrors,
    caption: "Mean over seeds; one point every evalEvery steps on the first curveWindows validation windows.",
    spec: lineChart({
      metric: "val_curve",
      x: "step",
      xTitle: "evaluation (every evalEvery steps)",
      yTitle: "validation nats per character",
      band: true,
    }),
  };
}

/** Trained char-LM numbers are statistics of a float64 training path (other BLAS kernels move the last bits). */
export const CHARLM_TOL = tol.statistic(0.04);

/** The metrics every char-LM experiment reports of its chosen fit (`CharLmFit`), with `CHARLM_TOL`. */
export function charLmMetrics() {
  return {
    test_ppl: lower("test perplexity per character", CHARLM_TOL),
    test_loss: lower("test cross-entropy (nats per character)", CHARLM_TOL),
    val_loss: lower("validation cross-entropy of the chosen lr (selection score)", CHARLM_TOL),
    train_loss: reported("training minibatch loss, last 10% of steps", CHARLM_TOL),
    val_curve: lower("validation cross-entropy every evalEvery steps", CHARLM_TOL),
  };
}

/** The learning rates of the `lrs` config field ("0.003,0.01,…"). */
export const lrGrid = (lrs: string): number[] => lrs.split(",").map(Number);

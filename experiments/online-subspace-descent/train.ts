/**
 * Pretraining the char-MLP language model (lib/math/nn/charlm.ts) on the Brown corpus with full-rank Adam, GaLore
 * or Online Subspace Descent (lib/math/nn/subspace.ts), under one schedule and one learning-rate rule.
 *
 * Schedule: the official torchrun_main.py's `cosine` (peft_pretraining.training_utils): a linear warm-up over the
 * first `warmup` steps, then cosine decay of the multiplier from 1 to `minLrRatio` (0.1) at the last step:
 *   m(t) = t/w (t < w);  m(t) = ρ + (1 − ρ)·½(1 + cos(π (t − w)/(T − w))).
 * Low-rank methods project the hidden dense weights (the analogue of GaLore's "attn"/"mlp" Linear modules); the
 * embedding table, the head and all biases take the full-rank Adam step of the same formula.
 *
 * Tuning: every method trains once per learning rate of the same grid, from the same initial weights and on the same
 * minibatch stream; the run keeps the rate with the lowest validation loss (first best in grid order) and reports
 * that model's test loss.
 */
import type { Sequential } from "../../lib/math/nn/model.ts";
import { charMlp, heldOutLoss, hiddenMatrices, sampleWindows, type Windows } from "../../lib/math/nn/charlm.ts";
import { SubspaceAdam } from "../../lib/math/nn/subspace.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** The three optimisers compared. */
export type Optim = "adam" | "galore" | "osd";

/** Token ids of the three splits, with the fixed evaluation windows. */
export interface CorpusData {
  train: Uint8Array;
  val: Windows;
  test: Windows;
  vocab: number;
}

/** Model, budget and projector settings shared by every method. */
export interface TrainOpts {
  context: number;
  embed: number;
  hidden: number;
  layers: number;
  batch: number;
  steps: number;
  warmup: number;
  minLrRatio: number;
  rank: number;
  gap: number;
  scale: number;
  /** Record the validation loss (on the first `curveWindows` validation windows) every this many steps. */
  evalEvery: number;
  curveWindows: number;
}

/** The chosen fit of one method and seed. */
export interface Fit {
  method: Optim;
  lr: number;
  valLoss: number;
  testLoss: number;
  /** Mean training minibatch loss over the last 10% of steps. */
  trainLoss: number;
  /** Validation loss every `evalEvery` steps of the chosen run. */
  curve: number[];
  /** Largest ‖QᵀQ − I‖_F over the projected weights at the end (0 for Adam). */
  orthErr: number;
  /** Mean online-PCA loss ‖QQᵀĜ − Ĝ‖² over the projected weights at the last step (OSD only; NaN otherwise). */
  pcaLoss: number;
  params: number;
}

/** The learning-rate multiplier of the official cosine schedule with linear warm-up (see the module header). */
export function lrMultiplier(t: number, steps: number, warmup: number, minLrRatio: number): number {
  if (t < warmup) return t / warmup;
  const p = (t - warmup) / Math.max(1, steps - warmup);
  return minLrRatio + (1 - minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p)));
}

/** The optimiser of `method` over `net` (Adam: nothing projected). */
export function makeOptimizer(method: Optim, net: Sequential, o: TrainOpts, lr: number): SubspaceAdam {
  return new SubspaceAdam(net.paramList(), method === "adam" ? [] : hiddenMatrices(net), {
    lr,
    schedule: (t) => lrMultiplier(t, o.steps, o.warmup, o.minLrRatio),
    rank: o.rank,
    gap: o.gap,
    scale: method === "adam" ? 1 : o.scale,
    projector: method === "osd" ? "online" : "svd",
  });
}

/** The char-MLP of these sizes, its weights drawn from `rng.split("init")` (the same for every method and lr). */
export function buildNet(data: CorpusData, o: TrainOpts, rng: Rng): Sequential {
  return charMlp({
    vocab: data.vocab,
    context: o.context,
    embed: o.embed,
    hidden: o.hidden,
    layers: o.layers,
    rng: rng.split("init"),
  });
}

/** Trains one net at learning rate `lr`; `rng` fixes the initial weights and the minibatch stream. */
export function trainOnce(method: Optim, data: CorpusData, o: TrainOpts, lr: number, rng: Rng) {
  const net = buildNet(data, o, rng);
  const opt = makeOptimizer(method, net, o, lr), stream = rng.split("batches");
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
  return { net, opt, curve, trainLoss: trainSum / tail, valLoss: heldOutLoss(net, data.val) };
}

/** Tries every learning rate in `lrs`, keeps the lowest validation loss, returns that fit with its test loss. */
export function fitCharLm(method: Optim, data: CorpusData, o: TrainOpts, lrs: number[], rng: Rng): Fit {
  let best: (ReturnType<typeof trainOnce> & { lr: number }) | null = null;
  for (const lr of lrs) {
    const r = trainOnce(method, data, o, lr, rng);
    const score = Number.isFinite(r.valLoss) ? r.valLoss : Infinity;
    if (best === null || score < best.valLoss) best = { ...r, lr, valLoss: score };
  }
  const b = best!;
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

/** What the `checks` method measures: the identity reductions of the subspace optimiser. */
export interface Checks {
  /** max |θ − θ_Adam| after `steps` steps with the identity projector (r = d, α = 1): 0 when GaLore/OSD ⊇ Adam. */
  identityGap: number;
  /** Largest ‖QᵀQ − I‖_F of GaLore's SVD projectors after `steps` steps with a projector refresh every 5. */
  svdOrthErr: number;
}

/** Runs the identity checks on a few steps of the real model and data. */
export function identityChecks(data: CorpusData, o: TrainOpts, rng: Rng, steps = 20): Checks {
  const [a, b, c] = [0, 1, 2].map(() => buildNet(data, o, rng));
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

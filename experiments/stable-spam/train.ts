/**
 * Pretraining the char-MLP language model (lib/math/nn/charlm.ts) on the Brown corpus with full-precision Adam,
 * and with Adam, SPAM and Stable-SPAM under fake INT4 quantisation of the hidden weights (lib/math/nn/spam.ts),
 * under one schedule and one learning-rate rule (lib/math/nn/charlm_fit.ts).
 *
 * Schedule: linear warm-up then cosine to `minLrRatio` (the official training_utils cosine), for every method.
 * Quantised: the hidden dense weights (the analogue of the LLaMA attn/mlp Linear weights the official
 * prepare_model_for_int8_training_simulation replaces); embedding, head and biases stay in float. Every optimiser acts
 * on every parameter (the official Stable-SPAM run passes all trainable parameters).
 *
 * Tuning: every method trains once per learning rate of the same grid, from the same initial weights and on the same
 * minibatch stream; the run keeps the rate with the lowest validation loss and reports its test loss; the validation
 * loss at every rate is kept for the lr-robustness claims (a diverged run counts as ln(vocab), the uniform model).
 */
import { Adam } from "../../lib/math/nn/optim.ts";
import { heldOutLoss, hiddenMatrices, sampleWindows } from "../../lib/math/nn/charlm.ts";
import {
  bestByValidation,
  type CharCorpus,
  type CharLmFit,
  charLmNet,
  type CharLmOpts,
  trainCharLmRun,
} from "../../lib/math/nn/charlm_fit.ts";
import type { Sequential } from "../../lib/math/nn/model.ts";
import { warmupCosine } from "../../lib/math/nn/schedules.ts";
import { FakeQuantized, Spam, StableSpam } from "../../lib/math/nn/spam.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** The four methods compared. */
export type Method = "adam" | "adam4" | "spam4" | "stablespam4";

/** Model, budget and optimiser settings. */
export interface SpamRunOpts extends CharLmOpts {
  bits: number;
  group: number;
  resetGap: number;
  spamThreshold: number;
  spamAccum: number;
  spamWarmup: number;
  gamma1: number;
  gamma2: number;
  gamma3: number;
  etaMin: number;
}

/** The chosen fit of one method and seed, with the validation loss at every learning rate. */
export interface Fit extends CharLmFit {
  method: Method;
  /** Final validation loss at each lr of the grid (non-finite: ln vocab). */
  valByLr: number[];
  /** Learning rates whose run diverged (non-finite loss) or ended above the uniform model. */
  diverged: number;
  /** Entries clipped as spikes in the chosen run (SPAM / Stable-SPAM). */
  clipped: number;
}

/** Adam over every parameter, in torch.optim.Adam's form, stepping through the network's parameters. */
export class AdamAll {
  readonly #opt: { p: { value: Float64Array | Float32Array; grad: Float64Array | Float32Array }; a: Adam }[];
  clipped = 0;
  constructor(net: Sequential, lr: number, schedule: (t: number) => number) {
    this.#opt = net.paramList().map((p) => ({ p, a: new Adam({ lr: (t) => lr * schedule(t) }) }));
  }
  step(): void {
    for (const { p, a } of this.#opt) a.step(p.value, p.grad);
  }
}

/** The optimiser of `method` over `net` (4-bit methods wrapped in the fake quantiser of the hidden weights). */
export function makeOptimizer(method: Method, net: Sequential, o: SpamRunOpts, lr: number) {
  const schedule = (t: number) => warmupCosine(t, o.steps, o.warmup, o.minLrRatio);
  const params = net.paramList();
  const inner = method === "adam" || method === "adam4"
    ? new AdamAll(net, lr, schedule)
    : method === "spam4"
    ? new Spam(params, {
      lr,
      schedule,
      resetGap: o.resetGap,
      threshold: o.spamThreshold,
      accum: o.spamAccum,
      restartWarmup: o.spamWarmup,
    })
    : new StableSpam(params, {
      lr,
      schedule,
      resetGap: o.resetGap,
      gamma1: o.gamma1,
      gamma2: o.gamma2,
      gamma3: o.gamma3,
      totalT: o.steps,
      etaMin: o.etaMin,
    });
  const outer = method === "adam" ? inner : new FakeQuantized(inner, hiddenMatrices(net), o.bits, o.group);
  return { step: () => outer.step(), clipped: () => inner.clipped };
}

/** Trains one net at learning rate `lr`; `rng` fixes the initial weights and the minibatch stream. */
export function trainOnce(method: Method, data: CharCorpus, o: SpamRunOpts, lr: number, rng: Rng) {
  const net = charLmNet(data.vocab, o, rng);
  const opt = makeOptimizer(method, net, o, lr);
  const run = trainCharLmRun(net, opt, data, o, rng.split("batches"));
  return { net, clipped: opt.clipped(), ...run };
}

/** Tries every learning rate in `lrs`, keeps the lowest validation loss, returns that fit with its test loss. */
export function fitSpam(method: Method, data: CharCorpus, o: SpamRunOpts, lrs: number[], rng: Rng): Fit {
  const uniform = Math.log(data.vocab), valByLr: number[] = [];
  const b = bestByValidation(lrs, (lr) => {
    const r = trainOnce(method, data, o, lr, rng);
    valByLr.push(Number.isFinite(r.valLoss) ? Math.min(r.valLoss, uniform) : uniform);
    return r;
  });
  return {
    method,
    lr: b.lr,
    valLoss: b.valLoss,
    testLoss: heldOutLoss(b.net, data.test),
    trainLoss: b.trainLoss,
    curve: b.curve,
    params: b.net.store.size,
    valByLr,
    diverged: valByLr.filter((v) => v >= uniform).length,
    clipped: b.clipped,
  };
}

/** Identity checks: Stable-SPAM with every part off equals torch Adam; the quantiser's grid and error bound. */
export interface SpamChecks {
  /** max |θ − θ_Adam| after `steps` steps of Stable-SPAM with clipping, normalisation, s and reset off. */
  adamGap: number;
  /** Largest number of distinct values in a quantisation group of the 4-bit hidden weights (≤ 16). */
  levels: number;
}

/**
 * Trains two copies of the same net on the same minibatches for `steps` steps: torch Adam and Stable-SPAM with every
 * part switched off (must agree to rounding); then reads the distinct values per group of a 4-bit quantised copy.
 */
export function spamChecks(data: CharCorpus, o: SpamRunOpts, rng: Rng, steps = 20): SpamChecks {
  const [a, b] = [0, 1].map(() => charLmNet(data.vocab, o, rng));
  const optA = new AdamAll(a, 0.01, () => 1);
  const optB = new StableSpam(b.paramList(), { lr: 0.01, clip: false, normalize: false, resetGap: 0, totalT: 0 });
  const stream = rng.split("batches");
  for (let t = 0; t < steps; t++) {
    const w = sampleWindows(data.train, o.context, o.batch, stream);
    for (const [net, opt] of [[a, optA], [b, optB]] as const) {
      net.lossAndGrad(w.x, w.y, o.batch);
      opt.step();
    }
  }
  let gap = 0;
  for (let i = 0; i < a.store.size; i++) gap = Math.max(gap, Math.abs(a.store.value[i] - b.store.value[i]));
  const q = new FakeQuantized(new AdamAll(a, 0, () => 1), hiddenMatrices(a), o.bits, o.group);
  let levels = 0;
  for (const p of q.quantized) {
    for (let s = 0; s < p.size; s += o.group) levels = Math.max(levels, new Set(p.value.subarray(s, s + o.group)).size);
  }
  return { adamGap: gap, levels };
}

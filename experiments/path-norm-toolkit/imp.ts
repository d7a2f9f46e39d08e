/**
 * Iterative magnitude pruning with rewinding, after the official agonon/pathnorm_toolkit `src/pathnorm/IMP/imp.py`
 * (`do_rewind`) and `scripts/2_train_imp.sh` (20 iterations, 20% per iteration, 90 epochs, rewind to epoch 5):
 *
 *   round 0: train the dense net for `epochs` epochs, keeping the weights θ_rw reached after `rewindEpochs`;
 *   round r ≥ 1: prune, per weight tensor, `rate` of its remaining weights by magnitude (the last dense layer:
 *   rate/2 — official "prune only half for the last layer"; biases are never pruned), rewind the surviving weights
 *   to θ_rw, and train the remaining `epochs − rewindEpochs` epochs with the schedule resumed at the rewind step.
 * Pruned weights are held at zero after every optimiser step (torch.nn.utils.prune's weight = weight_orig ⊙ mask).
 * SGD with momentum and L2 weight decay, cosine learning rate over the `epochs` of a round.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { cosine, type Examples, type Schedule, type Sequential, SGD, train } from "../../lib/math/nn/mod.ts";
import { magnitudeMask } from "../../lib/math/nn/prune.ts";
import { weightParams } from "./nets.ts";

/** The IMP schedule and the optimiser. */
export interface ImpCfg {
  rounds: number;
  rate: number;
  epochs: number;
  rewindEpochs: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  batch: number;
}

/** What a round hands to the caller's measurement. */
export interface RoundState {
  round: number;
  /** Fraction of all weights (biases excluded) at zero by the masks. */
  sparsity: number;
  /** Mean wall-clock ms of one training epoch in this round. */
  epochMs: number;
}

/** Cumulative per-tensor sparsity after `round` rounds at `rate` per round: 1 − (1 − rate)^round. */
export function impSparsity(rate: number, round: number): number {
  return 1 - (1 - rate) ** round;
}

/**
 * Runs rounds 0 … `rounds` of IMP on `net` (trained in place) over the examples `tr`, calling `atRoundEnd` after
 * each round's training with the trained (masked) net.
 */
export function imp<R>(
  net: Sequential,
  tr: Examples,
  cfg: ImpCfg,
  rng: Rng,
  atRoundEnd: (net: Sequential, s: RoundState) => R,
): R[] {
  const ws = weightParams(net), total = ws.reduce((s, p) => s + p.size, 0);
  const perEpoch = Math.ceil(tr.n / cfg.batch), steps = cfg.epochs * perEpoch, rewindStep = cfg.rewindEpochs * perEpoch;
  const lr: Schedule = cosine(cfg.lr, steps);
  let masks: Uint8Array[] | null = null;
  const applyMasks = () => {
    if (!masks) return;
    ws.forEach((p, t) => {
      const m = masks![t], v = p.value;
      for (let i = 0; i < v.length; i++) if (!m[i]) v[i] = 0;
    });
  };
  const run = (epochs: number, from: number, o: SGD) => {
    const t0 = performance.now();
    train({
      model: net,
      optimizer: o,
      ...tr,
      batchSize: cfg.batch,
      epochs,
      rng: rng.split(`epochs@${from}`),
      onStep: applyMasks,
    });
    return performance.now() - t0;
  };
  const out: R[] = [];
  let rewound: Float32Array | Float64Array | null = null;
  for (let round = 0; round <= cfg.rounds; round++) {
    let ms: number;
    if (round === 0) {
      const o = new SGD({ lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
      ms = run(cfg.rewindEpochs, 0, o);
      rewound = net.store.value.slice();
      ms += run(cfg.epochs - cfg.rewindEpochs, cfg.rewindEpochs, o);
    } else {
      masks = ws.map((p, t) => {
        const r = t === ws.length - 1 ? cfg.rate / 2 : cfg.rate;
        return magnitudeMask(p.value, impSparsity(r, round), masks?.[t]);
      });
      net.store.value.set(rewound!);
      applyMasks();
      const o = new SGD({
        lr: (t) => lr(t + rewindStep),
        momentum: cfg.momentum,
        weightDecay: cfg.weightDecay,
      });
      ms = run(cfg.epochs - cfg.rewindEpochs, round * cfg.epochs, o);
    }
    let zeros = 0;
    if (masks) { for (const m of masks) for (const v of m) zeros += v ? 0 : 1; }
    const epochs = round === 0 ? cfg.epochs : cfg.epochs - cfg.rewindEpochs;
    out.push(atRoundEnd(net, { round, sparsity: zeros / total, epochMs: ms / epochs }));
  }
  return out;
}

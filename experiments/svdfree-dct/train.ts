/**
 * Pretraining the char-MLP language model on the Brown corpus with full-rank Adam, GaLore (SVD projector), DCT
 * column selection or a random orthogonal basis with the same selection (lib/math/nn/subspace.ts), under the
 * schedule, initial weights, minibatch stream and learning-rate rule of experiments/online-subspace-descent
 * (lib/math/nn/charlm_fit.ts, `warmupCosine`), plus the projector comparison on recorded
 * gradients: the relative projection error ‖G − QQᵀG‖/‖G‖ and the wall time of one projector refresh.
 */
import type { Sequential } from "../../lib/math/nn/model.ts";
import { heldOutLoss, hiddenMatrices, sampleWindows } from "../../lib/math/nn/charlm.ts";
import {
  bestByValidation,
  type CharCorpus,
  type CharLmFit,
  charLmNet,
  type CharLmOpts,
  trainCharLmRun,
} from "../../lib/math/nn/charlm_fit.ts";
import { warmupCosine } from "../../lib/math/nn/schedules.ts";
import {
  dctBasis,
  projectionError,
  type ProjectorKind,
  randomOrthogonal,
  selectColumns,
  SubspaceAdam,
  topLeftSingular,
} from "../../lib/math/nn/subspace.ts";
import { median } from "../../lib/math/stats.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** The four optimisers compared. */
export type Optim = "adam" | "galore" | "dct" | "random";

const PROJECTOR: Record<Exclude<Optim, "adam">, ProjectorKind> = { galore: "svd", dct: "dct", random: "random" };

/** A hidden weight's gradient recorded during a full-rank Adam run, oriented d×e (the projected side first). */
export interface Recorded {
  g: Float64Array;
  d: number;
  e: number;
}

/** The corpus with the recorded gradients every projector is compared on. */
export interface DctData extends CharCorpus {
  grads: Recorded[];
}

/** The chosen fit of one method and seed. */
export interface Fit extends CharLmFit {
  method: Optim;
  /** Median ms of one projector refresh during the chosen run (NaN for Adam). */
  trainRefreshMs: number;
}

/** The optimiser of `method` over `net` (Adam: nothing projected); `seed` fixes the random basis. */
export function makeOptimizer(method: Optim, net: Sequential, o: CharLmOpts, lr: number, seed = 0): SubspaceAdam {
  return new SubspaceAdam(net.paramList(), method === "adam" ? [] : hiddenMatrices(net), {
    lr,
    schedule: (t) => warmupCosine(t, o.steps, o.warmup, o.minLrRatio),
    rank: o.rank,
    gap: o.gap,
    scale: method === "adam" ? 1 : o.scale,
    projector: method === "adam" ? "svd" : PROJECTOR[method],
    basisSeed: seed,
  });
}

/** Trains one net at learning rate `lr`; `rng` fixes the initial weights, the minibatch stream and the basis. */
export function trainOnce(method: Optim, data: CharCorpus, o: CharLmOpts, lr: number, rng: Rng) {
  const net = charLmNet(data.vocab, o, rng);
  const opt = makeOptimizer(method, net, o, lr, rng.split("basis").int(2 ** 30));
  return { net, opt, ...trainCharLmRun(net, opt, data, o, rng.split("batches")) };
}

/** Tries every learning rate in `lrs`, keeps the lowest validation loss, returns that fit with its test loss. */
export function fitCharLm(method: Optim, data: CharCorpus, o: CharLmOpts, lrs: number[], rng: Rng): Fit {
  const b = bestByValidation(lrs, (lr) => trainOnce(method, data, o, lr, rng));
  return {
    method,
    lr: b.lr,
    valLoss: b.valLoss,
    testLoss: heldOutLoss(b.net, data.test),
    trainLoss: b.trainLoss,
    curve: b.curve,
    trainRefreshMs: b.opt.refreshMs.length ? median(b.opt.refreshMs) : NaN,
    params: b.net.store.size,
  };
}

/**
 * Records the hidden weights' gradients (oriented d×e as the projector sees them) every `every` steps of a
 * full-rank Adam run of `steps` steps at learning rate `lr` (constant after the same warm-up).
 */
export function recordGradients(data: CharCorpus, o: CharLmOpts, lr: number, steps: number, every: number, rng: Rng) {
  const net = charLmNet(data.vocab, o, rng), stream = rng.split("batches");
  const opt = makeOptimizer("adam", net, { ...o, steps }, lr);
  const mats = hiddenMatrices(net), out: Recorded[] = [];
  for (let t = 1; t <= steps; t++) {
    const w = sampleWindows(data.train, o.context, o.batch, stream);
    net.lossAndGrad(w.x, w.y, o.batch);
    if (t % every === 0) {
      for (const p of mats) {
        const [m, n] = p.shape, right = m >= n, d = right ? n : m, e = right ? m : n, g = new Float64Array(d * e);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) g[right ? j * m + i : i * n + j] = p.grad[i * n + j];
        }
        out.push({ g, d, e });
      }
    }
    opt.step();
  }
  return out;
}

/** Projection error and refresh time of one projector on the recorded gradients. */
export interface ProjectorStats {
  /** Mean over the recorded gradients of ‖G − QQᵀG‖_F/‖G‖_F at rank r. */
  projErr: number;
  /** Median ms of one refresh (SVD, or S = BᵀG with the ℓ1 ranking) over gradients × `reps` repeats. */
  refreshMs: number;
}

/** The projector of `method` (not Adam) applied to each recorded gradient at rank `r`; `rng` draws the basis. */
export function projectorStats(
  method: Exclude<Optim, "adam">,
  grads: Recorded[],
  r: number,
  reps: number,
  rng: Rng,
): ProjectorStats {
  const bases = new Map<number, Float64Array>();
  const basis = (d: number) => {
    if (!bases.has(d)) bases.set(d, method === "dct" ? dctBasis(d) : randomOrthogonal(d, rng.split(d)));
    return bases.get(d)!;
  };
  const refresh = (x: Recorded, k: number) =>
    method === "galore" ? topLeftSingular(x.g, x.d, x.e, k) : selectColumns(basis(x.d), x.g, x.d, x.e, k).q;
  const times: number[] = [];
  let err = 0;
  for (const x of grads) {
    const k = Math.min(r, x.d);
    basis(x.d); // built once, outside the timed refresh (the paper's "computed once at the start")
    err += projectionError(refresh(x, k), x.g, x.d, x.e, k);
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      refresh(x, k);
      times.push(performance.now() - t0);
    }
  }
  return { projErr: err / grads.length, refreshMs: median(times) };
}

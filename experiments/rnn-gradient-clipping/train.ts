/**
 * The training loop of pascanur/trainingRNNs `RNN.py` (`jobman`): each iteration draws a fresh batch of `batch`
 * sequences, takes one BPTT gradient, adds α ∂Ω/∂W_hh when α > 0, rescales the whole gradient to norm ≤ `clip`
 * when clipping, and steps θ ← θ − η ĝ (the code's update has no momentum term). Every `checkEvery` iterations
 * the validation error is measured; training stops as solved when it is below `solvedBelow` (RNN.py: error <
 * 0.0001 %, i.e. no mistake). Plain SGD has no NaN guard (the code has none without clipping): a run whose
 * parameters become non-finite stops there, unsolved.
 */
import { gemmBackend } from "../../lib/math/nn/gemm.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { type Batch, errorRate, gradients, rescaleGradient, type Rnn, smartTanhInit, spectralRadius } from "./rnn.ts";
import type { Task } from "./tasks.ts";

/** One training run's settings. */
export interface TrainOpts {
  nHid: number;
  length: number;
  lr: number;
  iters: number;
  batch: number;
  /** Clipping threshold c (RNN.py `cutoff`); null: no clipping. */
  clip: number | null;
  /** Weight α of Ω (RNN.py `alpha`); 0: no regulariser. */
  alpha: number;
  checkEvery: number;
  solvedBelow: number;
}

/** A run's trace, one entry per validation check, and its end. */
export interface TrainResult {
  net: Rnn;
  /** Iterations at each check. */
  checks: number[];
  validError: number[];
  /** Mean raw gradient norm ‖∂(C + αΩ)/∂θ‖ over the iterations since the previous check. */
  gradNorm: number[];
  /** Largest norm of the applied (clipped) update direction ĝ over those iterations. */
  stepNormMax: number[];
  /** Mean Ω over those iterations (computed for every method, used only when α > 0). */
  omega: number[];
  /** ρ(W_hh) at each check. */
  rho: number[];
  /** Iteration at which the run stopped as solved, or −1. */
  solvedAt: number;
  diverged: boolean;
}

/** Train one network on fresh batches of `task` drawn from `rng`, validating on `valid`. */
export function trainRnn(task: Task, valid: Batch, opts: TrainOpts, rng: Rng): TrainResult {
  const gemm = gemmBackend();
  const net = smartTanhInit({ nIn: task.nIn, nHid: opts.nHid, nOut: task.nOut }, rng.split("init"));
  const data = rng.split("batches");
  const H = opts.nHid;
  const res: TrainResult = {
    net,
    checks: [],
    validError: [],
    gradNorm: [],
    stepNormMax: [],
    omega: [],
    rho: [],
    solvedAt: -1,
    diverged: false,
  };
  let sumNorm = 0, sumOmega = 0, maxStep = 0, since = 0;
  for (let it = 1; it <= opts.iters; it++) {
    const batch = task.generate(data, opts.batch, opts.length);
    const gr = gradients(net, batch, task.head, { withOmega: opts.alpha > 0, gemm });
    const grad = gr.grad;
    if (opts.alpha > 0) { for (let k = 0; k < H * H; k++) grad[k] += opts.alpha * gr.gOmega[k]; }
    let nrm: number;
    if (opts.clip !== null) nrm = rescaleGradient(grad, net, opts.clip);
    else {
      nrm = 0;
      for (let k = 0; k < grad.length; k++) nrm += grad[k] * grad[k];
      nrm = Math.sqrt(nrm);
    }
    let step = 0;
    for (let k = 0; k < grad.length; k++) {
      step += grad[k] * grad[k];
      net.theta[k] -= opts.lr * grad[k];
    }
    sumNorm += nrm;
    sumOmega += gr.omega;
    maxStep = Math.max(maxStep, Math.sqrt(step));
    since++;
    const finite = net.theta.every(Number.isFinite);
    if (!finite) res.diverged = true;
    if (it % opts.checkEvery === 0 || it === opts.iters || !finite) {
      const err = finite ? errorRate(net, valid, task.head, gemm) : 1;
      res.checks.push(it);
      res.validError.push(err);
      res.gradNorm.push(sumNorm / since);
      res.stepNormMax.push(maxStep);
      res.omega.push(sumOmega / since);
      res.rho.push(finite ? spectralRadius(net.Whh, H) : NaN);
      sumNorm =
        sumOmega =
        maxStep =
        since =
          0;
      if (!finite) break;
      if (err < opts.solvedBelow) {
        res.solvedAt = it;
        break;
      }
    }
  }
  return res;
}

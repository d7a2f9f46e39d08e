/**
 * Class-incremental Split-MNIST with a one-hidden-layer ReLU MLP (shared 10-way head), trained by plain SGD
 * either by fine-tuning on the current task only or with experience replay (ER): each step's minibatch of the
 * current task is concatenated with an equal-size minibatch drawn from a class-balanced memory of past tasks
 * (De Lange et al., ICLR'23, Sec. 3 "continual evaluation" setting; ER as in their Sec. 5 baselines).
 * The training loop hands the parameters to `onEval` every `evalEvery` steps and at every task boundary, so
 * accuracy on old tasks can be measured per iteration (the paper's continual evaluation). Backprop and the SGD step
 * run on the shared kit lib/math/nn; `onEval` sees `Params` that are views of the kit model's weights (copy to keep).
 */
import type { Linalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { Dense, ReLU, Sequential, SGD } from "../../lib/math/nn/mod.ts";
import { type Data, gather, type M, type Split } from "../../lib/math/nn/continual.ts";

export { type Data, type M, pool, type Split, splitTasks } from "../../lib/math/nn/continual.ts";
export interface Params {
  w1: M; // h × d
  b1: Float64Array;
  w2: M; // 10 × h
  b2: Float64Array;
}

/** PyTorch-style init: U(−1/√fan_in, 1/√fan_in) for weights and biases. */
export function initParams(d: number, h: number, rng: Rng): Params {
  const u = (n: number, fan: number) =>
    Float64Array.from({ length: n }, () => (2 * rng.uniform() - 1) / Math.sqrt(fan));
  return { w1: mat(h, d, u(h * d, d)), b1: u(h, d), w2: mat(10, h, u(10 * h, h)), b2: u(10, h) };
}

/** Logits z = W2 relu(W1 x + b1) + b2 for the rows of x, and the hidden pre-activations. */
export function forward(la: Linalg, p: Params, x: M): { pre: M; h: M; z: M } {
  const pre = la.matmul(x, p.w1, { transB: true }) as M;
  const hd = p.b1.length;
  for (let i = 0; i < pre.data.length; i++) pre.data[i] += p.b1[i % hd];
  const h = mat(pre.rows, pre.cols, pre.data.map((v) => Math.max(v, 0)));
  const z = la.matmul(h, p.w2, { transB: true }) as M;
  for (let i = 0; i < z.data.length; i++) z.data[i] += p.b2[i % 10];
  return { pre, h, z };
}

/** The kit network z = W2 relu(W1 x + b1) + b2 (weights n_out × n_in, as `Params`), on `la`'s backend. */
function kitModel(la: Linalg, d: number, h: number): Sequential {
  const dense = (units: number) => new Dense(units, { transposed: true });
  return new Sequential([dense(h), new ReLU(), dense(10)], [d], { backend: la.info.kind });
}

/** `Params` whose arrays are views into the model's parameter store (updating one updates the other). */
function viewsOf(m: Sequential): Params {
  const g = (name: string) => m.store.get(name);
  const w1 = g("0.w"), w2 = g("2.w");
  return {
    w1: mat(w1.shape[0], w1.shape[1], w1.value as Float64Array),
    b1: g("0.b").value as Float64Array,
    w2: mat(w2.shape[0], w2.shape[1], w2.value as Float64Array),
    b2: g("2.b").value as Float64Array,
  };
}

/** Mean softmax cross-entropy over the rows of x and its gradient (backprop on lib/math/nn). */
export function lossGrad(la: Linalg, p: Params, x: M, y: Uint8Array): { loss: number; grad: Params } {
  const m = kitModel(la, x.cols, p.b1.length), v = viewsOf(m);
  v.w1.data.set(p.w1.data);
  v.b1.set(p.b1);
  v.w2.data.set(p.w2.data);
  v.b2.set(p.b2);
  const loss = m.lossAndGrad(x.data, y, x.rows);
  const g = (name: string) => Float64Array.from(m.store.get(name).grad);
  return {
    loss,
    grad: { w1: mat(p.w1.rows, p.w1.cols, g("0.w")), b1: g("0.b"), w2: mat(10, p.w2.cols, g("2.w")), b2: g("2.b") },
  };
}

/** Class-incremental accuracy (argmax over all 10 outputs) on a split. */
export function accuracy(la: Linalg, p: Params, s: Split): number {
  const { z } = forward(la, p, s.x);
  let ok = 0;
  for (let i = 0; i < s.x.rows; i++) {
    let arg = 0;
    for (let k = 1; k < 10; k++) if (z.data[i * 10 + k] > z.data[i * 10 + arg]) arg = k;
    if (arg === s.y[i]) ok++;
  }
  return ok / s.x.rows;
}

/**
 * Class-balanced memory after task t: `memory / #seen classes` digits per seen class, keeping the earlier
 * ones (truncated) and sampling the new classes' at random from their task's training digits.
 */
export function updateMemory(mem: [Split, number][], task: Split, seen: number, memory: number, rng: Rng) {
  const perClass = Math.floor(memory / seen);
  const byClass = new Map<number, [Split, number][]>();
  for (const e of mem) (byClass.get(e[0].y[e[1]]) ?? byClass.set(e[0].y[e[1]], []).get(e[0].y[e[1]])!).push(e);
  const out: [Split, number][] = [];
  for (const list of byClass.values()) out.push(...list.slice(0, perClass));
  const order = rng.permutation(task.y.length);
  const added = new Map<number, number>();
  for (const r of order) {
    const c = task.y[r], k = added.get(c) ?? 0;
    if (k < perClass) (added.set(c, k + 1), out.push([task, r]));
  }
  return out;
}

export interface TrainConfig {
  hidden: number;
  itersPerTask: number;
  batch: number;
  lr: number;
  memory: number;
  evalEvery: number;
}

/**
 * Sequential SGD over the tasks. `replay`: concatenate a current-task minibatch with an equal-size one drawn
 * uniformly from the memory (ER). `onEval(step, params, task)` sees the parameters before the update of
 * global step `step`, every `evalEvery` steps, at each task boundary and after the last step.
 */
export function trainSequence(
  la: Linalg,
  data: Data,
  cfg: TrainConfig,
  replay: boolean,
  rng: Rng,
  onEval: (step: number, p: Params, task: number) => void,
): Params {
  const d = data.train[0].x.cols, T = data.train.length, I = cfg.itersPerTask;
  const init = initParams(d, cfg.hidden, rng.split("init"));
  const model = kitModel(la, d, cfg.hidden), p = viewsOf(model), opt = new SGD({ lr: cfg.lr });
  p.w1.data.set(init.w1.data);
  p.b1.set(init.b1);
  p.w2.data.set(init.w2.data);
  p.b2.set(init.b2);
  const r = rng.split("batches");
  let mem: [Split, number][] = [];
  for (let t = 0; t < T; t++) {
    const cur = data.train[t];
    for (let i = 0; i < I; i++) {
      const step = t * I + i;
      if (step % cfg.evalEvery === 0 || i === 0) onEval(step, p, t);
      const pairs: [Split, number][] = Array.from({ length: cfg.batch }, () => [cur, r.int(cur.y.length)]);
      if (replay && mem.length > 0) { for (let k = 0; k < cfg.batch; k++) pairs.push(mem[r.int(mem.length)]); }
      const b = gather(pairs, d);
      model.lossAndGrad(b.x.data, b.y, b.x.rows);
      opt.step(model.store.value, model.store.grad);
    }
    if (replay) mem = updateMemory(mem, cur, data.classes.slice(0, t + 1).flat().length, cfg.memory, r.split(t));
  }
  onEval(T * I, p, T - 1);
  return p;
}

/** A parameter snapshot, stored in float32 to keep per-iteration snapshots small. */
export function snapshot(p: Params): Params {
  const f = (a: Float64Array) => Float64Array.from(new Float32Array(a));
  return {
    w1: mat(p.w1.rows, p.w1.cols, f(p.w1.data)),
    b1: f(p.b1),
    w2: mat(10, p.w2.cols, f(p.w2.data)),
    b2: f(p.b2),
  };
}

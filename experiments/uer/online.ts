/**
 * Online class-incremental learning with a replay memory: an MLP body f(x) (ReLU features) under a bias-free linear
 * head W (classes × h), whose dot-product logit for class j factors as z_j = w_j·f = ‖w_j‖ ‖f‖ cos θ_j (norm
 * factor ‖w_j‖ ‖f‖, angle factor cos θ_j). Every incoming minibatch is seen once (single pass); rehearsal methods
 * add a loss on a minibatch drawn from a reservoir memory, and the two mean losses are summed (as ER and ER-ACE in
 * Caccia et al.'s code, pclucas14/AML methods/er.py, er_ace.py). The incoming-batch loss is what differs:
 *
 * - finetune: cross-entropy (CE) on dot-product logits, no replay (lower bound).
 * - er: CE on dot-product logits for incoming and replayed examples.
 * - ace: ER-ACE (asymmetric CE): the incoming CE masks the logits of classes already seen but absent from the
 *   incoming batch (classes present and classes ≥ the largest seen class stay, as in AML's er_ace.py); replay CE
 *   is over all logits.
 * - uer: UER as we read its abstract (Lin et al., 2023): incoming examples are learned by the angle factor only,
 *   CE on s·cos θ (s a fixed scale); replayed examples by both factors, CE on dot-product logits.
 *
 * Prediction is the arg-max of the dot-product logits for every method. The body and its SGD step run on the kit
 * (lib/math/nn); the head's logits and their gradients (dot, masked, cosine) are written out here.
 */
import { Dense, ReLU, Sequential, SGD } from "../../lib/math/nn/mod.ts";
import { type Data, gather, Reservoir, type Split } from "../../lib/math/nn/continual.ts";
import type { Rng } from "../../lib/math/rng.ts";

export type MethodId = "finetune" | "er" | "ace" | "uer";
/** How a row's logits are formed for its loss: dot product, masked dot product (ACE), or scaled cosine. */
export type HeadKind = "dot" | "masked" | "cos";
/** F.normalize's ε: norms below it are replaced by it. */
export const NORM_EPS = 1e-12;

export interface OnlineConfig {
  hidden: number;
  /** Hidden ReLU layers of the body. */
  depth: number;
  /** Incoming minibatch size (the stream's batch). */
  batch: number;
  /** Replay minibatch size. */
  replayBatch: number;
  memory: number;
  lr: number;
  /** UER's cosine-logit scale s. */
  scale: number;
}

/** The network: a kit body (Dense+ReLU layers) and a bias-free head W, classes × h, row-major. */
export interface Net {
  body: Sequential;
  w: Float64Array;
  hidden: number;
  classes: number;
}

/** Body of `depth` Dense(hidden)+ReLU layers; weights U(±1/√fan_in) (PyTorch's default bound), zero biases. */
export function makeNet(d: number, cfg: { hidden: number; depth: number }, classes: number, rng: Rng): Net {
  const layers = [];
  for (let i = 0; i < cfg.depth; i++) {
    const bound = 1 / Math.sqrt(i === 0 ? d : cfg.hidden);
    layers.push(new Dense(cfg.hidden, { transposed: true, init: { uniform: bound }, biasInit: "zeros" }), new ReLU());
  }
  const body = new Sequential(layers, [d], { rng: rng.split("body") });
  const r = rng.split("head"), a = 1 / Math.sqrt(cfg.hidden);
  const w = Float64Array.from({ length: classes * cfg.hidden }, () => (2 * r.uniform() - 1) * a);
  return { body, w, hidden: cfg.hidden, classes };
}

/** Row norms of the head (‖w_j‖, floored at NORM_EPS). */
function rowNorms(w: Float64Array, C: number, h: number): Float64Array {
  const n = new Float64Array(C);
  for (let j = 0; j < C; j++) {
    let s = 0;
    for (let k = 0; k < h; k++) s += w[j * h + k] ** 2;
    n[j] = Math.max(Math.sqrt(s), NORM_EPS);
  }
  return n;
}

/** Logits of feature rows f (n × h): dot products w_j·f, or cosines s·cos θ_j when `cos` is given. */
export function logits(f: ArrayLike<number>, n: number, net: Net, cos?: { scale: number }): Float64Array {
  const { w, hidden: h, classes: C } = net, z = new Float64Array(n * C);
  const wn = cos ? rowNorms(w, C, h) : null;
  for (let i = 0; i < n; i++) {
    let fn = 0;
    if (cos) {
      for (let k = 0; k < h; k++) fn += f[i * h + k] ** 2;
      fn = Math.max(Math.sqrt(fn), NORM_EPS);
    }
    for (let j = 0; j < C; j++) {
      let s = 0;
      for (let k = 0; k < h; k++) s += w[j * h + k] * f[i * h + k];
      z[i * C + j] = cos ? cos.scale * s / (fn * wn![j]) : s;
    }
  }
  return z;
}

/**
 * Softmax CE of one row of logits over the classes `keep` allows (all when null); writes weight·∂L/∂z into g.
 * Returns the row's loss.
 */
function rowCE(z: Float64Array, y: number, keep: boolean[] | null, weight: number, g: Float64Array): number {
  const C = z.length;
  let mx = -Infinity;
  for (let j = 0; j < C; j++) if ((!keep || keep[j]) && z[j] > mx) mx = z[j];
  let s = 0;
  for (let j = 0; j < C; j++) if (!keep || keep[j]) s += Math.exp(z[j] - mx);
  const lse = mx + Math.log(s);
  for (let j = 0; j < C; j++) g[j] = !keep || keep[j] ? weight * Math.exp(z[j] - lse) : 0;
  g[y] -= weight;
  return lse - z[y];
}

/**
 * The head's loss over feature rows f (n × h) with labels y, each row scored by `kinds[i]` and weighted by
 * `weights[i]` (1/#rows of its part, so each part's loss is a mean): returns Σ_i weights[i]·L_i and adds
 * ∂/∂W into dW, writes ∂/∂f into df. `keep` is ER-ACE's mask of allowed classes for "masked" rows.
 */
export function headLoss(
  net: Net,
  f: ArrayLike<number>,
  y: ArrayLike<number>,
  kinds: readonly HeadKind[],
  weights: readonly number[],
  o: { scale: number; keep?: boolean[] },
  dW: Float64Array,
  df: Float64Array,
): number {
  const { w, hidden: h, classes: C } = net, n = kinds.length;
  const wn = rowNorms(w, C, h);
  const z = new Float64Array(C), g = new Float64Array(C), cosv = new Float64Array(C);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const fi = i * h, kind = kinds[i];
    let fn = 0;
    for (let k = 0; k < h; k++) fn += f[fi + k] ** 2;
    const fnRaw = Math.sqrt(fn);
    fn = Math.max(fnRaw, NORM_EPS);
    for (let j = 0; j < C; j++) {
      let s = 0;
      for (let k = 0; k < h; k++) s += w[j * h + k] * f[fi + k];
      cosv[j] = s / (fn * wn[j]);
      z[j] = kind === "cos" ? o.scale * cosv[j] : s;
    }
    total += weights[i] * rowCE(z, y[i], kind === "masked" ? o.keep ?? null : null, weights[i], g);
    for (let k = 0; k < h; k++) df[fi + k] = 0;
    for (let j = 0; j < C; j++) {
      const gj = g[j];
      if (gj === 0) continue;
      const wj = j * h;
      if (kind !== "cos") {
        for (let k = 0; k < h; k++) {
          dW[wj + k] += gj * f[fi + k];
          df[fi + k] += gj * w[wj + k];
        }
        continue;
      }
      // z_j = s (w_j/‖w_j‖)·(f/‖f‖): ∂z_j/∂f = s (v_j − cos_j u)/‖f‖, ∂z_j/∂w_j = s (u − cos_j v_j)/‖w_j‖,
      // u = f/‖f‖, v_j = w_j/‖w_j‖ (below the ε floor the normalisation is a fixed 1/ε scaling: no projection).
      const a = o.scale * gj, projF = fnRaw >= NORM_EPS, projW = wn[j] > NORM_EPS;
      for (let k = 0; k < h; k++) {
        const u = f[fi + k] / fn, v = w[wj + k] / wn[j];
        df[fi + k] += a * (v - (projF ? cosv[j] * u : 0)) / fn;
        dW[wj + k] += a * (u - (projW ? cosv[j] * v : 0)) / wn[j];
      }
    }
  }
  return total;
}

/** ER-ACE's class mask for an incoming batch: classes present in it, and every class ≥ the largest seen. */
export function aceKeep(present: Iterable<number>, maxSeen: number, classes: number): boolean[] {
  const keep = Array.from({ length: classes }, (_, j) => j >= maxSeen);
  for (const c of present) keep[c] = true;
  return keep;
}

/** Features (post-ReLU outputs of the body) of the rows of a split, as a fresh array. */
export function features(net: Net, s: Split): Float64Array {
  return Float64Array.from(net.body.predict(s.x.data, s.x.rows));
}

/** Class-incremental accuracy of a split by arg-max of dot-product (or, with `cos`, cosine) logits. */
export function accuracy(net: Net, s: Split, cos = false): number {
  const n = s.x.rows, C = net.classes, z = logits(features(net, s), n, net, cos ? { scale: 1 } : undefined);
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let arg = 0;
    for (let j = 1; j < C; j++) if (z[i * C + j] > z[i * C + arg]) arg = j;
    if (arg === s.y[i]) ok++;
  }
  return n ? ok / n : 0;
}

/** Fraction of a split's rows predicted (dot-product logits) as one of `cls`. */
export function predictedIn(net: Net, s: Split, cls: readonly number[]): number {
  const n = s.x.rows, C = net.classes, z = logits(features(net, s), n, net);
  let k = 0;
  for (let i = 0; i < n; i++) {
    let arg = 0;
    for (let j = 1; j < C; j++) if (z[i * C + j] > z[i * C + arg]) arg = j;
    if (cls.includes(arg)) k++;
  }
  return n ? k / n : 0;
}

/**
 * One online pass over the tasks' training streams (each task's examples shuffled once, then `batch` at a time,
 * each minibatch used for one SGD step), training `method`. Returns the trained network.
 */
export function trainOnline(data: Data, cfg: OnlineConfig, method: MethodId, rng: Rng): Net {
  const d = data.train[0].x.cols, C = 10;
  const net = makeNet(d, cfg, C, rng.split("init"));
  const opt = new SGD({ lr: cfg.lr }), headOpt = new SGD({ lr: cfg.lr });
  const mem = new Reservoir(cfg.memory), r = rng.split("stream"), rm = rng.split("memory");
  const dW = new Float64Array(net.w.length);
  let maxSeen = -1;
  for (let t = 0; t < data.train.length; t++) {
    const cur = data.train[t], order = r.split(t).permutation(cur.y.length);
    for (let off = 0; off < order.length; off += cfg.batch) {
      const rows = Array.from(order.subarray(off, Math.min(off + cfg.batch, order.length)));
      const inc = rows.map((row) => [cur, row] as const);
      const rep = method === "finetune" || mem.size === 0 ? [] : mem.sample(cfg.replayBatch, rm);
      const b = gather([...inc, ...rep], d), n = b.y.length, ni = inc.length, nr = rep.length;
      for (const row of rows) maxSeen = Math.max(maxSeen, cur.y[row]);
      const kinds: HeadKind[] = [], weights: number[] = [];
      const incKind: HeadKind = method === "ace" ? "masked" : method === "uer" ? "cos" : "dot";
      for (let i = 0; i < n; i++) {
        kinds.push(i < ni ? incKind : "dot");
        weights.push(i < ni ? 1 / ni : 1 / nr);
      }
      const keep = method === "ace" ? aceKeep(rows.map((row) => cur.y[row]), maxSeen, C) : undefined;
      const ctx = net.body.ctx();
      net.body.store.zeroGrad();
      const f = net.body.forward(b.x.data, n, true, ctx);
      const df = new Float64Array(n * cfg.hidden);
      dW.fill(0);
      headLoss(net, f, b.y, kinds, weights, { scale: cfg.scale, keep }, dW, df);
      net.body.backward(df, n, ctx);
      opt.step(net.body.store.value, net.body.store.grad);
      headOpt.step(net.w, dW);
      if (method !== "finetune") { for (const row of rows) mem.add(cur, row, rm); }
    }
  }
  return net;
}

/** max_ij |w_j·f_i − ‖w_j‖‖f_i‖ cos θ_ij| / max_ij |w_j·f_i| over a split's rows: the factorization identity. */
export function factorError(net: Net, s: Split): number {
  const n = s.x.rows, h = net.hidden, C = net.classes, f = features(net, s);
  const z = logits(f, n, net), c = logits(f, n, net, { scale: 1 }), wn = rowNorms(net.w, C, h);
  let err = 0, big = 0;
  for (let i = 0; i < n; i++) {
    let fn = 0;
    for (let k = 0; k < h; k++) fn += f[i * h + k] ** 2;
    fn = Math.max(Math.sqrt(fn), NORM_EPS);
    for (let j = 0; j < C; j++) {
      err = Math.max(err, Math.abs(z[i * C + j] - wn[j] * fn * c[i * C + j]));
      big = Math.max(big, Math.abs(z[i * C + j]));
    }
  }
  return big > 0 ? err / big : 0;
}

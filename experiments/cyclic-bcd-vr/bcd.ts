/**
 * Cyclic block coordinate descent with recursive (SPIDER/SARAH-type) variance reduction on a small tanh MLP whose
 * layers are the blocks, with an optional ℓ1 prox term, and the baselines it is compared with (randomized BCD,
 * minibatch SGD, Adam). Gradient evaluations are counted in one unit for all methods: one sample's gradient with
 * respect to one block costs 1/m (m blocks), so a full per-sample gradient costs 1 and a pass over the n training
 * examples with full gradients costs n.
 */
import type { Rng } from "../../lib/math/rng.ts";

/** Training examples as rows of x (n × p), labels 0..classes − 1. */
export interface Examples {
  x: Float64Array;
  y: Uint8Array;
  n: number;
  p: number;
}

/** An MLP: layer widths and one parameter block per layer (W row-major out × in, then the bias). */
export interface Net {
  sizes: number[];
  blocks: Float64Array[];
}

export function initNet(sizes: number[], rng: Rng): Net {
  const blocks: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const a = sizes[l], b = sizes[l + 1];
    const w = new Float64Array(a * b + b);
    const s = 1 / Math.sqrt(a);
    for (let k = 0; k < a * b; k++) w[k] = s * rng.normal();
    blocks.push(w);
  }
  return { sizes, blocks };
}

export const cloneBlocks = (bs: Float64Array[]): Float64Array[] => bs.map((b) => b.slice());

/**
 * Mean cross-entropy over examples idx of `d` and its gradient with respect to blocks `from` … m − 1 (the others are
 * returned empty: backpropagation stops below block `from`). tanh hidden units, softmax output.
 */
export function lossGrad(
  sizes: number[],
  blocks: Float64Array[],
  d: Examples,
  idx: ArrayLike<number>,
  from = 0,
  wantGrad = true,
): { loss: number; grad: Float64Array[] } {
  const L = sizes.length - 1, B = idx.length;
  const acts: Float64Array[] = [new Float64Array(B * sizes[0])];
  for (let i = 0; i < B; i++) acts[0].set(d.x.subarray(idx[i] * d.p, (idx[i] + 1) * d.p), i * d.p);
  for (let l = 0; l < L; l++) {
    const a = sizes[l], b = sizes[l + 1], W = blocks[l], h = acts[l];
    const out = new Float64Array(B * b);
    for (let i = 0; i < B; i++) {
      for (let o = 0; o < b; o++) {
        let s = W[a * b + o];
        const wo = o * a, hi = i * a;
        for (let k = 0; k < a; k++) s += W[wo + k] * h[hi + k];
        out[i * b + o] = l + 1 < L ? Math.tanh(s) : s;
      }
    }
    acts.push(out);
  }
  const C = sizes[L], z = acts[L];
  let loss = 0;
  const delta = new Float64Array(B * C);
  for (let i = 0; i < B; i++) {
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, z[i * C + c]);
    let se = 0;
    for (let c = 0; c < C; c++) se += Math.exp(z[i * C + c] - mx);
    const y = d.y[idx[i]];
    loss += Math.log(se) + mx - z[i * C + y];
    for (let c = 0; c < C; c++) delta[i * C + c] = (Math.exp(z[i * C + c] - mx) / se - (c === y ? 1 : 0)) / B;
  }
  loss /= B;
  const grad: Float64Array[] = blocks.map(() => new Float64Array(0));
  if (!wantGrad) return { loss, grad };
  let dl = delta;
  for (let l = L - 1; l >= from; l--) {
    const a = sizes[l], b = sizes[l + 1], W = blocks[l], h = acts[l];
    const g = new Float64Array(a * b + b);
    for (let i = 0; i < B; i++) {
      for (let o = 0; o < b; o++) {
        const e = dl[i * b + o];
        if (e === 0) continue;
        const wo = o * a, hi = i * a;
        for (let k = 0; k < a; k++) g[wo + k] += e * h[hi + k];
        g[a * b + o] += e;
      }
    }
    grad[l] = g;
    if (l > from) {
      const prev = new Float64Array(B * a);
      for (let i = 0; i < B; i++) {
        for (let o = 0; o < b; o++) {
          const e = dl[i * b + o];
          const wo = o * a, hi = i * a;
          for (let k = 0; k < a; k++) prev[hi + k] += e * W[wo + k];
        }
        for (let k = 0; k < a; k++) prev[i * a + k] *= 1 - h[i * a + k] * h[i * a + k];
      }
      dl = prev;
    }
  }
  return { loss, grad };
}

/** The gradient of block j alone at a point (backprop down to j only). */
export function blockGrad(sizes: number[], blocks: Float64Array[], d: Examples, idx: ArrayLike<number>, j: number) {
  return lossGrad(sizes, blocks, d, idx, j).grad[j];
}

/** prox of t·λ‖·‖₁ on the weights of a block (biases unpenalised): the soft-threshold, in place. */
export function softThreshold(x: Float64Array, t: number, nWeights = x.length): void {
  for (let k = 0; k < nWeights; k++) {
    const v = x[k];
    x[k] = v > t ? v - t : v < -t ? v + t : 0;
  }
}

/** Number of weights (not biases) in block l. */
export const weightsOf = (sizes: number[], l: number) => sizes[l] * sizes[l + 1];

/** F = f + λ‖W‖₁ on a set (full batch). */
export function objective(sizes: number[], blocks: Float64Array[], d: Examples, lambda: number): number {
  const all = Int32Array.from({ length: d.n }, (_, i) => i);
  let f = lossGrad(sizes, blocks, d, all, 0, false).loss;
  if (lambda > 0) {
    for (let l = 0; l < blocks.length; l++) {
      for (let k = 0; k < weightsOf(sizes, l); k++) f += lambda * Math.abs(blocks[l][k]);
    }
  }
  return f;
}

/**
 * Norm of the proximal gradient mapping G_t(x) = (x − prox_{tλ‖·‖₁}(x − t∇f(x)))/t on the full set (‖∇f‖ when
 * λ = 0): the stationarity measure of the composite problem.
 */
export function gradMapNorm(sizes: number[], blocks: Float64Array[], d: Examples, lambda: number, t: number): number {
  const all = Int32Array.from({ length: d.n }, (_, i) => i);
  const g = lossGrad(sizes, blocks, d, all).grad;
  let s = 0;
  for (let l = 0; l < blocks.length; l++) {
    const z = blocks[l].map((v, k) => v - t * g[l][k]);
    softThreshold(z, t * lambda, weightsOf(sizes, l));
    for (let k = 0; k < z.length; k++) s += ((blocks[l][k] - z[k]) / t) ** 2;
  }
  return Math.sqrt(s);
}

/** One training run's settings. */
export interface RunOpts {
  step: number;
  batch: number;
  /** Budget in gradient evaluations, in units of one sample's full gradient. */
  budget: number;
  lambda: number;
  /** VR-CD: a full-gradient cycle every `period` cycles. */
  period: number;
  /** Record (evaluations, state) this many times along the run. */
  checkpoints: number;
  /** VR-CD tests: use the whole set as every inner batch (then the estimator is the exact block gradient). */
  fullBatch?: boolean;
  /** Called after each block update with the block index and the iterate (tests). */
  onBlock?: (j: number, blocks: Float64Array[]) => void;
}

/** What a run leaves: its final blocks and the blocks at evenly spaced evaluation counts. */
export interface Trace {
  blocks: Float64Array[];
  at: { evals: number; blocks: Float64Array[] }[];
  evals: number;
}

function sampleBatch(n: number, b: number, rng: Rng): Int32Array {
  const out = new Int32Array(b);
  for (let i = 0; i < b; i++) out[i] = Math.floor(rng.uniform() * n);
  return out;
}

function recorder(o: RunOpts, blocks: Float64Array[]) {
  const at: Trace["at"] = [{ evals: 0, blocks: cloneBlocks(blocks) }];
  let next = 1;
  return {
    at,
    tick(evals: number) {
      while (next <= o.checkpoints && evals >= (next * o.budget) / o.checkpoints) {
        at.push({ evals, blocks: cloneBlocks(blocks) });
        next++;
      }
    },
  };
}

function proxStep(sizes: number[], x: Float64Array, g: Float64Array, l: number, o: RunOpts) {
  for (let k = 0; k < x.length; k++) x[k] -= o.step * g[k];
  if (o.lambda > 0) softThreshold(x, o.step * o.lambda, weightsOf(sizes, l));
}

/**
 * VR-CD: cycles over the blocks j = 1 … m in order; at cycle k block j uses the estimator
 *   g_k^j = ∇^j f(x_{k,j})                                              (k ≡ 0 mod period: full batch)
 *   g_k^j = g_{k−1}^j + ∇^j f_B(x_{k,j}) − ∇^j f_B(x_{k−1,j})            (otherwise, one batch B per cycle)
 * at the partially updated point x_{k,j} = (x_k^1, …, x_k^{j−1}, x_{k−1}^j, …, x_{k−1}^m), then takes the prox step
 * x_k^j = prox_{ηr^j}(x_{k−1}^j − η g_k^j). Cost: n/m per block on full cycles, 2|B|/m per block otherwise.
 */
export function vrcd(net: Net, d: Examples, o: RunOpts, rng: Rng): Trace {
  const { sizes } = net, m = net.blocks.length;
  const x = cloneBlocks(net.blocks);
  const rec = recorder(o, x);
  const all = Int32Array.from({ length: d.n }, (_, i) => i);
  const g: Float64Array[] = x.map((b) => new Float64Array(b.length));
  let prevPts: Float64Array[][] = [];
  let evals = 0;
  for (let k = 0; evals < o.budget; k++) {
    const full = k % o.period === 0;
    const batch = full || o.fullBatch ? all : sampleBatch(d.n, o.batch, rng);
    const pts: Float64Array[][] = [];
    for (let j = 0; j < m; j++) {
      const here = cloneBlocks(x);
      pts.push(here);
      if (full) {
        g[j] = blockGrad(sizes, here, d, all, j);
        evals += d.n / m;
      } else {
        const now = blockGrad(sizes, here, d, batch, j), before = blockGrad(sizes, prevPts[j], d, batch, j);
        for (let t = 0; t < now.length; t++) g[j][t] += now[t] - before[t];
        evals += (2 * batch.length) / m;
      }
      proxStep(sizes, x[j], g[j], j, o);
      o.onBlock?.(j, x);
    }
    prevPts = pts;
    rec.tick(evals);
  }
  return { blocks: x, at: rec.at, evals };
}

/** Randomized BCD: each step one block drawn uniformly, a minibatch block gradient and a prox step. Cost |B|/m. */
export function rbcd(net: Net, d: Examples, o: RunOpts, rng: Rng): Trace {
  const { sizes } = net, m = net.blocks.length;
  const x = cloneBlocks(net.blocks);
  const rec = recorder(o, x);
  let evals = 0;
  while (evals < o.budget) {
    const j = Math.min(m - 1, Math.floor(rng.uniform() * m));
    const batch = sampleBatch(d.n, o.batch, rng);
    proxStep(sizes, x[j], blockGrad(sizes, x, d, batch, j), j, o);
    o.onBlock?.(j, x);
    evals += o.batch / m;
    rec.tick(evals);
  }
  return { blocks: x, at: rec.at, evals };
}

/** Minibatch (proximal) SGD on all blocks at once. Cost |B| per step. */
export function sgd(net: Net, d: Examples, o: RunOpts, rng: Rng): Trace {
  const { sizes } = net;
  const x = cloneBlocks(net.blocks);
  const rec = recorder(o, x);
  let evals = 0;
  while (evals < o.budget) {
    const g = lossGrad(sizes, x, d, sampleBatch(d.n, o.batch, rng)).grad;
    for (let l = 0; l < x.length; l++) proxStep(sizes, x[l], g[l], l, o);
    evals += o.batch;
    rec.tick(evals);
  }
  return { blocks: x, at: rec.at, evals };
}

/** Adam (β = 0.9, 0.999, ε = 1e-8; Kingma & Ba 2015), followed by the ℓ1 prox when λ > 0. Cost |B| per step. */
export function adam(net: Net, d: Examples, o: RunOpts, rng: Rng): Trace {
  const { sizes } = net;
  const x = cloneBlocks(net.blocks);
  const mom = x.map((b) => new Float64Array(b.length)), vel = x.map((b) => new Float64Array(b.length));
  const rec = recorder(o, x);
  let evals = 0;
  for (let t = 1; evals < o.budget; t++) {
    const g = lossGrad(sizes, x, d, sampleBatch(d.n, o.batch, rng)).grad;
    const c1 = 1 - 0.9 ** t, c2 = 1 - 0.999 ** t;
    for (let l = 0; l < x.length; l++) {
      for (let k = 0; k < x[l].length; k++) {
        mom[l][k] = 0.9 * mom[l][k] + 0.1 * g[l][k];
        vel[l][k] = 0.999 * vel[l][k] + 0.001 * g[l][k] * g[l][k];
        x[l][k] -= (o.step * mom[l][k]) / c1 / (Math.sqrt(vel[l][k] / c2) + 1e-8);
      }
      if (o.lambda > 0) softThreshold(x[l], o.step * o.lambda, weightsOf(sizes, l));
    }
    evals += o.batch;
    rec.tick(evals);
  }
  return { blocks: x, at: rec.at, evals };
}

export const OPTIMIZERS = { vrcd, rbcd, sgd, adam } as const;
export type OptimizerId = keyof typeof OPTIMIZERS;

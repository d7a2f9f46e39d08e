/**
 * Tabula-rasa RL with ES on an MLP policy: OpenES (full-rank noise) vs EGGROLL (rank-r noise on every weight
 * matrix), as the official noisers do it (see lib/math/es.ts): antithetic pairs, z-scored fitnesses, biases with
 * full-rank noise in both, update √N·(1/N)Σ sᵢσεᵢ handed to the optimiser.
 *
 * Policy: obs → h → h → act, tanh hidden activations, weights N(0, 1/fan-in) (the official `MM.rand_init`),
 * zero biases. A member's forward pass: OpenES materialises its own W ± σE per layer (mn numbers) and multiplies;
 * EGGROLL multiplies the shared W and adds ±σ·A(Bᵀx)/√r, so it never forms an m×n perturbation.
 */
import type { Rng } from "../../lib/math/rng.ts";
import {
  accumulate,
  adamAscent,
  addNoiseMatVec,
  type Ascent,
  type MatrixNoise,
  normalizeFitness,
  sampleNoise,
} from "../../lib/math/es.ts";
import type { Env } from "./envs.ts";

export interface Layer {
  m: number; // out
  n: number; // in
  w: number; // offset of W (m×n, row-major) in the flat parameters
  b: number; // offset of the bias (m)
}

export interface Policy {
  layers: Layer[];
  size: number;
}

export function makePolicy(sizes: number[]): Policy {
  const layers: Layer[] = [];
  let off = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const n = sizes[l], m = sizes[l + 1];
    layers.push({ m, n, w: off, b: off + m * n });
    off += m * n + m;
  }
  return { layers, size: off };
}

export function initParams(p: Policy, rng: Rng): Float64Array {
  const th = new Float64Array(p.size);
  for (const L of p.layers) {
    const s = 1 / Math.sqrt(L.n);
    for (let i = 0; i < L.m * L.n; i++) th[L.w + i] = rng.normal() * s;
  }
  return th;
}

/** One pair's noise: per layer a matrix draw and a bias draw. */
interface PairNoise {
  mats: MatrixNoise[];
  bias: Float64Array[];
}

function samplePair(p: Policy, rank: number, rng: Rng): PairNoise {
  return {
    mats: p.layers.map((L) => sampleNoise(rng, L.m, L.n, rank)),
    bias: p.layers.map((L) => rng.normal(L.m)),
  };
}

/**
 * Roll out `pop` members for one episode each (all from initial states drawn from `envRng`). Member i uses
 * θ + sign·σ·noise[i>>1] (sign + for even i), or θ itself when `noise` is null. Returns the returns.
 */
export function rollout(
  env: Env,
  p: Policy,
  theta: Float64Array,
  pop: number,
  envRng: Rng,
  noise: PairNoise[] | null,
  sigma: number,
  rank: number,
): Float64Array {
  const L = p.layers, width = Math.max(...L.map((l) => l.m), env.obsDim);
  // OpenES: materialise each member's perturbed parameters once per episode.
  let own: Float64Array[] | null = null;
  if (noise && rank === 0) {
    own = [];
    for (let i = 0; i < pop; i++) {
      const t = theta.slice(), sg = i % 2 === 0 ? sigma : -sigma, d = noise[i >> 1];
      L.forEach((l, k) => {
        const e = (d.mats[k] as { e: Float64Array }).e;
        for (let q = 0; q < l.m * l.n; q++) t[l.w + q] += sg * e[q];
        for (let q = 0; q < l.m; q++) t[l.b + q] += sg * d.bias[k][q];
      });
      own.push(t);
    }
  }
  const state = env.reset(envRng, pop), obs = new Float64Array(pop * env.obsDim);
  const bufA = new Float64Array(width), bufB = new Float64Array(width), out = new Float64Array(pop * env.actDim);
  const tmp = new Float64Array(64);
  const ret = new Float64Array(pop), alive = new Uint8Array(pop).fill(1);
  let live = pop;
  for (let t = 0; t < env.maxSteps && live > 0; t++) {
    env.observe(state, obs, pop);
    for (let i = 0; i < pop; i++) {
      if (!alive[i]) continue;
      const th = own ? own[i] : theta, sg = i % 2 === 0 ? sigma : -sigma;
      let x: Float64Array = bufA, y: Float64Array = bufB;
      for (let j = 0; j < env.obsDim; j++) x[j] = obs[i * env.obsDim + j];
      for (let k = 0; k < L.length; k++) {
        const l = L[k];
        for (let r = 0; r < l.m; r++) {
          let acc = th[l.b + r];
          const row = l.w + r * l.n;
          for (let j = 0; j < l.n; j++) acc += th[row + j] * x[j];
          y[r] = acc;
        }
        if (noise && !own) {
          // EGGROLL: shared W plus the member's low-rank (and bias) perturbation.
          const d = noise[i >> 1];
          addNoiseMatVec(d.mats[k], l.m, l.n, x, 0, sg, y, 0, tmp);
          for (let r = 0; r < l.m; r++) y[r] += sg * d.bias[k][r];
        }
        if (k + 1 < L.length) { for (let r = 0; r < l.m; r++) y[r] = Math.tanh(y[r]); }
        const s = x;
        x = y;
        y = s;
      }
      for (let a = 0; a < env.actDim; a++) out[i * env.actDim + a] = x[a];
      const { reward, done } = env.step(state, i, out);
      ret[i] += reward;
      if (done) {
        alive[i] = 0;
        live--;
      }
    }
  }
  return ret;
}

export interface EsOptions {
  env: Env;
  hidden: number;
  population: number;
  generations: number;
  sigma: number;
  lr: number;
  /** 0: full-rank OpenES; r > 0: EGGROLL with rank r. */
  rank: number;
  /** Episodes (fixed initial states) the final policy is scored on. */
  evalEpisodes: number;
}

export interface EsResult {
  theta: Float64Array;
  /** Mean population return per generation. */
  curve: number[];
  /** Normal draws per pair per generation (the auxiliary noise each member needs). */
  noiseNumbers: number;
}

/** Run ES from θ₀ for the given generations; every random stream derives from `rng`. */
export function trainEs(o: EsOptions, theta0: Float64Array, p: Policy, rng: Rng): EsResult {
  const theta = theta0.slice(), P = o.population / 2, N = o.population;
  const opt: Ascent = adamAscent(o.lr, p.size);
  const curve: number[] = [];
  let noiseNumbers = 0;
  for (const l of p.layers) noiseNumbers += (o.rank > 0 ? o.rank * (l.m + l.n) : l.m * l.n) + l.m;
  for (let gen = 0; gen < o.generations; gen++) {
    const gr = rng.split(gen);
    const nrng = gr.split("noise");
    const noise = Array.from({ length: P }, () => samplePair(p, o.rank, nrng));
    const raw = rollout(o.env, p, theta, N, gr.split("env"), noise, o.sigma, o.rank);
    let mu = 0;
    for (const v of raw) mu += v / N;
    curve.push(mu);
    const s = normalizeFitness(raw);
    // Update direction √N·ĝ per parameter block (official _do_update; the optimiser ascends it).
    const dir = new Float64Array(p.size), rootN = Math.sqrt(N);
    p.layers.forEach((l, k) => {
      const g = accumulate(noise.map((d) => d.mats[k]), s, o.sigma, l.m, l.n);
      for (let q = 0; q < g.length; q++) dir[l.w + q] = rootN * g[q];
      const gb = accumulate(noise.map((d) => ({ kind: "full", e: d.bias[k] })), s, o.sigma, l.m, 1);
      for (let q = 0; q < l.m; q++) dir[l.b + q] = rootN * gb[q];
    });
    opt.step(theta, dir);
  }
  return { theta, curve, noiseNumbers };
}

/** Mean return of the unperturbed policy over `episodes` episodes from `rng`'s initial states. */
export function evaluate(env: Env, p: Policy, theta: Float64Array, episodes: number, rng: Rng): number {
  const r = rollout(env, p, theta, episodes, rng, null, 0, 0);
  let s = 0;
  for (const v of r) s += v;
  return s / episodes;
}

/**
 * Evolution strategies with antithetic Gaussian perturbations: full-rank (OpenES, Salimans et al. 2017) and
 * low-rank (EGGROLL, Sarkar et al. 2025), as the noisers of ESHyperscale/HyperscaleES define them
 * (`src/hyperscalees/noiser/open_es.py`, `eggroll.py`).
 *
 * A population of N = 2P members shares P noise draws: member 2k adds +σ·E_k, member 2k+1 adds −σ·E_k.
 * - full rank: E_k ∈ ℝ^{m×n} with i.i.d. N(0, 1) entries (m·n normals per draw);
 * - rank r: E_k = A_k B_kᵀ / √r with A_k ∈ ℝ^{m×r}, B_k ∈ ℝ^{n×r} i.i.d. N(0, 1) (r·(m+n) normals per draw);
 *   every entry has unit variance, as for the full-rank draw, and a perturbed product x·(W + σE)ᵀ costs
 *   x·Wᵀ + σ(x·B)·Aᵀ/√r.
 * Vectors (biases) always get full-rank noise (`get_noisy_standard`).
 *
 * Fitnesses are z-scored over the population (`convert_fitnesses`: (f − mean)/√(var + 1e-5)); the update of a
 * matrix is ĝ = (1/N) Σᵢ sᵢ·σ·(±E_k) (`_simple_full_update`, `_simple_lora_update`), and the optimiser ascends
 * √N·ĝ (`_do_update` returns −√N·ĝ to an optax minimiser).
 *
 * @example
 * ```ts
 * const rng = Rng.fromSeed(0);
 * const d = sampleLowRank(rng, 4, 3, 2);          // one draw: A (4×2), B (3×2)
 * const e = lowRankDense(d, 4, 3);                 // A Bᵀ/√2, 4×3 row-major
 * ```
 */
import type { Rng } from "./rng.ts";

/** One noise draw of an m×n matrix: a dense E (row-major), or factors with E = A Bᵀ/√r. */
export type MatrixNoise =
  | { kind: "full"; e: Float64Array }
  | { kind: "lowrank"; rank: number; a: Float64Array; b: Float64Array };

/** m·n i.i.d. N(0, 1) entries, row-major. */
export function sampleFull(rng: Rng, m: number, n: number): MatrixNoise {
  return { kind: "full", e: rng.normal(m * n) };
}

/** Factors A (m×r) and B (n×r), row-major, i.i.d. N(0, 1): the perturbation is A Bᵀ/√r. */
export function sampleLowRank(rng: Rng, m: number, n: number, rank: number): MatrixNoise {
  // As the official code: one (m + n) × r draw, B the first n rows, A the last m.
  const ab = rng.normal((m + n) * rank);
  return { kind: "lowrank", rank, b: ab.subarray(0, n * rank), a: ab.subarray(n * rank) };
}

/** A draw of rank `rank` (0 = full rank). */
export function sampleNoise(rng: Rng, m: number, n: number, rank: number): MatrixNoise {
  return rank > 0 ? sampleLowRank(rng, m, n, rank) : sampleFull(rng, m, n);
}

/** Normals one draw consumes: m·n (full) or r·(m+n) (rank r). */
export function noiseSize(m: number, n: number, rank: number): number {
  return rank > 0 ? rank * (m + n) : m * n;
}

/** The dense m×n perturbation of a draw (A Bᵀ/√r for a low-rank one). */
export function lowRankDense(d: MatrixNoise, m: number, n: number): Float64Array {
  if (d.kind === "full") return d.e;
  const { a, b, rank: r } = d, out = new Float64Array(m * n), s = 1 / Math.sqrt(r);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let c = 0; c < r; c++) acc += a[i * r + c] * b[j * r + c];
      out[i * n + j] = acc * s;
    }
  }
  return out;
}

/**
 * y ← y + scale·E·x for one draw (E m×n): dense E·x, or A·(Bᵀx)/√r in O(r(m+n)). `tmp` holds r numbers.
 */
export function addNoiseMatVec(
  d: MatrixNoise,
  m: number,
  n: number,
  x: ArrayLike<number>,
  xOff: number,
  scale: number,
  y: Float64Array,
  yOff: number,
  tmp?: Float64Array,
): void {
  if (d.kind === "full") {
    const e = d.e;
    for (let i = 0; i < m; i++) {
      let acc = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) acc += e[row + j] * x[xOff + j];
      y[yOff + i] += scale * acc;
    }
    return;
  }
  const { a, b, rank: r } = d, t = tmp && tmp.length >= r ? tmp : new Float64Array(r);
  for (let c = 0; c < r; c++) t[c] = 0;
  for (let j = 0; j < n; j++) {
    const xj = x[xOff + j];
    for (let c = 0; c < r; c++) t[c] += b[j * r + c] * xj;
  }
  const s = scale / Math.sqrt(r);
  for (let i = 0; i < m; i++) {
    let acc = 0;
    for (let c = 0; c < r; c++) acc += a[i * r + c] * t[c];
    y[yOff + i] += s * acc;
  }
}

/** The official fitness shaping: (f − mean)/√(var + 1e-5), population variance. */
export function normalizeFitness(raw: ArrayLike<number>): Float64Array {
  const n = raw.length;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += raw[i];
  mu /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (raw[i] - mu) ** 2;
  v /= n;
  const s = 1 / Math.sqrt(v + 1e-5), out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (raw[i] - mu) * s;
  return out;
}

/**
 * The ES estimate of an m×n matrix's update from P antithetic draws and N = 2P member scores:
 * ĝ = (1/N) Σ_k (s_{2k} − s_{2k+1})·σ·E_k. Low-rank draws are accumulated as Σ_k c_k A_k B_kᵀ/√r without forming
 * each E_k. The sum of P rank-r terms has rank up to min(P·r, m, n).
 */
export function accumulate(
  draws: readonly MatrixNoise[],
  scores: ArrayLike<number>,
  sigma: number,
  m: number,
  n: number,
): Float64Array {
  const g = new Float64Array(m * n), N = scores.length;
  if (N !== 2 * draws.length) throw new Error(`accumulate: ${N} scores for ${draws.length} antithetic draws`);
  for (let k = 0; k < draws.length; k++) {
    const c = ((scores[2 * k] - scores[2 * k + 1]) * sigma) / N;
    if (c === 0) continue;
    const d = draws[k];
    if (d.kind === "full") {
      for (let i = 0; i < m * n; i++) g[i] += c * d.e[i];
      continue;
    }
    const { a, b, rank: r } = d, cs = c / Math.sqrt(r);
    for (let i = 0; i < m; i++) {
      for (let q = 0; q < r; q++) {
        const aic = cs * a[i * r + q];
        if (aic === 0) continue;
        const row = i * n;
        for (let j = 0; j < n; j++) g[row + j] += aic * b[j * r + q];
      }
    }
  }
  return g;
}

/** A first-order optimiser over flat parameters that *ascends* the given direction. */
export interface Ascent {
  step(params: Float64Array, dir: Float64Array): void;
}

/** Plain SGD ascent: θ ← θ + lr·dir (optax.sgd on −dir, the official default solver). */
export function sgdAscent(lr: number): Ascent {
  return {
    step(p, d) {
      for (let i = 0; i < p.length; i++) p[i] += lr * d[i];
    },
  };
}

/** Adam ascent (Kingma & Ba 2015, optax defaults β = (0.9, 0.999), ε = 1e-8). */
export function adamAscent(lr: number, size: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): Ascent {
  const mom = new Float64Array(size), vel = new Float64Array(size);
  let t = 0;
  return {
    step(p, d) {
      t++;
      const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
      for (let i = 0; i < p.length; i++) {
        mom[i] = b1 * mom[i] + (1 - b1) * d[i];
        vel[i] = b2 * vel[i] + (1 - b2) * d[i] * d[i];
        p[i] += (lr * (mom[i] / c1)) / (Math.sqrt(vel[i] / c2) + eps);
      }
    },
  };
}

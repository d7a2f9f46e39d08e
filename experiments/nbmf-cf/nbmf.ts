/**
 * Non-negative/binary matrix factorization for collaborative filtering (Terui, Inoue, Hamakawa, Tatsumura, Kudo,
 * arXiv 2410.10381 / Frontiers in Big Data 2025), and the masked NMF it is compared with.
 *
 * V (users × items) ≈ W H with W ≥ 0 (users × k) and H ∈ {0, 1}^{k × items}. NBMF (O'Malley et al. 2018)
 * alternates
 *   W ← argmin_{W ≥ 0} ‖M ⊙ (V − WH)‖²_F + α‖W‖²_F   (one non-negative least-squares problem per user row),
 *   H ← argmin_{H binary} ‖M ⊙ (V − WH)‖²_F           (one QUBO per item column: hᵀQh − 2bᵀh,
 *                                                       Q = Wᵀ diag(m_j) W, b = Wᵀ diag(m_j) v_j),
 * the QUBO solved by an annealer (here: simulated annealing or exhaustive enumeration). Unmasked NBMF takes M = 1
 * (unrated entries count as zeros), the paper's modification masks them (M = the rated entries).
 * Masked NMF: Lee–Seung-style multiplicative updates for ‖M ⊙ (V − WH)‖² + α(‖W‖² + ‖H‖²).
 */
import type { Rng } from "../../lib/math/rng.ts";
import { nnls } from "../../lib/math/nmf/mod.ts";

export interface Ratings {
  users: number;
  items: number;
  /** users × items, row-major; 0 where unrated. */
  v: Float64Array;
  /** 1 where rated (observed for training), else 0. */
  mask: Uint8Array;
}

export interface Factors {
  w: Float64Array; // users × k
  h: Float64Array; // k × items
  k: number;
}

/** Energy hᵀQh − 2bᵀh of a binary vector. */
export function quboEnergy(q: Float64Array, b: Float64Array, h: Uint8Array): number {
  const k = h.length;
  let e = 0;
  for (let i = 0; i < k; i++) {
    if (!h[i]) continue;
    e -= 2 * b[i];
    for (let l = 0; l < k; l++) if (h[l]) e += q[i * k + l];
  }
  return e;
}

/** Exhaustive minimization over {0,1}^k by Gray code (field g = Qh updated per flip). */
export function bruteForceQubo(q: Float64Array, b: Float64Array, k: number): { h: Uint8Array; energy: number } {
  const h = new Uint8Array(k), g = new Float64Array(k);
  let e = 0, best = 0, bestCode = 0, code = 0;
  for (let t = 1; t < 1 << k; t++) {
    const i = 31 - Math.clz32(t & -t); // bit that flips
    const d = h[i] ? -1 : 1;
    e += d * (q[i * k + i] + 2 * (g[i] - (h[i] ? q[i * k + i] : 0)) - 2 * b[i]);
    h[i] ^= 1;
    code ^= 1 << i;
    for (let l = 0; l < k; l++) g[l] += d * q[l * k + i];
    if (e < best) [best, bestCode] = [e, code];
  }
  const out = new Uint8Array(k);
  for (let i = 0; i < k; i++) out[i] = (bestCode >> i) & 1;
  return { h: out, energy: best };
}

/**
 * Simulated annealing on the QUBO: single-bit Metropolis flips, `sweeps` sweeps, temperature geometric from
 * T0 = max_i |Q_ii − 2b_i| (at least a typical flip cost) down to T0·1e-3; returns the best state seen.
 */
export function annealQubo(
  q: Float64Array,
  b: Float64Array,
  k: number,
  rng: Rng,
  sweeps = 100,
): { h: Uint8Array; energy: number } {
  const h = new Uint8Array(k);
  for (let i = 0; i < k; i++) h[i] = rng.uniform() < 0.5 ? 1 : 0;
  const g = new Float64Array(k); // g = Q h
  for (let i = 0; i < k; i++) for (let l = 0; l < k; l++) if (h[l]) g[i] += q[i * k + l];
  let e = quboEnergy(q, b, h), best = e;
  const bestH = Uint8Array.from(h);
  let t0 = 1e-12;
  for (let i = 0; i < k; i++) t0 = Math.max(t0, Math.abs(q[i * k + i] - 2 * b[i]));
  const steps = sweeps * k, ratio = Math.pow(1e-3, 1 / Math.max(steps - 1, 1));
  let temp = t0;
  for (let s = 0; s < steps; s++, temp *= ratio) {
    const i = s % k;
    const d = h[i] ? -1 : 1;
    const dE = d * (q[i * k + i] + 2 * (g[i] - (h[i] ? q[i * k + i] : 0)) - 2 * b[i]);
    if (dE <= 0 || rng.uniform() < Math.exp(-dE / temp)) {
      h[i] ^= 1;
      e += dE;
      for (let l = 0; l < k; l++) g[l] += d * q[l * k + i];
      if (e < best - 1e-12 * Math.abs(best)) {
        best = e;
        bestH.set(h);
      }
    }
  }
  return { h: bestH, energy: best };
}

/** The QUBO of item column j under mask (or all ones when `masked` is false). */
function columnQubo(r: Ratings, f: Factors, j: number, masked: boolean) {
  const k = f.k, q = new Float64Array(k * k), b = new Float64Array(k);
  for (let u = 0; u < r.users; u++) {
    if (masked && !r.mask[u * r.items + j]) continue;
    const v = r.v[u * r.items + j], wu = f.w.subarray(u * k, u * k + k);
    for (let i = 0; i < k; i++) {
      b[i] += wu[i] * v;
      for (let l = 0; l < k; l++) q[i * k + l] += wu[i] * wu[l];
    }
  }
  return { q, b };
}

/** W-step: one NNLS per user row, min Σ_j m_uj (v_uj − w·h_j)² + α‖w‖², solved exactly (active set). */
function updateW(r: Ratings, f: Factors, alpha: number, masked: boolean): void {
  const k = f.k;
  for (let u = 0; u < r.users; u++) {
    const q = new Float64Array(k * k), b = new Float64Array(k);
    for (let j = 0; j < r.items; j++) {
      if (masked && !r.mask[u * r.items + j]) continue;
      const v = r.v[u * r.items + j];
      for (let i = 0; i < k; i++) {
        const hi = f.h[i * r.items + j];
        if (!hi) continue;
        b[i] += hi * v;
        for (let l = 0; l < k; l++) q[i * k + l] += hi * f.h[l * r.items + j];
      }
    }
    for (let i = 0; i < k; i++) q[i * k + i] += alpha;
    f.w.set(nnls(q, b, k), u * k);
  }
}

export interface NbmfOptions {
  k: number;
  alpha: number;
  outer: number;
  masked: boolean;
  solver: "anneal" | "brute";
  sweeps: number;
  /** Also solve every column exactly at the last outer iteration and report how often annealing matched it. */
  auditAnneal?: boolean;
}

export function nbmf(r: Ratings, o: NbmfOptions, rng: Rng): Factors & { annealOptimal?: number } {
  const k = o.k, f: Factors = { k, w: new Float64Array(r.users * k), h: new Float64Array(k * r.items) };
  const init = rng.split("init");
  for (let i = 0; i < f.h.length; i++) f.h[i] = init.uniform() < 0.5 ? 1 : 0;
  let annealOptimal: number | undefined;
  for (let it = 0; it < o.outer; it++) {
    updateW(r, f, o.alpha, o.masked);
    const sa = rng.split(`anneal-${it}`);
    let hits = 0;
    for (let j = 0; j < r.items; j++) {
      const { q, b } = columnQubo(r, f, j, o.masked);
      const sol = o.solver === "brute" ? bruteForceQubo(q, b, k) : annealQubo(q, b, k, sa, o.sweeps);
      if (o.auditAnneal && o.solver === "anneal" && it === o.outer - 1) {
        const ex = bruteForceQubo(q, b, k).energy;
        if (sol.energy <= ex + 1e-9 * Math.max(1, Math.abs(ex))) hits++;
      }
      for (let i = 0; i < k; i++) f.h[i * r.items + j] = sol.h[i];
    }
    if (o.auditAnneal && it === o.outer - 1) annealOptimal = hits / r.items;
  }
  updateW(r, f, o.alpha, o.masked); // final W for the final H
  return { ...f, annealOptimal };
}

/** Masked NMF by multiplicative updates for ‖M ⊙ (V − WH)‖² + α(‖W‖² + ‖H‖²). */
export function maskedNmf(r: Ratings, o: { k: number; alpha: number; iters: number }, rng: Rng): Factors {
  const { k } = o, n = r.users, m = r.items;
  let mean = 0, cnt = 0;
  for (let i = 0; i < n * m; i++) if (r.mask[i]) [mean, cnt] = [mean + r.v[i], cnt + 1];
  mean /= Math.max(cnt, 1);
  const s = Math.sqrt(mean / k), init = rng.split("init");
  const w = new Float64Array(n * k).map(() => s * (0.5 + init.uniform()));
  const h = new Float64Array(k * m).map(() => s * (0.5 + init.uniform()));
  const pred = new Float64Array(n * m);
  const predict = () => {
    pred.fill(0);
    for (let u = 0; u < n; u++) {
      for (let i = 0; i < k; i++) {
        const wi = w[u * k + i];
        for (let j = 0; j < m; j++) pred[u * m + j] += wi * h[i * m + j];
      }
    }
  };
  for (let it = 0; it < o.iters; it++) {
    predict();
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < m; j++) {
        let num = 0, den = 0;
        for (let u = 0; u < n; u++) {
          if (!r.mask[u * m + j]) continue;
          num += w[u * k + i] * r.v[u * m + j];
          den += w[u * k + i] * pred[u * m + j];
        }
        h[i * m + j] *= num / (den + o.alpha * h[i * m + j] + 1e-12);
      }
    }
    predict();
    for (let u = 0; u < n; u++) {
      for (let i = 0; i < k; i++) {
        let num = 0, den = 0;
        for (let j = 0; j < m; j++) {
          if (!r.mask[u * m + j]) continue;
          num += r.v[u * m + j] * h[i * m + j];
          den += pred[u * m + j] * h[i * m + j];
        }
        w[u * k + i] *= num / (den + o.alpha * w[u * k + i] + 1e-12);
      }
    }
  }
  return { w, h, k };
}

/** Predicted rating of (u, j), clipped to the rating scale. */
export function predict(f: Factors, items: number, u: number, j: number, lo = 1, hi = 5): number {
  let s = 0;
  for (let i = 0; i < f.k; i++) s += f.w[u * f.k + i] * f.h[i * items + j];
  return Math.min(hi, Math.max(lo, s));
}

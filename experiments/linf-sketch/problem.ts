/**
 * Regression instances for the ℓ∞ experiment: a design A (n×d), a family of right-hand sides B = [b_1 … b_K]
 * (one column per instance), and for each instance the exact solution x* = A⁺b_k, the residual norm ‖Ax* − b_k‖₂,
 * and ‖A⁺‖ = 1/σ_min(A): everything the paper's normalization ε̂ = √d·‖x' − x*‖∞ / (‖Ax* − b‖₂·‖A⁺‖) needs.
 */
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";

type M64 = Mat<Float64Array>;

export interface Problem {
  n: number;
  d: number;
  a: M64;
  /** n×K right-hand sides, one per instance. */
  b: M64;
  /** d×K exact least-squares solutions (the reference). */
  xstar: M64;
  /** ‖A·x*_k − b_k‖₂ per instance. */
  rnorm: Float64Array;
  /** ‖A⁺‖₂ = 1/σ_min(A). */
  pinvNorm: number;
  /** Number of residual spikes per instance (coherent design), or 0 (dense residual). */
  spikes: number[];
}

export interface ProblemConfig {
  design: "coherent" | "gaussian";
  n: number;
  d: number;
  mOverD: number;
}

/**
 * `coherent` (the hard design): A = [I_d; 0], whose first d rows carry all the leverage, and residuals made of
 * k equal spikes ±1/√k on random rows outside the first d, for k = 1, 2, 4, … ≤ m/d (x* = 0, ‖r‖ = 1, ‖A⁺‖ = 1).
 * A sparse sketch maps a spike onto A's rows only when their hashes collide (probability ≈ s²kd/m), and then the
 * whole spike lands on one coordinate of x'; k ≈ m/d makes that collision likely for CountSketch, k = 1 for
 * OSNAP with s² ≥ m/d.
 *
 * `gaussian` (the incoherent control): A with i.i.d. N(0,1) entries, b = A·x₀ + g with x₀, g ~ N(0, I).
 */
export function makeProblem(cfg: ProblemConfig, rng: Rng): Problem {
  const { n, d } = cfg;
  if (cfg.design === "coherent") {
    const spikes: number[] = [];
    for (let k = 1; k <= Math.max(1, cfg.mOverD); k *= 2) spikes.push(k);
    const kmax = spikes[spikes.length - 1], K = spikes.length;
    if (n - d < kmax) throw new Error(`coherent design needs n − d ≥ ${kmax} rows for the spikes`);
    const a = { rows: n, cols: d, data: new Float64Array(n * d) };
    for (let i = 0; i < d; i++) a.data[i * d + i] = 1;
    // Spike rows: a uniformly random ordered subset of {d, …, n−1}; instance k uses the first k of them.
    const rows = rng.permutation(n - d).subarray(0, kmax);
    const signs = Array.from({ length: kmax }, () => (rng.uniform() < 0.5 ? -1 : 1));
    const b = { rows: n, cols: K, data: new Float64Array(n * K) };
    spikes.forEach((k, col) => {
      for (let t = 0; t < k; t++) b.data[(d + rows[t]) * K + col] = signs[t] / Math.sqrt(k);
    });
    return {
      n,
      d,
      a,
      b,
      xstar: { rows: d, cols: K, data: new Float64Array(d * K) },
      rnorm: new Float64Array(K).fill(1),
      pinvNorm: 1,
      spikes,
    };
  }
  const la = getLinalg();
  const a = { rows: n, cols: d, data: rng.normal(n * d) };
  const x0 = rng.normal(d), g = rng.normal(n);
  const b = { rows: n, cols: 1, data: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    let s = g[i];
    for (let j = 0; j < d; j++) s += a.data[i * d + j] * x0[j];
    b.data[i] = s;
  }
  const xstar = la.lstsq(a, b) as M64;
  let r2 = 0;
  for (let i = 0; i < n; i++) {
    let s = -b.data[i];
    for (let j = 0; j < d; j++) s += a.data[i * d + j] * xstar.data[j];
    r2 += s * s;
  }
  const sv = la.svdvals(a);
  return { n, d, a, b, xstar, rnorm: Float64Array.of(Math.sqrt(r2)), pinvNorm: 1 / sv[sv.length - 1], spikes: [0] };
}

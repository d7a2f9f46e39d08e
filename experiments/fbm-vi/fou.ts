/**
 * Fractional Ornstein–Uhlenbeck data and the three likelihoods its parameters are fitted by.
 *
 * Data: P independent paths of dX = −θX dt + σ dB^H_t, X_0 = 0, on n steps of size dt, with the fBM increments
 * ΔB drawn exactly (Cholesky of the fractional-Gaussian-noise covariance ½dt^{2H}(|k+1|^{2H} + |k−1|^{2H} −
 * 2|k|^{2H})) and the drift stepped by Euler: X_{i+1} = X_i − θ dt X_i + σΔB_i. The map X ↦ ΔB is unit lower
 * bidiagonal, so p(X | H, θ, σ) = p_noise((d + θz)/σ)·σ^{−N} with d_i = X_{i+1} − X_i and z_i = dt·X_i.
 *
 * Each model of the noise gives a whitening r ↦ v (standardised innovations) and a log-determinant:
 *   exact  — fGn covariance, Cholesky L, v = L⁻¹r (O(n³) per H);
 *   MA-fBM — the Kalman filter of `mafbm.ts` (O(nK²) per H);
 *   Brownian — H = ½, v = r/√dt.
 * For fixed H the log-likelihood is maximised in closed form: whitening is linear, so v(θ) = v_d + θv_z and
 * θ̂ = −⟨v_d, v_z⟩/⟨v_z, v_z⟩ (generalised least squares); σ̂² = ‖v(θ̂)‖²/N; ℓ = −N/2·(log 2πσ̂² + 1) − ½ logdet.
 * H is found by a 19-point grid on [0.05, 0.95] and 15 golden-section steps around the best grid point.
 */
import type { Linalg } from "../../lib/math/linalg/types.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { gammaGrid, maFilter, omegaOptimal } from "./mafbm.ts";

export interface FouData {
  /** P paths of n + 1 values each. */
  paths: Float64Array[];
  dt: number;
  n: number;
  hurst: number;
  theta: number;
  sigma: number;
}

/** Autocovariance of unit fractional Gaussian noise with step dt at lag k. */
export function fgnAcf(h: number, dt: number, k: number): number {
  const p = 2 * h;
  return 0.5 * dt ** p * (Math.abs(k + 1) ** p + Math.abs(k - 1) ** p - 2 * Math.abs(k) ** p);
}

/** The n×n Toeplitz covariance of fGn increments. */
export function fgnCov(h: number, dt: number, n: number): Float64Array {
  const acf = Float64Array.from({ length: n }, (_, k) => fgnAcf(h, dt, k));
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C[i * n + j] = acf[Math.abs(i - j)];
  return C;
}

/** P fOU paths with exact fBM increments (Cholesky) and an Euler drift step. */
export function simulateFou(
  o: { hurst: number; theta: number; sigma: number; dt: number; n: number; paths: number },
  rng: Rng,
  la: Linalg,
): FouData {
  const L = la.cholesky(mat(o.n, o.n, fgnCov(o.hurst, o.dt, o.n))).data;
  const paths: Float64Array[] = [];
  for (let p = 0; p < o.paths; p++) {
    const z = rng.normal(o.n), x = new Float64Array(o.n + 1);
    for (let i = 0; i < o.n; i++) {
      let db = 0;
      for (let j = 0; j <= i; j++) db += L[i * o.n + j] * z[j];
      x[i + 1] = x[i] - o.theta * o.dt * x[i] + o.sigma * db;
    }
    paths.push(x);
  }
  return { paths, dt: o.dt, n: o.n, hurst: o.hurst, theta: o.theta, sigma: o.sigma };
}

/** A noise model at one H: whitening of increment vectors and the log-determinant per path. */
export interface Whitener {
  logdet: number;
  /** Whiten several length-n vectors at once. */
  whiten(rs: Float64Array[]): Float64Array[];
}

/** Exact fGn model: Cholesky of the n×n covariance, one triangular solve for all right-hand sides. */
export function exactModel(la: Linalg, dt: number, n: number): (h: number) => Whitener {
  return (h) => {
    const L = la.cholesky(mat(n, n, fgnCov(h, dt, n)));
    let logdet = 0;
    for (let i = 0; i < n; i++) logdet += 2 * Math.log(L.data[i * n + i]);
    return {
      logdet,
      whiten(rs) {
        const B = mat(n, rs.length);
        rs.forEach((r, c) => r.forEach((v, i) => (B.data[i * rs.length + c] = v)));
        const W = la.triSolve(L, B, { lower: true }).data;
        return rs.map((_, c) => Float64Array.from({ length: n }, (_, i) => W[i * rs.length + c]));
      },
    };
  };
}

/** MA-fBM model with K OU processes on the official γ grid and ω optimal on [0, T]. */
export function maModel(
  la: Linalg,
  o: { k: number; gammaMax: number; horizon: number; dt: number; n: number },
): (h: number) => Whitener {
  const gamma = gammaGrid(o.k, o.gammaMax);
  return (h) => {
    const f = maFilter(gamma, omegaOptimal(gamma, h, o.horizon, la), o.dt, o.n);
    return { logdet: f.logdet, whiten: (rs) => rs.map((r) => f.whiten(r)) };
  };
}

/** Brownian model (H = ½): increments independent with variance dt. */
export function brownianModel(dt: number, n: number): Whitener {
  const s = Math.sqrt(dt);
  return { logdet: n * Math.log(dt), whiten: (rs) => rs.map((r) => r.map((v) => v / s)) };
}

export interface Fit {
  hurst: number;
  theta: number;
  sigma: number;
  /** Maximised log-likelihood per observed increment. */
  loglik: number;
  /** Likelihood evaluations (one whitening each). */
  evals: number;
}

/** Profile θ and σ out of one noise model (closed form), returning ℓ per increment. */
export function profile(d: FouData, w: Whitener): { theta: number; sigma: number; loglik: number } {
  const rs: Float64Array[] = [];
  for (const x of d.paths) {
    rs.push(Float64Array.from({ length: d.n }, (_, i) => x[i + 1] - x[i]));
    rs.push(Float64Array.from({ length: d.n }, (_, i) => d.dt * x[i]));
  }
  const v = w.whiten(rs);
  let dz = 0, zz = 0, dd = 0;
  for (let p = 0; p < d.paths.length; p++) {
    const vd = v[2 * p], vz = v[2 * p + 1];
    for (let i = 0; i < d.n; i++) {
      dz += vd[i] * vz[i];
      zz += vz[i] * vz[i];
      dd += vd[i] * vd[i];
    }
  }
  const theta = -dz / zz, q = dd + 2 * theta * dz + theta * theta * zz;
  const N = d.paths.length * d.n, s2 = q / N;
  const loglik = -0.5 * N * (Math.log(2 * Math.PI * s2) + 1) - 0.5 * d.paths.length * w.logdet;
  return { theta, sigma: Math.sqrt(s2), loglik: loglik / N };
}

/** Maximise the profiled likelihood over H: 19-point grid, then 15 golden-section steps. */
export function fitHurst(d: FouData, model: (h: number) => Whitener): Fit {
  let evals = 0;
  const f = (h: number) => {
    evals++;
    return profile(d, model(h));
  };
  let best = 0.05, bestVal = -Infinity;
  for (let i = 1; i <= 19; i++) {
    const h = 0.05 * i, v = f(h).loglik;
    if (v > bestVal) [best, bestVal] = [h, v];
  }
  let lo = Math.max(0.01, best - 0.05), hi = Math.min(0.99, best + 0.05);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = f(x1).loglik, f2 = f(x2).loglik;
  for (let it = 0; it < 15; it++) {
    if (f1 > f2) {
      hi = x2;
      [x2, f2] = [x1, f1];
      x1 = hi - g * (hi - lo);
      f1 = f(x1).loglik;
    } else {
      lo = x1;
      [x1, f1] = [x2, f2];
      x2 = lo + g * (hi - lo);
      f2 = f(x2).loglik;
    }
  }
  const cands = [[best, bestVal], [x1, f1], [x2, f2]].sort((a, b) => b[1] - a[1]);
  const hurst = cands[0][0], p = f(hurst);
  return { hurst, theta: p.theta, sigma: p.sigma, loglik: p.loglik, evals };
}

/** The Brownian baseline: H fixed at ½, θ and σ by least squares. */
export function fitBrownian(d: FouData): Fit {
  const p = profile(d, brownianModel(d.dt, d.n));
  return { hurst: 0.5, theta: p.theta, sigma: p.sigma, loglik: p.loglik, evals: 1 };
}

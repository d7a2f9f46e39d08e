/**
 * Markov-approximate fractional Brownian motion (MA-fBM), type I (Daems et al. 2024, §3; Harms & Stefanovits
 * 2019). The Mandelbrot–van Ness fBM with kernel 1/Γ(H+½)·[(t−s)₊^{H−½} − (−s)₊^{H−½}] is a γ-mixture of
 * stationary OU processes Y_γ(t) = ∫_{−∞}^t e^{−γ(t−s)} dW_s, all driven by one Brownian motion W; MA-fBM keeps K
 * of them:
 *
 *   B̂_t = Σ_k ω_k (Y_k(t) − Y_k(0)),   dY_k = −γ_k Y_k dt + dW_t,   Cov(Y_i(0), Y_j(0)) = 1/(γ_i + γ_j).
 *
 * The γ grid is geometric, γ_k = r^{k−(K+1)/2} with r = γ_max^{2/(K−1)} (official `gamma_by_gamma_max`). The
 * coefficients ω minimise the mean squared error (1/T)∫₀ᵀ E(B_t − B̂_t)² dt = (ωᵀAω − 2bᵀω + c)/T, so Aω = b with
 *
 *   A_ij = [2T − (1 − e^{−γ_i T})/γ_i − (1 − e^{−γ_j T})/γ_j] / (γ_i + γ_j),
 *   b_k  = 2T/γ_k^a − T^a/(γ_k Γ(a+1)) + (e^{−γ_k T} − e^{γ_k T} Q(a, γ_k T))/γ_k^{a+1},   a = H + ½,
 *   c    = V_H T^{2H+1}/(2H+1),   V_H = 1/(Γ(2H+1) sin πH)  (Var B_t = V_H t^{2H} under this kernel),
 *
 * (the paper's closed form, `omega_optimized_1` of the official code; b is derived again in NOTES.md). Because
 * the augmented state Y is a linear Gaussian Markov process, the increments of B̂ on a grid have an exact Kalman
 * filter: that is what makes inference linear in the number of steps.
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import type { Linalg } from "../../lib/math/linalg/types.ts";
import { gammaFn, gammaQScaled } from "../../lib/math/special.ts";

/** The official geometric grid: K values from 1/γ_max to γ_max (K = 1 gives γ = 1). */
export function gammaGrid(k: number, gammaMax: number): Float64Array {
  if (k === 1) return Float64Array.of(1);
  const r = gammaMax ** (2 / (k - 1));
  return Float64Array.from({ length: k }, (_, i) => r ** (i + 1 - (k + 1) / 2));
}

/** Var B_1 of the Mandelbrot–van Ness fBM with the 1/Γ(H+½) kernel: 1/(Γ(2H+1) sin πH). */
export function mvnVariance(h: number): number {
  return 1 / (gammaFn(2 * h + 1) * Math.sin(Math.PI * h));
}

/** The normal equations Aω = b of the type-I L² criterion on [0, T], and its constant c. */
export function omegaSystem(
  gamma: Float64Array,
  h: number,
  T: number,
): { A: Float64Array; b: Float64Array; c: number } {
  const K = gamma.length, a = h + 0.5;
  const A = new Float64Array(K * K), b = new Float64Array(K);
  const e = gamma.map((g) => (1 - Math.exp(-g * T)) / g);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) A[i * K + j] = (2 * T - e[i] - e[j]) / (gamma[i] + gamma[j]);
    const g = gamma[i];
    b[i] = 2 * T / g ** a - T ** a / (g * gammaFn(a + 1)) +
      (Math.exp(-g * T) - gammaQScaled(a, g * T)) / g ** (a + 1);
  }
  return { A, b, c: mvnVariance(h) * T ** (2 * h + 1) / (2 * h + 1) };
}

/** The optimal coefficients ω = A⁻¹b (LU on the K×K system). */
export function omegaOptimal(gamma: Float64Array, h: number, T: number, la: Linalg = getLinalg()): Float64Array {
  const { A, b } = omegaSystem(gamma, h, T);
  const K = gamma.length;
  return Float64Array.from(la.solve(mat(K, K, A), mat(K, 1, b)).data);
}

/** Mean squared approximation error (1/T)∫₀ᵀ E(B_t − B̂_t)² dt of any ω on the grid γ. */
export function approxError(gamma: Float64Array, omega: Float64Array, h: number, T: number): number {
  const { A, b, c } = omegaSystem(gamma, h, T);
  const K = gamma.length;
  let q = c;
  for (let i = 0; i < K; i++) {
    q -= 2 * b[i] * omega[i];
    for (let j = 0; j < K; j++) q += omega[i] * A[i * K + j] * omega[j];
  }
  return q / T;
}

/** Backward error of the solve: ‖Aω − b‖ / (‖A‖_F‖ω‖ + ‖b‖). */
export function omegaBackwardError(gamma: Float64Array, omega: Float64Array, h: number, T: number): number {
  const { A, b } = omegaSystem(gamma, h, T);
  const K = gamma.length;
  let r2 = 0, a2 = 0, w2 = 0, b2 = 0;
  for (let i = 0; i < K; i++) {
    let s = -b[i];
    for (let j = 0; j < K; j++) {
      s += A[i * K + j] * omega[j];
      a2 += A[i * K + j] ** 2;
    }
    r2 += s * s;
    w2 += omega[i] ** 2;
    b2 += b[i] ** 2;
  }
  return Math.sqrt(r2) / (Math.sqrt(a2 * w2) + Math.sqrt(b2));
}

/** Cov(B̂_t, B̂_s) for MA-fBM: Σ_ij ω_iω_j [e^{−γ_i(t−s)₊−γ_j(s−t)₊} − e^{−γ_i t} − e^{−γ_j s} + 1]/(γ_i+γ_j). */
export function maCov(gamma: Float64Array, omega: Float64Array, t: number, s: number): number {
  const K = gamma.length;
  let v = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const cross = t >= s ? Math.exp(-gamma[i] * (t - s)) : Math.exp(-gamma[j] * (s - t));
      v += omega[i] * omega[j] * (cross - Math.exp(-gamma[i] * t) - Math.exp(-gamma[j] * s) + 1) /
        (gamma[i] + gamma[j]);
    }
  }
  return v;
}

/** Cov(B_t, B_s) of the MvN fBM with the 1/Γ(H+½) kernel: V_H·½(t^{2H} + s^{2H} − |t−s|^{2H}). */
export function fbmCov(h: number, t: number, s: number): number {
  return mvnVariance(h) * 0.5 * (t ** (2 * h) + s ** (2 * h) - Math.abs(t - s) ** (2 * h));
}

/**
 * Relative Frobenius error ‖C_MA − C_fBM‖/‖C_fBM‖ of the covariance of (B_{t_1}, …, B_{t_m}) on t_i = i·dt.
 */
export function covError(gamma: Float64Array, omega: Float64Array, h: number, dt: number, m: number): number {
  let num = 0, den = 0;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= m; j++) {
      const e = fbmCov(h, i * dt, j * dt);
      num += (maCov(gamma, omega, i * dt, j * dt) - e) ** 2;
      den += e * e;
    }
  }
  return Math.sqrt(num / den);
}

/**
 * The Kalman filter of the MA-fBM increments e_i = B̂_{t_{i+1}} − B̂_{t_i} = ωᵀ(Y_{i+1} − Y_i) on a grid of step
 * dt, started from the stationary Y(0) ~ N(0, Σ₀). With Y_i | e_{<i} ~ N(m, P), F = diag(e^{−γdt}),
 * Q_ij = (1 − e^{−(γ_i+γ_j)dt})/(γ_i+γ_j) and c = (F − I)ω:
 *   e_i = cᵀY_i + ωᵀξ_i, innovation variance S_i = cᵀPc + ωᵀQω, gain g_i = (FPc + Qω)/S_i,
 *   m ← Fm + g_i (e_i − cᵀm),   P ← FPF + Q − S_i g_i g_iᵀ.
 * S_i and g_i do not depend on the data, so one pass serves every path; `whiten` then maps a path of increments
 * to its standardised innovations (e_i − cᵀm)/√S_i in O(nK). Σ log S_i is the log-determinant of the increment
 * covariance, so the exact MA-fBM log-likelihood is −½[Σ log 2πS_i + Σ v_i²].
 */
export interface MaFilter {
  logdet: number;
  whiten(e: Float64Array): Float64Array;
}

export function maFilter(gamma: Float64Array, omega: Float64Array, dt: number, n: number): MaFilter {
  const K = gamma.length;
  const f = gamma.map((g) => Math.exp(-g * dt));
  const c = omega.map((w, k) => (f[k] - 1) * w);
  const Q = new Float64Array(K * K), P = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const s = gamma[i] + gamma[j];
      Q[i * K + j] = -Math.expm1(-s * dt) / s;
      P[i * K + j] = 1 / s;
    }
  }
  let wQw = 0;
  const Qw = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) Qw[i] += Q[i * K + j] * omega[j];
    wQw += omega[i] * Qw[i];
  }
  const S = new Float64Array(n), G = new Float64Array(n * K), Pc = new Float64Array(K);
  let logdet = 0;
  for (let t = 0; t < n; t++) {
    let cPc = 0;
    for (let i = 0; i < K; i++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += P[i * K + j] * c[j];
      Pc[i] = s;
      cPc += c[i] * s;
    }
    const St = cPc + wQw;
    S[t] = St;
    logdet += Math.log(St);
    for (let i = 0; i < K; i++) G[t * K + i] = (f[i] * Pc[i] + Qw[i]) / St;
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        P[i * K + j] = f[i] * P[i * K + j] * f[j] + Q[i * K + j] - St * G[t * K + i] * G[t * K + j];
      }
    }
  }
  return {
    logdet,
    whiten(e: Float64Array): Float64Array {
      const m = new Float64Array(K), v = new Float64Array(n);
      for (let t = 0; t < n; t++) {
        let pred = 0;
        for (let i = 0; i < K; i++) pred += c[i] * m[i];
        const innov = e[t] - pred;
        v[t] = innov / Math.sqrt(S[t]);
        for (let i = 0; i < K; i++) m[i] = f[i] * m[i] + G[t * K + i] * innov;
      }
      return v;
    },
  };
}

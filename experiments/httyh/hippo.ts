/**
 * HiPPO operators as state space models x' = A x + B u, their discretizations, and the projections they compute.
 *
 * Matrices (read from state-spaces/s4 `src/models/hippo/hippo.py` `transition` and `src/models/hippo/visualizations.py`,
 * the notebook's port), written for a window length θ (continuous time units):
 * - LegS:  A_nk = −√(2n+1)√(2k+1) (n > k), −(n+1) (n = k), 0 (n < k);  B_n = √(2n+1).
 *   Time-varying (HiPPO 2020): x' = (1/t)(A x + B u) projects u on [0, t] (uniform measure) onto the shifted
 *   Legendre basis √(2n+1) P_n(2s/t − 1). Time-invariant (S4; HTTYH's reading): x' = A x + B u projects u(t − x),
 *   x ≥ 0, under the measure e^{−x} onto the exponentially warped Legendre basis √(2n+1) P_n(2e^{−x} − 1).
 * - LegT (θ): A_nk = −(1/θ)√(2n+1)√(2k+1)·(1 if n ≥ k else (−1)^{n−k});  B_n = √(2n+1)/θ. Window [t − θ, t],
 *   basis √(2n+1) P_n(1 − 2x/θ) at lag x. hippo.py halves A and B ("for timescale correctness"), i.e. θ = 2.
 * - FouT (θ, N even): basis 1, 0, √2 cos(2πkx/θ), √2 sin(2πkx/θ) (k = 1 … N/2 − 1; index 1 is the sine of
 *   frequency 0). With e = (1, 0, √2, 0, √2, …): A = (1/θ)(2π·S − 2 e eᵀ), B = (2/θ) e, where S couples the pair
 *   (2k, 2k+1) with S[2k, 2k+1] = −k, S[2k+1, 2k] = k. The −2eeᵀ term stands for the value u(t − θ) leaving the
 *   window, taken from the truncated series (which converges to the mean of the two endpoints). θ = 1 is the
 *   notebook's `fourier` (2π, B·√2); θ = 2 is hippo.py's `fout` (π, −eeᵀ, e).
 *
 * Discretizations (step Δ): bilinear Ā = (I − ΔA/2)⁻¹(I + ΔA/2), B̄ = (I − ΔA/2)⁻¹ΔB (scipy cont2discrete
 * 'bilinear', the notebook's and S4's default); ZOH Ā = e^{ΔA}, B̄ = ∫₀^Δ e^{sA} ds B (the augmented exponential),
 * exact when u is held constant over each step. Time-varying LegS: the notebook's bilinear step with A/k, B/k at
 * step k (1-based), and (for tests) the exact ZOH in log time, Ā_k = e^{A log((k+1)/k)}.
 */
import { type Discrete, fout, legs, legt, type Ssm, zoh } from "../../lib/math/hippo.ts";

/** The HiPPO variants this module runs: time-varying LegS, time-invariant LegS, LegT, FouT. */
export type Kind = "legs-tv" | "legs-lti" | "legt" | "fout";

/** The (A, B) of a kind; θ is the window of LegT and FouT (ignored by LegS). */
export function transition(kind: Kind, n: number, theta = 1): Ssm {
  return kind === "legt" ? legt(n, theta) : kind === "fout" ? fout(n, theta) : legs(n);
}

/**
 * Time-varying LegS, x' = (1/t)(A x + B u), over samples u_0 … u_{L−1}. `bilinear`: the notebook's recurrence
 * (step k = 1 … L uses A/k, B/k; A is lower triangular, so each step is one forward substitution). `zoh`: the exact
 * solution for u held at u_k on [k, k+1): x(1) = −A⁻¹B u_0 = e₀ u_0, then x(k+1) = e^{A log((k+1)/k)} x(k) + the
 * held-input term (one matrix exponential per step: for tests on small sizes).
 */
export function runLegsTv(n: number, u: ArrayLike<number>, method: "bilinear" | "zoh" = "bilinear"): Float64Array {
  const { a, b } = legs(n);
  let x: Float64Array = new Float64Array(n);
  if (method === "zoh") {
    x[0] = u[0];
    for (let k = 1; k < u.length; k++) {
      const d = zoh({ n, a, b }, Math.log((k + 1) / k));
      x = runLtiStep(d, x, u[k]);
    }
    return x;
  }
  const rhs = new Float64Array(n);
  for (let t = 1; t <= u.length; t++) {
    const h = 1 / (2 * t), ut = u[t - 1];
    for (let i = 0; i < n; i++) {
      let s = x[i] + 2 * h * b[i] * ut;
      for (let k = 0; k <= i; k++) s += h * a[i * n + k] * x[k];
      rhs[i] = s;
    }
    // Forward substitution with the lower-triangular (I − A/(2t)).
    for (let i = 0; i < n; i++) {
      let s = rhs[i];
      for (let k = 0; k < i; k++) s += h * a[i * n + k] * x[k];
      x[i] = s / (1 - h * a[i * n + i]);
    }
  }
  return x;
}

function runLtiStep(d: Discrete, x: Float64Array, ut: number): Float64Array {
  const { n, ad, bd } = d, y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = bd[i] * ut;
    for (let k = 0; k < n; k++) s += ad[i * n + k] * x[k];
    y[i] = s;
  }
  return y;
}

/** P_0(z) … P_{m−1}(z), Legendre polynomials by the three-term recurrence. */
export function legendre(m: number, z: number, out = new Float64Array(m)): Float64Array {
  if (m > 0) out[0] = 1;
  if (m > 1) out[1] = z;
  for (let k = 1; k + 1 < m; k++) out[k + 1] = ((2 * k + 1) * z * out[k] - k * out[k - 1]) / (k + 1);
  return out;
}

/** Q_k(z) = ∫_{−1}^{z} P_k for k < n: Q_0 = z + 1, Q_k = (P_{k+1} − P_{k−1}) / (2k + 1). */
export function legendreIntegrals(n: number, z: number, p = new Float64Array(n + 1)): Float64Array {
  legendre(n + 1, z, p);
  const q = new Float64Array(n);
  q[0] = z + 1;
  for (let k = 1; k < n; k++) q[k] = (p[k + 1] - p[k - 1]) / (2 * k + 1);
  return q;
}

/**
 * Where a Legendre kind maps a lag x ≥ 0 (continuous time) on [−1, 1]: LegT / time-varying LegS over a window θ:
 * z = 1 − 2x/θ (clamped at −1 past the window); time-invariant LegS: z = 2e^{−x} − 1.
 */
export function legendreWarp(kind: Kind, x: number, theta: number): number {
  return kind === "legs-lti" ? 2 * Math.exp(-x) - 1 : Math.max(1 - 2 * x / theta, -1);
}

/**
 * The basis functions at lag x (continuous time): φ_n(x) with the state read as u(t − x) ≈ Σ c_n φ_n(x). Legendre
 * kinds: √(2n+1) P_n(z(x)); outside a finite window (LegT, FouT, time-varying LegS past t) all zero.
 */
export function basisAt(kind: Kind, n: number, x: number, theta: number, out = new Float64Array(n)): Float64Array {
  if (kind !== "legs-lti" && x > theta) return out.fill(0);
  if (kind === "fout") {
    out.fill(0);
    out[0] = 1;
    for (let k = 1; k < n / 2; k++) {
      const w = 2 * Math.PI * k * x / theta;
      out[2 * k] = Math.SQRT2 * Math.cos(w);
      out[2 * k + 1] = Math.SQRT2 * Math.sin(w);
    }
    return out;
  }
  legendre(n, legendreWarp(kind, x, theta), out);
  for (let k = 0; k < n; k++) out[k] *= Math.sqrt(2 * k + 1);
  return out;
}

/**
 * The exact optimal projection coefficients of the held input (u_k constant on its step of length Δ; the last
 * sample covers lags [0, Δ]) onto a kind's basis under its measure: c_n = ∫ u(t − x) φ_n(x) dμ(x). Closed form per
 * step: Legendre kinds √(2n+1)/2 · [Q_n(z(x_j)) − Q_n(z(x_{j+1}))] (dμ = −dz/2 for both warps); FouT the integrals
 * of 1, cos and sin over the step, divided by θ. θ is the window (LegT, FouT) or, for time-varying LegS, the whole
 * history L·Δ.
 */
export function heldProjection(kind: Kind, n: number, u: ArrayLike<number>, dt: number, theta: number): Float64Array {
  const c = new Float64Array(n), L = u.length;
  if (kind === "fout") {
    for (let j = 0; j < L; j++) {
      const x0 = j * dt;
      if (x0 >= theta) break;
      const x1 = Math.min((j + 1) * dt, theta), v = u[L - 1 - j];
      c[0] += v * (x1 - x0) / theta;
      for (let k = 1; k < n / 2; k++) {
        const w = 2 * Math.PI * k / theta, f = Math.SQRT2 / (w * theta);
        c[2 * k] += v * f * (Math.sin(w * x1) - Math.sin(w * x0));
        c[2 * k + 1] += v * f * (Math.cos(w * x0) - Math.cos(w * x1));
      }
    }
    return c;
  }
  const p = new Float64Array(n + 1);
  let q0 = legendreIntegrals(n, legendreWarp(kind, 0, theta), p);
  for (let j = 0; j < L; j++) {
    const x1 = (j + 1) * dt;
    const q1 = legendreIntegrals(n, legendreWarp(kind, x1, theta), p), v = u[L - 1 - j];
    for (let k = 0; k < n; k++) c[k] += v * Math.sqrt(2 * k + 1) / 2 * (q0[k] - q1[k]);
    q0 = q1;
    if (kind !== "legs-lti" && x1 >= theta) break;
  }
  return c;
}

/** The reconstruction û(lag) = Σ c_n φ_n(lag) at the midpoints (j + ½)Δ of the last L steps (index j = lag). */
export function reconstruct(kind: Kind, c: Float64Array, L: number, dt: number, theta: number): Float64Array {
  const n = c.length, out = new Float64Array(L), phi = new Float64Array(n);
  for (let j = 0; j < L; j++) {
    basisAt(kind, n, (j + 0.5) * dt, theta, phi);
    let s = 0;
    for (let k = 0; k < n; k++) s += c[k] * phi[k];
    out[j] = s;
  }
  return out;
}

/** The measure's density at lag x (up to normalization): uniform on the window, e^{−x} for time-invariant LegS. */
export function measureAt(kind: Kind, x: number, theta: number): number {
  if (kind === "legs-lti") return Math.exp(-x);
  return x <= theta ? 1 : 0;
}

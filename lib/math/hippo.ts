/**
 * HiPPO operators as continuous-time state space models x' = A x + B u, and their discretizations.
 *
 * Matrices (read from state-spaces/s4 `src/models/hippo/hippo.py` `transition` and `src/models/hippo/visualizations.py`,
 * the notebook's port), written for a window length θ (continuous time units):
 * - LegS:  A_nk = −√(2n+1)√(2k+1) (n > k), −(n+1) (n = k), 0 (n < k);  B_n = √(2n+1). The same pair serves the
 *   time-varying system x' = (1/t)(A x + B u) (HiPPO 2020) and the time-invariant x' = A x + B u (S4).
 * - LegT (θ): A_nk = −(1/θ)√(2n+1)√(2k+1)·(1 if n ≥ k else (−1)^{n−k});  B_n = √(2n+1)/θ. hippo.py halves A and B
 *   ("for timescale correctness"), i.e. θ = 2.
 * - FouT (θ, N even): with e = (1, 0, √2, 0, √2, …): A = (1/θ)(2π·S − 2 e eᵀ), B = (2/θ) e, where S couples the pair
 *   (2k, 2k+1) with S[2k, 2k+1] = −k, S[2k+1, 2k] = k. θ = 1 is the notebook's `fourier` (2π, B·√2); θ = 2 is
 *   hippo.py's `fout` (π, −eeᵀ, e).
 *
 * Discretizations (step Δ): bilinear Ā = (I − ΔA/2)⁻¹(I + ΔA/2), B̄ = (I − ΔA/2)⁻¹ΔB (scipy cont2discrete
 * 'bilinear', the notebook's and S4's default); ZOH Ā = e^{ΔA}, B̄ = ∫₀^Δ e^{sA} ds B (the augmented exponential),
 * exact when u is held constant over each step.
 *
 * Users: experiments/httyh (function reconstruction by the HiPPO bases), experiments/s4d (diagonal vs DPLR kernels).
 */
import { expmGeneral, solveSquare } from "./expm.ts";

/** A continuous-time state space model x' = A x + B u (A n×n row-major). */
export interface Ssm {
  n: number;
  a: Float64Array;
  b: Float64Array;
}

/** A discrete recurrence x_{k+1} = Ā x_k + B̄ u_k. */
export interface Discrete {
  n: number;
  ad: Float64Array;
  bd: Float64Array;
}

/** HiPPO-LegS (A, B) — the same pair serves the time-varying and the time-invariant system. */
export function legs(n: number): Ssm {
  const a = new Float64Array(n * n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    b[i] = Math.sqrt(2 * i + 1);
    for (let k = 0; k < i; k++) a[i * n + k] = -Math.sqrt(2 * i + 1) * Math.sqrt(2 * k + 1);
    a[i * n + i] = -(i + 1);
  }
  return { n, a, b };
}

/** HiPPO-LegT (A, B) for a window of length θ. */
export function legt(n: number, theta = 1): Ssm {
  const a = new Float64Array(n * n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    b[i] = Math.sqrt(2 * i + 1) / theta;
    for (let k = 0; k < n; k++) {
      const sign = i >= k ? 1 : (i - k) % 2 === 0 ? 1 : -1;
      a[i * n + k] = -sign * Math.sqrt(2 * i + 1) * Math.sqrt(2 * k + 1) / theta;
    }
  }
  return { n, a, b };
}

/** e = (1, 0, √2, 0, √2, 0, …): the FouT basis at both window ends. */
function foutEnds(n: number): Float64Array {
  const e = new Float64Array(n);
  for (let i = 0; i < n; i += 2) e[i] = i === 0 ? 1 : Math.SQRT2;
  return e;
}

/** HiPPO-FouT (A, B) for a window of length θ (N even). */
export function fout(n: number, theta = 1): Ssm {
  if (n % 2 !== 0) throw new Error(`FouT needs an even state size, got ${n}`);
  const e = foutEnds(n), a = new Float64Array(n * n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    b[i] = 2 * e[i] / theta;
    for (let k = 0; k < n; k++) a[i * n + k] = -2 * e[i] * e[k] / theta;
  }
  for (let k = 1; k < n / 2; k++) {
    a[2 * k * n + 2 * k + 1] -= 2 * Math.PI * k / theta;
    a[(2 * k + 1) * n + 2 * k] += 2 * Math.PI * k / theta;
  }
  return { n, a, b };
}

/** Bilinear (Tustin) discretization with step Δ. */
export function bilinear(s: Ssm, dt: number): Discrete {
  const { n, a, b } = s;
  const lhs = new Float64Array(n * n), rhs = new Float64Array(n * (n + 1));
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      lhs[i * n + k] = (i === k ? 1 : 0) - dt / 2 * a[i * n + k];
      rhs[i * (n + 1) + k] = (i === k ? 1 : 0) + dt / 2 * a[i * n + k];
    }
    rhs[i * (n + 1) + n] = dt * b[i];
  }
  return split(solveSquare(lhs, rhs, n, n + 1), n);
}

/** Zero-order hold with step Δ: the exponential of the augmented matrix Δ·[[A, B], [0, 0]]. */
export function zoh(s: Ssm, dt: number): Discrete {
  const { n, a, b } = s, m = n + 1, big = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) big[i * m + k] = dt * a[i * n + k];
    big[i * m + n] = dt * b[i];
  }
  const e = expmGeneral(big, m), ab = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) ab[i * m + k] = e[i * m + k];
  return split(ab, n);
}

/** [Ā | B̄] (n × (n+1), row-major) → Ā, B̄. */
function split(ab: Float64Array, n: number): Discrete {
  const ad = new Float64Array(n * n), bd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) ad[i * n + k] = ab[i * (n + 1) + k];
    bd[i] = ab[i * (n + 1) + n];
  }
  return { n, ad, bd };
}

/** Runs x_{k+1} = Ā x_k + B̄ u_k from x_0 = 0 over the whole input; returns the final state. */
export function runLti(d: Discrete, u: ArrayLike<number>): Float64Array {
  const { n, ad, bd } = d;
  let x: Float64Array = new Float64Array(n), y: Float64Array = new Float64Array(n);
  for (let t = 0; t < u.length; t++) {
    const ut = u[t];
    for (let i = 0; i < n; i++) {
      let s = bd[i] * ut;
      const row = i * n;
      for (let k = 0; k < n; k++) s += ad[row + k] * x[k];
      y[i] = s;
    }
    [x, y] = [y, x];
  }
  return x;
}

/**
 * ε-approximate invariance of a representation, tested on regression residuals.
 *
 * A representation is a coordinate subset S of the pool (a bitmask). On environment e with second moments M_e of
 * (x_pool, y), the best linear model on S is β_e(S) = M_e,SS⁻¹ M_e,Sy. Against a common model β* (the pooled
 * least-squares fit over the training environments), the whitened residual–feature moment
 * M_e,SS⁻¹ E_e[x_S (y − β*ᵀx_S)] equals β_e(S) − β*, so "the residual of β* is uncorrelated with x_S up to ε in every
 * environment" reads max_e ‖β_e(S) − β*‖₂ ≤ ε: the ε-approximate invariance of Parulekar et al. (Sec. 3), with the
 * common regressor taken as the pooled one.
 */
import { solveSpdSmall } from "../../lib/math/linalg/chol_small.ts";

/** Moments of (x_pool, y): row-major (q+1)×(q+1), pool first, y last. */
export type Moments = Float64Array;

export function subsetIndices(mask: number, q: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < q; i++) if (mask & (1 << i)) out.push(i);
  return out;
}

/** β(S) = M_SS⁻¹ M_Sy (population or empirical least squares on the representation S). */
export function regress(m: Moments, q: number, s: number[]): Float64Array {
  const k = s.length, d = q + 1;
  if (k === 0) return new Float64Array(0);
  const a = new Float64Array(k * k), b = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    b[i] = m[s[i] * d + q];
    for (let j = 0; j < k; j++) a[i * k + j] = m[s[i] * d + s[j]];
  }
  return solveSpdSmall(a, b, k);
}

/** E[(y − βᵀx_S)²] = M_yy − 2βᵀM_Sy + βᵀM_SSβ. */
export function risk(m: Moments, q: number, s: number[], beta: Float64Array): number {
  const d = q + 1;
  let r = m[q * d + q];
  for (let i = 0; i < s.length; i++) {
    r -= 2 * beta[i] * m[s[i] * d + q];
    for (let j = 0; j < s.length; j++) r += beta[i] * beta[j] * m[s[i] * d + s[j]];
  }
  return r;
}

/** Invariance defect of (S, β*) on one environment: ‖β_e(S) − β*‖₂ (the whitened residual moment). */
export function defect(m: Moments, q: number, s: number[], beta: Float64Array): number {
  const be = regress(m, q, s);
  let t = 0;
  for (let i = 0; i < s.length; i++) t += (be[i] - beta[i]) ** 2;
  return Math.sqrt(t);
}

export function pooled(ms: Moments[]): Moments {
  const out = new Float64Array(ms[0].length);
  for (const m of ms) for (let i = 0; i < out.length; i++) out[i] += m[i] / ms.length;
  return out;
}

export interface Fitted {
  /** Bitmask of the chosen pool coordinates. */
  mask: number;
  s: number[];
  beta: Float64Array;
  /** How many of the 2^q representations passed the training test (invariant method only). */
  nPassing: number;
}

/**
 * The learner: among all 2^q coordinate representations, keep those ε-approximately invariant on every training
 * environment (max_e ‖β_e(S) − β*(S)‖ ≤ ε with β*(S) the pooled fit) and return the one with the least pooled
 * risk. The empty representation (predict 0) is invariant by definition, so the set is never empty.
 */
export function selectInvariant(train: Moments[], q: number, eps: number): Fitted {
  const mbar = pooled(train);
  let best: Fitted = { mask: 0, s: [], beta: new Float64Array(0), nPassing: 0 };
  let bestRisk = risk(mbar, q, [], best.beta);
  let nPassing = 1;
  for (let mask = 1; mask < 1 << q; mask++) {
    const s = subsetIndices(mask, q);
    const beta = regress(mbar, q, s);
    if (!train.every((m) => defect(m, q, s, beta) <= eps)) continue;
    nPassing++;
    const r = risk(mbar, q, s, beta);
    if (r < bestRisk) {
      bestRisk = r;
      best = { mask, s, beta, nPassing: 0 };
    }
  }
  return { ...best, nPassing };
}

/** ERM baseline: pooled least squares on the whole pool, no invariance test. */
export function pooledErm(train: Moments[], q: number): Fitted {
  const s = subsetIndices((1 << q) - 1, q);
  return { mask: (1 << q) - 1, s, beta: regress(pooled(train), q, s), nPassing: 0 };
}

/** Fraction of (unseen) environments on which (S, β*) is not ε-approximately invariant. */
export function violation(test: Moments[], q: number, f: Fitted, eps: number): number {
  if (f.s.length === 0) return 0;
  let bad = 0;
  for (const m of test) if (defect(m, q, f.s, f.beta) > eps) bad++;
  return bad / test.length;
}

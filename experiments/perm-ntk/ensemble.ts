/**
 * Ensemble complexity of learning a permutation with the trained infinite-width network (Giapitzakis et al.):
 * M independently trained networks are averaged and each output is rounded by its sign, ŷ_j = 1[ȳ_j > 0] (the
 * posterior mean is positive exactly on the coordinates that should be 1, negative elsewhere: the paper's
 * "sign-based features"). The average of M independent GP draws is the mean plus one draw scaled by 1/√M, so:
 * - one test input: P(exact) = Π_j Φ(|μ_j|√M/σ) when every μ_j has the right sign (coordinates independent);
 * - all test inputs at once: for one joint draw ξ of the zero-mean posterior field, rounding is exact iff
 *   M > M*(ξ) = max_{x,j: ξ_j(x) sgn μ_j(x) < 0} (ξ_j(x)/μ_j(x))², so P(exact at M) = P(M* < M).
 */
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { ntkPosterior, ntkPosteriorCov } from "./ntk.ts";

const la = getLinalg();

/** Standard normal CDF via erfc (Numerical Recipes Chebyshev fit, relative error < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2, t = 1 / (1 + 0.5 * x);
  const erfc = t * Math.exp(
    -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
                          t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Targets: y(x) = P_π x, i.e. y_j = x_{π⁻¹(j)}; the training labels are y(e_i) = e_{π(i)}. */
export function permuteInput(x: ArrayLike<number>, perm: Int32Array): Float64Array {
  const y = new Float64Array(perm.length);
  for (let i = 0; i < perm.length; i++) y[perm[i]] = x[i];
  return y;
}

/** Posterior means μ_j(x) (N × k) for the permutation task: μ(x) = A(x) Y with Y = rows e_{π(i)}. */
export function posteriorMeans(coef: Float64Array, k: number, perm: Int32Array): Float64Array {
  const n = coef.length / k, mu = new Float64Array(n * k);
  for (let p = 0; p < n; p++) for (let i = 0; i < k; i++) mu[p * k + perm[i]] = coef[p * k + i];
  return mu;
}

/** Target signs s_j(x) = +1 where y_j(x) = 1, −1 where 0 (N × k). */
export function targetSigns(tests: Float64Array, k: number, perm: Int32Array): Float64Array {
  const out = new Float64Array(tests.length);
  for (let p = 0; p < tests.length / k; p++) {
    const y = permuteInput(tests.subarray(p * k, (p + 1) * k), perm);
    for (let j = 0; j < k; j++) out[p * k + j] = y[j] === 1 ? 1 : -1;
  }
  return out;
}

/** Signed margins s_j μ_j(x) (positive = the mean has the right sign). */
export function margins(mu: Float64Array, tests: Float64Array, k: number, perm: Int32Array): Float64Array {
  const s = targetSigns(tests, k, perm);
  return mu.map((v, i) => v * s[i]);
}

/** P(rounded ensemble of M is exact on input p) = Π_j Φ(margin_j √M / σ_p) (0 if some margin ≤ 0). */
export function pExactSingle(marg: Float64Array, sd: number, k: number, p: number, m: number): number {
  let prob = 1;
  for (let j = 0; j < k; j++) {
    const g = marg[p * k + j];
    if (!(g > 0)) return 0;
    prob *= normalCdf(g * Math.sqrt(m) / sd);
  }
  return prob;
}

/** Smallest ensemble size M with P(exact on input p) ≥ 1 − δ (Infinity if a mean has the wrong sign). */
export function ensembleSizeSingle(marg: Float64Array, sd: number, k: number, p: number, delta: number): number {
  if (pExactSingle(marg, sd, k, p, 1e12) < 1 - delta) return Infinity;
  let hi = 1;
  while (pExactSingle(marg, sd, k, p, hi) < 1 - delta) hi *= 2;
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (pExactSingle(marg, sd, k, p, mid) >= 1 - delta) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** One representative input per number of ones s = 2..k (x = first s coordinates set): by symmetry of the
 * kernel under coordinate permutations the posterior of every input with s ones is a relabelling of it. */
export function representatives(k: number): Float64Array {
  const out = new Float64Array((k - 1) * k);
  for (let s = 2; s <= k; s++) for (let i = 0; i < s; i++) out[(s - 2) * k + i] = 1;
  return out;
}

export interface SingleResult {
  /** Largest over inputs of the ensemble size needed for P(exact) ≥ 1 − δ on that input. */
  mSingle: number;
  /** P(exact) on the worst input at each ensemble size of `grid`. */
  curve: number[];
  /** Smallest signed margin over inputs and coordinates (> 0: the mean has the right sign everywhere). */
  minMargin: number;
}

export function singleInput(k: number, perm: Int32Array, beta2: number, delta: number, grid: number[]): SingleResult {
  const tests = representatives(k);
  const post = ntkPosterior(k, tests, beta2);
  const marg = margins(posteriorMeans(post.coef.data, k, perm), tests, k, perm);
  let mSingle = 0, worst = 0;
  for (let p = 0; p < tests.length / k; p++) {
    const m = ensembleSizeSingle(marg, Math.sqrt(post.variance[p]), k, p, delta);
    if (m > mSingle) [mSingle, worst] = [m, p];
  }
  const sd = Math.sqrt(post.variance[worst]);
  return {
    mSingle,
    curve: grid.map((m) => pExactSingle(marg, sd, k, worst, m)),
    minMargin: Math.min(...marg),
  };
}

export interface AllResult {
  /** Per joint draw, the smallest ensemble size beyond which rounding is exact on every unseen input. */
  mStar: number[];
}

/** Joint draws of the posterior field over all unseen inputs (Cholesky of C), `draws` times. */
export function allInputs(k: number, perm: Int32Array, beta2: number, draws: number, rng: Rng): AllResult {
  const tests = allUnseen(k);
  const n = tests.length / k;
  const post = ntkPosterior(k, tests, beta2);
  const marg = margins(posteriorMeans(post.coef.data, k, perm), tests, k, perm);
  const sign = targetSigns(tests, k, perm);
  const c = ntkPosteriorCov(k, tests, beta2);
  let tr = 0;
  for (let i = 0; i < n; i++) tr += c.data[i * n + i];
  for (let i = 0; i < n; i++) c.data[i * n + i] += 1e-12 * tr / n; // jitter for round-off
  const l = la.cholesky(c);
  const mStar: number[] = [];
  for (let t = 0; t < draws; t++) {
    const z = mat(n, k, rng.normal(n * k));
    const xi = la.matmul(l, z); // each column: one output coordinate's field over all inputs
    let worst = 0;
    for (let i = 0; i < n * k; i++) {
      const g = marg[i], xs = xi.data[i] * sign[i]; // noise in the direction of the right answer
      if (!(g > 0)) {
        worst = Infinity;
        break;
      }
      if (xs < 0) worst = Math.max(worst, (xs / g) ** 2);
    }
    mStar.push(worst);
  }
  return { mStar };
}

/** Every nonzero binary input with at least two ones (the inputs not seen in training), N × k. */
export function allUnseen(k: number): Float64Array {
  const rows: number[] = [];
  for (let code = 1; code < 2 ** k; code++) {
    let ones = 0;
    for (let i = 0; i < k; i++) ones += (code >> i) & 1;
    if (ones >= 2) { for (let i = 0; i < k; i++) rows.push((code >> i) & 1); }
  }
  return Float64Array.from(rows);
}

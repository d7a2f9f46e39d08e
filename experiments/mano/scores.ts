/**
 * Accuracy-estimation scores: each maps a model's outputs on one unlabeled shifted set to a number that
 * should rise with the set's accuracy. Logits are n × K row-major Float32Arrays; all arithmetic is float64.
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";

/** Row-wise softmax (max-shifted), float64. */
export function softmax(z: ArrayLike<number>, K: number): Float64Array {
  const n = z.length / K, p = new Float64Array(z.length);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) m = Math.max(m, z[i * K + k]);
    let s = 0;
    for (let k = 0; k < K; k++) s += p[i * K + k] = Math.exp(z[i * K + k] - m);
    for (let k = 0; k < K; k++) p[i * K + k] /= s;
  }
  return p;
}

export function argmaxRows(z: ArrayLike<number>, K: number): Int32Array {
  const n = z.length / K, out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let b = 0;
    for (let k = 1; k < K; k++) if (z[i * K + k] > z[i * K + b]) b = k;
    out[i] = b;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- MaNo

/**
 * MaNo's criterion Φ(D) (official code: cross-entropy of the logits against uniform targets):
 * Φ = −(1/NK) Σ_i Σ_k log softmax(θ_i)_k = mean_i [logsumexp(θ_i) − mean_k θ_ik]. Large Φ = confident model.
 */
export function manoCriterion(z: ArrayLike<number>, K: number): number {
  const n = z.length / K;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity, mean = 0;
    for (let k = 0; k < K; k++) {
      m = Math.max(m, z[i * K + k]);
      mean += z[i * K + k] / K;
    }
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(z[i * K + k] - m);
    tot += m + Math.log(s) - mean;
  }
  return tot / n;
}

/**
 * Softrun normalisation σ (paper Eq. 6, official `_softrun`): softmax when Φ > η, else the order-`order`
 * Taylor expansion v = Σ_{j≤order} θ^j / j! … as coded: v = 1 + θ + θ²/2 (+ θ^j/j for j ≥ 3), shifted by
 * its row minimum and L1-normalised so each row lies in the simplex.
 */
export function softrun(z: ArrayLike<number>, K: number, useSoftmax: boolean, order = 2): Float64Array {
  if (useSoftmax) return softmax(z, K);
  const n = z.length / K, out = new Float64Array(z.length);
  for (let i = 0; i < n; i++) {
    let mn = Infinity;
    for (let k = 0; k < K; k++) {
      const t = z[i * K + k];
      let v = 1 + t;
      for (let j = 2; j <= order; j++) v += t ** j / j; // the official code divides by j, not j!
      out[i * K + k] = v;
      mn = Math.min(mn, v);
    }
    let s = 0;
    for (let k = 0; k < K; k++) s += out[i * K + k] -= mn;
    s = Math.max(s, 1e-12); // F.normalize(p=1) clamps the norm at eps = 1e-12
    for (let k = 0; k < K; k++) out[i * K + k] /= s;
  }
  return out;
}

/** Scaled entry-wise p-norm: S = ‖P‖_p / (NK)^{1/p} (official `_aggregate`). */
export function scaledPNorm(P: ArrayLike<number>, p: number): number {
  let s = 0;
  for (let i = 0; i < P.length; i++) s += Math.abs(P[i]) ** p;
  return (s / P.length) ** (1 / p);
}

export interface ManoOptions {
  p: number;
  eta: number;
  taylorOrder: number;
  /** Force a normalisation (ablation); default: softrun's switch on Φ. */
  force?: "softmax" | "taylor";
}

/** MaNo score of one set given the criterion Φ used for the switch. */
export function mano(z: ArrayLike<number>, K: number, phi: number, o: ManoOptions): number {
  const useSoftmax = o.force ? o.force === "softmax" : phi > o.eta;
  return scaledPNorm(softrun(z, K, useSoftmax, o.taylorOrder), o.p);
}

// ------------------------------------------------------------------------------------------ baselines

/** ConfScore / AC (Hendrycks & Gimpel 2017): mean max-softmax probability. */
export function confScore(z: ArrayLike<number>, K: number): number {
  const p = softmax(z, K), n = z.length / K;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = 0; k < K; k++) m = Math.max(m, p[i * K + k]);
    s += m;
  }
  return s / n;
}

/** Per-row negative entropy Σ_k p log p (≤ 0). */
export function negEntropy(z: ArrayLike<number>, K: number): Float64Array {
  const p = softmax(z, K), n = z.length / K, out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) {
      const q = p[i * K + k];
      if (q > 0) s += q * Math.log(q);
    }
    out[i] = s;
  }
  return out;
}

/** Entropy score (Guillory et al. 2021): 1 − mean normalised entropy H(p)/log K. */
export function entropyScore(z: ArrayLike<number>, K: number): number {
  const ne = negEntropy(z, K);
  let s = 0;
  for (const v of ne) s += v;
  return 1 + s / ne.length / Math.log(K);
}

/** DoC (Guillory et al. 2021): source accuracy minus the drop in average confidence, acc_val − (AC_val − AC). */
export function doc(z: ArrayLike<number>, K: number, valAcc: number, valConf: number): number {
  return valAcc - (valConf - confScore(z, K));
}

/**
 * ATC-NE threshold (Garg et al. 2022): t such that the fraction of source-validation samples with
 * negative entropy above t matches validation accuracy (t = the #correct-th largest score, as in
 * the COT repository's `predict_ATC_*`).
 */
export function atcThreshold(valScores: ArrayLike<number>, valAcc: number): number {
  const s = Array.from(valScores).sort((a, b) => a - b);
  const correct = Math.round(valAcc * s.length);
  return correct <= 0 ? Infinity : s[s.length - correct];
}

/** ATC estimate: fraction of target samples whose negative entropy exceeds t. */
export function atc(z: ArrayLike<number>, K: number, t: number): number {
  const ne = negEntropy(z, K);
  let c = 0;
  for (const v of ne) if (v > t) c++;
  return c / ne.length;
}

/** AgreeScore / GDE (Jiang et al. 2022): agreement rate of two independently trained models. */
export function agreeScore(zA: ArrayLike<number>, zB: ArrayLike<number>, K: number): number {
  const a = argmaxRows(zA, K), b = argmaxRows(zB, K);
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) c++;
  return c / a.length;
}

/** Eigenvalues of a symmetric K × K matrix (row-major), through the run's linear algebra. */
export function symEigvals(A: Float64Array, K: number): Float64Array {
  return getLinalg().eigh({ rows: K, cols: K, data: A }).values;
}

/** Nuclear norm score (Deng et al. 2023): ‖P‖_* / √(N · min(N, K)) of the softmax matrix P. */
export function nuclear(z: ArrayLike<number>, K: number): number {
  const P = softmax(z, K), n = z.length / K, G = new Float64Array(K * K);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < K; a++) {
      const pa = P[i * K + a];
      for (let b = a; b < K; b++) G[a * K + b] += pa * P[i * K + b];
    }
  }
  for (let a = 0; a < K; a++) for (let b = 0; b < a; b++) G[a * K + b] = G[b * K + a];
  let s = 0;
  for (const l of symEigvals(G, K)) s += Math.sqrt(Math.max(l, 0)); // singular values of P = √eig(PᵀP)
  return s / Math.sqrt(n * Math.min(n, K));
}

/**
 * Dispersion score (Xie et al. 2023, official `common/distance.py`): with pseudo-labels ŷ and penultimate
 * features, log( Σ_k n_k ‖μ_k − μ‖² / (K̂ − 1) ), K̂ = number of predicted classes present. Computed from
 * the per-class feature sums S_k and counts n_k: Σ_k n_k ‖μ_k − μ‖² = Σ_k ‖S_k‖²/n_k − N‖μ‖².
 */
export function dispersion(featSums: ArrayLike<number>, counts: ArrayLike<number>, H: number): number {
  const K = counts.length;
  let N = 0, present = 0, between = 0;
  const tot = new Float64Array(H);
  for (let k = 0; k < K; k++) {
    N += counts[k];
    if (counts[k] === 0) continue;
    present++;
    let sq = 0;
    for (let h = 0; h < H; h++) {
      const v = featSums[k * H + h];
      sq += v * v;
      tot[h] += v;
    }
    between += sq / counts[k];
  }
  let mu2 = 0;
  for (let h = 0; h < H; h++) mu2 += (tot[h] / N) ** 2;
  between -= N * mu2;
  if (present < 2) return -Infinity;
  return Math.log(between / (present - 1));
}

/**
 * Softmax attention and three linearised attentions in float64, each by the quadratic route (the full n×n
 * attention matrix P, rows summing to 1) and — for the linear ones — by the associative route
 * φ_Q(Q)·(φ_K(K)ᵀV) / φ_Q(Q)·(φ_K(K)ᵀ1), which never forms P; plus the attention-matrix statistics the paper
 * studies (row variance of log P, row entropy, a log-normality distance).
 *
 * Matrices are row-major Float64Array: Q, K are n×d, V is n×dv.
 */
import { Rng } from "../../lib/math/rng.ts";
import { gammaP } from "../../lib/math/special.ts";

/** Queries, keys and values of one attention head. */
export interface Qkv {
  n: number;
  d: number;
  dv: number;
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
}

/** A method's attention: the matrix P (n×n) and the outputs of both routes (n×dv). */
export interface AttentionResult {
  p: Float64Array;
  /** P·V (quadratic route). */
  outQuad: Float64Array;
  /** The associative route (equal to `outQuad` for softmax, which has none). */
  outLinear: Float64Array;
  /** LLN's moment-matched α, β (NaN for the others). */
  alpha: number;
  beta: number;
}

/** Softmax attention softmax(QKᵀ/√d) row-wise (max-shifted). */
export function softmaxAttention(x: Qkv): AttentionResult {
  const { n, d } = x, p = new Float64Array(n * n), s = 1 / Math.sqrt(d);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += x.q[i * d + c] * x.k[j * d + c];
      p[i * n + j] = dot * s;
      if (p[i * n + j] > mx) mx = p[i * n + j];
    }
    let z = 0;
    for (let j = 0; j < n; j++) z += p[i * n + j] = Math.exp(p[i * n + j] - mx);
    for (let j = 0; j < n; j++) p[i * n + j] /= z;
  }
  const out = matmul(p, x.v, n, n, x.dv);
  return { p, outQuad: out, outLinear: out, alpha: NaN, beta: NaN };
}

/**
 * Kernelised attention with feature maps already applied: fq (n×m), fk (n×m), all entries > 0.
 * P_ij = fq_i·fk_j / Σ_l fq_i·fk_l (quadratic); the associative route computes fq·(fkᵀV) and fq·(fkᵀ1).
 */
export function kernelAttention(fq: Float64Array, fk: Float64Array, m: number, x: Qkv): AttentionResult {
  const { n, dv } = x, p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < m; c++) dot += fq[i * m + c] * fk[j * m + c];
      p[i * n + j] = dot;
      z += dot;
    }
    for (let j = 0; j < n; j++) p[i * n + j] /= z;
  }
  const outQuad = matmul(p, x.v, n, n, dv);
  // Associative route: S = fkᵀV (m×dv), z = fkᵀ1 (m), out_i = fq_i S / fq_i z.
  const sMat = new Float64Array(m * dv), zv = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < m; c++) {
      const f = fk[j * m + c];
      zv[c] += f;
      for (let e = 0; e < dv; e++) sMat[c * dv + e] += f * x.v[j * dv + e];
    }
  }
  const outLinear = new Float64Array(n * dv);
  for (let i = 0; i < n; i++) {
    let den = 0;
    for (let c = 0; c < m; c++) den += fq[i * m + c] * zv[c];
    for (let c = 0; c < m; c++) {
      const f = fq[i * m + c] / den;
      for (let e = 0; e < dv; e++) outLinear[i * dv + e] += f * sMat[c * dv + e];
    }
  }
  return { p, outQuad, outLinear, alpha: NaN, beta: NaN };
}

/** Population variance of all entries (mean removed). */
export function entryVariance(a: Float64Array): number {
  let s = 0, s2 = 0;
  for (const v of a) s += v;
  const mu = s / a.length;
  for (const v of a) s2 += (v - mu) ** 2;
  return s2 / a.length;
}

/**
 * Our moment matching of LLN (assumption; the paper's own α, β formula was not readable here). Under the Gaussian
 * model q, k ~ N(0, σ_q² I), N(0, σ_k² I), softmax log-weights of a row have variance σ_sm² = σ_q²σ_k²
 * (q·k/√d given q). LLN's row weight ∝ Σ_c exp(αq_c)·exp(βk_c), a weighted sum of d log-normals; Fenton–Wilkinson
 * (match the sum's mean and variance with one log-normal) gives its log-variance
 * σ_lln² ≈ log(1 + (e^{β²σ_k²} − 1)·e^{α²σ_q²}/d) (the weight ratio Σw²/(Σw)² taken at its mean e^{α²σ_q²}/d).
 * With the symmetric choice ασ_q = βσ_k = s, σ_lln² = σ_sm² solves u² − u − d(e^{σ_sm²} − 1) = 0 for u = e^{s²}.
 */
export function llnMoments(sigmaQ2: number, sigmaK2: number, d: number): { alpha: number; beta: number } {
  const target = sigmaQ2 * sigmaK2;
  const u = (1 + Math.sqrt(1 + 4 * d * Math.expm1(target))) / 2;
  const s = Math.sqrt(Math.log(u));
  return { alpha: s / Math.sqrt(sigmaQ2), beta: s / Math.sqrt(sigmaK2) };
}

/**
 * Mean over queries of the row variance of LLN's log-weights log Σ_c exp(s(q_c + k_jc)) under the standard Gaussian
 * model (q, k ~ N(0, I_d)), estimated on `nq` queries × `nk` keys drawn from `rng`.
 */
export function llnLogVarModel(s: number, d: number, rng: Rng, nq = 48, nk = 384): number {
  const q = rng.split("q").normal(nq * d), k = rng.split("k").normal(nk * d), row = new Float64Array(nk);
  let total = 0;
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < nk; j++) {
      let mx = -Infinity;
      for (let c = 0; c < d; c++) mx = Math.max(mx, s * (q[i * d + c] + k[j * d + c]));
      let z = 0;
      for (let c = 0; c < d; c++) z += Math.exp(s * (q[i * d + c] + k[j * d + c]) - mx);
      row[j] = mx + Math.log(z);
    }
    total += entryVariance(row);
  }
  return total / nq;
}

/**
 * Our numerical moment matching (assumption, see {@link llnMoments}): the s = ασ_q = βσ_k at which the Gaussian
 * model's LLN row log-variance ({@link llnLogVarModel}, a fixed Monte-Carlo sample independent of the data) equals
 * σ_sm² = σ_q²σ_k²; bisection on s (the log-variance grows with s).
 */
export function llnCalibrated(sigmaQ2: number, sigmaK2: number, d: number): { alpha: number; beta: number } {
  const target = sigmaQ2 * sigmaK2, rng = (seed: number) => Rng.fromSeed(seed).split(`lln-calibration-d${d}`);
  const f = (s: number) => llnLogVarModel(s, d, rng(0)) - target;
  let lo = 0, hi = 1;
  while (f(hi) < 0 && hi < 64) hi *= 2;
  for (let it = 0; it < 32; it++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  const s = (lo + hi) / 2;
  return { alpha: s / Math.sqrt(sigmaQ2), beta: s / Math.sqrt(sigmaK2) };
}

/**
 * LLN attention: φ_Q(q) = exp(αq), φ_K(k) = exp(βk) elementwise, with α, β from Q, K's entry variances by
 * {@link llnCalibrated} (`matching: "calibrated"`) or the closed form {@link llnMoments} (`"fenton-wilkinson"`).
 */
export function llnAttention(x: Qkv, matching: "calibrated" | "fenton-wilkinson" = "calibrated"): AttentionResult {
  const match = matching === "calibrated" ? llnCalibrated : llnMoments;
  const { alpha, beta } = match(entryVariance(x.q), entryVariance(x.k), x.d);
  // Per-row (query) and global (key) shifts cancel in the normalisation; they keep exp in range.
  const fq = expFeatures(x.q, x.n, x.d, alpha, true), fk = expFeatures(x.k, x.n, x.d, beta, false);
  return { ...kernelAttention(fq, fk, x.d, x), alpha, beta };
}

function expFeatures(a: Float64Array, n: number, d: number, scale: number, perRow: boolean): Float64Array {
  const f = new Float64Array(n * d);
  let gmax = -Infinity;
  for (const v of a) gmax = Math.max(gmax, scale * v);
  for (let i = 0; i < n; i++) {
    let mx = gmax;
    if (perRow) {
      mx = -Infinity;
      for (let c = 0; c < d; c++) mx = Math.max(mx, scale * a[i * d + c]);
    }
    for (let c = 0; c < d; c++) f[i * d + c] = Math.exp(scale * a[i * d + c] - mx);
  }
  return f;
}

/** elu(x) + 1 = x + 1 for x > 0, eˣ otherwise (Katharopoulos et al. 2020). */
const elu1 = (t: number) => (t > 0 ? t + 1 : Math.exp(t));

/** Linear attention with φ(x) = elu(x) + 1 on queries and keys (Katharopoulos et al., ICML 2020). */
export function eluAttention(x: Qkv): AttentionResult {
  return kernelAttention(x.q.map(elu1), x.k.map(elu1), x.d, x);
}

/**
 * Performer (FAVOR+, Choromanski et al. 2021) with positive random features φ(x) = exp(Wx − ‖x‖²/2)/√m on
 * x = q/d^{1/4}, k/d^{1/4}, W (m×d) i.i.d. N(0, 1) rows (not orthogonalised), drawn from `rng`:
 * an unbiased estimate of exp(q·k/√d). Per-row (query) and global (key) shifts keep exp in range.
 */
export function performerAttention(x: Qkv, m: number, rng: Rng): AttentionResult {
  const { n, d } = x, w = rng.normal(m * d), sc = 1 / Math.sqrt(Math.sqrt(d));
  const feats = (a: Float64Array, perRow: boolean) => {
    const logits = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      let nrm = 0;
      for (let c = 0; c < d; c++) nrm += (a[i * d + c] * sc) ** 2;
      for (let r = 0; r < m; r++) {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += w[r * d + c] * a[i * d + c] * sc;
        logits[i * m + r] = dot - nrm / 2;
      }
    }
    let gmax = -Infinity;
    for (const v of logits) gmax = Math.max(gmax, v);
    const f = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      let mx = gmax;
      if (perRow) {
        mx = -Infinity;
        for (let r = 0; r < m; r++) mx = Math.max(mx, logits[i * m + r]);
      }
      for (let r = 0; r < m; r++) f[i * m + r] = Math.exp(logits[i * m + r] - mx) / Math.sqrt(m);
    }
    return f;
  };
  return kernelAttention(feats(x.q, true), feats(x.k, false), m, x);
}

/** C = A·B for row-major A (r×s), B (s×t). */
export function matmul(a: Float64Array, b: Float64Array, r: number, s: number, t: number): Float64Array {
  const c = new Float64Array(r * t);
  for (let i = 0; i < r; i++) {
    for (let l = 0; l < s; l++) {
      const av = a[i * s + l];
      if (av === 0) continue;
      for (let j = 0; j < t; j++) c[i * t + j] += av * b[l * t + j];
    }
  }
  return c;
}

/** Standard normal CDF Φ(z) via erf(|z|/√2) = P(1/2, z²/2) (regularised incomplete gamma). */
export function normalCdf(z: number): number {
  const e = gammaP(0.5, (z * z) / 2);
  return z >= 0 ? 0.5 * (1 + e) : 0.5 * (1 - e);
}

/** Statistics of a row-stochastic attention matrix P (n×n). */
export interface AttentionStats {
  /** Mean over rows of the variance (over j) of log P_ij. */
  logVar: number;
  /** Mean over rows of the entropy −Σ_j P_ij log P_ij (nats). */
  entropy: number;
  /** Kolmogorov–Smirnov distance of the pooled row-standardised log P_ij to N(0, 1). */
  ks: number;
  /** max_i |Σ_j P_ij − 1|. */
  rowSumErr: number;
}

/** The statistics of {@link AttentionStats} for P (n×n, positive entries). */
export function attentionStats(p: Float64Array, n: number): AttentionStats {
  let logVar = 0, entropy = 0, rowSumErr = 0;
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0, mu = 0, h = 0;
    for (let j = 0; j < n; j++) {
      const v = p[i * n + j];
      s += v;
      const l = Math.log(v);
      mu += l;
      h -= v * l;
    }
    mu /= n;
    let va = 0;
    for (let j = 0; j < n; j++) va += (Math.log(p[i * n + j]) - mu) ** 2;
    va /= n;
    const sd = Math.sqrt(va);
    for (let j = 0; j < n; j++) z[i * n + j] = sd > 0 ? (Math.log(p[i * n + j]) - mu) / sd : 0;
    logVar += va;
    entropy += h;
    rowSumErr = Math.max(rowSumErr, Math.abs(s - 1));
  }
  return { logVar: logVar / n, entropy: entropy / n, ks: ksNormal(z), rowSumErr };
}

/** Kolmogorov–Smirnov distance sup |F_n − Φ| of a sample to the standard normal. */
export function ksNormal(sample: Float64Array): number {
  const s = Float64Array.from(sample).sort(), m = s.length;
  let dmax = 0;
  for (let i = 0; i < m; i++) {
    const f = normalCdf(s[i]);
    dmax = Math.max(dmax, Math.abs(f - i / m), Math.abs((i + 1) / m - f));
  }
  return dmax;
}

/**
 * The data separation function λ(s) of a data set and its Monte-Carlo estimator.
 *
 * A Gaussian path is x_t = σ_t x₀ + α_t x₁ with x₀ ~ N(0, I) and x₁ uniform over the n data points; s = α/σ is the
 * signal-to-noise ratio. Writing y = x_t/σ_t = z + s·x₁ (z standard normal), the posterior mean D(y, s) = E[x₁ | y]
 * is a softmax-weighted average of the data, with weights ∝ exp(s·y·x_i − s²‖x_i‖²/2). Our reading of the paper's
 * data separation function (its definition is in the body, which we could not read; see NOTES.md) is
 *
 *     λ(s) = E‖D(y, s)‖² / E‖x₁‖²  =  1 − mmse(s) / E‖x₁‖²,
 *
 * the fraction of the data's energy the posterior mean recovers at snr s: λ(0) = ‖x̄‖²/E‖x‖² (the posterior is the
 * prior), λ(∞) = 1 for distinct points, and λ ≡ 1 exactly when every point is separated from the others at every
 * s > 0. With this λ the kinetic energy of the path (paths.ts) takes the form the abstract describes: the data enter
 * only through λ.
 *
 * Estimator: by the tower rule E‖D‖² = E[D·x₁], so with j uniform and z ~ N(0, I) each draw gives
 * a = Σ_i w_i(y) x_i·x_j and b = ‖x_j‖², and λ̂ = Σa/Σb (a ratio estimator, exactly 1 where the posterior is certain;
 * j runs through random permutations, so for m ≥ n every point is drawn equally often). It needs only the rows of
 * Z·Xᵀ and X_J·Xᵀ — one matrix product, reused at every s of the grid (common random numbers: λ̂ is smooth in s).
 */
import type { Linalg, Mat } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** Log-weights this far below the largest are dropped (relative weight < e^−40 ≈ 4e-18 each). */
const CUT = 40;

/** λ̂ on a grid of snr values, with what the path solver needs. */
export interface Separation {
  /** snr grid s_k (increasing, > 0). */
  s: Float64Array;
  /** λ̂(s_k), the raw Monte-Carlo mean. */
  lambda: Float64Array;
  /** Standard error of each λ̂(s_k) over the samples. */
  se: Float64Array;
  /** λ(0) = ‖x̄‖²/E‖x‖², exact. */
  lambda0: number;
  /** c = E‖x‖²/d, the data's energy per coordinate. */
  c: number;
}

/** A log-spaced grid of `perDecade` points per decade from `lo` to `hi` (both included). */
export function logGrid(lo: number, hi: number, perDecade: number): Float64Array {
  const k = Math.round(Math.log10(hi / lo) * perDecade);
  return Float64Array.from({ length: k + 1 }, (_, i) => lo * 10 ** (i / perDecade));
}

/**
 * Estimate λ(s) on `sGrid` for the empirical distribution of the rows of `x` (n × d, row-major), from `samples`
 * draws of (j, z). Rows of the two Gram products are built `batch` at a time.
 */
export function estimateSeparation(
  x: Float64Array,
  dims: { n: number; d: number },
  opts: { sGrid: Float64Array; samples: number; batch?: number },
  rng: Rng,
  linalg: Linalg,
): Separation {
  const { n, d } = dims, m = opts.samples, K = opts.sGrid.length, batch = opts.batch ?? 64;
  const sq = new Float64Array(n), mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let a = 0;
    for (let k = 0; k < d; k++) {
      const v = x[i * d + k];
      a += v * v;
      mean[k] += v / n;
    }
    sq[i] = a;
  }
  const energy = sq.reduce((a, b) => a + b, 0) / n;
  let mean2 = 0;
  for (let k = 0; k < d; k++) mean2 += mean[k] * mean[k];
  const X: Mat<Float64Array> = { rows: n, cols: d, data: x };
  // a_k(s) = D·x_j and b_k = ‖x_j‖² per draw; λ̂ = Σa/Σb (ratio estimator: exactly 1 where the posterior is sure)
  const a = Array.from({ length: K }, () => new Float64Array(m)), bq = new Float64Array(m);
  const logits = new Float64Array(n);
  // j runs through random permutations of the data (stratified: every point drawn equally often when m ≥ n)
  let perm = rng.permutation(n), pos = 0;
  const nextJ = () => {
    if (pos === n) perm = rng.permutation(n), pos = 0;
    return perm[pos++];
  };
  for (let b0 = 0; b0 < m; b0 += batch) {
    const b = Math.min(batch, m - b0);
    const js = Int32Array.from({ length: b }, nextJ);
    const Z: Mat<Float64Array> = { rows: b, cols: d, data: rng.normal(b * d) as Float64Array };
    const XJ: Mat<Float64Array> = { rows: b, cols: d, data: new Float64Array(b * d) };
    for (let r = 0; r < b; r++) XJ.data.set(x.subarray(js[r] * d, (js[r] + 1) * d), r * d);
    const A = linalg.matmul(Z, X, { transB: true }).data; // z·x_i
    const G = linalg.matmul(XJ, X, { transB: true }).data; // x_j·x_i
    for (let r = 0; r < b; r++) {
      const zx = A.subarray(r * n, (r + 1) * n), g = G.subarray(r * n, (r + 1) * n);
      bq[b0 + r] = sq[js[r]];
      for (let k = 0; k < K; k++) {
        const s = opts.sGrid[k], s2 = s * s;
        let mx = -Infinity;
        for (let i = 0; i < n; i++) {
          // log weight of x_i given y = z + s·x_j: s·y·x_i − s²‖x_i‖²/2
          const l = s * zx[i] + s2 * (g[i] - 0.5 * sq[i]);
          logits[i] = l;
          if (l > mx) mx = l;
        }
        let z = 0, num = 0, live = 0;
        const cut = mx - CUT;
        for (let i = 0; i < n; i++) {
          if (logits[i] < cut) continue; // weight < e^−40 relative to the largest
          const w = Math.exp(logits[i] - mx);
          z += w;
          num += w * g[i];
          live++;
        }
        a[k][b0 + r] = num / z;
        if (live === 1 && logits[js[r]] === mx) {
          // Only x_j is left. Each log-weight gap l_j − l_i = s·z·(x_j − x_i) + s²‖x_j − x_i‖²/2 is convex in s and 0
          // at s = 0, so once above CUT it stays above at every larger s: the posterior stays on x_j.
          for (let k2 = k + 1; k2 < K; k2++) a[k2][b0 + r] = sq[js[r]];
          break;
        }
      }
    }
  }
  const sumB = bq.reduce((u, v) => u + v, 0), lambda = new Float64Array(K), se = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const l = a[k].reduce((u, v) => u + v, 0) / sumB;
    let r2 = 0; // delta-method SE of the ratio: residuals a − λ̂·b
    for (let q = 0; q < m; q++) r2 += (a[k][q] - l * bq[q]) ** 2;
    lambda[k] = l;
    se[k] = Math.sqrt(r2 / Math.max(1, m - 1) / m) / (sumB / m);
  }
  return { s: Float64Array.from(opts.sGrid), lambda, se, lambda0: mean2 / energy, c: energy / d };
}

/**
 * The isotonic (non-decreasing) least-squares fit of `y` (pool-adjacent-violators), clipped to [lo, hi]: λ is
 * non-decreasing in s (the mmse falls with the snr) and at most 1, which the Monte-Carlo curve may miss by noise.
 */
export function isotonic(y: ArrayLike<number>, lo = -Infinity, hi = Infinity): Float64Array {
  const vals: number[] = [], wts: number[] = [];
  for (let i = 0; i < y.length; i++) {
    vals.push(y[i]);
    wts.push(1);
    while (vals.length > 1 && vals[vals.length - 2] > vals[vals.length - 1]) {
      const w = wts[wts.length - 2] + wts[wts.length - 1];
      const v = (vals[vals.length - 2] * wts[wts.length - 2] + vals[vals.length - 1] * wts[wts.length - 1]) / w;
      vals.splice(-2, 2, v);
      wts.splice(-2, 2, w);
    }
  }
  const out = new Float64Array(y.length);
  let i = 0;
  for (let b = 0; b < vals.length; b++) {
    for (let k = 0; k < wts[b]; k++) out[i++] = Math.min(hi, Math.max(lo, vals[b]));
  }
  return out;
}

/**
 * λ as a function of s from a grid estimate: λ(0) at s = 0, linear in s up to the first grid point, linear in log s
 * between grid points (values made isotonic and ≤ 1), 1 beyond the grid; never below {@link lowerBound}.
 */
export function lambdaFunction(sep: Separation): (s: number) => number {
  const lam = isotonic([sep.lambda0, ...sep.lambda], 0, 1);
  const l0 = lam[0], vals = lam.subarray(1), s = sep.s, ls = s.map(Math.log), c = sep.c;
  return (v: number) => Math.max(interp(v), lowerBound(v, c));
  function interp(v: number): number {
    if (v <= 0) return l0;
    if (v <= s[0]) return l0 + (vals[0] - l0) * (v / s[0]);
    if (v >= s[s.length - 1]) return 1;
    const lv = Math.log(v);
    let lo = 0, hi = s.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (ls[mid] <= lv) lo = mid;
      else hi = mid;
    }
    const f = (lv - ls[lo]) / (ls[hi] - ls[lo]);
    return vals[lo] + f * (vals[hi] - vals[lo]);
  }
}

/**
 * Every data set has λ(s) ≥ cs²/(1 + cs²): its mmse is at most the linear estimator's, Σ_k τ_k/(1 + s²τ_k) over the
 * covariance eigenvalues τ_k, which by concavity is ≤ d·c/(1 + s²c). This is what keeps the kinetic energy (and h of
 * the cone metric, paths.ts) non-negative; the Monte-Carlo λ̂ can fall below it by noise, so λ is raised to it.
 */
export function lowerBound(s: number, c: number): number {
  return (c * s * s) / (1 + c * s * s);
}

/**
 * Reconstruction measures used by Hess et al. (2023), Sec. 4: state-space divergence D_stsp (binned KL between
 * the occupation measures of true and generated orbits), power-spectrum Hellinger distance D_H (mean over
 * dimensions), and the n-step prediction error PE(n).
 */
import { fft } from "../../lib/math/fft.ts";

/** KL(p_true ‖ p_gen) over a grid of `bins` per dimension spanning the true data's range (±10%). */
export function stateSpaceDivergence(truth: Float64Array, gen: Float64Array, M: number, bins: number): number {
  const lo = new Array(M).fill(Infinity), hi = new Array(M).fill(-Infinity);
  const nT = truth.length / M, nG = gen.length / M;
  for (let t = 0; t < nT; t++) {
    for (let m = 0; m < M; m++) {
      lo[m] = Math.min(lo[m], truth[t * M + m]);
      hi[m] = Math.max(hi[m], truth[t * M + m]);
    }
  }
  for (let m = 0; m < M; m++) {
    const w = hi[m] - lo[m];
    lo[m] -= 0.1 * w;
    hi[m] += 0.1 * w;
  }
  const hist = (x: Float64Array, n: number) => {
    const h = new Map<number, number>();
    let inside = 0;
    outer: for (let t = 0; t < n; t++) {
      let key = 0;
      for (let m = 0; m < M; m++) {
        const v = x[t * M + m];
        if (!Number.isFinite(v) || v < lo[m] || v >= hi[m]) continue outer; // outside the grid: no bin
        key = key * bins + Math.floor(((v - lo[m]) / (hi[m] - lo[m])) * bins);
      }
      h.set(key, (h.get(key) ?? 0) + 1);
      inside++;
    }
    return { h, inside };
  };
  const p = hist(truth, nT), q = hist(gen, nG);
  const eps = 1e-7; // Laplace-style floor so empty model bins give a large but finite divergence
  let kl = 0;
  for (const [k, c] of p.h) {
    const pk = c / nT;
    const qk = (q.h.get(k) ?? 0) / nG;
    kl += pk * Math.log(pk / (qk + eps));
  }
  return kl;
}

/** |X_k|² for k = 0..n/2 of the DFT of x (n a power of two). */
export function powerSpectrum(x: Float64Array): Float64Array {
  const n = x.length;
  const [re, im] = fft(x, new Float64Array(n));
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) out[k] = re[k] * re[k] + im[k] * im[k];
  return out;
}

function smoothedNormalizedSpectrum(x: Float64Array, sigma: number): Float64Array | null {
  const n = x.length;
  if (!x.every(Number.isFinite)) return null;
  let mu = 0;
  for (const v of x) mu += v / n;
  let sd = 0;
  for (const v of x) sd += (v - mu) ** 2 / n;
  sd = Math.sqrt(sd);
  if (!(sd > 1e-12)) return null; // a constant orbit has no spectrum to compare
  const ps = powerSpectrum(x.map((v) => (v - mu) / sd));
  const r = Math.ceil(3 * sigma);
  const sm = new Float64Array(ps.length);
  let tot = 0;
  for (let k = 0; k < ps.length; k++) {
    let s = 0, w = 0;
    for (let j = Math.max(0, k - r); j <= Math.min(ps.length - 1, k + r); j++) {
      const g = Math.exp(-((j - k) ** 2) / (2 * sigma * sigma));
      s += g * ps[j];
      w += g;
    }
    sm[k] = s / w;
    tot += sm[k];
  }
  return sm.map((v) => v / tot);
}

/** Mean over dimensions of the Hellinger distance between Gaussian-smoothed, normalized power spectra. */
export function spectralHellinger(truth: Float64Array, gen: Float64Array, M: number, sigma: number): number {
  const n = 1 << Math.floor(Math.log2(Math.min(truth.length, gen.length) / M));
  let h = 0;
  for (let m = 0; m < M; m++) {
    const col = (x: Float64Array) => {
      const c = new Float64Array(n);
      for (let t = 0; t < n; t++) c[t] = x[t * M + m];
      return c;
    };
    const p = smoothedNormalizedSpectrum(col(truth), sigma), q = smoothedNormalizedSpectrum(col(gen), sigma);
    if (!p || !q) {
      h += 1 / M;
      continue;
    } // a diverged or constant orbit: maximal distance
    let bc = 0;
    for (let k = 0; k < p.length; k++) bc += Math.sqrt(p[k] * q[k]);
    h += Math.sqrt(Math.max(0, 1 - bc)) / M;
  }
  return h;
}

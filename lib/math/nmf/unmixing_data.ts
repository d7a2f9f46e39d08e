/**
 * One synthetic hyperspectral scene for the unmixing papers (robust-unmixing-l21, ss-nmf-unmixing).
 *
 * - Endmembers: R smooth spectra over L bands, each a positive baseline plus 3–5 Gaussian absorption/reflection
 *   bumps, scaled into [0.05, 1]; redrawn until every pair is at least `minAngle` apart (spectral angle).
 * - Abundances on a side×side image: a Dirichlet(α·1) draw per block of `block`×`block` pixels, smoothed by a
 *   (block+1)-wide box filter (spatially smooth, still on the simplex), then any pixel whose largest abundance
 *   exceeds `maxPurity` is pulled toward the uniform mixture until it equals it (the generator of Miao & Qi 2007
 *   and Qian et al. 2011, with our sizes).
 * - Y = E·S + Gaussian noise at `snrDb` (per-entry σ² = mean(‖ES‖²)/10^{SNR/10}).
 * - Outlier bands: a fraction `outlierBands` of the bands is replaced by |N(0, (scale·mean(Y))²)| noise that has
 *   nothing to do with the scene (blank or badly degraded channels).
 */
import { gamma, type Rng } from "../rng.ts";
import { type Dense, dense, mul } from "./nmf.ts";
import { spectralAngle } from "./unmix.ts";

/** The synthetic scene's generator settings (see makeScene). */
export interface SceneOptions {
  bands: number;
  side: number;
  endmembers: number;
  snrDb: number;
  /** Dirichlet concentration (default 1: uniform on the simplex). */
  alpha?: number;
  block?: number;
  maxPurity?: number;
  outlierBands?: number;
  outlierScale?: number;
  /** Minimum pairwise spectral angle of the endmembers, radians (default 0.15). */
  minAngle?: number;
}

/** A synthetic hyperspectral scene: observed data, its clean part, and the true endmembers and abundances. */
export interface Scene {
  /** L × P observed data (columns are pixels, row-major by band). */
  y: Dense;
  /** L × P noiseless, uncorrupted E·S. */
  clean: Dense;
  /** L × R true endmembers. */
  e: Dense;
  /** R × P true abundances. */
  s: Dense;
  side: number;
  corrupted: number[];
}

/** A Dirichlet(α, …, α) draw of dimension r (normalized gamma draws). */
export function dirichlet(alpha: number, r: number, rng: Rng): Float64Array {
  const g = new Float64Array(r);
  let s = 0;
  for (let i = 0; i < r; i++) s += g[i] = gamma(rng, alpha);
  for (let i = 0; i < r; i++) g[i] /= s;
  return g;
}

/** L × R smooth positive endmember spectra with pairwise angles ≥ minAngle. */
export function smoothEndmembers(bands: number, r: number, rng: Rng, minAngle = 0.15): Dense {
  const spectra: Float64Array[] = [];
  let tries = 0;
  while (spectra.length < r) {
    if (++tries > 10000) throw new Error("smoothEndmembers: could not draw distinct spectra");
    const f = new Float64Array(bands);
    const base = 0.2 + 0.3 * rng.uniform(), slope = (rng.uniform() - 0.5) * 0.4;
    const bumps = 3 + rng.int(3);
    const params = Array.from({ length: bumps }, () => ({
      c: rng.uniform(),
      w: 0.03 + 0.12 * rng.uniform(),
      a: (rng.uniform() < 0.35 ? -0.5 : 1) * (0.2 + 0.6 * rng.uniform()),
    }));
    for (let l = 0; l < bands; l++) {
      const t = l / Math.max(bands - 1, 1);
      let v = base + slope * (t - 0.5);
      for (const b of params) v += b.a * Math.exp(-((t - b.c) ** 2) / (2 * b.w * b.w));
      f[l] = v;
    }
    let lo = Infinity, hi = -Infinity;
    for (const v of f) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    for (let l = 0; l < bands; l++) f[l] = 0.05 + 0.95 * (f[l] - lo) / Math.max(hi - lo, 1e-12);
    if (spectra.every((g) => spectralAngle(f, g) >= minAngle)) spectra.push(f);
  }
  const e = dense(bands, r);
  spectra.forEach((f, i) => f.forEach((v, l) => (e.data[l * r + i] = v)));
  return e;
}

/** R × side² abundances: blockwise Dirichlet, box-smoothed, purity-capped. */
export function smoothAbundances(
  side: number,
  r: number,
  rng: Rng,
  o: { alpha?: number; block?: number; maxPurity?: number } = {},
): Dense {
  const alpha = o.alpha ?? 1, block = o.block ?? 8, maxPurity = o.maxPurity ?? 0.8;
  const nb = Math.ceil(side / block), P = side * side;
  const blocks = Array.from({ length: nb * nb }, () => dirichlet(alpha, r, rng));
  const raw = new Float64Array(r * P);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const b = blocks[Math.floor(y / block) * nb + Math.floor(x / block)];
      for (let k = 0; k < r; k++) raw[k * P + y * side + x] = b[k];
    }
  }
  const half = Math.floor((block + 1) / 2), s = dense(r, P);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const acc = new Float64Array(r);
      let cnt = 0;
      for (let dy = -half; dy <= half; dy++) {
        for (let dx = -half; dx <= half; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy < 0 || yy >= side || xx < 0 || xx >= side) continue;
          cnt++;
          for (let k = 0; k < r; k++) acc[k] += raw[k * P + yy * side + xx];
        }
      }
      let mx = 0;
      for (let k = 0; k < r; k++) mx = Math.max(mx, acc[k] /= cnt);
      // Pull toward 1/r until the largest abundance equals maxPurity: a = t·a + (1 − t)/r.
      const t = mx > maxPurity ? (maxPurity - 1 / r) / (mx - 1 / r) : 1;
      for (let k = 0; k < r; k++) s.data[k * P + y * side + x] = t * acc[k] + (1 - t) / r;
    }
  }
  return s;
}

/** The whole scene: endmembers, abundances, noise at SNR, outlier bands. */
export function makeScene(o: SceneOptions, rng: Rng): Scene {
  const e = smoothEndmembers(o.bands, o.endmembers, rng.split("endmembers"), o.minAngle);
  const s = smoothAbundances(o.side, o.endmembers, rng.split("abundances"), o);
  const clean = mul(e, s), L = o.bands, P = o.side * o.side;
  let power = 0;
  for (const v of clean.data) power += v * v;
  power /= clean.data.length;
  const sigma = Number.isFinite(o.snrDb) ? Math.sqrt(power / 10 ** (o.snrDb / 10)) : 0;
  const nr = rng.split("noise"), y = dense(L, P);
  for (let i = 0; i < y.data.length; i++) y.data[i] = clean.data[i] + sigma * nr.normal();
  const nCorrupt = Math.round((o.outlierBands ?? 0) * L);
  const corrupted = Array.from(rng.split("outliers").permutation(L).slice(0, nCorrupt)).sort((a, b) => a - b);
  let mean = 0;
  for (const v of clean.data) mean += v;
  mean /= clean.data.length;
  const orng = rng.split("outlier-values"), sc = (o.outlierScale ?? 2) * mean;
  for (const l of corrupted) for (let j = 0; j < P; j++) y.data[l * P + j] = Math.abs(sc * orng.normal());
  return { y, clean, e, s, side: o.side, corrupted };
}

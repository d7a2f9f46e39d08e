/** Synthetic piecewise-smooth test image (values in [0, 1]) plus blur and Gaussian noise. */
import type { Rng } from "../../lib/math/rng.ts";
import { convolve, gaussianOtf, type Problem } from "./sobolev.ts";

/**
 * An n×n phantom on [0,1]²: a smooth background ramp, a bright rectangle, a disk, a smooth Gaussian bump and
 * three small disks (fine detail). Fixed (not random), so seeds vary only the noise.
 */
export function phantom(n: number): Float64Array {
  const x = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const yy = (a + 0.5) / n, xx = (b + 0.5) / n;
      let v = 0.15 + 0.15 * xx;
      if (xx > 0.12 && xx < 0.45 && yy > 0.15 && yy < 0.5) v = 0.85;
      if ((xx - 0.7) ** 2 + (yy - 0.3) ** 2 < 0.18 ** 2) v = 0.6;
      v += 0.35 * Math.exp(-((xx - 0.35) ** 2 + (yy - 0.75) ** 2) / (2 * 0.1 ** 2));
      for (const [cx, cy] of [[0.65, 0.7], [0.78, 0.78], [0.7, 0.88]]) {
        if ((xx - cx) ** 2 + (yy - cy) ** 2 < 0.04 ** 2) v = 0.95;
      }
      x[a * n + b] = Math.min(1, v);
    }
  }
  return x;
}

export interface ImageData extends Problem {
  clean: Float64Array;
}

/** f = K u* + σ ε, ε ~ N(0, I); K = identity when blur = 0 (denoising). */
export function makeImage(cfg: { n: number; sigma: number; blur: number }, rng: Rng): ImageData {
  const clean = phantom(cfg.n);
  const otf = gaussianOtf(cfg.n, cfg.blur);
  const f = cfg.blur > 0 ? convolve(clean, otf, cfg.n) : clean.slice();
  const e = rng.normal(cfg.n * cfg.n);
  for (let i = 0; i < f.length; i++) f[i] += cfg.sigma * e[i];
  return { n: cfg.n, clean, f, otf };
}

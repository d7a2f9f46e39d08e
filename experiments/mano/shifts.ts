/**
 * A CIFAR-10-C-style shift suite for 28×28 digits: corruption × severity 1..5, applied to held-out digits.
 *
 * CIFAR-10-C (Hendrycks & Dietterich, ICLR 2019) applies 19 corruptions at 5 severities to the test set;
 * MaNo's Table 1 sweeps all of them (95 shifted sets). We keep the corruptions that make sense for grey
 * digits (noise, blur, digital) and add MNIST-C-style geometric ones (rotate, scale, translate, elastic,
 * occlusion). Severity parameters are ours, chosen so severity 5 is hard but not chance for a small MLP.
 * Severities were set on accuracy alone (before comparing methods' scores was the goal, but after a first
 * look): severity 1 should cost a few points and severity 5 should leave the MLP well above chance
 * (roughly 30–70%), like ResNets on CIFAR-10-C. Corruptions that barely hurt (blur, pixelate, shot noise)
 * were made stronger and ones that drove accuracy below 20% (translate, scale, brightness) milder.
 * Every corruption maps an image in [0,1] to an image in [0,1]; randomness comes from the given Rng.
 */
import type { Rng } from "../../lib/math/rng.ts";

const S = 28;
type Corrupt = (x: Float32Array, sev: number, rng: Rng) => Float32Array;

const clip = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

function mapClip(x: Float32Array, f: (v: number, i: number) => number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = clip(f(x[i], i));
  return out;
}

/** Bilinear sample of x at (r, c), zero outside the image. */
function sample(x: Float32Array, r: number, c: number): number {
  const r0 = Math.floor(r), c0 = Math.floor(c), fr = r - r0, fc = c - c0;
  let v = 0;
  for (let dr = 0; dr <= 1; dr++) {
    for (let dc = 0; dc <= 1; dc++) {
      const rr = r0 + dr, cc = c0 + dc;
      if (rr < 0 || rr >= S || cc < 0 || cc >= S) continue;
      v += x[rr * S + cc] * (dr ? fr : 1 - fr) * (dc ? fc : 1 - fc);
    }
  }
  return v;
}

/** Warp by an inverse map: out(r, c) = x(src(r, c)). */
function warp(x: Float32Array, src: (r: number, c: number) => [number, number]): Float32Array {
  const out = new Float32Array(S * S);
  for (let r = 0; r < S; r++) {
    for (let c = 0; c < S; c++) {
      const [sr, sc] = src(r, c);
      out[r * S + c] = clip(sample(x, sr, sc));
    }
  }
  return out;
}

/** Separable Gaussian blur with zero padding, unclipped (float64). */
function blur(x: ArrayLike<number>, sigma: number): Float64Array {
  const rad = Math.max(1, Math.ceil(3 * sigma));
  const k = Array.from({ length: 2 * rad + 1 }, (_, i) => Math.exp(-((i - rad) ** 2) / (2 * sigma * sigma)));
  const z = k.reduce((a, b) => a + b, 0);
  const tmp = new Float64Array(S * S), out = new Float64Array(S * S);
  for (let r = 0; r < S; r++) {
    for (let c = 0; c < S; c++) {
      let v = 0;
      for (let j = -rad; j <= rad; j++) if (c + j >= 0 && c + j < S) v += k[j + rad] * x[r * S + c + j];
      tmp[r * S + c] = v / z;
    }
  }
  for (let r = 0; r < S; r++) {
    for (let c = 0; c < S; c++) {
      let v = 0;
      for (let j = -rad; j <= rad; j++) if (r + j >= 0 && r + j < S) v += k[j + rad] * tmp[(r + j) * S + c];
      out[r * S + c] = v / z;
    }
  }
  return out;
}

/** Gaussian blur of an image, clipped to [0, 1]. */
export function gaussianBlur(x: Float32Array, sigma: number): Float32Array {
  const b = blur(x, sigma);
  return mapClip(x, (_, i) => b[i]);
}

function poisson(lambda: number, rng: Rng): number {
  if (lambda > 60) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const L = Math.exp(-lambda);
  let k = 0, p = 1;
  do {
    k++;
    p *= rng.uniform();
  } while (p > L);
  return k - 1;
}

const C = 13.5; // image centre

export const CORRUPTIONS: Record<string, Corrupt> = {
  // Additive brightness shift (CIFAR-C brightness raises V in HSV).
  brightness: (x, s) => {
    const b = [0.1, 0.2, 0.3, 0.4, 0.5][s - 1];
    return mapClip(x, (v) => v + b);
  },
  // Contrast towards the image mean (CIFAR-C contrast uses c = .75 … .15 of the same form).
  contrast: (x, s) => {
    const c = [0.6, 0.45, 0.35, 0.27, 0.2][s - 1];
    let m = 0;
    for (const v of x) m += v;
    m /= x.length;
    return mapClip(x, (v) => (v - m) * c + m);
  },
  // Simard et al. (2003) elastic distortion: uniform displacement fields smoothed by a Gaussian (σ = 4).
  elastic: (x, s, rng) => {
    const alpha = [15, 25, 35, 45, 60][s - 1];
    const field = () => blur(Array.from({ length: S * S }, () => 2 * rng.uniform() - 1), 4);
    const dx = field(), dy = field();
    return warp(x, (r, c) => [r + alpha * dy[r * S + c], c + alpha * dx[r * S + c]]);
  },
  gaussian_blur: (x, s) => gaussianBlur(x, [1.0, 1.5, 2.0, 2.5, 3.0][s - 1]),
  gaussian_noise: (x, s, rng) => {
    const sd = [0.1, 0.2, 0.3, 0.4, 0.5][s - 1];
    return mapClip(x, (v) => v + sd * rng.normal());
  },
  // Salt-and-pepper (CIFAR-C impulse_noise, amounts .03 … .27; digits tolerate more).
  impulse_noise: (x, s, rng) => {
    const a = [0.05, 0.1, 0.2, 0.3, 0.4][s - 1];
    return mapClip(x, (v) => (rng.uniform() < a ? (rng.uniform() < 0.5 ? 0 : 1) : v));
  },
  // Linear motion blur of length L along a random direction.
  motion_blur: (x, s, rng) => {
    const L = [3, 5, 7, 9, 11][s - 1];
    const th = Math.PI * rng.uniform(), dr = Math.sin(th), dc = Math.cos(th);
    const out = new Float32Array(S * S);
    for (let r = 0; r < S; r++) {
      for (let c = 0; c < S; c++) {
        let v = 0;
        for (let t = 0; t < L; t++) {
          const o = t - (L - 1) / 2;
          v += sample(x, r + o * dr, c + o * dc);
        }
        out[r * S + c] = clip(v / L);
      }
    }
    return out;
  },
  // A black square erases part of the strokes (MNIST-C-like occlusion), placed near the centre.
  occlusion: (x, s, rng) => {
    const w = [5, 7, 9, 11, 13][s - 1];
    const r0 = 4 + rng.int(20 - w + 1), c0 = 4 + rng.int(20 - w + 1);
    return mapClip(x, (v, i) => {
      const r = Math.floor(i / S), c = i % S;
      return r >= r0 && r < r0 + w && c >= c0 && c < c0 + w ? 0 : v;
    });
  },
  // Area-average down to round(28 f) pixels, nearest-neighbour back up (CIFAR-C pixelate).
  pixelate: (x, s) => {
    const m = Math.round(S * [0.4, 0.33, 0.28, 0.24, 0.2][s - 1]);
    const small = new Float64Array(m * m), cnt = new Float64Array(m * m);
    for (let r = 0; r < S; r++) {
      for (let c = 0; c < S; c++) {
        const j = Math.floor((r * m) / S) * m + Math.floor((c * m) / S);
        small[j] += x[r * S + c];
        cnt[j]++;
      }
    }
    return mapClip(x, (_, i) => {
      const r = Math.floor(i / S), c = i % S, j = Math.floor((r * m) / S) * m + Math.floor((c * m) / S);
      return small[j] / cnt[j];
    });
  },
  rotate: (x, s, rng) => {
    const deg = [10, 20, 30, 40, 50][s - 1] * (rng.uniform() < 0.5 ? -1 : 1);
    const a = (deg * Math.PI) / 180, ca = Math.cos(a), sa = Math.sin(a);
    return warp(x, (r, c) => [C + ca * (r - C) - sa * (c - C), C + sa * (r - C) + ca * (c - C)]);
  },
  // Zoom out (MNIST-C scale): the digit shrinks about the centre.
  scale: (x, s) => {
    const f = [0.92, 0.85, 0.8, 0.75, 0.7][s - 1];
    return warp(x, (r, c) => [C + (r - C) / f, C + (c - C) / f]);
  },
  shot_noise: (x, s, rng) => {
    const lam = [3, 1.5, 1, 0.7, 0.5][s - 1];
    return mapClip(x, (v) => poisson(v * lam, rng) / lam);
  },
  translate: (x, s, rng) => {
    const d = [0.5, 1, 1.5, 2, 2.5][s - 1], th = 2 * Math.PI * rng.uniform();
    return warp(x, (r, c) => [r - d * Math.sin(th), c - d * Math.cos(th)]);
  },
};

export const SUITES = {
  smoke: ["contrast", "gaussian_noise", "rotate"],
  full: Object.keys(CORRUPTIONS), // alphabetical, like the official corruption list
} as const;
export type SuiteName = keyof typeof SUITES;

/** Apply `name` at severity `sev` to n images (n × 784), one independent draw per image. */
export function corruptAll(images: Float32Array, name: string, sev: number, rng: Rng): Float32Array {
  const f = CORRUPTIONS[name];
  if (!f) throw new Error(`unknown corruption ${name}`);
  const n = images.length / (S * S), out = new Float32Array(images.length);
  for (let i = 0; i < n; i++) out.set(f(images.subarray(i * S * S, (i + 1) * S * S), sev, rng), i * S * S);
  return out;
}

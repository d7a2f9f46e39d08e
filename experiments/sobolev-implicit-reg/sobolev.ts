/**
 * H^s data fidelity for imaging (Zhu, Hu, Lou & Yang 2022, arXiv 2109.06255): on a periodic n×n grid,
 *   ‖r‖²_{H^s} = (1/N) Σ_ξ (1 + |ξ|²)^s |r̂(ξ)|²,   N = n², ξ the integer wavenumbers (Parseval-normalized,
 * so s = 0 is the plain L² norm). For s < 0 the weight decays with |ξ|: high frequencies (where noise lives)
 * are fitted slowly by gradient descent — the implicit regularization the paper analyses.
 * Forward model u ↦ K u with K a periodic convolution (identity for denoising), diagonal in Fourier.
 */
import { fft2InPlace } from "../../lib/math/fft.ts";

/** Integer wavenumber of FFT index i on a length-n grid: 0, 1, …, n/2 − 1, −n/2, …, −1. */
export const wavenumber = (i: number, n: number) => (i < n / 2 ? i : i - n);

/** (1 + |ξ|²)^s on the n×n FFT grid (row-major). */
export function sobolevWeights(n: number, s: number): Float64Array {
  const w = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const ka = wavenumber(a, n);
    for (let b = 0; b < n; b++) {
      const kb = wavenumber(b, n);
      w[a * n + b] = Math.pow(1 + ka * ka + kb * kb, s);
    }
  }
  return w;
}

/**
 * Transfer function of a periodic Gaussian blur with standard deviation `width` pixels:
 * K̂(ξ) = exp(−width²|ω|²/2), ω = 2πk/n (real and even, so K is self-adjoint). width = 0 gives the identity.
 */
export function gaussianOtf(n: number, width: number): Float64Array {
  const h = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const wa = (2 * Math.PI * wavenumber(a, n)) / n;
    for (let b = 0; b < n; b++) {
      const wb = (2 * Math.PI * wavenumber(b, n)) / n;
      h[a * n + b] = Math.exp((-width * width * (wa * wa + wb * wb)) / 2);
    }
  }
  return h;
}

/** K x for a real image x and real OTF. */
export function convolve(x: Float64Array, otf: Float64Array, n: number): Float64Array {
  const re = x.slice(), im = new Float64Array(n * n);
  fft2InPlace(re, im, n);
  for (let i = 0; i < n * n; i++) {
    re[i] *= otf[i];
    im[i] *= otf[i];
  }
  fft2InPlace(re, im, n, true);
  return re;
}

export interface Problem {
  n: number;
  /** observed image f (row-major n×n) */
  f: Float64Array;
  /** real, even OTF of K */
  otf: Float64Array;
}

/** J(u) = ½ ‖K u − f‖²_{H^s}. */
export function objective(p: Problem, w: Float64Array, u: Float64Array): number {
  const { n } = p;
  const re = convolve(u, p.otf, n);
  for (let i = 0; i < n * n; i++) re[i] -= p.f[i];
  const im = new Float64Array(n * n);
  fft2InPlace(re, im, n);
  let s = 0;
  for (let i = 0; i < n * n; i++) s += w[i] * (re[i] * re[i] + im[i] * im[i]);
  return s / (2 * n * n);
}

/** ∇J(u) = K* W (K u − f), W the H^s weight multiplier; two FFTs (f̂ precomputed by the caller). */
function gradient(
  p: Problem,
  mult: Float64Array,
  fhRe: Float64Array,
  fhIm: Float64Array,
  u: Float64Array,
  re: Float64Array,
  im: Float64Array,
): void {
  const { n, otf } = p;
  re.set(u);
  im.fill(0);
  fft2InPlace(re, im, n);
  for (let i = 0; i < n * n; i++) {
    // r̂ = K̂ û − f̂ ; ĝ = K̂ w r̂  (K̂ real)
    const rr = otf[i] * re[i] - fhRe[i], ri = otf[i] * im[i] - fhIm[i];
    re[i] = mult[i] * rr;
    im[i] = mult[i] * ri;
  }
  fft2InPlace(re, im, n, true);
}

/** Exported for the finite-difference test. */
export function gradientOf(p: Problem, s: number, u: Float64Array): Float64Array {
  const { n } = p;
  const w = sobolevWeights(n, s);
  const mult = w.map((v, i) => v * p.otf[i]);
  const fhRe = p.f.slice(), fhIm = new Float64Array(n * n);
  fft2InPlace(fhRe, fhIm, n);
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  gradient(p, mult, fhRe, fhIm, u, re, im);
  return re;
}

/** Largest eigenvalue of ∇²J = K* W K, i.e. max_ξ w(ξ) K̂(ξ)²: the step 1/L is the classical GD step. */
export function lipschitz(p: Problem, s: number): number {
  const w = sobolevWeights(p.n, s);
  let L = 0;
  for (let i = 0; i < w.length; i++) L = Math.max(L, w[i] * p.otf[i] * p.otf[i]);
  return L;
}

/**
 * Gradient descent on the pixel values, u_{k+1} = u_k − η ∇J(u_k), from u_0 = 0 with η = stepFactor / L.
 * `onIter(k, u)` sees every iterate (k = 1 … iters); the final iterate is returned.
 */
export function sobolevGD(
  p: Problem,
  opts: { s: number; iters: number; stepFactor?: number },
  onIter?: (k: number, u: Float64Array) => void,
): Float64Array {
  const { n } = p;
  const w = sobolevWeights(n, opts.s);
  const mult = w.map((v, i) => v * p.otf[i]);
  const eta = (opts.stepFactor ?? 1) / lipschitz(p, opts.s);
  const fhRe = p.f.slice(), fhIm = new Float64Array(n * n);
  fft2InPlace(fhRe, fhIm, n);
  const u = new Float64Array(n * n);
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  for (let k = 1; k <= opts.iters; k++) {
    gradient(p, mult, fhRe, fhIm, u, re, im);
    for (let i = 0; i < n * n; i++) u[i] -= eta * re[i];
    onIter?.(k, u);
  }
  return u;
}

/** PSNR in dB for images with peak value 1. */
export function psnr(u: Float64Array, ref: Float64Array): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += (u[i] - ref[i]) ** 2;
  return 10 * Math.log10(1 / (s / u.length));
}

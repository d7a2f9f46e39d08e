/**
 * Synthetic two-class multichannel "EEG" trials that differ in their dynamics, not in their zero-lag covariance.
 *
 * Per seed: two random rotations O_1, O_2 (C × C, Haar by QR of a Gaussian matrix) and one mixing matrix M = I + G/√C
 * (G Gaussian). A trial of class c: sources s_t = ρ·O_c·s_{t−1} + e_t, e_t ~ N(0, (1 − ρ²)·I), started at the
 * stationary law N(0, I), so cov(s_t) = I in both classes; per-trial source gains D = diag(exp(σ_g·z_j)), z_j ~ N(0, 1)
 * (a class-independent nuisance); x_t = M·D·s_t + σ_n·n_t. Hence E[x_t x_tᵀ] = M·E[D²]·Mᵀ + σ_n²·I is the same in both
 * classes (with `covShift` > 0, class 2's first source gain is multiplied by 1 + covShift: a zero-lag difference),
 * while the lagged covariances E[x_t x_{t−τ}ᵀ] = M·D·(ρ·O_c)^τ·D·Mᵀ differ.
 */
import { gramSchmidtSmall } from "../../lib/math/linalg/mat_small.ts";
import type { Rng } from "../../lib/math/rng.ts";

export interface Trials {
  /** x[i]: C × T, row-major (channel-major). */
  x: Float64Array[];
  y: Int32Array;
}

export interface BciData {
  channels: number;
  samples: number;
  train: Trials;
  test: Trials;
}

/** A Haar-random orthogonal matrix: Gram–Schmidt on a Gaussian matrix (= QR with positive diag R). */
export function randomRotation(c: number, rng: Rng): Float64Array {
  return gramSchmidtSmall(Float64Array.from({ length: c * c }, () => rng.normal() as number), c, c);
}

export function makeTrials(
  o: {
    channels: number;
    samples: number;
    nTrain: number;
    nTest: number;
    rho: number;
    gainSd: number;
    noiseSd: number;
    covShift: number;
  },
  rng: Rng,
): BciData {
  const c = o.channels, t = o.samples;
  const rot = [randomRotation(c, rng), randomRotation(c, rng)];
  const mix = Float64Array.from(
    { length: c * c },
    (_, k) => (k % (c + 1) === 0 ? 1 : 0) + (rng.normal() as number) / Math.sqrt(c),
  );
  const sdE = Math.sqrt(1 - o.rho * o.rho);
  const trial = (cls: number): Float64Array => {
    const a = rot[cls],
      s = new Float64Array(c * t),
      prev = Float64Array.from({ length: c }, () => rng.normal() as number);
    for (let k = 0; k < t; k++) {
      for (let i = 0; i < c; i++) {
        let v = 0;
        for (let j = 0; j < c; j++) v += a[i * c + j] * prev[j];
        s[i * t + k] = o.rho * v + sdE * (rng.normal() as number);
      }
      for (let i = 0; i < c; i++) prev[i] = s[i * t + k];
    }
    const gain = Float64Array.from({ length: c }, () => Math.exp(o.gainSd * (rng.normal() as number)));
    if (cls === 1) gain[0] *= 1 + o.covShift;
    const x = new Float64Array(c * t);
    for (let i = 0; i < c; i++) {
      for (let k = 0; k < t; k++) {
        let v = 0;
        for (let j = 0; j < c; j++) v += mix[i * c + j] * gain[j] * s[j * t + k];
        x[i * t + k] = v + o.noiseSd * (rng.normal() as number);
      }
    }
    return x;
  };
  const set = (perClass: number): Trials => {
    const x: Float64Array[] = [], y: number[] = [];
    for (let k = 0; k < perClass; k++) {
      for (const cls of [0, 1]) {
        x.push(trial(cls));
        y.push(cls);
      }
    }
    return { x, y: Int32Array.from(y) };
  };
  return { channels: c, samples: t, train: set(o.nTrain), test: set(o.nTest) };
}

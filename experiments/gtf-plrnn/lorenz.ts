/** Lorenz-63 data: RK4 integration, subsampled, standardized with the training mean/std. */
import type { Rng } from "../../lib/math/rng.ts";

export interface LorenzData {
  /** Training series, row-major T×3, standardized. */
  train: Float64Array;
  /** Held-out series (continuation after a gap), same standardization. */
  test: Float64Array;
  nTrain: number;
  nTest: number;
  dt: number;
}

/** Lorenz-63 vector field, σ = 10, ρ = 28, β = 8/3. */
export function lorenzField(s: ArrayLike<number>, out: Float64Array): void {
  out[0] = 10 * (s[1] - s[0]);
  out[1] = s[0] * (28 - s[2]) - s[1];
  out[2] = s[0] * s[1] - (8 / 3) * s[2];
}

/** Classic RK4 step of size h, in place. */
export function rk4Step(s: Float64Array, h: number): void {
  const k1 = new Float64Array(3), k2 = new Float64Array(3), k3 = new Float64Array(3), k4 = new Float64Array(3);
  const tmp = new Float64Array(3);
  lorenzField(s, k1);
  for (let i = 0; i < 3; i++) tmp[i] = s[i] + 0.5 * h * k1[i];
  lorenzField(tmp, k2);
  for (let i = 0; i < 3; i++) tmp[i] = s[i] + 0.5 * h * k2[i];
  lorenzField(tmp, k3);
  for (let i = 0; i < 3; i++) tmp[i] = s[i] + h * k3[i];
  lorenzField(tmp, k4);
  for (let i = 0; i < 3; i++) s[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

/** Integrate from a random initial condition, drop a 20-time-unit transient, sample every `dt`. */
export function lorenzSeries(n: number, dt: number, rng: Rng, h = 0.01): Float64Array {
  const s = new Float64Array([rng.normal() * 5, rng.normal() * 5, 25 + rng.normal() * 5]);
  const sub = Math.max(1, Math.round(dt / h));
  const hh = dt / sub;
  for (let i = 0; i < Math.round(20 / hh); i++) rk4Step(s, hh);
  const out = new Float64Array(n * 3);
  for (let t = 0; t < n; t++) {
    out.set(s, 3 * t);
    for (let k = 0; k < sub; k++) rk4Step(s, hh);
  }
  return out;
}

export function makeLorenz(cfg: { nTrain: number; nTest: number; dt: number }, rng: Rng): LorenzData {
  const all = lorenzSeries(cfg.nTrain + cfg.nTest + 200, cfg.dt, rng);
  const mu = [0, 0, 0], sd = [0, 0, 0];
  for (let t = 0; t < cfg.nTrain; t++) for (let i = 0; i < 3; i++) mu[i] += all[3 * t + i] / cfg.nTrain;
  for (let t = 0; t < cfg.nTrain; t++) for (let i = 0; i < 3; i++) sd[i] += (all[3 * t + i] - mu[i]) ** 2 / cfg.nTrain;
  for (let i = 0; i < 3; i++) sd[i] = Math.sqrt(sd[i]);
  const std = (from: number, n: number) => {
    const o = new Float64Array(3 * n);
    for (let t = 0; t < n; t++) for (let i = 0; i < 3; i++) o[3 * t + i] = (all[3 * (from + t) + i] - mu[i]) / sd[i];
    return o;
  };
  return {
    train: std(0, cfg.nTrain),
    test: std(cfg.nTrain + 200, cfg.nTest),
    nTrain: cfg.nTrain,
    nTest: cfg.nTest,
    dt: cfg.dt,
  };
}

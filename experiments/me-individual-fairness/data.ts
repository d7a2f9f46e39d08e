/**
 * Synthetic latent-variable data for individual fairness (Zhang, Cen, Shah 2023, synthetic setting as we read it).
 *
 * Individual i has a latent vector u_i ~ N(0, I_r/r); feature j a latent v_j ~ N(0, I_r). The true (noiseless,
 * complete) features are A = U·Vᵀ (n×m, rank r) and the true outcome is y_i = ⟨u_i, w⟩ with ‖w‖ = 1. What an
 * algorithm sees is Z = A + σ·E with each entry observed independently with probability p (missing entries are 0
 * in `z`, with `mask` marking what is seen), and noisy training labels y_i + σ_y·ε for the first nTrain individuals.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { gaussian, type M64, matmul, symEig } from "../../lib/math/lowrank/mod.ts";

export interface FairData {
  n: number;
  m: number;
  nTrain: number;
  /** True complete features A (n×m): similarity of individuals is measured here. */
  a: M64;
  /** Observed features: A + noise on observed entries, 0 elsewhere. */
  z: M64;
  mask: Uint8Array;
  /** True outcomes y (n). */
  y: Float64Array;
  /** Training labels (first nTrain individuals, noisy). */
  yTrain: Float64Array;
  /** Lipschitz constant of the true outcome map A_i ↦ y_i: ‖w‖/σ_min(V). */
  lStar: number;
}

export function makeData(
  o: { n: number; m: number; r: number; p: number; noise: number; labelNoise: number; trainFrac: number },
  rng: Rng,
): FairData {
  const u = gaussian(o.n, o.r, rng.split("U"), 1 / Math.sqrt(o.r));
  const v = gaussian(o.m, o.r, rng.split("V"));
  const wRaw = rng.split("w").normal(o.r), wn = Math.hypot(...wRaw);
  const w = wRaw.map((x) => x / wn);
  const a = matmul(u, v, { transB: true });
  const e = rng.split("noise").normal(o.n * o.m), obs = rng.split("mask");
  const mask = new Uint8Array(o.n * o.m), z = { rows: o.n, cols: o.m, data: new Float64Array(o.n * o.m) };
  for (let q = 0; q < o.n * o.m; q++) {
    if (obs.uniform() < o.p) {
      mask[q] = 1;
      z.data[q] = a.data[q] + o.noise * e[q];
    }
  }
  const y = new Float64Array(o.n);
  for (let i = 0; i < o.n; i++) for (let l = 0; l < o.r; l++) y[i] += u.data[i * o.r + l] * w[l];
  const nTrain = Math.round(o.trainFrac * o.n), ln = rng.split("labels");
  const yTrain = Float64Array.from({ length: nTrain }, (_, i) => y[i] + o.labelNoise * ln.normal());
  // ‖A_a − A_b‖ = ‖V(u_a − u_b)‖ ≥ σ_min(V)‖u_a − u_b‖, so |y_a − y_b| ≤ ‖w‖/σ_min(V)·‖A_a − A_b‖
  const sigmaMin = Math.sqrt(Math.max(symEig(matmul(v, v, { transA: true })).values[0], 0));
  return { n: o.n, m: o.m, nTrain, a, z, mask, y, yTrain, lStar: 1 / sigmaMin };
}

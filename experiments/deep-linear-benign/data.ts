/**
 * The data of Chatterji & Long's simulations (official repo, src/data.py `GaussianIID`): x ~ N(0, Σ) with
 * Σ = diag(1 × k, ε × (d − k)), θ* a d×q Gaussian matrix scaled to unit Frobenius norm, y = θ*ᵀx + N(0, σ² I_q).
 */
import type { Rng } from "../../lib/math/rng.ts";
import { type Mat, mat } from "../../lib/math/linalg/mod.ts";

export type M = Mat<Float64Array>;

export interface Regression {
  /** n×d inputs, q-dimensional outputs (n×q). */
  x: M;
  y: M;
  theta: M;
  /** Diagonal of Σ. */
  sigmaDiag: Float64Array;
}

export interface DataConfig {
  n: number;
  d: number;
  q: number;
  k: number;
  eps: number;
  noise: number;
}

export function makeRegression(cfg: DataConfig, rng: Rng): Regression {
  const { n, d, q, k, eps, noise } = cfg;
  const sigmaDiag = new Float64Array(d).map((_, j) => (j < k ? 1 : eps));
  const x = mat(n, d, rng.split("x").normal(n * d));
  for (let i = 0; i < n; i++) for (let j = k; j < d; j++) x.data[i * d + j] *= Math.sqrt(eps);
  const t = rng.split("theta").normal(d * q);
  const tn = Math.sqrt(t.reduce((s, v) => s + v * v, 0));
  const theta = mat(d, q, t.map((v) => v / tn));
  const xi = rng.split("noise").normal(n * q);
  const y = mat(n, q);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < q; c++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += x.data[i * d + j] * theta.data[j * q + c];
      y.data[i * q + c] = v + noise * xi[i * q + c];
    }
  }
  return { x, y, theta, sigmaDiag };
}

/** Excess risk E‖(W − θ*)ᵀx‖² = tr((W − θ*)ᵀΣ(W − θ*)) for a d×q end-to-end weight W (exact, Σ diagonal). */
export function excessRisk(p: Regression, w: M): number {
  const d = p.x.cols;
  const q = p.theta.cols;
  let r = 0;
  for (let j = 0; j < d; j++) {
    for (let c = 0; c < q; c++) r += p.sigmaDiag[j] * (w.data[j * q + c] - p.theta.data[j * q + c]) ** 2;
  }
  return r;
}

/** Training loss as the official code computes it: ‖XW − Y‖²_F / n. */
export function trainLoss(p: Regression, w: M): number {
  const { x, y } = p;
  const n = x.rows, d = x.cols, q = y.cols;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < q; c++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += x.data[i * d + j] * w.data[j * q + c];
      s += (v - y.data[i * q + c]) ** 2;
    }
  }
  return s / n;
}

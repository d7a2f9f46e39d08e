/**
 * The matrix sensing instance of Jin et al. (2023), Section 3: a PSD rank-r* ground truth X* = U*U*ᵀ (d×d) with
 * distinct eigenvalues, m symmetric Gaussian measurements y_i = ⟨A_i, X*⟩ (noiseless), and the loss
 * f(U) = (1/2m)‖A(UUᵀ) − y‖² over U ∈ ℝ^{d×r}.
 */
import type { Rng } from "../../lib/math/rng.ts";
import {
  type DenseSensing,
  gaussianSensing,
  type M64,
  type PsdTruth,
  psdTruth,
  zeros,
} from "../../lib/math/lowrank/mod.ts";

export interface SensingProblem {
  op: DenseSensing;
  y: Float64Array;
  truth: PsdTruth;
  /** X*_s, the best rank-s approximation of X* for s = 1..r* (the rank-s targets GLRL passes through). */
  bestRank: M64[];
}

export function makeProblem(
  opts: { d: number; rStar: number; kappa: number; m: number },
  rng: Rng,
): SensingProblem {
  const truth = psdTruth({ n: opts.d, r: opts.rStar, kappa: opts.kappa }, rng.split("truth"));
  const op = gaussianSensing({ m: opts.m, rows: opts.d, cols: opts.d, symmetric: true }, rng.split("A"));
  const bestRank: M64[] = [];
  for (let s = 1; s <= opts.rStar; s++) {
    // X*_s = Σ_{j<s} u*_j u*_jᵀ: the columns of U* are orthogonal with ‖u*_j‖² = σ_j, descending.
    const x = zeros(opts.d, opts.d), U = truth.u.data, r = opts.rStar;
    for (let a = 0; a < opts.d; a++) {
      for (let b = 0; b < opts.d; b++) {
        let v = 0;
        for (let j = 0; j < s; j++) v += U[a * r + j] * U[b * r + j];
        x.data[a * opts.d + b] = v;
      }
    }
    bestRank.push(x);
  }
  return { op, y: op.apply(truth.x), truth, bestRank };
}

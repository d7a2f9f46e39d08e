/**
 * The pose solvers of the official `solvers/camera_recovering.py` and `solvers/ransac.py`:
 * - 8PA: least-squares essential matrix, then the pose (Longuet-Higgins 1981).
 * - opt_SK (Robust 360-8PA, the paper's method): normalize bearings by diag(s, s, k), choose (s, k) by LM to
 *   minimize Σ|projected error| of the de-normalized E, from (1, 1).
 * - GSM: LM over SE(3) on the projected errors, from the 8PA pose (Pagani & Stricker 2011).
 * - GSM_const_wRT / GSM_const_wSK: the same with constant weights √w, w = N(r; mean r, std r) pdf of the
 *   residuals of the 8PA / opt_SK solution (the paper's weighted GSM).
 * - RANSAC_8PA: 8-point samples, inliers |r| < threshold, dynamic trial count, a seeded sampler (the official
 *   code fixes RandomState(1000)), then the chosen solver on the inliers.
 */
import {
  type Bearings,
  essentialFromPose,
  essentialMatrix,
  type M3,
  type M4,
  mul3,
  projectedError,
  recoverPose,
  se3Exp,
  se3Log,
  subset,
  t3,
} from "./geometry.ts";
import { levmar } from "./lm.ts";
import type { Rng } from "../../lib/math/rng.ts";

export type Solver = (b1: Bearings, b2: Bearings) => M4;

export const eightPoint: Solver = (b1, b2) => recoverPose(essentialMatrix(b1, b2), b1, b2);

function scaleBearings(b: Bearings, s: number, k: number): Bearings {
  return { n: b.n, x: b.x.map((v) => v * s), y: b.y.map((v) => v * s), z: b.z.map((v) => v * k) };
}

/** E of bearings normalized by T = diag(s, s, k), de-normalized as E = T₁ᵀ E_norm T₂. */
function essentialSK(b1: Bearings, b2: Bearings, s: number, k: number): M3 {
  const en = essentialMatrix(scaleBearings(b1, s, k), scaleBearings(b2, s, k));
  const T = Float64Array.of(s, 0, 0, 0, s, 0, 0, 0, k);
  return mul3(mul3(t3(T), en), T);
}

/** The (s, k) that minimize Σ|projected error| (the repository's `residuals_error_SK`, by LM from (1, 1)). */
export function optimizeSK(b1: Bearings, b2: Bearings): { s: number; k: number; e: M3 } {
  const loss = (p: Float64Array) => {
    const r = projectedError(essentialSK(b1, b2, p[0], p[1]), b1, b2);
    let sum = 0;
    for (const v of r) sum += Math.abs(v);
    return Float64Array.of(sum, 0);
  };
  const { p } = levmar(loss, [1, 1]);
  return { s: p[0], k: p[1], e: essentialSK(b1, b2, p[0], p[1]) };
}

export const optSK: Solver = (b1, b2) => recoverPose(optimizeSK(b1, b2).e, b1, b2);

/** LM over SE(3) on √w · projected error, from `init`. */
function gsm(b1: Bearings, b2: Bearings, init: M4, weights?: Float64Array): M4 {
  const f = (xi: Float64Array) => {
    const r = projectedError(essentialFromPose(se3Exp(xi)), b1, b2);
    if (weights) { for (let i = 0; i < r.length; i++) r[i] *= Math.sqrt(weights[i]); }
    return r;
  };
  return se3Exp(levmar(f, se3Log(init)).p);
}

/** Constant weights: the normal pdf of each residual, with the residuals' own mean and std (numpy's std, ddof 0). */
function normalPdfWeights(r: Float64Array): Float64Array {
  let m = 0;
  for (const v of r) m += v;
  m /= r.length;
  let v2 = 0;
  for (const v of r) v2 += (v - m) ** 2;
  const sd = Math.sqrt(v2 / r.length);
  return r.map((v) => Math.exp(-0.5 * ((v - m) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI)));
}

export const gsmPlain: Solver = (b1, b2) => gsm(b1, b2, eightPoint(b1, b2));

export const gsmConstWRT: Solver = (b1, b2) => {
  const init = eightPoint(b1, b2);
  const w = normalPdfWeights(projectedError(essentialFromPose(init), b1, b2));
  return gsm(b1, b2, init, w);
};

export const gsmConstWSK: Solver = (b1, b2) => {
  const { e } = optimizeSK(b1, b2);
  const init = recoverPose(e, b1, b2);
  const w = normalPdfWeights(projectedError(e, b1, b2));
  return gsm(b1, b2, init, w);
};

export interface RansacOptions {
  /** |projected error| below this is an inlier (official config: 1e-2). */
  threshold: number;
  /** Probability of drawing one clean sample (official config: 0.99). */
  pSuccess: number;
  /** Expected inlier ratio, which sets the initial trial budget (official config: 0.5). */
  expectedInliers: number;
}

/** log(1 − p) / log(1 − w⁸) + 1 trials (`get_ransac_iterations`). */
export function ransacTrials(pSuccess: number, inlierRatio: number): number {
  return Math.floor(Math.log(1 - pSuccess) / Math.log(1 - inlierRatio ** 8)) + 1;
}

/**
 * RANSAC over 8-point samples, then `solver` on the best inlier set (`RANSAC_8PA.get_cam_pose`): the final E is
 * that of the solver's pose, and the pose is recovered from it on the inliers.
 */
export function ransac(
  b1: Bearings,
  b2: Bearings,
  solver: Solver,
  o: RansacOptions,
  rng: Rng,
): { pose: M4; inliers: number; trials: number } {
  const n = b1.n, maxTrials = ransacTrials(o.pSuccess, o.expectedInliers);
  let bestInliers: Uint8Array | null = null, bestCount = 0, bestEval = Infinity, trials = 0;
  for (let t = 0; t < maxTrials; t++) {
    trials = t + 1;
    const idx = sample(rng, n, 8);
    const e = essentialMatrix(subset(b1, idx), subset(b2, idx));
    const r = projectedError(e, b1, b2);
    let count = 0, sse = 0;
    const inl = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      sse += r[i] * r[i];
      if (Math.abs(r[i]) < o.threshold) {
        inl[i] = 1;
        count++;
      }
    }
    if (count > bestCount || (count === bestCount && sse < bestEval)) {
      [bestInliers, bestCount, bestEval] = [inl, count, sse];
    }
    if (t >= dynamicTrials(bestCount, n, o.pSuccess)) break;
  }
  const idx = [...bestInliers!.keys()].filter((i) => bestInliers![i]);
  const i1 = subset(b1, idx), i2 = subset(b2, idx);
  const e = essentialFromPose(solver(i1, i2));
  return { pose: recoverPose(e, i1, i2), inliers: idx.length, trials };
}

/** The adaptive trial count of `_dynamic_max_trials`. */
function dynamicTrials(inliers: number, n: number, p: number): number {
  if (inliers === 0) return Infinity;
  const denom = 1 - (inliers / n) ** 8;
  if (denom === 0) return 1;
  if (denom === 1) return Infinity;
  return Math.ceil(Math.log(1 - p) / Math.log(denom));
}

/** k distinct indices of 0..n−1 (numpy's `choice(n, k, replace=False)`, not its exact stream). */
function sample(rng: Rng, n: number, k: number): number[] {
  const picked = new Set<number>();
  while (picked.size < k) picked.add(rng.int(n));
  return [...picked];
}

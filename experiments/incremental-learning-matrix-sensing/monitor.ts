/**
 * What we record along a trajectory (GD or GLRL): the loss, the top eigenvalues of X_t = U_tU_tᵀ (the
 * "singular values of the iterate" of the paper's figures), and the distance from X_t to each best rank-s
 * approximation X*_s of the ground truth (Jin et al. 2023, Theorem 4.x: with small init GD passes near them in order).
 * Summaries turn a trace into the scalars the claims read.
 */
import { frobDist, frobenius, gram, type M64, svdvals } from "../../lib/math/lowrank/mod.ts";
import type { SensingProblem } from "./problem.ts";

export interface TracePoint {
  step: number;
  loss: number;
  /** Eigenvalues of U_tU_tᵀ, descending (σ_i(U)²), padded with zeros. */
  eigs: number[];
  /** ‖X_t − X*_s‖_F / ‖X*‖_F for s = 1..r*. */
  dists: number[];
  relError: number;
}

export function monitor(p: SensingProblem, keep: number) {
  const norm = frobenius(p.truth.x);
  return (step: number, u: M64, loss: number): TracePoint => {
    const x = gram(u);
    const s = u.cols ? svdvals(u) : new Float64Array(0);
    const eigs = Array.from({ length: keep }, (_, i) => (i < s.length ? s[i] * s[i] : 0));
    return {
      step,
      loss,
      eigs,
      dists: p.bestRank.map((xs) => frobDist(x, xs) / norm),
      relError: frobDist(x, p.truth.x) / norm,
    };
  };
}

/** First recorded step at which eigenvalue i (0-based) reaches half of σ*_i; `horizon` if it never does. */
export function learnTime(trace: TracePoint[], i: number, sigmaStar: number, horizon: number): number {
  for (const pt of trace) if (pt.eigs[i] >= 0.5 * sigmaStar) return pt.step;
  return horizon;
}

/** Eigenvalue i of the iterate, relative to σ*_i, at the first step where eigenvalue i−1 is learned. */
export function lagAtPreviousLearn(trace: TracePoint[], i: number, sigmas: ArrayLike<number>): number {
  const at = trace.find((pt) => pt.eigs[i - 1] >= 0.5 * sigmas[i - 1]) ?? trace[trace.length - 1];
  return at.eigs[i] / sigmas[i];
}

/** min_t ‖X_t − X*_s‖_F / ‖X*‖_F over the trace (s is 1-based). */
export function closestApproach(trace: TracePoint[], s: number): number {
  return Math.min(...trace.map((pt) => pt.dists[s - 1]));
}

/**
 * The four estimators. Every penalized one is tuned by the same rule and budget: each c of the grid in
 * λ = c·√(log p / m) is fit on the first m = n − nVal samples and scored by the Gaussian negative log-likelihood
 * tr(S_val Θ̂) − log det Θ̂ on the nVal held-out samples; the chosen c is refit on all n samples. The truth Θ* is
 * never used to choose.
 */
import { adaptiveMtp2, cholesky, type Constraint, gradProj, logdetChol, type Penalty } from "./gp.ts";
import type { GgmData } from "./data.ts";

export interface SolveCfg {
  lamGrid: number[];
  stages: number;
  penalty: Penalty;
  penaltyA: number;
  maxIter: number;
  tol: number;
}

export interface Estimate {
  theta: Float64Array;
  /** chosen c in λ = c·√(log p / n) (0 for the MLE) */
  lamC: number;
  iters: number;
  /** per-stage iterates of the adaptive method at the chosen λ */
  stages?: Float64Array[];
}

/** Held-out Gaussian negative log-likelihood tr(SΘ) − log det Θ (∞ if Θ is not positive definite). */
export function heldOutNll(theta: Float64Array, s: Float64Array, p: number): number {
  const l = cholesky(theta, p);
  if (!l) return Infinity;
  let tr = 0;
  for (let k = 0; k < p * p; k++) tr += s[k] * theta[k];
  return tr - logdetChol(l, p);
}

/** Fit on (S, sample size) at λ = c·√(log p / size). */
type Fit = (s: Float64Array, lam: number) => Omit<Estimate, "lamC">;

/** Choose c by held-out likelihood, then refit on all n samples at that c. */
function tuned(d: GgmData, grid: number[], fit: Fit, choose?: (name: string, v: number) => void): Estimate {
  let bestC = NaN, bestNll = Infinity;
  for (const c of grid) {
    const e = fit(d.sFit, c * Math.sqrt(Math.log(d.p) / d.nFit));
    const v = heldOutNll(e.theta, d.sVal, d.p);
    if (v < bestNll) [bestC, bestNll] = [c, v];
  }
  if (!Number.isFinite(bestNll)) throw new Error("no λ in the grid gave a positive-definite estimate");
  choose?.("lam_c", bestC);
  return { ...fit(d.s, bestC * Math.sqrt(Math.log(d.p) / d.n)), lamC: bestC };
}

/** MTP2 maximum likelihood (Slawski & Hein 2015; Lauritzen et al. 2019): Λ = 0. No tuning parameter. */
export function mtp2Mle(d: GgmData, c: SolveCfg): Estimate {
  const r = gradProj(d.s, d.p, {
    lambda: new Float64Array(d.p * d.p),
    constraint: "mtp2",
    maxIter: c.maxIter,
    tol: c.tol,
  });
  return { theta: r.theta, lamC: 0, iters: r.iters };
}

/** One λ on every off-diagonal entry, tuned over `lamGrid`, under the sign constraint given. */
function uniformL1(
  d: GgmData,
  c: SolveCfg,
  constraint: Constraint,
  choose?: (name: string, v: number) => void,
): Estimate {
  return tuned(d, c.lamGrid, (s, lam) => {
    const r = gradProj(s, d.p, {
      lambda: new Float64Array(d.p * d.p).fill(lam),
      constraint,
      maxIter: c.maxIter,
      tol: c.tol,
    });
    return { theta: r.theta, iters: r.iters };
  }, choose);
}

/** ℓ1-regularized MTP2 (Λ_ij = λ), the paper's first stage and a baseline in its experiments. */
export function l1Mtp2(d: GgmData, c: SolveCfg, choose?: (name: string, v: number) => void): Estimate {
  return uniformL1(d, c, "mtp2", choose);
}

/** Graphical lasso (Friedman et al. 2008), no sign constraint, solved by proximal gradient (G-ISTA). */
export function glasso(d: GgmData, c: SolveCfg, choose?: (name: string, v: number) => void): Estimate {
  return uniformL1(d, c, "none", choose);
}

/** The paper's adaptive multi-stage weighted-ℓ1 MTP2 estimator (§2–3). */
export function adaptive(d: GgmData, c: SolveCfg, choose?: (name: string, v: number) => void): Estimate {
  return tuned(d, c.lamGrid, (s, lam) => {
    const stages: Float64Array[] = [];
    const r = adaptiveMtp2(
      s,
      d.p,
      { lam, stages: c.stages, penalty: c.penalty, a: c.penaltyA, maxIter: c.maxIter, tol: c.tol },
      (_k, t) => stages.push(t),
    );
    return { theta: r.theta, iters: r.totalIters, stages };
  }, choose);
}

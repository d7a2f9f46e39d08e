/**
 * Greedy Low-Rank Learning (GLRL; Li, Luo & Lyu 2021, "Towards resolving the implicit bias of gradient descent
 * for matrix factorization"), as Jin et al. (2023, Section 1 and Section 4) compare GD against:
 *   start from U = [] (X = 0); at each stage s, take the top eigenvector v of −∇_X f(UUᵀ), where
 *   ∇_X f(X) = (1/m)A*(A(X) − y); stop if its eigenvalue is ≤ 0 or rank r is reached; else append ε·v as a new
 *   column and run GD on U (step η) until ‖∇f(U)‖_F ≤ tol or the stage budget is spent.
 * The trace uses one global step counter across stages, so it can be laid beside GD's.
 */
import { axpy, l2Loss, type M64, symEig, symmetrize, zeros } from "../../lib/math/lowrank/mod.ts";
import type { SensingProblem } from "./problem.ts";

export interface GlrlOptions {
  rank: number;
  /** Scale ε of each new rank-one direction. */
  eps: number;
  eta: number;
  /** Total GD steps over all stages. */
  iters: number;
  /** GD steps per stage at most. */
  stageIters: number;
  /** A stage ends when ‖∇f(U)‖_F falls below this. */
  tol: number;
  every: number;
}

/** Append column v·ε to U (d×k → d×(k+1)). */
function appendColumn(u: M64, v: ArrayLike<number>, eps: number): M64 {
  const d = u.rows, k = u.cols, out = zeros(d, k + 1);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < k; j++) out.data[i * (k + 1) + j] = u.data[i * k + j];
    out.data[i * (k + 1) + k] = eps * v[i];
  }
  return out;
}

export function glrl<T>(
  p: SensingProblem,
  opts: GlrlOptions,
  monitor: (step: number, u: M64, loss: number) => T,
): { u: M64; trace: T[]; stages: number } {
  const d = p.truth.x.rows;
  let u = zeros(d, 0), t = 0, stages = 0;
  const trace: T[] = [];
  const record = (loss: number) => {
    if (t % opts.every === 0) trace.push(monitor(t, u, loss));
  };
  while (u.cols < opts.rank && t < opts.iters) {
    // X-space gradient at the current stage solution: G = (1/m)·sym(A*(A(UUᵀ) − y)).
    const { residual } = l2Loss(p.op, p.y, u);
    const g = symmetrize(p.op.adjoint(residual.map((v) => v / p.op.m)));
    const { values, vectors } = symEig(g); // ascending: values[0] is the most negative
    if (values[0] >= 0) break;
    const v = Array.from({ length: d }, (_, i) => vectors.data[i * d]);
    u = appendColumn(u, v, opts.eps);
    stages++;
    for (let k = 0; k < opts.stageIters && t < opts.iters; k++) {
      const { loss, grad } = l2Loss(p.op, p.y, u);
      record(loss);
      t++;
      let gn = 0;
      for (const x of grad.data) gn += x * x;
      if (k > 0 && Math.sqrt(gn) <= opts.tol) break;
      u = axpy(u, grad, -opts.eta);
    }
  }
  // Hold the final solution until the common horizon, so traces of GD and GLRL end at the same step.
  const final = l2Loss(p.op, p.y, u).loss;
  for (; t <= opts.iters; t++) record(final);
  return { u, trace, stages };
}

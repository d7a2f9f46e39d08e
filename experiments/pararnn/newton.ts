/**
 * ParaRNN's parallel application of a nonlinear RNN (Danieli et al., arXiv 2510.21450): the L recurrences
 * h_t = f(h_{t−1}, u_t), h_{−1} = 0, are one system F(h) = 0 with F_t(h) = h_t − f(h_{t−1}, u_t). Its Jacobian is
 * block-bidiagonal (identity on the diagonal, −J_t = −∂f/∂h_{t−1} below), so each Newton step
 *
 *   δ_t = J_t δ_{t−1} + r_t,  r_t = f(h_{t−1}, u_t) − h_t  (the negative residual),  h ← h + δ
 *
 * is a linear recurrence, solved by a parallel reduction (scan.ts). As in the official code
 * (`ParallelSolve.newton_solve`, `assemble_initial_guess` of both cells): the initial guess is one step from a zero
 * state, h⁰_t = f(0, u_t); each iteration computes the residual, then the Jacobians at the current iterate, solves and
 * updates with ω = 1. The official default stops after max_its = 3 iterations with no tolerance check; here the
 * iteration stops when ‖r‖∞ ≤ tol (the official `abs_tol` criterion, disabled there) or at `maxIters`.
 *
 * {@link picard} is the Jacobian-free baseline (the same iteration with J_t = 0): h^{k+1}_t = f(h^k_{t−1}, u_t),
 * one parallel step per iteration, exact on the first k steps after k iterations.
 *
 * Depth and work are counted in time-step operations (one cell evaluation, one Jacobian evaluation or one scan
 * combine at one t; each costs O(m²·n)): the idealised parallel cost (unbounded processors), an op-count proxy for
 * the GPU wall-clock the paper measures. Residual and Jacobian are evaluated together (depth 1 per iteration).
 */
import { applyAll, type Cell, initialGuess, jacobiansAll, jacSize, stateSize } from "./cells.ts";
import { type ScanResult, solveChunked, solveDoubling, solveSequential } from "./scan.ts";

export type Solver = "doubling" | "chunked" | "sequential";

export interface NewtonOptions {
  solver: Solver;
  /** Chunk size of the chunked solver. */
  chunk: number;
  maxIters: number;
  /** Stop when the max-norm of the residual is ≤ tol. */
  tol: number;
}

/** What an iterate hands to the observer: the iterate after `k` updates and, for k ≥ 1, the system just solved. */
export interface IterateState {
  h: Float64Array;
  /** The Newton system of this step and its parallel solution (absent at k = 0 and for Picard). */
  system?: { jac: Float64Array; rhs: Float64Array; delta: Float64Array };
}

export interface SolveResult {
  h: Float64Array;
  /** Updates performed before ‖r‖∞ ≤ tol (maxIters when it never got there). */
  iters: number;
  converged: boolean;
  /** The iterate after min(3, iters) updates: what the official default (max_its = 3) returns. */
  h3: Float64Array;
  depth: number;
  work: number;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/** Newton on the whole sequence with a parallel (or, for checks, sequential) linear solve per step. */
export function newton(
  cell: Cell,
  u: Float64Array,
  L: number,
  o: NewtonOptions,
  observe?: (k: number, s: IterateState) => void,
): SolveResult {
  const S = stateSize(cell), blocks = { n: cell.n, m: cell.m };
  const h = initialGuess(cell, u, L), fh = new Float64Array(L * S), jac = new Float64Array(L * jacSize(cell));
  let depth = 1, work = L;
  observe?.(0, { h });
  let h3 = Float64Array.from(h), iters = 0, converged = false;
  for (;;) {
    applyAll(cell, u, h, L, fh);
    for (let i = 0; i < fh.length; i++) fh[i] -= h[i];
    depth++, work += L;
    if (maxAbs(fh) <= o.tol) {
      converged = true;
      break;
    }
    if (iters === o.maxIters) break;
    jacobiansAll(cell, u, h, L, jac);
    work += L;
    const sol: ScanResult = o.solver === "doubling"
      ? solveDoubling(jac, fh, L, blocks)
      : o.solver === "chunked"
      ? solveChunked(jac, fh, L, blocks, o.chunk)
      : solveSequential(jac, fh, L, blocks);
    depth += sol.depth + 1, work += sol.work + L; // the solve, then the update h ← h + δ
    for (let i = 0; i < h.length; i++) h[i] += sol.x[i];
    iters++;
    if (iters <= 3) h3 = Float64Array.from(h);
    observe?.(iters, { h, system: { jac, rhs: fh, delta: sol.x } });
  }
  return { h, iters, converged, h3, depth, work };
}

/** Picard (Jacobi) fixed-point iteration h^{k+1}_t = f(h^k_{t−1}, u_t): Newton with J = 0, depth 1 per iteration. */
export function picard(
  cell: Cell,
  u: Float64Array,
  L: number,
  o: Pick<NewtonOptions, "maxIters" | "tol">,
  observe?: (k: number, s: IterateState) => void,
): SolveResult {
  const S = stateSize(cell);
  let h: Float64Array = initialGuess(cell, u, L), next: Float64Array = new Float64Array(L * S);
  let depth = 1, work = L, iters = 0, converged = false;
  observe?.(0, { h });
  let h3 = Float64Array.from(h);
  for (;;) {
    applyAll(cell, u, h, L, next);
    depth++, work += L;
    let r = 0;
    for (let i = 0; i < next.length; i++) r = Math.max(r, Math.abs(next[i] - h[i]));
    if (r <= o.tol) {
      converged = true;
      break;
    }
    if (iters === o.maxIters) break;
    [h, next] = [next, h];
    iters++;
    if (iters <= 3) h3 = Float64Array.from(h);
    observe?.(iters, { h });
  }
  return { h, iters, converged, h3, depth, work };
}

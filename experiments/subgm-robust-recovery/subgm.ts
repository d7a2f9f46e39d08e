/**
 * The two local methods compared by Ma & Fattahi (2022), both on X = UUᵀ with U ∈ ℝ^{d×r'} and the same small
 * random initialization U_0 = α·B, B_ij ~ N(0, 1/d):
 *  - SubGM on the ℓ1 loss f(U) = (1/m)‖y − A(UUᵀ)‖₁ (their eq. (2)): U_{t+1} = U_t − η_t·D_t, D_t a
 *    sub-gradient (1/m)(S + Sᵀ)U_t with S = A*(sign(A(U_tU_tᵀ) − y)), geometrically decaying steps η_t = η₀·ρ^t;
 *  - GD on the ℓ2 loss (1/2m)‖y − A(UUᵀ)‖² with a constant step (the smooth baseline).
 * `monitor(step, U)` is called every `every` steps and at the end.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { axpy, gaussian, l1Loss, l2Loss, type M64 } from "../../lib/math/lowrank/mod.ts";
import type { RobustProblem } from "./problem.ts";

export interface LocalOptions {
  rPrime: number;
  alpha: number;
  iters: number;
  every: number;
}

function init(p: RobustProblem, opts: LocalOptions, rng: Rng): M64 {
  const d = p.truth.x.rows;
  return gaussian(d, opts.rPrime, rng, opts.alpha / Math.sqrt(d));
}

export function subgm<T>(
  p: RobustProblem,
  opts: LocalOptions & { eta0: number; rho: number },
  rng: Rng,
  monitor: (step: number, u: M64) => T,
): { u: M64; trace: T[] } {
  let u = init(p, opts, rng), eta = opts.eta0;
  const trace: T[] = [];
  for (let t = 0; t <= opts.iters; t++) {
    if (t % opts.every === 0 || t === opts.iters) trace.push(monitor(t, u));
    if (t === opts.iters) break;
    u = axpy(u, l1Loss(p.op, p.y, u).grad, -eta);
    eta *= opts.rho;
  }
  return { u, trace };
}

export function gdL2<T>(
  p: RobustProblem,
  opts: LocalOptions & { eta: number },
  rng: Rng,
  monitor: (step: number, u: M64) => T,
): { u: M64; trace: T[] } {
  let u = init(p, opts, rng);
  const trace: T[] = [];
  for (let t = 0; t <= opts.iters; t++) {
    if (t % opts.every === 0 || t === opts.iters) trace.push(monitor(t, u));
    if (t === opts.iters) break;
    u = axpy(u, l2Loss(p.op, p.y, u).grad, -opts.eta);
  }
  return { u, trace };
}

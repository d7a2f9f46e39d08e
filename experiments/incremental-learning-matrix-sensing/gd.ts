/**
 * Gradient descent on the factorized sensing loss from small random initialization (Jin et al. 2023, eq. (2)–(3)):
 *   U_0 = α·Ū, Ū_ij ~ N(0, 1/d);   U_{t+1} = U_t − η ∇f(U_t),   f(U) = (1/2m)‖A(UUᵀ) − y‖².
 * `monitor` is called every `every` steps (and at the last one) on the iterate; its values form the trace.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { axpy, gaussian, l2Loss, type M64 } from "../../lib/math/lowrank/mod.ts";
import type { SensingProblem } from "./problem.ts";

export interface GdOptions {
  /** Search rank r (columns of U): r < r* under-, r ≥ r* over-parameterized. */
  rank: number;
  /** Initialization scale α. */
  alpha: number;
  eta: number;
  iters: number;
  every: number;
}

export function gd<T>(
  p: SensingProblem,
  opts: GdOptions,
  rng: Rng,
  monitor: (step: number, u: M64, loss: number) => T,
): { u: M64; trace: T[] } {
  const d = p.truth.x.rows;
  let u = gaussian(d, opts.rank, rng, opts.alpha / Math.sqrt(d));
  const trace: T[] = [];
  for (let t = 0; t <= opts.iters; t++) {
    const { loss, grad } = l2Loss(p.op, p.y, u);
    if (t % opts.every === 0 || t === opts.iters) trace.push(monitor(t, u, loss));
    if (t === opts.iters) break;
    u = axpy(u, grad, -opts.eta);
  }
  return { u, trace };
}

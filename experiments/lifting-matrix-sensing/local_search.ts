/**
 * Local search on the (lifted) Burer–Monteiro objective F(W): gradient descent, and perturbed gradient descent
 * (Jin, Ge, Netrapalli, Kakade & Jordan 2017), the saddle-escaping local search the lifting paper relies on
 * (Ma et al. 2023, Sec. 4): whenever ‖∇F‖ ≤ gThres and no perturbation happened in the last tThres steps, add a
 * point drawn uniformly from the ball of radius `radius`.
 * Init: W₀ uniform on the unit sphere ‖W₀‖_F = 1 (a normalised Gaussian: a random direction, and a norm for
 * which the fixed step η is stable), step η.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { axpy, frobenius, gaussian, type M64, scale } from "../../lib/math/lowrank/mod.ts";
import type { LiftedInstance } from "./instance.ts";
import { objective } from "./landscape.ts";

export interface SearchOptions {
  rank: number;
  eta: number;
  iters: number;
  every: number;
  /** Perturbation (PGD only). */
  perturb?: { radius: number; gThres: number; tThres: number };
}

export function localSearch<T>(
  p: LiftedInstance,
  opts: SearchOptions,
  rng: Rng,
  monitor: (step: number, w: M64, value: number) => T,
): { w: M64; trace: T[]; perturbations: number } {
  let w = gaussian(p.dim, opts.rank, rng.split("init"));
  w = scale(w, 1 / frobenius(w));
  const noise = rng.split("perturb"), trace: T[] = [];
  let lastPerturb = -Infinity, perturbations = 0;
  for (let t = 0; t <= opts.iters; t++) {
    const { value, grad } = objective(p, w);
    if (t % opts.every === 0 || t === opts.iters) trace.push(monitor(t, w, value));
    if (t === opts.iters) break;
    let gn = 0;
    for (const g of grad.data) gn += g * g;
    const pt = opts.perturb;
    if (pt && Math.sqrt(gn) <= pt.gThres && t - lastPerturb > pt.tThres) {
      // uniform in the ball: Gaussian direction, radius·U^{1/k}
      const dir = noise.normal(w.data.length);
      let norm = 0;
      for (const v of dir) norm += v * v;
      const s = pt.radius * Math.pow(noise.uniform(), 1 / dir.length) / Math.sqrt(norm);
      w = { ...w, data: w.data.map((v, i) => v + s * dir[i]) };
      lastPerturb = t;
      perturbations++;
      continue;
    }
    w = axpy(w, grad, -opts.eta);
  }
  return { w, trace, perturbations };
}

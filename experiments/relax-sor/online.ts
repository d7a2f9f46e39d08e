/**
 * The online protocol of Khodak et al. (official `scripts/learning.m`, `contextual.m`): instances arrive one at a
 * time; a policy picks ω_t, SOR solves A_t x = b_t from x = 0 to relative residual tol, and the policy pays (and,
 * for the bandit, observes) the iteration count. Policies: a fixed ω, the instance-optimal ω*(c_t) (an oracle
 * that knows A_t's Jacobi spectral radius), and Tsallis-INF over a grid.
 */
import { poisson2d, sorIterations } from "../../lib/math/solvers/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { Instances } from "./instances.ts";
import { omegaOpt } from "./instances.ts";
import { TsallisInf } from "./tsallis.ts";

export type Policy = { kind: "fixed"; omega: number } | { kind: "optimal" } | { kind: "tsallis"; grid: number[] };

export interface OnlineResult {
  /** SOR iterations paid at each round. */
  costs: Float64Array;
  /** ω played at each round. */
  omegas: Float64Array;
}

export function runOnline(
  inst: Instances,
  policy: Policy,
  opts: { tol: number; maxIter: number },
  rng: Rng,
  onRound?: (t: number, costs: Float64Array) => void,
): OnlineResult {
  const T = inst.shifts.length, costs = new Float64Array(T), omegas = new Float64Array(T);
  const bandit = policy.kind === "tsallis" ? new TsallisInf(policy.grid, rng) : null;
  for (let t = 0; t < T; t++) {
    const c = inst.shifts[t];
    const omega = policy.kind === "fixed"
      ? policy.omega
      : policy.kind === "optimal"
      ? omegaOpt(inst.m, c)
      : bandit!.predict();
    costs[t] = sorIterations(poisson2d(inst.m, c), inst.rhs[t], omega, opts);
    omegas[t] = omega;
    bandit?.update(costs[t]);
    onRound?.(t + 1, costs);
  }
  return { costs, omegas };
}

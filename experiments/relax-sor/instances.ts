/**
 * The instance sequence of Khodak et al.'s SOR experiments (official `scripts/learning.m`, `contextual.m`):
 * A_t = delsq(numgrid('S', 12)) + c_t I (a 10×10 interior grid, n = 100) with c_t = −0.15 + 0.6·Beta(a, b) — the
 * "high-variance" offsets Beta(0.5, 1.5) or "low-variance" Beta(2, 6) — and b_t a standard Gaussian in ℝⁿ
 * conditioned on ‖b_t‖ ≤ √n (`utils/truncated_normal.m`, rejection sampling).
 */
import { gamma, type Rng } from "../../lib/math/rng.ts";
import { norm2 } from "../../lib/math/solvers/mod.ts";

export interface Instances {
  /** Interior grid side (n = m²). */
  m: number;
  shifts: Float64Array;
  rhs: Float64Array[];
}

export function beta(a: number, b: number, rng: Rng): number {
  const x = gamma(rng, a), y = gamma(rng, b);
  return x / (x + y);
}

export function truncatedNormal(n: number, rng: Rng): Float64Array {
  for (;;) {
    const s = rng.normal(n);
    if (norm2(s) <= Math.sqrt(n)) return s;
  }
}

export const OFFSETS = { high: [0.5, 1.5], low: [2, 6] } as const;

export function makeInstances(
  cfg: { grid: number; T: number; offsets: keyof typeof OFFSETS },
  rng: Rng,
): Instances {
  const m = cfg.grid - 2, [a, b] = OFFSETS[cfg.offsets];
  const shifts = new Float64Array(cfg.T), rhs: Float64Array[] = [];
  const rc = rng.split("offsets"), rb = rng.split("rhs");
  for (let t = 0; t < cfg.T; t++) {
    shifts[t] = -0.15 + 0.6 * beta(a, b, rc);
    rhs.push(truncatedNormal(m * m, rb));
  }
  return { m, shifts, rhs };
}

/**
 * The asymptotically optimal SOR parameter of A (official `solvers/omega_opt.m`, Young 1950):
 * ω* = 1 + (β/(1 + √(1 − β²)))², β the spectral radius of the Jacobi iteration, here in closed form
 * β = 4cos(π/(m+1))/(4 + c) for delsq on an m×m grid plus c·I.
 */
export function omegaOpt(m: number, shift: number): number {
  const beta = (4 * Math.cos(Math.PI / (m + 1))) / (4 + shift);
  return 1 + (beta / (1 + Math.sqrt(1 - beta * beta))) ** 2;
}

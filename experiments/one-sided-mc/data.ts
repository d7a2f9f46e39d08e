/**
 * One-sided completion instances: an n×d rank-r matrix X = A·diag(σ)·Vᵀ with i.i.d. N(0, I_r) rows a_i and a
 * uniformly random orthonormal V (d×r, incoherent w.h.p.), of which each row reveals exactly `perRow` entries
 * chosen uniformly without replacement (two, in the paper's title). Only the observed entries are stored (n can be
 * 10⁵), so X itself is never formed. The target is the right singular space span(V); E[x_i x_iᵀ] = V·diag(σ²)·Vᵀ.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { type M64, randomOrthonormal, spectrum } from "../../lib/math/lowrank/mod.ts";

export interface Problem {
  n: number;
  d: number;
  r: number;
  perRow: number;
  /** Column index of the t-th observation of row i at cols[i·perRow + t]. */
  cols: Int32Array;
  /** Observed value X_{i, cols[i·perRow+t]} (+ noise). */
  vals: Float64Array;
  /** True right singular space (d×r, orthonormal columns). */
  v: M64;
  sigmas: Float64Array;
}

export function makeProblem(
  o: { n: number; d: number; r: number; kappa: number; perRow: number; noise: number },
  rng: Rng,
): Problem {
  const v = randomOrthonormal(o.d, o.r, rng.split("V"));
  const sigmas = spectrum({ r: o.r, kappa: o.kappa });
  const rowRng = rng.split("rows"), maskRng = rng.split("mask"), noiseRng = rng.split("noise");
  const cols = new Int32Array(o.n * o.perRow), vals = new Float64Array(o.n * o.perRow);
  const a = new Float64Array(o.r);
  for (let i = 0; i < o.n; i++) {
    for (let l = 0; l < o.r; l++) a[l] = rowRng.normal() * sigmas[l];
    // perRow distinct columns, uniformly (rejection: perRow ≪ d)
    for (let t = 0; t < o.perRow; t++) {
      let j: number;
      do j = maskRng.int(o.d); while (cols.subarray(i * o.perRow, i * o.perRow + t).includes(j));
      cols[i * o.perRow + t] = j;
      let x = 0;
      for (let l = 0; l < o.r; l++) x += a[l] * v.data[j * o.r + l];
      vals[i * o.perRow + t] = x + (o.noise > 0 ? o.noise * noiseRng.normal() : 0);
    }
  }
  return { n: o.n, d: o.d, r: o.r, perRow: o.perRow, cols, vals, v, sigmas };
}

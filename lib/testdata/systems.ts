/**
 * Test systems with an independent reference solution (ml-matrix's LU solve), for checking the project's own solvers.
 */
import { Matrix, solve } from "ml-matrix";
import { Rng } from "../math/rng.ts";

/** A random SPD system G x = rhs, G = BᵀB with B 12×k Gaussian (k ≤ 12), row-major, and ml-matrix's solution. */
export function spdSystem(seed: number, k: number): { g: Float64Array; rhs: number[]; ref: number[] } {
  const rng = Rng.fromSeed(seed);
  const b = new Matrix(Array.from({ length: 12 }, () => Array.from(rng.normal(k))));
  const g = b.transpose().mmul(b);
  const rhs = Array.from(rng.normal(k));
  const ref = solve(g, Matrix.columnVector(rhs)).getColumn(0);
  return { g: Float64Array.from(g.to1DArray()), rhs, ref };
}

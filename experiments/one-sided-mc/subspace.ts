/**
 * Distances between r-dimensional subspaces of R^d given orthonormal bases V̂, V (d×r):
 * projection distance ‖V̂V̂ᵀ − VVᵀ‖_F/√(2r) = ‖sin Θ‖_F/√r ∈ [0, 1], and the largest principal angle's sine
 * sin θ_max = σ_max((I − VVᵀ)V̂).
 */
import { frobenius, type M64, matmul, svdvals } from "../../lib/math/lowrank/mod.ts";

export function projectionDistance(vhat: M64, v: M64): number {
  // ‖(I − VVᵀ)V̂‖_F² = Σ sin²θᵢ, computed directly: 1 − cos² would lose every angle below ~1e-8 to rounding.
  return frobenius(residual(vhat, v)) / Math.sqrt(v.cols);
}

export function sinMaxAngle(vhat: M64, v: M64): number {
  return svdvals(residual(vhat, v))[0] ?? 0;
}

/** (I − VVᵀ)V̂: the part of V̂ outside span(V); its singular values are the sines of the principal angles. */
function residual(vhat: M64, v: M64): M64 {
  const proj = matmul(v, matmul(v, vhat, { transA: true }));
  return { rows: vhat.rows, cols: vhat.cols, data: vhat.data.map((x, i) => x - proj.data[i]) };
}

/**
 * The hard rank-1 instance: n = 2, ground truth z = e₁ (M* = zzᵀ), and a sensing operator whose quadratic form on
 * symmetric 2×2 matrices, in coordinates (M₁₁, M₂₂, √2·M₁₂), is
 *     H = [[1, δ, 0], [δ, 1, 0], [0, 0, 1 + δ]]        (eigenvalues 1 − δ, 1 + δ, 1 + δ: RIP constant δ).
 * For δ > 1/2 the Burer–Monteiro objective f(x) = ‖A(xxᵀ − zzᵀ)‖² has spurious local minima at x̂ = (0, ±√δ)
 * (∇f = 0, ∇²f = diag(4(2δ² + δ − 1), 8δ) ≻ 0), in the family of Zhang, Josz, Sojoudi & Lavaei (NeurIPS 2018) where
 * δ = 1/2 is the sharp threshold. This construction (three measurement matrices from the eigen-factorisation of H)
 * is ours; it is not necessarily the paper's exact instance.
 *
 * Lifting (Ma, Molybog, Lavaei & Sojoudi 2023, Sec. 3): the order-l lifted problem measures n^l × n^l matrices with
 * the Kronecker products A_{i₁} ⊗ … ⊗ A_{i_l} (so ⟨⊗A, ⊗X⟩ = Π⟨A, X⟩), has ground truth z^{⊗l}(z^{⊗l})ᵀ and is
 * solved over W ∈ ℝ^{n^l × r_l} by Burer–Monteiro. A spurious x̂ maps to the stationary point [x̂^{⊗l}, 0, …, 0].
 */
import { DenseSensing, type M64, zeros } from "../../lib/math/lowrank/mod.ts";

/** The three measurement matrices of the order-1 instance. */
export function baseMatrices(delta: number): M64[] {
  const a = Math.sqrt((1 + delta) / 2), b = Math.sqrt((1 - delta) / 2), c = Math.sqrt((1 + delta) / 2);
  const m = (v: number[]) => ({ rows: 2, cols: 2, data: Float64Array.from(v) });
  return [m([a, 0, 0, a]), m([b, 0, 0, -b]), m([0, c, c, 0])];
}

/** Kronecker product A ⊗ B. */
export function kron(a: M64, b: M64): M64 {
  const out = zeros(a.rows * b.rows, a.cols * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      const v = a.data[i * a.cols + j];
      if (v === 0) continue;
      for (let k = 0; k < b.rows; k++) {
        for (let l = 0; l < b.cols; l++) {
          out.data[(i * b.rows + k) * out.cols + j * b.cols + l] = v * b.data[k * b.cols + l];
        }
      }
    }
  }
  return out;
}

/** x^{⊗l} for a vector x. */
export function kronPower(x: readonly number[], l: number): Float64Array {
  let v = Float64Array.from(x);
  for (let k = 1; k < l; k++) {
    const next = new Float64Array(v.length * x.length);
    for (let i = 0; i < v.length; i++) for (let j = 0; j < x.length; j++) next[i * x.length + j] = v[i] * x[j];
    v = next;
  }
  return v;
}

export interface LiftedInstance {
  delta: number;
  order: number;
  /** Lifted dimension N = 2^l. */
  dim: number;
  op: DenseSensing;
  /** Lifted ground truth ẑ = z^{⊗l} and its measurements. */
  zHat: Float64Array;
  y: Float64Array;
  /** Lifted spurious point ŵ = x̂^{⊗l}, x̂ = (0, √δ). */
  spurious: Float64Array;
}

/** The order-l lifted instance (l = 1 is the original problem). */
export function liftedInstance(delta: number, order: number): LiftedInstance {
  const base = baseMatrices(delta);
  let mats = base;
  for (let k = 1; k < order; k++) mats = mats.flatMap((a) => base.map((b) => kron(a, b)));
  const op = DenseSensing.fromMatrices(mats);
  const zHat = kronPower([1, 0], order), dim = zHat.length;
  const zz = zeros(dim, dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) zz.data[i * dim + j] = zHat[i] * zHat[j];
  return { delta, order, dim, op, zHat, y: op.apply(zz), spurious: kronPower([0, Math.sqrt(delta)], order) };
}

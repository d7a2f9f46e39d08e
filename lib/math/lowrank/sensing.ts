/**
 * Linear sensing operators A: ℝ^{n1×n2} → ℝ^m, A(X)_i = ⟨A_i, X⟩, and their adjoints A*(y) = Σ_i y_i A_i.
 *
 * The measurement matrices are stored contiguously (m·n1·n2 float64s) and applied with plain loops: for the
 * sizes of this family (n ≲ 50, m ≲ 5000) one application is a few million multiply-adds.
 *
 * Scaling: entries are N(0, 1) so E⟨A_i, X⟩² = ‖X‖_F², and (1/m)‖A(X)‖² ≈ ‖X‖_F² (RIP in the 1/m normalisation
 * that the sensing papers of this family use). With `symmetric: true`, A_i = (G_i + G_iᵀ)/2 with G_i Gaussian, the
 * usual symmetrised ensemble for PSD recovery (then ⟨A_i, X⟩ = ⟨G_i, X⟩ for symmetric X).
 *
 * @example
 * ```ts
 * const op = gaussianSensing({ m: 200, rows: 10, cols: 10, symmetric: true }, rng);
 * const y = op.apply(truth.x);   // Float64Array(200)
 * const g = op.adjoint(y);       // 10×10
 * ```
 */
import type { Rng } from "../rng.ts";
import { type M64, zeros } from "./dense.ts";

/** A linear measurement operator with its adjoint. */
export interface SensingOperator {
  /** Number of measurements. */
  readonly m: number;
  readonly rows: number;
  readonly cols: number;
  /** y = A(X), y_i = ⟨A_i, X⟩. */
  apply(x: M64): Float64Array;
  /** A*(y) = Σ_i y_i A_i. */
  adjoint(y: ArrayLike<number>): M64;
}

/** A sensing operator given by explicit measurement matrices, stored contiguously. */
export class DenseSensing implements SensingOperator {
  readonly m: number;
  /** A_i occupies mats[i·rows·cols, (i+1)·rows·cols), row-major. */
  readonly mats: Float64Array;

  constructor(readonly rows: number, readonly cols: number, mats: Float64Array) {
    const size = rows * cols;
    if (mats.length % size !== 0) throw new Error(`DenseSensing: ${mats.length} values is not a multiple of ${size}`);
    this.m = mats.length / size;
    this.mats = mats;
  }

  /** Build from a list of measurement matrices (each rows×cols). */
  static fromMatrices(list: readonly M64[]): DenseSensing {
    const { rows, cols } = list[0];
    const mats = new Float64Array(list.length * rows * cols);
    list.forEach((a, i) => mats.set(a.data, i * rows * cols));
    return new DenseSensing(rows, cols, mats);
  }

  /** The i-th measurement matrix (a copy). */
  matrix(i: number): M64 {
    const size = this.rows * this.cols;
    return { rows: this.rows, cols: this.cols, data: this.mats.slice(i * size, (i + 1) * size) };
  }

  apply(x: M64): Float64Array {
    const size = this.rows * this.cols, X = x.data, A = this.mats, y = new Float64Array(this.m);
    if (X.length !== size) throw new Error(`apply: got ${x.rows}×${x.cols}, expected ${this.rows}×${this.cols}`);
    for (let i = 0; i < this.m; i++) {
      let s = 0;
      const off = i * size;
      for (let k = 0; k < size; k++) s += A[off + k] * X[k];
      y[i] = s;
    }
    return y;
  }

  adjoint(y: ArrayLike<number>): M64 {
    const size = this.rows * this.cols, A = this.mats, out = zeros(this.rows, this.cols), G = out.data;
    if (y.length !== this.m) throw new Error(`adjoint: got ${y.length} values, expected ${this.m}`);
    for (let i = 0; i < this.m; i++) {
      const yi = y[i];
      if (yi === 0) continue;
      const off = i * size;
      for (let k = 0; k < size; k++) G[k] += yi * A[off + k];
    }
    return out;
  }
}

/**
 * Gaussian measurement ensemble: m matrices rows×cols with i.i.d. N(0, 1) entries, symmetrised to
 * (G + Gᵀ)/2 when `symmetric` (square only).
 */
export function gaussianSensing(
  opts: { m: number; rows: number; cols: number; symmetric?: boolean },
  rng: Rng,
): DenseSensing {
  const { m, rows, cols } = opts, size = rows * cols;
  if (opts.symmetric && rows !== cols) throw new Error("gaussianSensing: symmetric measurements need rows === cols");
  const mats = rng.normal(m * size);
  if (opts.symmetric) {
    for (let i = 0; i < m; i++) {
      const off = i * size;
      for (let a = 0; a < rows; a++) {
        for (let b = a + 1; b < cols; b++) {
          const v = 0.5 * (mats[off + a * cols + b] + mats[off + b * cols + a]);
          mats[off + a * cols + b] = v;
          mats[off + b * cols + a] = v;
        }
      }
    }
  }
  return new DenseSensing(rows, cols, mats);
}

/**
 * Inputs of one config point: a batch of random SPD covariance matrices, an upstream gradient ∂l/∂A^{1/2}, and the
 * float64 eigh reference for both the root and the gradient.
 *
 * The matrices follow the official README's usage example (`rand_matrix = torch.randn(b, d, d)`,
 * `rand_cov = rand_matrix.bmm(rand_matrix.transpose(1, 2))`): A = XXᵀ with X a d×d standard normal matrix. The
 * paper's own description of its test matrices could not be read here (see mod.ts). The upstream gradient is a
 * random symmetric matrix (G + Gᵀ)/2, G standard normal: the paper does not say which loss it differentiates.
 */
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";

export interface SqrtData {
  d: number;
  b: number;
  /** The b matrices A_i, row-major, concatenated (float64 and a float32 copy). */
  a64: Float64Array;
  a32: Float32Array;
  /** Upstream gradients ∂l/∂A_i^{1/2} (symmetric), same layout. */
  g64: Float64Array;
  g32: Float32Array;
  /** float64 references: A_i^{1/2} and ∂l/∂A_i (exact eigh-based Lyapunov solution). */
  refSqrt: Float64Array;
  refGrad: Float64Array;
  /** Condition number λ_max/λ_min of each A_i (for reading the errors). */
  cond: number[];
}

export function makeData(d: number, b: number, rng: Rng): SqrtData {
  const n2 = d * d;
  const a64 = new Float64Array(b * n2), g64 = new Float64Array(b * n2);
  const refSqrt = new Float64Array(b * n2), refGrad = new Float64Array(b * n2);
  const cond: number[] = [];
  const la = getLinalg();
  for (let i = 0; i < b; i++) {
    const x: Mat<Float64Array> = { rows: d, cols: d, data: rng.normal(n2) };
    const a = la.matmul(x, x, { transB: true });
    symmetrize(a.data, d); // exact symmetry, so every method sees the same matrix from either triangle
    a64.set(a.data, i * n2);
    const r = rng.normal(n2);
    const g = new Float64Array(n2);
    for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) g[p * d + q] = 0.5 * (r[p * d + q] + r[q * d + p]);
    g64.set(g, i * n2);
    const ref = referenceSqrtGrad(a, { rows: d, cols: d, data: g });
    refSqrt.set(ref.sqrt, i * n2);
    refGrad.set(ref.grad, i * n2);
    cond.push(ref.cond);
  }
  return { d, b, a64, a32: Float32Array.from(a64), g64, g32: Float32Array.from(g64), refSqrt, refGrad, cond };
}

/** float64 eigh reference: A^{1/2} = UΛ^{1/2}Uᵀ and ∂l/∂A = U((UᵀGU) ∘ K)Uᵀ, K_ij = 1/(√λ_i + √λ_j). */
export function referenceSqrtGrad(a: Mat<Float64Array>, g: Mat<Float64Array>): {
  sqrt: Float64Array;
  grad: Float64Array;
  cond: number;
} {
  const la = getLinalg(), d = a.rows;
  const { values: w, vectors: u } = la.eigh(a);
  const sw = Array.from(w, (x) => Math.sqrt(Math.max(x, 0)));
  const us = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) us[i * d + j] = u.data[i * d + j] * sw[j];
  const sqrt = la.matmul({ rows: d, cols: d, data: us }, u, { transB: true }).data;
  const m = la.matmul(la.matmul(u, g, { transA: true }), u);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.data[i * d + j] /= sw[i] + sw[j];
  const grad = la.matmul(la.matmul(u, m), u, { transB: true }).data;
  return { sqrt, grad, cond: w[d - 1] / w[0] };
}

function symmetrize(x: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const v = 0.5 * (x[i * d + j] + x[j * d + i]);
      x[i * d + j] = v;
      x[j * d + i] = v;
    }
  }
}

/** Mean over the batch of ‖X_i − R_i‖_F / ‖R_i‖_F, accumulated in float64. */
export function meanRelError(x: ArrayLike<number>, ref: Float64Array, d: number, b: number): number {
  const n2 = d * d;
  let total = 0;
  for (let i = 0; i < b; i++) {
    let num = 0, den = 0;
    for (let k = i * n2; k < (i + 1) * n2; k++) {
      const e = x[k] - ref[k];
      num += e * e;
      den += ref[k] * ref[k];
    }
    total += Math.sqrt(num / den);
  }
  return total / b;
}

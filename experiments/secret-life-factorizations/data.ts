/**
 * Test matrices: exactly rank k (A = G₁G₂, Gaussian), or A = U·diag(σ)·Vᵀ with Haar-like orthonormal U, V and a
 * prescribed decaying spectrum, so the optimal rank-k error (Eckart–Young) is known exactly.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import { frobenius, randn } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";

export type Spectrum = "exact" | "poly" | "geom";

export interface TestMatrix {
  a: Mat<Float64Array>;
  normA: number;
  /** ‖A − [A]_k‖_F = (Σ_{j>k} σ_j²)^{1/2}, the SVD optimum (0 for exact rank k). */
  tail: number;
}

/** σ_j for j = 1 … p: poly σ_j = 1/j; geom σ_j = 0.93^{j−1}. */
export function spectrum(kind: "poly" | "geom", p: number): Float64Array {
  return Float64Array.from({ length: p }, (_, j) => kind === "poly" ? 1 / (j + 1) : 0.93 ** j);
}

export function makeMatrix(
  la: Linalg,
  spec: { m: number; n: number; k: number; spectrum: Spectrum },
  rng: Rng,
): TestMatrix {
  const { m, n, k } = spec;
  if (spec.spectrum === "exact") {
    const a = la.matmul(randn(m, k, rng.split("G1")), randn(k, n, rng.split("G2"))) as Mat<Float64Array>;
    return { a, normA: frobenius(a), tail: 0 };
  }
  const p = Math.min(m, n);
  const s = spectrum(spec.spectrum, p);
  const u = la.qr(randn(m, p, rng.split("U"))).q as Mat<Float64Array>;
  const v = la.qr(randn(n, p, rng.split("V"))).q as Mat<Float64Array>;
  const us = u.data.slice();
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) us[i * p + j] *= s[j];
  const a = la.matmul({ rows: m, cols: p, data: us }, v, { transB: true }) as Mat<Float64Array>;
  let tail = 0;
  for (let j = k; j < p; j++) tail += s[j] * s[j];
  return { a, normA: frobenius(a), tail: Math.sqrt(tail) };
}

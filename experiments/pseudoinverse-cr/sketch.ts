/**
 * Sketching matrices for the randomized pseudoinverse (formula 3): P (m×k) and Q (n×k), nested in k (the
 * sketch of size k is the first k columns of the largest one).
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import { randn } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";

/**
 * Gaussian P, Q; for "rank_losing", the left (right) singular vector u_ρ (v_ρ) of A's smallest nonzero singular
 * value (ρ = rank A) is projected out of every column of P (Q), so rank(PᵀA) ≤ ρ − 1 at every k and formula 3
 * cannot be exact; the lost direction carries the largest term 1/σ_ρ of A⁺, so the miss is large.
 */
export function sketches(
  la: Linalg,
  a: Mat<Float64Array>,
  rankA: number,
  kMax: number,
  kind: "gaussian" | "rank_losing",
  rng: Rng,
): { P: Mat<Float64Array>; Q: Mat<Float64Array> } {
  const P = randn(a.rows, kMax, rng.split("P")) as Mat<Float64Array>;
  const Q = randn(a.cols, kMax, rng.split("Q")) as Mat<Float64Array>;
  if (kind === "gaussian") return { P, Q };
  const { u, vt } = la.svd(a);
  const k = u.cols;
  const j = rankA - 1;
  const uj = Float64Array.from({ length: a.rows }, (_, i) => u.data[i * k + j]);
  const vj = vt.data.slice(j * a.cols, (j + 1) * a.cols);
  return { P: projectOut(P, uj), Q: projectOut(Q, vj) };
}

/** (I − wwᵀ)M for a unit vector w. */
export function projectOut(m: Mat<Float64Array>, w: Float64Array): Mat<Float64Array> {
  const { rows, cols } = m, out = m.data.slice();
  for (let j = 0; j < cols; j++) {
    let d = 0;
    for (let i = 0; i < rows; i++) d += w[i] * out[i * cols + j];
    for (let i = 0; i < rows; i++) out[i * cols + j] -= d * w[i];
  }
  return { rows, cols, data: out };
}

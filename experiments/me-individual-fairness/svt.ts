/**
 * Singular value thresholding as matrix-estimation pre-processing (Zhang, Cen, Shah 2023, Sec. 3; the USVT estimator
 * of Chatterjee 2015): with Y the zero-filled observations and p̂ the observed fraction,
 *   Â = (1/p̂)·Σ_{σ_i(Y) ≥ τ} σ_i u_i v_iᵀ.
 * Threshold (ours, USVT-style): τ = c·(√n + √m)·ŝ with ŝ² = p̂·mean_{Ω}(Y²), an upper estimate of the per-entry
 * variance of Y − p̂A, so that the noise singular values (≈ (√n + √m)·std) fall below τ.
 */
import { type M64, svd } from "../../lib/math/lowrank/mod.ts";

export function svtThreshold(z: M64, mask: Uint8Array, c: number): { tau: number; pHat: number } {
  let seen = 0, sq = 0;
  for (let q = 0; q < mask.length; q++) {
    if (mask[q]) {
      seen++;
      sq += z.data[q] ** 2;
    }
  }
  const pHat = seen / mask.length;
  const s = Math.sqrt(pHat * (sq / Math.max(seen, 1)));
  return { tau: c * (Math.sqrt(z.rows) + Math.sqrt(z.cols)) * s, pHat };
}

/** Â and the number of singular values kept. */
export function svt(z: M64, mask: Uint8Array, c: number): { a: M64; kept: number } {
  const { tau, pHat } = svtThreshold(z, mask, c);
  const { u, s, vt } = svd(z);
  const n = z.rows, m = z.cols, k = s.length, out = { rows: n, cols: m, data: new Float64Array(n * m) };
  let kept = 0;
  for (let l = 0; l < k; l++) {
    if (s[l] < tau) break;
    kept++;
    const f = s[l] / pHat;
    for (let i = 0; i < n; i++) {
      const ui = u.data[i * k + l] * f;
      if (ui === 0) continue;
      for (let j = 0; j < m; j++) out.data[i * m + j] += ui * vt.data[l * m + j];
    }
  }
  return { a: out, kept };
}

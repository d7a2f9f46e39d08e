/**
 * Sign conventions shared by the two \`Linalg\` backends: LAPACK and ml-matrix choose the signs of singular vectors,
 * eigenvectors and QR factors arbitrarily; these fix them so backends (and algorithms built on them) agree.
 */
import type { Float } from "./types.ts";

/**
 * Fixes the sign of the first `k` columns of `v` (`rows` rows, row stride `ld`) so each column's largest-magnitude
 * entry is positive, and flips the matching rows of `w` (row stride `wld`, `wld` entries each) along with them.
 * LAPACK and ml-matrix choose these signs arbitrarily; fixing them makes backends and algorithms agree. @internal
 */
export function fixColumnSigns(v: Float, rows: number, ld: number, k: number, w?: Float, wld = 0): void {
  for (let j = 0; j < k; j++) {
    let best = 0, bestAbs = -1;
    for (let i = 0; i < rows; i++) {
      const a = Math.abs(v[i * ld + j]);
      // A relative margin so near-ties (within float32 noise) resolve to the first index on every backend.
      if (a > bestAbs * (1 + 1e-4)) {
        bestAbs = a;
        best = i;
      }
    }
    if (v[best * ld + j] < 0) {
      for (let i = 0; i < rows; i++) v[i * ld + j] = -v[i * ld + j];
      if (w) { for (let c = 0; c < wld; c++) w[j * wld + c] = -w[j * wld + c]; }
    }
  }
}

/** Flips signs so diag(R) ≥ 0; this makes thin QR unique for full-rank A and identical across backends. @internal */
export function positiveDiagonal(q: Float, r: Float, m: number, n: number, k: number): void {
  for (let i = 0; i < k; i++) {
    if (r[i * n + i] >= 0) continue;
    for (let j = i; j < n; j++) r[i * n + j] = -r[i * n + j];
    for (let row = 0; row < m; row++) q[row * k + i] = -q[row * k + i];
  }
}

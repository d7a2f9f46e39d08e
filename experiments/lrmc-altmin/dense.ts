/**
 * Small dense kernels on row-major Float64Arrays, written as plain loops so that the exact and the sketched
 * least-squares solves run on the same footing (same language, same memory layout, no BLAS for either).
 *
 * Everything here is O(n·k²) or O(k³) with k the rank; the O(|Ω|·k^a) work lives in lsq.ts.
 */
import { cholSmall } from "../../lib/math/linalg/chol_small.ts";

/**
 * Cholesky factor of the k×k Gram `g` whose upper triangle holds G (the row solves accumulate only that half): the
 * upper triangle is mirrored into the lower one, which is then factored in place (lower triangle = L, row-major).
 * Returns false if a pivot is not positive. Solve with `cholSolveSmall`.
 */
export function cholesky(g: Float64Array, k: number): boolean {
  for (let i = 1; i < k; i++) for (let j = 0; j < i; j++) g[i * k + j] = g[j * k + i];
  return cholSmall(g, k);
}

/**
 * Thin Householder QR of a row-major m×c matrix (m ≥ c). Returns R (c×c, upper, row-major) and, if asked,
 * the thin Q (m×c, orthonormal columns, row-major). Backward stable, so ‖R‖ carries the small quantities
 * that Cholesky-based shortcuts would lose to cancellation.
 */
export function householderQr(
  a: Float64Array,
  m: number,
  c: number,
  wantQ = true,
): { q: Float64Array | null; r: Float64Array } {
  const w = a.slice(); // working copy, overwritten by the reflectors below the diagonal
  const tau = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    let norm2 = 0;
    for (let i = j; i < m; i++) norm2 += w[i * c + j] * w[i * c + j];
    const norm = Math.sqrt(norm2);
    if (norm === 0) continue;
    const x0 = w[j * c + j];
    const alpha = x0 >= 0 ? -norm : norm; // reflect x onto alpha·e1
    const v0 = x0 - alpha;
    // v = [v0, x_{j+1..m}] ; H = I - tau v vᵀ with tau = 2 / (vᵀv); store v scaled so v[0] = 1
    for (let i = j + 1; i < m; i++) w[i * c + j] /= v0;
    tau[j] = (alpha - x0) / alpha; // = 2/(vᵀv) for the scaled v
    w[j * c + j] = alpha;
    for (let col = j + 1; col < c; col++) {
      let s = w[j * c + col];
      for (let i = j + 1; i < m; i++) s += w[i * c + j] * w[i * c + col];
      s *= tau[j];
      w[j * c + col] -= s;
      for (let i = j + 1; i < m; i++) w[i * c + col] -= s * w[i * c + j];
    }
  }
  const r = new Float64Array(c * c);
  for (let i = 0; i < c; i++) for (let j = i; j < c; j++) r[i * c + j] = w[i * c + j];
  if (!wantQ) return { q: null, r };
  const q = new Float64Array(m * c);
  for (let i = 0; i < c; i++) q[i * c + i] = 1;
  for (let j = c - 1; j >= 0; j--) {
    if (tau[j] === 0) continue;
    for (let col = j; col < c; col++) {
      let s = q[j * c + col];
      for (let i = j + 1; i < m; i++) s += w[i * c + j] * q[i * c + col];
      s *= tau[j];
      q[j * c + col] -= s;
      for (let i = j + 1; i < m; i++) q[i * c + col] -= s * w[i * c + j];
    }
  }
  return { q, r };
}

/** Orthonormal basis of the column span of a row-major m×c matrix (thin Householder Q). */
export function orthonormalize(a: Float64Array, m: number, c: number): Float64Array {
  return householderQr(a, m, c, true).q!;
}

/**
 * ‖U·Vᵀ − U*·diag(σ)·V*ᵀ‖_F / ‖σ‖₂ without forming n×n matrices: with A = [U, −U*Σ] and B = [V, V*],
 * U·Vᵀ − M = A·Bᵀ and ‖A·Bᵀ‖_F = ‖R_A·R_Bᵀ‖_F for the QR factors of A and B. Householder QR keeps the
 * absolute error near ε_mach·‖M‖, so relative errors down to ~1e-13 are measurable (a trace formula
 * ‖UVᵀ‖² − 2⟨UVᵀ,M⟩ + ‖M‖² would lose everything below ~1e-8 to cancellation). O(n·k²).
 */
export function relErrorFactored(
  u: Float64Array,
  v: Float64Array,
  uStar: Float64Array,
  vStar: Float64Array,
  sigma: Float64Array,
  n: number,
  k: number,
): number {
  const c = 2 * k;
  const a = new Float64Array(n * c), b = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < k; l++) {
      a[i * c + l] = u[i * k + l];
      a[i * c + k + l] = -uStar[i * k + l] * sigma[l];
      b[i * c + l] = v[i * k + l];
      b[i * c + k + l] = vStar[i * k + l];
    }
  }
  const ra = householderQr(a, n, c, false).r, rb = householderQr(b, n, c, false).r;
  let err2 = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0; // (R_A R_Bᵀ)[i,j] = Σ_l R_A[i,l] R_B[j,l], both upper triangular
      for (let l = Math.max(i, j); l < c; l++) s += ra[i * c + l] * rb[j * c + l];
      err2 += s * s;
    }
  }
  let m2 = 0;
  for (let l = 0; l < k; l++) m2 += sigma[l] * sigma[l];
  return Math.sqrt(err2 / m2);
}

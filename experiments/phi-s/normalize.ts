/**
 * Invertible normalisations of one teacher's features y ∈ ℝ^d, fitted on a sample (n × d): z = T(y − μ), and back
 * y = T⁻¹z + μ. The student learns z; its prediction is mapped back to the teacher's space for evaluation.
 *
 * - raw: T = I, μ = 0 (the plain MSE baseline);
 * - global: one scalar mean and std over all entries, T = I/σ;
 * - perdim: per-dimension standardisation, T = diag(1/σ_j);
 * - pca: PCA whitening, T = Λ^{-1/2} Uᵀ (Σ = U Λ Uᵀ; eigenvalues floored at 1e-12·λ_max);
 * - phis: PHI-S (Ranzinger et al. 2024), T = H Uᵀ/√mean(λ) with H a normalised Hadamard matrix, as the official
 *   `get_phi_s_matrix` (NVlabs/RADIO examples/common/phi_s.py): rotate to the principal axes, then by H, which
 *   spreads every eigenvalue evenly over the dimensions, so each has variance mean(λ); one scale standardises all
 *   of them (isotropic standardisation). Needs d a power of two here (Sylvester construction).
 * - iso: our ablation, PHI-S without its rotations: T = I/√mean(λ) (per-dimension means removed, one scale). Its
 *   loss differs from PHI-S's only by a rotation of the targets, which matters to Adam but not to SGD.
 */
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { meanCov } from "../../lib/math/stats.ts";

export type NormKind = "raw" | "global" | "perdim" | "pca" | "phis" | "iso";

export interface Normalizer {
  kind: NormKind;
  d: number;
  mean: Float64Array;
  /** T, d×d row-major. */
  t: Float64Array;
  /** T⁻¹, d×d row-major. */
  tInv: Float64Array;
}

/** Sylvester Hadamard matrix of order d (a power of two), rows normalised to unit length. */
export function hadamard(d: number): Float64Array {
  if (d < 1 || (d & (d - 1)) !== 0) throw new Error(`hadamard: ${d} is not a power of two`);
  const h = new Float64Array(d * d), s = 1 / Math.sqrt(d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let bits = i & j, parity = 0;
      while (bits) {
        parity ^= bits & 1;
        bits >>= 1;
      }
      h[i * d + j] = parity ? -s : s;
    }
  }
  return h;
}

const diag = (v: ArrayLike<number>) => {
  const d = v.length, m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = v[i];
  return m;
};

/** Fit a normaliser on n samples of dimension d (row-major). */
export function fitNormalizer(kind: NormKind, y: ArrayLike<number>, n: number, d: number): Normalizer {
  const ident = diag(new Float64Array(d).fill(1));
  if (kind === "raw") return { kind, d, mean: new Float64Array(d), t: ident, tInv: ident.slice() };
  if (kind === "global") {
    let mu = 0, v = 0;
    for (let i = 0; i < n * d; i++) mu += y[i] / (n * d);
    for (let i = 0; i < n * d; i++) v += (y[i] - mu) ** 2 / (n * d - 1);
    const s = Math.sqrt(v);
    return {
      kind,
      d,
      mean: new Float64Array(d).fill(mu),
      t: diag(new Float64Array(d).fill(1 / s)),
      tInv: diag(new Float64Array(d).fill(s)),
    };
  }
  const { mean, cov } = meanCov(y, n, d);
  if (kind === "perdim") {
    const s = Array.from({ length: d }, (_, j) => Math.sqrt(Math.max(cov[j * d + j], 1e-24)));
    return { kind, d, mean, t: diag(s.map((x) => 1 / x)), tInv: diag(s) };
  }
  if (kind === "iso") {
    let tr = 0;
    for (let j = 0; j < d; j++) tr += cov[j * d + j];
    const a = Math.sqrt(tr / d);
    return { kind, d, mean, t: diag(new Float64Array(d).fill(1 / a)), tInv: diag(new Float64Array(d).fill(a)) };
  }
  const { values, vectors } = getLinalg().eigh(mat(d, d, cov));
  const lam = Array.from(values as Float64Array, (x) => Math.max(x, 0)), u = vectors.data as Float64Array; // columns
  const t = new Float64Array(d * d), tInv = new Float64Array(d * d);
  if (kind === "pca") {
    const lmax = Math.max(...lam), floor = 1e-12 * lmax;
    // T = Λ^{-1/2} Uᵀ: row k is u_kᵀ/√λ_k; T⁻¹ = U Λ^{1/2}.
    for (let k = 0; k < d; k++) {
      const s = Math.sqrt(Math.max(lam[k], floor));
      for (let j = 0; j < d; j++) {
        t[k * d + j] = u[j * d + k] / s;
        tInv[j * d + k] = u[j * d + k] * s;
      }
    }
    return { kind, d, mean, t, tInv };
  }
  // PHI-S: T = H Uᵀ / √mean(λ); T⁻¹ = √mean(λ) · U Hᵀ.
  const h = hadamard(d), a = Math.sqrt(lam.reduce((s, x) => s + x, 0) / d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += h[i * d + k] * u[j * d + k]; // (H Uᵀ)_ij = Σ_k H_ik U_jk
      t[i * d + j] = acc / a;
      tInv[j * d + i] = acc * a; // (U Hᵀ)_ji = (H Uᵀ)_ij
    }
  }
  return { kind, d, mean, t, tInv };
}

/** z = T(y − μ) for n rows. */
export function normalize(nz: Normalizer, y: ArrayLike<number>, n: number): Float64Array {
  const { d, mean, t } = nz, z = new Float64Array(n * d), c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) c[j] = y[i * d + j] - mean[j];
    for (let k = 0; k < d; k++) {
      let acc = 0;
      for (let j = 0; j < d; j++) acc += t[k * d + j] * c[j];
      z[i * d + k] = acc;
    }
  }
  return z;
}

/** y = T⁻¹z + μ for n rows. */
export function denormalize(nz: Normalizer, z: ArrayLike<number>, n: number): Float64Array {
  const { d, mean, tInv } = nz, y = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      let acc = mean[k];
      for (let j = 0; j < d; j++) acc += tInv[k * d + j] * z[i * d + j];
      y[i * d + k] = acc;
    }
  }
  return y;
}

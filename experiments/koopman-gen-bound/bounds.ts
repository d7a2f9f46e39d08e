/**
 * The weight-dependent factors of three generalization bounds for a network with square invertible layers
 * x ↦ σ(W_j x + b_j), j = 1..L, and the condition-number regulariser.
 *
 * Koopman factor (Hashimoto et al. 2023, abstract and reviews; derivation ours, NOTES.md). On the Sobolev space
 * H^s(ℝ^d) with ‖f‖² = ∫|f̂(ω)|²(1 + |ω|²)^s dω, the Koopman (composition) operator K_W f = f∘W satisfies
 *   (f∘W)^(ω) = |det W|⁻¹ f̂(W⁻ᵀω)  ⇒  ‖f∘W‖² = |det W|⁻¹ ∫|f̂(η)|²(1 + |Wᵀη|²)^s dη
 *   ⇒  ‖K_W‖ ≤ max(1, ‖W‖)^s / |det W|^{1/2},
 * and a bias is a translation (unitary on H^s). The bound's weight part is Π_j max(1, ‖W_j‖)^{s} / |det W_j|^{1/2};
 * we return its logarithm, log K = Σ_j [ s·log⁺σ₁(W_j) − ½ Σ_i log σ_i(W_j) ]. For an orthogonal W_j every term is
 * 0, whatever d: the width-independence the abstract states. s is the smallest integer above d/2 (H^s is an RKHS
 * only for s > d/2).
 *
 * Norm-based factors, over the same L layers: the spectral product Π‖W_j‖₂ (Bartlett et al. 2017, leading factor)
 * and the Frobenius product Π‖W_j‖_F (Golowich et al. 2018), as logarithms.
 *
 * Condition-number regulariser: R(W) = log(mean σ_i²) − mean log σ_i² (log of the arithmetic over the geometric
 * mean of the squared singular values): smooth, scale-free, zero exactly when κ(W) = 1 (`addCondGrad`).
 */
import type { Linalg } from "../../lib/math/linalg/types.ts";
import { eye, mat } from "../../lib/math/linalg/mod.ts";
import { luSmall } from "../../lib/math/linalg/lu_small.ts";

/** The smallest integer Sobolev order s with s > d/2. */
export const sobolevOrder = (d: number): number => Math.floor(d / 2) + 1;

/** Per-layer quantities of one square weight matrix. */
export interface LayerFactors {
  /** log of the Koopman factor s·log⁺σ₁ − ½ Σ log σ_i (SVD route). */
  logKoop: number;
  /** log ‖W‖₂. */
  logSpec: number;
  /** log ‖W‖_F. */
  logFrob: number;
  /** log κ(W) = log σ₁ − log σ_d. */
  logKappa: number;
  /** Σ log σ_i from the SVD. */
  logDetSvd: number;
}

/** Singular values of a d×d row-major matrix (descending), by the run's linear algebra. */
export function singularValues(w: ArrayLike<number>, d: number, la: Linalg): Float64Array {
  return Float64Array.from(la.svdvals(mat(d, d, Float64Array.from(w))));
}

/** The factors of one d×d layer from its singular values (route A). */
export function layerFactors(w: ArrayLike<number>, d: number, la: Linalg, s = sobolevOrder(d)): LayerFactors {
  const sv = singularValues(w, d, la);
  let logDet = 0, fro2 = 0;
  for (const v of sv) {
    logDet += Math.log(v);
    fro2 += v * v;
  }
  const logSpec = Math.log(sv[0]);
  return {
    logKoop: s * Math.max(0, logSpec) - 0.5 * logDet,
    logSpec,
    logFrob: 0.5 * Math.log(fro2),
    logKappa: logSpec - Math.log(sv[d - 1]),
    logDetSvd: logDet,
  };
}

/** log |det W| from LU with partial pivoting (Σ log |u_ii|). */
export function logAbsDetLu(w: ArrayLike<number>, d: number): number {
  const f = luSmall(w, d, d);
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(Math.abs(f.lu[i * d + i]));
  return s;
}

/**
 * The Koopman log-factor by a second route (route B): ‖W‖₂ as the square root of the largest eigenvalue of WᵀW
 * (symmetric eigensolver) and log |det W| from LU — no SVD.
 */
export function logKoopmanByDet(w: ArrayLike<number>, d: number, la: Linalg, s = sobolevOrder(d)): number {
  const g = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += w[k * d + i] * w[k * d + j];
      g[i * d + j] = acc;
    }
  }
  const ev = la.eigh(mat(d, d, g)).values;
  const logSpec = 0.5 * Math.log(ev[d - 1]);
  return s * Math.max(0, logSpec) - 0.5 * logAbsDetLu(w, d);
}

/** Sums of the per-layer log-factors over a network's square layers. */
export interface NetFactors {
  logKoop: number;
  logSpec: number;
  logFrob: number;
  /** Largest log κ over the layers. */
  logKappaMax: number;
  /** Mean log κ over the layers. */
  logKappaMean: number;
  /** Largest |Σ log σ_i − log |det|_LU| over the layers, relative to max(1, |log det|). */
  detRouteErr: number;
  /** Largest |route A − route B| of the Koopman log-factor, relative to max(1, |log K|). */
  koopRouteErr: number;
}

/** The factors of a network's square weight matrices (each d×d, row-major), summed over layers. */
export function netFactors(ws: readonly ArrayLike<number>[], d: number, la: Linalg): NetFactors {
  const out: NetFactors = {
    logKoop: 0,
    logSpec: 0,
    logFrob: 0,
    logKappaMax: -Infinity,
    logKappaMean: 0,
    detRouteErr: 0,
    koopRouteErr: 0,
  };
  for (const w of ws) {
    const f = layerFactors(w, d, la), lu = logAbsDetLu(w, d), b = logKoopmanByDet(w, d, la);
    out.logKoop += f.logKoop;
    out.logSpec += f.logSpec;
    out.logFrob += f.logFrob;
    out.logKappaMax = Math.max(out.logKappaMax, f.logKappa);
    out.logKappaMean += f.logKappa / ws.length;
    out.detRouteErr = Math.max(out.detRouteErr, Math.abs(f.logDetSvd - lu) / Math.max(1, Math.abs(lu)));
    out.koopRouteErr = Math.max(out.koopRouteErr, Math.abs(f.logKoop - b) / Math.max(1, Math.abs(b)));
  }
  return out;
}

/**
 * The condition-number regulariser of one d×d layer, a smooth scale-free surrogate of log κ²:
 *   R(W) = log(‖W‖_F²/d) − (2/d)·log|det W| = log(mean σ_i²) − mean log σ_i² ≥ 0,
 * with 0 ≤ R ≤ log κ² and R = 0 exactly when every singular value is equal (κ = 1).
 * ∇R = 2W/‖W‖_F² − (2/d)·W⁻ᵀ. Adds λ·∇R into `grad` (both row-major) and returns λ·R.
 */
export function addCondGrad(
  w: ArrayLike<number>,
  grad: { [i: number]: number },
  d: number,
  lambda: number,
  la: Linalg,
): number {
  let f2 = 0;
  for (let i = 0; i < d * d; i++) f2 += w[i] * w[i];
  const inv = la.solve(mat(d, d, Float64Array.from(w)), eye(d)).data;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) grad[i * d + j] += lambda * (2 * w[i * d + j] / f2 - (2 / d) * inv[j * d + i]);
  }
  return lambda * condPenalty(w, d);
}

/** R(W) = log(‖W‖_F²/d) − (2/d)·log|det W| (see `addCondGrad`). */
export function condPenalty(w: ArrayLike<number>, d: number): number {
  let f2 = 0;
  for (let i = 0; i < d * d; i++) f2 += w[i] * w[i];
  return Math.log(f2 / d) - (2 / d) * logAbsDetLu(w, d);
}

/** A Haar-random d×d orthogonal matrix: Q of the QR of a Gaussian matrix, columns signed by diag(R) (Mezzadri). */
export function randomOrthogonal(d: number, normal: () => number, la: Linalg): Float64Array {
  const g = new Float64Array(d * d);
  for (let i = 0; i < g.length; i++) g[i] = normal();
  const { q, r } = la.qr(mat(d, d, g));
  const out = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const sign = r.data[j * d + j] < 0 ? -1 : 1;
    for (let i = 0; i < d; i++) out[i * d + j] = sign * q.data[i * d + j];
  }
  return out;
}

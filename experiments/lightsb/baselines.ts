/**
 * The baselines beside LightSB, each reduced to its conditional plan's moments at a test input x:
 *
 * - **Sinkhorn** (Cuturi 2013): discrete EOT between n samples of P₀ and n of P₁ for the cost ½‖x − y‖² and
 *   entropy weight ε (log domain, lib/math/ot `sinkhornLog`), extended out of sample through the target potential
 *   g: π̂(y_j | x) ∝ b_j exp((g_j − ½‖x − y_j‖²)/ε) (the entropic map of Pooladian & Niles-Weed 2021, whose mean is
 *   the barycentric projection). Its moments are those of this weighted point cloud.
 * - **Gaussian EOT**: fit N(a, A), N(b, B) to the samples and take the closed-form EOT plan between them
 *   (benchmark.ts `gaussianEot`).
 * - **Oracle**: the true potential rewritten in LightSB's form (full S), the identity behind the benchmark:
 *   exp(−‖y‖²/(2ε)) p_k N(y | μ_k, Σ_k) = α_k N(y | r_k, εS_k) with εS_k = A_k = (Σ_k⁻¹ + I/ε)⁻¹,
 *   r_k = A_kΣ_k⁻¹μ_k and α_k = p_k (2πε)^{d/2} N(μ_k | 0, Σ_k + εI).
 */
import { sinkhornLog } from "../../lib/math/ot/mod.ts";
import { type Gmm, invLogDet, type Moments, type Plan, softmaxInPlace } from "./benchmark.ts";
import type { LightSb } from "./lightsb.ts";

/** A fitted Sinkhorn plan: target samples, their potential g and the entropy weight. */
export interface SinkhornFit {
  ys: Float64Array;
  g: Float64Array;
  eps: number;
  d: number;
  iterations: number;
  err: number;
}

/** Discrete EOT between the rows of xs and ys (uniform weights), by log-domain Sinkhorn. */
export function fitSinkhorn(
  xs: Float64Array,
  ys: Float64Array,
  d: number,
  o: { eps: number; maxIter: number; stopThr: number },
): SinkhornFit {
  const n = xs.length / d, m = ys.length / d, cost = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += (xs[i * d + t] - ys[j * d + t]) ** 2;
      cost[i * m + j] = 0.5 * s;
    }
  }
  const r = sinkhornLog(cost, { n, m, reg: o.eps, maxIter: o.maxIter, stopThr: o.stopThr });
  return { ys, g: r.g, eps: o.eps, d, iterations: r.iterations, err: r.err };
}

/** Moments of the out-of-sample conditional π̂(·|x) of a Sinkhorn fit. */
export function sinkhornMoments(f: SinkhornFit, x: Float64Array, xOff = 0): Moments {
  const { d, ys, g, eps } = f, m = g.length, w = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (x[xOff + t] - ys[j * d + t]) ** 2;
    w[j] = (g[j] - 0.5 * s) / eps;
  }
  softmaxInPlace(w);
  const mean = new Float64Array(d), cov = new Float64Array(d * d), r = new Float64Array(d);
  for (let j = 0; j < m; j++) for (let t = 0; t < d; t++) mean[t] += w[j] * ys[j * d + t];
  for (let j = 0; j < m; j++) {
    if (w[j] < 1e-300) continue;
    for (let t = 0; t < d; t++) r[t] = ys[j * d + t] - mean[t];
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += w[j] * r[a] * r[b];
  }
  return { mean, cov };
}

/** The potential of a benchmark plan in LightSB's parameterisation (full S): its conditional is exactly π*. */
export function oracleLightSb(pot: Gmm, plan: Plan): LightSb {
  const { d, k } = pot, eps = plan.eps, dd = d * d;
  const logAlpha = new Float64Array(k), full = new Float64Array(k * dd);
  for (let c = 0; c < k; c++) {
    const se = pot.covs.slice(c * dd, (c + 1) * dd);
    for (let i = 0; i < d; i++) se[i * d + i] += eps;
    const { inv, logDet } = invLogDet(se, d);
    let q = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) q += pot.means[c * d + i] * inv[i * d + j] * pot.means[c * d + j];
    }
    // log α_k = log p_k + (d/2) log 2πε + log N(μ_k | 0, Σ_k + εI)
    logAlpha[c] = Math.log(pot.probs[c]) + 0.5 * d * Math.log(2 * Math.PI * eps) - 0.5 * d * Math.log(2 * Math.PI) -
      0.5 * logDet - 0.5 * q;
    for (let i = 0; i < dd; i++) full[c * dd + i] = plan.covs[c * dd + i] / eps;
  }
  return { d, k, eps, logAlpha, r: Float64Array.from(plan.bias), sDiag: new Float64Array(k * d), full };
}

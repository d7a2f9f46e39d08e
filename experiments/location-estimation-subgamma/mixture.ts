/**
 * Known noise distributions f on ℝᵈ for location estimation: isotropic Gaussian mixtures
 * f = Σ_k w_k N(a_k·u, s_k² I) with u = (1, …, 1)/√d. Their r-smoothed versions f_r = f * N(0, r² I) are again
 * such mixtures (s_k² → s_k² + r²), so the smoothed score ∇log f_r is closed-form — the object the smoothed MLE
 * of Gupta, Lee, Price, Valiant (2023) is built on.
 */
import type { Rng } from "../../lib/math/rng.ts";

export interface Component {
  w: number;
  /** Mean a·u along the diagonal u = 1/√d. */
  a: number;
  /** Per-coordinate standard deviation. */
  s: number;
}

export type DistName = "gaussian" | "bimodal" | "spike";

/**
 * The three noise laws we test (our choices; the paper has no experiments):
 * gaussian N(0, I) (the mean is optimal); bimodal ½N(−3u, I) + ½N(3u, I) (variance 10 along u, Fisher
 * information ≈ 1); spike 0.9·N(0, I) + 0.1·N(0, 0.05² I) (a narrow spike of small mass: large Fisher information
 * that only shows once n sees enough spike samples — the finite-n regime the paper addresses).
 */
export function distribution(name: DistName): Component[] {
  if (name === "gaussian") return [{ w: 1, a: 0, s: 1 }];
  if (name === "bimodal") return [{ w: 0.5, a: -3, s: 1 }, { w: 0.5, a: 3, s: 1 }];
  return [{ w: 0.9, a: 0, s: 1 }, { w: 0.1, a: 0, s: 0.05 }];
}

/** Draw `count` samples of f in ℝᵈ as a row-major count×d array. */
export function sample(f: Component[], d: number, count: number, rng: Rng): Float64Array {
  const out = new Float64Array(count * d);
  const u = 1 / Math.sqrt(d);
  for (let i = 0; i < count; i++) {
    let t = rng.uniform(), k = 0;
    while (k < f.length - 1 && t >= f[k].w) t -= f[k++].w;
    const c = f[k];
    for (let j = 0; j < d; j++) out[i * d + j] = c.a * u + c.s * rng.normal();
  }
  return out;
}

/**
 * Add the smoothed score ∇log f_r(z) of one point z ∈ ℝᵈ into `acc` (f_r = f * N(0, r²I)):
 * ∇log f_r(z) = −Σ_k π_k(z)(z − a_k u)/(s_k² + r²), π_k ∝ w_k N(z; a_k u, (s_k² + r²) I), computed in log space.
 */
export function addScore(f: Component[], r: number, z: Float64Array, off: number, d: number, acc: Float64Array): void {
  const u = 1 / Math.sqrt(d);
  const K = f.length;
  const logp = new Float64Array(K);
  let mx = -Infinity;
  for (let k = 0; k < K; k++) {
    const v = f[k].s * f[k].s + r * r;
    let q = 0;
    for (let j = 0; j < d; j++) {
      const e = z[off + j] - f[k].a * u;
      q += e * e;
    }
    logp[k] = Math.log(f[k].w) - 0.5 * d * Math.log(v) - 0.5 * q / v;
    if (logp[k] > mx) mx = logp[k];
  }
  let tot = 0;
  for (let k = 0; k < K; k++) tot += logp[k] = Math.exp(logp[k] - mx);
  for (let k = 0; k < K; k++) {
    const c = -(logp[k] / tot) / (f[k].s * f[k].s + r * r);
    for (let j = 0; j < d; j++) acc[j] += c * (z[off + j] - f[k].a * u);
  }
}

/**
 * Fisher information of f_r in the two directions the symmetry leaves: J_∥ along u and J_⊥ across it
 * (I_r = J_∥ uuᵀ + J_⊥(I − uuᵀ)), by Monte Carlo over `count` draws of f_r. Returns also tr(I_r⁻¹), the
 * Cramér–Rao constant: n·E‖λ̂ − λ‖² ≥ tr(I⁻¹) for unbiased estimators from n samples.
 */
export function fisherInfo(f: Component[], r: number, d: number, count: number, rng: Rng) {
  const fr = f.map((c) => ({ ...c, s: Math.sqrt(c.s * c.s + r * r) }));
  const z = sample(fr, d, count, rng);
  const u = 1 / Math.sqrt(d);
  let par = 0, tot = 0;
  const s = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    s.fill(0);
    addScore(f, r, z, i * d, d, s);
    let dot = 0, nn = 0;
    for (let j = 0; j < d; j++) {
      dot += s[j] * u;
      nn += s[j] * s[j];
    }
    par += dot * dot;
    tot += nn;
  }
  const jPar = par / count, jPerp = d > 1 ? (tot - par) / count / (d - 1) : NaN;
  return { jPar, jPerp, trInv: 1 / jPar + (d > 1 ? (d - 1) / jPerp : 0) };
}

/** tr Cov(f) = Σ_k w_k(d s_k² + a_k²) − (Σ_k w_k a_k)²: n × the mean's squared error. */
export function traceCov(f: Component[], d: number): number {
  const m = f.reduce((t, c) => t + c.w * c.a, 0);
  return f.reduce((t, c) => t + c.w * (d * c.s * c.s + c.a * c.a), 0) - m * m;
}

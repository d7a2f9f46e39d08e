/**
 * Gaussian probability paths, their kinetic energy through λ, and the kinetic-optimal (KO) path.
 *
 * Path: x_t = σ_t x₀ + α_t x₁, from noise (σ₀ = 1, α₀ = 0) to data (σ₁ = σ_min, α₁ = 1); s = α/σ. The marginal
 * velocity is u_t(x) = (σ̇/σ)·x + σ·ṡ·E[x₁ | x_t = x], and with y = x/σ (separation.ts)
 *
 *     KE/d = ∫₀¹ E‖u_t‖²/d dt = ∫₀¹ σ̇² + c·α̇² − c·σ²ṡ²·(1 − λ(s)) dt,          c = E‖x₁‖²/d,          (1)
 *
 * using E‖y‖² = d + s²E‖x₁‖², E[y·D] = s·E‖x₁‖² and E‖D‖² = λ(s)·E‖x₁‖². The data enter only through λ; with λ ≡ 1 the
 * integrand is σ̇² + c·α̇², minimised by straight lines in (σ, α): the Cond-OT path σ_t = 1 − (1 − σ_min)t, α_t = t.
 *
 * KO path. In ρ = √(σ² + cα²) and s the metric of (1) is a cone, dρ² + ρ²·h(s) ds² with
 * h(s) = c·(λ(s)(1 + cs²) − cs²)/(1 + cs²)², so with the angle φ = Φ(s) = ∫₀ˢ √h it is the flat metric in polar
 * coordinates (ρ, φ). Its geodesic (the KO path) is the straight segment, at constant speed, from (ρ, φ) = (1, 0) to
 * (√(σ_min² + c), Φ(1/σ_min)) in the unfolded plane; its energy is the squared length of that segment. The sector
 * angle Φ(∞) ≤ π/2, with equality iff λ ≡ 1 (then φ = arctan(√c·s) and the segment is Cond-OT).
 * This closed form is our derivation: the paper's own 1-D ODE is in its body, which we could not read (NOTES.md).
 */

/** A path as a function of t: σ_t, α_t and their time derivatives. */
export type PathFn = (t: number) => { sigma: number; alpha: number; dsigma: number; dalpha: number };

/** The integrand of (1) at one time: the per-dimension kinetic energy density. */
export function keDensity(
  p: { sigma: number; alpha: number; dsigma: number; dalpha: number },
  c: number,
  lambda: (s: number) => number,
): number {
  const { sigma, alpha, dsigma, dalpha } = p;
  const sigDs = (dalpha * sigma - alpha * dsigma) / sigma; // σ·ṡ
  return dsigma * dsigma + c * dalpha * dalpha - c * sigDs * sigDs * (1 - lambda(alpha / sigma));
}

const GL5 = {
  x: [-0.9061798459386640, -0.5384693101056831, 0, 0.5384693101056831, 0.9061798459386640],
  w: [0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891],
};

/**
 * ∫₀^tEnd f(t) dt by 5-point Gauss–Legendre on `intervals` intervals graded geometrically towards tEnd (down to
 * 1e-10·tEnd), where the paths' speeds concentrate.
 */
export function integrateGraded(f: (t: number) => number, tEnd: number, intervals = 400): number {
  const g = 1e-10 ** (1 / (intervals - 1));
  const pts = Array.from({ length: intervals }, (_, k) => tEnd * (1 - g ** k));
  pts.push(tEnd);
  let total = 0;
  for (let k = 0; k + 1 < pts.length; k++) {
    const a = pts[k], b = pts[k + 1], h = (b - a) / 2, m = (a + b) / 2;
    for (let q = 0; q < 5; q++) total += h * GL5.w[q] * f(m + h * GL5.x[q]);
  }
  return total;
}

/** KE/d of a path by (1), integrated over [0, tEnd]. */
export function kineticEnergy(path: PathFn, c: number, lambda: (s: number) => number, tEnd = 1): number {
  return integrateGraded((t) => keDensity(path(t), c, lambda), tEnd);
}

/** The Cond-OT path of flow matching: σ_t = 1 − (1 − σ_min)t, α_t = t. */
export function condOtPath(sigmaMin: number): PathFn {
  return (t) => ({ sigma: 1 - (1 - sigmaMin) * t, alpha: t, dsigma: -(1 - sigmaMin), dalpha: 1 });
}

/**
 * The variance-preserving (VP) diffusion path in flow-matching time: α_t = exp(−T(1 − t)/2), σ_t = √(1 − α_t²),
 * T(τ) = β_min·τ + (β_max − β_min)τ²/2 (Song et al. 2021; Lipman et al. 2023, β_min = 0.1, β_max = 20). It reaches
 * σ = σ_min at tEnd < 1, where we stop it (σ = 0 at t = 1 has infinite kinetic energy).
 */
export function vpPath(sigmaMin: number, betaMin = 0.1, betaMax = 20): { path: PathFn; tEnd: number } {
  const T = (tau: number) => betaMin * tau + 0.5 * (betaMax - betaMin) * tau * tau;
  const beta = (tau: number) => betaMin + (betaMax - betaMin) * tau;
  const path: PathFn = (t) => {
    const alpha = Math.exp(-0.5 * T(1 - t));
    const sigma = Math.sqrt(1 - alpha * alpha);
    const dalpha = 0.5 * alpha * beta(1 - t);
    return { sigma, alpha, dsigma: -alpha * dalpha / sigma, dalpha };
  };
  // T(τ*) = −ln(1 − σ_min²): σ = σ_min at t = 1 − τ*
  const target = -Math.log(1 - sigmaMin * sigmaMin), a = 0.5 * (betaMax - betaMin);
  const tau = (-betaMin + Math.sqrt(betaMin * betaMin + 4 * a * target)) / (2 * a);
  return { path, tEnd: 1 - tau };
}

/** The cone angle Φ(s) = ∫₀ˢ √h and its inverse, tabulated. */
export interface ConeAngle {
  c: number;
  s: Float64Array;
  phi: Float64Array;
  at(s: number): number;
  inverse(phi: number): number;
}

/** h(s) of the cone metric (≥ 0 for every data set; clipped at 0 against noise in λ̂). */
export function coneH(s: number, c: number, lam: number): number {
  const q = 1 + c * s * s;
  return Math.max(0, c * (lam * q - c * s * s) / (q * q));
}

/** Tabulate Φ on [0, sMax]: Simpson's rule on a linear grid to sLin, then `perDecade` log-spaced points to sMax. */
export function coneAngle(
  lambda: (s: number) => number,
  c: number,
  o: { sMax: number; sLin?: number; perDecade?: number },
): ConeAngle {
  const sLin = o.sLin ?? 1e-4, per = o.perDecade ?? 400;
  const ss: number[] = [];
  for (let k = 0; k <= 50; k++) ss.push((sLin * k) / 50);
  const nLog = Math.ceil(Math.log10(o.sMax / sLin) * per);
  for (let k = 1; k <= nLog; k++) ss.push(sLin * (o.sMax / sLin) ** (k / nLog));
  const s = Float64Array.from(ss), phi = new Float64Array(s.length);
  const root = (v: number) => Math.sqrt(coneH(v, c, lambda(v)));
  let prev = root(0);
  for (let k = 1; k < s.length; k++) { // Simpson on each interval
    const cur = root(s[k]), mid = root(0.5 * (s[k] + s[k - 1]));
    phi[k] = phi[k - 1] + ((prev + 4 * mid + cur) / 6) * (s[k] - s[k - 1]);
    prev = cur;
  }
  const search = (arr: Float64Array, v: number) => {
    let lo = 0, hi = arr.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (arr[mid] <= v) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  return {
    c,
    s,
    phi,
    at(v: number) {
      if (v >= s[s.length - 1]) return phi[phi.length - 1];
      const k = search(s, v), f = (v - s[k]) / (s[k + 1] - s[k]);
      return phi[k] + f * (phi[k + 1] - phi[k]);
    },
    inverse(v: number) {
      if (v <= 0) return 0;
      if (v >= phi[phi.length - 1]) return s[s.length - 1];
      const k = search(phi, v), dp = phi[k + 1] - phi[k];
      return dp > 0 ? s[k] + ((v - phi[k]) / dp) * (s[k + 1] - s[k]) : s[k];
    },
  };
}

/** The KO path: σ_t, α_t on the unfolded straight segment, and its kinetic energy (the squared length). */
export interface KoPath {
  at(t: number): { sigma: number; alpha: number };
  /** KE/d of the KO path, |P₁ − P₀|². */
  energy: number;
  /** Φ(1/σ_min), the sector angle the path spans; π/2-limit when λ ≡ 1. */
  angle: number;
}

/** The kinetic-optimal Gaussian path for a data set with separation λ and energy c (see the header). */
export function koPath(cone: ConeAngle, sigmaMin: number): KoPath {
  const c = cone.c, r1 = Math.sqrt(sigmaMin * sigmaMin + c), angle = cone.at(1 / sigmaMin);
  const p1x = r1 * Math.cos(angle), p1y = r1 * Math.sin(angle);
  return {
    energy: (p1x - 1) ** 2 + p1y ** 2,
    angle,
    at(t: number) {
      if (t >= 1) return { sigma: sigmaMin, alpha: 1 };
      const px = (1 - t) + t * p1x, py = t * p1y;
      const rho = Math.hypot(px, py), s = cone.inverse(Math.atan2(py, px));
      const sigma = rho / Math.sqrt(1 + c * s * s);
      return { sigma, alpha: sigma * s };
    },
  };
}

/** The same angle for λ ≡ 1: arctan(√c·s), the sector of the Cond-OT path. */
export function condOtAngle(c: number, sigmaMin: number): number {
  return Math.atan(Math.sqrt(c) / sigmaMin);
}

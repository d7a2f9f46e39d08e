/**
 * Levenberg–Marquardt with a forward-difference Jacobian, as levmar's `dlevmar_dif` (the official code calls
 * `levmar.levmar(func, p0, y)`): minimize ‖y − f(p)‖² with μ started at τ·max diag(JᵀJ), τ = 1e-3, Jacobian
 * steps δ = 1e-6, the stopping thresholds ε₁ = ε₂ = ε₃ = 1e-17 and at most 1000 iterations (python-levmar's
 * defaults). Deviation: the Jacobian is recomputed by forward differences at every iteration; levmar's `dif`
 * variant updates it by Broyden rank-1 steps between recomputations.
 */
import { luSmall, luSolveSmall } from "../../lib/math/linalg/lu_small.ts";

const TAU = 1e-3, DELTA = 1e-6, EPS1 = 1e-17, EPS2 = 1e-17, EPS3 = 1e-17;

export interface LmResult {
  p: Float64Array;
  iterations: number;
  cost: number;
}

/** Minimize Σ (y − f(p))² over p from p0 (y = 0 here, as in every call of the official code). */
export function levmar(f: (p: Float64Array) => Float64Array, p0: ArrayLike<number>, maxIter = 1000): LmResult {
  const m = p0.length;
  let p = Float64Array.from(p0);
  let e = f(p).map((v) => -v); // residual y − f(p) with y = 0
  const n = e.length;
  let cost = dot(e, e);
  let mu = 0, nu = 2, it = 0;
  const J = new Float64Array(n * m);
  for (; it < maxIter; it++) {
    const fp = f(p);
    for (let j = 0; j < m; j++) {
      const d = Math.max(Math.abs(1e-4 * p[j]), DELTA); // levmar's step: 1e-4·|p_j|, at least δ
      const q = Float64Array.from(p);
      q[j] += d;
      const fq = f(q);
      for (let i = 0; i < n; i++) J[i * m + j] = (fq[i] - fp[i]) / d;
    }
    const A = new Float64Array(m * m), g = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < m; a++) {
        g[a] += J[i * m + a] * e[i];
        for (let b = 0; b < m; b++) A[a * m + b] += J[i * m + a] * J[i * m + b];
      }
    }
    if (it === 0) mu = TAU * Math.max(...Array.from({ length: m }, (_, a) => A[a * m + a]));
    if (Math.max(...g.map(Math.abs)) <= EPS1 || cost <= EPS3) break;
    let accepted = false;
    while (!accepted) {
      const Am = A.slice();
      for (let a = 0; a < m; a++) Am[a * m + a] += mu;
      const dp = solveSmall(Am, g, m);
      if (!dp) {
        mu *= nu;
        nu *= 2;
        if (!Number.isFinite(mu)) return { p, iterations: it, cost };
        continue;
      }
      if (Math.hypot(...dp) <= EPS2 * Math.hypot(...p)) return { p, iterations: it, cost };
      const pn = p.map((v, a) => v + dp[a]);
      const en = f(pn).map((v) => -v);
      const cn = dot(en, en);
      const pred = dp.reduce((s, d, a) => s + d * (mu * d + g[a]), 0);
      const rho = (cost - cn) / (pred || Number.MIN_VALUE);
      if (rho > 0 && Number.isFinite(cn)) {
        p = pn;
        e = en;
        cost = cn;
        mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
        nu = 2;
        accepted = true;
      } else {
        mu *= nu;
        nu *= 2;
        if (!Number.isFinite(mu) || mu > 1e300) return { p, iterations: it, cost };
      }
    }
  }
  return { p, iterations: it, cost };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Solves the m×m normal equations (m ≤ 6) by LU with partial pivoting; null if a pivot is zero. */
function solveSmall(A: Float64Array, b: Float64Array, m: number): Float64Array | null {
  const f = luSmall(A, m, m);
  return f.zeroPivot >= 0 ? null : luSolveSmall(f, b);
}

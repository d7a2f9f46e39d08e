/**
 * The augmented covariance matrix (ACM) and the Riemannian classifiers of Carrara & Papadopoulo (arXiv 2302.04508),
 * as the authors' MOABB pipelines run them:
 *
 * - Delay embedding (moabb `pipelines/features.py` AugmentedDataset(order, lag)): order 1 leaves the trial as it is;
 *   otherwise the trial X (C × T) becomes the (C·order) × (T − order·lag) stack of X[:, k·lag : T − (order − k)·lag],
 *   k = 0 … order − 1.
 * - Covariance (pyriemann Covariances(estimator="cov") = numpy.cov): channel means removed, divided by N − 1.
 * - MDM (pyriemann MDM, metric "riemann"): one affine-invariant (Karcher) mean per class; a trial goes to the class
 *   whose mean is nearest in d_AI.
 * - Tangent space (pyriemann TangentSpace, metric "riemann"): reference M = Karcher mean of the training matrices;
 *   features = upper triangle of log(M^{-1/2} X M^{-1/2}), off-diagonal entries × √2; then an L2 logistic regression
 *   (sklearn LogisticRegression objective ½‖w‖² + C·Σ log-loss, intercept unpenalised), solved by Newton's method.
 */
import { type Linalg, mat } from "../../lib/math/linalg/mod.ts";
import { eighFn, invsqrtm, riemannianMean, type Spd } from "../../lib/math/spd/mod.ts";
import { cholSmall, cholSolveSmall } from "../../lib/math/linalg/chol_small.ts";

/** Delay embedding of one trial (C × T row-major) → (C·order) × (T − order·lag), or the trial itself for order 1. */
export function augment(
  x: Float64Array,
  c: number,
  t: number,
  order: number,
  lag: number,
): { z: Float64Array; n: number } {
  if (order === 1) return { z: x, n: t };
  const n = t - order * lag;
  if (n < 2) throw new Error(`augment: order ${order} × lag ${lag} leaves ${n} samples of ${t}`);
  const z = new Float64Array(c * order * n);
  for (let k = 0; k < order; k++) {
    for (let i = 0; i < c; i++) z.set(x.subarray(i * t + k * lag, i * t + k * lag + n), (k * c + i) * n);
  }
  return { z, n };
}

/** Sample covariance (numpy.cov): rows are variables, mean removed, divided by n − 1. */
export function covariance(z: Float64Array, d: number, n: number): Spd {
  const mu = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += z[i * n + k];
    mu[i] = s / n;
  }
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (z[i * n + k] - mu[i]) * (z[j * n + k] - mu[j]);
      out[i * d + j] = out[j * d + i] = s / (n - 1);
    }
  }
  return mat(d, d, out);
}

/** Augmented covariance of every trial. */
export function covariances(xs: readonly Float64Array[], c: number, t: number, order: number, lag: number): Spd[] {
  return xs.map((x) => {
    const { z, n } = augment(x, c, t, order, lag);
    return covariance(z, c * order, n);
  });
}

function sandwich(p: Float64Array, x: Float64Array, d: number): Float64Array {
  const tmp = new Float64Array(d * d), out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const a = p[i * d + k];
      if (a === 0) continue;
      for (let j = 0; j < d; j++) tmp[i * d + j] += a * x[k * d + j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += tmp[i * d + k] * p[k * d + j];
      out[i * d + j] = out[j * d + i] = s;
    }
  }
  return out;
}

/** Squared AI distances from every X to a fixed M (M^{-1/2} computed once). */
export function aiDistancesTo(m: Spd, xs: readonly Spd[], la: Linalg): Float64Array {
  const d = m.rows, p = invsqrtm(m, la).data;
  return Float64Array.from(xs, (x) => {
    const { values } = la.eigh(mat(d, d, sandwich(p, x.data as Float64Array, d)));
    let s = 0;
    for (const v of values) s += Math.log(v) ** 2;
    return s;
  });
}

export interface Mdm {
  means: Spd[];
}

export function fitMdm(covs: readonly Spd[], y: Int32Array, la: Linalg): Mdm {
  const classes = Math.max(...y) + 1;
  return {
    means: Array.from(
      { length: classes },
      (_, c) => riemannianMean(covs.filter((_, i) => y[i] === c), { la, tol: 1e-8, maxIter: 50 }).mean,
    ),
  };
}

export function predictMdm(model: Mdm, covs: readonly Spd[], la: Linalg): Int32Array {
  const d2 = model.means.map((m) => aiDistancesTo(m, covs, la));
  return Int32Array.from(covs, (_, i) => {
    let best = 0;
    for (let c = 1; c < d2.length; c++) if (d2[c][i] < d2[best][i]) best = c;
    return best;
  });
}

/** Tangent-space vectors at M: upper triangle of log(M^{-1/2} X M^{-1/2}), off-diagonals × √2. */
export function tangentSpace(m: Spd, covs: readonly Spd[], la: Linalg): Float64Array[] {
  const d = m.rows, p = invsqrtm(m, la).data;
  return covs.map((x) => {
    const l = eighFn(mat(d, d, sandwich(p, x.data as Float64Array, d)), Math.log, { la, domain: "positive" }).data;
    const v = new Float64Array((d * (d + 1)) / 2);
    let q = 0;
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) v[q++] = i === j ? l[i * d + j] : Math.SQRT2 * l[i * d + j];
    return v;
  });
}

/** Solve the SPD system A x = b (n × n) by Cholesky; A is overwritten (pivots floored at 1e-300). */
function cholSolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  cholSmall(a, n, 1e-300);
  const x = Float64Array.from(b);
  cholSolveSmall(a, n, x);
  return x;
}

export interface Logistic {
  w: Float64Array;
  b: number;
}

/**
 * Binary L2 logistic regression: minimise ½‖w‖² + C·Σ log(1 + exp(−ỹ_i (wᵀv_i + b))), ỹ ∈ {−1, 1}, by Newton's
 * method on (w, b) (b unpenalised; a 1e-10 ridge on it keeps the Hessian definite); stops when the Newton decrement
 * is below 1e-12 or after 50 steps.
 */
export function fitLogistic(v: readonly Float64Array[], y: Int32Array, cReg: number): Logistic {
  const p = v[0].length, n1 = p + 1;
  const theta = new Float64Array(n1);
  const objective = (th: Float64Array): number => {
    let f = 0;
    for (let k = 0; k < p; k++) f += 0.5 * th[k] * th[k];
    for (let i = 0; i < v.length; i++) {
      let z = th[p];
      for (let k = 0; k < p; k++) z += th[k] * v[i][k];
      const m = -(y[i] === 1 ? 1 : -1) * z; // log(1 + e^m), stably
      f += cReg * (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
    }
    return f;
  };
  for (let it = 0; it < 50; it++) {
    const g = new Float64Array(n1), h = new Float64Array(n1 * n1);
    for (let k = 0; k < p; k++) {
      g[k] = theta[k];
      h[k * n1 + k] = 1;
    }
    h[p * n1 + p] = 1e-10;
    for (let i = 0; i < v.length; i++) {
      const yi = y[i] === 1 ? 1 : -1, vi = v[i];
      let z = theta[p];
      for (let k = 0; k < p; k++) z += theta[k] * vi[k];
      const sig = 1 / (1 + Math.exp(yi * z)); // σ(−ỹz)
      const gi = -cReg * yi * sig, hi = cReg * sig * (1 - sig);
      for (let k = 0; k < p; k++) g[k] += gi * vi[k];
      g[p] += gi;
      for (let a = 0; a < n1; a++) {
        const va = a < p ? vi[a] : 1;
        if (va === 0) continue;
        for (let b = 0; b <= a; b++) h[a * n1 + b] += hi * va * (b < p ? vi[b] : 1);
      }
    }
    for (let a = 0; a < n1; a++) for (let b = a + 1; b < n1; b++) h[a * n1 + b] = h[b * n1 + a];
    const step = cholSolve(h, g, n1);
    let dec = 0;
    for (let k = 0; k < n1; k++) dec += step[k] * g[k];
    if (dec < 1e-12) break;
    // backtracking (Armijo) so that large C on separable data cannot overshoot
    const f0 = objective(theta);
    let t = 1;
    const trial = new Float64Array(n1);
    for (let ls = 0; ls < 30; ls++, t /= 2) {
      for (let k = 0; k < n1; k++) trial[k] = theta[k] - t * step[k];
      if (objective(trial) <= f0 - 0.25 * t * dec) break;
    }
    theta.set(trial);
  }
  return { w: theta.subarray(0, p), b: theta[p] };
}

export function predictLogistic(m: Logistic, v: readonly Float64Array[]): Int32Array {
  return Int32Array.from(v, (vi) => {
    let z = m.b;
    for (let k = 0; k < vi.length; k++) z += m.w[k] * vi[k];
    return z > 0 ? 1 : 0;
  });
}

export function accuracy(pred: Int32Array, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

/**
 * Infinite-width two-layer ReLU network f(x) = (1/√n) Σ_r a_r σ(w_rᵀx + β b_r), all parameters N(0,1) (NTK
 * parameterization, every layer trained), in closed form (arc-cosine kernels, Cho & Saul 2009; Jacot et al. 2018):
 *   Σ(x,y) = xᵀy + β²,  θ = arccos(Σ(x,y)/√(Σ(x,x)Σ(y,y))),
 *   K(x,y) = √(Σ(x,x)Σ(y,y))/(2π) · (sin θ + (π − θ) cos θ)           (NNGP at initialization)
 *   Θ(x,y) = K(x,y) + Σ(x,y) · (π − θ)/(2π)                              (NTK)
 * Trained to convergence by gradient flow on the squared loss over the training set X, each output coordinate is a
 * Gaussian process (Lee et al. 2019, eq. 16) with
 *   mean   μ(x) = Θ(x,X) Θ(X,X)⁻¹ Y
 *   cov    C(x,x') = K(x,x') − Θ(x,X)Θ⁻¹K(X,x') − K(x,X)Θ⁻¹Θ(X,x') + Θ(x,X)Θ⁻¹K(X,X)Θ⁻¹Θ(X,x'),
 * identical and independent across the k output coordinates. Giapitzakis et al. train on X = {e_1,…,e_k}.
 */
import { getLinalg, type Mat, mat } from "../../lib/math/linalg/mod.ts";

const la = getLinalg();

export function kernels(x: ArrayLike<number>, y: ArrayLike<number>, beta2: number): { K: number; T: number } {
  let sxy = beta2, sxx = beta2, syy = beta2;
  for (let i = 0; i < x.length; i++) {
    sxy += x[i] * y[i];
    sxx += x[i] * x[i];
    syy += y[i] * y[i];
  }
  const nrm = Math.sqrt(sxx * syy);
  const c = Math.min(1, Math.max(-1, sxy / nrm)), th = Math.acos(c);
  const K = nrm / (2 * Math.PI) * (Math.sin(th) + (Math.PI - th) * c);
  return { K, T: K + sxy * (Math.PI - th) / (2 * Math.PI) };
}

export interface Posterior {
  /** Coefficients A = Θ(x,X)Θ(X,X)⁻¹ per test input (N × k): μ(x) = A Y. */
  coef: Mat<Float64Array>;
  /** Per-input variance C(x,x) of each output coordinate. */
  variance: Float64Array;
}

/** Closed-form GP posterior of the trained infinite-width network at N test inputs (train set: basis vectors). */
export function ntkPosterior(k: number, tests: Float64Array, beta2: number): Posterior {
  const n = tests.length / k;
  const e = (i: number) => Float64Array.from({ length: k }, (_, j) => (j === i ? 1 : 0));
  const thXX = mat(k, k), kXX = mat(k, k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = kernels(e(i), e(j), beta2);
      thXX.data[i * k + j] = v.T;
      kXX.data[i * k + j] = v.K;
    }
  }
  const thxX = mat(n, k), kxX = mat(n, k), kxx = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const x = tests.subarray(p * k, (p + 1) * k);
    kxx[p] = kernels(x, x, beta2).K;
    for (let i = 0; i < k; i++) {
      const v = kernels(x, e(i), beta2);
      thxX.data[p * k + i] = v.T;
      kxX.data[p * k + i] = v.K;
    }
  }
  // A = Θ(x,X)Θ⁻¹ (Θ symmetric: solve Θ Aᵀ = Θ(X,x))
  const coef = transposeOf(la.solve(thXX, transposeOf(thxX)));
  const aK = la.matmul(coef, kXX);
  const variance = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    let cross = 0, quad = 0;
    for (let i = 0; i < k; i++) {
      cross += coef.data[p * k + i] * kxX.data[p * k + i];
      quad += aK.data[p * k + i] * coef.data[p * k + i];
    }
    variance[p] = Math.max(0, kxx[p] - 2 * cross + quad);
  }
  return { coef, variance };
}

function transposeOf(a: Mat): Mat<Float64Array> {
  const t = mat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

/** Full posterior covariance C over the N test inputs (N × N) — for joint sampling. */
export function ntkPosteriorCov(k: number, tests: Float64Array, beta2: number): Mat<Float64Array> {
  const n = tests.length / k;
  const { coef } = ntkPosterior(k, tests, beta2);
  const e = (i: number) => Float64Array.from({ length: k }, (_, j) => (j === i ? 1 : 0));
  const kxX = mat(n, k), kXX = mat(k, k), kxx = mat(n, n);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) kXX.data[i * k + j] = kernels(e(i), e(j), beta2).K;
  for (let p = 0; p < n; p++) {
    const x = tests.subarray(p * k, (p + 1) * k);
    for (let i = 0; i < k; i++) kxX.data[p * k + i] = kernels(x, e(i), beta2).K;
    for (let q = 0; q <= p; q++) {
      const v = kernels(x, tests.subarray(q * k, (q + 1) * k), beta2).K;
      kxx.data[p * n + q] = v;
      kxx.data[q * n + p] = v;
    }
  }
  const cross = la.matmul(coef, kxX, { transB: true }); // A K(X,x')
  const aKA = la.matmul(la.matmul(coef, kXX), coef, { transB: true });
  const c = mat(n, n);
  for (let i = 0; i < n * n; i++) {
    const p = Math.floor(i / n), q = i % n;
    c.data[i] = kxx.data[i] - cross.data[i] - cross.data[q * n + p] + aKA.data[i];
  }
  return c;
}

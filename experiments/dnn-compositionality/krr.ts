/**
 * Kernel ridge regression with the Laplace kernel k(x, x') = exp(−‖x − x'‖/σ): α = (K + nλI)⁻¹y, f̂(x) = k(x, X)α
 * (e.g. Schölkopf & Smola 2002, §4). The baseline the paper sets against DNNs: a kernel method is a linear model in a
 * fixed feature space, so it cannot learn g and pays the ambient dimension d.
 */
import type { Linalg } from "../../lib/math/linalg/types.ts";
import { median } from "../../lib/math/stats.ts";

/** Pairwise Euclidean distances between the rows of a (na × d) and b (nb × d), row-major na × nb. */
export function distances(a: Float64Array, na: number, b: Float64Array, nb: number, d: number): Float64Array {
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = a[i * d + c] - b[j * d + c];
        s += t * t;
      }
      out[i * nb + j] = Math.sqrt(s);
    }
  }
  return out;
}

/** The median of the off-diagonal entries of a symmetric n × n distance matrix (the bandwidth unit). */
export function medianDistance(dist: Float64Array, n: number): number {
  const v = new Float64Array((n * (n - 1)) / 2);
  for (let i = 0, t = 0; i < n; i++) for (let j = i + 1; j < n; j++) v[t++] = dist[i * n + j];
  return median(v);
}

/** Fit on a precomputed train distance matrix: α = (K + nλI)⁻¹y with K = exp(−D/σ). */
export function krrFit(
  la: Linalg,
  dTrain: Float64Array,
  y: Float64Array,
  n: number,
  sigma: number,
  lambda: number,
): Float64Array {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) k[i] = Math.exp(-dTrain[i] / sigma);
  for (let i = 0; i < n; i++) k[i * n + i] += n * lambda;
  const l = la.cholesky({ rows: n, cols: n, data: k });
  return la.choSolve(l, { rows: n, cols: 1, data: y.slice() }).data as Float64Array;
}

/** Predictions k(x, X)α from the m × n distances between new points and the training points. */
export function krrPredict(
  dCross: Float64Array,
  m: number,
  n: number,
  alpha: Float64Array,
  sigma: number,
): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(-dCross[i * n + j] / sigma) * alpha[j];
    out[i] = s;
  }
  return out;
}

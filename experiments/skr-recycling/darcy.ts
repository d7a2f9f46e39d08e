/**
 * A family of 2D Darcy systems −∇·(a_θ ∇u) = 1 on the unit square, u = 0 on the boundary, discretized with the
 * 5-point finite-volume stencil on an m×m interior grid (h = 1/(m+1)); the matrix is multiplied by h², so
 * b = h²·1. The coefficient is a_θ(x, y) = exp(Σ_k θ_k cos(π p_k x) cos(π q_k y)) with eight low modes (p, q);
 * θ ~ amp·U[−1, 1]⁸ per system. The forcing f = 1 follows the FNO Darcy benchmark the SKR paper generates data for;
 * a smooth log-coefficient with a few parameters (instead of a thresholded Gaussian field) is our choice, so
 * that "parameter similarity" is a plain distance between θ's.
 *
 * Every matrix is symmetric positive definite: (Au)_k = Σ_faces a_face (u_k − u_nb), boundary neighbours zero.
 */
import type { MatVec } from "../../lib/math/solvers/mod.ts";

/** The eight (p, q) cosine modes of log a. */
export const MODES: readonly [number, number][] = [[1, 0], [0, 1], [1, 1], [2, 0], [0, 2], [2, 1], [1, 2], [2, 2]];

export interface DarcyMatrix {
  m: number;
  n: number;
  /** diag(A), also the Jacobi preconditioner. */
  diag: Float64Array;
  /** out = A x. */
  apply: MatVec;
}

/** log a_θ at (x, y). */
export function logCoef(theta: ArrayLike<number>, x: number, y: number): number {
  let s = 0;
  for (let k = 0; k < MODES.length; k++) {
    s += theta[k] * Math.cos(Math.PI * MODES[k][0] * x) * Math.cos(Math.PI * MODES[k][1] * y);
  }
  return s;
}

/** The h²-scaled finite-volume matrix of −∇·(a_θ∇·) with a evaluated at face midpoints. */
export function darcyMatrix(m: number, theta: ArrayLike<number>): DarcyMatrix {
  const h = 1 / (m + 1), n = m * m, m1 = m + 1;
  // fx[i·(m+1) + jf]: vertical face between columns jf−1 and jf of row i, at ((jf + ½)h, (i + 1)h)
  const fx = new Float64Array(m * m1), fy = new Float64Array(m1 * m);
  for (let i = 0; i < m; i++) {
    for (let jf = 0; jf <= m; jf++) fx[i * m1 + jf] = Math.exp(logCoef(theta, (jf + 0.5) * h, (i + 1) * h));
  }
  // fy[if·m + j]: horizontal face between rows if−1 and if of column j, at ((j + 1)h, (if + ½)h)
  for (let f = 0; f <= m; f++) {
    for (let j = 0; j < m; j++) fy[f * m + j] = Math.exp(logCoef(theta, (j + 1) * h, (f + 0.5) * h));
  }
  const diag = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      diag[i * m + j] = fx[i * m1 + j] + fx[i * m1 + j + 1] + fy[i * m + j] + fy[(i + 1) * m + j];
    }
  }
  return {
    m,
    n,
    diag,
    apply(x, out) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          const k = i * m + j;
          let s = diag[k] * x[k];
          if (j > 0) s -= fx[i * m1 + j] * x[k - 1];
          if (j < m - 1) s -= fx[i * m1 + j + 1] * x[k + 1];
          if (i > 0) s -= fy[i * m + j] * x[k - m];
          if (i < m - 1) s -= fy[(i + 1) * m + j] * x[k + m];
          out[k] = s;
        }
      }
    },
  };
}

/** Right-hand side b = h²·f with f ≡ 1. */
export function darcyRhs(m: number): Float64Array {
  const h = 1 / (m + 1);
  return new Float64Array(m * m).fill(h * h);
}

/**
 * SKR's sorting step (paper Sec. 4, "sorting algorithm"): a greedy nearest-neighbour tour through the parameter
 * vectors, starting from system 0, each step moving to the closest not-yet-visited θ (Euclidean distance).
 * O(N²·K), negligible beside the solves.
 */
export function greedySort(thetas: Float64Array[]): number[] {
  const N = thetas.length, used = new Uint8Array(N), order = [0];
  used[0] = 1;
  for (let t = 1; t < N; t++) {
    const a = thetas[order[t - 1]];
    let best = -1, bestD = Infinity;
    for (let j = 0; j < N; j++) {
      if (used[j]) continue;
      let d = 0;
      for (let k = 0; k < a.length; k++) d += (a[k] - thetas[j][k]) ** 2;
      if (d < bestD) bestD = d, best = j;
    }
    used[best] = 1;
    order.push(best);
  }
  return order;
}

/** Length of the tour Σ ‖θ_(t) − θ_(t−1)‖ along an order (how "related" consecutive systems are). */
export function tourLength(thetas: Float64Array[], order: number[]): number {
  let s = 0;
  for (let t = 1; t < order.length; t++) {
    let d = 0;
    const a = thetas[order[t - 1]], b = thetas[order[t]];
    for (let k = 0; k < a.length; k++) d += (a[k] - b[k]) ** 2;
    s += Math.sqrt(d);
  }
  return s;
}

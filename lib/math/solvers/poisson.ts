/**
 * The shifted 2D Dirichlet Poisson matrix A = delsq(m) + c·I as plain Float64Array loops.
 *
 * Unknowns are the m×m interior points of a square grid, numbered row by row (index i·m + j). The 5-point
 * stencil gives (Ax)_ij = (4 + c)·x_ij − x_(i±1)j − x_i(j±1), neighbours outside the grid being zero: MATLAB's
 * `delsq(numgrid('S', m + 2)) + c·speye(m²)` up to the numbering (row- instead of column-wise, a symmetric
 * permutation that changes no iteration count for random right-hand sides).
 *
 * @example
 * ```ts
 * const A = poisson2d(10, 0.1);
 * const y = new Float64Array(A.n);
 * A.apply(x, y); // y = A x
 * ```
 */

/** A shifted 5-point Laplacian on an m × m grid, applied matrix-free, so large test systems need no stored matrix. */
export interface StencilMatrix {
  /** Grid side: the matrix is n×n with n = m². */
  m: number;
  n: number;
  /** Diagonal shift c (A = delsq + c·I). */
  shift: number;
  /** out = A x. */
  apply(x: Float64Array, out: Float64Array): void;
}

/** A = delsq on an m×m interior grid plus shift·I. */
export function poisson2d(m: number, shift = 0): StencilMatrix {
  const d = 4 + shift;
  return {
    m,
    n: m * m,
    shift,
    apply(x, out) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          const k = i * m + j;
          let s = d * x[k];
          if (i > 0) s -= x[k - m];
          if (i < m - 1) s -= x[k + m];
          if (j > 0) s -= x[k - 1];
          if (j < m - 1) s -= x[k + 1];
          out[k] = s;
        }
      }
    },
  };
}

/** The eigenvalues of A in closed form: 4 + c − 2cos(pπ/(m+1)) − 2cos(qπ/(m+1)), p, q = 1..m (ascending). */
export function poissonEigenvalues(m: number, shift = 0): Float64Array {
  const h = Math.PI / (m + 1), out = new Float64Array(m * m);
  for (let p = 1; p <= m; p++) {
    for (let q = 1; q <= m; q++) out[(p - 1) * m + q - 1] = 4 + shift - 2 * Math.cos(p * h) - 2 * Math.cos(q * h);
  }
  return out.sort();
}

/** Dense copy of A (row-major n×n), for tests and small reference computations. */
export function toDense(A: StencilMatrix): Float64Array {
  const n = A.n, out = new Float64Array(n * n), e = new Float64Array(n), col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    A.apply(e, col);
    for (let i = 0; i < n; i++) out[i * n + j] = col[i];
  }
  return out;
}

/** The inner product of two vectors, for the matrix-free solvers. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The Euclidean norm of a vector, for residuals in the matrix-free solvers. */
export function norm2(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/**
 * IC(0) preconditioner of a 5-point stencil matrix: A ≈ L Lᵀ with L on A's lower sparsity pattern
 * (Meijerink & van der Vorst 1977). For the stencil the factor's off-diagonals are −1/d of the neighbour's
 * pivot, so d_k² = (4 + c) − 1/d_(k−1)² − 1/d_(k−m)². Returns z = (L Lᵀ)⁻¹ r by two triangular solves.
 */
export function ic0(A: StencilMatrix): (r: Float64Array, z: Float64Array) => void {
  const { m, n } = A, a = 4 + A.shift, d = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = a;
    if (k % m > 0) s -= 1 / (d[k - 1] * d[k - 1]);
    if (k >= m) s -= 1 / (d[k - m] * d[k - m]);
    d[k] = Math.sqrt(s);
  }
  const y = new Float64Array(n);
  return (r, z) => {
    for (let k = 0; k < n; k++) { // L y = r, L_k,k−1 = −1/d_(k−1), L_k,k−m = −1/d_(k−m)
      let s = r[k];
      if (k % m > 0) s += y[k - 1] / d[k - 1];
      if (k >= m) s += y[k - m] / d[k - m];
      y[k] = s / d[k];
    }
    for (let k = n - 1; k >= 0; k--) { // Lᵀ z = y
      let s = y[k];
      if (k % m < m - 1) s += z[k + 1] / d[k];
      if (k + m < n) s += z[k + m] / d[k];
      z[k] = s / d[k];
    }
  };
}

/**
 * The weighting vector of a finite metric space and its local (k-nearest-neighbour) approximation.
 *
 * For points x₁…xₙ and a scale t > 0 the similarity matrix is Z_ij = exp(−t·‖xᵢ − xⱼ‖) (Leinster's magnitude). A
 * weighting is a vector w with Z·w = 1; the magnitude of tX is Σᵢ wᵢ. The Laplacian kernel exp(−t‖·‖) is positive
 * definite on Euclidean space, so for distinct points Z is symmetric positive definite and w = Z⁻¹·1 comes from one
 * Cholesky factorisation. w also minimises ½wᵀZw − 1ᵀw, the unconstrained dual of a kernel machine with kernel Z
 * (Bunch et al. §"weighting vector as a kernelized SVM"): interior points get weights near 0, boundary points, which
 * see fewer near neighbours, large ones — the outlier score is |wᵢ| (the official code's `WeightClassifierABS`
 * scores a point by |w| at t = 1 on standardised features).
 *
 * Exact duplicate points make Z singular; the official code then adds 0.01·I to Z before inverting, and so do we
 * (reported as `jitter`).
 *
 * The local approximation (our construction; the paper's linear-time argument could not be read here): point i's
 * weight is taken from the weighting of its own neighbourhood N(i) = {i} ∪ its k nearest neighbours,
 * w̃ᵢ = (Z_N(i)⁻¹·1)ᵢ. Since Z decays exponentially with distance, far points contribute little to wᵢ when t is
 * large; the cost is n small (k+1)² solves, O(n·k³), plus the neighbour search (a kd-tree: O(n log n) in low
 * dimension), i.e. linear in n at fixed k.
 */
import { cholSmall, cholSolveSmall } from "../../lib/math/linalg/chol_small.ts";
import { type Linalg, LinalgError, mat } from "../../lib/math/linalg/mod.ts";
import { kNearest, type Neighbours, sqDist } from "../../lib/math/knn.ts";

/** Diagonal shift the official code adds to Z when it cannot be inverted (duplicates). */
export const JITTER = 0.01;

/** Z_ij = exp(−t·‖xᵢ − xⱼ‖) for the rows of x (n × d), row-major. */
export function similarityMatrix(x: Float64Array, n: number, d: number, t: number): Float64Array {
  const Z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    Z[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) Z[i * n + j] = Z[j * n + i] = Math.exp(-t * Math.sqrt(sqDist(x, d, i, j)));
  }
  return Z;
}

/** The exact weighting vector and what its solve needed. */
export interface Weighting {
  w: Float64Array;
  /** Σ w: the magnitude of tX. */
  magnitude: number;
  /** 0, or the diagonal shift that made Z factorable. */
  jitter: number;
  /** ‖Z·w − 1‖∞ with the Z actually solved (jitter included). */
  residual: number;
}

/** w = Z⁻¹·1 by Cholesky on the run's linear algebra (dense, O(n³)). */
export function weightingVector(la: Linalg, x: Float64Array, n: number, d: number, t: number): Weighting {
  const Z = similarityMatrix(x, n, d, t);
  let jitter = 0, L;
  try {
    L = la.cholesky(mat(n, n, Z));
  } catch (e) {
    if (!(e instanceof LinalgError)) throw e;
    jitter = JITTER;
    for (let i = 0; i < n; i++) Z[i * n + i] += jitter;
    L = la.cholesky(mat(n, n, Z));
  }
  const w = la.choSolve(L, mat(n, 1, new Float64Array(n).fill(1))).data as Float64Array;
  let residual = 0, magnitude = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Z[i * n + j] * w[j];
    residual = Math.max(residual, Math.abs(s - 1));
    magnitude += w[i];
  }
  return { w, magnitude, jitter, residual };
}

/** The local weights w̃ᵢ = (Z_N(i)⁻¹·1)ᵢ over each point's k nearest neighbours and itself; also how many needed jitter. */
export function localWeights(
  x: Float64Array,
  n: number,
  d: number,
  t: number,
  k: number,
  nbrs?: Neighbours,
): { w: Float64Array; jittered: number } {
  const nb = nbrs && nbrs.k === k ? nbrs : kNearest(x, n, d, k);
  const m = k + 1, A = new Float64Array(m * m), b = new Float64Array(m), ids = new Int32Array(m);
  const w = new Float64Array(n);
  let jittered = 0;
  for (let i = 0; i < n; i++) {
    ids[0] = i;
    for (let r = 0; r < k; r++) ids[r + 1] = nb.idx[i * k + r];
    const fill = (shift: number) => {
      for (let a = 0; a < m; a++) {
        A[a * m + a] = 1 + shift;
        for (let c = 0; c < a; c++) A[a * m + c] = Math.exp(-t * Math.sqrt(sqDist(x, d, ids[a], ids[c])));
      }
    };
    fill(0);
    if (!cholSmall(A, m)) {
      jittered++;
      fill(JITTER);
      if (!cholSmall(A, m)) throw new LinalgError(`localWeights: neighbourhood of point ${i} is not positive definite`);
    }
    b.fill(1);
    cholSolveSmall(A, m, b);
    w[i] = b[0];
  }
  return { w, jittered };
}

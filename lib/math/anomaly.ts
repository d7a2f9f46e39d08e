/**
 * Unsupervised outlier detectors and their score, for papers that compare a new detector with the classic ones.
 * Every detector scores the points it is fitted on (transductive, as the ODDS benchmarks are run); a higher score
 * means more outlying. Defaults are scikit-learn's (1.2) where it has the detector, PyOD's otherwise:
 *
 * - {@link lof}: Local Outlier Factor (Breunig, Kriegel, Ng & Sander 2000), k = 20 neighbours; like sklearn, the
 *   k-neighbourhood holds exactly k points (ties broken by index) and lrd = 1 / (mean reach-dist + 1e-10).
 * - {@link knnDistance}: distance to the k-th nearest neighbour (Ramaswamy, Rastogi & Shim 2000), k = 5 (PyOD KNN).
 * - {@link isolationForest}: Liu, Ting & Zhou 2008: 100 trees on subsamples of 256 drawn without replacement,
 *   height limit ⌈log₂ 256⌉, score 2^(−E[h(x)]/c(256)); a node splits on a coordinate drawn among those not constant
 *   in it (sklearn's extra-tree splitter also skips constant ones), uniformly between their min and max.
 * - {@link oneClassSvm}: Schölkopf et al. 2001, ν = 0.5, RBF kernel exp(−γ‖x − y‖²) with γ = 1/(d·Var(X)) (sklearn's
 *   gamma="scale"), solved by SMO with libsvm's maximal-violating-pair selection and stopping gap 1e-3 (libsvm's
 *   scaling: 0 ≤ αᵢ ≤ 1, Σα = νn, libsvm's initial point). Score: −Σⱼ αⱼ K(xⱼ, x), the decision function without
 *   its offset ρ (a constant, irrelevant to a ranking).
 *
 * Score them with `rocAuc` (lib/math/stats.ts: the Mann–Whitney statistic with ties counted one half).
 *
 * @example
 * ```ts
 * const auc = rocAuc(lof(x, n, d), isOutlier); // isOutlier: 1 = outlier, 0 = inlier; rocAuc from ./stats.ts
 * ```
 */
import type { Rng } from "./rng.ts";
import { kNearest, type Neighbours, sqDist } from "./knn.ts";

/** Z-scores each column (population std, as sklearn's StandardScaler); a constant column is only centred. */
export function standardize(x: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * d + c];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[i * d + c] - m) ** 2;
    const s = Math.sqrt(v / n) || 1;
    for (let i = 0; i < n; i++) out[i * d + c] = (x[i * d + c] - m) / s;
  }
  return out;
}

/** Local Outlier Factor of every point with k neighbours (default 20); pass `nbrs` to reuse a neighbour table. */
export function lof(x: Float64Array, n: number, d: number, k = 20, nbrs?: Neighbours): Float64Array {
  const nb = nbrs && nbrs.k === k ? nbrs : kNearest(x, n, d, k);
  const kdist = new Float64Array(n);
  for (let i = 0; i < n; i++) kdist[i] = nb.dist[i * k + k - 1];
  const lrd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let r = 0; r < k; r++) s += Math.max(kdist[nb.idx[i * k + r]], nb.dist[i * k + r]);
    lrd[i] = 1 / (s / k + 1e-10);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let r = 0; r < k; r++) s += lrd[nb.idx[i * k + r]];
    out[i] = s / k / lrd[i];
  }
  return out;
}

/** Distance to the k-th nearest neighbour (default 5); pass `nbrs` (with at least k neighbours) to reuse a table. */
export function knnDistance(x: Float64Array, n: number, d: number, k = 5, nbrs?: Neighbours): Float64Array {
  const nb = nbrs && nbrs.k >= k ? nbrs : kNearest(x, n, d, k);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = nb.dist[i * nb.k + k - 1];
  return out;
}

/** c(m): the average path length of an unsuccessful search in a binary search tree of m points. */
export function avgPathLength(m: number): number {
  if (m <= 1) return 0;
  if (m === 2) return 1;
  return 2 * (Math.log(m - 1) + 0.5772156649015329) - 2 * (m - 1) / m;
}

/** Isolation-forest anomaly scores 2^(−E[h]/c(ψ)) of every point (Liu et al. 2008). */
export function isolationForest(
  x: Float64Array,
  n: number,
  d: number,
  rng: Rng,
  opts: { trees?: number; sample?: number } = {},
): Float64Array {
  const trees = opts.trees ?? 100, psi = Math.min(opts.sample ?? 256, n);
  const limit = Math.ceil(Math.log2(Math.max(psi, 2)));
  const depth = new Float64Array(n);
  const path = (node: Node, i: number): number => {
    let h = 0;
    while (node.dim >= 0) {
      node = x[i * d + node.dim] < node.split ? node.left! : node.right!;
      h++;
    }
    return h + avgPathLength(node.size);
  };
  for (let t = 0; t < trees; t++) {
    const perm = rng.permutation(n).subarray(0, psi);
    const root = growITree(x, d, Array.from(perm), 0, limit, rng);
    for (let i = 0; i < n; i++) depth[i] += path(root, i);
  }
  const c = avgPathLength(psi), out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 ** (-(depth[i] / trees) / c);
  return out;
}

interface Node {
  dim: number;
  split: number;
  size: number;
  left?: Node;
  right?: Node;
}

function growITree(x: Float64Array, d: number, pts: number[], h: number, limit: number, rng: Rng): Node {
  const leaf = { dim: -1, split: 0, size: pts.length };
  if (h >= limit || pts.length <= 1) return leaf;
  const mins: number[] = [], maxs: number[] = [], dims: number[] = [];
  for (let c = 0; c < d; c++) {
    let mn = Infinity, mx = -Infinity;
    for (const i of pts) {
      const v = x[i * d + c];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    if (mx > mn) dims.push(c), mins.push(mn), maxs.push(mx);
  }
  if (!dims.length) return leaf;
  const q = rng.int(dims.length), dim = dims[q];
  const split = mins[q] + rng.uniform() * (maxs[q] - mins[q]);
  const l: number[] = [], r: number[] = [];
  for (const i of pts) (x[i * d + dim] < split ? l : r).push(i);
  return {
    dim,
    split,
    size: pts.length,
    left: growITree(x, d, l, h + 1, limit, rng),
    right: growITree(x, d, r, h + 1, limit, rng),
  };
}

/** A fitted one-class SVM: dual coefficients (libsvm scaling), iterations, final gap and its outlier scores. */
export interface OneClassSvm {
  alpha: Float64Array;
  gamma: number;
  iters: number;
  gap: number;
  /** −Σⱼ αⱼ K(xⱼ, xᵢ) for every fitted point: higher = more outlying. */
  scores: Float64Array;
}

/** γ = 1/(d·Var(X)) over all entries of x: sklearn's gamma = "scale". */
export function gammaScale(x: Float64Array, d: number): number {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  const v = s / x.length;
  return v > 0 ? 1 / (d * v) : 1;
}

/** One-class SVM with an RBF kernel by SMO (see the module doc for the defaults). */
export function oneClassSvm(
  x: Float64Array,
  n: number,
  d: number,
  opts: { nu?: number; gamma?: number; tol?: number; maxIter?: number } = {},
): OneClassSvm {
  const nu = opts.nu ?? 0.5, gamma = opts.gamma ?? gammaScale(x, d), tol = opts.tol ?? 1e-3;
  const maxIter = opts.maxIter ?? 10_000_000;
  if (!(nu > 0 && nu <= 1)) throw new RangeError(`oneClassSvm: nu must be in (0, 1], got ${nu}`);
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    K[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) K[i * n + j] = K[j * n + i] = Math.exp(-gamma * sqDist(x, d, i, j));
  }
  // libsvm's start: the first ⌊νn⌋ coefficients at the bound 1, the next one carries the remainder.
  const alpha = new Float64Array(n), total = nu * n, full = Math.floor(total);
  for (let i = 0; i < Math.min(full, n); i++) alpha[i] = 1;
  if (full < n) alpha[full] = total - full;
  const G = new Float64Array(n); // gradient K·α of ½αᵀKα
  for (let j = 0; j < n; j++) {
    if (alpha[j] === 0) continue;
    for (let i = 0; i < n; i++) G[i] += alpha[j] * K[j * n + i];
  }
  let iters = 0, gap = Infinity;
  for (; iters < maxIter; iters++) {
    // Maximal violating pair: i may grow (α < 1) with the smallest gradient, j may shrink (α > 0) with the largest.
    let i = -1, j = -1, gi = Infinity, gj = -Infinity;
    for (let p = 0; p < n; p++) {
      if (alpha[p] < 1 && G[p] < gi) gi = G[p], i = p;
      if (alpha[p] > 0 && G[p] > gj) gj = G[p], j = p;
    }
    gap = gj - gi;
    if (i < 0 || j < 0 || gap < tol) break;
    const curv = Math.max(K[i * n + i] + K[j * n + j] - 2 * K[i * n + j], 1e-12);
    const delta = Math.min(gap / curv, 1 - alpha[i], alpha[j]);
    alpha[i] += delta;
    alpha[j] -= delta;
    for (let p = 0; p < n; p++) G[p] += delta * (K[i * n + p] - K[j * n + p]);
  }
  const scores = new Float64Array(n);
  for (let p = 0; p < n; p++) scores[p] = -G[p];
  return { alpha, gamma, iters, gap, scores };
}

/**
 * Exact k-nearest neighbours of every point of a set, by a kd-tree (Bentley 1975; Friedman, Bentley & Finkel 1977),
 * and the dense Euclidean distance matrix, for outlier scores (LOF, kNN distance) and local approximations.
 *
 * Points are row-major n × d float64. Neighbours exclude the point itself and come sorted by (distance, index), so
 * ties resolve the same way whatever the traversal order: the tree's answer equals the brute-force one bit for bit
 * (both sum (x_i − x_j)² over coordinates in the same order). In low dimension a query visits O(log n) leaves; in
 * high dimension pruning fails and it degrades to the brute-force O(n·d) per query, still exact.
 *
 * @example
 * ```ts
 * const { idx, dist } = kNearest(x, n, d, 5); // idx[i*5 + r]: the (r+1)-th nearest neighbour of point i
 * ```
 */

/** The k nearest neighbours of each point: indices and Euclidean distances, row i at [i·k, (i+1)·k), ascending. */
export interface Neighbours {
  k: number;
  idx: Int32Array;
  dist: Float64Array;
}

/** Squared Euclidean distance between rows i and j of x (d columns). */
export function sqDist(x: Float64Array, d: number, i: number, j: number): number {
  let s = 0;
  const a = i * d, b = j * d;
  for (let c = 0; c < d; c++) {
    const t = x[a + c] - x[b + c];
    s += t * t;
  }
  return s;
}

/** The n × n matrix of Euclidean distances between the rows of x, row-major. */
export function distanceMatrix(x: Float64Array, n: number, d: number): Float64Array {
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.sqrt(sqDist(x, d, i, j));
      D[i * n + j] = v;
      D[j * n + i] = v;
    }
  }
  return D;
}

/** A bounded candidate list kept sorted by (squared distance, index). */
class Best {
  readonly d2: Float64Array;
  readonly id: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.d2 = new Float64Array(k);
    this.id = new Int32Array(k);
  }
  reset(): void {
    this.size = 0;
  }
  /** The current k-th squared distance (Infinity while fewer than k are held). */
  bound(): number {
    return this.size < this.k ? Infinity : this.d2[this.k - 1];
  }
  push(d2: number, j: number): void {
    const k = this.k;
    if (this.size === k && (d2 > this.d2[k - 1] || (d2 === this.d2[k - 1] && j > this.id[k - 1]))) return;
    let p = this.size < k ? this.size++ : k - 1;
    while (p > 0 && (this.d2[p - 1] > d2 || (this.d2[p - 1] === d2 && this.id[p - 1] > j))) {
      this.d2[p] = this.d2[p - 1];
      this.id[p] = this.id[p - 1];
      p--;
    }
    this.d2[p] = d2;
    this.id[p] = j;
  }
}

/** The k nearest neighbours of every row by brute force (the reference the tree is tested against). */
export function kNearestBrute(x: Float64Array, n: number, d: number, k: number): Neighbours {
  checkK(n, k);
  const best = new Best(k), idx = new Int32Array(n * k), dist = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    best.reset();
    for (let j = 0; j < n; j++) if (j !== i) best.push(sqDist(x, d, i, j), j);
    for (let r = 0; r < k; r++) {
      idx[i * k + r] = best.id[r];
      dist[i * k + r] = Math.sqrt(best.d2[r]);
    }
  }
  return { k, idx, dist };
}

const LEAF = 16;

/** The k nearest neighbours of every row, by a kd-tree (split on the widest coordinate at the median). */
export function kNearest(x: Float64Array, n: number, d: number, k: number): Neighbours {
  checkK(n, k);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  // Nodes: [lo, hi) ranges of `order`; internal nodes carry a split dimension and value and two children.
  const lo: number[] = [],
    hi: number[] = [],
    dim: number[] = [],
    val: number[] = [],
    left: number[] = [],
    right: number[] = [];
  const build = (a: number, b: number): number => {
    const node = lo.length;
    lo.push(a), hi.push(b), dim.push(-1), val.push(0), left.push(-1), right.push(-1);
    if (b - a <= LEAF) return node;
    let best = -1, spread = 0;
    for (let c = 0; c < d; c++) {
      let mn = Infinity, mx = -Infinity;
      for (let p = a; p < b; p++) {
        const v = x[order[p] * d + c];
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      if (mx - mn > spread) spread = mx - mn, best = c;
    }
    if (best < 0) return node; // all points equal: a leaf
    const slice = Array.from(order.subarray(a, b)).sort((i, j) => x[i * d + best] - x[j * d + best] || i - j);
    order.set(slice, a);
    const m = a + ((b - a) >> 1);
    dim[node] = best;
    val[node] = x[order[m] * d + best];
    const l = build(a, m), r = build(m, b);
    left[node] = l, right[node] = r;
    return node;
  };
  build(0, n);
  const out = new Best(k), idx = new Int32Array(n * k), dist = new Float64Array(n * k);
  const search = (node: number, i: number): void => {
    if (dim[node] < 0) {
      for (let p = lo[node]; p < hi[node]; p++) {
        const j = order[p];
        if (j !== i) out.push(sqDist(x, d, i, j), j);
      }
      return;
    }
    const diff = x[i * d + dim[node]] - val[node];
    const [near, far] = diff < 0 ? [left[node], right[node]] : [right[node], left[node]];
    search(near, i);
    // Points in `far` lie at least |diff| away along dim; ties at equal distance may still enter (index order).
    if (diff * diff <= out.bound()) search(far, i);
  };
  for (let i = 0; i < n; i++) {
    out.reset();
    search(0, i);
    for (let r = 0; r < k; r++) {
      idx[i * k + r] = out.id[r];
      dist[i * k + r] = Math.sqrt(out.d2[r]);
    }
  }
  return { k, idx, dist };
}

function checkK(n: number, k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw new RangeError(`kNearest: k must be in 1..${n - 1}, got ${k}`);
}

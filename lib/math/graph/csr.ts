/**
 * Simple undirected graphs in compressed sparse row (CSR) form.
 *
 * A {@link Graph} on nodes 0..n−1 stores each undirected edge {u, v} twice (v in u's row and u in v's row),
 * rows sorted, without self-loops or duplicates. Build one from any list of pairs with {@link fromEdges}.
 *
 * @example
 * ```ts
 * const g = fromEdges(3, [[0, 1], [1, 2], [2, 1]]); // the path 0–1–2 (the repeated edge is dropped)
 * g.m;            // 2
 * neighbors(g, 1); // Int32Array [0, 2]
 * ```
 */

/** An undirected graph in compressed sparse row form (each edge stored in both endpoints' rows). */
export interface Graph {
  /** Number of nodes. */
  n: number;
  /** Number of undirected edges (each stored twice in `indices`). */
  m: number;
  /** Row pointers, length n + 1. */
  indptr: Int32Array;
  /** Column indices, length 2m; each row sorted ascending. */
  indices: Int32Array;
}

/**
 * Build a simple undirected graph from pairs: self-loops and repeated pairs (in either order) are dropped.
 * `edges` is an array of pairs or a flat Int32Array [u0, v0, u1, v1, …].
 */
export function fromEdges(n: number, edges: ArrayLike<number> | readonly (readonly [number, number])[]): Graph {
  const flat = toFlat(edges);
  const deg = new Int32Array(n + 1);
  for (let i = 0; i < flat.length; i += 2) {
    const u = flat[i], v = flat[i + 1];
    if (!(u >= 0 && u < n && v >= 0 && v < n) || !Number.isInteger(u) || !Number.isInteger(v)) {
      throw new Error(`fromEdges: pair (${u}, ${v}) is not in 0..${n - 1}`);
    }
    if (u === v) continue;
    deg[u + 1]++;
    deg[v + 1]++;
  }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const raw = new Int32Array(deg[n]);
  const fill = deg.slice(0, n);
  for (let i = 0; i < flat.length; i += 2) {
    const u = flat[i], v = flat[i + 1];
    if (u === v) continue;
    raw[fill[u]++] = v;
    raw[fill[v]++] = u;
  }
  // sort each row and drop duplicates
  const indptr = new Int32Array(n + 1);
  let w = 0;
  for (let u = 0; u < n; u++) {
    const row = raw.subarray(deg[u], deg[u + 1]).sort();
    for (let j = 0; j < row.length; j++) if (j === 0 || row[j] !== row[j - 1]) raw[w++] = row[j];
    indptr[u + 1] = w;
  }
  const indices = raw.slice(0, w);
  return { n, m: w / 2, indptr, indices };
}

function toFlat(edges: ArrayLike<number> | readonly (readonly [number, number])[]): ArrayLike<number> {
  if (edges.length === 0 || typeof edges[0] === "number") return edges as ArrayLike<number>;
  const pairs = edges as readonly (readonly [number, number])[];
  const flat = new Int32Array(2 * pairs.length);
  pairs.forEach(([u, v], i) => {
    flat[2 * i] = u;
    flat[2 * i + 1] = v;
  });
  return flat;
}

/** The neighbours of u (a sorted view, not a copy). */
export function neighbors(g: Graph, u: number): Int32Array {
  return g.indices.subarray(g.indptr[u], g.indptr[u + 1]);
}

/** Degree of every node. */
export function degrees(g: Graph): Int32Array {
  const d = new Int32Array(g.n);
  for (let u = 0; u < g.n; u++) d[u] = g.indptr[u + 1] - g.indptr[u];
  return d;
}

/** Whether {u, v} is an edge (binary search in u's row). */
export function hasEdge(g: Graph, u: number, v: number): boolean {
  let lo = g.indptr[u], hi = g.indptr[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, x = g.indices[mid];
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Each undirected edge once, as a flat [u0, v0, u1, v1, …] with u < v, in row order. */
export function edgeList(g: Graph): Int32Array {
  const out = new Int32Array(2 * g.m);
  let k = 0;
  for (let u = 0; u < g.n; u++) {
    for (let j = g.indptr[u]; j < g.indptr[u + 1]; j++) {
      const v = g.indices[j];
      if (u < v) {
        out[k++] = u;
        out[k++] = v;
      }
    }
  }
  return out;
}

/** y = A·x for the adjacency matrix A and a row-major n×d block x (d columns). */
export function spmm(g: Graph, x: Float64Array, d: number, out = new Float64Array(g.n * d)): Float64Array {
  out.fill(0);
  for (let u = 0; u < g.n; u++) {
    const o = u * d;
    for (let j = g.indptr[u]; j < g.indptr[u + 1]; j++) {
      const v = g.indices[j] * d;
      for (let c = 0; c < d; c++) out[o + c] += x[v + c];
    }
  }
  return out;
}

/**
 * Parse a whitespace-separated edge list ("u v [weight …]" per line; '#' and '%' start comments). Node labels
 * are any tokens, numbered 0..n−1 in order of first appearance; self-loops and repeats are dropped.
 */
export function parseEdgeList(text: string): { graph: Graph; labels: string[] } {
  const ids = new Map<string, number>();
  const labels: string[] = [];
  const flat: number[] = [];
  const id = (s: string) => {
    let i = ids.get(s);
    if (i === undefined) {
      i = labels.length;
      ids.set(s, i);
      labels.push(s);
    }
    return i;
  };
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t === "" || t[0] === "#" || t[0] === "%") continue;
    const parts = t.split(/\s+/);
    if (parts.length < 2) continue;
    flat.push(id(parts[0]), id(parts[1]));
  }
  return { graph: fromEdges(labels.length, Int32Array.from(flat)), labels };
}

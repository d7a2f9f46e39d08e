/**
 * Sparse patterns, SMaT's row/column reordering, two baselines, and the block count that a tensor-core block-sparse
 * SpMM pays for.
 *
 * A pattern is CSR without values in the rows we need: `rows[i]` = sorted column indices of row i. A reordering is a
 * pair of permutations (`rowPerm[new] = old`, `colPerm[new] = old`); the reordered matrix is A[rowPerm, colPerm].
 *
 * SMaT's reordering, as the official code runs it (spcl/smat `src/reorder.py` calls
 * `preprocess/.../Matrix_Blocking -a 5 -b 16 -B 16 -F 1 -t 0.5`, Jaccard similarity `-m 1` and `-p 1` by default;
 * `preprocess/src/general/blocking.cpp` `IterativeBlockingKeeper`, `JaccardDistanceGroup`;
 * `preprocess/src/general/utilities.cpp` `get_permutation`, `get_fixed_size_grouping`):
 * 1. Rows are seen at the granularity of column blocks of width b = 16 (block index = col / b).
 * 2. Each row i not yet grouped seeds a group; its pattern P is the set of its column blocks. Every later ungrouped
 *    row j is compared with the group: Jaccard distance d = 2c / (|P|·g + |R_j| + c), where g = rows in the group, R_j
 *    = row j's blocks, c = g·|R_j \ P| + |P \ R_j| (blocks of one side missing on the other, each weighted by the
 *    other side's row count). If d ≤ τ (τ = 0.5), j joins and P ← P ∪ R_j; scanning stops when the group has B = 16
 *    rows. Rows that failed the test are kept in a list ordered by distance; if the scan ends with fewer than B rows,
 *    the group is topped up with the closest of them.
 * 3. Groups that reached B rows come first (in seed order), then the incomplete ones; the rows, in that order, are cut
 *    into fixed row blocks of B (`-F 1`).
 * 4. Columns: the row-reordered matrix is transposed and step 1–3 run again on it (`reorder_cols_using_paolo`).
 *
 * Baselines: the identity; rows sorted by their first nonzero column (then by length); reverse Cuthill–McKee on the
 * bipartite row–column graph (George & Liu 1981), which orders rows and columns together.
 */

export interface Pattern {
  nRows: number;
  nCols: number;
  /** rows[i]: sorted, distinct column indices of row i's nonzeros. */
  rows: Int32Array[];
}

export interface Reordering {
  rowPerm: Int32Array;
  colPerm: Int32Array;
}

export function nnz(p: Pattern): number {
  let s = 0;
  for (const r of p.rows) s += r.length;
  return s;
}

export function transpose(p: Pattern): Pattern {
  const cnt = new Int32Array(p.nCols);
  for (const r of p.rows) for (const c of r) cnt[c]++;
  const rows = Array.from({ length: p.nCols }, (_, c) => new Int32Array(cnt[c]));
  const fill = new Int32Array(p.nCols);
  for (let i = 0; i < p.nRows; i++) for (const c of p.rows[i]) rows[c][fill[c]++] = i; // ascending i: sorted
  return { nRows: p.nCols, nCols: p.nRows, rows };
}

/** A[rowPerm, colPerm]: new row k is old row rowPerm[k]; old column c moves to the position of c in colPerm. */
export function permute(p: Pattern, r: Reordering): Pattern {
  const colPos = new Int32Array(p.nCols);
  for (let k = 0; k < p.nCols; k++) colPos[r.colPerm[k]] = k;
  const rows = Array.from(r.rowPerm, (old) => Int32Array.from(p.rows[old], (c) => colPos[c]).sort());
  return { nRows: p.nRows, nCols: p.nCols, rows };
}

export function isPermutation(perm: Int32Array, n: number): boolean {
  if (perm.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const v of perm) {
    if (v < 0 || v >= n || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

/** Nonzero bh × bw tiles of a pattern (the tiles a block-sparse tensor-core SpMM multiplies). */
export function countBlocks(p: Pattern, bh: number, bw: number): number {
  const nbc = Math.ceil(p.nCols / bw), mark = new Int32Array(nbc).fill(-1);
  let blocks = 0;
  for (let i = 0; i < p.nRows; i++) {
    const br = Math.floor(i / bh);
    for (const c of p.rows[i]) {
      const bc = Math.floor(c / bw);
      if (mark[bc] !== br) {
        mark[bc] = br;
        blocks++;
      }
    }
  }
  return blocks;
}

/** Sorted distinct column-block indices of a row. */
function blocksOf(row: Int32Array, b: number): Int32Array {
  const out: number[] = [];
  for (const c of row) {
    const k = Math.floor(c / b);
    if (out.length === 0 || out[out.length - 1] !== k) out.push(k);
  }
  return Int32Array.from(out);
}

/**
 * The official JaccardDistanceGroup on block sets: `pat` (group pattern, g rows) vs `row` (one row).
 * Both empty: 0; one empty: 1.
 */
export function jaccardGroupDistance(pat: ArrayLike<number>, g: number, row: ArrayLike<number>): number {
  const na = pat.length, nb = row.length;
  if (na === 0 && nb === 0) return 0;
  if (na === 0 || nb === 0) return 1;
  let i = 0, j = 0, count = 0;
  while (i < na && j < nb) {
    if (pat[i] < row[j]) {
      count += 1; // a block of the group missing in the row, weighted by the row's size (1)
      i++;
    } else if (pat[i] > row[j]) {
      count += g; // a block of the row missing in the group, weighted by the group's size
      j++;
    } else {
      i++;
      j++;
    }
  }
  count += (na - i) + g * (nb - j);
  return (2 * count) / (na * g + nb + count);
}

function unionSorted(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) out[k++] = a[i++];
    else if (a[i] > b[j]) out[k++] = b[j++];
    else {
      out[k++] = a[i++];
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out.slice(0, k);
}

/**
 * SMaT's row grouping (IterativeBlockingKeeper, use_pattern = 1), then the fixed-size regrouping: returns the row
 * order (`perm[new] = old`). The official code skips some comparisons with a |d_i − d_j| > τ shortcut on stale
 * distances; we compare every candidate (see the module's deviations).
 */
export function smatRowOrder(p: Pattern, o: { tau: number; colBlock: number; rowBlock: number }): Int32Array {
  const n = p.nRows, blk = p.rows.map((r) => blocksOf(r, o.colBlock));
  const group = new Float64Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (group[i] !== -1) continue;
    const members = [i];
    group[i] = i + n; // incomplete groups sort after complete ones (the official "+ rows" trick)
    let pat = blk[i];
    const rejected: [number, number][] = []; // (distance, row), the closest max − |members| kept
    for (let j = i + 1; j < n && members.length < o.rowBlock; j++) {
      if (group[j] !== -1) continue;
      const d = jaccardGroupDistance(pat, members.length, blk[j]);
      if (d <= o.tau) {
        group[j] = i + n;
        members.push(j);
        pat = unionSorted(pat, blk[j]);
      } else {
        rejected.push([d, j]);
        const keep = o.rowBlock - members.length;
        if (rejected.length > 2 * keep + 16) { // prune occasionally: only the closest `keep` can ever be used
          rejected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          rejected.length = keep;
        }
      }
    }
    if (members.length < o.rowBlock) {
      rejected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (const [, j] of rejected) {
        if (members.length === o.rowBlock) break;
        if (group[j] !== -1) continue;
        group[j] = i + n;
        members.push(j);
      }
    }
    if (members.length === o.rowBlock) { for (const m of members) group[m] = i; }
  }
  // get_permutation: rows sorted by group id (stable here; std::sort in the official code).
  return Int32Array.from(Array.from({ length: n }, (_, k) => k).sort((a, b) => group[a] - group[b] || a - b));
}

/** SMaT's full reordering: rows, then columns (rows of the transpose of the row-reordered matrix). */
export function smatReorder(p: Pattern, o: { tau: number; block: number; columns?: boolean }): Reordering {
  const opts = { tau: o.tau, colBlock: o.block, rowBlock: o.block };
  const rowPerm = smatRowOrder(p, opts);
  const ident = Int32Array.from({ length: p.nCols }, (_, k) => k);
  if (o.columns === false) return { rowPerm, colPerm: ident };
  const rowsDone = permute(p, { rowPerm, colPerm: ident });
  const colPerm = smatRowOrder(transpose(rowsDone), opts);
  return { rowPerm, colPerm };
}

export function identity(p: Pattern): Reordering {
  return {
    rowPerm: Int32Array.from({ length: p.nRows }, (_, k) => k),
    colPerm: Int32Array.from({ length: p.nCols }, (_, k) => k),
  };
}

/** Rows sorted by their first nonzero column (empty rows last), ties by row length, then index; columns kept. */
export function firstNonzeroOrder(p: Pattern): Reordering {
  const key = (i: number) => (p.rows[i].length ? p.rows[i][0] : p.nCols);
  const rowPerm = Int32Array.from(
    Array.from({ length: p.nRows }, (_, k) => k).sort((a, b) =>
      key(a) - key(b) || p.rows[a].length - p.rows[b].length || a - b
    ),
  );
  return { rowPerm, colPerm: identity(p).colPerm };
}

/**
 * Reverse Cuthill–McKee on the bipartite graph (rows ∪ columns, an edge per nonzero): BFS from a minimum-degree
 * unvisited vertex per component, neighbours in increasing degree; the reversed BFS order, split into its row and
 * column vertices, orders rows and columns.
 */
export function bipartiteRcm(p: Pattern): Reordering {
  const t = transpose(p), nr = p.nRows, nv = nr + p.nCols;
  const adj = (v: number): Int32Array => (v < nr ? p.rows[v] : t.rows[v - nr]);
  const deg = (v: number) => adj(v).length;
  const off = (v: number) => (v < nr ? nr : 0); // neighbours of a row are columns (offset nr), and back
  const visited = new Uint8Array(nv), order: number[] = [];
  const byDeg = Array.from({ length: nv }, (_, v) => v).sort((a, b) => deg(a) - deg(b) || a - b);
  for (const s of byDeg) {
    if (visited[s]) continue;
    visited[s] = 1;
    let head = order.length;
    order.push(s);
    while (head < order.length) {
      const v = order[head++];
      const nb = Array.from(adj(v), (u) => u + off(v)).filter((u) => !visited[u]);
      nb.sort((a, b) => deg(a) - deg(b) || a - b);
      for (const u of nb) {
        visited[u] = 1;
        order.push(u);
      }
    }
  }
  order.reverse();
  return {
    rowPerm: Int32Array.from(order.filter((v) => v < nr)),
    colPerm: Int32Array.from(order.filter((v) => v >= nr).map((v) => v - nr)),
  };
}

/** C = A·B for a pattern with values (vals[i][k] for rows[i][k]) and dense B (nCols × k, row-major). */
export function spmm(p: Pattern, vals: Float64Array[], b: Float64Array, k: number): Float64Array {
  const c = new Float64Array(p.nRows * k);
  for (let i = 0; i < p.nRows; i++) {
    const r = p.rows[i], v = vals[i];
    for (let q = 0; q < r.length; q++) {
      const a = v[q], off = r[q] * k;
      for (let h = 0; h < k; h++) c[i * k + h] += a * b[off + h];
    }
  }
  return c;
}

/**
 * max |C − P_rᵀ·(A_perm · B_perm)| where A_perm = A[rowPerm, colPerm] (values carried along) and B_perm = B[colPerm]:
 * SpMM on the reordered matrix, its rows put back, against SpMM on the original.
 */
export function reorderedSpmmError(p: Pattern, vals: Float64Array[], b: Float64Array, k: number, r: Reordering) {
  const colPos = new Int32Array(p.nCols);
  for (let q = 0; q < p.nCols; q++) colPos[r.colPerm[q]] = q;
  const rows: Int32Array[] = [], pv: Float64Array[] = [];
  for (const old of r.rowPerm) {
    const idx = Array.from(p.rows[old].keys()).sort((x, y) => colPos[p.rows[old][x]] - colPos[p.rows[old][y]]);
    rows.push(Int32Array.from(idx, (x) => colPos[p.rows[old][x]]));
    pv.push(Float64Array.from(idx, (x) => vals[old][x]));
  }
  const bp = new Float64Array(b.length);
  for (let q = 0; q < p.nCols; q++) bp.set(b.subarray(r.colPerm[q] * k, r.colPerm[q] * k + k), q * k);
  const c0 = spmm(p, vals, b, k), c1 = spmm({ nRows: p.nRows, nCols: p.nCols, rows }, pv, bp, k);
  let err = 0;
  for (let q = 0; q < p.nRows; q++) {
    const old = r.rowPerm[q];
    for (let h = 0; h < k; h++) err = Math.max(err, Math.abs(c1[q * k + h] - c0[old * k + h]));
  }
  return err;
}

/**
 * Synthetic unstructured sparse matrices (n × n, about `deg` nonzeros per row) with small integer values, so that
 * SpMM sums are exact in float64 whatever the order of summation.
 *
 * - `uniform`: every row has `deg` distinct columns drawn uniformly (Erdős–Rényi-like; no structure to find).
 * - `powerlaw`: row lengths from a Pareto law (shape 2, mean ≈ deg, capped at n/4); columns drawn with a Zipf
 *   popularity (exponent 1) under a random column relabelling, so some columns are shared by many rows.
 * - `banded`: 90% of each row's nonzeros within |i − j| ≤ `band`, 10% uniform noise anywhere.
 * - `blockdiag`: diagonal blocks of `diagBlock` rows × columns, `deg` nonzeros per row inside its block, then
 *   independent random row and column permutations (a hidden structure a reordering can recover).
 */
import type { Rng } from "../../lib/math/rng.ts";
import type { Pattern } from "./reorder.ts";

export type Kind = "uniform" | "powerlaw" | "banded" | "blockdiag";

export interface SparseData {
  pattern: Pattern;
  /** values aligned with pattern.rows: integers in {−4..4} \ {0}. */
  vals: Float64Array[];
  /** dense right-hand side, nCols × k, integers in {−3..3}. */
  b: Float64Array;
  k: number;
}

function distinct(count: number, draw: () => number): Int32Array {
  const s = new Set<number>();
  let guard = 0;
  while (s.size < count && guard++ < 50 * count + 100) s.add(draw());
  return Int32Array.from(s).sort();
}

export function makeMatrix(
  o: { kind: Kind; n: number; deg: number; band: number; diagBlock: number; k: number },
  rng: Rng,
): SparseData {
  const { n, deg } = o;
  let rows: Int32Array[];
  if (o.kind === "uniform") {
    rows = Array.from({ length: n }, () => distinct(deg, () => rng.int(n)));
  } else if (o.kind === "powerlaw") {
    const relabel = rng.permutation(n);
    // Zipf(1) over n columns by inverse CDF on the harmonic partial sums.
    const cdf = new Float64Array(n);
    let h = 0;
    for (let c = 0; c < n; c++) cdf[c] = h += 1 / (c + 1);
    const zipf = () => {
      const u = rng.uniform() * h;
      let lo = 0, hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      return relabel[lo];
    };
    rows = Array.from({ length: n }, () => {
      const len = Math.min(Math.floor(n / 4), Math.max(1, Math.round((deg / 2) / Math.sqrt(1 - rng.uniform()))));
      return distinct(len, zipf);
    });
  } else if (o.kind === "banded") {
    rows = Array.from({ length: n }, (_, i) => {
      const inBand = Math.round(0.9 * deg), noise = deg - inBand;
      const lo = Math.max(0, i - o.band), hi = Math.min(n - 1, i + o.band);
      const s = new Set(distinct(Math.min(inBand, hi - lo + 1), () => lo + rng.int(hi - lo + 1)));
      while (s.size < inBand + noise) s.add(rng.int(n));
      return Int32Array.from(s).sort();
    });
  } else {
    const bs = o.diagBlock, rp = rng.permutation(n), cp = rng.permutation(n);
    const base: Int32Array[] = Array.from({ length: n }, (_, i) => {
      const b0 = Math.floor(i / bs) * bs, w = Math.min(bs, n - b0);
      return distinct(Math.min(deg, w), () => b0 + rng.int(w));
    });
    // new row rp[i] holds old row i; old column c moves to cp[c]
    rows = new Array(n);
    for (let i = 0; i < n; i++) rows[rp[i]] = Int32Array.from(base[i], (c) => cp[c]).sort();
  }
  const vals = rows.map((r) =>
    Float64Array.from(r, () => {
      const v = rng.int(8) - 4;
      return v >= 0 ? v + 1 : v;
    })
  );
  const b = Float64Array.from({ length: n * o.k }, () => rng.int(7) - 3);
  return { pattern: { nRows: n, nCols: n, rows }, vals, b, k: o.k };
}

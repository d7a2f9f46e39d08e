import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { makeMatrix } from "./data.ts";
import {
  bipartiteRcm,
  countBlocks,
  firstNonzeroOrder,
  identity,
  isPermutation,
  jaccardGroupDistance,
  type Pattern,
  permute,
  reorderedSpmmError,
  smatReorder,
  smatRowOrder,
  transpose,
} from "./reorder.ts";

const pat = (nCols: number, rows: number[][]): Pattern => ({
  nRows: rows.length,
  nCols,
  rows: rows.map((r) => Int32Array.from(r)),
});

Deno.test("countBlocks on a hand-made 4×4 pattern with 2×2 tiles, before and after a row swap", () => {
  // X . . X        X . . X
  // . . . .   →    . X . .      tiles 4 → 3
  // . X . .        . . . .
  // . . X X        . . X X
  const p = pat(4, [[0, 3], [], [1], [2, 3]]);
  assertEquals(countBlocks(p, 2, 2), 4);
  const q = permute(p, { rowPerm: Int32Array.from([0, 2, 1, 3]), colPerm: Int32Array.from([0, 1, 2, 3]) });
  assertEquals(q.rows.map((r) => Array.from(r)), [[0, 3], [1], [], [2, 3]]);
  assertEquals(countBlocks(q, 2, 2), 3);
  assertEquals(countBlocks(p, 1, 1), 5); // 1×1 tiles: the nonzeros
  assertEquals(countBlocks(p, 4, 4), 1);
});

Deno.test("jaccardGroupDistance matches the official formula on small block sets", () => {
  assertEquals(jaccardGroupDistance([], 1, []), 0);
  assertEquals(jaccardGroupDistance([1], 1, []), 1);
  assertEquals(jaccardGroupDistance([1, 2], 1, [1, 2]), 0);
  // g = 1: plain Jaccard distance 2c/(|A|+|B|+c) = |AΔB|/|A∪B|: {1,2} vs {2,3}: c = 2 → 4/(2+2+2) = 2/3
  assertAlmostEquals(jaccardGroupDistance([1, 2], 1, [2, 3]), 2 / 3, 1e-15);
  // g = 3: c = 1 (block 1 missing in row) + 3 (block 3 missing in group) = 4; 2·4/(2·3 + 2 + 4) = 8/12
  assertAlmostEquals(jaccardGroupDistance([1, 2], 3, [2, 3]), 8 / 12, 1e-15);
});

Deno.test("SMaT row grouping gathers rows with equal block patterns into full groups", () => {
  // 8 rows alternating between two block patterns (blocks of 2 columns); groups of 4 rows.
  const a = [0, 1], b = [6, 7];
  const p = pat(8, [a, b, a, b, a, b, a, b]);
  const perm = smatRowOrder(p, { tau: 0.5, colBlock: 2, rowBlock: 4 });
  assertEquals(Array.from(perm), [0, 2, 4, 6, 1, 3, 5, 7]);
  const q = permute(p, { rowPerm: perm, colPerm: Int32Array.from({ length: 8 }, (_, k) => k) });
  assertEquals(countBlocks(p, 4, 2), 4);
  assertEquals(countBlocks(q, 4, 2), 2);
});

Deno.test("incomplete groups are topped up with the closest rejected rows and come last", () => {
  // rows 0..4: row 0 {0}, rows 1,2 {0} (merge), rows 3 {4}, row 4 {0,4}; rowBlock 4, τ = 0 (identical only)
  const p = pat(10, [[0], [0], [0], [8], [0, 8]]);
  const perm = smatRowOrder(p, { tau: 0, colBlock: 2, rowBlock: 4 });
  // seed 0 takes 1, 2 (d = 0); rejected 3 (d = 2·4/(3 + 1 + 4) = 1), 4 (d = 2·3/(3 + 2 + 3) = 0.75) → topped up with row 4.
  // Group {0,1,2,4} is complete (first); row 3 alone, incomplete (last).
  assertEquals(Array.from(perm), [0, 1, 2, 4, 3]);
});

Deno.test("every reordering is a permutation and SpMM is unchanged up to the permutation (exact)", () => {
  for (const kind of ["uniform", "powerlaw", "banded", "blockdiag"] as const) {
    const d = makeMatrix({ kind, n: 200, deg: 6, band: 8, diagBlock: 24, k: 3 }, Rng.fromSeed(3));
    for (
      const r of [
        identity(d.pattern),
        firstNonzeroOrder(d.pattern),
        bipartiteRcm(d.pattern),
        smatReorder(d.pattern, { tau: 0.5, block: 16 }),
      ]
    ) {
      assert(isPermutation(r.rowPerm, 200) && isPermutation(r.colPerm, 200), `${kind}: not a permutation`);
      assertEquals(reorderedSpmmError(d.pattern, d.vals, d.b, d.k, r), 0);
      let nz = 0;
      for (const row of permute(d.pattern, r).rows) nz += row.length;
      assertEquals(nz, d.pattern.rows.reduce((s, x) => s + x.length, 0));
    }
  }
});

Deno.test("transpose twice is the identity; RCM recovers a scrambled band", () => {
  const d = makeMatrix({ kind: "banded", n: 128, deg: 4, band: 3, diagBlock: 8, k: 1 }, Rng.fromSeed(1));
  const tt = transpose(transpose(d.pattern));
  assertEquals(tt.rows.map((r) => Array.from(r)), d.pattern.rows.map((r) => Array.from(r)));
  // a pure tridiagonal pattern, scrambled by a symmetric permutation: RCM brings its tiles back near the diagonal.
  const n = 256, rng = Rng.fromSeed(2), s = rng.permutation(n);
  const rows: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) for (const j of [i - 1, i, i + 1]) if (j >= 0 && j < n) rows[s[i]].push(s[j]);
  const p = pat(n, rows.map((r) => r.sort((a, b) => a - b)));
  const before = countBlocks(p, 16, 16), after = countBlocks(permute(p, bipartiteRcm(p)), 16, 16);
  assert(after <= 3 * (n / 16), `RCM: ${after} tiles (scrambled ${before})`);
});

import { assertEquals } from "../../testdata/assert.ts";
import { accuracy, consecutiveSplits, denseWeights, minibatches, mlpSizes, rowsOf } from "./labelled.ts";

Deno.test("labelled: splits are consecutive blocks; rowsOf gathers rows in the given order", () => {
  const x = { rows: 3, cols: 2, data: Float64Array.from([0, 1, 10, 11, 20, 21]) };
  assertEquals(Array.from(rowsOf(x, [2, 0, 1], 0, 2).data), [20, 21, 0, 1]);
  const s = consecutiveSplits(
    { images: Float32Array.from({ length: 6 * 784 }, (_, i) => i), labels: Uint8Array.from([0, 1, 2, 0, 1, 2]) },
    3,
    2,
    1,
  );
  assertEquals([s.train.x.rows, s.val.x.rows, s.test.x.rows], [3, 2, 1]);
  assertEquals(Array.from(s.val.y), [0, 1]);
  assertEquals(s.test.x.data[0], 5 * 784);
});

Deno.test("labelled: minibatches cover every example once, in the permutation's order, the last one short", () => {
  const d = { x: { rows: 5, cols: 1, data: Float64Array.from([0, 1, 2, 3, 4]) }, y: Uint8Array.from([9, 8, 7, 6, 5]) };
  const perm = Int32Array.from([3, 1, 4, 0, 2]);
  const got = [...minibatches(d, perm, 2)].map((b) => [Array.from(b.x.data), b.y]);
  assertEquals(got, [[[3, 1], [6, 8]], [[4, 0], [5, 9]], [[2], [7]]]);
});

Deno.test("labelled: accuracy counts matching predictions; MLP widths and dense weight count", () => {
  const d = { x: { rows: 4, cols: 1, data: new Float64Array(4) }, y: Uint8Array.from([0, 1, 1, 2]) };
  assertEquals(accuracy({ predict: () => [0, 1, 2, 2] }, d), 0.75);
  assertEquals(mlpSizes(500, 2), [784, 500, 500, 10]);
  assertEquals(denseWeights(mlpSizes(500, 2)), 784 * 500 + 500 * 500 + 500 * 10);
});

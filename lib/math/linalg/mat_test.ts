import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert";
import { numpy as np } from "@jax-js/jax";
import { Rng } from "../rng.ts";
import {
  clone,
  dtypeOf,
  eye,
  frobenius,
  fromJax,
  fromRows,
  LinalgError,
  mat,
  randn,
  sub,
  toFloat32,
  toFloat64,
  toJax,
  toRows,
  transpose,
  zeros,
} from "./mod.ts";

Deno.test("mat, zeros, eye, fromRows, toRows", () => {
  const m = mat(2, 3, [1, 2, 3, 4, 5, 6]);
  assertEquals(m.data, new Float64Array([1, 2, 3, 4, 5, 6]));
  const f = new Float32Array(4);
  assert(mat(2, 2, f).data === f, "typed arrays are used as is");
  assertEquals(mat(2, 2).data, new Float64Array(4));
  throws(
    () => mat(2, 2, [1, 2, 3]),
    (e: Error) => e instanceof LinalgError && /3 entries but 2×2 needs 4/.test(e.message),
  );
  throws(() => mat(-1, 2), LinalgError);
  assertEquals(zeros(2, 2, "float32").data, new Float32Array(4));
  assertEquals(toRows(eye(3)), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assertEquals(toRows(fromRows([[1, 2], [3, 4]])), [[1, 2], [3, 4]]);
  assertEquals(dtypeOf(fromRows([[1]], "float32")), "float32");
  throws(() => fromRows([[1, 2], [3]]), /row 1 has 1 entries/);
});

Deno.test("transpose, frobenius, sub, clone, dtype conversion", () => {
  const a = fromRows([[1, 2, 3], [4, 5, 6]]);
  assertEquals(toRows(transpose(a)), [[1, 4], [2, 5], [3, 6]]);
  const big = randn(70, 45, Rng.fromSeed(1));
  assertEquals(transpose(transpose(big)), big);
  assertEquals(frobenius(fromRows([[3, 4]])), 5);
  assert(Math.abs(frobenius(fromRows([[3e200, 4e200]])) / 5e200 - 1) < 1e-15, "no overflow");
  assert(Math.abs(frobenius(fromRows([[3e-200, 4e-200]])) / 5e-200 - 1) < 1e-15, "no underflow");
  assertEquals(frobenius(zeros(2, 2)), 0);
  assertEquals(toRows(sub(a, a)), [[0, 0, 0], [0, 0, 0]]);
  throws(() => sub(a, transpose(a)), /shapes differ/);
  const c = clone(a);
  c.data[0] = 99;
  assertEquals(a.data[0], 1, "clone is deep");
  const f = toFloat32(fromRows([[0.1]]));
  assert(f.data instanceof Float32Array);
  assertEquals(toFloat64(f).data[0], Math.fround(0.1));
});

Deno.test("randn draws from the given stream, reproducibly", () => {
  const x = randn(3, 4, Rng.fromSeed(5).split("data"));
  assertEquals([x.rows, x.cols], [3, 4]);
  assertEquals(x.data, Rng.fromSeed(5).split("data").normal(12));
  const y = randn(3, 4, Rng.fromSeed(5).split("data"), "float32");
  assertEquals(y.data, Float32Array.from(x.data));
});

Deno.test("toJax / fromJax round trip keeps shape, dtype and values", async () => {
  for (const dt of ["float64", "float32"] as const) {
    const a = randn(3, 5, Rng.fromSeed(2), dt);
    const arr = toJax(a);
    assertEquals(arr.shape, [3, 5]);
    assertEquals(arr.dtype, dt === "float32" ? np.float32 : np.float64);
    const kept = await fromJax(arr.ref); // .ref keeps arr alive for the next read
    assertEquals(kept, a);
    const t = await fromJax(np.matmul(arr, np.eye(5, undefined, { dtype: arr.dtype })));
    assertEquals(t.data, a.data, "a jax-js op on the converted array");
  }
});

Deno.test("toJax copies; fromJax widens other dtypes and rejects non-2-D", async () => {
  const a = fromRows([[1, 2], [3, 4]]);
  const arr = toJax(a);
  a.data[0] = 100;
  assertEquals((await fromJax(arr)).data, new Float64Array([1, 2, 3, 4]));
  const ints = await fromJax(np.array([[1, 2, 3]], { dtype: np.int32 }));
  assert(ints.data instanceof Float64Array);
  assertEquals(Array.from(ints.data), [1, 2, 3]);
  await fromJax(np.array([1, 2, 3])).then(
    () => assert(false, "1-D should be rejected"),
    (e) => assert(e instanceof LinalgError && /expected a 2-D array, got shape \[3\]/.test(e.message)),
  );
});

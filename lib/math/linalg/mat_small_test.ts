import { gramSchmidtSmall, matmulSmall } from "./mat_small.ts";
import { assertAlmostEquals, assertEquals, assertIdentity } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";

Deno.test("matmulSmall: exact 2×3 · 3×2, and A·Bᵀ equals A·(Bᵀ) bit for bit", () => {
  const a = [1, 2, 3, 4, 5, 6], b = [7, 8, 9, 10, 11, 12];
  assertEquals([...matmulSmall(a, b, 2, 3, 2)], [58, 64, 139, 154]);
  const rng = Rng.fromSeed(2),
    x = Array.from({ length: 12 }, () => rng.normal()),
    y = Array.from({ length: 20 }, () => rng.normal());
  const yt = new Float64Array(20); // y is 5×4; yt = yᵀ is 4×5
  for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) yt[j * 5 + i] = y[i * 4 + j];
  assertEquals([...matmulSmall(x, y, 3, 4, 5, { transB: true })].length, 15);
  assertEquals([...matmulSmall(x, yt, 3, 4, 5)], [...matmulSmall(x, y, 3, 4, 5, { transB: true })]);
});

Deno.test("gramSchmidtSmall: QᵀQ = I, and Q·R reproduces A with R upper triangular, positive diagonal", () => {
  const rng = Rng.fromSeed(4), n = 6, c = 4;
  const a = Float64Array.from({ length: n * c }, () => rng.normal());
  const q = gramSchmidtSmall(a.slice(), n, c);
  const qtq = matmulSmall(transpose(q, n, c), q, c, n, c);
  assertIdentity(qtq, c, 1e-13, "QᵀQ");
  const r = matmulSmall(transpose(q, n, c), a, c, n, c);
  for (let i = 0; i < c; i++) {
    assertEquals(r[i * c + i] > 0, true, `R[${i},${i}] > 0`);
    for (let j = 0; j < i; j++) assertAlmostEquals(r[i * c + j], 0, 1e-13, `R[${i},${j}]`);
  }
});

function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

import { ok as assert } from "node:assert";
import { assertAlmostEquals, assertEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { fromRows, gram, matmul, orthonormalize, svd, svdvals, symEig, transpose, zeros } from "./dense.ts";
import { gaussian } from "./truth.ts";

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number) {
  assertEquals(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert(Math.abs(a[i] - b[i]) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
}

Deno.test("matmul with transposes agrees with explicit transposes", () => {
  const rng = Rng.fromSeed(1);
  const a = gaussian(4, 3, rng), b = gaussian(5, 3, rng);
  close(matmul(a, b, { transB: true }).data, matmul(a, transpose(b)).data, 1e-14);
  close(matmul(a, a, { transA: true }).data, matmul(transpose(a), a).data, 1e-14);
  close(gram(a).data, matmul(a, a, { transB: true }).data, 1e-14);
});

Deno.test("symEig on a known 2×2 and reconstruction on a random 8×8", () => {
  const { values } = symEig(fromRows([[2, 1], [1, 2]]));
  close(values, [1, 3], 1e-14);
  const g = gaussian(8, 8, Rng.fromSeed(2));
  const s = matmul(g, g, { transB: true });
  const { values: w, vectors: v } = symEig(s);
  for (let i = 1; i < 8; i++) assert(w[i] >= w[i - 1]);
  const vw = zeros(8, 8);
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) vw.data[i * 8 + j] = v.data[i * 8 + j] * w[j];
  close(matmul(vw, v, { transB: true }).data, s.data, 1e-11);
});

Deno.test("svd reconstructs tall and wide matrices and keeps tiny singular values accurate", () => {
  for (const [m, n] of [[7, 4], [3, 6]]) {
    const a = gaussian(m, n, Rng.fromSeed(m * 10 + n));
    const { u, s, vt } = svd(a);
    const k = Math.min(m, n);
    const us = zeros(m, k);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j] = u.data[i * k + j] * s[j];
    close(matmul(us, vt).data, a.data, 1e-12);
    close(
      matmul(u, u, { transA: true }).data,
      Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 1 : 0)),
      1e-12,
    );
  }
  close(svdvals(fromRows([[3, 0], [4, 5]])), [Math.sqrt(45), Math.sqrt(5)], 1e-13);
  // diag(1, 1e-10) rotated: eig of AᵀA would lose the small value; one-sided Jacobi must not.
  const q = orthonormalize(gaussian(5, 2, Rng.fromSeed(3)));
  const a = zeros(5, 2);
  for (let i = 0; i < 5; i++) {
    a.data[i * 2] = q.data[i * 2];
    a.data[i * 2 + 1] = 1e-10 * q.data[i * 2 + 1];
  }
  const s = svdvals(a);
  assertAlmostEquals(s[1] / 1e-10, 1, 1e-6);
});

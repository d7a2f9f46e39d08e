import { assertAlmostEquals, assertEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { jacobiEigen } from "./jacobi.ts";

Deno.test("jacobiEigen: a 2×2 exact case, in diagonal and in descending order", () => {
  const h = new Float64Array([2, 1, 1, 2]);
  assertEquals(Array.from(jacobiEigen(h, 2).w).map((x) => +x.toFixed(12)), [1, 3]);
  const { w, V } = jacobiEigen(h, 2, { descending: true });
  assertEquals(Array.from(w).map((x) => +x.toFixed(12)), [3, 1]);
  assertAlmostEquals(Math.abs(V[0]), Math.SQRT1_2, 1e-15);
  assertAlmostEquals(V[0] * V[2], V[1] * V[3] * -1, 1e-15);
});

Deno.test("jacobiEigen: h = V·diag(w)·Vᵀ with V orthogonal, on random symmetric matrices up to 12×12", () => {
  const rng = Rng.fromSeed(5).split("jacobi");
  for (const n of [1, 3, 7, 12]) {
    const h = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) h[i * n + j] = h[j * n + i] = rng.normal() as number;
    const { w, V } = jacobiEigen(h, n, { descending: true });
    for (let i = 1; i < n; i++) if (w[i] > w[i - 1]) throw new Error(`n=${n}: not descending`);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let r = 0, g = 0;
        for (let k = 0; k < n; k++) {
          r += V[i * n + k] * w[k] * V[j * n + k];
          g += V[k * n + i] * V[k * n + j];
        }
        assertAlmostEquals(r, h[i * n + j], 1e-12, `n=${n} reconstruction [${i},${j}]`);
        assertAlmostEquals(g, i === j ? 1 : 0, 1e-12, `n=${n} VᵀV [${i},${j}]`);
      }
    }
  }
});

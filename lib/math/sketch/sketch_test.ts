import { assert, assertAlmostEquals, assertEquals } from "../../testdata/assert.ts";

import { Rng } from "../rng.ts";
import { countSketch, fwht, gaussianSketch, nextPow2, osnap, sampleWithoutReplacement, srht } from "./mod.ts";

const rng = Rng.fromSeed(11);

function hadamard(n: number): number[][] {
  let h = [[1]];
  while (h.length < n) h = [...h.map((r) => [...r, ...r]), ...h.map((r) => [...r, ...r.map((v) => -v)])];
  return h;
}

Deno.test("fwht equals multiplication by the explicit Sylvester Hadamard matrix, column by column", () => {
  const n = 16, c = 3;
  const x = rng.split("fwht").normal(n * c);
  const y = x.slice();
  fwht(y, n, c);
  const h = hadamard(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += h[i][t] * x[t * c + j];
      assertAlmostEquals(y[i * c + j], s, 1e-12);
    }
  }
  fwht(y, n, c); // H² = nI
  for (let q = 0; q < n * c; q++) assertAlmostEquals(y[q] / n, x[q], 1e-12);
});

Deno.test("sampleWithoutReplacement gives distinct indices in range, uniform marginals", () => {
  const r = rng.split("swr"), counts = new Float64Array(10);
  for (let t = 0; t < 4000; t++) {
    const s = sampleWithoutReplacement(10, 3, r);
    assertEquals(new Set(s).size, 3);
    for (const v of s) counts[v]++;
  }
  for (const c of counts) assert(Math.abs(c / 4000 - 0.3) < 0.03, `marginal ${c / 4000} far from 0.3`);
  assertEquals(nextPow2(1000), 1024);
  assertEquals(nextPow2(1024), 1024);
});

Deno.test("SRHT with m = N is an orthogonal map: ‖SX‖_F = ‖X‖_F and SᵀS = I exactly", () => {
  const n = 32, c = 2;
  const x = { rows: n, cols: c, data: rng.split("srht").normal(n * c) };
  const sx = srht(x, n, rng.split("srht-s"));
  const f = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0);
  assertAlmostEquals(f(sx.data), f(x.data), 1e-9);
});

Deno.test("every sketch is unbiased for the Gram matrix: mean of (SX)ᵀ(SX) over draws ≈ XᵀX", () => {
  const n = 64, c = 2, m = 16, draws = 1500;
  const x = { rows: n, cols: c, data: rng.split("gram-x").normal(n * c) };
  for (
    const [name, sk] of [
      ["gaussian-rotated", (r: Rng) => gaussianSketch(x, m, r)],
      ["gaussian-explicit", (r: Rng) => gaussianSketch(x, m, r, { method: "explicit" })],
      ["srht", (r: Rng) => srht(x, m, r)],
      ["countsketch", (r: Rng) => countSketch(x, m, r)],
      ["osnap4", (r: Rng) => osnap(x, m, 4, r)],
    ] as const
  ) {
    const acc = new Float64Array(c * c);
    const r = rng.split(name);
    for (let t = 0; t < draws; t++) {
      const y = sk(r);
      for (let a = 0; a < c; a++) {
        for (let b = 0; b < c; b++) {
          let s = 0;
          for (let i = 0; i < m; i++) s += y.data[i * c + a] * y.data[i * c + b];
          acc[a * c + b] += s / draws;
        }
      }
    }
    for (let a = 0; a < c; a++) {
      for (let b = 0; b < c; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += x.data[i * c + a] * x.data[i * c + b];
        // Monte-Carlo error of the mean is ≈ ‖x_a‖‖x_b‖·√(2/(m·draws)) ≈ 64·0.009; allow 5σ.
        assert(
          Math.abs(acc[a * c + b] - s) < 5 * 64 * Math.sqrt(2 / (m * draws)) + 1e-9,
          `${name}: ${acc[a * c + b]} vs ${s}`,
        );
      }
    }
  }
});

Deno.test("OSNAP columns have exactly s nonzeros of size 1/√s; CountSketch one ±1", () => {
  const n = 20, m = 12;
  const eye = { rows: n, cols: n, data: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) eye.data[i * n + i] = 1;
  for (const s of [1, 3]) {
    const sk = osnap(eye, m, s, rng.split(`os${s}`)); // = S itself
    for (let j = 0; j < n; j++) {
      let nz = 0;
      for (let i = 0; i < m; i++) {
        const v = sk.data[i * n + j];
        if (v !== 0) {
          nz++;
          assertAlmostEquals(Math.abs(v), 1 / Math.sqrt(s), 1e-15);
        }
      }
      assertEquals(nz, s);
    }
  }
});

import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import type { Arr } from "../../lib/math/nn/gemm.ts";
import {
  type Ae,
  alloc,
  attrsOf,
  buildAe,
  decodeWith,
  encode,
  type Kind,
  lossAndGrad,
  mspEdit,
  trainAe,
} from "./msp.ts";
import { pixelMse } from "./train.ts";

/** A tiny float64 AE, a batch of random inputs in [−1, 1], labels, and fixed noise. */
function setup(kind: Kind, seed: number) {
  const rng = Rng.fromSeed(seed), o = { hidden: 3, latent: 4, attrs: 3, dtype: "float64" as const };
  const ae = buildAe(kind, o, rng.split("init"));
  const batch = 3, x = Float64Array.from({ length: batch * 784 }, () => 2 * rng.uniform() - 1);
  const y = attrsOf([0, 2, 1], 3), eps = rng.normal(batch * o.latent);
  return { ae, batch, x, y, eps };
}

const total = (ae: Ae, x: Arr, y: ArrayLike<number>, eps: ArrayLike<number>, batch: number) =>
  lossAndGrad(ae, x, y, eps, batch, alloc("float64", ae.m.length)).total;

for (const kind of ["msp", "cvae"] as const) {
  Deno.test(`${kind}: hand-written gradients (encoder, decoder, M) match central finite differences, float64`, () => {
    const { ae, batch, x, y, eps } = setup(kind, kind === "msp" ? 1 : 2);
    const gm = alloc("float64", ae.m.length);
    lossAndGrad(ae, x, y, eps, batch, gm);
    const ge = ae.enc.store.grad.slice(), gd = ae.dec.store.grad.slice(), gmc = gm.slice();
    const rng = Rng.fromSeed(9), h = 1e-6;
    const check = (v: Arr, g: Arr, idx: number, what: string) => {
      const v0 = v[idx];
      v[idx] = v0 + h;
      const lp = total(ae, x, y, eps, batch);
      v[idx] = v0 - h;
      const lm = total(ae, x, y, eps, batch);
      v[idx] = v0;
      const fd = (lp - lm) / (2 * h);
      assertAlmostEquals(g[idx], fd, 1e-5 * Math.max(1, Math.abs(fd)), `${what} ${idx}`);
    };
    // Every bias and the hidden/latent weights near the code; a random sample of the 784-wide weights.
    for (let t = 0; t < 150; t++) check(ae.enc.store.value, ge, rng.int(ae.enc.store.size), "encoder");
    for (let i = ae.enc.store.size - 2 * 4 * 3 - 8; i < ae.enc.store.size; i++) check(ae.enc.store.value, ge, i, "enc");
    for (let t = 0; t < 150; t++) check(ae.dec.store.value, gd, rng.int(ae.dec.store.size), "decoder");
    for (let i = 0; i < 20; i++) check(ae.dec.store.value, gd, i, "dec first layer");
    for (let i = 0; i < ae.m.length; i++) check(ae.m, gmc, i, "M");
  });
}

Deno.test("msp edit on a small exact case (M = coordinate rows): attribute coordinates set, the rest kept", () => {
  const { ae } = setup("msp", 3);
  // M = first 3 rows of the 4×4 identity: Mz = z[0..2], Mᵀy = (y, 0).
  ae.m.fill(0);
  for (let p = 0; p < 3; p++) ae.m[p * 4 + p] = 1;
  const y = attrsOf([1], 3), z = Float64Array.from([-1, 1, -1, 0]);
  const edited = mspEdit(ae.m, Float32Array.from(z), y, 1, 4, 3);
  assertEquals(Array.from(edited), [-1, 1, -1, 0]);
  // Changing the attribute to class 2 moves only the attribute coordinates; the rest (coordinate 3) is kept.
  const z2 = Float32Array.from([0.3, 0.2, -0.1, 0.7]), e2 = mspEdit(ae.m, z2, attrsOf([2], 3), 1, 4, 3);
  assertEquals(Array.from(e2).map((v) => +v.toFixed(6)), [-1, -1, 1, 0.7]);
});

Deno.test("msp edit with orthonormal M: M z′ = y′ exactly and the complement of M's row space is unchanged", () => {
  const rng = Rng.fromSeed(4), h = 6, a = 3;
  // Orthonormal rows by Gram–Schmidt.
  const m = new Float64Array(a * h);
  for (let p = 0; p < a; p++) {
    const r = rng.normal(h);
    for (let q = 0; q < p; q++) {
      let t = 0;
      for (let j = 0; j < h; j++) t += r[j] * m[q * h + j];
      for (let j = 0; j < h; j++) r[j] -= t * m[q * h + j];
    }
    const n = Math.hypot(...r);
    for (let j = 0; j < h; j++) m[p * h + j] = r[j] / n;
  }
  const z = Float32Array.from(rng.normal(h)), y = Float32Array.from([0.5, -1, 2]);
  const e = mspEdit(m, z, y, 1, h, a);
  for (let p = 0; p < a; p++) {
    let t = 0;
    for (let j = 0; j < h; j++) t += m[p * h + j] * e[j];
    assertAlmostEquals(t, y[p], 1e-6);
  }
  // (I − MᵀM)(z′ − z) = 0.
  const d = e.map((v, j) => v - z[j]);
  for (let j = 0; j < h; j++) {
    let proj = 0;
    for (let p = 0; p < a; p++) for (let q = 0; q < h; q++) proj += m[p * h + j] * m[p * h + q] * d[q];
    assertAlmostEquals(d[j] - proj, 0, 1e-6);
  }
});

Deno.test("cvae decodes with the attribute it is given; msp decodes its code alone", () => {
  const { ae } = setup("cvae", 5);
  const mu = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
  const a = decodeWith(ae, mu, attrsOf([0], 3), 1).slice(), b = decodeWith(ae, mu, attrsOf([1], 3), 1).slice();
  assert(pixelMse(a, b) > 0, "different attributes give different images");
  const m = setup("msp", 5).ae;
  assertEquals(encode(m, new Float64Array(784) as unknown as Float32Array, 1).length, 4);
});

Deno.test("attrsOf gives ±1 one-hot rows; pixelMse is on the [0, 1] scale", () => {
  assertEquals(Array.from(attrsOf([2, 0], 3)), [-1, -1, 1, 1, -1, -1]);
  assertAlmostEquals(pixelMse([-1, 1], [1, 1]), 0.5, 1e-15); // one pixel off by 1 on [0, 1]: (1² + 0²)/2
});

Deno.test("training lowers the reconstruction loss of both models (float32, tiny data)", () => {
  const rng = Rng.fromSeed(6), n = 64;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const x = Float32Array.from({ length: n * 784 }, (_, i) => (Math.floor(i / 784) % 3 === (i % 3) ? 0.8 : -0.8));
  for (const kind of ["msp", "cvae"] as const) {
    const ae = buildAe(kind, { hidden: 16, latent: 4, attrs: 3 }, rng.split(kind));
    const eps = new Float32Array(n * 4);
    const before = lossAndGrad(ae, x, attrsOf(labels, 3), eps, n, alloc("float32", ae.m.length)).rec;
    trainAe(ae, x, labels, n, { epochs: 30, batch: 16, lr: 3e-3, clip: 1 }, rng.split(`t${kind}`));
    const after = lossAndGrad(ae, x, attrsOf(labels, 3), eps, n, alloc("float32", ae.m.length)).rec;
    assert(after < 0.5 * before, `${kind}: ${before} → ${after}`);
  }
});

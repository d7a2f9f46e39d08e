import { assert } from "../lib/testdata/assert.ts";
import { assertEquals } from "../lib/testdata/assert.ts";
import { buildMnist } from "./mnist.ts";
import { buildSklearnDigits } from "./sklearn-digits.ts";
import { averagePool, permuteDigits, permutedTasks, rotateDigits, rotatedTasks, sideOf } from "./variants.ts";
import { assertThrowsWith } from "../lib/testdata/assert.ts";

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("rotate: 0° is the identity, 90° maps (r, c) to (c, side−1−r), four quarter turns return", () => {
  const d = buildMnist(20);
  assert(sideOf(d) === 28, "side");
  assert(maxDiff(rotateDigits(d, { degrees: 0 }).images, d.images) === 0, "0°");
  const q = rotateDigits(d, { degrees: 90 });
  let m = 0;
  for (let i = 0; i < d.n; i++) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        m = Math.max(m, Math.abs(q.images[i * 784 + r * 28 + c] - d.images[i * 784 + c * 28 + 27 - r]));
      }
    }
  }
  assert(m < 1e-6, `90° max error ${m}`);
  let back = d;
  for (let k = 0; k < 4; k++) back = rotateDigits(back, { degrees: 90 });
  assert(maxDiff(back.images, d.images) < 1e-6, "four quarter turns");
  assertEquals([...q.labels], [...d.labels]);
  // A 45° turn keeps the ink mass of a centred digit to within a few per cent (bilinear is mass-preserving inside).
  const r45 = rotateDigits(d, { degrees: 45 });
  const mass = (x: Float32Array) => x.reduce((s, v) => s + v, 0);
  const ratio = mass(r45.images) / mass(d.images);
  assert(ratio > 0.95 && ratio < 1.05, `ink ratio ${ratio}`);
});

Deno.test("rotate: random angles are deterministic by seed and within ±maxDegrees", () => {
  const d = buildSklearnDigits(50);
  assert(sideOf(d) === 8, "side 8");
  const a = rotateDigits(d, { maxDegrees: 30, seed: 4 });
  const b = rotateDigits(d, { maxDegrees: 30, seed: 4 });
  const c = rotateDigits(d, { maxDegrees: 30, seed: 5 });
  assertEquals([...a.images], [...b.images]);
  assert(maxDiff(a.images, c.images) > 0, "another seed differs");
  assert(a.angles.every((t) => Math.abs(t) <= 30) && new Set(a.angles).size === 50, "angles");
});

Deno.test("permute: a bijection of pixels, the same for every image, deterministic by seed; tasks", () => {
  const d = buildMnist(30);
  const p = permuteDigits(d, { seed: 1 });
  assertEquals([...permuteDigits(d, { seed: 1 }).images], [...p.images]);
  assert(maxDiff(permuteDigits(d, { seed: 2 }).images, p.images) > 0, "another seed differs");
  assertEquals([...p.permutation].sort((x, y) => x - y), Array.from({ length: 784 }, (_, i) => i));
  // Undo with the inverse permutation.
  const inv = new Int32Array(784);
  p.permutation.forEach((src, j) => inv[src] = j);
  for (let i = 0; i < d.n; i++) {
    for (let k = 0; k < 784; k += 7) assert(p.images[i * 784 + inv[k]] === d.images[i * 784 + k], "inverse");
  }
  assertEquals([...p.labels], [...d.labels]);
  const tasks = permutedTasks(d, { tasks: 3, seed: 0 });
  assert(tasks.length === 3 && tasks[0] === d && maxDiff(tasks[1].images, tasks[2].images) > 0, "permuted tasks");
  const rot = rotatedTasks(d, { tasks: 3, stepDegrees: 90 });
  assert(maxDiff(rot[2].images, rotateDigits(d, { degrees: 180 }).images) === 0, "rotated tasks");
});

Deno.test("averagePool: block means on an exact case, the same bits as the four-pixel 2×2 formula, rows picked", () => {
  // One 4×4 image, factor 2: blocks (0,0) = [1,2;5,6] → 3.5, (0,1) = [3,4;7,8] → 5.5, …
  const img = Float32Array.from({ length: 16 }, (_, i) => i + 1);
  assertEquals([...averagePool(img, 1, 2, 4)], [3.5, 5.5, 11.5, 13.5]);
  assertEquals([...averagePool(img, 1, 4, 4)], [8.5]);
  const m = buildMnist(3);
  const p = averagePool(m.images, [2, 0], 2);
  for (const [q, i] of [[0, 2], [1, 0]]) {
    for (let r = 0; r < 14; r++) {
      for (let c = 0; c < 14; c++) {
        const b = i * 784 + 2 * r * 28 + 2 * c, x = m.images;
        assertEquals(p[q * 196 + r * 14 + c], (x[b] + x[b + 1] + x[b + 28] + x[b + 29]) / 4);
      }
    }
  }
  assertThrowsWith(() => averagePool(img, 1, 3, 4), "factor 3 does not divide the side 4");
});

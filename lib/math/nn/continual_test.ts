import { assert, assertEquals } from "../../testdata/assert.ts";
import { mat } from "../linalg/mod.ts";
import { Rng } from "../rng.ts";
import { classGroups, gather, type Images, Reservoir, splitTasks, taskSplits } from "./continual.ts";

/** 20 blank-ish 28×28 images whose pixel 0 is the row index, labels cycling 0..9. */
function images(n = 20): Images {
  const img = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) img.fill(i, i * 784, (i + 1) * 784);
  return { images: img, labels: Uint8Array.from({ length: n }, (_, i) => i % 10), n };
}

Deno.test("classGroups: consecutive pairs for 5 tasks; tasks must divide 10", () => {
  assertEquals(classGroups(5), [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]);
  assertEquals(classGroups(2), [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
  let threw = false;
  try {
    classGroups(3);
  } catch {
    threw = true;
  }
  assert(threw);
});

Deno.test("taskSplits / splitTasks: rows by class group, in row order, pooled to 196 (2×2 mean)", () => {
  const d = images();
  const [t0] = taskSplits(d, [[0, 1]], 0, 20);
  assertEquals(Array.from(t0.y), [0, 1, 0, 1]);
  assertEquals(t0.x.cols, 196);
  assertEquals([t0.x.data[0], t0.x.data[196], t0.x.data[2 * 196], t0.x.data[3 * 196]], [0, 1, 10, 11]);
  const s = splitTasks(d, 5, 10, 10);
  assertEquals(Array.from(s.train[4].y), [8, 9]);
  assertEquals(Array.from(s.test[4].y), [8, 9]);
  assertEquals(s.test[4].x.data[0], 18);
});

Deno.test("Reservoir: capacity respected; each of 100 stream items kept with probability ≈ capacity/100", () => {
  const split = { x: mat(100, 1, Float64Array.from({ length: 100 }, (_, i) => i)), y: new Uint8Array(100) };
  const counts = new Float64Array(100), trials = 2000, rng = Rng.fromSeed(9);
  for (let t = 0; t < trials; t++) {
    const r = new Reservoir(10);
    for (let i = 0; i < 100; i++) r.add(split, i, rng);
    assertEquals(r.size, 10);
    assertEquals(r.seen, 100);
    for (const [, row] of r.items) counts[row]++;
  }
  // Binomial(2000, 0.1): mean 200, sd ≈ 13.4; every item within 5 sd, early and late items alike.
  for (let i = 0; i < 100; i++) assert(Math.abs(counts[i] - 200) < 67, `item ${i} kept ${counts[i]} times`);
});

Deno.test("Reservoir.sample: distinct entries, all of them when fewer are stored; gather copies rows", () => {
  const split = { x: mat(5, 2, Float64Array.from({ length: 10 }, (_, i) => i)), y: Uint8Array.from([0, 1, 2, 3, 4]) };
  const r = new Reservoir(4), rng = Rng.fromSeed(1);
  for (let i = 0; i < 3; i++) r.add(split, i, rng);
  assertEquals(r.sample(8, rng).length, 3);
  r.add(split, 3, rng);
  const s = r.sample(3, rng);
  assertEquals(new Set(s.map((e) => e[1])).size, 3);
  const b = gather([[split, 4], [split, 1]], 2);
  assertEquals(Array.from(b.x.data), [8, 9, 2, 3]);
  assertEquals(Array.from(b.y), [4, 1]);
});

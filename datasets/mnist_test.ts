import { withTempCache } from "../lib/testdata/cache.ts";
import { assert } from "../lib/testdata/assert.ts";
import { buildMnist, loadMnist, MNIST_PIXELS, MNIST_SIZE } from "./mnist.ts";

Deno.test("mnist: 10k digits, checksum pinned, pixels in [0,1], classes balanced in order", () => {
  const d = buildMnist();
  assert(d.n === MNIST_SIZE && d.images.length === MNIST_SIZE * MNIST_PIXELS, "shape");
  assert(d.labels.length === MNIST_SIZE, "labels length");
  let lo = Infinity, hi = -Infinity;
  for (const v of d.images) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert(lo === 0 && hi <= 1 && hi > 0.99, `pixel range [${lo}, ${hi}]`);
  const counts = new Array(10).fill(0);
  for (const y of d.labels) counts[y]++;
  assert(counts.every((c) => c > 800 && c < 1200), `class counts ${counts}`);
  // Round-robin order: the first 10 digits are one of each class, 0..9.
  assert([...d.labels.slice(0, 10)].join() === "0,1,2,3,4,5,6,7,8,9", "canonical order");
  // A digit has ink: on average ~100-200 of 784 pixels are non-zero.
  let ink = 0;
  for (let p = 0; p < MNIST_PIXELS; p++) ink += d.images[p] > 0 ? 1 : 0;
  assert(ink > 50 && ink < 400, `ink ${ink}`);
});

Deno.test("mnist: prefix n and the cache round-trip agree with the direct build", async () => {
  await withTempCache(async () => {
    const a = await loadMnist(500);
    const b = await loadMnist(500); // second call reads the cache
    const c = buildMnist(500);
    assert(a.n === 500 && b.images.length === 500 * MNIST_PIXELS, "prefix shape");
    for (let i = 0; i < c.images.length; i += 97) {
      assert(a.images[i] === c.images[i] && b.images[i] === c.images[i], "pixels");
    }
    for (let i = 0; i < 500; i++) assert(a.labels[i] === c.labels[i] && b.labels[i] === c.labels[i], "labels");
  });
});

Deno.test("mnist: invalid n is rejected", () => {
  let threw = false;
  try {
    buildMnist(0);
  } catch {
    threw = true;
  }
  assert(threw, "n = 0 must throw");
});

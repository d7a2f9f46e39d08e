import { withTempCache } from "../lib/testdata/cache.ts";
import { assert, assertThrowsWith as throwsWith } from "../lib/testdata/assert.ts";
import { gzipSync } from "node:zlib";
import { assertEquals } from "../lib/testdata/assert.ts";
import {
  buildFashionMnist,
  FASHION_INSTALL,
  FASHION_PIXELS,
  FASHION_SIZES,
  loadFashionMnist,
  readFashionSplit,
} from "./fashion-mnist.ts";
import { encodeIdx, parseIdx } from "./idx.ts";

Deno.test("idx: encode/parse round trip; bad magic, type and length are refused", () => {
  const data = Uint8Array.from({ length: 24 }, (_, i) => i * 7);
  const bytes = encodeIdx([2, 3, 4], data);
  const { dims, data: back } = parseIdx(bytes);
  assertEquals(dims, [2, 3, 4]);
  assertEquals([...back], [...data]);
  throwsWith(() => parseIdx(Uint8Array.of(1, 0, 8, 1, 0, 0, 0, 0)), "magic");
  throwsWith(() => parseIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 0)), "not unsigned byte");
  throwsWith(() => parseIdx(bytes.subarray(0, bytes.length - 1)), "header says 2×3×4");
});

Deno.test("fashion-mnist: both splits' shapes, label counts, pixel range and pinned checksums", () => {
  for (const split of ["train", "test"] as const) {
    const raw = readFashionSplit(split); // throws on a checksum mismatch
    const n = FASHION_SIZES[split];
    assert(raw.pixels.length === n * FASHION_PIXELS && raw.labels.length === n, `${split} shape`);
    const counts = new Array(10).fill(0);
    for (const y of raw.labels) counts[y]++;
    // The release is exactly balanced: 6,000 per class in train and 1,000 in test.
    assertEquals(counts, new Array(10).fill(n / 10), `${split} label counts`);
  }
  const test = buildFashionMnist({ split: "test", n: 100 });
  let lo = Infinity, hi = -Infinity;
  for (const v of test.images) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  assert(lo === 0 && hi === 1, `pixel range [${lo}, ${hi}]`);
  // The first test image is an ankle boot (class 9) in zalandoresearch's release; the first training image too.
  assert(test.labels[0] === 9, `first test label ${test.labels[0]}`);
});

Deno.test("fashion-mnist: the cached loader equals the direct build; 'all' is train then test", async () => {
  await withTempCache(async () => {
    const a = await loadFashionMnist({ split: "test", n: 300 });
    const b = await loadFashionMnist({ split: "test", n: 300 }); // from the cache
    const c = buildFashionMnist({ split: "test", n: 300 });
    for (let i = 0; i < c.images.length; i += 13) {
      assert(a.images[i] === c.images[i] && b.images[i] === c.images[i], "px");
    }
    assertEquals([...a.labels], [...c.labels]);
    const all = await loadFashionMnist({ split: "all", n: 60010 });
    const test10 = buildFashionMnist({ split: "test", n: 10 });
    assertEquals([...all.labels.subarray(60000)], [...test10.labels]);
    assert(all.images[60000 * FASHION_PIXELS + 400] === test10.images[400], "all: test part");
  });
});

Deno.test("fashion-mnist: a missing package gives one line saying how to install it", () => {
  const m = throwsWith(() => readFashionSplit("test", "/tmp/repro-no-such-dir/fashion"), FASHION_INSTALL);
  assert(!m.includes("\n"), "one line");
});

Deno.test("fashion-mnist: wrong files fail the shape or checksum check", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const n = 10000;
    Deno.writeFileSync(`${dir}/t10k-images-idx3-ubyte.gz`, gzipSync(encodeIdx([n, 28, 28], new Uint8Array(n * 784))));
    Deno.writeFileSync(`${dir}/t10k-labels-idx1-ubyte.gz`, gzipSync(encodeIdx([n], new Uint8Array(n))));
    throwsWith(() => readFashionSplit("test", dir), "checksum mismatch");
    Deno.writeFileSync(`${dir}/t10k-labels-idx1-ubyte.gz`, gzipSync(encodeIdx([n - 1], new Uint8Array(n - 1))));
    throwsWith(() => readFashionSplit("test", dir), "expected 10000×28×28 and 10000");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  throwsWith(() => buildFashionMnist({ split: "test", n: 10001 }), "n must be in 1..10000");
});

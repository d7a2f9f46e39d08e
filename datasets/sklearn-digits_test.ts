import { withTempCache } from "../lib/testdata/cache.ts";
import { assert, assertThrowsWith as throwsWith } from "../lib/testdata/assert.ts";
import { gzipSync } from "node:zlib";
import { assertEquals } from "../lib/testdata/assert.ts";
import {
  buildSklearnDigits,
  loadSklearnDigits,
  SKLEARN_DIGITS_PIXELS,
  SKLEARN_DIGITS_SIZE,
  SKLEARN_INSTALL,
} from "./sklearn-digits.ts";

Deno.test("sklearn-digits: 1797 8×8 images, sklearn's label counts and first image, checksum pinned", () => {
  const d = buildSklearnDigits(); // throws on a checksum mismatch
  assert(d.n === SKLEARN_DIGITS_SIZE && d.images.length === SKLEARN_DIGITS_SIZE * SKLEARN_DIGITS_PIXELS, "shape");
  const counts = new Array(10).fill(0);
  for (const y of d.labels) counts[y]++;
  // np.bincount(load_digits().target) with scikit-learn 1.2.1 (Debian bookworm's python3-sklearn).
  assertEquals(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  assertEquals([...d.labels.slice(0, 12)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  // load_digits().data[0, :12]
  assertEquals([...d.images.slice(0, 12)].map((v) => v * 16), [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15]);
  assert(Math.max(...d.images) === 1 && Math.min(...d.images) === 0, "range [0, 1]");
});

Deno.test("sklearn-digits: cached prefix equals the direct build", async () => {
  await withTempCache(async () => {
    const a = await loadSklearnDigits(100);
    const b = await loadSklearnDigits(100);
    const c = buildSklearnDigits(100);
    assertEquals([...a.images], [...c.images]);
    assertEquals([...b.labels], [...c.labels]);
  });
});

Deno.test("sklearn-digits: missing package is one line with the install command; bad files are refused", () => {
  const m = throwsWith(
    () => buildSklearnDigits(SKLEARN_DIGITS_SIZE, "/tmp/repro-no-such-dir/sklearn"),
    SKLEARN_INSTALL,
  );
  assert(!m.includes("\n"), "one line");
  const dir = Deno.makeTempDirSync();
  try {
    const row = new Array(64).fill(0).concat([3]).join(",");
    Deno.writeFileSync(`${dir}/digits.csv.gz`, gzipSync(new TextEncoder().encode(row + "\n")));
    throwsWith(() => buildSklearnDigits(1, dir), "has 1 rows, expected 1797");
    Deno.writeFileSync(
      `${dir}/digits.csv.gz`,
      gzipSync(new TextEncoder().encode(Array(SKLEARN_DIGITS_SIZE).fill(row).join("\n"))),
    );
    throwsWith(() => buildSklearnDigits(1, dir), "checksum mismatch");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

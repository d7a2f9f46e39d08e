import { withTempCache } from "../lib/testdata/cache.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrowsWith } from "../lib/testdata/assert.ts";
import { SKLEARN_INSTALL } from "./sklearn-digits.ts";
import { buildSklearnTable, loadSklearnTable } from "./sklearn-tabular.ts";

Deno.test("sklearn-tabular: breast cancer, wine and iris match scikit-learn's loaders, checksums pinned", () => {
  // np.bincount(load_*().target), load_*().data[0, :3] and load_*().data.sum(), scikit-learn 1.2.1 (bookworm).
  const want = {
    breast_cancer: { counts: [212, 357], first: [17.99, 10.38, 122.8], sum: 1056474.4596356 },
    wine: { counts: [59, 71, 48], first: [14.23, 1.71, 2.43], sum: 159975.295999 },
    iris: { counts: [50, 50, 50], first: [5.1, 3.5, 1.4], sum: 2078.7 },
  } as const;
  for (const [name, w] of Object.entries(want)) {
    const t = buildSklearnTable(name as keyof typeof want); // throws on a checksum mismatch
    const counts = new Array(t.classes.length).fill(0);
    for (const c of t.y) counts[c]++;
    assertEquals(counts, [...w.counts], name);
    assertEquals([...t.x.subarray(0, 3)], [...w.first], name);
    assertAlmostEquals(t.x.reduce((a, b) => a + b, 0), w.sum, 1e-6 * w.sum, name);
    assert(t.x.length === t.n * t.d, "shape");
  }
});

Deno.test("sklearn-tabular: cached table equals the direct build", async () => {
  await withTempCache(async () => {
    const a = await loadSklearnTable("wine"), b = await loadSklearnTable("wine"), c = buildSklearnTable("wine");
    assertEquals([...a.x], [...c.x]);
    assertEquals([...b.y], [...c.y]);
    assertEquals(a.classes, ["class_0", "class_1", "class_2"]);
  });
});

Deno.test("sklearn-tabular: a missing package is one line with the install command; a changed file is refused", () => {
  const m = assertThrowsWith(() => buildSklearnTable("iris", "/tmp/repro-no-such-dir/sklearn"), SKLEARN_INSTALL);
  assert(!m.includes("\n"), "one line");
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/iris.csv`, "1,4,a\n1,2,3,4,0\n");
    assertThrowsWith(() => buildSklearnTable("iris", dir), "checksum mismatch");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

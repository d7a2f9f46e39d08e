import { withTempCache } from "../lib/testdata/cache.ts";
import { assert, assertEquals, assertThrowsWith } from "../lib/testdata/assert.ts";
import { brownDocNames, buildBrown, detag, encodeChars, loadBrown } from "./brown.ts";

Deno.test("brown: detag drops tags, normalises quotes and closes up punctuation", () => {
  const t = "\n\n\tThe/at jury/nn said/vbd ``/`` no/at ''/'' ,/, it's/pps+bez 1/2/cd-hl done/vbn ./.\n\n";
  assertEquals(detag(t), 'The jury said " no ", it\'s 1/2 done.\n');
});

Deno.test("brown: 500 documents, checksum pinned, disjoint document splits covering every genre", () => {
  const names = brownDocNames();
  assertEquals(names.length, 500);
  const c = buildBrown(10);
  const held = c.valDocs.length + c.testDocs.length;
  assert(c.valDocs.length >= 50 && c.testDocs.length >= 50 && held <= 120, `held-out ${c.valDocs} ${c.testDocs}`);
  const all = new Set([...c.trainDocs, ...c.valDocs, ...c.testDocs]);
  assertEquals(all.size, 500);
  const genres = (docs: string[]) => new Set(docs.map((d) => d[1])).size;
  assertEquals([genres(c.trainDocs), genres(c.valDocs), genres(c.testDocs)], [15, 15, 15]);
  assertEquals(c.vocab.length, 85);
  assert(
    c.train.length > 4e6 && c.val.length > 5e5 && c.test.length > 5e5,
    `sizes ${c.train.length} ${c.val.length} ${c.test.length}`,
  );
  const { ids, unknown } = encodeChars(c.val, c.vocab);
  assertEquals(ids.length, c.val.length);
  assert(unknown < 10, `unknown validation characters: ${unknown}`);
});

Deno.test("brown: the cache round-trip equals the direct build; bad split sizes are refused", async () => {
  await withTempCache(async () => {
    const a = await loadBrown(10), b = await loadBrown(10), c = buildBrown(10);
    assert(a.train === c.train && b.test === c.test && a.val === c.val, "cached text");
  });
  assertThrowsWith(() => buildBrown(2), "heldOutEvery");
});

import { deepStrictEqual as assertEquals } from "node:assert";
import { cached, cacheStats } from "./cache.ts";
import { withTempCache } from "../testdata/cache.ts";

Deno.test("cache: a second call hits, other inputs miss, a corrupt entry is rebuilt", async () => {
  await withTempCache(async (dir) => {
    let builds = 0;
    const build = () => {
      builds++;
      return { x: new Float64Array([1, 2, 3]), label: "ok" };
    };
    const a = await cached("thing", { n: 3 }, build);
    const b = await cached("thing", { n: 3 }, build);
    assertEquals(builds, 1);
    assertEquals(b, a);
    assertEquals(b.x instanceof Float64Array, true);
    await cached("thing", { n: 4 }, build);
    assertEquals(builds, 2);
    // Flip one payload byte: the checksum catches it and the entry is rebuilt.
    const [file] = [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("thing-")).map((e) => `${dir}/${e.name}`);
    const bytes = Deno.readFileSync(file);
    bytes[bytes.length - 2] ^= 0xff;
    Deno.writeFileSync(file, bytes);
    const rebuilt = cacheStats.rebuilt;
    const c = await cached("thing", { n: 3 }, build);
    assertEquals(c.label, "ok");
    assertEquals(cacheStats.rebuilt, rebuilt + 1);
    assertEquals(builds, 3);
    // Truncated entry.
    Deno.writeFileSync(file, bytes.subarray(0, 10));
    assertEquals((await cached("thing", { n: 3 }, build)).label, "ok");
    assertEquals([builds, cacheStats.rebuilt], [4, rebuilt + 2]);
  });
});

Deno.test("cache: a valid entry copied under another key is refused and rebuilt; no temp files remain", async () => {
  await withTempCache(async (dir) => {
    await cached("k", { n: 1 }, () => "one");
    await cached("k", { n: 2 }, () => "two");
    const files = [...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`).sort();
    Deno.copyFileSync(files[0], files[1]); // n=2's name now holds n=1's (self-consistent) entry
    const values = [await cached("k", { n: 1 }, () => "one"), await cached("k", { n: 2 }, () => "two")];
    assertEquals(values.sort(), ["one", "two"]);
    assertEquals([...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".tmp")).length, 0);
  });
});

/**
 * Every export of lib/ carries a JSDoc comment (an overload's doc on its first signature covers the rest): lib/ is
 * what paper modules are written against, so each export says what it is without a reader opening its body.
 */
import { assert } from "./testdata/assert.ts";

const EXPORT =
  /^export (?:async )?(?:function\*?|const|let|class|abstract class|interface|type|enum) +([A-Za-z0-9_$]+)/;

function* sources(dir: URL): Generator<URL> {
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory && e.name !== "vendor" && e.name !== "experiments") yield* sources(new URL(`${e.name}/`, dir));
    else if (e.isFile && /\.(ts|js)$/.test(e.name) && !e.name.endsWith("_test.ts")) yield new URL(e.name, dir);
  }
}

Deno.test("every lib/ export has a JSDoc comment", () => {
  const missing: string[] = [];
  let count = 0;
  for (const url of sources(new URL("./", import.meta.url))) {
    const lines = Deno.readTextFileSync(url).split("\n");
    let previous = "";
    lines.forEach((line, i) => {
      const m = EXPORT.exec(line);
      if (!m) return;
      count++;
      const overload = m[1] === previous;
      previous = m[1];
      let j = i - 1;
      while (j >= 0 && lines[j].startsWith("// deno-")) j--;
      if (!overload && !(j >= 0 && lines[j].trimEnd().endsWith("*/"))) {
        missing.push(`${url.pathname.split("/lib/")[1]}:${i + 1} ${m[1]}`);
      }
    });
  }
  assert(count > 400, `only ${count} exports found`);
  assert(missing.length === 0, `exports without JSDoc:\n${missing.join("\n")}`);
});

import { deepStrictEqual as assertEquals } from "node:assert";
import toy from "../testdata/experiments/toy/mod.ts";
import { toyStore } from "../testdata/toy_store.ts";
import { writeReport } from "./mod.ts";
import { fmtCell, tableData } from "./tables.ts";
import { ResultSet } from "../claims/results.ts";

Deno.test("a report writes figures (SVG with text, PNG), tables with paper numbers, claims and a page", async () => {
  const store = await toyStore(["mean", "throws"]);
  const dir = Deno.makeTempDirSync();
  const { files } = await writeReport(toy, store, dir, { codeVersion: "t" });
  const names = files.map((f) => f.split("/").pop()).sort();
  assertEquals(names, [
    "claims.md",
    "error-vs-n.png",
    "error-vs-n.svg",
    "errors.md",
    "index.html",
    "report.md",
    "rows.json",
  ]);
  const svg = Deno.readTextFileSync(`${dir}/error-vs-n.svg`);
  assertEquals(svg.includes("<text") && svg.includes("Error vs n"), true);
  const png = Deno.readFileSync(`${dir}/error-vs-n.png`);
  assertEquals([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  const html = Deno.readTextFileSync(`${dir}/index.html`);
  for (
    const part of [
      "A toy",
      "The error at n=1000 is below the error at n=10.",
      "this method always fails",
      "paper: 0.25",
    ]
  ) {
    assertEquals(html.includes(part), true, `page lacks ${part}`);
  }
  store.close();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("table cells: mean ± CI over seeds, paper number matched by method, metric and config", () => {
  const row = (seed: number, n: number, value: number) => ({
    run_id: `${seed}-${n}`,
    backend: "wasm",
    method: "mean",
    seed,
    config: { n },
    metric: "abs_error",
    step: null,
    value,
  });
  const r = new ResultSet([row(0, 10, 1), row(1, 10, 3), row(0, 100, 5)]);
  const d = tableData(toy.tables![0], r, toy.paperNumbers);
  assertEquals(d.rows.map((x) => fmtCell(x.cells.abs_error)), ["2 [1–3] (paper: 0.25)", "5"]);
});

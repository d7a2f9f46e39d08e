import { deepStrictEqual as assertEquals } from "node:assert";
import { paperRows, placementFields } from "./paper_rows.ts";
import { barChart, lineChart } from "../figures/mod.ts";

const source = { url: "https://example.org", where: "Table 1" };
const numbers = [
  { method: "sketch", metric: "err", value: 0.1, where: { n: 100 }, source },
  { method: "sketch", metric: "err", value: 0.2, where: { n: 100, k: 8 }, source },
  { method: "exact", metric: "time_ms", value: 5, source },
];

Deno.test("paper rows: placed where the figure's x and panels are known, as '<method> (paper)'", () => {
  const byN = lineChart({ metric: "err", x: "n" });
  assertEquals(placementFields(byN), { x: "n", panels: [] });
  assertEquals(paperRows(byN, numbers).map((r) => [r.method, r.n, r.value]), [
    ["sketch (paper)", 100, 0.1],
    ["sketch (paper)", 100, 0.2],
  ]);
  // Panels by k: only the number that names k can be placed.
  const panels = lineChart({ metric: "err", x: "n", column: "k" });
  assertEquals(paperRows(panels, numbers).map((r) => r.value), [0.2]);
  // Series against the step: no paper number has a step.
  assertEquals(paperRows(lineChart({ metric: "err", x: "step" }), numbers), []);
  // Bars per method: every number can be placed.
  assertEquals(paperRows(barChart({ metric: "time_ms" }), numbers).length, 3);
});

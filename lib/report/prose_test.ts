import { deepStrictEqual as assertEquals } from "node:assert";
import { prose } from "./prose.ts";

Deno.test("prose: light TeX becomes HTML; code-like names and markup stay as text", () => {
  assertEquals(prose("A^{1/2} and H^{-1/2}"), "A<sup>1/2</sup> and H<sup>-1/2</sup>");
  assertEquals(prose("F^{1/2^t}"), "F<sup>1/2<sup>t</sup></sup>");
  assertEquals(prose("x_{i} + w_i, \\alpha \\le 1"), "x<sub>i</sub> + w<sub>i</sub>, α ≤ 1");
  assertEquals(prose("n^2 grows"), "n<sup>2</sup> grows");
  assertEquals(prose("samples_per_row and time_ms"), "samples_per_row and time_ms");
  assertEquals(prose("<b>"), "&lt;b&gt;");
  assertEquals(prose("\\unknown stays"), "\\unknown stays");
});

import { assert } from "../testdata/assert.ts";
import { expmGeneral, norm1, solveSquare } from "./expm.ts";

Deno.test("expmGeneral: diagonal, rotation and a non-normal 2×2 in closed form", () => {
  const d = expmGeneral(Float64Array.from([-2, 0, 0, 3]), 2);
  assert(Math.abs(d[0] - Math.exp(-2)) < 1e-15 && Math.abs(d[3] / Math.exp(3) - 1) < 1e-14, `diag ${d}`);
  const rot = expmGeneral(Float64Array.from([0, 10, -10, 0]), 2);
  assert(Math.abs(rot[0] - Math.cos(10)) < 1e-13 && Math.abs(rot[1] - Math.sin(10)) < 1e-13, `rotation ${rot}`);
  // [[a, b], [0, c]] → [[e^a, b (e^a − e^c)/(a − c)], [0, e^c]].
  const a = -1, b = 50, c = -4, e = expmGeneral(Float64Array.from([a, b, 0, c]), 2);
  const off = b * (Math.exp(a) - Math.exp(c)) / (a - c);
  assert(Math.abs(e[1] / off - 1) < 1e-13 && Math.abs(e[2]) === 0, `non-normal ${e}`);
});

Deno.test("solveSquare and norm1", () => {
  const x = solveSquare(Float64Array.from([2, 1, 1, 3]), Float64Array.from([3, 5, 4, 5]), 2, 2);
  assert(Math.abs(x[0] - 1) < 1e-15 && Math.abs(x[2] - 1) < 1e-15, `solve ${x}`);
  assert(norm1(Float64Array.from([1, -4, 2, 1]), 2) === 5, "norm1");
});

import { ok as assert } from "node:assert";
import { assertAlmostEquals, assertOrthonormalColumns } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { svdvals, symEig } from "./dense.ts";
import { asymTruth, incoherence, psdTruth, randomOrthonormal, spectrum } from "./truth.ts";

Deno.test("spectrum is geometric with the requested condition number", () => {
  const s = spectrum({ r: 3, kappa: 4 });
  assertAlmostEquals(s[0], 1, 1e-15);
  assertAlmostEquals(s[1], 0.5, 1e-15);
  assertAlmostEquals(s[2], 0.25, 1e-15);
});

Deno.test("psdTruth has the requested eigenvalues and rank", () => {
  const t = psdTruth({ n: 12, r: 3, sigmas: [3, 2, 1] }, Rng.fromSeed(0));
  const w = symEig(t.x).values;
  assertAlmostEquals(w[11], 3, 1e-12);
  assertAlmostEquals(w[10], 2, 1e-12);
  assertAlmostEquals(w[9], 1, 1e-12);
  for (let i = 0; i < 9; i++) assert(Math.abs(w[i]) < 1e-12);
});

Deno.test("asymTruth has the requested singular values", () => {
  const t = asymTruth({ n1: 9, n2: 6, r: 2, kappa: 5 }, Rng.fromSeed(1));
  const s = svdvals(t.x);
  assertAlmostEquals(s[0], 1, 1e-12);
  assertAlmostEquals(s[1], 0.2, 1e-12);
  assert(s[2] < 1e-12);
});

Deno.test("random orthonormal factors are orthonormal and incoherence is within [1, n/r]", () => {
  const q = randomOrthonormal(50, 4, Rng.fromSeed(2));
  assertOrthonormalColumns(q.data, 50, 4, 1e-13);
  const mu = incoherence(q);
  assert(mu >= 1 && mu <= 50 / 4, `mu = ${mu}`);
  const spiky = { rows: 50, cols: 1, data: new Float64Array(50).fill(0).map((_, i) => (i === 0 ? 1 : 0)) };
  assertAlmostEquals(incoherence(spiky), 50, 1e-12);
});

import assert from "node:assert";
import { init } from "@jax-js/jax";
import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { matrixEntropy, mnnHost, mnnJax, normalizeRows, nuclearExact } from "./scores.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const la = getLinalg();
const rng = Rng.fromSeed(3);
const randMat = (N: number, d: number) => ({ rows: N, cols: d, data: rng.normal(N * d) });

Deno.test("normalize: unit rows", () => {
  const Z = normalizeRows(randMat(20, 7));
  for (let i = 0; i < 20; i++) {
    let s = 0;
    for (let j = 0; j < 7; j++) s += Z.data[i * 7 + j] ** 2;
    assertAlmostEquals(s, 1, 1e-12);
  }
});

Deno.test("L1,2 score ≥ exact nuclear norm (triangle inequality, N ≥ d) and equals it for orthogonal columns", () => {
  const R = randMat(50, 12);
  assert(mnnHost(R) >= nuclearExact(R, la) - 1e-12);
  // centred matrix with orthogonal columns and unit rows: R = rows of a scaled Hadamard-like ±1 pattern
  const H = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]];
  const data = new Float64Array(16);
  for (let i = 0; i < 4; i++) for (let j = 1; j < 4; j++) data[i * 4 + j] = H[i][j]; // column 0 zero: centred
  const M = { rows: 4, cols: 4, data };
  assertAlmostEquals(mnnHost(M), nuclearExact(M, la), 1e-12);
});

Deno.test("Matrix Entropy: log d for an isotropic spectrum, 0 for rank one; in [0, 1]", () => {
  // rows ±e_j (centred, unit): covariance ∝ I → normalized entropy 1
  const d = 5, rows: number[] = [];
  for (let j = 0; j < d; j++) {
    for (const s of [1, -1]) rows.push(...Array.from({ length: d }, (_, k) => (k === j ? s : 0)));
  }
  assertAlmostEquals(matrixEntropy({ rows: 2 * d, cols: d, data: Float64Array.from(rows) }, la), 1, 1e-12);
  const r1 = new Float64Array(6 * 3);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 3; j++) r1[i * 3 + j] = (i % 2 ? 1 : -1) * (j + 1);
  assertAlmostEquals(matrixEntropy({ rows: 6, cols: 3, data: r1 }, la), 0, 1e-9);
  const h = matrixEntropy(randMat(40, 10), la);
  assert(h > 0 && h < 1);
});

Deno.test("jax-js (wasm, float32) L1,2 score matches the float64 host score; top-D rule when N < d", async () => {
  await init();
  for (const [N, d] of [[64, 16], [8, 30]]) {
    const R = randMat(N, d);
    assertAlmostEquals((await mnnJax(R)) / mnnHost(R), 1, 1e-5);
  }
});

Deno.test("smoke pipeline: data → every method → measure gives finite metrics", async () => {
  const cfg = exp.config.parse({ width: 16, tokens: 64, train: 200, epochs: 1 });
  const d = await exp.data(cfg, { seed: 0, rng: Rng.fromSeed(0).split("data") });
  assert(d.R.rows === 64 && d.R.cols === 16);
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, cfg);
  for (const [name, metrics] of Object.entries(byMethod)) {
    for (const [metric, v] of Object.entries(metrics)) assert(typeof v === "number", `${name}.${metric} is a series`);
  }
});

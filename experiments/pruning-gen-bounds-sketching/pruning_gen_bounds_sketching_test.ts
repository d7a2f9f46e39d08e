import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { JsLinalg } from "../../lib/math/linalg/mod.ts";
import exp from "./mod.ts";
import {
  bestOverGamma,
  distributedSparsity,
  layerNorms,
  marginLoss,
  margins,
  maxDeviation,
  normTerms,
  paramCounts,
  sketchSide,
  spectralByGram,
  type Weight,
} from "./bounds.ts";

const la = new JsLinalg();

Deno.test("norms of a diagonal-plus-zeros matrix are the closed forms", () => {
  // 3 × 2, W = [[3, 0], [0, -4], [0, 0]]: σ = {4, 3}, ‖W‖_F = 5, column norms 3 and 4.
  const m: Weight = { w: [3, 0, 0, -4, 0, 0], rows: 3, cols: 2 };
  const n = layerNorms(m, la);
  assertAlmostEquals(n.spec, 4, 1e-12);
  assertAlmostEquals(n.frob, 5, 1e-12);
  assertAlmostEquals(n.frobSv, 5, 1e-12);
  assertAlmostEquals(n.l21, 7, 1e-12);
  assertAlmostEquals(spectralByGram(m, la), 4, 1e-12);
});

Deno.test("the Gram-eigenvalue route agrees with the SVD on a random dense matrix", () => {
  let s = 7;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const m: Weight = { w: Float64Array.from({ length: 30 * 20 }, rnd), rows: 30, cols: 20 };
  assertAlmostEquals(spectralByGram(m, la) / layerNorms(m, la).spec, 1, 1e-12);
});

Deno.test("distributed sparsity, sketch side and parameter counts", () => {
  // 4 × 4 identity: k = 1, nnz = 4; p = ⌈√(1·4)·ln 4⌉ = ⌈2.77⌉ = 3.
  const id: Weight = { w: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], rows: 4, cols: 4 };
  assertEquals(distributedSparsity(id), { k: 1, nnz: 4 });
  assertEquals(sketchSide(1, 4, 4), 3);
  const q = paramCounts([id], Math.log(16));
  assertEquals(q.sketch, 9);
  assertEquals(q.dense, 16);
  assertAlmostEquals(q.sparse, 4 * (1 + Math.log(16) / Math.log(16)), 1e-12);
  // A full row makes k the row count.
  assertEquals(distributedSparsity({ w: [1, 1, 1, 0, 0, 0], rows: 2, cols: 3 }).k, 3);
});

Deno.test("margins, margin loss, deviation and the best-γ norm bound", () => {
  const logits = [2, 0, 1, 0, 3, 1, 1, 1, 0];
  const m = margins(logits, [0, 1, 2], 3);
  assertEquals(Array.from(m), [1, 2, -1]);
  assertAlmostEquals(marginLoss(m, 0), 1 / 3, 1e-15);
  assertAlmostEquals(marginLoss(m, 1), 2 / 3, 1e-15);
  assertEquals(maxDeviation([1, 2, 3], [1, 2.5, 2]), 1);
  // Positive margins {1, 2}: quantiles < 0.5 pick γ = 1 (L̂ = 2/3), q = 0.5 picks γ = 2 (L̂ = 1).
  assertAlmostEquals(bestOverGamma(m, 1), Math.min(2 / 3 + 1, 1 + 0.5), 1e-15);
});

Deno.test("norm terms of a one-layer net are the closed forms", () => {
  const m: Weight = { w: [3, 0, 0, -4, 0, 0], rows: 3, cols: 2 };
  const t = normTerms([m], la, 4, 2, 1);
  // spectral: (‖X‖_F/n)·‖W‖₂·((‖W‖_{2,1}/‖W‖₂)^{2/3})^{3/2} = (2/4)·4·(7/4) = 3.5.
  assertAlmostEquals(t.spectral, 3.5, 1e-12);
  // Frobenius: B·(√(2 ln 2) + 1)·‖W‖_F/√n = (√(2 ln 2) + 1)·5/2.
  assertAlmostEquals(t.frobenius, (Math.sqrt(2 * Math.LN2) + 1) * 2.5, 1e-12);
});

Deno.test("smoke runs: identities hold and pruning keeps the exact count", async () => {
  for (const { m } of await runSmokePoints(exp)) {
    assert((m.spec_route_err as number) < 1e-9, `spec route ${m.spec_route_err}`);
    assert((m.frob_route_err as number) < 1e-9, `frob route ${m.frob_route_err}`);
    assertEquals(m.nnz_err, 0);
    assert((m.q_sketch as number) > 0 && (m.gamma_c as number) >= 0);
  }
});

/**
 * Tests for kronecker-attention: each operator against an independent naive reference (softmax without the max
 * shift, pooled vectors built position by position), the exact relation on constant inputs, row/column permutation
 * equivariance, counters against closed forms, and the smoke pipeline.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { closedForm, fullAttention, kaoKV, kaoQKV, type OperatorName, OPERATORS } from "./kao.ts";
import { type AttnMode, ResidualAttention } from "./layer.ts";
import type { Ctx } from "../../lib/math/nn/layer.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import exp from "./mod.ts";

/** Naive softmax(QKᵀ)V, no max shift (inputs are small). */
function naiveAttend(q: number[][], kv: number[][]): number[][] {
  return q.map((qa) => {
    const e = kv.map((kb) => Math.exp(qa.reduce((s, x, c) => s + x * kb[c], 0)));
    const z = e.reduce((s, x) => s + x, 0);
    return qa.map((_, c) => kv.reduce((s, kb, b) => s + (e[b] / z) * kb[c], 0));
  });
}

const rows = (x: Float64Array, n: number, C: number) =>
  Array.from({ length: n }, (_, p) => Array.from(x.subarray(p * C, p * C + C)));

/** Pooled vectors from the definition: column means (over i) for each j, then row means (over j) for each i. */
function naivePool(x: Float64Array, H: number, W: number, C: number): number[][] {
  const at = (i: number, j: number, c: number) => x[(i * W + j) * C + c];
  const cols = Array.from({ length: W }, (_, j) =>
    Array.from({ length: C }, (_, c) => {
      let s = 0;
      for (let i = 0; i < H; i++) s += at(i, j, c);
      return s / H;
    }));
  const rws = Array.from({ length: H }, (_, i) =>
    Array.from({ length: C }, (_, c) => {
      let s = 0;
      for (let j = 0; j < W; j++) s += at(i, j, c);
      return s / W;
    }));
  return [...cols, ...rws];
}

const small = (H: number, W: number, C: number, seed: number) =>
  (Rng.fromSeed(seed).normal(H * W * C) as Float64Array).map((v) => 0.5 * v);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("full attention, KAO_KV and KAO_QKV match naive references (H ≠ W)", () => {
  const H = 3, W = 5, C = 4, x = small(H, W, C, 1);
  const X = rows(x, H * W, C), P = naivePool(x, H, W, C);
  assert(maxDiff(fullAttention(x, H, W, C).out, naiveAttend(X, X).flat()) < 1e-14, "full");
  assert(maxDiff(kaoKV(x, H, W, C).out, naiveAttend(X, P).flat()) < 1e-14, "KAO_KV");
  const po = naiveAttend(P, P);
  const ref: number[] = [];
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) for (let c = 0; c < C; c++) ref.push(po[W + i][c] + po[j][c]);
  assert(maxDiff(kaoQKV(x, H, W, C).out, ref) < 1e-14, "KAO_QKV");
});

Deno.test("constant input: full = KAO_KV = the input, KAO_QKV = twice it", () => {
  const H = 4, W = 6, C = 3, v = [0.3, -1.2, 2.0];
  const x = new Float64Array(H * W * C).map((_, k) => v[k % C]);
  assert(maxDiff(fullAttention(x, H, W, C).out, x) < 1e-14);
  assert(maxDiff(kaoKV(x, H, W, C).out, x) < 1e-14);
  assert(maxDiff(kaoQKV(x, H, W, C).out, x.map((t) => 2 * t)) < 1e-14);
});

Deno.test("every operator is equivariant under row and column permutations of the map", () => {
  const H = 4, W = 5, C = 3, x = small(H, W, C, 2), r = Rng.fromSeed(3);
  const pi = r.permutation(H), pj = r.permutation(W);
  const permute = (a: Float64Array) => {
    const b = new Float64Array(a.length);
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        b.set(a.subarray((pi[i] * W + pj[j]) * C, (pi[i] * W + pj[j] + 1) * C), (i * W + j) * C);
      }
    }
    return b;
  };
  for (const name of Object.keys(OPERATORS) as OperatorName[]) {
    const f = OPERATORS[name];
    assert(maxDiff(f(permute(x), H, W, C).out, permute(f(x, H, W, C).out)) < 1e-13, name);
  }
});

Deno.test("counters equal the closed forms; small case by hand", () => {
  for (const [H, W, C] of [[1, 1, 1], [2, 3, 4], [5, 2, 7], [8, 8, 16]]) {
    for (const name of Object.keys(OPERATORS) as OperatorName[]) {
      const o = OPERATORS[name](small(H, W, C, 4), H, W, C);
      assertEquals(o.cost, closedForm(name, H, W, C), `${name} ${H}×${W}×${C}`);
    }
  }
  // H = W = 2, C = 1: n = 4, m = 4. full: 4·16 + 4·16 = 128 flops, 16 + 4 = 20 floats.
  assertEquals(closedForm("full", 2, 2, 1), { flops: 128, memFloats: 20 });
  // KAO_KV: pooling 2·4 + 4 = 12, attention 4·16 + 4·16 = 128 → 140; memory 4 + 16 + 4 = 24.
  assertEquals(closedForm("kaoKV", 2, 2, 1), { flops: 140, memFloats: 24 });
  // KAO_QKV: 12 + 128 + 4 (broadcast) = 144; memory 4 + (16 + 4) + 4 = 28.
  assertEquals(closedForm("kaoQKV", 2, 2, 1), { flops: 144, memFloats: 28 });
});

Deno.test("the ratio full/KAO_QKV passes 100× by side 64 and full/KAO_KV is about HW/(H+W)", () => {
  const f = closedForm("full", 64, 64, 32), q = closedForm("kaoQKV", 64, 64, 32), k = closedForm("kaoKV", 64, 64, 32);
  assert(f.flops / q.flops > 100 && f.memFloats / q.memFloats > 100);
  assertAlmostEquals(f.flops / k.flops, 32, 2);
});

Deno.test("smoke pipeline: every run records exact counts", async () => {
  const runs = (await runSmokePoints(exp, (p) => p.task === "cost" || p.side === 8)).filter((r) => !r.run.skip);
  const cost = runs.filter((r) => "flops" in r.m), fit = runs.filter((r) => "test_acc" in r.m);
  assertEquals([cost.length, fit.length], [6, 4]);
  for (const r of fit) assert(r.m.test_acc > 0.1 && r.m.test_acc <= 1, `${r.run.method} ${r.m.test_acc}`);
  for (const r of cost) {
    assertEquals(r.m.count_gap, 0);
    assert(r.m.flops > 0 && r.m.mem_floats > 0);
  }
});

Deno.test("ResidualAttention: forward = x + operator (scaled), backward = central differences, every mode", () => {
  const C = 3, H = 3, W = 4, n = H * W, batch = 2, r = Rng.fromSeed(5);
  const x = r.normal(batch * C * n) as Float64Array, g = r.normal(batch * C * n) as Float64Array;
  const ctx = {} as Ctx;
  for (const mode of ["none", "full", "kaoKV", "kaoQKV"] as AttnMode[]) {
    const layer = new ResidualAttention(mode);
    layer.build([C, H, W]);
    const loss = () => {
      const y = layer.forward(x, batch, ctx, true);
      let s = 0;
      for (let k = 0; k < y.length; k++) s += g[k] * y[k];
      return s;
    };
    loss();
    const dx = layer.backward(g, batch, ctx, true)!;
    assertCentralDifferences(loss, x, dx, { h: 1e-6, tol: 1e-7, label: `x (${mode})` });
  }
  // With scale 1 the layer's output minus x is the cost operator's output (sample 0, transposed).
  const layer = new ResidualAttention("kaoKV");
  layer.build([1, H, W]);
  const x1 = (r.normal(n) as Float64Array).map((v) => 0.5 * v), y = layer.forward(x1, 1, ctx, false);
  assert(maxDiff(y.map((v, k) => v - x1[k]), kaoKV(x1, H, W, 1).out) < 1e-14);
});

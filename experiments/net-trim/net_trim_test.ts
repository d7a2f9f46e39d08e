import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import type { Mat } from "../../lib/math/linalg/types.ts";
import { Rng } from "../../lib/math/rng.ts";
import { gradients, type Net } from "./mlp.ts";
import { magnitudePrune, netTrimLayer, nnzWeights, projectC, withOnes } from "./nettrim.ts";
import { buildData, evaluate, magnitude, netTrim } from "./pipeline.ts";
import exp from "./mod.ts";

Deno.test("backprop gradient matches finite differences", () => {
  const rng = Rng.fromSeed(1);
  const sizes = [5, 4, 3];
  const net: Net = [0, 1].map((l) => ({
    w: mat(sizes[l], sizes[l + 1], rng.normal(sizes[l] * sizes[l + 1])) as Mat<Float64Array>,
    b: rng.normal(sizes[l + 1]).map((v) => 0.1 * v),
  }));
  const x = mat(6, 5, rng.normal(30)) as Mat<Float64Array>;
  const y = Uint8Array.from([0, 1, 2, 0, 1, 2]);
  const { grads } = gradients(net, x, y);
  const h = 1e-6;
  for (const [l, t] of [[0, 3], [0, 17], [1, 5], [1, 0]]) {
    const w = net[l].w.data, w0 = w[t];
    w[t] = w0 + h;
    const up = gradients(net, x, y).loss;
    w[t] = w0 - h;
    const dn = gradients(net, x, y).loss;
    w[t] = w0;
    assertAlmostEquals(grads[l].w.data[t], (up - dn) / (2 * h), 1e-6);
  }
});

Deno.test("projection onto the relaxed ReLU constraint set is idempotent and feasible", () => {
  const rng = Rng.fromSeed(2);
  const P = 20, M = 3;
  const y = rng.normal(P * M).map((v) => Math.max(v, 0));
  const v = rng.normal(P * M).map((u) => 3 * u);
  const eps = Float64Array.from([0.1, 1, 100]);
  projectC(v, y, P, M, eps, true);
  for (let j = 0; j < M; j++) {
    let d2 = 0;
    for (let p = 0; p < P; p++) {
      const t = p * M + j;
      if (y[t] > 0) d2 += (v[t] - y[t]) ** 2;
      else assert(v[t] <= 0);
    }
    assert(Math.sqrt(d2) <= eps[j] + 1e-12);
  }
  const w = v.slice();
  projectC(w, y, P, M, eps, true);
  for (let t = 0; t < v.length; t++) assertAlmostEquals(w[t], v[t], 1e-12);
});

Deno.test("Net-Trim ADMM recovers a sparse planted layer and satisfies its constraints", () => {
  // Planted sparse ReLU layer with more samples than inputs: the ℓ1-minimal feasible weights are sparse,
  // and ADMM must land (near-)feasible with far fewer nonzeros than the dense least-squares warm start.
  const rng = Rng.fromSeed(3);
  const P = 200, N = 30, M = 4;
  const x = mat(P, N, rng.normal(P * N)) as Mat<Float64Array>;
  const wTrue = mat(N + 1, M);
  for (let j = 0; j < M; j++) for (let k = 0; k < 3; k++) wTrue.data[rng.int(N) * M + j] = rng.normal();
  const xa = withOnes(x);
  const z = mat(P, M);
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < M; j++) {
      let s = 0;
      for (let i = 0; i <= N; i++) s += xa.data[p * (N + 1) + i] * wTrue.data[i * M + j];
      z.data[p * M + j] = Math.max(s, 0);
    }
  }
  const dense = mat(N + 1, M, wTrue.data.map((v) => v + 0.05 * rng.normal()));
  const { w } = netTrimLayer(xa, z, dense, { epsRel: 0.02, rho: 1, iters: 600, relu: true });
  assert(nnzWeights(w) <= 3 * M + 4, `nnz ${nnzWeights(w)}`);
  // the planted weights are feasible, so the ℓ1 minimiser's weight norm cannot exceed theirs (up to slack)
  const l1 = (m: Mat<Float64Array>) => m.data.subarray(0, N * M).reduce((s, v) => s + Math.abs(v), 0);
  assert(l1(w) <= 1.01 * l1(wTrue), `‖w‖₁ ${l1(w)} vs planted ${l1(wTrue)}`);
  // held-in response error ≤ ε (+ slack for finite iterations)
  let num = 0, den = 0;
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < M; j++) {
      let s = 0;
      for (let i = 0; i <= N; i++) s += xa.data[p * (N + 1) + i] * w.data[i * M + j];
      num += (Math.max(s, 0) - z.data[p * M + j]) ** 2;
      den += z.data[p * M + j] ** 2;
    }
  }
  assert(Math.sqrt(num / den) < 0.03, `response error ${Math.sqrt(num / den)}`);
});

Deno.test("magnitude pruning keeps exactly the k largest weights and the bias row", () => {
  const w = mat(3, 2, Float64Array.from([0.5, -3, 2, 0.1, 7, 8]));
  const p = magnitudePrune(w, 2);
  assertEquals(Array.from(p.data), [0, -3, 2, 0, 7, 8]);
  assertEquals(nnzWeights(p), 2);
});

Deno.test("smoke pipeline gives finite metrics and matched sparsity", async () => {
  const cfg = exp.config.parse({ ...exp.scales.smoke.set, epsRel: 0.1 });
  const data = await buildData(
    { nTrain: 1000, nTest: 300, nTrim: 200, hidden: [cfg.h1, cfg.h2], epochs: 3, lr: cfg.lr },
    Rng.fromSeed(0),
  );
  assert(data.baseAcc > 0.7, `trained accuracy ${data.baseAcc}`);
  const nt = netTrim(data, { epsRel: 0.1, rho: 1, iters: 60 });
  const mg = magnitude(data, nt.nnz);
  assertEquals(mg.nnz, nt.nnz);
  for (const p of [nt, mg]) {
    const m = evaluate(data, p);
    for (const v of [m.test_acc, m.sparsity, m.mean_layer_err, m.output_err, ...m.layer_err]) {
      assert(Number.isFinite(v));
    }
    assert(m.sparsity > 0.2);
  }
});

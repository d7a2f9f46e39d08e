import { ok as assert } from "node:assert";
import { defaultDevice, init, numpy as np } from "@jax-js/jax";
import { Rng } from "../../lib/math/rng.ts";
import { actTensor, denseMatrix, GROUPS, perfectMatchings, setPartitions, spanningDiagrams } from "./diagrams.ts";
import { factor, factoredCost, factoredLayer } from "./factored.ts";
import { disposePlans, factoredLayerJax, uploadPlans } from "./factored_jax.ts";
import { factored, makeLayer, naive } from "./layer.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const maxRel = (y: ArrayLike<number>, ref: ArrayLike<number>) => {
  let e = 0, s = 0;
  for (let i = 0; i < ref.length; i++) (e = Math.max(e, Math.abs(y[i] - ref[i])), s = Math.max(s, Math.abs(ref[i])));
  return e / s;
};
const matvec = (W: Float64Array, v: Float64Array) => {
  const rows = W.length / v.length, y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < v.length; j++) y[i] += W[i * v.length + j] * v[j];
  return y;
};

Deno.test("diagram counts: Bell numbers for S_n, (l+k−1)!! for Brauer", () => {
  assert([1, 2, 3, 4, 5, 6].map((m) => setPartitions(m).length).join() === "1,2,5,15,52,203");
  assert([2, 4, 6, 8].map((m) => perfectMatchings(m).length).join() === "1,3,15,105");
  assert(perfectMatchings(5).length === 0);
});

Deno.test("dense matrix from the definition: O(n) (1,1) is I; the (2,0)-pair is vec(I); Sp(n) pair is vec(ε)", () => {
  const n = 4;
  const id = denseMatrix("O_n", spanningDiagrams("O_n", 1, 1), [1], n);
  assert(id.every((x, i) => x === (Math.floor(i / n) === i % n ? 1 : 0)));
  // (k, l) = (2, 0) would be a row vector; use (0→2) via l = 2, k = 2 diagram {0,1},{2,3}: vec(I)·vec(I)ᵀ.
  const cup = denseMatrix("O_n", [{ k: 2, l: 2, blocks: [[0, 1], [2, 3]] }], [1], n);
  assert(cup[0 * 16 + 0] === 1 && cup[5 * 16 + 10] === 1 && cup[1 * 16 + 0] === 0);
  const sp = denseMatrix("Sp_n", [{ k: 2, l: 2, blocks: [[0, 1], [2, 3]] }], [1], n);
  // ε(0, 2) = +1, ε(2, 0) = −1 (m = 2): row (0,2) = 2, column (2,0) = 8.
  assert(sp[2 * 16 + 2] === 1 && sp[2 * 16 + 8] === -1 && sp[8 * 16 + 8] === 1 && sp[0] === 0);
});

Deno.test("factored MatrixMult equals the dense product (float64) for every group and (k, l) ≤ 4", () => {
  const rng = Rng.fromSeed(1);
  for (const g of GROUPS) {
    for (const [k, l] of [[1, 1], [2, 2], [1, 3], [3, 1], [3, 3], [2, 4], [4, 2], [4, 4], [2, 3]]) {
      const n = g === "S_n" && k + l === 8 ? 2 : 4;
      const ds = spanningDiagrams(g, k, l);
      if (!ds.length) continue;
      const lam = rng.normal(ds.length), v = rng.normal(n ** k);
      const y = factoredLayer(ds.map((d) => factor(g, d, n)), lam, n, v);
      const e = maxRel(y, matvec(denseMatrix(g, ds, lam, n), v));
      assert(e < 1e-13, `${g} (${k},${l}): ${e}`);
    }
  }
});

Deno.test("each single diagram: factored = dense (S_n (2,3), O(n) and Sp(n) (3,3)), so no error cancels in the sum", () => {
  const rng = Rng.fromSeed(2);
  for (const [g, k, l] of [["S_n", 2, 3], ["O_n", 3, 3], ["Sp_n", 3, 3]] as const) {
    const n = 4, v = rng.normal(n ** k);
    for (const d of spanningDiagrams(g, k, l)) {
      const e = maxRel(factoredLayer([factor(g, d, n)], [1], n, v), matvec(denseMatrix(g, [d], [1], n), v));
      assert(e < 1e-14, `${g} ${JSON.stringify(d.blocks)}: ${e}`);
    }
  }
});

Deno.test("the spanning matrices are equivariant: permutations (S_n), orthogonal (O(n)), symplectic (Sp(n)) g", () => {
  const n = 4, k = 2, l = 2, rng = Rng.fromSeed(3);
  // g for each group: a permutation; a Givens rotation times a reflection; exp of a Hamiltonian (here a symplectic
  // shear [[I, S], [0, I]] with S symmetric, times the symplectic rotation ε).
  const perm = new Float64Array(n * n);
  [2, 0, 3, 1].forEach((j, i) => (perm[i * n + j] = 1));
  const c = Math.cos(0.7), s = Math.sin(0.7);
  const orth = Float64Array.from([c, -s, 0, 0, s, c, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1]);
  const S = [[0.3, -0.5], [-0.5, 1.1]];
  const shear = Float64Array.from([1, 0, S[0][0], S[0][1], 0, 1, S[1][0], S[1][1], 0, 0, 1, 0, 0, 0, 0, 1]);
  const gs = { S_n: perm, O_n: orth, Sp_n: shear };
  for (const g of GROUPS) {
    const ds = spanningDiagrams(g, k, l), lam = rng.normal(ds.length), v = rng.normal(n ** k);
    const W = denseMatrix(g, ds, lam, n);
    const lhs = matvec(W, actTensor(gs[g], n, k, v)), rhs = actTensor(gs[g], n, l, matvec(W, v));
    assert(maxRel(lhs, rhs) < 1e-12, `${g}: W(g·v) ≠ g·(Wv) by ${maxRel(lhs, rhs)}`);
  }
  // The property can fail: the O(n) layer is not equivariant under the (non-orthogonal) shear.
  const ds = spanningDiagrams("O_n", k, l), lam = rng.normal(ds.length), v = rng.normal(n ** k);
  const W = denseMatrix("O_n", ds, lam, n);
  assert(maxRel(matvec(W, actTensor(shear, n, k, v)), actTensor(shear, n, l, matvec(W, v))) > 1e-3);
});

Deno.test("factored cost: far below n^(l+k) for O(n) at (4,4), n = 10", () => {
  const n = 10, plans = spanningDiagrams("O_n", 4, 4).map((d) => factor("O_n", d, n));
  const c = plans.reduce((s, p) => s + factoredCost(p, n), 0);
  assert(c < n ** 8 / 10, `${c} vs ${n ** 8}`);
});

Deno.test("jax-js (wasm, float32) factored and naive layers match the float64 reference", async () => {
  await init();
  defaultDevice("wasm");
  const d = makeLayer({ group: "Sp_n", n: 4, k: 3, l: 3, maxDiagrams: 256, maxDense: 2 ** 20 }, Rng.fromSeed(4));
  const f = await factored(d, "wasm"), nv = await naive(d, "wasm");
  assert(maxRel(f.y, d.yRef) < 1e-5 && maxRel(nv.y, d.yRef) < 1e-5, `${maxRel(f.y, d.yRef)} ${maxRel(nv.y, d.yRef)}`);
  // Eager (un-jitted) path over the S_n plans too.
  const s = makeLayer({ group: "S_n", n: 3, k: 2, l: 2, maxDiagrams: 256, maxDense: 2 ** 20 }, Rng.fromSeed(5));
  const consts = uploadPlans(s.plans, s.n, np.float32);
  const v = np.array(Float32Array.from(s.v));
  const y = await factoredLayerJax(s.plans, consts, s.lambdas, s.n, v).data();
  v.dispose();
  disposePlans(consts);
  assert(maxRel(y, s.yRef) < 1e-5);
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics, exact outputs", async () => {
  const cfg = exp.config.parse({ group: "O_n", n: 4, k: 3, l: 3 });
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, cfg, { methods: ["naive", "factored"] });
  for (const [m, metrics] of Object.entries(byMethod)) assert((metrics.rel_err as number) < 1e-12, m);
  assert(Object.keys(byMethod).length === 2, "both methods run");
  assert(exp.methods.naive.skip!({ ...cfg, group: "Sp_n", n: 3 }));
  assert(exp.methods.factored.skip!({ ...cfg, k: 2, l: 3 }));
});

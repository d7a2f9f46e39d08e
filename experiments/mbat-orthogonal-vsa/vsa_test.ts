import { assert, assertOrthonormalColumns } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import {
  bindChain,
  cconv,
  cleanup,
  cosine,
  decode,
  dot,
  encode,
  evaluate,
  gaussianMatrix,
  involution,
  makeBench,
  makeBinder,
  makeTree,
  matvec,
  norm,
  orthogonalMatrix,
} from "./vsa.ts";
import { runMethods } from "../../lib/testdata/run.ts";

Deno.test("circular convolution matches the DFT product on a small case", () => {
  const rng = Rng.fromSeed(1), d = 8, a = rng.normal(d), b = rng.normal(d), y = cconv(a, b);
  // reference: (a ⊛ b) = IDFT(DFT(a)·DFT(b)), computed naively
  for (let i = 0; i < d; i++) {
    let re = 0;
    for (let f = 0; f < d; f++) {
      let ar = 0, ai = 0, br = 0, bi = 0;
      for (let t = 0; t < d; t++) {
        const w = -2 * Math.PI * f * t / d;
        ar += a[t] * Math.cos(w), ai += a[t] * Math.sin(w), br += b[t] * Math.cos(w), bi += b[t] * Math.sin(w);
      }
      const pr = ar * br - ai * bi, pi = ar * bi + ai * br, w = 2 * Math.PI * f * i / d;
      re += (pr * Math.cos(w) - pi * Math.sin(w)) / d;
    }
    assert(Math.abs(re - y[i]) < 1e-10, `cconv[${i}] ${y[i]} vs ${re}`);
  }
  // the involution is the exact correlation: (a* ⊛ b)_0 = a·b
  assert(Math.abs(cconv(involution(a), b)[0] - dot(a, b)) < 1e-12, "involution");
});

Deno.test("orthogonal matrix: QᵀQ = I, lengths kept; Gaussian matrix has E‖Mx‖² ≈ ‖x‖²", () => {
  const d = 64, q = orthogonalMatrix(d, Rng.fromSeed(2));
  assertOrthonormalColumns(q, d, d, 1e-12);
  const x = Rng.fromSeed(3).normal(d);
  assert(Math.abs(norm(matvec(q, x)) - norm(x)) < 1e-12, "orthogonal keeps the norm");
  assert(Math.abs(norm(matvec(q, matvec(q, x), true)) - norm(x)) < 1e-12, "Qᵀ Q x = x");
  let ratio = 0;
  for (let s = 0; s < 50; s++) ratio += norm(matvec(gaussianMatrix(d, Rng.fromSeed(10 + s)), x)) ** 2 / dot(x, x);
  assert(Math.abs(ratio / 50 - 1) < 0.1, `Gaussian E‖Mx‖²/‖x‖² = ${ratio / 50}`);
});

Deno.test("exact Gaussian inverse unbinds a lone binding exactly; transpose only approximately", () => {
  const d = 64, x = Rng.fromSeed(4).normal(d);
  const inv = makeBinder("gaussian-inverse", d, Rng.fromSeed(5)), tr = makeBinder("gaussian", d, Rng.fromSeed(5));
  const back = inv.unbind(inv.bind(x));
  for (let i = 0; i < d; i++) assert(Math.abs(back[i] - x[i]) < 1e-8, "M⁻¹ M x = x");
  const c = cosine(tr.unbind(tr.bind(x)), x);
  assert(c > 0.4 && c < 0.95, `cos(MᵀMx, x) = ${c} should be ≈ 1/√2`);
});

Deno.test("encode/decode: a depth-3 tree with orthogonal keys and no siblings decodes its leaf exactly", () => {
  const d = 128, rng = Rng.fromSeed(6), t = makeTree(3, 1, 10, rng);
  const vocab = rng.normal(10 * d), atom = (i: number) => vocab.subarray(i * d, (i + 1) * d);
  const binders = [makeBinder("orthogonal", d, rng)];
  const est = decode(t, encode(t, binders, atom), binders);
  for (let i = 0; i < d; i++) assert(Math.abs(est[i] - atom(t.leaf)[i]) < 1e-10, "exact leaf");
  assert(cleanup(est, vocab, d) === t.leaf, "cleanup finds the leaf");
  assert(Math.abs(norm(bindChain(t.path, binders, atom(0))) - norm(atom(0))) < 1e-10, "chain keeps norm");
});

Deno.test("evaluate: orthogonal drift is zero, Gaussian drift positive, HRR retrieval degrades with depth", () => {
  const o = { dim: 128, branching: 2, vocab: 50, trees: 10 };
  const rng = Rng.fromSeed(7);
  const shallow = makeBench({ ...o, depth: 1 }, rng.split("a")), deep = makeBench({ ...o, depth: 8 }, rng.split("b"));
  const orth = evaluate(deep, "orthogonal", 2, rng.split("o"));
  assert(orth.norm_drift < 1e-12 && orth.sim_error < 1e-12, `orth drift ${orth.norm_drift}`);
  assert(evaluate(deep, "gaussian", 2, rng.split("g")).norm_drift > 0.01, "Gaussian drifts");
  const h1 = evaluate(shallow, "hrr", 2, rng.split("h")), h8 = evaluate(deep, "hrr", 2, rng.split("h"));
  assert(h8.leaf_cos < h1.leaf_cos, `HRR leaf cos ${h1.leaf_cos} → ${h8.leaf_cos}`);
});

Deno.test("smoke pipeline: data → every method → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  const byMethod = await runMethods(exp, { depth: 4 });
  assert(Object.keys(byMethod).length === Object.keys(exp.methods).length, "every method runs");
});

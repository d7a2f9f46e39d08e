import { assert, assertAlmostEquals } from "../../testdata/assert.ts";
import { assertCentralDifferences } from "../../testdata/gradcheck.ts";
import { Rng } from "../rng.ts";
import {
  columnSumDeviation,
  Dense,
  LayerNorm,
  PatchEmbed,
  Sequential,
  SinkhornAttention,
  sinkhornLogits,
  TakeToken,
} from "./mod.ts";

/** A tiny float64 ViT: 1×4×4 images, patch 2 (5 tokens), dim 6, d_h 3, 3 classes. */
function tinyVit(nIt: number, seed: number, backend: "native" | "js") {
  const net = new Sequential(
    [new PatchEmbed(2, 6), new SinkhornAttention(3, nIt), new TakeToken(0), new LayerNorm(), new Dense(3)],
    [1, 4, 4],
    { dtype: "float64", rng: Rng.fromSeed(seed).split("init"), backend },
  );
  const rng = Rng.fromSeed(seed + 100);
  // Random LayerNorm gains/biases so their gradients are exercised away from the init.
  net.store.value.set(net.store.value.map((v) => v + 0.3 * rng.normal()));
  const batch = 3, x = rng.normal(batch * 16), y = Int32Array.from([0, 2, 1]);
  return { net, batch, x, y };
}

for (const backend of ["js", "native"] as const) {
  for (const nIt of [1, 2, 3, 5]) {
    Deno.test(`attention: ViT gradients match central differences (n_it=${nIt}, ${backend}, float64)`, () => {
      const { net, batch, x, y } = tinyVit(nIt, nIt, backend);
      net.lossAndGrad(x, y, batch);
      assertCentralDifferences(() => net.loss(x, y, batch), net.store.value, net.store.grad.slice(), {
        label: `params n_it=${nIt}`,
        tol: 1e-6,
      });
    });
  }
}

Deno.test("attention: LayerNorm and the attention block pass ∂x (input gradient by central differences)", () => {
  const rng = Rng.fromSeed(9);
  const net = new Sequential([new LayerNorm(), new SinkhornAttention(2, 3), new TakeToken(1), new Dense(2)], [4, 5], {
    dtype: "float64",
    rng: rng.split("init"),
    backend: "js",
  });
  const batch = 2, x = rng.normal(batch * 20), y = Int32Array.from([1, 0]);
  net.store.zeroGrad();
  const ctx = net.ctx(), out = net.forward(x, batch, true, ctx);
  const d = new Float64Array(out.length);
  // loss = Σ out·w for fixed weights w: ∂out = w.
  const w = rng.normal(out.length);
  d.set(w);
  let g: Float64Array | null = d;
  for (let l = net.layers.length - 1; l >= 0; l--) g = net.layers[l].backward(g!, batch, ctx, true) as Float64Array;
  const loss = () => {
    const o = net.forward(x, batch, false);
    let s = 0;
    for (let i = 0; i < o.length; i++) s += o[i] * w[i];
    return s;
  };
  assertCentralDifferences(loss, x, g!.slice(), { label: "input" });
  void y;
});

Deno.test("attention: Sinkhorn with n_it = 1 is the row softmax of S exactly", () => {
  const t = 7, rng = Rng.fromSeed(3), s = rng.normal(t * t).map((v) => 3 * v), l = s.slice();
  sinkhornLogits(l, t, 1);
  for (let i = 0; i < t; i++) {
    let m = -Infinity, z = 0;
    for (let j = 0; j < t; j++) m = Math.max(m, s[i * t + j]);
    for (let j = 0; j < t; j++) z += Math.exp(s[i * t + j] - m);
    for (let j = 0; j < t; j++) assertAlmostEquals(Math.exp(l[i * t + j]), Math.exp(s[i * t + j] - m) / z, 1e-15);
  }
});

Deno.test("attention: many Sinkhorn iterations give a doubly stochastic matrix; few do not", () => {
  const t = 9, rng = Rng.fromSeed(4), s = rng.normal(t * t).map((v) => 2 * v);
  const dev = (n: number) => {
    const l = s.slice();
    sinkhornLogits(l, t, n);
    return columnSumDeviation(l.map(Math.exp), 1, t);
  };
  assert(dev(1) > 0.1, `softmax column sums deviate: ${dev(1)}`);
  assert(dev(5) < dev(3) && dev(3) < dev(1), "deviation falls with iterations");
  assert(dev(201) < 1e-12, `n_it = 201: ${dev(201)}`);
  // rows stay stochastic after an odd number of steps
  const l = s.slice();
  sinkhornLogits(l, t, 201);
  for (let i = 0; i < t; i++) {
    let r = 0;
    for (let j = 0; j < t; j++) r += Math.exp(l[i * t + j]);
    assertAlmostEquals(r, 1, 1e-14);
  }
});

Deno.test("attention: the native and js kernels give the same forward pass (float64)", () => {
  const a = tinyVit(3, 7, "js"), b = tinyVit(3, 7, "native");
  const ya = a.net.forward(a.x, a.batch).slice(), yb = b.net.forward(b.x, b.batch);
  for (let i = 0; i < ya.length; i++) assertAlmostEquals(ya[i], yb[i], 1e-12);
});

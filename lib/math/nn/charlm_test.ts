import { assert, assertEquals } from "../../testdata/assert.ts";
import { assertCentralDifferences, spread } from "../../testdata/gradcheck.ts";
import { Rng } from "../rng.ts";
import { charMlp, Embedding, evalWindows, heldOutLoss, hiddenMatrices, sampleWindows } from "./charlm.ts";

const ids = (n: number, v: number, rng: Rng) => Uint8Array.from({ length: n }, () => Math.floor(rng.uniform() * v));

Deno.test("charlm: backward (embedding gather/scatter, dense, GELU) matches central differences", () => {
  const rng = Rng.fromSeed(3);
  const net = charMlp({ vocab: 7, context: 4, embed: 3, hidden: 5, rng: rng.split("init") });
  const w = sampleWindows(ids(200, 7, rng.split("d")), 4, 6, rng.split("w"));
  net.lossAndGrad(w.x, w.y, w.batch);
  const grad = net.store.grad.slice();
  assertCentralDifferences(() => heldOutLoss(net, w), net.store.value, grad, {
    indices: spread(net.store.size, 80),
    tol: 1e-7,
    label: "θ",
  });
});

Deno.test("charlm: embedding forward is a row lookup; a repeated id accumulates its gradient", () => {
  const net = charMlp({ vocab: 5, context: 2, embed: 3, hidden: 4, layers: 1, rng: Rng.fromSeed(1) });
  const emb = net.layers[0] as Embedding;
  const y = emb.forward(Float64Array.from([4, 4]), 1, net.ctx());
  for (let c = 0; c < 3; c++) assert(y[c] === emb.w.value[12 + c] && y[3 + c] === emb.w.value[12 + c], "lookup");
  emb.w.grad.fill(0);
  emb.backward(Float64Array.from([1, 2, 3, 10, 20, 30]), 1, net.ctx(), false);
  assertEquals([...emb.w.grad.subarray(12, 15)], [11, 22, 33]);
  assert(emb.w.grad.subarray(0, 12).every((g) => g === 0), "other rows untouched");
});

Deno.test("charlm: hidden matrices are the dense weights between embedding and head", () => {
  const net = charMlp({ vocab: 9, context: 3, embed: 2, hidden: 6, layers: 2 });
  assertEquals(hiddenMatrices(net).map((p) => p.shape.join("x")), ["6x6", "6x6"]);
  assertEquals(net.outSize, 9);
});

Deno.test("charlm: windows hold the context and the next id; eval windows are deterministic and spread", () => {
  const seq = Uint8Array.from({ length: 100 }, (_, i) => i % 50);
  const w = sampleWindows(seq, 5, 20, Rng.fromSeed(2));
  for (let b = 0; b < 20; b++) {
    for (let j = 1; j < 5; j++) assertEquals((w.x[b * 5 + j] - w.x[b * 5 + j - 1] + 50) % 50, 1);
    assertEquals((w.y[b] - w.x[b * 5 + 4] + 50) % 50, 1);
  }
  const e1 = evalWindows(seq, 5, 10), e2 = evalWindows(seq, 5, 10);
  assertEquals([...e1.x], [...e2.x]);
  assertEquals(e1.x[0], 0);
  assertEquals(e1.x[9 * 5], Math.floor((9 * 95) / 10) % 50); // window 9 starts at ⌊9·95/10⌋ = 85
});

Deno.test("charlm: a few Adam-free SGD steps lower the loss on a repeating text", () => {
  const rng = Rng.fromSeed(5), seq = Uint8Array.from({ length: 400 }, (_, i) => "abcab"[i % 5].charCodeAt(0) - 97);
  const net = charMlp({ vocab: 3, context: 3, embed: 4, hidden: 8, rng: rng.split("init") });
  const ev = evalWindows(seq, 3, 50), before = heldOutLoss(net, ev);
  for (let t = 0; t < 200; t++) {
    const w = sampleWindows(seq, 3, 16, rng.split(t));
    net.lossAndGrad(w.x, w.y, 16);
    for (let i = 0; i < net.store.size; i++) net.store.value[i] -= 0.1 * net.store.grad[i];
  }
  assert(heldOutLoss(net, ev) < 0.5 * before, `loss ${before} → ${heldOutLoss(net, ev)}`);
});

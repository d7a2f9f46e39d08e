import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { mat } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { softmaxCrossEntropy } from "../../lib/math/nn/mod.ts";
import type { Data } from "../../lib/math/nn/continual.ts";
import exp from "./mod.ts";
import {
  accuracy,
  aceKeep,
  factorError,
  type HeadKind,
  headLoss,
  logits,
  makeNet,
  type Net,
  trainOnline,
} from "./online.ts";

const H = 6, C = 5;
function smallNet(seed: number): Net {
  return makeNet(4, { hidden: H, depth: 1 }, C, Rng.fromSeed(seed));
}
function feats(n: number, rng: Rng): Float64Array {
  return Float64Array.from(rng.normal(n * H) as Float64Array, (v) => Math.abs(v) + 0.1);
}

for (const kind of ["dot", "masked", "cos"] as HeadKind[]) {
  Deno.test(`head loss (${kind}): gradients in W and f match central differences`, () => {
    const rng = Rng.fromSeed(11), net = smallNet(1), n = 4;
    const f = feats(n, rng), y = [0, 3, 2, 3];
    const kinds = Array<HeadKind>(n).fill(kind), weights = [0.5, 0.5, 0.25, 0.25];
    const o = { scale: 7, keep: [false, true, true, true, false] };
    const oy = kind === "masked" ? [1, 3, 2, 3] : y;
    const dW = new Float64Array(net.w.length), df = new Float64Array(f.length);
    headLoss(net, f, oy, kinds, weights, o, dW, df);
    const loss = () => headLoss(net, f, oy, kinds, weights, o, new Float64Array(dW.length), new Float64Array(f.length));
    assertCentralDifferences(loss, net.w, dW, { label: "W", tol: 1e-6 });
    assertCentralDifferences(loss, f, df, { label: "f", tol: 1e-6 });
  });
}

Deno.test("head loss: dot rows equal the kit's softmax CE; masked with every class kept equals dot", () => {
  const rng = Rng.fromSeed(2), net = smallNet(2), n = 3, f = feats(n, rng), y = [4, 0, 1];
  const z = logits(f, n, net), ref = softmaxCrossEntropy(z, y, n, C);
  const w = Array(n).fill(1 / n), dW = new Float64Array(net.w.length), df = new Float64Array(f.length);
  assertAlmostEquals(headLoss(net, f, y, Array(n).fill("dot"), w, { scale: 1 }, dW, df), ref, 1e-14);
  const keepAll = { scale: 1, keep: Array(C).fill(true) };
  assertAlmostEquals(headLoss(net, f, y, Array(n).fill("masked"), w, keepAll, dW, df), ref, 1e-14);
});

Deno.test("cosine rows are invariant to the norms of f and of each w_j; dot rows are not", () => {
  const rng = Rng.fromSeed(3), net = smallNet(3), n = 2, f = feats(n, rng), y = [1, 2];
  const w1 = [1, 1], scratch = () => [new Float64Array(net.w.length), new Float64Array(f.length)] as const;
  const cos = () => headLoss(net, f, y, ["cos", "cos"], w1, { scale: 5 }, ...scratch());
  const dot = () => headLoss(net, f, y, ["dot", "dot"], w1, { scale: 5 }, ...scratch());
  const c0 = cos(), d0 = dot();
  for (let k = 0; k < H; k++) f[k] *= 3; // row 0 of f
  for (let k = 0; k < H; k++) net.w[2 * H + k] *= 0.2; // w_2
  assertAlmostEquals(cos(), c0, 1e-12);
  assert(Math.abs(dot() - d0) > 1e-3, "dot-product loss should change with the norms");
});

Deno.test("ER-ACE mask: classes present in the batch and every class ≥ the largest seen one", () => {
  assertEquals(aceKeep([2, 3], 3, 6), [false, false, true, true, true, true]);
  assertEquals(aceKeep([0], 3, 5), [true, false, false, true, true]);
});

Deno.test("logit factorization identity holds to rounding on a trained-free random net", () => {
  const rng = Rng.fromSeed(4), net = makeNet(4, { hidden: H, depth: 2 }, 10, rng);
  const s = { x: mat(20, 4, rng.normal(80) as Float64Array), y: new Uint8Array(20) };
  assert(factorError(net, s) < 1e-14);
});

/** Two tasks of two classes each in 4 dimensions (class c: mean 2·1 + 1.5·e_c, so the classes share a direction). */
function toyData(rng: Rng, n = 400): Data {
  const make = (cls: number[], m: number) => {
    const x = mat(m, 4), y = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      const c = cls[i % cls.length];
      y[i] = c;
      for (let k = 0; k < 4; k++) x.data[i * 4 + k] = 2 + (k === c ? 1.5 : 0) + 0.3 * (rng.normal() as number);
    }
    return { x, y };
  };
  const classes = [[0, 1], [2, 3]];
  return { classes, train: classes.map((c) => make(c, n)), test: classes.map((c) => make(c, n)) };
}

Deno.test("online training: fine-tuning forgets task 1, every replay method keeps it", () => {
  const data = toyData(Rng.fromSeed(5));
  const cfg = { hidden: 16, depth: 1, batch: 10, replayBatch: 10, memory: 40, lr: 0.1, scale: 10 };
  const t1 = (m: "finetune" | "er" | "ace" | "uer") =>
    accuracy(trainOnline(data, cfg, m, Rng.fromSeed(6)), data.test[0]);
  assert(t1("finetune") < 0.2, `fine-tuning kept task 1: ${t1("finetune")}`);
  for (const m of ["er", "ace", "uer"] as const) assert(t1(m) > 0.8, `${m} forgot task 1: ${t1(m)}`);
});

Deno.test("online training is deterministic in the seed", () => {
  const data = toyData(Rng.fromSeed(7), 60);
  const cfg = { hidden: 8, depth: 1, batch: 10, replayBatch: 10, memory: 20, lr: 0.1, scale: 10 };
  const a = trainOnline(data, cfg, "uer", Rng.fromSeed(1)), b = trainOnline(data, cfg, "uer", Rng.fromSeed(1));
  assertEquals(Array.from(a.w), Array.from(b.w));
});

Deno.test("smoke: every method runs, records its chosen lr, and the identity holds", async () => {
  const out = await runMethods(exp, { nTrain: 600, nVal: 200, nTest: 200, memory: 100 });
  for (const m of ["finetune", "er", "ace", "uer"]) {
    assert([0.01, 0.03, 0.1, 0.3].includes(out[m]["hp.lr"] as number), `${m} lr ${out[m]["hp.lr"]}`);
    assert((out[m].factor_err as number) < 1e-12);
    assert((out[m].final_acc as number) > 0.1);
  }
});

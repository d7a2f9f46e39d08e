import { assert } from "../../lib/testdata/assert.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { dInt90, loadDigits } from "./data.ts";
import experiment from "./mod.ts";
import {
  accuracy,
  denseProjection,
  initParams,
  lossGrad,
  paramCount,
  type Split,
  train,
  trainTuned,
} from "./subspace.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const la = getLinalg();

/** A random tiny classification problem: n points in `p` dims, labels 0..9. */
function tiny(n: number, p: number, rng: Rng): Split {
  const x = new Float32Array(n * p);
  for (let i = 0; i < n * p; i++) x[i] = rng.normal();
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(10);
  return { x, y, n };
}

Deno.test("lossGrad matches central finite differences of the loss (θ coordinates)", () => {
  const rng = Rng.fromSeed(1);
  const p = 6, H = 5, s = tiny(8, p, rng), idx = Array.from({ length: 8 }, (_, i) => i);
  const th = initParams(p, H, rng);
  for (let i = 0; i < th.length; i++) th[i] += 0.3 * rng.normal(); // non-zero biases, generic point
  const g = new Float32Array(th.length);
  lossGrad(la, th, s, idx, p, H, g);
  // ReLU kinks near a sample spoil a wide stencil; take the best of three step sizes per coordinate.
  let worst = 0;
  for (let k = 0; k < th.length; k++) {
    let best = Infinity;
    for (const eps of [1e-2, 1e-3, 3e-4]) {
      const a = th.slice(), b = th.slice();
      a[k] += eps;
      b[k] -= eps;
      const fd = (lossGrad(la, a, s, idx, p, H) - lossGrad(la, b, s, idx, p, H)) / (2 * eps);
      best = Math.min(best, Math.abs(fd - g[k]));
    }
    worst = Math.max(worst, best);
  }
  assert(worst < 3e-3, `max |fd − grad| = ${worst}`);
});

Deno.test("subspace chain rule: P·∂L/∂θ equals finite differences of z ↦ L(θ₀ + Pᵀz)", () => {
  const rng = Rng.fromSeed(2);
  const p = 6, H = 4, d = 5, s = tiny(10, p, rng), idx = Array.from({ length: 10 }, (_, i) => i);
  const D = paramCount(p, H), th0 = initParams(p, H, rng), P = denseProjection(d, D, rng);
  const at = (z: number[]) => {
    const th = th0.slice();
    for (let k = 0; k < d; k++) for (let i = 0; i < D; i++) th[i] += z[k] * P.data[k * D + i];
    return th;
  };
  const z = [0.4, -0.2, 0.1, 0.3, -0.5];
  const g = new Float32Array(D);
  lossGrad(la, at(z), s, idx, p, H, g);
  const gz = la.matmul(P, { rows: D, cols: 1, data: g }).data;
  for (let k = 0; k < d; k++) {
    const a = z.slice(), b = z.slice();
    a[k] += 1e-2;
    b[k] -= 1e-2;
    const fd = (lossGrad(la, at(a), s, idx, p, H) - lossGrad(la, at(b), s, idx, p, H)) / 2e-2;
    assert(Math.abs(fd - gz[k]) < 2e-3, `coordinate ${k}: fd ${fd} vs ${gz[k]}`);
  }
});

Deno.test("dense projection: unit-norm columns, nearly orthogonal in high dimension", () => {
  const P = denseProjection(20, 20000, Rng.fromSeed(3));
  for (let k = 0; k < 20; k++) {
    let s = 0, c = 0;
    for (let i = 0; i < 20000; i++) {
      s += P.data[k * 20000 + i] ** 2;
      if (k > 0) c += P.data[k * 20000 + i] * P.data[i];
    }
    assert(Math.abs(s - 1) < 1e-5, `column ${k} norm² ${s}`);
    assert(Math.abs(c) < 0.05, `column ${k}·column 0 = ${c}`); // ~N(0, 1/20000): 7 sd
  }
});

Deno.test("dInt90 picks the first grid d reaching 90% of the baseline, null when none does", () => {
  const curve = [{ d: 400, acc: 0.85 }, { d: 10, acc: 0.2 }, { d: 100, acc: 0.7 }];
  assert(dInt90(curve, 0.9) === 400, "0.85 ≥ 0.81 first at d = 400");
  assert(dInt90(curve, 0.75) === 100, "0.7 ≥ 0.675 first at d = 100");
  assert(dInt90(curve, 0.99) === null, "0.85 < 0.891");
});

Deno.test("direct training learns and a d = 5 subspace does not beat it (real digits)", async () => {
  const data = await loadDigits(600, 200);
  const o = { hidden: 16, epochs: 8, batch: 100, lr: 1e-3, l2: 1e-5 };
  const full = train(la, data, null, o, Rng.fromSeed(4));
  const sub = train(la, data, 5, { ...o, lr: 3e-2 }, Rng.fromSeed(4));
  const chance = accuracy(la, initParams(784, 16, Rng.fromSeed(5)), data.test, 784, 16);
  assert(full.testAcc.at(-1)! > 0.5, `full acc ${full.testAcc.at(-1)}`);
  assert(full.trained === paramCount(784, 16) && sub.trained === 5, "trained parameter counts");
  assert(sub.testAcc.at(-1)! < full.testAcc.at(-1)!, "d = 5 below direct training");
  assert(chance < 0.3, `untrained acc ${chance}`);
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite;
  // a value a method chose through ctx.choose comes back as the metric hp.<name>.
  const byMethod = await runMethods(experiment, { nTrain: 300, nTest: 100, epochs: 2, d: 25 });
  for (const [name, met] of Object.entries(byMethod)) {
    assert(Number.isFinite(met["hp.lr"]), `${name} records its chosen lr`);
  }
});

Deno.test("trainTuned keeps the step size with the best validation accuracy and reproduces that training", async () => {
  const data = await loadDigits(400, 100, 100);
  const o = { hidden: 8, epochs: 2, batch: 50, l2: 1e-5 };
  const grid = [1e-4, 1e-3, 1e-2];
  const runs = grid.map((lr) => train(la, data, null, { ...o, lr }, Rng.fromSeed(6)));
  const best = trainTuned(la, data, null, o, grid, Rng.fromSeed(6));
  const bestVal = Math.max(...runs.map((r) => r.valAcc));
  const k = runs.findIndex((r) => r.valAcc === bestVal);
  assert(best.lr === grid[k], `chose ${best.lr}, expected ${grid[k]}`);
  assert(best.testAcc.at(-1) === runs[k].testAcc.at(-1), "chosen run is the same training");
  // validation and test digits are disjoint slices of the canonical order
  assert(data.val!.n === 100 && data.test.n === 100, "split sizes");
});

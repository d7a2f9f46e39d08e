import { assert } from "../../lib/testdata/assert.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { loadMnist } from "../../datasets/mnist.ts";
import exp from "./mod.ts";
import {
  accuracy,
  initParams,
  lossGrad,
  type Params,
  type Split,
  splitTasks,
  trainSequence,
  updateMemory,
} from "./cl.ts";
import { finalAcc, meanGap, minAcc, switchStats } from "./gap.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const la = getLinalg();

Deno.test("backprop gradient matches central finite differences of the cross-entropy", () => {
  const rng = Rng.fromSeed(3);
  const p = initParams(6, 5, rng);
  const x = mat(4, 6, rng.normal(24) as Float64Array), y = Uint8Array.from([1, 7, 3, 1]);
  const { grad } = lossGrad(la, p, x, y);
  const h = 1e-6;
  for (const key of ["w1", "b1", "w2", "b2"] as const) {
    const arr = (q: Params) => (key === "w1" || key === "w2" ? q[key].data : q[key]) as Float64Array;
    const g = arr(grad);
    for (let i = 0; i < g.length; i += 3) {
      const v = arr(p)[i];
      arr(p)[i] = v + h;
      const lp = lossGrad(la, p, x, y).loss;
      arr(p)[i] = v - h;
      const lm = lossGrad(la, p, x, y).loss;
      arr(p)[i] = v;
      const fd = (lp - lm) / (2 * h);
      assert(Math.abs(fd - g[i]) < 1e-6 * (1 + Math.abs(fd)), `${key}[${i}]: fd ${fd} vs ${g[i]}`);
    }
  }
});

Deno.test("memory is class-balanced over seen classes and only holds past-task digits", () => {
  const rng = Rng.fromSeed(1);
  const t0: Split = { x: mat(40, 1), y: Uint8Array.from({ length: 40 }, (_, i) => i % 2) };
  const t1: Split = { x: mat(40, 1), y: Uint8Array.from({ length: 40 }, (_, i) => 2 + (i % 2)) };
  let mem = updateMemory([], t0, 2, 20, rng);
  assert(mem.length === 20 && mem.filter(([s, r]) => s.y[r] === 0).length === 10, "task 0: 10 per class");
  mem = updateMemory(mem, t1, 4, 20, rng);
  for (const c of [0, 1, 2, 3]) assert(mem.filter(([s, r]) => s.y[r] === c).length === 5, `class ${c}: 5`);
});

Deno.test("continual metrics on a hand-made trace", () => {
  // 2 tasks, 4 steps each; task 0 drops from 0.9 to 0.3 at step 5 and recovers to 0.7.
  const tr = {
    steps: [0, 2, 4, 5, 6, 8],
    acc: [[0.1, 0], [0.6, 0], [0.9, 0.1], [0.3, 0.5], [0.5, 0.8], [0.7, 0.9]],
  };
  const s = switchStats(tr, 4, 0, 1);
  assert(Math.abs(s.gap - 0.6) < 1e-12 && Math.abs(s.recovery - 0.4) < 1e-12 && s.minAfter === 1, JSON.stringify(s));
  assert(Math.abs(meanGap(tr, 4, 2) - 0.6) < 1e-12, "mean gap");
  assert(Math.abs(minAcc(tr, 4, 2) - 0.3) < 1e-12, "min-ACC");
  assert(Math.abs(finalAcc(tr) - 0.8) < 1e-12, "final ACC");
});

Deno.test("fine-tuning forgets task 1 completely in class-incremental Split-MNIST; ER keeps it", async () => {
  const data = splitTasks(await loadMnist(3000), 5, 2500, 500);
  const cfg = { hidden: 50, itersPerTask: 40, batch: 32, lr: 0.2, memory: 100, evalEvery: 40 };
  const ft = trainSequence(la, data, cfg, false, Rng.fromSeed(0), () => {});
  const er = trainSequence(la, data, cfg, true, Rng.fromSeed(0), () => {});
  const a = accuracy(la, ft, data.test[0]), b = accuracy(la, er, data.test[0]);
  assert(a < 0.05, `fine-tuning keeps ${a} on task 1`);
  assert(b > 0.5, `ER keeps only ${b} on task 1`);
  assert(accuracy(la, ft, data.test[4]) > 0.8, "fine-tuning did not learn the last task");
});

Deno.test("smoke pipeline: data → methods (with observe) → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric (observed ones too) is declared
  // and finite; observed metrics come back as series by step.
  const byMethod = await runMethods(exp, { itersPerTask: 20, nTrain: 2000, nTest: 500 });
  for (const [name, metrics] of Object.entries(byMethod)) {
    assert(Object.keys(metrics.acc_task1 ?? []).length > 0, `${name}: observe`);
  }
});

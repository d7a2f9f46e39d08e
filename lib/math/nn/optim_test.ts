/** Optimiser steps and schedules against values computed by hand (PyTorch's update conventions). */
import { assertAlmostEquals } from "../../testdata/assert.ts";
import { Adam, AdamW, constant, cosine, linearWarmup, SGD, stepDecay } from "./mod.ts";

const close = (a: ArrayLike<number>, b: number[], tol = 1e-12) =>
  b.forEach((v, i) => assertAlmostEquals(a[i], v, tol, `entry ${i}: ${a[i]} ≠ ${v}`));

Deno.test("nn optim: plain SGD and L2 weight decay", () => {
  const th = new Float64Array([1, 2]);
  new SGD({ lr: 0.1 }).step(th, new Float64Array([0.5, -1]));
  close(th, [0.95, 2.1]);
  const w = new Float64Array([1, 2]);
  new SGD({ lr: 0.1, weightDecay: 0.5 }).step(w, new Float64Array([0.5, -1])); // g + 0.5θ = [1, 0]
  close(w, [0.9, 2]);
});

Deno.test("nn optim: SGD momentum and Nesterov over two steps", () => {
  // v1 = g1 = [1, -2]; θ1 = θ0 − 0.1 v1 = [0.9, 0.2]. v2 = 0.9 v1 + g2 = [0.9+0.5, −1.8+1] = [1.4, −0.8];
  // θ2 = θ1 − 0.1 v2 = [0.76, 0.28].
  const th = new Float64Array([1, 0]), o = new SGD({ lr: 0.1, momentum: 0.9 });
  o.step(th, new Float64Array([1, -2]));
  close(th, [0.9, 0.2]);
  o.step(th, new Float64Array([0.5, 1]));
  close(th, [0.76, 0.28]);
  // Nesterov: θ1 = θ0 − 0.1(g1 + 0.9 v1) = [1 − 0.19, 0.38]; v2 = [1.4, −0.8], θ2 = θ1 − 0.1(g2 + 0.9 v2)
  // = [0.81 − 0.1(0.5 + 1.26), 0.38 − 0.1(1 − 0.72)] = [0.634, 0.352].
  const n = new Float64Array([1, 0]), on = new SGD({ lr: 0.1, momentum: 0.9, nesterov: true });
  on.step(n, new Float64Array([1, -2]));
  close(n, [0.81, 0.38]);
  on.step(n, new Float64Array([0.5, 1]));
  close(n, [0.634, 0.352]);
});

Deno.test("nn optim: Adam's first two steps and AdamW's decoupled decay", () => {
  const b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = 0.01;
  const th = new Float64Array([1, -1]), o = new Adam({ lr });
  o.step(th, new Float64Array([2, -0.5]));
  // Step 1: m̂ = g, v̂ = g², update = lr·g/(|g| + eps).
  close(th, [1 - lr * 2 / (2 + eps), -1 + lr * 0.5 / (0.5 + eps)]);
  const t1 = Array.from(th);
  o.step(th, new Float64Array([1, 1]));
  const want = [0, 1].map((i) => {
    const g1 = [2, -0.5][i], g2 = 1;
    const m = b1 * (1 - b1) * g1 + (1 - b1) * g2, v = b2 * (1 - b2) * g1 * g1 + (1 - b2) * g2 * g2;
    return t1[i] - (lr * (m / (1 - b1 ** 2))) / (Math.sqrt(v / (1 - b2 ** 2)) + eps);
  });
  close(th, want);
  // AdamW: θ ← θ(1 − lr·λ) then the Adam step; with λ = 0.1 and g = 2: 1·(1 − 0.001) − 0.01·2/(2 + eps).
  const w = new Float64Array([1]);
  new AdamW({ lr, weightDecay: 0.1 }).step(w, new Float64Array([2]));
  close(w, [1 - 0.001 - lr * 2 / (2 + eps)]);
  // Adam's weightDecay is L2 (inside the moments): first step is still lr·sign(g + λθ).
  const a = new Float64Array([1]);
  new Adam({ lr, weightDecay: 0.1 }).step(a, new Float64Array([2]));
  close(a, [1 - lr * 2.1 / (2.1 + eps)]);
});

Deno.test("nn optim: float32 parameters keep float32 state and match float64 closely", () => {
  const a = new Float32Array([1, 2, 3]), b = new Float64Array([1, 2, 3]);
  const oa = new Adam({ lr: 0.1 }), ob = new Adam({ lr: 0.1 });
  for (let t = 0; t < 5; t++) {
    const g = [Math.sin(t), Math.cos(t), 0.3];
    oa.step(a, new Float32Array(g));
    ob.step(b, new Float64Array(g));
  }
  close(a, Array.from(b), 1e-5);
});

Deno.test("nn optim: schedules", () => {
  assertAlmostEquals(constant(0.3)(99), 0.3, 0);
  assertAlmostEquals(stepDecay(1, 10, 0.5)(9), 1, 0);
  assertAlmostEquals(stepDecay(1, 10, 0.5)(25), 0.25, 1e-15);
  assertAlmostEquals(cosine(1, 100)(0), 1, 1e-15);
  assertAlmostEquals(cosine(1, 100)(50), 0.5, 1e-15);
  assertAlmostEquals(cosine(1, 100, 0.1)(100), 0.1, 1e-15);
  assertAlmostEquals(cosine(1, 100, 0.1)(200), 0.1, 1e-15);
  const w = linearWarmup(cosine(1, 100), 4);
  assertAlmostEquals(w(0), 0.25, 1e-15);
  assertAlmostEquals(w(3), cosine(1, 100)(3), 1e-15);
  assertAlmostEquals(w(50), 0.5, 1e-15);
  // The optimiser reads its schedule at the 0-based step index.
  const o = new SGD({ lr: stepDecay(1, 1, 0.5) }), th = new Float64Array([0]);
  o.step(th, new Float64Array([1]));
  o.step(th, new Float64Array([1]));
  assertAlmostEquals(th[0], -1.5, 1e-15);
  assertAlmostEquals(o.lr(), 0.25, 1e-15);
});

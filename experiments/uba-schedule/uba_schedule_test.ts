import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { multiplier, schedule, SCHEDULES, uba } from "./schedules.ts";
import { phi2CosineGap } from "./mod.ts";
import { type Data, type Set, trainBudget, tunePeak } from "./train.ts";

Deno.test("UBA matches hand-computed values", () => {
  // c = 1 + cos(πu); s = 2c / (2φ + (2 − φ)c)
  assertAlmostEquals(uba(0, 0.5), 1, 1e-15); // c = 2: 4 / (1 + 3)
  assertAlmostEquals(uba(0.5, 0.5), 0.8, 1e-15); // c = 1: 2 / 2.5
  assertAlmostEquals(uba(0.5, 1), 2 / 3, 1e-15); // c = 1: 2 / 3
  assertAlmostEquals(uba(1 / 3, 0.5), 3 / 3.25, 1e-12); // c = 1.5: 3 / (1 + 2.25)
  assertAlmostEquals(uba(1, 0.5), 0, 1e-15);
  assertAlmostEquals(uba(0.5, 5), 2 / 7, 1e-15); // c = 1: 2 / (10 − 3)
  assertAlmostEquals(multiplier("uba", 50, 100, { phi: 0.5 }), 0.8, 1e-15);
});

Deno.test("UBA at φ = 2 is cosine; φ < 2 lies above cosine, φ > 2 below; all monotone from 1 to 0", () => {
  assert(phi2CosineGap(1000) < 1e-15);
  for (const phi of [0.25, 0.5, 1, 3, 8]) {
    let prev = Infinity;
    for (let t = 0; t <= 200; t++) {
      const u = t / 200, s = uba(u, phi), c = 0.5 * (1 + Math.cos(Math.PI * u));
      assert(s <= prev + 1e-15, `φ=${phi} not monotone at ${t}`);
      if (t > 0 && t < 200) assert(phi < 2 ? s > c : s < c, `φ=${phi} on the wrong side of cosine at ${t}`);
      prev = s;
    }
  }
});

Deno.test("every schedule starts at its peak-rate convention and stays in (0, 1]", () => {
  for (const k of SCHEDULES) {
    const s = schedule(k, 300, { phi: 0.5 });
    assertEquals(s.length, 300);
    for (const v of s) assert(v > 0 && v <= 1 + 1e-12, `${k}: ${v}`);
    if (k !== "onecycle") assertAlmostEquals(s[0], 1, 1e-15);
    else assertAlmostEquals(Math.max(...s), 1, 1e-12);
  }
});

/** Two well-separated Gaussian classes in 784 dimensions (only the first 4 informative). */
function toy(n: number, rng: Rng): Set {
  const x = new Float32Array(n * 784), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < 784; j++) x[i * 784 + j] = 0.1 * rng.normal() + (j < 4 ? (y[i] ? 0.5 : -0.5) : 0);
  }
  return { x, y, n };
}

Deno.test("budgeted training is deterministic, learns, and tuning keeps the best validation accuracy", () => {
  const rng = Rng.fromSeed(5);
  const d: Data = { train: toy(200, rng.split("a")), val: toy(100, rng.split("b")), test: toy(100, rng.split("c")) };
  const o = { widths: [784, 8, 10], batch: 16, momentum: 0.9, weightDecay: 0 };
  const s = schedule("uba", 60, { phi: 0.5 });
  const a = trainBudget(d.train, s, 0.05, o, rng.split("i"), rng.split("m"));
  const b = trainBudget(d.train, s, 0.05, o, rng.split("i"), rng.split("m"));
  assertEquals(Array.from(a.net.store.value), Array.from(b.net.store.value));
  assert(a.trainLoss < 0.3, `final loss ${a.trainLoss}`);
  const t = tunePeak(d, s, [1e-4, 0.05], o, rng.split("tune"));
  assertEquals(t.sweep.length, 2);
  assertEquals(t.valAcc, Math.max(...t.sweep));
  assertEquals(t.lr, 0.05);
});

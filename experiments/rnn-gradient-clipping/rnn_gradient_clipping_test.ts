/**
 * rnn-gradient-clipping: BPTT against central differences (both heads, every parameter block), ∂Ω/∂W_hh against
 * central differences of Ω with ∂C/∂h_t and h_t held fixed, the clipping rule (norm bound, direction, NaN guard),
 * the 'smart_tanh' initialisation, the task generators against tempOrder.py / addition.py, and one smoke point of
 * every method through runOnce (runMethods).
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences, spread } from "../../lib/testdata/gradcheck.ts";
import { Rng } from "../../lib/math/rng.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import {
  cost,
  fdRelError,
  gradients,
  makeRnn,
  norm2,
  omegaAt,
  rescaleGradient,
  type Rnn,
  smartTanhInit,
  spectralRadius,
} from "./rnn.ts";
import { addition, type Task, tempOrder } from "./tasks.ts";
import exp from "./mod.ts";

/** A net with O(1) weights, so gradients are far from zero and saturation is moderate. */
function randomNet(task: Task, H: number, rng: Rng): Rnn {
  const net = makeRnn({ nIn: task.nIn, nHid: H, nOut: task.nOut });
  const w = rng.normal(net.theta.length);
  for (let k = 0; k < w.length; k++) net.theta[k] = w[k] * 0.4;
  return net;
}

for (const task of [tempOrder, addition]) {
  Deno.test(`BPTT equals central differences of the cost (${task.head})`, () => {
    const rng = Rng.fromSeed(1);
    const net = randomNet(task, 7, rng.split("net"));
    const batch = task.generate(rng.split("data"), 3, 12);
    const { grad } = gradients(net, batch, task.head);
    assertCentralDifferences(() => cost(net, batch, task.head), net.theta, grad.slice(), {
      indices: spread(net.theta.length, 60),
      h: 1e-6,
      tol: 1e-7,
      label: "θ",
    });
  });
}

Deno.test("∂Ω/∂W_hh equals central differences of Ω with ∂C/∂h_t and h_t held fixed; Ω matches its definition", () => {
  const rng = Rng.fromSeed(2);
  const H = 6, net = randomNet(tempOrder, H, rng.split("net"));
  const batch = tempOrder.generate(rng.split("data"), 4, 10);
  const gr = gradients(net, batch, "lastSoftmax", { withOmega: true });
  const W = Float64Array.from(net.Whh);
  const omega = () => omegaAt(W, gr.g, gr.h, batch.T, batch.B, H);
  assertAlmostEquals(gr.omega, omega(), 1e-12 * Math.max(1, gr.omega), "Ω");
  assert(gr.omega > 1e-3, `Ω should be visibly non-zero here, got ${gr.omega}`);
  assertCentralDifferences(omega, W, gr.gOmega.slice(), { h: 1e-6, tol: 1e-7, label: "W_hh (Ω)" });
  assertEquals(gr.nElems, 1);
});

Deno.test("rescaleGradient: norm ≤ c with the direction kept; small gradients untouched; NaN guard steps 0.02·W_hh", () => {
  const rng = Rng.fromSeed(3);
  const net = randomNet(tempOrder, 5, rng.split("net"));
  const g = rng.normal(net.theta.length).map((v) => v * 10);
  const before = g.slice(), n0 = norm2(before);
  assertEquals(rescaleGradient(g, net, 1), n0);
  assertAlmostEquals(norm2(g), 1, 1e-12);
  for (let k = 0; k < g.length; k++) assertAlmostEquals(g[k], before[k] / n0, 1e-15);
  const small = before.map((v) => v * (0.5 / n0)), copy = small.slice();
  rescaleGradient(small, net, 1);
  assertEquals(Array.from(small), Array.from(copy));
  const bad = before.slice();
  bad[3] = NaN;
  rescaleGradient(bad, net, 1);
  for (let k = 0; k < bad.length; k++) assertEquals(bad[k], k < 25 ? 0.02 * net.Whh[k] : 0);
});

Deno.test("smart_tanh init: 15 non-zeros per row of W_hh, spectral radius 0.95, zero biases", () => {
  const net = smartTanhInit({ nIn: 6, nHid: 50, nOut: 4 }, Rng.fromSeed(4));
  for (let i = 0; i < 50; i++) {
    let nz = 0;
    for (let j = 0; j < 50; j++) if (net.Whh[i * 50 + j] !== 0) nz++;
    assertEquals(nz, 15);
  }
  assertAlmostEquals(spectralRadius(net.Whh, 50), 0.95, 1e-9);
  assert(net.bh.every((v) => v === 0) && net.by.every((v) => v === 0));
});

Deno.test("spectralRadius: a scaled rotation has |λ| = r (complex pair)", () => {
  const r = 1.7, a = 0.3;
  const w = Float64Array.from([r * Math.cos(a), -r * Math.sin(a), r * Math.sin(a), r * Math.cos(a)]);
  assertAlmostEquals(spectralRadius(w, 2), r, 1e-12);
});

Deno.test("temporal order: A/B at p0 ∈ [⌊0.1L⌋, 2⌊0.1L⌋), p1 ∈ [⌊0.5L⌋, ⌊0.5L⌋+⌊0.1L⌋), class v0 + 2v1", () => {
  const L = 40, B = 200, b = tempOrder.generate(Rng.fromSeed(5), B, L);
  const classes = new Set<number>();
  for (let s = 0; s < B; s++) {
    const marks: [number, number][] = [];
    for (let t = 0; t < L; t++) {
      const row = Array.from(b.x.subarray((t * B + s) * 6, (t * B + s + 1) * 6));
      assertEquals(row.reduce((p, q) => p + q, 0), 1);
      const sym = row.indexOf(1);
      if (sym < 2) marks.push([t, sym]);
    }
    assertEquals(marks.length, 2);
    assert(marks[0][0] >= 4 && marks[0][0] < 8, `p0 = ${marks[0][0]}`);
    assert(marks[1][0] >= 20 && marks[1][0] < 24, `p1 = ${marks[1][0]}`);
    const cls = marks[0][1] + 2 * marks[1][1];
    assertEquals(b.y[s * 4 + cls], 1);
    classes.add(cls);
  }
  assertEquals(classes.size, 4);
});

Deno.test("addition: length in [T, 1.1T), two markers, target (u_p0 + u_p1)/2", () => {
  const B = 50;
  for (let seed = 0; seed < 5; seed++) {
    const b = addition.generate(Rng.fromSeed(seed), B, 30);
    assert(b.T >= 30 && b.T < 33, `length ${b.T}`);
    for (let s = 0; s < B; s++) {
      const at: number[] = [];
      for (let t = 0; t < b.T; t++) if (b.x[(t * B + s) * 2] === 1) at.push(t);
      assertEquals(at.length, 2);
      assert(at[0] < 3 && at[1] >= 3 && at[1] < 3 + 12, `markers ${at}`);
      const u = at.map((t) => b.x[(t * B + s) * 2 + 1]);
      assertAlmostEquals(b.y[s], (u[0] + u[1]) / 2, 1e-15);
    }
  }
});

Deno.test("fdRelError is at rounding level for a correct gradient", () => {
  const rng = Rng.fromSeed(6);
  const net = randomNet(tempOrder, 8, rng.split("net"));
  assert(fdRelError(net, tempOrder.generate(rng.split("d"), 3, 15), "lastSoftmax", 12) < 1e-7);
});

Deno.test("smoke point through runOnce: every method records its metrics and its learning rate", async () => {
  const runs = await runMethods(exp, { length: 10 });
  assertEquals(Object.keys(runs).sort(), ["clip", "cr", "plain"]);
  for (const [method, m] of Object.entries(runs)) {
    assert([0, 1].includes(m.success as number), `${method}: success ${m.success}`);
    assert((m.fd_error as number) < 1e-5, `${method}: fd_error ${m.fd_error}`);
    assert([0.01, 0.03, 0.1].includes(m["hp.lr"] as number), `${method}: hp.lr ${m["hp.lr"]}`);
    if (method !== "plain") assert((m.max_step_norm as number) <= 1 + 1e-12, `${method}: ${m.max_step_norm}`);
  }
});

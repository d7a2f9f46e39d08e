/**
 * Tests for the deeponet module: the GRF sampler's covariance equals the RBF kernel (at and between the nodes), RK4
 * + Hermite against closed-form ODE solutions, self-convergence on the pendulum, the diffusion-reaction scheme
 * against a manufactured solution, the DeepONet layer's forward pass against explicit loops and its backward pass
 * against central differences (float64), and one smoke point of both learners through runOnce.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences, spread } from "../../lib/testdata/gradcheck.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { Rng } from "../../lib/math/rng.ts";
import { grfBasis, onGrid, psiAt, valueAt } from "./grf.ts";
import { fineSize, hermite, operatorData, solveDiffusionReaction, solveOde } from "./operators.ts";
import { buildNet, UnstackedDeepONet } from "./deeponet.ts";
import exp from "./mod.ts";

const L = 0.2;

Deno.test("GRF: Σ_k ψ_k(t)ψ_k(t') equals the RBF kernel at the nodes and between them", () => {
  const b = grfBasis(L, fineSize(100));
  assert(b.modes >= 10 && b.modes < 64, `modes kept: ${b.modes}`);
  const ts = [0, 0.013, 0.25, 0.5, 0.5 + 1 / 126, 0.77, 1];
  for (const s of ts) {
    for (const t of ts) {
      const ps = psiAt(b, s), pt = psiAt(b, t);
      let c = 0;
      for (let k = 0; k < b.modes; k++) c += ps[k] * pt[k];
      assertAlmostEquals(c, Math.exp(-((s - t) ** 2) / (2 * L * L)), 1e-10, `cov(${s}, ${t})`);
    }
  }
});

Deno.test("GRF: the tabulated grid agrees with evaluation anywhere; sample variance ≈ 1", () => {
  const b = grfBasis(L, fineSize(100)), rng = Rng.fromSeed(4), n = 4000, z = rng.normal(n * b.modes);
  const u = onGrid(b, z, 0);
  for (const i of [0, 17, 200, 396]) assertAlmostEquals(u[i], valueAt(b, z, i / (b.fine - 1)), 1e-12);
  let s2 = 0;
  for (let f = 0; f < n; f++) s2 += valueAt(b, z, 0.3, f * b.modes) ** 2;
  assertAlmostEquals(s2 / n, 1, 0.07, "Var u(0.3)"); // 4000 draws: SE ≈ 0.022
});

Deno.test("RK4 + Hermite: the antiderivative of cos 3x + 2x against its closed form", () => {
  const nf = fineSize(100), uf = new Float64Array(nf);
  for (let i = 0; i < nf; i++) uf[i] = Math.cos(3 * (i / (nf - 1))) + 2 * (i / (nf - 1));
  const { s, ds } = solveOde("antiderivative", uf);
  for (const y of [0, 0.1234, 0.5, 0.987, 1]) {
    assertAlmostEquals(hermite(s, ds, y), Math.sin(3 * y) / 3 + y * y, 1e-9, `s(${y})`);
  }
});

Deno.test("pendulum: RK4 converges at 4th order (self-convergence against a 4× finer grid)", () => {
  const u = (x: number) => 2 * Math.sin(5 * x) + 1;
  const solveAt = (m: number, y: number) => {
    const nf = fineSize(m), uf = new Float64Array(nf).map((_, i) => u(i / (nf - 1)));
    const { s, ds } = solveOde("pendulum", uf);
    return hermite(s, ds, y);
  };
  const ref = solveAt(401, 1), e1 = Math.abs(solveAt(26, 1) - ref), e2 = Math.abs(solveAt(51, 1) - ref);
  assert(e1 < 1e-6 && e2 < e1 / 10, `errors ${e1}, ${e2}`);
  assert(Math.abs(solveAt(100, 1) - ref) < 1e-9, "m = 100 is accurate to 1e-9");
  assert(Math.abs(ref) > 0.1, "a nontrivial solution");
});

Deno.test("diffusion-reaction: the Crank–Nicolson scheme reproduces s = t·x(1−x), second order in time", () => {
  // s_t = D s_xx + k s² + f with D = k = 1 and f = x(1−x) + 2t − t²(x − x²)² (the official ADR_solver test case).
  const maxError = (nx: number, nt: number) => {
    const xs = (i: number) => i / (nx - 1), ts = (n: number) => n / (nt - 1);
    const f = (i: number, n: number) => xs(i) * (1 - xs(i)) + 2 * ts(n) - ts(n) ** 2 * (xs(i) - xs(i) ** 2) ** 2;
    const out = solveDiffusionReaction({ D: 1, k: 1, f, nx, nt, T: 1 });
    let e = 0;
    for (let i = 0; i < nx; i++) {
      for (let n = 0; n < nt; n++) e = Math.max(e, Math.abs(out[i * nt + n] - ts(n) * xs(i) * (1 - xs(i))));
    }
    return e;
  };
  const e1 = maxError(51, 51), e2 = maxError(51, 101);
  assert(e1 < 5e-6, `max error ${e1}`);
  assert(e2 < e1 / 3, `second order in time: ${e1} → ${e2}`);
});

Deno.test("operatorData: rows are [u at the sensors, y] with targets G(u)(y); nested in the function count", () => {
  const b = grfBasis(L, fineSize(100)), rng = Rng.fromSeed(8);
  const small = operatorData({ problem: "antiderivative", m: 100, functions: 5, points: 3, basis: b }, rng);
  const big = operatorData({ problem: "antiderivative", m: 100, functions: 9, points: 3, basis: b }, rng);
  assertEquals(small.n, 15);
  for (let i = 0; i < small.x.length; i++) assertEquals(small.x[i], big.x[i]);
  for (let i = 0; i < small.n; i++) assertEquals(small.y[i], big.y[i]);
  // Row 0: the sensors are the first GRF draw at i/99, the target its integral up to y (composite Simpson).
  const z = rng.split("u").normal(5 * b.modes), y = small.x[100];
  for (const i of [0, 33, 99]) assertAlmostEquals(small.x[i], valueAt(b, z, i / 99), 1e-12, `sensor ${i}`);
  const n = 2000, h = y / n;
  let simpson = valueAt(b, z, 0) + valueAt(b, z, y);
  for (let k = 1; k < n; k++) simpson += (k % 2 ? 4 : 2) * valueAt(b, z, k * h);
  assertAlmostEquals(small.y[0], (simpson * h) / 3, 1e-9, "G(u)(y)");
  const dr = operatorData({ problem: "diffusionReaction", m: 100, functions: 2, points: 40, basis: b }, rng);
  assertEquals(dr.x.length, 80 * 102);
  for (let r = 0; r < dr.n; r++) {
    const x = dr.x[r * 102 + 100], t = dr.x[r * 102 + 101];
    assertAlmostEquals(x * 99, Math.round(x * 99), 1e-9, "x on the sensor grid");
    assertAlmostEquals(t * 99, Math.round(t * 99), 1e-9, "t on the 100-level grid");
    if (t === 0 || x === 0 || x === 1) assertEquals(dr.y[r], 0);
  }
});

/** The DeepONet's output by explicit loops over its Dense parameters (row-major W: n_in × n_out). */
function reference(net: UnstackedDeepONet, x: Float64Array, m: number, d: number): number {
  const dense = (l: unknown, v: number[], relu: boolean) => {
    const { w, b } = l as { w: { value: Float64Array; shape: number[] }; b: { value: Float64Array } };
    const [nin, nout] = w.shape, out: number[] = [];
    for (let j = 0; j < nout; j++) {
      let s = b.value[j];
      for (let i = 0; i < nin; i++) s += v[i] * w.value[i * nout + j];
      out.push(relu ? Math.max(0, s) : s);
    }
    return out;
  };
  const u = Array.from(x.subarray(0, m)), y = Array.from(x.subarray(m, m + d));
  const br = dense(net.branch[2], dense(net.branch[0], u, true), false);
  const tr = dense(net.trunk[2], dense(net.trunk[0], y, true), true);
  return br.reduce((s, v, k) => s + v * tr[k], 0);
}

Deno.test("DeepONet layer: forward equals the branch·trunk formula; backward matches central differences", () => {
  const m = 6, d = 2, batch = 5, rng = Rng.fromSeed(3);
  const model = buildNet("deeponet", m, d, { width: 7, p: 4, fnnWidth: 3, rng: rng.split("init"), dtype: "float64" });
  const layer = model.layers[0] as UnstackedDeepONet;
  const b0 = model.store.get("0.b0");
  b0.value[0] = 0.3;
  const x = rng.normal(batch * (m + d)), y = rng.normal(batch);
  const out = model.predict(x, batch);
  for (let i = 0; i < batch; i++) {
    assertAlmostEquals(out[i], reference(layer, x.subarray(i * (m + d)), m, d) + 0.3, 1e-12, `sample ${i}`);
  }
  model.lossAndGrad(x, y, batch, "mse");
  const g = model.store.grad.slice();
  assertCentralDifferences(() => model.loss(x, y, batch, "mse"), model.store.value, g, {
    indices: spread(model.store.size, 80),
    tol: 1e-6,
    label: "θ",
  });
  // ∂L/∂x through both towers (the layer placed behind another one would need it).
  const seq = buildNet("deeponet", m, d, { width: 7, p: 4, fnnWidth: 3, rng: rng.split("init"), dtype: "float64" });
  const l2 = seq.layers[0];
  const ctx = seq.ctx(), dOut = new Float64Array(batch).fill(1);
  seq.store.zeroGrad();
  l2.forward(x, batch, ctx, true);
  const dx = l2.backward(dOut, batch, ctx, true)!.slice();
  const sum = () => Array.from(seq.predict(x, batch)).reduce((a, b) => a + b, 0);
  assertCentralDifferences(sum, x, dx, { indices: spread(x.length, 30), tol: 1e-6, label: "x" });
});

Deno.test("smoke pipeline: both learners through runOnce give finite metrics, DeepONet with fewer parameters", async () => {
  const r = await runMethods(exp, { problem: "pendulum", functions: 30 });
  assertEquals(Object.keys(r).sort(), ["deeponet", "fnn"]);
  assertEquals(r.deeponet.params, 100 * 40 + 40 + 40 * 40 + 40 + 40 + 40 + 40 * 40 + 40 + 1);
  assert((r.deeponet.params as number) < (r.fnn.params as number), "DeepONet is the smaller net");
});

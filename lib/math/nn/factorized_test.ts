import { assert, assertAlmostEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { getLinalg } from "../linalg/mod.ts";
import {
  DenseLayer,
  DlrtLayer,
  type FactorLayer,
  FactorNet,
  lduFactor,
  LduLayer,
  LoraLayer,
  type M,
  randomOrthonormal,
  softmaxXent,
  truncationRank,
  UVLayer,
} from "./factorized.ts";
import { globalMagnitudeMask, iterativeSchedule, magnitudeMask, maskSparsity } from "./prune.ts";
import { fgsm, pgd } from "./attacks.ts";
import { assertLayerGradients } from "../../testdata/gradcheck.ts";

const mk = (rows: number, cols: number, data: Float64Array): M => ({ rows, cols, data });
const la = getLinalg();

/** Every parameter and ∂x of a layer against central differences (LDU: only its free entries). */
function checkGrads(layer: FactorLayer, x: M, rng: Rng, tol = 1e-6): void {
  const free = (name: string, k: number) =>
    !(layer instanceof LduLayer) || !!(name === "l" ? layer.lMask[k] : name === "r" ? layer.rMask[k] : 1);
  assertLayerGradients(layer, x, rng, { tol, perTensor: 17, free });
}

Deno.test("factorized: dense, UV, LDU (all and diag), LoRA gradients match central differences", () => {
  const rng = Rng.fromSeed(1).split("fd");
  const x = mk(5, 7, rng.normal(35));
  checkGrads(new DenseLayer(7, 4, { rng }), x, rng);
  checkGrads(new UVLayer(7, 4, 3, { rng }), x, rng);
  const w = mk(4, 7, rng.normal(28));
  checkGrads(new LduLayer(7, 4, { weight: w, rng, bias: rng.normal(4) }), x, rng);
  checkGrads(new LduLayer(7, 4, { weight: w, rng, train: "diag" }), x, rng);
  const lora = new LoraLayer(7, 4, 2, { base: w, rng, alpha: 4 });
  lora.bB.value.set(rng.normal(8)); // B = 0 at init would make ∂A vanish: test at a generic point
  checkGrads(lora, x, rng);
});

Deno.test("factorized: LDU factor reproduces W; LoRA starts at W₀; UV weight is U·Vᵀ", () => {
  const rng = Rng.fromSeed(2).split("ldu");
  for (const [m, n] of [[5, 5], [4, 7], [7, 4]]) {
    const w = mk(m, n, rng.normal(m * n));
    const layer = new LduLayer(n, m, { weight: w, rng });
    const back = layer.weight();
    for (let i = 0; i < w.data.length; i++) assertAlmostEquals(back.data[i], w.data[i], 1e-12, `LDU ${m}×${n}`);
    const { r } = lduFactor(w);
    for (let i = 0; i < r.rows; i++) assert(r.data[i * n + i] === 1, "R unit diagonal");
  }
  const w0 = mk(3, 5, rng.normal(15));
  const lora = new LoraLayer(5, 3, 2, { base: w0, rng });
  assert(lora.weight().data.every((v, i) => v === w0.data[i]), "LoRA at init equals W0");
});

/** The weights after one plain gradient step and after one full-rank KLS (DLRT) step of size h from the same W, b. */
function gradientAndKlsStep(w: M, b: Float64Array, x: M, labels: number[], h: number, rng: Rng) {
  const dense = new FactorNet([new DenseLayer(w.cols, w.rows, { rng, weight: w, bias: b })]);
  const dl = new FactorNet([new DlrtLayer(w.cols, w.rows, { rng, rank: w.rows, weight: w, bias: b })]);
  dense.sgdStep(x, labels, h);
  dl.dlrtStep(x, labels, h);
  return [dense.layers[0].weight().data, dl.layers[0].weight().data];
}

Deno.test("factorized: square full-rank KLS step equals the full gradient step exactly (K/L/S gradients G·V, Gᵀ·U, Ûᵀ·G̃·V̂)", () => {
  // With h → 0 the KLS step on L = Σ C ⊙ Y moves W by −h·P(G) where G = Cᵀ X; finite differences in h of the
  // resulting weight give the tangent update, which for a full-rank square layer is −G exactly.
  const rng = Rng.fromSeed(3).split("dlrt");
  const n = 6, x = mk(9, n, rng.normal(9 * n));
  const labels = Array.from({ length: 9 }, (_, i) => i % n);
  for (const h of [1e-2, 1e-3]) {
    const [a, c] = gradientAndKlsStep(mk(n, n, rng.normal(n * n)), rng.normal(n), x, labels, h, rng);
    let err = 0;
    for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - c[i]));
    assert(err < 1e-12, `square full rank: KLS step equals the gradient step (err ${err})`);
  }
});

Deno.test("factorized: fixed full-rank KLS equals the full gradient step to first order (non-square)", () => {
  const rng = Rng.fromSeed(4).split("kls");
  const inDim = 8, outDim = 5, x = mk(12, inDim, rng.normal(12 * inDim));
  const labels = Array.from({ length: 12 }, (_, i) => i % outDim);
  const w = mk(outDim, inDim, rng.normal(outDim * inDim)), b = rng.normal(outDim);
  const errAt = (h: number) => {
    const [a, c] = gradientAndKlsStep(w, b, x, labels, h, rng);
    let e = 0;
    for (let i = 0; i < a.length; i++) e = Math.hypot(e, a[i] - c[i]);
    return e;
  };
  const e1 = errAt(1e-2), e2 = errAt(5e-3), e3 = errAt(2.5e-3);
  // Second order: halving h divides the error by ≈ 4.
  assert(e1 / e2 > 3.3 && e1 / e2 < 4.7 && e2 / e3 > 3.3 && e2 / e3 < 4.7, `ratios ${e1 / e2}, ${e2 / e3}`);
  assert(e3 < 1e-4, `error at h = 2.5e-3: ${e3}`);
});

Deno.test("factorized: truncation keeps the stated energy and is minimal; the adaptive layer applies it", () => {
  const s = [10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05];
  const norm = Math.hypot(...s);
  for (const tau of [0.01, 0.05, 0.1, 0.2, 0.5]) {
    const r = truncationRank(s, tau * norm, 1, s.length);
    const tail = (j: number) => Math.hypot(...s.slice(j));
    assert(tail(r) < tau * norm, `τ=${tau}: discarded ${tail(r)} ≥ ${tau * norm}`);
    assert(r === 1 || tail(r - 1) >= tau * norm, `τ=${tau}: rank ${r} not minimal`);
  }
  assert(truncationRank(s, 1e-9, 2, 4) === 4 && truncationRank(s, 1e9, 2, 4) === 2, "clamped to [lo, hi]");
  // A layer whose weight has singular values s (12×12, start rank 6 = rmax): one step at h = 0 keeps W's span,
  // so the new rank is the truncation rank of s and the discarded energy is below τ·‖σ‖.
  const rng = Rng.fromSeed(5).split("trunc");
  const n = 12, u = randomOrthonormal(n, 6, rng), v = randomOrthonormal(n, 6, rng);
  const w = la.matmul(mk(n, 6, u.data.map((x, i) => x * s[i % 6])), v, { transB: true }) as M;
  const norm6 = Math.hypot(...s.slice(0, 6));
  for (const tau of [0.03, 0.1, 0.3]) {
    const layer = new DlrtLayer(n, n, { rng, rank: 6, tau, weight: w });
    const net = new FactorNet([layer]);
    net.dlrtStep(mk(3, n, rng.normal(3 * n)), [0, 1, 2], 0);
    const expect = truncationRank(s.slice(0, 6), tau * norm6, 2, 6);
    assert(layer.rank === expect, `τ=${tau}: rank ${layer.rank}, expected ${expect}`);
    const wn = layer.weight();
    let d = 0;
    for (let i = 0; i < wn.data.length; i++) d = Math.hypot(d, wn.data[i] - w.data[i]);
    assert(d < tau * norm6 && Math.abs(d - Math.hypot(...s.slice(expect, 6))) < 1e-9, `τ=${tau}: ‖ΔW‖ = ${d}`);
  }
});

Deno.test("factorized: DLRT and UV nets lower the training loss on a small problem; ranks adapt", () => {
  const rng = Rng.fromSeed(6).split("train");
  const n = 60, d = 20, x = mk(n, d, rng.normal(n * d));
  const labels = Array.from({ length: n }, (_, i) => (x.data[i * d] > 0 ? 1 : 0) + (x.data[i * d + 1] > 0 ? 2 : 0));
  const nets = {
    dlrt: new FactorNet([new DlrtLayer(d, 16, { rng, rank: 8, tau: 0.1 }), new DenseLayer(16, 4, { rng })]),
    uv: new FactorNet([new UVLayer(d, 16, 4, { rng }), new DenseLayer(16, 4, { rng })]),
  };
  for (const [name, net] of Object.entries(nets)) {
    const first = softmaxXent(net.forward(x), labels).loss;
    for (let t = 0; t < 200; t++) name === "dlrt" ? net.dlrtStep(x, labels, 0.2) : net.sgdStep(x, labels, 0.2);
    const last = softmaxXent(net.forward(x), labels).loss;
    assert(last < 0.5 * first, `${name}: loss ${first} → ${last}`);
  }
  const r = (nets.dlrt.layers[0] as DlrtLayer).rank;
  assert(r >= 2 && r < 8, `rank adapted to ${r}`);
});

Deno.test("prune: magnitude masks keep the exact count, global threshold, iterative schedule", () => {
  const w = Float64Array.from([0.1, -3, 2, -0.5, 0.05, 4, -1, 0.2]);
  const m = magnitudeMask(w, 0.75);
  assert([...m].join("") === "01000100", `mask ${[...m]}`);
  assert(maskSparsity(m) === 0.75, "sparsity");
  const [a, b] = globalMagnitudeMask([Float64Array.from([1, 2, 3]), Float64Array.from([10, 0.5])], 0.6);
  assert([...a].join("") === "001" && [...b].join("") === "10", "global threshold");
  // Pruned entries stay pruned on the next round even if their weight has regrown.
  const next = magnitudeMask(Float64Array.from([0.1, -3, 2, 9, 0.05, 4, -1, 0.2]), 0.75, m);
  assert(next[3] === 0 && next[1] === 1 && next[5] === 1, "prev respected");
  const sched = iterativeSchedule(0.9, 3);
  assertAlmostEquals(sched[2], 0.9, 1e-15);
  assertAlmostEquals(1 - sched[0], Math.pow(0.1, 1 / 3), 1e-12);
  assertAlmostEquals((1 - sched[1]) / (1 - sched[0]), 1 - sched[0], 1e-12);
});

Deno.test("attacks: FGSM on a linear loss; PGD stays in the box and ball and raises the loss", () => {
  const w = Float64Array.from([1, -2, 0.5, -0.1]);
  const grad = (x: Float64Array) => ({ loss: x.reduce((s, v, i) => s + v * w[i], 0), dx: w });
  const x = Float64Array.from([0.5, 0.5, 0.98, 0.02]);
  const a = fgsm(x, grad, { eps: 0.1 });
  assert([...a].map((v) => v.toFixed(2)).join() === "0.60,0.40,1.00,0.00", `fgsm ${[...a]}`);
  assert(pgd(x, grad, { eps: 0.1, alpha: 0.1, steps: 1 }).every((v, i) => v === a[i]), "1-step PGD = FGSM");
  // A nonlinear model: softmax cross-entropy of a small dense net.
  const rng = Rng.fromSeed(7).split("pgd");
  const net = new FactorNet([new DenseLayer(6, 8, { rng }), new DenseLayer(8, 3, { rng })]);
  const xs = Float64Array.from({ length: 24 }, () => rng.uniform());
  const ys = [0, 1, 2, 0];
  const g = (v: Float64Array) => {
    const r = net.lossAndGrad(mk(4, 6, v), ys);
    return { loss: r.loss, dx: r.dx.data };
  };
  const adv = pgd(xs, g, { eps: 0.05, alpha: 0.01, steps: 10, rng });
  assert(adv.every((v, i) => v >= 0 && v <= 1 && Math.abs(v - xs[i]) <= 0.05 + 1e-15), "ball and box");
  assert(g(adv).loss > g(xs).loss && g(adv).loss >= g(fgsm(xs, g, { eps: 0.05 })).loss - 1e-3, "loss raised");
});

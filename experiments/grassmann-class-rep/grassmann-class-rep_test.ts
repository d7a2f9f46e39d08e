import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences } from "../../lib/testdata/gradcheck.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { Dense, ReLU, Sequential, SGD } from "../../lib/math/nn/mod.ts";
import type { Param } from "../../lib/math/nn/params.ts";
import {
  geodesicStep,
  getBasis,
  GrassmannHead,
  jacobiSvd,
  orthError,
  putBasis,
  qrQ,
  qrRetraction,
  riemannianGrad,
  RiemannianSGD,
  tangentResidual,
} from "./grassmann.ts";
import { withinClassShare } from "./train.ts";

/** Row-major d × k product helpers for the checks. */
function matT(a: Float64Array, b: Float64Array, d: number, k: number): Float64Array {
  const out = new Float64Array(k * k); // aᵀb
  for (let i = 0; i < d; i++) {
    for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) out[p * k + q] += a[i * k + p] * b[i * k + q];
  }
  return out;
}
function projector(s: Float64Array, d: number, k: number): Float64Array {
  const p = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) for (let a = 0; a < k; a++) p[i * d + j] += s[i * k + a] * s[j * k + a];
  }
  return p;
}
const frob = (a: Float64Array, b: Float64Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
function randomBasis(rng: Rng, d: number, k: number): Float64Array {
  return qrQ(rng.normal(d * k), d, k);
}

Deno.test("grassmann head: logits on a small exact case (γ‖S_cᵀx̂‖ with coordinate subspaces)", () => {
  const h = new GrassmannHead(2, 2, 3);
  const net = new Sequential([h], [3], { dtype: "float64" });
  // class 0 = span(e1, e2), class 1 = span(e3, e1): rows of the (K·k) × d weight are the basis columns.
  h.w.value.set([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
  const out = net.forward(Float64Array.from([3, 0, 4]), 1);
  assertAlmostEquals(out[0], 3 * 3 / 5, 1e-15); // ‖(0.6, 0)‖ · 3
  assertAlmostEquals(out[1], 3 * 1, 1e-15); // ‖(0.8, 0.6)‖ · 3
});

Deno.test("grassmann head: gradients of weights and input match central finite differences, float64", () => {
  const rng = Rng.fromSeed(1);
  const h = new GrassmannHead(3, 2, 2.5);
  const net = new Sequential([new Dense(6), h], [5], { dtype: "float64", rng: rng.split("init") });
  h.orthonormalise();
  const batch = 4, x = rng.normal(batch * 5), y = Int32Array.from([0, 1, 2, 1]), eps = 1e-6;
  net.lossAndGrad(x, y, batch);
  const g = net.store.grad.slice();
  assertCentralDifferences(() => net.loss(x, y, batch), net.store.value, g, { h: eps, tol: 1e-7, label: "θ" });
  // ∂L/∂x of the head alone (normalisation included): perturb the head's input.
  const head = new Sequential([new GrassmannHead(3, 2, 2.5)], [6], { dtype: "float64", rng: rng.split("h2") });
  (head.layers[0] as GrassmannHead).orthonormalise();
  const z = rng.normal(batch * 6);
  head.lossAndGrad(z, y, batch);
  const out = head.forward(z, batch, true), dOut = new Float64Array(out.length);
  for (let i = 0; i < batch; i++) {
    let mx = -Infinity, s = 0;
    for (let c = 0; c < 3; c++) mx = Math.max(mx, out[i * 3 + c]);
    for (let c = 0; c < 3; c++) s += Math.exp(out[i * 3 + c] - mx);
    for (let c = 0; c < 3; c++) dOut[i * 3 + c] = (Math.exp(out[i * 3 + c] - mx) / s - (y[i] === c ? 1 : 0)) / batch;
  }
  const dz = (head.layers[0].backward(dOut, batch, head.ctx(), true) as Float64Array).slice();
  assertCentralDifferences(() => head.loss(z, y, batch), z, dz, { h: eps, tol: 1e-7, label: "z" });
});

Deno.test("qrQ and jacobiSvd agree with LAPACK/ml-matrix QR and SVD (float64)", () => {
  const rng = Rng.fromSeed(2), d = 9, k = 4, la = getLinalg();
  const a = rng.normal(d * k);
  const q = qrQ(a, d, k);
  assert(orthError(q, d, k) < 1e-14, "Q orthonormal");
  // Same column space as A: the projector of Q equals that of the reference Q.
  const ref = la.qr(mat(d, k, Float64Array.from(a)));
  assert(frob(projector(q, d, k), projector(ref.q.data as Float64Array, d, k)) < 1e-13, "span(Q) = span(A)");
  // QᵀA upper triangular and Q·(QᵀA) = A.
  const r = matT(q, a, d, k);
  for (let i = 1; i < k; i++) for (let j = 0; j < i; j++) assert(Math.abs(r[i * k + j]) < 1e-13, "R upper");
  const back = new Float64Array(d * k);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < k; j++) for (let p = 0; p < k; p++) back[i * k + j] += q[i * k + p] * r[p * k + j];
  }
  assert(frob(back, a) < 1e-13, "QR = A");
  const { u, s, v } = jacobiSvd(a, d, k);
  const sv = Array.from(s).sort((x, y) => y - x), refS = la.svdvals(mat(d, k, Float64Array.from(a)));
  for (let j = 0; j < k; j++) assertAlmostEquals(sv[j], refS[j], 1e-13, `σ_${j}`);
  const usv = new Float64Array(d * k);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < k; j++) for (let p = 0; p < k; p++) usv[i * k + j] += u[i * k + p] * s[p] * v[j * k + p];
  }
  assert(frob(usv, a) < 1e-13, "UΣVᵀ = G");
  assert(orthError(u, d, k) < 1e-13 && orthError(v, k, k) < 1e-14, "U, V orthonormal");
});

Deno.test("Riemannian gradient: tangent, and the directional derivative along geodesics (finite differences)", () => {
  const rng = Rng.fromSeed(3), d = 7, k = 3;
  const b = rng.normal(d * d), a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) for (let p = 0; p < d; p++) a[i * d + j] += b[p * d + i] * b[p * d + j];
  }
  // f(S) = tr(SᵀAS) (a Grassmann function), Euclidean gradient 2AS.
  const f = (s: Float64Array) => {
    let t = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) for (let c = 0; c < k; c++) t += s[i * k + c] * a[i * d + j] * s[j * k + c];
    }
    return t;
  };
  const s = randomBasis(rng, d, k), eg = new Float64Array(d * k);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) for (let c = 0; c < k; c++) eg[i * k + c] += 2 * a[i * d + j] * s[j * k + c];
  }
  const g = riemannianGrad(s, eg, d, k);
  assert(tangentResidual(s, g, d, k) < 1e-14, "SᵀG = 0");
  // A random tangent direction H = (I − SSᵀ)Z; along the geodesic S(t) with S'(0) = −H (geodesicStep moves along −H):
  // d/dt f(S(t)) at 0 = −⟨G, H⟩.
  const hdir = riemannianGrad(s, rng.normal(d * k), d, k), eps = 1e-5;
  const fd = (f(geodesicStep(s, hdir, eps, d, k)) - f(geodesicStep(s, hdir, -eps, d, k))) / (2 * eps);
  const inner = g.reduce((acc, v, i) => acc + v * hdir[i], 0);
  assertAlmostEquals(fd, -inner, 1e-7 * Math.max(1, Math.abs(inner)));
});

Deno.test("geodesic step: stays orthonormal, principal angles are tσ, first order equals −tG, QR retraction is O(t²) close", () => {
  const rng = Rng.fromSeed(4), d = 12, k = 3;
  const s = randomBasis(rng, d, k), g = riemannianGrad(s, rng.normal(d * k), d, k);
  const t = 0.3, next = geodesicStep(s, g, t, d, k);
  assert(orthError(next, d, k) < 1e-14, "orthonormal after the step");
  // cos of the principal angles between span(S) and span(S(t)) are the singular values of SᵀS(t): cos(tσ_j).
  const sig = Array.from(jacobiSvd(g, d, k).s).sort((x, y) => x - y);
  const cosines = Array.from(jacobiSvd(matT(s, next, d, k), k, k).s).sort((x, y) => y - x);
  for (let j = 0; j < k; j++) assertAlmostEquals(cosines[j], Math.cos(t * sig[j]), 1e-13, `angle ${j}`);
  // (S(h) − S)/h → −G.
  const h = 1e-7, small = geodesicStep(s, g, h, d, k);
  for (let i = 0; i < d * k; i++) assertAlmostEquals((small[i] - s[i]) / h, -g[i], 1e-6);
  // The QR retraction spans the same subspace to second order in t.
  const e1 = frob(projector(qrRetraction(s, g, 1e-2, d, k), d, k), projector(geodesicStep(s, g, 1e-2, d, k), d, k));
  const e2 = frob(projector(qrRetraction(s, g, 5e-3, d, k), d, k), projector(geodesicStep(s, g, 5e-3, d, k), d, k));
  assert(e1 < 1e-3 && e2 < e1 / 3, `QR vs geodesic: ${e1} at t=0.01, ${e2} at t=0.005 (second order)`);
});

function block(values: Float64Array, classes: number, k: number, d: number) {
  const param: Param = {
    name: "w",
    shape: [classes * k, d],
    offset: 0,
    size: values.length,
    value: values,
    grad: new Float64Array(values.length),
  };
  return { param, classes, k, d };
}

Deno.test("Riemannian SGD finds the dominant k-subspace of tr(SᵀAS) (against eigh), bases orthonormal throughout", () => {
  const rng = Rng.fromSeed(5), d = 10, k = 3, la = getLinalg();
  const b = rng.normal(d * d), a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) for (let p = 0; p < d; p++) a[i * d + j] += b[p * d + i] * b[p * d + j] / d;
  }
  const w = new Float64Array(k * d);
  putBasis(w, 0, d, k, randomBasis(rng, d, k));
  const blk = block(w, 1, k, d);
  const opt = new RiemannianSGD([blk], { lr: 0.05, momentum: 0.5, reorthEvery: 5 });
  for (let it = 0; it < 600; it++) {
    const s = getBasis(w, 0, d, k), eg = new Float64Array(d * k); // minimise −tr(SᵀAS): gradient −2AS
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) for (let c = 0; c < k; c++) eg[i * k + c] -= 2 * a[i * d + j] * s[j * k + c];
    }
    blk.param.grad.fill(0);
    putBasis(blk.param.grad, 0, d, k, eg);
    opt.step(w, blk.param.grad);
    assert(orthError(getBasis(w, 0, d, k), d, k) < 1e-13, `orthonormal at step ${it}`);
  }
  assert(opt.maxTangentResidual < 1e-13, `tangent residual ${opt.maxTangentResidual}`);
  const { vectors } = la.eigh(mat(d, d, a), { range: [d - k, d - 1] });
  const dist = frob(projector(getBasis(w, 0, d, k), d, k), projector(vectors.data as Float64Array, d, k));
  assert(dist < 1e-8, `distance to the top-${k} eigenspace ${dist}`);
});

Deno.test("Riemannian SGD's Euclidean part is PyTorch SGD (equal to the kit's SGD with momentum and L2 decay)", () => {
  const rng = Rng.fromSeed(6), n = 20;
  const v1 = rng.normal(n), v2 = v1.slice(), ref = new SGD({ lr: 0.1, momentum: 0.9, weightDecay: 1e-2 });
  const ours = new RiemannianSGD([], { lr: 0.1, momentum: 0.9, weightDecay: 1e-2 });
  ref.kernel = null;
  for (let it = 0; it < 5; it++) {
    const g = rng.normal(n);
    ref.step(v1, g.slice());
    ours.step(v2, g.slice());
  }
  for (let i = 0; i < n; i++) assertAlmostEquals(v2[i], v1[i], 1e-13);
});

Deno.test("a GCR net trains a few steps: loss falls and the bases stay orthonormal in float32", () => {
  const rng = Rng.fromSeed(7), n = 64;
  const h = new GrassmannHead(3, 2);
  const net = new Sequential([new Dense(16), new ReLU(), h], [8], { dtype: "float32", rng: rng.split("init") });
  h.orthonormalise();
  const x = Float32Array.from(rng.normal(n * 8)), y = Int32Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) x[i * 8 + (i % 3)] += 3; // separable by class
  const opt = new RiemannianSGD([{ param: h.w, classes: 3, k: 2, d: 16 }], { lr: 0.01, momentum: 0.9 });
  const l0 = net.loss(x, y, n);
  for (let it = 0; it < 50; it++) {
    net.lossAndGrad(x, y, n);
    opt.step(net.store.value, net.store.grad);
  }
  assert(net.loss(x, y, n) < 0.5 * l0, `loss ${l0} → ${net.loss(x, y, n)}`);
  for (let c = 0; c < 3; c++) assert(orthError(getBasis(h.w.value, c, 16, 2), 16, 2) < 1e-6, `class ${c}`);
});

Deno.test("within-class share: 0 for collapsed classes, exact value on a small case", () => {
  const f = Float32Array.from([1, 0, 1, 0, 0, 1, 0, 1]);
  assertAlmostEquals(withinClassShare(f, [0, 0, 1, 1], 4, 2, 2), 0, 1e-15);
  // Unit vectors at angles ±θ around e1 (class 0) and around e2 (class 1).
  const c = Math.cos(0.3), s = Math.sin(0.3);
  const g = Float32Array.from([c, s, c, -s, s, c, -s, c]);
  // Within: each point is s away from its class mean (c, 0) or (0, c), so 4s²; the overall mean is (c/2, c/2).
  const pts = [[c, s], [c, -s], [s, c], [-s, c]], mu = [c / 2, c / 2];
  const total = pts.reduce((acc, p) => acc + (p[0] - mu[0]) ** 2 + (p[1] - mu[1]) ** 2, 0);
  assertAlmostEquals(withinClassShare(g, [0, 0, 1, 1], 4, 2, 2), (4 * s * s) / total, 1e-6);
});

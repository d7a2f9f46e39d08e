/**
 * Tests for the square-root methods: coefficients against the series they approximate, each forward against an
 * exact reference (the same scalar function applied in A's eigenbasis), each backward against the exact Lyapunov
 * solution or central finite differences, jax-js (wasm, and webgpu when an adapter exists) against the native
 * float64 results, and the smoke pipeline end to end.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { defaultDevice, init } from "@jax-js/jax";
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { padeSqrt1m, taylorSqrt1m } from "./coeffs.ts";
import * as blas from "./blas.ts";
import { makeData, meanRelError, referenceSqrtGrad, type SqrtData } from "./data.ts";
import { runSqrt, type SqrtMethod, type SqrtOptions } from "./methods.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const la = getLinalg();
const jaxOpts = { sanitizeOps: false, sanitizeResources: false };
const devices = await init();
const METHODS: SqrtMethod[] = ["mtp", "mpa", "ns", "svd"];
const ALL_METHODS: SqrtMethod[] = [...METHODS, "ns_fro"];
const OPTS = { dtype: "float64" as const, mtpDegree: 10, padeDegree: 5, nsIters: 5, lyaIters: 8 };

/** A = U diag(λ) Uᵀ with a random orthogonal U and the given eigenvalues (float64). */
function spd(lambda: number[], rng: Rng): { a: Mat<Float64Array>; u: Mat<Float64Array> } {
  const d = lambda.length;
  const u = la.qr({ rows: d, cols: d, data: rng.normal(d * d) }).q as Mat<Float64Array>;
  return { a: applyFn(u, lambda), u };
}

/** U diag(f) Uᵀ. */
function applyFn(u: Mat<Float64Array>, f: number[]): Mat<Float64Array> {
  const d = u.rows, us = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) us[i * d + j] = u.data[i * d + j] * f[j];
  return la.matmul({ rows: d, cols: d, data: us }, u, { transB: true }) as Mat<Float64Array>;
}

function relErr(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (x[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  return Math.sqrt(num / den);
}

function inner(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}
const frob = (a: Mat) => Math.sqrt(inner(a.data, a.data));
const symRandn = (d: number, rng: Rng): Mat<Float64Array> => {
  const r = rng.normal(d * d), g = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] = 0.5 * (r[i * d + j] + r[j * d + i]);
  return { rows: d, cols: d, data: g };
};

/** A data object for hand-made matrices (so runSqrt can be called on them). */
function dataOf(as: Mat<Float64Array>[], gs: Mat<Float64Array>[]): SqrtData {
  const d = as[0].rows, b = as.length, n2 = d * d;
  const cat = (ms: Mat<Float64Array>[]) => {
    const out = new Float64Array(b * n2);
    ms.forEach((m, i) => out.set(m.data, i * n2));
    return out;
  };
  const refs = as.map((a, i) => referenceSqrtGrad(a, gs[i]));
  const a64 = cat(as), g64 = cat(gs);
  return {
    d,
    b,
    a64,
    a32: Float32Array.from(a64),
    g64,
    g32: Float32Array.from(g64),
    refSqrt: cat(refs.map((r) => ({ rows: d, cols: d, data: r.sqrt }))),
    refGrad: cat(refs.map((r) => ({ rows: d, cols: d, data: r.grad }))),
    cond: refs.map((r) => r.cond),
  };
}

Deno.test("Taylor coefficients of √(1 − z) are the binomial series", () => {
  const a = taylorSqrt1m(4);
  [1, -1 / 2, -1 / 8, -1 / 16, -5 / 128].forEach((v, k) => assertAlmostEquals(a[k], v, 1e-15));
});

Deno.test("Padé [5/5] matches √(1 − z) to order 10 and beats the degree-10 Taylor polynomial", () => {
  const { p, q } = padeSqrt1m(5, 5);
  const a = taylorSqrt1m(10);
  assertEquals(q[0], 1);
  // P − Q·T has no terms up to z^10.
  for (let k = 0; k <= 10; k++) {
    let c = k <= 5 ? p[k] : 0;
    for (let j = 0; j <= Math.min(k, 5); j++) c -= q[j] * a[k - j];
    assertAlmostEquals(c, 0, 1e-12);
  }
  const poly = (c: Float64Array, z: number) => c.reduceRight((s, ck) => s * z + ck, 0);
  for (const z of [0.3, 0.6, 0.9, 0.99]) {
    const exact = Math.sqrt(1 - z);
    const ePade = Math.abs(poly(p, z) / poly(q, z) - exact), eTaylor = Math.abs(poly(a, z) - exact);
    assert(ePade < eTaylor, `z = ${z}: Padé error ${ePade} ≥ Taylor error ${eTaylor}`);
  }
  assert(Math.abs(poly(p, 0.1) / poly(q, 0.1) - Math.sqrt(0.9)) < 1e-14);
});

Deno.test("MTP and MPA forward equal their scalar approximants applied to A's eigenvalues (float64)", () => {
  const rng = Rng.fromSeed(1);
  const lambda = [0.01, 0.1, 0.5, 1, 2, 3, 5, 8];
  const { a, u } = spd(lambda, rng);
  const nrm = Math.sqrt(lambda.reduce((s, l) => s + l * l, 0));
  const coef = taylorSqrt1m(10), pq = padeSqrt1m(5, 5);
  const poly = (c: Float64Array, z: number) => c.reduceRight((s, ck) => s * z + ck, 0);
  const fT = lambda.map((l) => Math.sqrt(nrm) * poly(coef, 1 - l / nrm));
  const fP = lambda.map((l) => Math.sqrt(nrm) * poly(pq.p, 1 - l / nrm) / poly(pq.q, 1 - l / nrm));
  const mtp = blas.mtpForward(la, [a], coef).sqrt[0], mpa = blas.mpaForward(la, [a], pq).sqrt[0];
  assert(relErr(mtp.data, applyFn(u, fT).data) < 1e-12);
  assert(relErr(mpa.data, applyFn(u, fP).data) < 1e-12);
  // On a well-conditioned matrix both are accurate roots; MPA more so.
  const good = spd([4, 4.5, 5, 5.5, 6, 6.5, 7, 8], rng);
  const root = applyFn(good.u, [4, 4.5, 5, 5.5, 6, 6.5, 7, 8].map(Math.sqrt)).data;
  const eT = relErr(blas.mtpForward(la, [good.a], coef).sqrt[0].data, root);
  const eP = relErr(blas.mpaForward(la, [good.a], pq).sqrt[0].data, root);
  assert(eP < eT && eT < 1e-2, `MPA ${eP}, MTP ${eT}`);
});

Deno.test("Lyapunov backward solves A^{1/2}X + XA^{1/2} = G (vs the exact eigenbasis solution)", () => {
  const rng = Rng.fromSeed(2);
  const lambda = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 9];
  const { a } = spd(lambda, rng);
  const g = symRandn(10, rng);
  const ref = referenceSqrtGrad(a, g);
  const fwd = { sqrt: [{ rows: 10, cols: 10, data: ref.sqrt }], norms: [frob(a)] };
  const x = blas.lyapunovBackward(la, fwd, [g], 8)[0];
  assert(relErr(x.data, ref.grad) < 1e-10, `error ${relErr(x.data, ref.grad)}`);
  // Too few sign iterations must show: the test can fail.
  assert(relErr(blas.lyapunovBackward(la, fwd, [g], 2)[0].data, ref.grad) > 1e-3);
});

Deno.test("NS forward converges to A^{1/2}; NS and eigh backwards match central finite differences", () => {
  const rng = Rng.fromSeed(3);
  const lambda = [0.5, 1, 1.5, 2, 3, 4];
  const { a, u } = spd(lambda, rng);
  const root = applyFn(u, lambda.map(Math.sqrt)).data;
  assert(relErr(blas.nsForward(la, [a], 20).sqrt[0].data, root) < 1e-12);
  assert(relErr(blas.eighForward(la, [a]).sqrt[0].data, root) < 1e-12);

  const g = symRandn(6, rng), e = symRandn(6, rng);
  const loss = (f: (m: Mat) => Mat, m: Mat) => inner(f(m).data, g.data);
  const shift = (t: number): Mat => ({ rows: 6, cols: 6, data: a.data.map((v, i) => v + t * e.data[i]) });
  const h = 1e-6;
  const check = (name: string, f: (m: Mat) => Mat, grad: Mat) => {
    const fd = (loss(f, shift(h)) - loss(f, shift(-h))) / (2 * h);
    const an = inner(grad.data, e.data);
    assert(Math.abs(fd - an) < 1e-6 * Math.max(1, Math.abs(fd)), `${name}: finite difference ${fd} vs backward ${an}`);
  };
  const ns = blas.nsForward(la, [a], 5);
  check("ns", (m) => blas.nsForward(la, [m], 5).sqrt[0], blas.nsBackward(la, ns, [g])[0]);
  // our ablation: Frobenius pre-normalization (∂‖A‖_F/∂A = A/‖A‖_F enters the backward)
  assert(relErr(blas.nsForward(la, [a], 20, "frobenius").sqrt[0].data, root) < 1e-12);
  const nsF = blas.nsForward(la, [a], 5, "frobenius");
  check("ns_fro", (m) => blas.nsForward(la, [m], 5, "frobenius").sqrt[0], blas.nsBackward(la, nsF, [g])[0]);
  const eig = blas.eighForward(la, [a]);
  check("eigh", (m) => blas.eighForward(la, [m]).sqrt[0], blas.eighBackward(la, eig, [g])[0]);
});

Deno.test({
  name: "jax-js (wasm) gives the native results for every method, float64 and float32",
  ...jaxOpts,
  fn: async () => {
    defaultDevice("wasm");
    const data = makeData(12, 3, Rng.fromSeed(4).split("data"));
    for (const method of METHODS) {
      for (const dtype of ["float64", "float32"] as const) {
        const o: SqrtOptions = { ...OPTS, method, dtype, backward: true };
        const nat = await runSqrt(data, o, "native"), wasm = await runSqrt(data, o, "wasm");
        const tol = dtype === "float64" ? 1e-9 : 1e-3;
        const es = relErr(wasm.sqrt, nat.sqrt), eg = relErr(wasm.grad!, nat.grad!);
        assert(es < tol && eg < tol, `${method} ${dtype}: root differs by ${es}, gradient by ${eg}`);
      }
    }
  },
});

Deno.test({
  name: "webgpu (float32) MTP, MPA, NS agree with the float64 reference as well as native float32 does",
  ...jaxOpts,
  ignore: !devices.includes("webgpu"),
  fn: async () => {
    defaultDevice("webgpu");
    try {
      const data = makeData(16, 2, Rng.fromSeed(5).split("data"));
      for (const method of ["mtp", "mpa", "ns"] as const) {
        const o: SqrtOptions = { ...OPTS, method, dtype: "float32", backward: true };
        const gpu = await runSqrt(data, o, "webgpu"), nat = await runSqrt(data, o, "native");
        const dGpu = meanRelError(gpu.sqrt, data.refSqrt, 16, 2), dNat = meanRelError(nat.sqrt, data.refSqrt, 16, 2);
        assert(Math.abs(dGpu - dNat) < 1e-3 * dNat + 1e-5, `${method}: webgpu error ${dGpu} vs native ${dNat}`);
        assert(relErr(gpu.grad!, nat.grad!) < 1e-3, `${method}: webgpu gradient differs from native`);
      }
    } finally {
      defaultDevice("wasm");
    }
  },
});

Deno.test("MPA is exact on a scaled identity and every method returns a root whose square is A", async () => {
  const rng = Rng.fromSeed(6);
  const { a } = spd([2, 2.2, 2.4, 2.6, 2.8, 3], rng);
  const scaledI: Mat<Float64Array> = { rows: 6, cols: 6, data: new Float64Array(36) };
  for (let i = 0; i < 6; i++) scaledI.data[i * 7] = 9;
  const g = symRandn(6, rng);
  const data = dataOf([a, scaledI], [g, g]);
  for (const method of ALL_METHODS) {
    const out = await runSqrt(data, { ...OPTS, method, backward: false, nsIters: 12 }, "native");
    const s: Mat = { rows: 6, cols: 6, data: out.sqrt.subarray(0, 36) };
    const e = relErr(la.matmul(s, s).data, a.data);
    assert(e < (method === "mtp" ? 5e-3 : 1e-6), `${method}: ‖S² − A‖/‖A‖ = ${e}`);
  }
  // z = I − I/√6 ≠ 0, but on a multiple of I every method reduces to a scalar: check the value 3.
  const mpa = await runSqrt(data, { ...OPTS, method: "mpa", backward: false }, "native");
  const root = Math.sqrt(Math.sqrt(6) * 9) * Math.sqrt(1 / Math.sqrt(6));
  assertAlmostEquals(mpa.sqrt[36], root, 1e-6);
});

Deno.test({
  name: "smoke pipeline: data → every method (both passes) → measure gives finite metrics",
  ...jaxOpts,
  fn: async () => {
    // runMethods runs each method as the runner does and checks that every metric is declared and finite.
    for (const pass of ["forward", "forward+backward"] as const) {
      for (const backend of ["native", "wasm"] as const) {
        const methods = Object.keys(exp.methods).filter((name) => backend === "native" || name !== "ns_fro");
        const byMethod = await runMethods(exp, { d: 16, b: 2, pass }, { backend, methods });
        for (const name of methods) {
          const gradKey = name === "svd" ? "eigh_grad_rel_error" : "grad_rel_error";
          assertEquals(gradKey in byMethod[name], pass === "forward+backward");
        }
      }
    }
  },
});

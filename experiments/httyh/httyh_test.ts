/**
 * Tests for httyh (the HiPPO matrices themselves are tested in lib/math/hippo_test.ts): the warped-Legendre kernel of LegS-LTI, the exact projections against the ZOH recurrences, LegT and
 * FouT against the exact window projection on inputs they represent exactly, the polynomial reconstruction of
 * time-varying LegS, the white signal, and the smoke pipeline through the runner's single-run function.
 */
import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { expmGeneral } from "../../lib/math/expm.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { bilinear, fout, legs, legt, runLti, type Ssm, zoh } from "../../lib/math/hippo.ts";
import { basisAt, heldProjection, legendre, reconstruct, runLegsTv } from "./hippo.ts";
import { whiteSignal } from "./signal.ts";
import exp from "./mod.ts";

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const maxAbs = (a: ArrayLike<number>) => maxAbsDiff(a, new Float64Array(a.length));
const r = Math.sqrt;

Deno.test("expmGeneral: rotation, nilpotent, e^A e^{-A} = I", () => {
  const rot = expmGeneral(Float64Array.from([0, 3, -3, 0]), 2);
  assert(maxAbsDiff(rot, [Math.cos(3), Math.sin(3), -Math.sin(3), Math.cos(3)]) < 1e-14, `rotation ${rot}`);
  // Strictly upper triangular N: e^N = I + N + N²/2 exactly for a 3×3 shift.
  const nil = expmGeneral(Float64Array.from([0, 2, 0, 0, 0, 5, 0, 0, 0]), 3);
  assert(maxAbsDiff(nil, [1, 2, 5, 0, 1, 5, 0, 0, 1]) < 1e-14, `nilpotent ${nil}`);
  const rng = Rng.fromSeed(3), n = 10, a = rng.normal(n * n).map((v) => 0.8 * v);
  const e = expmGeneral(a, n), f = expmGeneral(a.map((v) => -v), n);
  const prod = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) prod[i * n + j] += e[i * n + k] * f[k * n + j];
  }
  for (let i = 0; i < n; i++) prod[i * n + i] -= 1;
  assert(maxAbs(prod) < 1e-11, `e^A e^-A − I = ${maxAbs(prod)}`);
});

Deno.test("LegS-LTI kernel e^{xA}B is the warped Legendre basis times the measure e^{-x}", () => {
  const n = 16, s = legs(n);
  for (const x of [0.05, 0.5, 1, 2, 4]) {
    const e = expmGeneral(s.a.map((v) => v * x), n), p = legendre(n, 2 * Math.exp(-x) - 1);
    const k = new Float64Array(n), ref = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) k[i] += e[i * n + j] * s.b[j];
      ref[i] = r(2 * i + 1) * p[i] * Math.exp(-x);
    }
    assert(maxAbsDiff(k, ref) < 1e-12, `x = ${x}: ${maxAbsDiff(k, ref)}`);
  }
});

Deno.test("exact projections of a held input equal the ZOH recurrences of LegS-LTI and time-varying LegS", () => {
  const rng = Rng.fromSeed(5), u = rng.normal(300);
  for (const dt of [0.003, 0.03]) {
    const c = runLti(zoh(legs(16), dt), u), ref = heldProjection("legs-lti", 16, u, dt, 1);
    assert(maxAbsDiff(c, ref) < 1e-12 * (1 + maxAbs(ref)), `LTI dt ${dt}: ${maxAbsDiff(c, ref)}`);
  }
  const v = rng.normal(40), tv = runLegsTv(8, v, "zoh"), tvRef = heldProjection("legs-tv", 8, v, 1, 40);
  assert(maxAbsDiff(tv, tvRef) < 1e-12, `time-varying: ${maxAbsDiff(tv, tvRef)}`);
});

/** c(t) = ∫ u(t − x) φ(x) dμ(x) over a window θ (uniform measure 1/θ), composite Simpson on 4000 intervals. */
function windowProjection(kind: "legt" | "fout", n: number, u: (t: number) => number, t: number, theta: number) {
  const m = 4000, h = theta / m, c = new Float64Array(n), phi = new Float64Array(n);
  for (let i = 0; i <= m; i++) {
    const w = (i === 0 || i === m ? 1 : i % 2 === 1 ? 4 : 2) * h / 3 / theta;
    basisAt(kind, n, i * h, theta, phi);
    const ui = u(t - i * h);
    for (let k = 0; k < n; k++) c[k] += w * ui * phi[k];
  }
  return c;
}

/** RK4 for x' = A x + B u(t) from t0 to t1. */
function rk4(s: Ssm, u: (t: number) => number, x0: Float64Array, t0: number, t1: number, steps: number) {
  const { n, a, b } = s, h = (t1 - t0) / steps;
  const f = (t: number, x: Float64Array) => {
    const y = new Float64Array(n), ut = u(t);
    for (let i = 0; i < n; i++) {
      let acc = b[i] * ut;
      for (let k = 0; k < n; k++) acc += a[i * n + k] * x[k];
      y[i] = acc;
    }
    return y;
  };
  let x = x0.slice();
  for (let s = 0; s < steps; s++) {
    const t = t0 + s * h, k1 = f(t, x);
    const k2 = f(t + h / 2, x.map((v, i) => v + h / 2 * k1[i]));
    const k3 = f(t + h / 2, x.map((v, i) => v + h / 2 * k2[i]));
    const k4 = f(t + h, x.map((v, i) => v + h * k3[i]));
    x = x.map((v, i) => v + h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  }
  return x;
}

Deno.test("LegT and FouT follow the exact window projection on inputs their bases represent", () => {
  // A cubic lies in the span of 8 Legendre polynomials on every window: LegT's estimate of u(t − θ) is exact.
  const cubic = (t: number) => 0.3 - 1.2 * t + 0.7 * t * t - 0.25 * t * t * t;
  for (const theta of [1, 2]) {
    const s = legt(8, theta), c0 = windowProjection("legt", 8, cubic, 1, theta);
    const c1 = rk4(s, cubic, c0, 1, 2, 4000), ref = windowProjection("legt", 8, cubic, 2, theta);
    assert(maxAbsDiff(c1, ref) < 1e-9, `LegT θ = ${theta}: ${maxAbsDiff(c1, ref)}`);
  }
  // A θ-periodic trigonometric polynomial below N/2 is its own Fourier series: u(t − θ) = u(t), no endpoint jump.
  const theta = 1.5, w = 2 * Math.PI / theta;
  const trig = (t: number) => 0.4 + Math.cos(w * t) - 0.5 * Math.sin(2 * w * t) + 0.2 * Math.cos(3 * w * t + 1);
  const s = fout(10, theta), c0 = windowProjection("fout", 10, trig, 1, theta);
  const c1 = rk4(s, trig, c0, 1, 2.3, 8000), ref = windowProjection("fout", 10, trig, 2.3, theta);
  assert(maxAbsDiff(c1, ref) < 1e-9, `FouT: ${maxAbsDiff(c1, ref)}`);
});

Deno.test("time-varying LegS reconstructs a polynomial of degree < N up to discretization error", () => {
  const errs = [500, 4000].map((L) => {
    const u = Float64Array.from({ length: L }, (_, k) => {
      const s = (k + 0.5) / L;
      return 1 - 3 * s + 2 * s * s * s;
    });
    const rec = reconstruct("legs-tv", runLegsTv(8, u), L, 1 / L, 1);
    return maxAbsDiff(rec, Float64Array.from({ length: L }, (_, j) => u[L - 1 - j]));
  });
  // The A/k bilinear recurrence is first order in 1/L (its first steps are coarse): 8× the samples, ≥ 5× less error.
  assert(errs[1] < 1e-2 && errs[1] < errs[0] / 5, `errors ${errs}`);
  // The bilinear LTI recurrence converges to the ZOH one as Δ → 0 (both discretize the same ODE).
  const u = Rng.fromSeed(9).normal(50).map((v) => 0.1 * v);
  const gaps = [0.02, 0.005].map((dt) => maxAbsDiff(runLti(bilinear(legs(8), dt), u), runLti(zoh(legs(8), dt), u)));
  assert(gaps[1] < gaps[0] / 3, `bilinear vs ZOH gaps ${gaps}`);
});

Deno.test("whiteSignal: starts at zero, band-limited, about the requested RMS", () => {
  const rng = Rng.fromSeed(11), period = 3, dt = 1e-3, freq = 3;
  const u = whiteSignal(rng, { period, dt, freq });
  assert(u.length === 3000 && u[0] === 0, `length ${u.length}, u[0] = ${u[0]}`);
  // A DFT bin above the band (k/(M dt) > freq) holds nothing but the constant shift's leakage (zero at k ≠ 0).
  const m = u.length,
    dft = (k: number) => {
      let re = 0, im = 0;
      for (let t = 0; t < m; t++) {
        re += u[t] * Math.cos(2 * Math.PI * k * t / m);
        im -= u[t] * Math.sin(2 * Math.PI * k * t / m);
      }
      return Math.hypot(re, im);
    };
  assert(dft(20) < 1e-9 && dft(5) > 1, `bins: 20 → ${dft(20)}, 5 → ${dft(5)}`);
  let ss = 0;
  for (const v of u) ss += (v - u.reduce((a, b) => a + b, 0) / m) ** 2;
  assertAlmostEquals(Math.sqrt(ss / m), 0.5, 0.3, "rms about 0.5");
});

Deno.test("smoke pipeline: every method runs through runOnce with finite metrics", async () => {
  const rec = await runMethods(exp, { task: "reconstruct", n: 16 }, { backend: "js" });
  assert(Object.keys(rec).length === 5, `reconstruct methods: ${Object.keys(rec)}`);
  assert((rec.legsLtiZoh.proj_gap as number) < 1e-10, `ZOH gap ${rec.legsLtiZoh.proj_gap}`);
  for (const [m, v] of Object.entries(rec)) assert((v.err_measure as number) < 1, `${m}: ${v.err_measure}`);
  const ts = await runMethods(exp, { task: "timescale", n: 64, window: 100 }, { backend: "js" });
  assert(Object.keys(ts).join() === "legsLti,legt,fout", `timescale methods: ${Object.keys(ts)}`);
  for (const [m, v] of Object.entries(ts)) {
    const best = v.best_dt as number;
    assert(best >= 1e-5 && best <= 1 && Object.keys(v.sweep_err).length === 61, `${m}: best Δ ${best}`);
  }
});

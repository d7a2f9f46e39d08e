/**
 * Tests for fbm-vi: the closed-form b of the MA-fBM normal equations against quadrature of the Mandelbrot–van Ness
 * kernels; optimality of ω (no perturbation lowers the L² error); MA-fBM → fBM covariance on a wide, fine grid; the
 * Kalman filter against the dense Gaussian likelihood of the same increments; the fGn covariance (H = ½ is white,
 * sums give t^{2H}); the closed-form θ̂ against the least-squares formula; smoke points through runOnce.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import { Rng } from "../../lib/math/rng.ts";
import { gammaFn } from "../../lib/math/special.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import {
  approxError,
  covError,
  gammaGrid,
  maCov,
  maFilter,
  omegaBackwardError,
  omegaOptimal,
  omegaSystem,
} from "./mafbm.ts";
import { brownianModel, exactModel, fgnCov, fitBrownian, fitHurst, profile, simulateFou } from "./fou.ts";
import exp from "./mod.ts";

/** Composite Simpson on [a, b] with m (even) panels. */
function simpson(f: (x: number) => number, a: number, b: number, m = 2000): number {
  const h = (b - a) / m;
  let s = f(a) + f(b);
  for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return s * h / 3;
}

/**
 * ∫₀^L u^{H−½} g(u) du with the substitution u = w^{1/a} (a = H + ½), which removes the power singularity (the
 * integrand keeps a w^{1/a} kink at 0, hence the many panels).
 */
function powerWeighted(g: (u: number) => number, h: number, L: number): number {
  const a = h + 0.5;
  return simpson((w) => g(w ** (1 / a)), 0, L ** a, 20000) / a;
}

/**
 * Cov(B_t, Y_γ(t) − Y_γ(0)) from the kernels: (1/Γ(a))∫[(t−s)₊^{H−½} − (−s)₊^{H−½}][e^{−γ(t−s)}1_{s<t} − e^{γs}1_{s<0}] ds.
 */
function crossCovQuad(h: number, g: number, t: number): number {
  const L = 40 / g;
  const i1 = powerWeighted((u) => Math.exp(-g * u), h, L); // u = t − s over s < t
  const i2 = simpson((v) => (t + v) ** (h - 0.5) * Math.exp(-g * v), 0, L); // s = −v < 0, (t−s)^{H−½}e^{γs}
  const i3 = powerWeighted((v) => Math.exp(-g * (t + v)), h, L); // (−s)^{H−½}e^{−γ(t−s)}, s = −v
  const i4 = powerWeighted((v) => Math.exp(-g * v), h, L); // (−s)^{H−½}e^{γs}
  return (i1 - i2 - i3 + i4) / gammaFn(h + 0.5);
}

Deno.test("closed-form b_k equals the time integral of the kernel cross-covariance (quadrature)", () => {
  const T = 2;
  for (const h of [0.3, 0.7]) {
    for (const g of [0.5, 3]) {
      const { b } = omegaSystem(Float64Array.of(g), h, T);
      const quad = simpson((t) => (t === 0 ? 0 : crossCovQuad(h, g, t)), 0, T, 200);
      assertAlmostEquals(b[0] / quad, 1, 1e-4, `H=${h} γ=${g}: ${b[0]} vs ${quad}`);
    }
  }
});

Deno.test("optimal ω: backward error at rounding, and no perturbation lowers the L² error", () => {
  const la = getLinalg("js"), rng = Rng.fromSeed(3);
  for (const h of [0.2, 0.5, 0.8]) {
    const gamma = gammaGrid(5, 100), w = omegaOptimal(gamma, h, 2, la), e0 = approxError(gamma, w, h, 2);
    assert(omegaBackwardError(gamma, w, h, 2) < 1e-14);
    assert(e0 > 0 && e0 < approxError(gamma, new Float64Array(5), h, 2));
    for (let i = 0; i < 20; i++) {
      const p = w.map((v) => v + 1e-3 * Math.max(1, Math.abs(v)) * rng.normal());
      assert(approxError(gamma, p, h, 2) > e0, `H=${h}: a perturbation lowered the error`);
    }
  }
});

Deno.test("MA-fBM covariance approaches the fBM covariance as K grows on a widening grid", () => {
  const la = getLinalg("js");
  for (const h of [0.3, 0.7]) {
    const errs = [2, 6, 12].map((k) => {
      const gamma = gammaGrid(k, 10 ** (k / 3));
      return covError(gamma, omegaOptimal(gamma, h, 1, la), h, 0.02, 50);
    });
    assert(errs[0] > errs[1] && errs[1] > errs[2], `H=${h}: ${errs}`);
    assert(errs[2] < 0.05, `H=${h}: K=12 error ${errs[2]}`);
  }
});

Deno.test("Kalman filter = dense Gaussian likelihood of the MA-fBM increments (log-det and whitening)", () => {
  const la = getLinalg("js"), n = 30, dt = 0.05, h = 0.35;
  const gamma = gammaGrid(3, 20), w = omegaOptimal(gamma, h, n * dt, la);
  const C = new Float64Array(n * n);
  const cov = (i: number, j: number) => maCov(gamma, w, i * dt, j * dt);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      C[i * n + j] = cov(i + 1, j + 1) - cov(i + 1, j) - cov(i, j + 1) + cov(i, j);
    }
  }
  const L = la.cholesky(mat(n, n, C));
  let logdet = 0;
  for (let i = 0; i < n; i++) logdet += 2 * Math.log(L.data[i * n + i]);
  const f = maFilter(gamma, w, dt, n);
  assertAlmostEquals(f.logdet, logdet, 1e-9 * Math.abs(logdet));
  const e = Rng.fromSeed(1).normal(n), v = f.whiten(e), ref = la.triSolve(L, mat(n, 1, e), { lower: true }).data;
  for (let i = 0; i < n; i++) assertAlmostEquals(v[i], ref[i], 1e-9);
});

Deno.test("fGn covariance: white at H = ½; its full sum is Var B_T = T^{2H}", () => {
  const n = 50, dt = 0.1;
  const w = fgnCov(0.5, dt, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assertAlmostEquals(w[i * n + j], i === j ? dt : 0, 1e-15);
  for (const h of [0.2, 0.8]) {
    const s = fgnCov(h, dt, n).reduce((a, b) => a + b, 0);
    assertAlmostEquals(s, (n * dt) ** (2 * h), 1e-12);
  }
});

Deno.test("profile likelihood: Brownian θ̂ is least squares; exact whitening at H = ½ matches Brownian", () => {
  const la = getLinalg("js");
  const d = simulateFou({ hurst: 0.5, theta: 1, sigma: 1, dt: 0.05, n: 60, paths: 3 }, Rng.fromSeed(2), la);
  let num = 0, den = 0;
  for (const x of d.paths) {
    for (let i = 0; i < d.n; i++) {
      num += (x[i + 1] - x[i]) * x[i];
      den += d.dt * x[i] * x[i];
    }
  }
  const b = fitBrownian(d);
  assertAlmostEquals(b.theta, -num / den, 1e-10);
  const e = profile(d, exactModel(la, d.dt, d.n)(0.5)), p = profile(d, brownianModel(d.dt, d.n));
  assertAlmostEquals(e.theta, p.theta, 1e-10);
  assertAlmostEquals(e.loglik, p.loglik, 1e-10);
});

Deno.test("exact-likelihood fit recovers H on plenty of data", () => {
  const la = getLinalg("js");
  for (const h of [0.25, 0.75]) {
    const d = simulateFou({ hurst: h, theta: 1, sigma: 1, dt: 0.01, n: 150, paths: 20 }, Rng.fromSeed(5), la);
    const fit = fitHurst(d, exactModel(la, d.dt, d.n));
    assert(Math.abs(fit.hurst - h) < 0.05, `H=${h}: Ĥ=${fit.hurst}`);
  }
});

Deno.test("smoke points through runOnce: every method at H = 0.2", async () => {
  const runs = await runSmokePoints(exp, (p) => p.hurst === 0.2);
  assertEquals(runs.length, 7);
  for (const { run, m } of runs) {
    assert(Number.isFinite(m.loglik) && m.hurst_est > 0 && m.hurst_est < 1, run.method);
    if (run.method.startsWith("ma")) assert(m.omega_backward_err < 1e-12 && m.cov_err < 1, run.method);
  }
});

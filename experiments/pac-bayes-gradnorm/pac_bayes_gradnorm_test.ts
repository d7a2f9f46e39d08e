import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { assertCentralDifferences, spread } from "../../lib/testdata/gradcheck.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { Rng } from "../../lib/math/rng.ts";
import { batchLoss, gibbsStats, invSoftplus, klMeanField, MeanFieldMlp, softplus } from "./bnn.ts";
import exp from "./mod.ts";

function toyData(rng: Rng, n: number, d: number) {
  const x = rng.normal(n * d) as Float64Array;
  const y = Int32Array.from({ length: n }, (_, i) => (x[i * d] > 0 ? 1 : 0) + (x[i * d + 1] > 0 ? 2 : 0));
  return { x, y, n };
}

Deno.test("KL of two Gaussians: the closed form, its zero, and a Monte-Carlo estimate", () => {
  // Closed form of KL(N(m, diag s²) ‖ N(0, v I)) written through covariance traces and log-determinants.
  const mu = [0.3, -1.2, 0.05], s = [0.2, 0.7, 1.5], sp = 0.9, v = sp * sp;
  const rho = s.map(invSoftplus);
  const trace = s.reduce((a, x) => a + (x * x) / v, 0), quad = mu.reduce((a, x) => a + (x * x) / v, 0);
  const logDet = 3 * Math.log(v) - s.reduce((a, x) => a + Math.log(x * x), 0);
  const want = 0.5 * (trace + quad - 3 + logDet);
  assertAlmostEquals(klMeanField(mu, rho, sp), want, 1e-12);
  assertAlmostEquals(klMeanField([0, 0], [invSoftplus(sp), invSoftplus(sp)], sp), 0, 1e-12);
  // E_q[log q(w) − log p(w)] by Monte Carlo in one coordinate.
  const rng = Rng.fromSeed(3), m = 200000, e = rng.normal(m) as Float64Array;
  let mc = 0;
  for (let i = 0; i < m; i++) {
    const w = mu[1] + s[1] * e[i];
    mc += (-Math.log(s[1]) - 0.5 * e[i] * e[i]) - (-Math.log(sp) - (w * w) / (2 * v));
  }
  assertAlmostEquals(mc / m, klMeanField([mu[1]], [rho[1]], sp), 0.01);
});

Deno.test("KL gradient in (μ, ρ) matches central differences", () => {
  const rng = Rng.fromSeed(1), mu = rng.normal(7) as Float64Array;
  const rho = Float64Array.from(rng.normal(7) as Float64Array, (r) => r - 1);
  const gMu = new Float64Array(7), gRho = new Float64Array(7);
  klMeanField(mu, rho, 0.5, { gMu, gRho, c: 0.3 });
  const f = () => 0.3 * klMeanField(mu, rho, 0.5);
  assertCentralDifferences(f, mu, gMu.slice(), { label: "μ" });
  assertCentralDifferences(f, rho, gRho.slice(), { label: "ρ" });
});

Deno.test("reparameterised gradient of CE + c·KL matches central differences (fixed ε)", () => {
  const rng = Rng.fromSeed(2), data = toyData(rng.split("data"), 20, 5);
  const m = new MeanFieldMlp({ inputs: 5, width: 6, depth: 2, classes: 4, priorSigma: 0.3, sigma0: 0.1, rng });
  for (let i = 0; i < m.size; i++) m.rho[i] = invSoftplus(0.05 + 0.1 * ((i * 7) % 5));
  m.sample(rng.split("eps"));
  const eps = Float64Array.from(m.eps), c = 0.02;
  const gMu = new Float64Array(m.size), gRho = new Float64Array(m.size);
  m.objectiveGrad(data.x, data.y, data.n, c, gMu, gRho);
  const f = () => {
    const w = m.net.store.value;
    for (let i = 0; i < w.length; i++) w[i] = m.mu[i] + softplus(m.rho[i]) * eps[i];
    return batchLoss(m, data.x, data.y, data.n) + c * m.kl();
  };
  const idx = spread(m.size, 25);
  assertCentralDifferences(f, m.mu, gMu, { indices: idx, label: "μ", tol: 1e-6 });
  assertCentralDifferences(f, m.rho, gRho, { indices: idx, label: "ρ", tol: 1e-6 });
});

Deno.test("input tap: per-example ∂ℓ/∂x matches central differences, and gradX is its mean square", () => {
  const rng = Rng.fromSeed(4), data = toyData(rng.split("data"), 3, 5);
  const m = new MeanFieldMlp({ inputs: 5, width: 8, depth: 1, classes: 4, priorSigma: 0.3, sigma0: 1e-9, rng });
  m.sample(null);
  m.net.lossAndGrad(data.x, data.y, data.n, "xent", "sum");
  const dx = Float64Array.from(m.tap.dx!);
  const x = Float64Array.from(data.x);
  assertCentralDifferences(() => batchLoss(m, x, data.y, data.n) * data.n, x, dx, { label: "x" });
  // σ₀ = 1e-9: every posterior draw is the mean up to 1e-9, so gibbsStats' gradX is ≈ mean_i ‖∂ℓ_i/∂x‖².
  const want = dx.reduce((a, v) => a + v * v, 0) / data.n;
  const [st] = gibbsStats(m, [data], 2, rng.split("eval"), data.n);
  assertAlmostEquals(st.gradX, want, 1e-6 * Math.max(1, want));
});

Deno.test("smoke runs: finite terms, reparameterisation identity holds", async () => {
  const runs = await runSmokePoints(exp);
  assert(runs.length === 2, `expected 2 smoke runs, got ${runs.length}`);
  for (const { m } of runs) {
    for (const k of ["kl", "grad_x", "grad_w", "gap_ce", "test_err"]) assert(Number.isFinite(m[k]), `${k} finite`);
    assert(m.kl > 0, "KL > 0 once trained");
    assert(m.reparam_grad_err < 1e-6, `reparam_grad_err ${m.reparam_grad_err}`);
  }
});

Deno.test("data: both datasets pool to 7×7 with labels 0..9", async () => {
  for (const dataset of ["mnist", "fashion"] as const) {
    const cfg = exp.config.parse({ dataset, nTrain: 30, nTest: 20 });
    const d = await exp.data(cfg, { seed: 0, rng: Rng.fromSeed(0) });
    assert(d.d === 49 && d.tr.x.length === 30 * 49 && d.te.x.length === 20 * 49, `${dataset} shapes`);
    assert([...d.tr.y, ...d.te.y].every((v) => v >= 0 && v <= 9), `${dataset} labels`);
    assert(d.tr.x.every((v) => v >= 0 && v <= 1), `${dataset} pooled grey levels in [0, 1]`);
  }
});

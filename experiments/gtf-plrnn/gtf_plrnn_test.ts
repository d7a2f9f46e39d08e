import { assert } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { flatten, generate, gtfLossGrad, initParams, unflattenInto } from "./plrnn.ts";
import { makeLorenz, rk4Step } from "./lorenz.ts";
import { powerSpectrum, spectralHellinger, stateSpaceDivergence } from "./measures.ts";
import exp, { measureRun } from "./mod.ts";
import { trainGtf } from "./plrnn.ts";

Deno.test("GTF gradient matches central finite differences for α ∈ {0, 0.3, 1}", () => {
  const rng = Rng.fromSeed(1);
  const p = initParams(3, 6, rng);
  const T = 12;
  const windows = [0, 1].map(() => rng.normal((T + 1) * 3));
  for (const alpha of [0, 0.3, 1]) {
    const g = flatten(gtfLossGrad(p, windows, T, alpha).grad);
    const th = flatten(p);
    for (let i = 0; i < th.length; i += 3) {
      const h = 1e-6, tp = th.slice(), tm = th.slice();
      tp[i] += h;
      tm[i] -= h;
      unflattenInto(p, tp);
      const lp = gtfLossGrad(p, windows, T, alpha).loss;
      unflattenInto(p, tm);
      const lm = gtfLossGrad(p, windows, T, alpha).loss;
      unflattenInto(p, th);
      const fd = (lp - lm) / (2 * h);
      assert(Math.abs(fd - g[i]) <= 1e-6 + 1e-5 * Math.abs(fd), `α=${alpha} param ${i}: fd ${fd} vs ${g[i]}`);
    }
  }
});

Deno.test("α = 0 loss is the free-running MSE, α = 1 loss the one-step MSE", () => {
  const rng = Rng.fromSeed(2);
  const p = initParams(3, 5, rng);
  const T = 8, x = rng.normal((T + 1) * 3);
  const free = generate(p, x.subarray(0, 3), T + 1);
  let l0 = 0, l1 = 0;
  for (let t = 1; t <= T; t++) {
    const one = generate(p, x.subarray((t - 1) * 3, t * 3), 2);
    for (let m = 0; m < 3; m++) {
      l0 += (free[t * 3 + m] - x[t * 3 + m]) ** 2 / (T * 3);
      l1 += (one[3 + m] - x[t * 3 + m]) ** 2 / (T * 3);
    }
  }
  assert(Math.abs(gtfLossGrad(p, [x], T, 0).loss - l0) < 1e-12, "α=0");
  assert(Math.abs(gtfLossGrad(p, [x], T, 1).loss - l1) < 1e-12, "α=1");
});

Deno.test("RK4 on Lorenz-63 converges at fourth order", () => {
  const run = (h: number) => {
    const s = new Float64Array([1, 1, 20]);
    for (let i = 0; i < Math.round(0.5 / h); i++) rk4Step(s, h);
    return s;
  };
  const ref = run(1e-4), e1 = run(0.01), e2 = run(0.005);
  const err = (a: Float64Array) => Math.hypot(a[0] - ref[0], a[1] - ref[1], a[2] - ref[2]);
  const ratio = err(e1) / err(e2);
  assert(ratio > 12 && ratio < 20, `error ratio ${ratio}`);
});

Deno.test("FFT power spectrum equals the naive DFT; divergences vanish on identical orbits", () => {
  const rng = Rng.fromSeed(3);
  const x = rng.normal(64);
  const ps = powerSpectrum(x);
  for (let k = 0; k <= 32; k++) {
    let re = 0, im = 0;
    for (let t = 0; t < 64; t++) {
      re += x[t] * Math.cos((2 * Math.PI * k * t) / 64);
      im -= x[t] * Math.sin((2 * Math.PI * k * t) / 64);
    }
    assert(Math.abs(ps[k] - (re * re + im * im)) < 1e-9 * (1 + ps[k]), `bin ${k}`);
  }
  const d = makeLorenz({ nTrain: 1000, nTest: 1024, dt: 0.05 }, Rng.fromSeed(4));
  assert(Math.abs(stateSpaceDivergence(d.test, d.test, 3, 30)) < 1e-3, "D_stsp(x, x) ≈ 0 (up to the 1e-7 floor)");
  assert(spectralHellinger(d.test, d.test, 3, 2) < 1e-6, "D_H(x, x) = 0");
  const noise = rng.normal(d.test.length);
  assert(stateSpaceDivergence(d.test, noise, 3, 30) > 1, "D_stsp separates noise from the attractor");
  assert(spectralHellinger(d.test, noise, 3, 2) > 0.3, "D_H separates white noise from Lorenz");
});

Deno.test("smoke pipeline gives finite metrics; GTF gradients stay below BPTT's", () => {
  const cfg = exp.config.parse({ ...exp.scales.smoke.set, iters: 150, nTrain: 800, nTest: 1024 });
  const d = makeLorenz(cfg, Rng.fromSeed(0).split("data"));
  const res: Record<number, number> = {};
  for (const alpha of [0, cfg.alpha, 1]) {
    const out = trainGtf(d.train, d.nTrain, { ...cfg, alpha }, Rng.fromSeed(0).split("m"));
    const met = measureRun(d, out, cfg);
    for (const [k, v] of Object.entries(met)) {
      const vs = typeof v === "number" ? [v] : v;
      assert(vs.every(Number.isFinite), `${k} not finite at α=${alpha}`);
    }
    res[alpha] = met.grad_norm_max;
  }
  assert(res[cfg.alpha] < res[0], `max grad GTF ${res[cfg.alpha]} vs BPTT ${res[0]}`);
});

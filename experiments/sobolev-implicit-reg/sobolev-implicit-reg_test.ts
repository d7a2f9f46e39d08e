import { assert } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { makeImage, phantom } from "./data.ts";
import { fft2InPlace } from "../../lib/math/fft.ts";
import exp from "./mod.ts";
import { gaussianOtf, gradientOf, objective, psnr, sobolevGD, sobolevWeights } from "./sobolev.ts";

Deno.test("s = 0 H^s norm equals the L² norm (Parseval)", () => {
  const rng = Rng.fromSeed(2), n = 8;
  const r = rng.normal(n * n);
  const p = { n, f: new Float64Array(n * n), otf: gaussianOtf(n, 0) };
  const l2 = r.reduce((s, v) => s + v * v, 0) / 2;
  assert(Math.abs(objective(p, sobolevWeights(n, 0), r) - l2) < 1e-10, "Parseval");
  // and H^{-1} ≤ L² since every weight ≤ 1
  assert(objective(p, sobolevWeights(n, -1), r) < l2, "H^-1 ≤ L2");
});

Deno.test("gradient matches central finite differences (s = -1, with blur)", () => {
  const rng = Rng.fromSeed(3), n = 8;
  const p = { n, f: rng.normal(n * n), otf: gaussianOtf(n, 1) };
  const u = rng.normal(n * n), g = gradientOf(p, -1, u), w = sobolevWeights(n, -1), h = 1e-5;
  for (const i of [0, 7, 21, 63]) {
    const up = u.slice(), um = u.slice();
    up[i] += h;
    um[i] -= h;
    const fd = (objective(p, w, up) - objective(p, w, um)) / (2 * h);
    assert(Math.abs(fd - g[i]) < 1e-7 * Math.max(1, Math.abs(g[i])), `grad[${i}] ${g[i]} vs fd ${fd}`);
  }
});

Deno.test("GD denoising iterates follow the closed form û_k = (1 − (1 − η w)^k) f̂", () => {
  const rng = Rng.fromSeed(4), n = 8, s = -0.5, k = 7;
  const p = { n, f: rng.normal(n * n), otf: gaussianOtf(n, 0) };
  const u = sobolevGD(p, { s, iters: k });
  const w = sobolevWeights(n, s); // η = 1 here (L = w(0) = 1)
  const re = p.f.slice(), im = new Float64Array(n * n);
  fft2InPlace(re, im, n);
  for (let i = 0; i < n * n; i++) {
    const g = 1 - Math.pow(1 - w[i], k);
    re[i] *= g;
    im[i] *= g;
  }
  fft2InPlace(re, im, n, true);
  for (let i = 0; i < n * n; i++) assert(Math.abs(re[i] - u[i]) < 1e-12, `closed form at ${i}`);
});

Deno.test("L² denoising GD with step 1/L reaches f in one step", () => {
  const d = makeImage({ n: 16, sigma: 0.1, blur: 0 }, Rng.fromSeed(5));
  const u = sobolevGD(d, { s: 0, iters: 1 });
  assert(Math.abs(psnr(u, d.clean) - psnr(d.f, d.clean)) < 1e-9, "one step reaches f");
  assert(phantom(16).every((v) => v >= 0 && v <= 1), "phantom in [0,1]");
});

Deno.test("smoke pipeline gives finite metrics", async () => {
  const cfg = exp.config.parse({ ...exp.scales.smoke.set, blur: 1 });
  const d = await exp.data(cfg, { seed: 0, rng: Rng.fromSeed(0).split("data") });
  for (const m of Object.values(exp.methods)) {
    const chosen: Record<string, number> = {};
    const ctx = {
      seed: 0,
      rng: Rng.fromSeed(0),
      backend: "js",
      observe: () => {},
      choose: (k: string, v: number) => (chosen[k] = v),
    };
    const out = await m.run(d, cfg, ctx as never);
    const met = await exp.measure(d, out, cfg);
    for (const [k, v] of Object.entries(met)) assert(Number.isFinite(v as number), `${k} not finite`);
    assert(chosen.stop >= 1 && chosen.stop <= cfg.iters, `stop ${chosen.stop}`);
    // the held-out PSNR is the test trace at the step chosen on the validation draw
    assert(
      met.heldout_psnr === out.trace[chosen.stop - 1] && (met.heldout_psnr as number) <= (met.best_psnr as number),
      "held-out PSNR",
    );
  }
});

Deno.test("best_iter is the first iterate at the optimum (rounding-level ties ignored)", async () => {
  const d = makeImage({ n: 8, sigma: 0.1, blur: 0 }, Rng.fromSeed(6));
  const trace = new Float64Array([10, 20, 20 + 1e-12, 20 - 1e-12, 19]);
  const met = await exp.measure(
    { test: d, validation: d } as never,
    { u: d.f, trace, stop: 5 } as never,
    exp.config.parse({}),
  );
  assert(met.best_iter === 2 && met.best_psnr === 20 && met.best_at_cap === 0, JSON.stringify(met));
  assert(met.heldout_psnr === 19 && met.stop_at_cap === 1, JSON.stringify(met));
});

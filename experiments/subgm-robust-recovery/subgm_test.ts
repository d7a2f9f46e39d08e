import { ok as assert } from "node:assert";
import { Rng } from "../../lib/math/rng.ts";
import { relFactorError } from "../../lib/math/lowrank/mod.ts";
import { makeProblem, validationScore } from "./problem.ts";
import { gdL2, subgm } from "./subgm.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const errOf = (trace: number[]) => trace[trace.length - 1];

Deno.test("outlier model corrupts about a fraction p of the measurements", () => {
  const p = makeProblem({ d: 6, r: 2, kappa: 2, m: 2000, p: 0.25, outlierScale: 10, mVal: 10 }, Rng.fromSeed(0));
  const frac = p.corrupted.length / 2000;
  assert(Math.abs(frac - 0.25) < 0.03, `fraction ${frac}`);
  const clean = p.op.apply(p.truth.x);
  const changed = p.y.filter((v, i) => v !== clean[i]).length;
  assert(changed === p.corrupted.length);
});

Deno.test("SubGM and ℓ2 GD both recover exactly on a noiseless easy instance (exact rank)", () => {
  const p = makeProblem({ d: 8, r: 2, kappa: 2, m: 300, p: 0, outlierScale: 10, mVal: 50 }, Rng.fromSeed(1));
  const mon = (_s: number, u: Parameters<typeof relFactorError>[0]) => relFactorError(u, p.truth.x);
  const a = subgm(p, { rPrime: 2, alpha: 1e-3, iters: 2500, every: 100, eta0: 0.1, rho: 0.997 }, Rng.fromSeed(2), mon);
  const b = gdL2(p, { rPrime: 2, alpha: 1e-3, iters: 800, every: 100, eta: 0.05 }, Rng.fromSeed(2), mon);
  assert(errOf(a.trace) < 1e-3, `SubGM error ${errOf(a.trace)}`);
  assert(errOf(b.trace) < 1e-8, `GD error ${errOf(b.trace)}`);
});

Deno.test("with 30% gross outliers SubGM still recovers while ℓ2 GD is pulled away", () => {
  const p = makeProblem({ d: 8, r: 2, kappa: 2, m: 400, p: 0.3, outlierScale: 10, mVal: 200 }, Rng.fromSeed(3));
  const mon = (_s: number, u: Parameters<typeof relFactorError>[0]) => relFactorError(u, p.truth.x);
  const a = subgm(p, { rPrime: 8, alpha: 1e-4, iters: 2500, every: 100, eta0: 0.1, rho: 0.997 }, Rng.fromSeed(4), mon);
  const b = gdL2(p, { rPrime: 8, alpha: 1e-4, iters: 800, every: 100, eta: 0.05 }, Rng.fromSeed(4), mon);
  assert(errOf(a.trace) < 5e-3, `SubGM error ${errOf(a.trace)}`);
  assert(errOf(b.trace) > 0.1, `GD error ${errOf(b.trace)}`);
  // the held-out score sees it too: SubGM's median validation residual is far below ℓ2 GD's, and ≈ 0 at X*
  assert(validationScore(p, a.u) < 0.1 * validationScore(p, b.u), "validation prefers the recovered fit");
  const zero = { rows: 8, cols: 8, data: new Float64Array(64) };
  assert(validationScore(p, zero) > validationScore(p, a.u), "zero factor scores worse than the fit");
});

Deno.test("validationScore is the median absolute held-out residual (exact on a hand-made case)", () => {
  const p = makeProblem({ d: 3, r: 1, kappa: 1, m: 10, p: 0, outlierScale: 10, mVal: 5 }, Rng.fromSeed(5));
  const zero = { rows: 3, cols: 1, data: new Float64Array(3) };
  const abs = Array.from(p.valid.y, Math.abs).sort((a, b) => a - b);
  assert(Math.abs(validationScore(p, zero) - abs[2]) < 1e-15, "median of |y_val| at U = 0");
  // at the truth (no outliers) every held-out residual vanishes
  assert(validationScore(p, p.truth.u) < 1e-12, "zero residual at U*");
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite; observed
  // metrics (rel_error) come back as series by step, chosen values as hp.<name>.
  const byMethod = await runMethods(exp, { alpha: 1e-5, p: 0.3, iters: 300 });
  for (const [name, m] of Object.entries(byMethod)) {
    const observed = Object.keys(m.rel_error ?? []).length;
    assert(observed > 3 && observed < 40, `${name}: observed ${observed} (the chosen fit's trace only)`);
    assert(Object.keys(m).filter((k) => k.startsWith("hp.")).length === 1, `${name}: one tuned value recorded`);
    assert(typeof m.final_rel_error === "number", `${name}: final_rel_error`);
  }
});

/**
 * kinetic-optimal against references: the λ estimator on a two-point data set (exact λ by quadrature, where the
 * posterior mean is v·tanh(s·y·v)) and on one point (λ ≡ 1); the isotonic fit; the kinetic-energy formula (1) of
 * paths.ts against a direct Monte-Carlo estimate of E‖u_t‖² from the marginal velocity's definition; the cone change
 * of variables; the KO path against its λ ≡ 1 limit (Cond-OT, exactly) and against perturbations (first variation
 * zero, second positive) and the Cond-OT and VP paths; and every method at one smoke point through runMethods.
 */
import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { estimateSeparation, isotonic, lambdaFunction, logGrid, lowerBound, type Separation } from "./separation.ts";
import {
  condOtAngle,
  condOtPath,
  type ConeAngle,
  coneAngle,
  keDensity,
  kineticEnergy,
  koPath,
  type PathFn,
  vpPath,
} from "./paths.ts";
import exp from "./mod.ts";

/** E_g[tanh(s‖v‖g + s²‖v‖²)], g ~ N(0, 1): λ(s) of the data set {v, −v} (trapezoid on [−12, 12]). */
function twoPointLambda(s: number, v2: number): number {
  const nv = Math.sqrt(v2);
  let acc = 0;
  const N = 8000, a = -12, h = 24 / N;
  for (let k = 0; k <= N; k++) {
    const g = a + k * h, w = (k === 0 || k === N ? 0.5 : 1) * h * Math.exp(-0.5 * g * g) / Math.sqrt(2 * Math.PI);
    acc += w * Math.tanh(s * nv * g + s * s * v2);
  }
  return acc;
}

function twoPointData(d: number, scale: number, rng: Rng): Float64Array {
  const v = (rng.normal(d) as Float64Array).map((x) => x * scale);
  const x = new Float64Array(2 * d);
  x.set(v, 0);
  x.set(v.map((a) => -a), d);
  return x;
}

Deno.test("estimateSeparation: two-point data ±v matches the exact λ(s) = E tanh(s‖v‖g + s²‖v‖²) within 4 SE", () => {
  const rng = Rng.fromSeed(3), d = 20;
  const x = twoPointData(d, 0.3, rng);
  const v2 = x.subarray(0, d).reduce((a, b) => a + b * b, 0);
  const sGrid = Float64Array.from([0.05, 0.1, 0.2, 0.4, 0.8]);
  const sep = estimateSeparation(x, { n: 2, d }, { sGrid, samples: 4000 }, rng.split("mc"), getLinalg("js"));
  assertAlmostEquals(sep.lambda0, 0, 1e-12, "the mean of ±v is 0");
  for (let k = 0; k < sGrid.length; k++) {
    const exact = twoPointLambda(sGrid[k], v2);
    assert(
      Math.abs(sep.lambda[k] - exact) <= 4 * sep.se[k] + 1e-9,
      `s=${sGrid[k]}: λ̂ ${sep.lambda[k]} vs exact ${exact} (SE ${sep.se[k]})`,
    );
  }
  assert(sep.lambda[4] > sep.lambda[0], "λ rises with s");
});

Deno.test("estimateSeparation: a single data point is perfectly separated, λ̂ ≡ 1; c = ‖x‖²/d", () => {
  const rng = Rng.fromSeed(4), d = 7, x = rng.normal(d) as Float64Array;
  const sep = estimateSeparation(x, { n: 1, d }, { sGrid: logGrid(1e-2, 1e2, 2), samples: 10 }, rng, getLinalg("js"));
  for (const l of sep.lambda) assertAlmostEquals(l, 1, 1e-12);
  assertAlmostEquals(sep.lambda0, 1, 1e-12);
  assertAlmostEquals(sep.c, x.reduce((a, b) => a + b * b, 0) / d, 1e-12);
});

Deno.test("estimateSeparation: the early stop once the posterior sits on x_j changes no value (grid vs one s at a time)", () => {
  const rng = Rng.fromSeed(8), n = 30, d = 10;
  const x = rng.normal(n * d) as Float64Array;
  const sGrid = logGrid(1e-2, 1e3, 4), la = getLinalg("js");
  const all = estimateSeparation(x, { n, d }, { sGrid, samples: 50, batch: 16 }, Rng.fromSeed(9), la);
  for (let k = 0; k < sGrid.length; k++) {
    const one = estimateSeparation(
      x,
      { n, d },
      { sGrid: sGrid.subarray(k, k + 1), samples: 50, batch: 16 },
      Rng.fromSeed(9),
      la,
    );
    assertAlmostEquals(all.lambda[k], one.lambda[0], 1e-12, `s=${sGrid[k]}`);
  }
  assertAlmostEquals(all.lambda[sGrid.length - 1], 1, 1e-12, "distinct points are separated at s = 1e3");
});

Deno.test("lowerBound: the exact two-point λ respects λ(s) ≥ cs²/(1 + cs²), and lambdaFunction never falls below it", () => {
  const d = 5, v2 = 3, c = v2 / d;
  for (const s of [0.01, 0.1, 0.5, 1, 3]) assert(twoPointLambda(s, v2) >= lowerBound(s, c) - 1e-9, `s=${s}`);
  const sep: Separation = {
    s: Float64Array.of(0.1, 1, 10),
    lambda: Float64Array.of(0, 0, 0), // noise far below the bound
    se: new Float64Array(3),
    lambda0: 0,
    c,
  };
  const lam = lambdaFunction(sep);
  for (const s of [0.05, 0.1, 0.5, 1, 5]) assertAlmostEquals(lam(s), lowerBound(s, c), 1e-12);
});

Deno.test("isotonic: pool-adjacent-violators gives the non-decreasing least-squares fit, clipped", () => {
  const y = isotonic([0.1, 0.5, 0.3, 0.4, 0.9, 1.2], 0, 1);
  const want = [0.1, 0.4, 0.4, 0.4, 0.9, 1];
  for (let i = 0; i < want.length; i++) assertAlmostEquals(y[i], want[i], 1e-12);
});

/** E‖u_t(x)‖²/d straight from the definition: u = Σ_i w_i(x)[σ̇(x − αx_i)/σ + α̇x_i], x = σx₀ + αx_j. */
function directKe(x: Float64Array, n: number, d: number, p: ReturnType<PathFn>, samples: number, rng: Rng): number {
  const { sigma, alpha, dsigma, dalpha } = p;
  let acc = 0;
  const xt = new Float64Array(d), u = new Float64Array(d), lw = new Float64Array(n);
  for (let r = 0; r < samples; r++) {
    const j = rng.int(n), z = rng.normal(d) as Float64Array;
    for (let k = 0; k < d; k++) xt[k] = sigma * z[k] + alpha * x[j * d + k];
    let mx = -Infinity;
    for (let i = 0; i < n; i++) {
      let q = 0;
      for (let k = 0; k < d; k++) q += (xt[k] - alpha * x[i * d + k]) ** 2;
      lw[i] = -q / (2 * sigma * sigma);
      mx = Math.max(mx, lw[i]);
    }
    let zsum = 0;
    for (let i = 0; i < n; i++) zsum += lw[i] = Math.exp(lw[i] - mx);
    u.fill(0);
    for (let i = 0; i < n; i++) {
      const w = lw[i] / zsum;
      for (let k = 0; k < d; k++) {
        u[k] += w * ((dsigma * (xt[k] - alpha * x[i * d + k])) / sigma + dalpha * x[i * d + k]);
      }
    }
    acc += u.reduce((a, b) => a + b * b, 0) / d;
  }
  return acc / samples;
}

Deno.test("keDensity: formula (1) with λ̂ equals E‖u_t‖²/d from the marginal velocity's definition (MC, 3%)", () => {
  const rng = Rng.fromSeed(5), n = 4, d = 6;
  const x = (rng.normal(n * d) as Float64Array).map((v) => 0.8 * v + 0.3);
  const points = [
    { sigma: 0.7, alpha: 0.3, dsigma: -0.9, dalpha: 1.1 },
    { sigma: 0.4, alpha: 0.6, dsigma: -1.3, dalpha: 0.5 },
  ];
  for (const p of points) {
    const s = p.alpha / p.sigma;
    const sep = estimateSeparation(x, { n, d }, { sGrid: Float64Array.of(s), samples: 40000 }, rng, getLinalg("js"));
    const formula = keDensity(p, sep.c, () => sep.lambda[0]);
    const direct = directKe(x, n, d, p, 40000, rng.split("direct"));
    assert(Math.abs(formula - direct) <= 0.03 * direct, `s=${s}: formula ${formula} vs direct ${direct}`);
  }
});

/** λ of the two-point data set as a function (for the path tests), with its c. */
function twoPointSeparation(v2: number, d: number): Separation {
  const s = logGrid(1e-3, 1e3, 20);
  return {
    s,
    lambda: s.map((v) => twoPointLambda(v, v2)),
    se: new Float64Array(s.length),
    lambda0: 0,
    c: v2 / d,
  };
}

Deno.test("cone coordinates: ∫ρ̇² + ρ²φ̇² equals formula (1) on a curved test path", () => {
  const sep = twoPointSeparation(4, 4), lam = lambdaFunction(sep), c = sep.c;
  const cone = coneAngle(lam, c, { sMax: 1e3 });
  const path: PathFn = (t) => ({ // a path that is not a geodesic: σ = (1 − t)², α = sin(πt/2)
    sigma: (1 - 0.9 * t) ** 2,
    alpha: Math.sin((Math.PI * t) / 2),
    dsigma: -1.8 * (1 - 0.9 * t),
    dalpha: (Math.PI / 2) * Math.cos((Math.PI * t) / 2),
  });
  const ke = kineticEnergy(path, c, lam);
  const polar = (t: number) => {
    const p = path(t), s = p.alpha / p.sigma;
    return { rho: Math.hypot(p.sigma, Math.sqrt(c) * p.alpha), phi: cone.at(s) };
  };
  const h = 1e-6;
  let cone2 = 0;
  const N = 4000;
  for (let k = 0; k < N; k++) { // midpoint rule with central differences
    const t = (k + 0.5) / N, a = polar(t - h), b = polar(t + h), m = polar(t);
    cone2 += (((b.rho - a.rho) / (2 * h)) ** 2 + m.rho ** 2 * ((b.phi - a.phi) / (2 * h)) ** 2) / N;
  }
  assertAlmostEquals(cone2, ke, 2e-3 * ke);
});

function koAsPath(cone: ConeAngle, sigmaMin: number, bump: (t: number) => [number, number] = () => [0, 0]): PathFn {
  const ko = koPath(cone, sigmaMin), h = 1e-6;
  const at = (t: number) => {
    const p = ko.at(t), [ds, da] = bump(t);
    return { sigma: p.sigma + ds, alpha: p.alpha + da };
  };
  return (t) => {
    const a = at(Math.max(0, t - h)), b = at(Math.min(1, t + h)), m = at(t);
    const w = Math.min(1, t + h) - Math.max(0, t - h);
    return { ...m, dsigma: (b.sigma - a.sigma) / w, dalpha: (b.alpha - a.alpha) / w };
  };
}

Deno.test("koPath: with λ ≡ 1 the KO path is Cond-OT and its energy (1 − σ_min)² + c", () => {
  const c = 0.7, sigmaMin = 1e-3, one = () => 1;
  const cone = coneAngle(one, c, { sMax: 1 / sigmaMin });
  const ko = koPath(cone, sigmaMin), ot = condOtPath(sigmaMin);
  assertAlmostEquals(ko.angle, condOtAngle(c, sigmaMin), 1e-6);
  assertAlmostEquals(ko.energy, (1 - sigmaMin) ** 2 + c, 1e-6);
  for (const t of [0, 0.1, 0.37, 0.5, 0.8, 0.99, 1]) {
    const a = ko.at(t), b = ot(t);
    assertAlmostEquals(a.sigma, b.sigma, 1e-5, `σ at t=${t}`);
    assertAlmostEquals(a.alpha, b.alpha, 1e-5, `α at t=${t}`);
  }
  assertAlmostEquals(kineticEnergy(ot, c, one), (1 - sigmaMin) ** 2 + c, 1e-9);
});

Deno.test("koPath: minimises formula (1) — zero first variation, positive second, below Cond-OT and VP", () => {
  const sep = twoPointSeparation(6, 4), lam = lambdaFunction(sep), c = sep.c, sigmaMin = 1e-2;
  const cone = coneAngle(lam, c, { sMax: 1 / sigmaMin });
  const ko = koPath(cone, sigmaMin);
  const keKo = kineticEnergy(koAsPath(cone, sigmaMin), c, lam);
  assertAlmostEquals(keKo, ko.energy, 5e-3 * ko.energy, "energy of the sampled KO path vs |P₁ − P₀|²");
  const keOt = kineticEnergy(condOtPath(sigmaMin), c, lam);
  const vp = vpPath(sigmaMin), keVp = kineticEnergy(vp.path, c, lam, vp.tEnd);
  assert(ko.energy < keOt - 1e-3 && keOt < keVp, `KO ${ko.energy} < Cond-OT ${keOt} < VP ${keVp}`);
  for (const [i, j] of [[1, 0], [0, 1], [2, 1]]) {
    const bump = (e: number) => (t: number): [number, number] => [
      e * Math.sin(Math.PI * t * (i + 1)) * (i > 0 ? 1 : 0) * 0.5,
      e * Math.sin(Math.PI * t * (j + 1)) * (j > 0 ? 1 : 0) * 0.5,
    ];
    const e = 0.02;
    const plus = kineticEnergy(koAsPath(cone, sigmaMin, bump(e)), c, lam);
    const minus = kineticEnergy(koAsPath(cone, sigmaMin, bump(-e)), c, lam);
    const first = (plus - minus) / (2 * e), second = (plus + minus - 2 * keKo) / (e * e);
    assert(Math.abs(first) < 0.02 * second * 1 + 1e-3, `first variation ${first} (second ${second})`);
    assert(plus > keKo && minus > keKo, `perturbed ${plus}, ${minus} vs KO ${keKo}`);
  }
});

Deno.test("vpPath: σ reaches σ_min at tEnd and σ² + α² = 1", () => {
  const vp = vpPath(1e-3), p = vp.path(vp.tEnd);
  assertAlmostEquals(p.sigma, 1e-3, 1e-9);
  assertAlmostEquals(vp.path(0.3).sigma ** 2 + vp.path(0.3).alpha ** 2, 1, 1e-12);
});

Deno.test("every method runs at the smoke point through runOnce", async () => {
  const out = await runMethods(exp, { n: 200, resolution: 7, dataset: "mnist" });
  assert(out.estimate.angle_ratio as number > 0 && (out.estimate.angle_ratio as number) <= 1 + 1e-9);
  assert((out.ko.ke as number) <= (out.condot.ke as number) + 1e-9, "KO at or below Cond-OT");
  assert((out.condot.ke as number) < (out.vp.ke as number), "Cond-OT below VP");
});

import { ok as assert } from "node:assert";
import { Rng } from "../../lib/math/rng.ts";
import {
  essentialFromPose,
  essentialMatrix,
  eulerDeg,
  frob,
  mul3,
  pose,
  poseErrors,
  projectedError,
  recoverPose,
  se3Exp,
  se3Log,
  t3,
} from "./geometry.ts";
import { levmar } from "./lm.ts";
import { cleanFrame, makeFrame, vonMises } from "./data.ts";
import { eightPoint, gsmConstWSK, gsmPlain, optimizeSK, optSK, ransac, ransacTrials } from "./solvers.ts";

const rng = () => Rng.fromSeed(7);

Deno.test("8PA on clean bearings recovers the pose to rounding (identity)", () => {
  const f = cleanFrame(60, rng());
  const e = essentialMatrix(f.b1, f.b2);
  const r = projectedError(e, f.b1, f.b2);
  assert(Math.max(...r.map(Math.abs)) < 1e-12, `residual ${Math.max(...r.map(Math.abs))}`);
  const err = poseErrors(recoverPose(e, f.b1, f.b2), f.gt);
  assert(err.rot < 1e-9 && err.trans < 1e-9, JSON.stringify(err));
  // The true E has zero residuals, too, and equals ±E up to scale.
  const et = essentialFromPose(f.gt);
  const same = Math.min(frob(e.map((v, i) => v - et[i])), frob(e.map((v, i) => v + et[i])));
  assert(same < 1e-9, `E differs by ${same}`);
});

Deno.test("exactly 8 clean points suffice (full SVD null vector)", () => {
  const f = cleanFrame(8, rng());
  const err = poseErrors(eightPoint(f.b1, f.b2), f.gt);
  assert(err.rot < 1e-7, JSON.stringify(err));
});

Deno.test("SE(3) exp and log are inverse; rotations are orthogonal", () => {
  const xi = Float64Array.of(0.3, -0.2, 0.5, 0.1, -0.4, 0.25);
  const back = se3Log(se3Exp(xi));
  assert(Math.max(...back.map((v, i) => Math.abs(v - xi[i]))) < 1e-12);
  const R = eulerDeg(7, -3, 9);
  const I = mul3(t3(R), R);
  assert(Math.abs(I[0] - 1) + Math.abs(I[1]) + Math.abs(I[4] - 1) < 1e-14);
  const p = pose(R, [0.2, 0.1, -0.3]);
  assert(poseErrors(se3Exp(se3Log(p)), p).rot < 1e-7);
});

Deno.test("levmar minimizes Rosenbrock's residuals", () => {
  const f = (p: Float64Array) => Float64Array.of(10 * (p[1] - p[0] * p[0]), 1 - p[0]);
  const r = levmar(f, [-1.2, 1]);
  assert(Math.abs(r.p[0] - 1) < 1e-6 && Math.abs(r.p[1] - 1) < 1e-6, String(r.p));
});

Deno.test("von Mises draws have mean 0 and variance ≈ 1/κ for large κ", () => {
  const g = rng(), xs = Array.from({ length: 20000 }, () => vonMises(g, 500));
  const m = xs.reduce((a, b) => a + b) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
  assert(Math.abs(m) < 1e-3 && Math.abs(v * 500 - 1) < 0.05, `mean ${m} var·κ ${v * 500}`);
});

Deno.test("solvers on noisy inlier-only bearings: every one lands near the truth; opt_SK finds s, k", () => {
  const f = makeFrame({ points: 200, kappa: 2000, outliers: 0, room: [4, 3, 1.5] }, rng());
  for (const s of [eightPoint, optSK, gsmPlain, gsmConstWSK]) {
    const e = poseErrors(s(f.b1, f.b2), f.gt);
    assert(e.rot < 0.02 && e.trans < 0.1, `${s.name}: ${JSON.stringify(e)}`);
  }
  const sk = optimizeSK(f.b1, f.b2);
  assert(Number.isFinite(sk.s) && Number.isFinite(sk.k));
});

Deno.test("RANSAC rejects 50% outliers: the inlier set is mostly true inliers", () => {
  const f = makeFrame({ points: 300, kappa: 500, outliers: 0.5, room: [4, 3, 1.5] }, rng());
  const r = ransac(f.b1, f.b2, eightPoint, { threshold: 1e-2, pSuccess: 0.99, expectedInliers: 0.5 }, rng());
  const bad = poseErrors(eightPoint(f.b1, f.b2), f.gt), good = poseErrors(r.pose, f.gt);
  assert(good.rot < bad.rot, `RANSAC ${good.rot} vs plain ${bad.rot}`);
  assert(r.trials <= ransacTrials(0.99, 0.5));
});

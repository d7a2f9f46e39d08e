import { ok as assert } from "node:assert";
import { assertAlmostEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { axpy, clone, type M64 } from "./dense.ts";
import { l1Loss, l2Loss, relFactorError } from "./factorized.ts";
import { gaussianSensing } from "./sensing.ts";
import { gaussian, psdTruth } from "./truth.ts";

function finiteDiff(f: (u: M64) => number, u: M64, dir: M64, h = 1e-6): number {
  return (f(axpy(u, dir, h)) - f(axpy(u, dir, -h))) / (2 * h);
}

Deno.test("ℓ2 and ℓ1 gradients match central finite differences", () => {
  const rng = Rng.fromSeed(0);
  const op = gaussianSensing({ m: 60, rows: 6, cols: 6 }, rng.split("A")); // non-symmetric A_i on purpose
  const t = psdTruth({ n: 6, r: 2 }, rng.split("t"));
  const y = op.apply(t.x);
  const u = gaussian(6, 3, rng), dir = gaussian(6, 3, rng);
  for (const loss of [l2Loss, l1Loss]) {
    const g = loss(op, y, u).grad;
    let analytic = 0;
    for (let k = 0; k < g.data.length; k++) analytic += g.data[k] * dir.data[k];
    const numeric = finiteDiff((v) => loss(op, y, v).loss, u, dir);
    assertAlmostEquals(analytic, numeric, 1e-5 * Math.max(1, Math.abs(analytic)));
  }
});

Deno.test("plain GD on the ℓ2 loss recovers a noiseless well-conditioned PSD truth", () => {
  const rng = Rng.fromSeed(3);
  const n = 8, r = 2;
  const op = gaussianSensing({ m: 200, rows: n, cols: n, symmetric: true }, rng.split("A"));
  const t = psdTruth({ n, r, kappa: 2 }, rng.split("t"));
  const y = op.apply(t.x);
  let u = clone(gaussian(n, r, rng.split("init"), 0.1));
  for (let it = 0; it < 1500; it++) u = axpy(u, l2Loss(op, y, u).grad, -0.1);
  const err = relFactorError(u, t.x);
  assert(err < 1e-6, `relative error ${err}`);
});

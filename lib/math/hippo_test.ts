/**
 * Tests for lib/math/hippo.ts: the HiPPO matrices against small hand-written cases (the notebook's and hippo.py's
 * conventions) and both discretizations against their closed forms on a scalar system and on a 2×2 rotation.
 */
import { assert } from "../testdata/assert.ts";
import { bilinear, fout, legs, legt, runLti, zoh } from "./hippo.ts";

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const r = Math.sqrt;

Deno.test("HiPPO matrices: LegS, LegT, FouT equal the repository's formulas on small sizes", () => {
  const s = legs(3);
  assert(maxAbsDiff(s.a, [-1, 0, 0, -r(3), -2, 0, -r(5), -r(15), -3]) < 1e-15, "LegS A");
  assert(maxAbsDiff(s.b, [1, r(3), r(5)]) < 1e-15, "LegS B");
  // visualizations.py legt (θ = 1): A = −R·[1 if n ≥ k else (−1)^{n−k}]·R, B = R.
  const t = legt(3);
  assert(maxAbsDiff(t.a, [-1, r(3), -r(5), -r(3), -3, r(15), -r(5), -r(15), -5]) < 1e-14, "LegT A");
  assert(maxAbsDiff(t.b, [1, r(3), r(5)]) < 1e-15, "LegT B");
  // hippo.py halves LegT: θ = 2.
  assert(maxAbsDiff(legt(3, 2).a, t.a.map((v) => v / 2)) < 1e-15, "LegT θ = 2 is hippo.py's halved matrix");
  // visualizations.py fourier (N = 4): A = 2π(−diag(d,1) + diag(d,−1)) − bbᵀ with b = (√2, 0, 2, 0), B = √2·b.
  const f = fout(4), tp = 2 * Math.PI, s2 = Math.SQRT2;
  const aRef = [-2, 0, -2 * s2, 0, 0, 0, 0, 0, -2 * s2, 0, -4, -tp, 0, 0, tp, 0];
  assert(maxAbsDiff(f.a, aRef) < 1e-14, `FouT A ${f.a}`);
  assert(maxAbsDiff(f.b, [2, 0, 2 * s2, 0]) < 1e-15, "FouT B");
  // hippo.py 'fout': A = π·(…) − eeᵀ, B = e with e = (1, 0, √2, 0): our θ = 2.
  const h = fout(4, 2);
  assert(maxAbsDiff(h.a, [-1, 0, -s2, 0, 0, 0, 0, 0, -s2, 0, -2, -Math.PI, 0, 0, Math.PI, 0]) < 1e-14, "fout θ=2");
  assert(maxAbsDiff(h.b, [1, 0, s2, 0]) < 1e-15, "fout θ=2 B");
});

Deno.test("bilinear and ZOH of a scalar system x' = a x + b u equal their closed forms", () => {
  const a = -3, b = 2, dt = 0.1, s = { n: 1, a: Float64Array.of(a), b: Float64Array.of(b) };
  const bl = bilinear(s, dt), z = zoh(s, dt);
  assert(Math.abs(bl.ad[0] - (1 + dt * a / 2) / (1 - dt * a / 2)) < 1e-15, `bilinear Ā ${bl.ad[0]}`);
  assert(Math.abs(bl.bd[0] - dt * b / (1 - dt * a / 2)) < 1e-15, `bilinear B̄ ${bl.bd[0]}`);
  assert(Math.abs(z.ad[0] - Math.exp(a * dt)) < 1e-15, `ZOH Ā ${z.ad[0]}`);
  assert(Math.abs(z.bd[0] - (Math.exp(a * dt) - 1) / a * b) < 1e-15, `ZOH B̄ ${z.bd[0]}`);
});

Deno.test("ZOH of a rotation is the rotation by ωΔ; runLti of a unit impulse is Ā^{L−1} B̄", () => {
  const w = 2, dt = 0.3, s = { n: 2, a: Float64Array.of(0, w, -w, 0), b: Float64Array.of(1, 0) };
  const z = zoh(s, dt), c = Math.cos(w * dt), si = Math.sin(w * dt);
  assert(maxAbsDiff(z.ad, [c, si, -si, c]) < 1e-14, `Ā ${z.ad}`);
  // ∫₀^Δ e^{sA} ds e₁ = (sin ωΔ, cos ωΔ − 1)/ω.
  assert(maxAbsDiff(z.bd, [si / w, (c - 1) / w]) < 1e-14, `B̄ ${z.bd}`);
  const x = runLti(z, [1, 0, 0]), c2 = Math.cos(2 * w * dt), s2 = Math.sin(2 * w * dt);
  const ref = [c2 * z.bd[0] + s2 * z.bd[1], -s2 * z.bd[0] + c2 * z.bd[1]];
  assert(maxAbsDiff(x, ref) < 1e-14, `impulse response ${x} vs ${ref}`);
});

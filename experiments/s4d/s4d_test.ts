/**
 * Tests for s4d: the NPLR decomposition of HiPPO-LegS (a 2×2 case by hand, exact reconstruction, unitary V), the
 * closed-form per-mode ZOH and bilinear against the dense matrix routes and a quadrature, the diagonal Vandermonde
 * kernel against the recurrence's impulse response, the S4D-Inv/Lin formulas on N = 4, the kernel error falling
 * with N, and the smoke pipeline through the runner's single-run function.
 */
import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import {
  cvec,
  denseKernels,
  type Diag,
  diagBasisKernels,
  diagKernel,
  diagonalizeNormal,
  discretizeDense,
  discretizeDiag,
  legsNplr,
  realBlockForm,
  relErr,
  s4dInit,
  s4dLegs,
} from "./kernels.ts";
import exp from "./mod.ts";

const js = getLinalg("js");

Deno.test("NPLR of LegS, N = 2 by hand: A_N = [[−½, √3/2], [−√3/2, −½]], λ = −½ ± i√3/2", () => {
  const s = legsNplr(2), h = Math.sqrt(3) / 2;
  const want = [-0.5, h, -h, -0.5];
  for (let i = 0; i < 4; i++) assertAlmostEquals(s.an[i], want[i], 1e-15, `A_N[${i}]`);
  const { lam } = diagonalizeNormal(s.an, 2, js);
  assertAlmostEquals(lam.re[0], -0.5, 1e-15);
  assertAlmostEquals(lam.im[0], -h, 1e-14);
  assertAlmostEquals(lam.im[1], h, 1e-14);
});

Deno.test("NPLR reconstructs A exactly; V is unitary and V Λ V* = A_N (N = 12, js and default linalg)", () => {
  const n = 12, s = legsNplr(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      assert(Math.abs(s.an[i * n + k] - s.p[i] * s.p[k] - s.a[i * n + k]) < 1e-14, `A at ${i},${k}`);
      assert(Math.abs(s.an[i * n + k] + s.an[k * n + i] + (i === k ? 1 : 0)) < 1e-14, `skew at ${i},${k}`);
    }
  }
  for (const la of [js, getLinalg()]) {
    const { lam, v } = diagonalizeNormal(s.an, n, la);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        let gr = 0, gi = 0, ar = 0, ai = 0; // (V*V)_ik and (VΛV*)_ik
        for (let q = 0; q < n; q++) {
          const xr = v.re[q * n + i], xi = -v.im[q * n + i], yr = v.re[q * n + k], yi = v.im[q * n + k];
          gr += xr * yr - xi * yi;
          gi += xr * yi + xi * yr;
          const pr = v.re[i * n + q], pi = v.im[i * n + q], qr = v.re[k * n + q], qi = -v.im[k * n + q];
          const mr = pr * qr - pi * qi, mi = pr * qi + pi * qr;
          ar += mr * lam.re[q] - mi * lam.im[q];
          ai += mr * lam.im[q] + mi * lam.re[q];
        }
        assert(Math.abs(gr - (i === k ? 1 : 0)) < 1e-12 && Math.abs(gi) < 1e-12, `V*V at ${i},${k}: ${gr} ${gi}`);
        assert(Math.abs(ar - s.an[i * n + k]) < 1e-12 && Math.abs(ai) < 1e-12, `VΛV* at ${i},${k}: ${ar} ${ai}`);
      }
    }
    // The kept half (S4D-LegS) has Im λ < 0 and conjugate partners in the other half.
    const d = s4dLegs(n, la);
    for (let k = 0; k < n / 2; k++) {
      assert(d.lam.im[k] < 0, `mode ${k}: Im λ = ${d.lam.im[k]}`);
      assertAlmostEquals(d.lam.im[k], -lam.im[n - 1 - k], 1e-12, `conjugate pair ${k}`);
    }
  }
});

Deno.test("per-mode ZOH and bilinear match the dense 2×2 routes and a quadrature of ∫e^{sλ}ds", () => {
  const d: Diag = { lam: cvec(1), b: cvec(1) };
  d.lam.re[0] = -0.3;
  d.lam.im[0] = 2;
  d.b.re[0] = 0.7;
  d.b.im[0] = -0.4;
  const dt = 0.05, block = realBlockForm(d, cvec(1)).ssm;
  for (const disc of ["zoh", "bilinear"] as const) {
    const { z, bd } = discretizeDiag(d, dt, disc), dense = discretizeDense(block, dt, disc);
    // The 2×2 real block [[a, −w], [w, a]] acts as multiplication by z; B̄ is its (Re, Im).
    assertAlmostEquals(dense.ad[0], z.re[0], 1e-14, `${disc} Re z`);
    assertAlmostEquals(dense.ad[2], z.im[0], 1e-14, `${disc} Im z`);
    assertAlmostEquals(dense.bd[0], bd.re[0], 1e-14, `${disc} Re B̄`);
    assertAlmostEquals(dense.bd[1], bd.im[0], 1e-14, `${disc} Im B̄`);
  }
  const { z, bd } = discretizeDiag(d, dt, "zoh");
  assertAlmostEquals(z.re[0], Math.exp(-0.3 * dt) * Math.cos(2 * dt), 1e-15);
  // Simpson's rule on ∫₀^Δ e^{sλ} ds · b.
  const steps = 200, h = dt / steps;
  let ir = 0, ii = 0;
  for (let j = 0; j <= steps; j++) {
    const w = j === 0 || j === steps ? 1 : j % 2 ? 4 : 2, s = j * h, e = Math.exp(-0.3 * s);
    ir += w * e * Math.cos(2 * s);
    ii += w * e * Math.sin(2 * s);
  }
  ir *= h / 3;
  ii *= h / 3;
  assertAlmostEquals(bd.re[0], ir * 0.7 - ii * -0.4, 1e-13, "ZOH Re B̄");
  assertAlmostEquals(bd.im[0], ir * -0.4 + ii * 0.7, 1e-13, "ZOH Im B̄");
  const b = discretizeDiag(d, dt, "bilinear");
  const den = (1 + 0.15 * dt) ** 2 + dt ** 2; // |1 − Δλ/2|²
  assertAlmostEquals(b.z.re[0] * b.z.re[0] + b.z.im[0] * b.z.im[0], ((1 - 0.15 * dt) ** 2 + dt ** 2) / den, 1e-15);
});

Deno.test("the diagonal Vandermonde kernel is the impulse response of the recurrence (every init, both rules)", () => {
  const n = 16, rng = Rng.fromSeed(3), c = cvec(n / 2), g = rng.normal(n);
  for (let k = 0; k < n / 2; k++) [c.re[k], c.im[k]] = [g[2 * k], g[2 * k + 1]];
  const inits: Diag[] = [s4dLegs(n, js), s4dInit("inv", n), s4dInit("lin", n), s4dInit("random", n, rng)];
  for (const d of inits) {
    for (const disc of ["zoh", "bilinear"] as const) {
      const k = diagKernel(d, c, 0.01, disc, 400);
      const blk = realBlockForm(d, c);
      const ref = denseKernels(discretizeDense(blk.ssm, 0.01, disc), [blk.c], 400)[0];
      assert(relErr(k, ref) < 1e-11, `${disc}: ${relErr(k, ref)}`);
    }
  }
  // S4D-LegS basis kernels = the dense normal part A_N with B/2, read by e_j.
  const s = legsNplr(n), d = s4dLegs(n, js);
  for (const disc of ["zoh", "bilinear"] as const) {
    const diag = diagBasisKernels(d, 3, 0.02, disc, 300);
    const rows = [0, 1, 2].map((j) => Float64Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)));
    const ref = denseKernels(discretizeDense({ n, a: s.an, b: s.b.map((x) => x / 2) }, 0.02, disc), rows, 300);
    for (let j = 0; j < 3; j++) {
      assert(relErr(diag[j], ref[j]) < 1e-11, `${disc} basis ${j}: ${relErr(diag[j], ref[j])}`);
    }
  }
});

Deno.test("S4D-Inv and S4D-Lin on N = 4 (dplr.py formulas)", () => {
  const inv = s4dInit("inv", 4), lin = s4dInit("lin", 4);
  assertAlmostEquals(inv.lam.im[0], -12 / Math.PI, 1e-14);
  assertAlmostEquals(inv.lam.im[1], -4 / (3 * Math.PI), 1e-14);
  assertAlmostEquals(lin.lam.im[0], 0, 0);
  assertAlmostEquals(lin.lam.im[1], -Math.PI, 1e-15);
  for (const d of [inv, lin]) for (let k = 0; k < 2; k++) assert(d.lam.re[k] === -0.5 && d.b.re[k] === 1);
});

Deno.test("the S4D-LegS basis kernels approach S4's as N grows (Δ = 0.05, ZOH)", () => {
  const err = [16, 64].map((n) => {
    const d = s4dLegs(n, js), s = legsNplr(n), L = 100;
    const rows = [0, 1].map((j) => Float64Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)));
    const ref = denseKernels(discretizeDense(s, 0.05, "zoh"), rows, L);
    return Math.max(...diagBasisKernels(d, 2, 0.05, "zoh", L).map((k, j) => relErr(k, ref[j])));
  });
  assert(err[1] < err[0] / 2, `errors ${err}`);
});

Deno.test("s4d smoke pipeline (runOnce): every method, identities at rounding level", async () => {
  const out = await runMethods(exp, { n: 16, dt: 0.1 }, { backend: "js" });
  assert(Object.keys(out).join() === "s4d-legs,s4d-inv,s4d-lin,random", `methods ${Object.keys(out)}`);
  for (const [m, v] of Object.entries(out)) assert((v.vdm_err as number) < 1e-10, `${m}: ${v.vdm_err}`);
  assert((out["s4d-legs"].nplr_err as number) < 1e-12, `nplr ${out["s4d-legs"].nplr_err}`);
  assert((out["s4d-inv"].spec_gap as number) < (out.random.spec_gap as number), "inv closer to LegS than random");
});

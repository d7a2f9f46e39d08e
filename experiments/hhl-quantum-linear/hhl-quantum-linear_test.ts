import { assert, assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { runMethods } from "../../lib/testdata/run.ts";
import { Rng } from "../../lib/math/rng.ts";
import { cg } from "../../lib/math/solvers/mod.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { gramSchmidtSmall, matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import { clockEigenvalue, clockState, hhl, rotationAmplitude } from "./hhl.ts";
import exp, { makeSystem } from "./mod.ts";

/** A = Q diag(λ) Qᵀ with a random orthogonal Q, b a random unit vector, x = Q diag(1/λ) Qᵀ b. */
function system(lambdas: number[], seed: number) {
  const n = lambdas.length, rng = Rng.fromSeed(seed);
  const q = gramSchmidtSmall(rng.normal(n * n), n, n);
  const b = rng.normal(n), nb = Math.hypot(...b);
  for (let i = 0; i < n; i++) b[i] /= nb;
  const beta = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) beta[j] += q[i * n + j] * b[i];
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) x[i] += (q[i * n + j] * beta[j]) / lambdas[j];
  return { eig: { values: Float64Array.from(lambdas), vectors: q }, b, x, beta };
}

Deno.test("uniform clock, eigenvalues on the clock grid: the state is x/‖x‖ and p = Σ β_j² C²/λ_j² to rounding", () => {
  // t = 6: T = 64, grid 4/T = 1/16; κ = 8, C = λ_min = 1/8.
  const lambdas = [2, 3, 5, 7, 8, 11, 13, 16].map((k) => k / 16);
  const { eig, b, x, beta } = system(lambdas, 3);
  const c = 1 / 8;
  const r = hhl(eig, b, x, { clockQubits: 6, c, clock: "uniform" });
  const nx = Math.hypot(...x);
  for (let i = 0; i < x.length; i++) assertAlmostEquals(r.state[i], x[i] / nx, 1e-13, `state[${i}]`);
  let p = 0;
  for (let j = 0; j < lambdas.length; j++) p += beta[j] ** 2 * (c / lambdas[j]) ** 2;
  assertAlmostEquals(r.successProb, p, 1e-14, "success probability");
  assertAlmostEquals(r.cleanProb, p, 1e-14, "the clock returns to |0⟩ with certainty");
  assertAlmostEquals(r.fidelity, 1, 1e-13, "fidelity");
});

Deno.test("ideal phase estimation equals the uniform clock on grid eigenvalues", () => {
  const lambdas = [4, 6, 9, 16].map((k) => k / 16);
  const { eig, b, x } = system(lambdas, 5);
  const a = hhl(eig, b, x, { clockQubits: 6, c: 0.25, clock: "ideal" });
  const u = hhl(eig, b, x, { clockQubits: 6, c: 0.25, clock: "uniform" });
  assertAlmostEquals(a.successProb, u.successProb, 1e-14);
  for (let i = 0; i < 4; i++) assertAlmostEquals(a.state[i], u.state[i], 1e-13);
});

Deno.test("paper's clock: p equals Σ_j β_j² Σ_k |α_{k|j}|² s_k² with α from the O(T²) phase-estimation sum", () => {
  const lambdas = [0.1, 0.27, 0.55, 0.8, 1];
  const { eig, b, x, beta } = system(lambdas, 7);
  const t = 5, T = 2 ** t, t0 = (Math.PI * T) / 2, c = 0.1, psi = clockState(T, "sine");
  assertAlmostEquals(psi.reduce((s, v) => s + v * v, 0), 1, 1e-14, "|Ψ₀⟩ is a unit vector");
  let p = 0;
  for (let j = 0; j < lambdas.length; j++) {
    let norm = 0, pj = 0;
    for (let k = 0; k < T; k++) {
      // α_{k|j} = T^{-1/2} Σ_τ ψ_τ e^{iτ(λ_j t₀ − 2πk)/T}
      let re = 0, im = 0;
      for (let tau = 0; tau < T; tau++) {
        const ph = (tau * (lambdas[j] * t0 - 2 * Math.PI * k)) / T;
        re += psi[tau] * Math.cos(ph);
        im += psi[tau] * Math.sin(ph);
      }
      const a2 = (re * re + im * im) / T;
      norm += a2;
      pj += a2 * rotationAmplitude(clockEigenvalue(k, T), c) ** 2;
    }
    assertAlmostEquals(norm, 1, 1e-12, "phase estimation is unitary");
    p += beta[j] ** 2 * pj;
  }
  const r = hhl(eig, b, x, { clockQubits: t, c, clock: "sine" });
  assertAlmostEquals(r.successProb, p, 1e-13, "success probability");
  assert(r.fidelity > 0 && r.fidelity <= 1 + 1e-12, `fidelity ${r.fidelity} in (0, 1]`);
  assert(r.cleanProb <= r.successProb + 1e-15, "the clean branch is part of the post-selected one");
});

Deno.test("paper's clock: the infidelity falls as clock qubits grow (fixed system, κ = 10)", () => {
  const { eig, b, x } = system([0.1, 0.23, 0.41, 0.66, 0.87, 1], 11);
  const inf = [5, 7, 9, 11].map((t) => 1 - hhl(eig, b, x, { clockQubits: t, c: 0.1, clock: "sine" }).fidelity);
  for (let i = 1; i < inf.length; i++) assert(inf[i] < inf[i - 1], `infidelity ${inf.join(", ")} not falling`);
  assert(inf.at(-1)! < 1e-3, `t = 11 infidelity ${inf.at(-1)}`);
});

Deno.test("makeSystem: eigenvalues 1/κ…1, symmetric A, x solves Ax = b; CG reaches the direct solution", () => {
  const d = makeSystem(16, 20, "random", Rng.fromSeed(2));
  const ev = getLinalg().eigh(mat(16, 16, d.a)).values;
  assertAlmostEquals(ev[0], 1 / 20, 1e-13, "λ_min");
  assertAlmostEquals(ev[15], 1, 1e-13, "λ_max");
  for (let i = 0; i < 16; i++) assertAlmostEquals(ev[i], d.lambdas[i], 1e-13, `λ_${i}`);
  const ax = matmulSmall(d.a, d.x, 16, 16, 1);
  for (let i = 0; i < 16; i++) assertAlmostEquals(ax[i], d.b[i], 1e-12, `(Ax − b)_${i}`);
  const r = cg((v, out) => out.set(matmulSmall(d.a, v, 16, 16, 1)), d.b, { tol: 1e-10, maxIter: 200 });
  assert(r.converged, "CG converged");
  for (let i = 0; i < 16; i++) assertAlmostEquals(r.x[i], d.x[i], 1e-8, `x_${i}`);
});

Deno.test("smoke pipeline: every method gives its declared, finite metrics", async () => {
  const byMethod = await runMethods(exp, { n: 8, kappa: 8, clockQubits: 8 });
  assert(Object.keys(byMethod).length === 4, `methods run: ${Object.keys(byMethod)}`);
  assert((byMethod.hhl_ideal.infidelity as number) < 1e-12, "ideal phase estimation is exact");
});

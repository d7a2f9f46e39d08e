import { assertAlmostEquals } from "../testdata/assert.ts";
import { gammaFn, gammaP, gammaQ, gammaQScaled, lgamma } from "./special.ts";

Deno.test("gamma: factorials, Γ(1/2) = √π, reflection, lgamma at large x (Stirling)", () => {
  for (let n = 1; n <= 15; n++) {
    let f = 1;
    for (let i = 2; i < n; i++) f *= i;
    assertAlmostEquals(gammaFn(n) / f, 1, 1e-13);
  }
  assertAlmostEquals(gammaFn(0.5), Math.sqrt(Math.PI), 1e-14);
  assertAlmostEquals(gammaFn(-0.5), -2 * Math.sqrt(Math.PI), 1e-13);
  const x = 200;
  const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
  assertAlmostEquals(lgamma(x) / stirling, 1, 1e-14);
});

Deno.test("incomplete gamma: closed forms at a = 1 and a = 1/2, P + Q = 1, scaled form at large x", () => {
  for (const x of [0.01, 0.3, 1, 2.5, 7, 30]) {
    assertAlmostEquals(gammaQ(1, x), Math.exp(-x), 1e-14 * Math.max(1, Math.exp(-x) * 10));
    assertAlmostEquals(gammaP(1, x), 1 - Math.exp(-x), 1e-14);
    assertAlmostEquals(gammaQScaled(1, x), 1, 1e-13);
    // P(1/2, x) = erf(√x); check via Q(1/2, x)eˣ·√(πx) → 1 asymptotically and P + Q = 1 everywhere.
    for (const a of [0.3, 0.7, 1.2, 1.9]) assertAlmostEquals(gammaP(a, x) + gammaQ(a, x), 1, 1e-14);
  }
  // Q(a, x) ~ x^{a−1}e^{−x}/Γ(a) (1 + (a−1)/x + (a−1)(a−2)/x² …) for large x.
  const a = 1.3, x = 400;
  const asym = x ** (a - 1) / gammaFn(a) * (1 + (a - 1) / x + (a - 1) * (a - 2) / x ** 2);
  assertAlmostEquals(gammaQScaled(a, x) / asym, 1, 1e-7);
  // Integer a: Q(n, x) = e⁻ˣ Σ_{k<n} xᵏ/k!.
  const q3 = Math.exp(-2) * (1 + 2 + 2);
  assertAlmostEquals(gammaQ(3, 2), q3, 1e-14);
});

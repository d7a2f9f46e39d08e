import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import {
  ADD,
  canonical,
  clone,
  cost,
  DIV,
  evaluate,
  fitConstants,
  identity,
  maxRelError,
  MUL,
  mutate,
  type Program,
  residualsAndJacobian,
  structureKey,
  SUB,
} from "./slp.ts";
import {
  exp2,
  hornerProgram,
  LN2,
  padeProgram,
  polyval,
  rationalProgram,
  remezRelative,
  taylorCoefficients,
} from "./classical.ts";
import { evolve } from "./evolve.ts";

const grid = (n: number) => Float64Array.from({ length: n }, (_, i) => (1 - Math.cos((Math.PI * i) / (n - 1))) / 2);

Deno.test("canonical: folds constant-only operations, prunes dead code, keeps the cost of x-dependent ops", () => {
  // r1 = 2 * 3 (constant), r2 = x + r1, r3 = x * x (dead), r4 = r2 / 4
  const p: Program = { op: [MUL, ADD, MUL, DIV], a: [-1, 0, 0, 2], b: [-2, 1, 0, -3], consts: [2, 3, 4] };
  const c = canonical(p)!;
  assertEquals(cost(c), 2);
  assertEquals(structureKey(c), "r0+c;r1/c");
  const xs = Float64Array.from([0, 0.5, 1]);
  assertEquals(Array.from(evaluate(c, xs)), Array.from(evaluate(p, xs)));
  assertEquals(Array.from(evaluate(c, xs)), [1.5, 1.625, 1.75]);
  // A program whose output does not depend on x is constant: null.
  assertEquals(canonical({ op: [ADD], a: [-1], b: [-2], consts: [1, 2] }), null);
  assertEquals(cost(canonical(identity())!), 0);
});

Deno.test("classical programs: Horner costs 2n and equals polyval; rational costs 4m; Padé (1,1) is (1+t/2)/(1−t/2)", () => {
  const c = [1, -2, 0.5, 3, 0.25];
  const h = hornerProgram(c);
  assertEquals(cost(canonical(h)!), 8);
  const xs = Float64Array.from([0, 0.3, 0.9, 1]);
  const v = evaluate(h, xs);
  xs.forEach((x, i) => assertAlmostEquals(v[i], polyval(c, x), 1e-14));
  const r = rationalProgram([0.5, -1], [2, 1, 3]);
  assertEquals(cost(canonical(r)!), 8);
  const rv = evaluate(r, xs);
  xs.forEach((x, i) => assertAlmostEquals(rv[i], (x * x - x + 0.5) / (2 + x + 3 * x * x), 1e-15));
  const p1 = evaluate(padeProgram(1), xs);
  xs.forEach((x, i) => assertAlmostEquals(p1[i], (1 + (x * LN2) / 2) / (1 - (x * LN2) / 2), 1e-15));
  for (const m of [1, 2, 3]) assertEquals(cost(canonical(padeProgram(m))!), 4 * m);
  // Padé (m, m) matches e^t to order 2m: the error at small x shrinks like x^{2m+1}.
  for (const m of [1, 2]) {
    const e = (x: number) => Math.abs(evaluate(padeProgram(m), Float64Array.from([x]))[0] / exp2(x) - 1);
    const slope = Math.log(e(0.1) / e(0.05)) / Math.log(2);
    assertAlmostEquals(slope, 2 * m + 1, 0.15, `Padé (${m},${m}) order: ${slope}`);
  }
  // Taylor coefficients: (ln 2)^k / k!.
  assertAlmostEquals(taylorCoefficients(3)[3], LN2 ** 3 / 6, 1e-17);
});

Deno.test("Jacobian of the relative residuals matches central finite differences", () => {
  // r1 = x * c0; r2 = r1 + c1; r3 = r2 * r2; r4 = r3 / (x - c2)... (x - c2 ≠ 0 on the grid)
  const p: Program = {
    op: [MUL, ADD, MUL, SUB, DIV],
    a: [0, 1, 2, 0, 3],
    b: [-1, -2, 2, -3, 4],
    consts: [0.7, 1.1, -2],
  };
  const xs = grid(9), g = xs.map(exp2);
  const n = xs.length, m = p.consts.length;
  const r = new Float64Array(n), J = new Float64Array(m * n);
  assert(residualsAndJacobian(p, xs, g, r, J));
  for (let k = 0; k < m; k++) {
    const h = 1e-6, up = clone(p), dn = clone(p);
    up.consts[k] += h;
    dn.consts[k] -= h;
    const fu = evaluate(up, xs), fd = evaluate(dn, xs);
    for (let i = 0; i < n; i++) {
      const fdJ = (fu[i] - fd[i]) / (2 * h) / g[i];
      assertAlmostEquals(J[k * n + i], fdJ, 1e-7 * Math.max(1, Math.abs(fdJ)), `∂r_${i}/∂c_${k}`);
    }
  }
  const f = evaluate(p, xs);
  for (let i = 0; i < n; i++) assertAlmostEquals(r[i], f[i] / g[i] - 1, 1e-15);
});

Deno.test("Remez: the relative error equioscillates at the levelled value; degree 0 matches the closed form", () => {
  for (const n of [2, 3, 4]) {
    const rz = remezRelative(exp2, n);
    assertAlmostEquals(rz.error / rz.levelled, 1, 1e-6, `degree ${n}: max ${rz.error} vs levelled ${rz.levelled}`);
    // n + 2 sign alternations of the error at its extrema on a fine grid.
    const xs = Array.from({ length: 4001 }, (_, i) => i / 4000);
    const e = xs.map((x) => polyval(rz.coeffs, x) / exp2(x) - 1);
    let changes = 0;
    for (let i = 1; i < e.length; i++) if (Math.sign(e[i]) !== Math.sign(e[i - 1]) && e[i] !== 0) changes++;
    assertEquals(changes, n + 1);
  }
  // Degree 0 (a constant c approximating 2^x on [0,1] in relative error): c = 2·1·2/(1+2) = 4/3, error 1/3.
  const r0 = remezRelative(exp2, 0);
  assertAlmostEquals(r0.coeffs[0], 4 / 3, 1e-9);
  assertAlmostEquals(r0.levelled, 1 / 3, 1e-9);
});

Deno.test("constant fitter (LM + Lawson) reaches the minimax polynomial's error from the Taylor start", () => {
  const xs = grid(256), g = xs.map(exp2);
  const xv = Float64Array.from({ length: 4097 }, (_, i) => i / 4096), gv = xv.map(exp2);
  for (const n of [2, 3, 4]) {
    const fit = fitConstants(hornerProgram(taylorCoefficients(n)), xs, g);
    const rz = remezRelative(exp2, n);
    const e = maxRelError(fit.program, xv, gv);
    assert(e <= rz.levelled * 1.03, `degree ${n}: fitted ${e} vs minimax ${rz.levelled}`);
    assert(e >= rz.levelled * (1 - 1e-6), `cannot beat minimax: ${e} < ${rz.levelled}`);
  }
});

Deno.test("mutate: children are canonical, within the cap, structurally new; the parent is untouched", () => {
  const rng = Rng.fromSeed(5);
  let p = identity();
  const xs = grid(17);
  for (let t = 0; t < 400; t++) {
    const before = JSON.stringify(p);
    const c = mutate(p, 6, rng);
    assertEquals(JSON.stringify(p), before);
    assert(cost(c) <= 6);
    assertEquals(structureKey(canonical(c)!), structureKey(c));
    assert(structureKey(c) !== structureKey(p), "structure changed");
    for (let j = 0; j < c.op.length; j++) {
      for (const o of [c.a[j], c.b[j]]) assert(o < 0 ? -o - 1 < c.consts.length : o <= j, `operand ${o} at ${j}`);
    }
    assertEquals(evaluate(c, xs).length, 17);
    p = c;
  }
});

Deno.test("evolution finds 2^x to better than 1e-2 with 6 operations in 300 evaluations (smoke of the search)", () => {
  const xs = grid(64), g = xs.map(exp2);
  const r = evolve(xs, g, {
    maxOps: 6,
    populationSize: 20,
    sampleSize: 5,
    budget: 300,
    fit: { lmIters: 30, lawsonRounds: 8, lawsonIters: 4 },
  }, Rng.fromSeed(0));
  assertEquals(r.evaluations, 300);
  assert(r.bestError < 1e-2, `best ${r.bestError}`);
  for (const [k, f] of r.front.entries()) if (f) assertEquals(cost(f.program), k);
});

/**
 * The classical approximations of 2^x on [0, 1] the paper compares with (official code:
 * `evolution/projects/graphs/joy/baselines.py`, `table_exp2_64bits_baselines`: Taylor expansions, Sollya minimax
 * polynomials, minimax rationals; Padé approximants in the bfloat16 table), written as straight-line programs so
 * that the evolved programs and the baselines are costed by the same counter.
 *
 * - Polynomials of degree n in Horner's scheme: c0 + x(c1 + x(… + x·c_n)) — n multiplications and n additions,
 *   2n operations (as the official baselines: "All polynomials are in Horner's scheme").
 * - Rationals (m, m): a monic numerator in Horner's scheme (x + b_{m−1})x + … + b_0 (2m − 1 operations), the
 *   denominator in Horner's scheme (2m), one division: 4m operations. (The official baselines use a non-monic
 *   numerator, 4m + 1; the monic form is one operation cheaper, so our rational baselines are slightly
 *   stronger.)
 * - Taylor at 0: c_k = (ln 2)^k / k!.  Padé (m, m) of e^t at t = 0 with t = x ln 2:
 *   P(t) = Σ_j (2m − j)! m! / ((2m)! j! (m − j)!) t^j, Q(t) = P(−t).
 * - Minimax polynomial in relative error: the Remez exchange algorithm on a dense grid.
 * - Minimax rational: the relative-error fit of `slp.fitConstants` (LM + Lawson) started from the Padé
 *   coefficients (no rational Remez here; see the module's deviations).
 */
import { ADD, DIV, MUL, type Program, solveDense } from "./slp.ts";

export const LN2 = Math.LN2;

/** The target 2^x (exp(x ln 2): relative error ≈ 1e-16 on [0, 1]). */
export function exp2(x: number): number {
  return Math.exp(x * LN2);
}

/** Straight-line program builder: `emit` appends r = a ∘ b and returns its register; `k(v)` a constant operand. */
function builder() {
  const p: Program = { op: [], a: [], b: [], consts: [] };
  const emit = (op: number, a: number, b: number) => {
    p.op.push(op), p.a.push(a), p.b.push(b);
    return p.op.length;
  };
  const k = (v: number) => (p.consts.push(v), -p.consts.length);
  return { p, emit, k };
}

/** Horner program for c0 + c1 x + … + c_n x^n (n ≥ 1): 2n operations. */
export function hornerProgram(c: readonly number[]): Program {
  const n = c.length - 1;
  if (n < 1) throw new Error("hornerProgram: degree ≥ 1");
  const { p, emit, k } = builder();
  let r = emit(MUL, 0, k(c[n]));
  for (let i = n - 1; i >= 0; i--) {
    r = emit(ADD, r, k(c[i]));
    if (i > 0) r = emit(MUL, r, 0);
  }
  return p;
}

/**
 * Rational program (x^m + b_{m−1} x^{m−1} + … + b_0) / (d_0 + d_1 x + … + d_m x^m), 4m operations (m ≥ 1).
 * `num` are the monic numerator's lower coefficients b_0..b_{m−1}; `den` are d_0..d_m.
 */
export function rationalProgram(num: readonly number[], den: readonly number[]): Program {
  const m = num.length;
  if (m < 1 || den.length !== m + 1) throw new Error("rationalProgram: num has m ≥ 1 entries, den m + 1");
  const { p, emit, k } = builder();
  let r = emit(ADD, 0, k(num[m - 1]));
  for (let i = m - 2; i >= 0; i--) r = emit(ADD, emit(MUL, r, 0), k(num[i]));
  const numReg = r;
  r = emit(MUL, 0, k(den[m]));
  for (let i = m - 1; i >= 0; i--) {
    r = emit(ADD, r, k(den[i]));
    if (i > 0) r = emit(MUL, r, 0);
  }
  emit(DIV, numReg, r);
  return p;
}

/** Taylor coefficients of 2^x at 0 up to degree n. */
export function taylorCoefficients(n: number): number[] {
  const c = [1];
  for (let k = 1; k <= n; k++) c.push((c[k - 1] * LN2) / k);
  return c;
}

const fact = (n: number) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
};

/** Padé (m, m) of 2^x at 0 as a rational program with a monic numerator. */
export function padeProgram(m: number): Program {
  const p: number[] = [], q: number[] = [];
  for (let j = 0; j <= m; j++) {
    const cj = (fact(2 * m - j) * fact(m)) / (fact(2 * m) * fact(j) * fact(m - j)) * LN2 ** j;
    p.push(cj);
    q.push((j % 2 ? -1 : 1) * cj);
  }
  const lead = p[m];
  return rationalProgram(p.slice(0, m).map((v) => v / lead), q.map((v) => v / lead));
}

/** Evaluate a polynomial (coefficients low to high) by Horner. */
export function polyval(c: readonly number[], x: number): number {
  let s = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) s = s * x + c[i];
  return s;
}

/**
 * Remez exchange for the degree-n polynomial minimising max_x |p(x)/f(x) − 1| on [lo, hi]: solve
 * p(x_i) − f(x_i) = (−1)^i E f(x_i) on n + 2 reference points, move the references to the alternating extrema of
 * the error on a dense grid, repeat until the levelled error |E| and the max error agree.
 */
export function remezRelative(
  f: (x: number) => number,
  n: number,
  o: { lo?: number; hi?: number; grid?: number; iters?: number } = {},
): { coeffs: number[]; error: number; levelled: number; iterations: number } {
  const lo = o.lo ?? 0, hi = o.hi ?? 1, G = o.grid ?? 20001, iters = o.iters ?? 40;
  const N = n + 2;
  let ref = Array.from({ length: N }, (_, i) => lo + ((hi - lo) * (1 - Math.cos((Math.PI * i) / (N - 1)))) / 2);
  const xs = Array.from({ length: G }, (_, i) => lo + ((hi - lo) * i) / (G - 1));
  const fx = xs.map(f);
  let coeffs: number[] = [], E = 0, maxErr = Infinity, it = 0;
  for (it = 1; it <= iters; it++) {
    const A = new Float64Array(N * N), b = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const x = ref[i], fv = f(x);
      for (let k = 0, pw = 1; k <= n; k++, pw *= x) A[i * N + k] = pw;
      A[i * N + n + 1] = (i % 2 ? -1 : 1) * fv;
      b[i] = fv;
    }
    const sol = solveDense(A, b, N);
    if (!sol) throw new Error("remezRelative: singular reference system");
    coeffs = Array.from(sol.slice(0, n + 1));
    E = sol[n + 1];
    const e = xs.map((x, i) => polyval(coeffs, x) / fx[i] - 1);
    maxErr = Math.max(...e.map(Math.abs));
    if (maxErr <= Math.abs(E) * (1 + 1e-9)) break;
    // Local extrema of e (endpoints included), then one per run of equal sign (the largest |e|).
    const ext: number[] = [];
    for (let i = 0; i < G; i++) {
      const l = i > 0 ? Math.abs(e[i - 1]) : -1, r = i < G - 1 ? Math.abs(e[i + 1]) : -1;
      if (Math.abs(e[i]) >= l && Math.abs(e[i]) >= r) ext.push(i);
    }
    const alt: number[] = [];
    for (const i of ext) {
      const last = alt[alt.length - 1];
      if (last !== undefined && Math.sign(e[i]) === Math.sign(e[last])) {
        if (Math.abs(e[i]) > Math.abs(e[last])) alt[alt.length - 1] = i;
      } else alt.push(i);
    }
    while (alt.length > N) {
      if (Math.abs(e[alt[0]]) < Math.abs(e[alt[alt.length - 1]])) alt.shift();
      else alt.pop();
    }
    if (alt.length < N) break; // cannot exchange further (already levelled to grid resolution)
    ref = alt.map((i) => xs[i]);
  }
  return { coeffs, error: maxErr, levelled: Math.abs(E), iterations: it };
}

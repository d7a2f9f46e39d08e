/**
 * Straight-line programs over {+, −, ×, ÷} with learnable constants — the search space of AutoNumerics-Zero
 * (Real et al., arXiv 2312.08472; official code google-deepmind/autonumerics_zero, `evolution/projects/graphs/joy`,
 * where a program is a DAG of ops on the input x and learnable "variable" vertices).
 *
 * Registers: r0 = x; instruction j (0-based) writes r_{j+1} = r_a ∘ r_b. An operand a ≥ 0 is a register index
 * (< j + 1); a < 0 is the constant consts[−a − 1]. The output is the last register.
 *
 * Cost: the number of operations that depend on x (the official `num_interactions` cost estimator: interacting
 * vertices after pruning). `canonical()` prunes dead code and folds constant-only operations into constants, so
 * the instruction count of a canonical program is its cost.
 *
 * Constants are fitted to minimise the relative error of the program against a target on a grid:
 * Levenberg–Marquardt on the relative residuals (Jacobian by forward-mode differentiation), then Lawson
 * re-weighting rounds (w_i ← w_i·|r_i|, normalised) that drive the L2 fit towards the minimax (L∞) fit; the
 * constants with the lowest max relative error seen are kept. (The official code trains constants by CMA-ES on
 * the max error; see the module's deviations.)
 */
import { luSmall, luSolveSmall } from "../../lib/math/linalg/lu_small.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** Operation codes. */
export const ADD = 0, SUB = 1, MUL = 2, DIV = 3;
const OP_CHAR = ["+", "-", "*", "/"];

export interface Program {
  op: number[];
  a: number[];
  b: number[];
  consts: number[];
}

/** The identity program f(x) = x: the empty start of the search ("from scratch"). */
export function identity(): Program {
  return { op: [], a: [], b: [], consts: [] };
}

export function clone(p: Program): Program {
  return { op: [...p.op], a: [...p.a], b: [...p.b], consts: [...p.consts] };
}

/** Operation count of a canonical program (every instruction depends on x and reaches the output). */
export function cost(p: Program): number {
  return p.op.length;
}

function apply(op: number, u: number, v: number): number {
  return op === ADD ? u + v : op === SUB ? u - v : op === MUL ? u * v : u / v;
}

/** Evaluate at many points (no derivatives). */
export function evaluate(p: Program, xs: Float64Array): Float64Array {
  const n = xs.length, L = p.op.length;
  const regs: Float64Array[] = [xs];
  for (let j = 0; j < L; j++) {
    const out = new Float64Array(n), op = p.op[j], a = p.a[j], b = p.b[j];
    const ra = a >= 0 ? regs[a] : null, rb = b >= 0 ? regs[b] : null;
    const ca = a < 0 ? p.consts[-a - 1] : 0, cb = b < 0 ? p.consts[-b - 1] : 0;
    for (let i = 0; i < n; i++) out[i] = apply(op, ra ? ra[i] : ca, rb ? rb[i] : cb);
    regs.push(out);
  }
  return regs[L];
}

/** max_i |f(x_i)/g_i − 1| (Infinity if any value is not finite). */
export function maxRelError(p: Program, xs: Float64Array, g: Float64Array): number {
  const f = evaluate(p, xs);
  let m = 0;
  for (let i = 0; i < f.length; i++) {
    const e = Math.abs(f[i] / g[i] - 1);
    if (!(e <= Infinity) || !Number.isFinite(f[i])) return Infinity;
    if (e > m) m = e;
  }
  return m;
}

/**
 * Prune and fold: drop instructions that do not reach the output, replace constant-only instructions by their
 * value. Returns null when the output does not depend on x (a constant program).
 */
export function canonical(p: Program): Program | null {
  const L = p.op.length;
  if (L === 0) return clone(p);
  const dep: boolean[] = [true];
  const val: number[] = [NaN];
  const cv = (o: number) => (o < 0 ? p.consts[-o - 1] : val[o]);
  for (let j = 0; j < L; j++) {
    const a = p.a[j], b = p.b[j];
    const d = (a >= 0 && dep[a]) || (b >= 0 && dep[b]);
    dep.push(d);
    val.push(d ? NaN : apply(p.op[j], cv(a), cv(b)));
  }
  if (!dep[L]) return null;
  // Reachability from the output through x-dependent registers.
  const live = new Array<boolean>(L + 1).fill(false);
  live[L] = true;
  for (let r = L; r >= 1; r--) {
    if (!live[r]) continue;
    for (const o of [p.a[r - 1], p.b[r - 1]]) if (o > 0 && dep[o]) live[o] = true;
  }
  const out: Program = { op: [], a: [], b: [], consts: [] };
  const map = new Array<number>(L + 1).fill(-1);
  map[0] = 0;
  const operand = (o: number): number => {
    if (o >= 0 && dep[o]) return map[o];
    out.consts.push(o < 0 ? p.consts[-o - 1] : val[o]);
    return -out.consts.length;
  };
  for (let r = 1; r <= L; r++) {
    if (!live[r]) continue;
    const a = operand(p.a[r - 1]), b = operand(p.b[r - 1]);
    out.op.push(p.op[r - 1]);
    out.a.push(a);
    out.b.push(b);
    map[r] = out.op.length;
  }
  return out;
}

/** The program's shape with constants anonymised: equal keys compute the same family of functions. */
export function structureKey(p: Program): string {
  const s: string[] = [];
  for (let j = 0; j < p.op.length; j++) {
    const o = (x: number) => (x < 0 ? "c" : `r${x}`);
    s.push(`${o(p.a[j])}${OP_CHAR[p.op[j]]}${o(p.b[j])}`);
  }
  return s.join(";");
}

/** Human-readable listing, e.g. "r1 = x * 0.5; r2 = r1 + 1". */
export function show(p: Program): string {
  if (!p.op.length) return "f = x";
  const o = (x: number) => (x < 0 ? String(Number(p.consts[-x - 1].toPrecision(17))) : x === 0 ? "x" : `r${x}`);
  return p.op.map((op, j) => `r${j + 1} = ${o(p.a[j])} ${OP_CHAR[op]} ${o(p.b[j])}`).join("; ");
}

// ── constant fitting ────────────────────────────────────────────────────────────────────────────────────────

/** Values and Jacobian of the relative residuals r_i = f(x_i)/g_i − 1 with respect to the constants. */
export function residualsAndJacobian(
  p: Program,
  xs: Float64Array,
  g: Float64Array,
  r: Float64Array,
  J: Float64Array, // m × n, row k = ∂r/∂c_k
): boolean {
  const n = xs.length, m = p.consts.length, L = p.op.length;
  const vals: Float64Array[] = [xs];
  const ders: Float64Array[] = [new Float64Array(m * n)];
  const cval = new Float64Array(n), cder = new Float64Array(m * n);
  const cval2 = new Float64Array(n), cder2 = new Float64Array(m * n);
  const load = (o: number, v: Float64Array, d: Float64Array): [Float64Array, Float64Array] => {
    if (o >= 0) return [vals[o], ders[o]];
    const k = -o - 1;
    v.fill(p.consts[k]);
    d.fill(0);
    d.fill(1, k * n, (k + 1) * n);
    return [v, d];
  };
  for (let j = 0; j < L; j++) {
    const [va, da] = load(p.a[j], cval, cder);
    const [vb, db] = load(p.b[j], cval2, cder2);
    const v = new Float64Array(n), d = new Float64Array(m * n), op = p.op[j];
    if (op === ADD || op === SUB) {
      const s = op === ADD ? 1 : -1;
      for (let i = 0; i < n; i++) v[i] = va[i] + s * vb[i];
      for (let t = 0; t < m * n; t++) d[t] = da[t] + s * db[t];
    } else if (op === MUL) {
      for (let i = 0; i < n; i++) v[i] = va[i] * vb[i];
      for (let k = 0; k < m; k++) {
        const o = k * n;
        for (let i = 0; i < n; i++) d[o + i] = da[o + i] * vb[i] + va[i] * db[o + i];
      }
    } else {
      for (let i = 0; i < n; i++) v[i] = va[i] / vb[i];
      for (let k = 0; k < m; k++) {
        const o = k * n;
        for (let i = 0; i < n; i++) d[o + i] = (da[o + i] - v[i] * db[o + i]) / vb[i];
      }
    }
    vals.push(v);
    ders.push(d);
  }
  const f = vals[L], df = ders[L];
  for (let i = 0; i < n; i++) {
    r[i] = f[i] / g[i] - 1;
    if (!Number.isFinite(r[i])) return false;
  }
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) J[k * n + i] = df[k * n + i] / g[i];
  return true;
}

function relResiduals(p: Program, xs: Float64Array, g: Float64Array, r: Float64Array): boolean {
  const f = evaluate(p, xs);
  for (let i = 0; i < f.length; i++) {
    r[i] = f[i] / g[i] - 1;
    if (!Number.isFinite(r[i])) return false;
  }
  return true;
}

/** Solve the small symmetric system A x = b (Gaussian elimination, partial pivoting); null if singular. */
export function solveDense(A: Float64Array, b: Float64Array, m: number): Float64Array | null {
  const f = luSmall(A, m, m);
  if (f.zeroPivot >= 0) return null;
  const x = luSolveSmall(f, b);
  for (const v of x) if (!Number.isFinite(v)) return null;
  return x;
}

export interface FitOptions {
  /** LM iterations of the first (unweighted) fit. */
  lmIters: number;
  /** Lawson re-weighting rounds after it. */
  lawsonRounds: number;
  /** LM iterations per Lawson round. */
  lawsonIters: number;
}

export const DEFAULT_FIT: FitOptions = { lmIters: 30, lawsonRounds: 8, lawsonIters: 4 };

/**
 * Fit p's constants (in place on a copy) to minimise the max relative error against g on xs. Returns the fitted
 * program and its max relative error on xs (Infinity when no finite fit was found).
 */
export function fitConstants(
  p: Program,
  xs: Float64Array,
  g: Float64Array,
  opts: FitOptions = DEFAULT_FIT,
): { program: Program; error: number } {
  const n = xs.length, m = p.consts.length;
  const cur = clone(p);
  const r = new Float64Array(n), J = new Float64Array(m * n), rTry = new Float64Array(n);
  const maxAbs = (v: Float64Array) => v.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
  let best = clone(p);
  let bestErr = relResiduals(cur, xs, g, r) ? maxAbs(r) : Infinity;
  if (m === 0) return { program: best, error: bestErr };
  const w = new Float64Array(n).fill(1 / n);
  const wcost = (v: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i] * v[i] * v[i];
    return s;
  };
  const lm = (iters: number) => {
    let lambda = 1e-3;
    for (let it = 0; it < iters; it++) {
      if (!residualsAndJacobian(cur, xs, g, r, J)) return;
      const c0 = wcost(r);
      const A = new Float64Array(m * m), gr = new Float64Array(m);
      for (let k = 0; k < m; k++) {
        const jk = k * n;
        let s = 0;
        for (let i = 0; i < n; i++) s += w[i] * J[jk + i] * r[i];
        gr[k] = -s;
        for (let l = 0; l <= k; l++) {
          const jl = l * n;
          let t = 0;
          for (let i = 0; i < n; i++) t += w[i] * J[jk + i] * J[jl + i];
          A[k * m + l] = A[l * m + k] = t;
        }
      }
      let improved = false;
      for (let tries = 0; tries < 8 && !improved; tries++) {
        const D = Float64Array.from(A);
        for (let k = 0; k < m; k++) D[k * m + k] += lambda * (A[k * m + k] + 1e-300) + 1e-30;
        const delta = solveDense(D, gr, m);
        if (delta) {
          const trial = clone(cur);
          for (let k = 0; k < m; k++) trial.consts[k] += delta[k];
          if (relResiduals(trial, xs, g, rTry)) {
            const c1 = wcost(rTry);
            if (c1 < c0) {
              cur.consts = trial.consts;
              const e = maxAbs(rTry);
              if (e < bestErr) [bestErr, best] = [e, clone(cur)];
              improved = true;
              lambda = Math.max(lambda / 3, 1e-12);
              if (c0 - c1 <= 1e-14 * c0) return;
              break;
            }
          }
        }
        lambda *= 8;
      }
      if (!improved) return;
    }
  };
  lm(opts.lmIters);
  for (let round = 0; round < opts.lawsonRounds; round++) {
    if (!relResiduals(cur, xs, g, r)) break;
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i] *= Math.abs(r[i]) + 1e-300;
    for (let i = 0; i < n; i++) w[i] /= s;
    lm(opts.lawsonIters);
  }
  return { program: best, error: bestErr };
}

// ── mutation (official config `open_source_num_ops_config.textproto`) ──────────────────────────────────────

/** A fresh learnable constant. */
function newConst(rng: Rng): number {
  return rng.normal();
}

/** A random operand for a slot in instruction j (registers 0..j, or a new constant). */
function randomOperand(p: Program, j: number, rng: Rng): number {
  if (rng.uniform() < 0.5) return rng.int(j + 1);
  p.consts.push(newConst(rng));
  return -p.consts.length;
}

/** Insert a vertex on an edge: the slot (j, side) now reads new = old ∘ other (or other ∘ old). */
function insertVertex(p: Program, rng: Rng): void {
  const L = p.op.length;
  // The output "edge" (L = 0: x → f) or an operand slot of an instruction.
  const slot = L === 0 ? -1 : rng.int(2 * L + 1) - 1;
  if (slot < 0) {
    // Append after the output: new output = r_L ∘ other.
    const other = randomOperand(p, L, rng);
    const first = rng.uniform() < 0.5;
    p.op.push(rng.int(4));
    p.a.push(first ? L : other);
    p.b.push(first ? other : L);
    return;
  }
  const j = slot >> 1, side = slot & 1;
  // New instruction at index j (register j + 1); old instructions j.. shift by one register.
  const shift = (o: number) => (o > j ? o + 1 : o);
  for (let k = 0; k < L; k++) {
    p.a[k] = shift(p.a[k]);
    p.b[k] = shift(p.b[k]);
  }
  const old = side === 0 ? p.a[j] : p.b[j];
  const other = randomOperand(p, j, rng);
  const first = rng.uniform() < 0.5;
  p.op.splice(j, 0, rng.int(4));
  p.a.splice(j, 0, first ? old : other);
  p.b.splice(j, 0, first ? other : old);
  // The consumer (now at index j + 1) reads the new register j + 1.
  if (side === 0) p.a[j + 1] = j + 1;
  else p.b[j + 1] = j + 1;
}

/** Remove a vertex: its uses read one of its operands instead. */
function removeVertex(p: Program, rng: Rng): void {
  const L = p.op.length;
  if (L === 0) return;
  const j = rng.int(L), reg = j + 1;
  const keep = rng.uniform() < 0.5 ? p.a[j] : p.b[j];
  const repl = (o: number) => {
    if (o === reg) {
      if (keep >= 0) return keep;
      p.consts.push(p.consts[-keep - 1]);
      return -p.consts.length;
    }
    return o > reg ? o - 1 : o;
  };
  for (let k = j + 1; k < L; k++) {
    p.a[k] = repl(p.a[k]);
    p.b[k] = repl(p.b[k]);
  }
  p.op.splice(j, 1);
  p.a.splice(j, 1);
  p.b.splice(j, 1);
  if (L === 1 && keep < 0) {
    // The only instruction removed and it kept a constant: fall back to f = x.
    p.consts.length = 0;
  }
}

/** Switch an edge: an operand slot reads another earlier register or a new constant. */
function switchEdge(p: Program, rng: Rng): void {
  const L = p.op.length;
  if (L === 0) return;
  const j = rng.int(L), o = randomOperand(p, j, rng);
  if (rng.uniform() < 0.5) p.a[j] = o;
  else p.b[j] = o;
}

/** Change the operation of one instruction (our addition; see deviations). */
function changeOp(p: Program, rng: Rng): void {
  const L = p.op.length;
  if (L === 0) return;
  const j = rng.int(L);
  p.op[j] = (p.op[j] + 1 + rng.int(3)) % 4;
}

/**
 * A child of `parent` whose canonical structure differs from the parent's and costs ≤ maxOps. Mutations
 * accumulate until the function changes (official `retry_until_functional_change_mutator`,
 * `accumulate_mutations: true`); a child over the cap or constant restarts from the parent. Weights follow the
 * official size-dependent mutator: insert 1, remove 2, edge switch 3, plus op change 1 (ours); a program with no
 * operation can only grow.
 */
export function mutate(parent: Program, maxOps: number, rng: Rng, maxTries = 1000): Program {
  const key0 = structureKey(parent);
  let p = clone(parent);
  for (let t = 0; t < maxTries; t++) {
    if (p.op.length === 0) insertVertex(p, rng);
    else {
      const u = rng.uniform() * 7;
      if (u < 1) insertVertex(p, rng);
      else if (u < 3) removeVertex(p, rng);
      else if (u < 6) switchEdge(p, rng);
      else changeOp(p, rng);
    }
    const c = canonical(p);
    if (!c || cost(c) > maxOps) {
      p = clone(parent);
      continue;
    }
    if (structureKey(c) !== key0) return c;
    p = c;
  }
  return clone(parent);
}

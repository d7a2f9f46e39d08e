/**
 * The two ParaRNN cells with diagonal recurrence (Danieli et al., arXiv 2510.21450; official code
 * apple/ml-pararnn, fork xaviergonzalez/ml-pararnn, `pararnn/rnn_cell/gru_diag_mh.py` and `lstm_cifg_diag_mh.py`),
 * written from their recurrences, with their hidden-state Jacobians derived by hand (tested by finite differences).
 *
 * Both cells read the input only through the drive u_t = B x_t + b (B block-diagonal over heads), computed for every t
 * at once. The recurrent weights A (and the LSTM peepholes C) are diagonal, so ∂h_t/∂h_{t−1} is diagonal (GRU,
 * one number per unit) or 2×2 block-diagonal (LSTM-CIFG, state (c, h) per unit).
 *
 * GRU (diagonal, "ParaGRU"), gates z, r, candidate ĥ, σ the logistic function:
 *   z = σ(a_z ⊙ h + u_z),  r = σ(a_r ⊙ h + u_r),  ĥ = tanh(a_h ⊙ h ⊙ r + u_h),  h' = z ⊙ ĥ + (1 − z) ⊙ h
 *   ∂h'/∂h = (1 − z) + (ĥ − h) σ'(·) a_z + z tanh'(·) a_h (r + h σ'(·) a_r)            (diagonal)
 *
 * LSTM with coupled input and forget gate (diagonal, "ParaLSTM"), state (c, h), gates f, o, candidate ĉ:
 *   f = σ(a_f ⊙ h + u_f + c_f ⊙ c),  ĉ = tanh(a_c ⊙ h + u_c),  c' = f ⊙ c + (1 − f) ⊙ ĉ,
 *   o = σ(a_o ⊙ h + u_o + c_o ⊙ c'),  h' = o ⊙ tanh(c')
 * (the output gate's peephole reads the new cell c', as the official recurrence_step does).
 *
 * Layouts: a state sequence is L × S with S = m·n (m = 1 for GRU; m = 2 for LSTM, the c part first, then h); the drive
 * is L × 3 × n; a Jacobian sequence is L × m × m × n (entry (i, k) of unit j at t·m²n + (i·m + k)·n + j).
 */
import type { Rng } from "../../lib/math/rng.ts";

export type CellKind = "gru" | "lstm";

/** A cell's parameters: diagonal recurrent weights, block-diagonal input map and biases. */
export interface Cell {
  kind: CellKind;
  /** Units n; the state has m·n entries. */
  n: number;
  /** Block size of the Jacobian: 1 (GRU) or 2 (LSTM-CIFG). */
  m: 1 | 2;
  /** Input size and number of heads of the block-diagonal B. */
  d: number;
  heads: number;
  /** Diagonal recurrent weights, 3 × n: GRU rows (z, r, h); LSTM rows (f, o, c). */
  a: Float64Array;
  /** LSTM peepholes, 2 × n: rows (f, o); empty for GRU. */
  c: Float64Array;
  /** Input weights, heads × (d/heads) × 3 × (n/heads), as the official code's B. */
  b: Float64Array;
  /** Biases, 3 × n. */
  bias: Float64Array;
}

/** Sizes and the scale factor of the recurrent weights. */
export interface CellSpec {
  kind: CellKind;
  n: number;
  d: number;
  heads: number;
  /** Multiplies A (and C) after the official initialisation: 1 is the official init; larger makes the recurrence stiffer. */
  aScale: number;
}

/**
 * Random parameters with the official cells' default initialisers (`pararnn/utils/init.py`): A (and C) "xlstm",
 * N(0, (2/√(5·n))²) with fan-in the state size n; B "xavier_uniform", U(±√(6/(fan_in + fan_out))) with fan-in the
 * head input size and fan-out n (GRU) or the head state size (LSTM); biases "bias_minus_linspace", the first gate's
 * row −linspace(0, 1, n), the others 0.
 */
export function makeCell(s: CellSpec, rng: Rng): Cell {
  const { n, d, heads } = s;
  if (n % heads || d % heads) throw new Error(`heads ${heads} must divide n ${n} and d ${d}`);
  const hi = d / heads, hs = n / heads;
  const std = 2 / Math.sqrt(5 * n);
  const a = rng.normal(3 * n).map((v) => v * std * s.aScale);
  const c = s.kind === "lstm" ? rng.normal(2 * n).map((v) => v * std * s.aScale) : new Float64Array(0);
  const fanOut = s.kind === "gru" ? n : hs;
  const w = Math.sqrt(6 / (hi + fanOut));
  const b = new Float64Array(heads * hi * 3 * hs);
  for (let k = 0; k < b.length; k++) b[k] = (2 * rng.uniform() - 1) * w;
  const bias = new Float64Array(3 * n);
  for (let j = 0; j < n; j++) bias[j] = n > 1 ? -j / (n - 1) : 0;
  return { kind: s.kind, n, m: s.kind === "gru" ? 1 : 2, d, heads, a, c, b, bias };
}

/** The drive u_t = B x_t + b for every t (L × 3 × n), from inputs x (L × d). */
export function drive(cell: Cell, x: Float64Array, L: number): Float64Array {
  const { n, d, heads } = cell;
  const hi = d / heads, hs = n / heads;
  const u = new Float64Array(L * 3 * n);
  for (let t = 0; t < L; t++) {
    for (let g = 0; g < 3; g++) {
      for (let j = 0; j < n; j++) u[(t * 3 + g) * n + j] = cell.bias[g * n + j];
    }
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < hi; i++) {
        const xi = x[t * d + h * hi + i];
        for (let g = 0; g < 3; g++) {
          const w0 = ((h * hi + i) * 3 + g) * hs, u0 = (t * 3 + g) * n + h * hs;
          for (let j = 0; j < hs; j++) u[u0 + j] += cell.b[w0 + j] * xi;
        }
      }
    }
  }
  return u;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * The cell at time t from the state prev[pOff..] = h_{t−1}: writes f(h_{t−1}, u_t) at out[oOff..] when `out` is given
 * and ∂f/∂h_{t−1} (m × m × n entries, layout in the header) at jac[jOff..] when `jac` is given.
 */
function evaluate(
  cell: Cell,
  u: Float64Array,
  t: number,
  prev: Float64Array,
  pOff: number,
  out: { v: Float64Array; off: number } | null,
  jac: { v: Float64Array; off: number } | null,
): void {
  const { n, a } = cell, u0 = t * 3 * n;
  if (cell.kind === "gru") {
    for (let j = 0; j < n; j++) {
      const h = prev[pOff + j];
      const z = sigmoid(a[j] * h + u[u0 + j]);
      const r = sigmoid(a[n + j] * h + u[u0 + n + j]);
      const hh = Math.tanh(a[2 * n + j] * h * r + u[u0 + 2 * n + j]);
      if (out) out.v[out.off + j] = z * hh + (1 - z) * h;
      if (jac) {
        const dz = z * (1 - z) * a[j], dr = r * (1 - r) * a[n + j], dh = (1 - hh * hh) * a[2 * n + j];
        jac.v[jac.off + j] = (1 - z) + (hh - h) * dz + z * dh * (r + h * dr);
      }
    }
    return;
  }
  const cp = cell.c;
  for (let j = 0; j < n; j++) {
    const c = prev[pOff + j], h = prev[pOff + n + j];
    const f = sigmoid(a[j] * h + u[u0 + j] + cp[j] * c);
    const cc = Math.tanh(a[2 * n + j] * h + u[u0 + 2 * n + j]);
    const cNew = f * c + (1 - f) * cc;
    const o = sigmoid(a[n + j] * h + u[u0 + n + j] + cp[n + j] * cNew);
    const tc = Math.tanh(cNew);
    if (out) {
      out.v[out.off + j] = cNew;
      out.v[out.off + n + j] = o * tc;
    }
    if (!jac) continue;
    const sf = f * (1 - f), so = o * (1 - o), sc = 1 - cc * cc, J = jac.v, o0 = jac.off;
    // c' = f c + (1 − f) ĉ: ∂c'/∂c = f + (c − ĉ) σ'_f c_f;  ∂c'/∂h = (c − ĉ) σ'_f a_f + (1 − f) tanh'_ĉ a_c
    const dcdc = f + (c - cc) * sf * cp[j];
    const dcdh = (c - cc) * sf * a[j] + (1 - f) * sc * a[2 * n + j];
    // h' = o tanh(c'), o = σ(a_o h + u_o + c_o c'): ∂h'/∂· = (o tanh'(c') + tanh(c') σ'_o c_o) ∂c'/∂· (+ tanh(c') σ'_o a_o for h)
    const g = o * (1 - tc * tc) + tc * so * cp[n + j];
    J[o0 + j] = dcdc; // (c, c)
    J[o0 + n + j] = dcdh; // (c, h)
    J[o0 + 2 * n + j] = g * dcdc; // (h, c)
    J[o0 + 3 * n + j] = g * dcdh + tc * so * a[n + j]; // (h, h)
  }
}

/**
 * One step of the recurrence at time t: out[oOff..] = f(prev[pOff..], u_t). `prev` holds the state h_{t−1} (S = m·n
 * entries; pass zeros for t = 0).
 */
export function step(
  cell: Cell,
  u: Float64Array,
  t: number,
  prev: Float64Array,
  pOff: number,
  out: Float64Array,
  oOff: number,
): void {
  evaluate(cell, u, t, prev, pOff, { v: out, off: oOff }, null);
}

/** ∂h_t/∂h_{t−1} at prev = h_{t−1}: m × m × n entries written at jac[jOff..] (layout in the header). */
export function jacobian(
  cell: Cell,
  u: Float64Array,
  t: number,
  prev: Float64Array,
  pOff: number,
  jac: Float64Array,
  jOff: number,
): void {
  evaluate(cell, u, t, prev, pOff, null, { v: jac, off: jOff });
}

/** Size of one state (S = m·n) and of one Jacobian block row (m²·n). */
export const stateSize = (cell: Cell): number => cell.m * cell.n;
export const jacSize = (cell: Cell): number => cell.m * cell.m * cell.n;

/** The sequential application h_t = f(h_{t−1}, u_t), h_{−1} = 0: the reference every parallel solve must reproduce. */
export function sequential(cell: Cell, u: Float64Array, L: number): Float64Array {
  const S = stateSize(cell), h = new Float64Array(L * S), zero = new Float64Array(S);
  for (let t = 0; t < L; t++) step(cell, u, t, t ? h : zero, t ? (t - 1) * S : 0, h, t * S);
  return h;
}

/** f(h_{t−1}, u_t) for every t at once, h_{−1} = 0 (one parallel step): out_t = f(h_{t−1}). */
export function applyAll(cell: Cell, u: Float64Array, h: Float64Array, L: number, out: Float64Array): void {
  const S = stateSize(cell), zero = new Float64Array(S);
  for (let t = 0; t < L; t++) step(cell, u, t, t ? h : zero, t ? (t - 1) * S : 0, out, t * S);
}

/** The official initial guess (`assemble_initial_guess`): one step from a zero state at every t, h⁰_t = f(0, u_t). */
export function initialGuess(cell: Cell, u: Float64Array, L: number): Float64Array {
  const S = stateSize(cell), zero = new Float64Array(S), h = new Float64Array(L * S);
  for (let t = 0; t < L; t++) step(cell, u, t, zero, 0, h, t * S);
  return h;
}

/** ∂f/∂h_{t−1} at every t (one parallel step); the block at t = 0 is 0 (h_{−1} is fixed). */
export function jacobiansAll(cell: Cell, u: Float64Array, h: Float64Array, L: number, jac: Float64Array): void {
  const S = stateSize(cell), M = jacSize(cell);
  jac.fill(0, 0, M);
  for (let t = 1; t < L; t++) jacobian(cell, u, t, h, (t - 1) * S, jac, t * M);
}

/**
 * Argument and result checks shared by the two \`Linalg\` backends (js.ts, native.ts), so both reject the same inputs
 * with the same message: a shape that does not match its data, mixed precisions, non-finite entries, a non-square
 * system, a zero pivot on a triangular diagonal, a non-finite result.
 */
import { LinalgError, type Mat } from "./types.ts";

/**
 * Validates a matrix argument: shape matches data, precision matches the first argument, every entry is finite.
 * Returns true for float32. A NaN or Inf in an input would otherwise come back as a silently wrong answer. @internal
 */
export function checkArg(op: string, name: string, m: Mat, f32?: boolean): boolean {
  if (!m || typeof m.rows !== "number" || !(m.data instanceof Float64Array || m.data instanceof Float32Array)) {
    throw new LinalgError(`${op}: ${name} is not a Mat with Float64Array or Float32Array data`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new LinalgError(`${op}: ${name} says ${m.rows}×${m.cols} but holds ${m.data.length} entries`);
  }
  const is32 = m.data instanceof Float32Array;
  if (f32 !== undefined && is32 !== f32) {
    throw new LinalgError(
      `${op}: ${name} is ${is32 ? "float32" : "float64"} but the first argument is ${f32 ? "float32" : "float64"}; ` +
        `convert one with toFloat32/toFloat64`,
    );
  }
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    // x - x is NaN exactly when x is NaN or ±Inf.
    if (d[i] - d[i] !== 0) {
      throw new LinalgError(
        `${op}: ${name} has a non-finite entry (${d[i]} at [${Math.floor(i / m.cols)}, ${i % m.cols}]); ` +
          `check the data or the step that produced it`,
      );
    }
  }
  return is32;
}

/** Throws unless `m` is square. @internal */
export function checkSquare(op: string, name: string, m: Mat): void {
  if (m.rows !== m.cols) throw new LinalgError(`${op}: ${name} must be square, got ${m.rows}×${m.cols}`);
}

/** Throws unless `b` has `rows` rows. @internal */
export function checkRhs(op: string, rows: number, b: Mat, what = "A"): void {
  if (b.rows !== rows) {
    throw new LinalgError(`${op}: B has ${b.rows} rows but ${what} has ${rows}; they must match`);
  }
}

/**
 * Validates a square system T·X = B (T named `name`): both arguments, T square, B with T's rows. Returns true for
 * float32. @internal
 */
export function checkSystem(op: string, name: string, t: Mat, b: Mat): boolean {
  const f32 = checkArg(op, name, t);
  checkArg(op, "B", b, f32);
  checkSquare(op, name, t);
  checkRhs(op, t.rows, b, name);
  return f32;
}

/** Throws if a diagonal entry of the square `m` is exactly zero, naming the first one and `why`. @internal */
export function checkDiagonal(op: string, name: string, m: Mat, why: string): void {
  const n = m.rows;
  for (let i = 0; i < n; i++) {
    if (m.data[i * n + i] === 0) throw new LinalgError(`${op}: ${why} (${name}[${i},${i}] is exactly zero)`);
  }
}

/** Throws if any entry of a result is non-finite (e.g. overflow in float32, or a numerically singular system). @internal */
export function checkResult(op: string, m: Mat, hint: string): void {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i] - d[i] !== 0) throw new LinalgError(`${op}: result has a non-finite entry (${d[i]}); ${hint}`);
  }
}

/**
 * Validates `eigh`'s arguments: a square finite A and, when given, a 0-based inclusive `range` of eigenvalue indices
 * (ascending order). Returns the precision flag, n and the range (all n pairs by default).
 */
export function checkEigh(a: Mat, range?: [number, number]): { f32: boolean; n: number; lo: number; hi: number } {
  const f32 = checkArg("eigh", "A", a);
  checkSquare("eigh", "A", a);
  const n = a.rows;
  const [lo, hi] = range ?? [0, n - 1];
  if (range && !(Number.isInteger(lo) && Number.isInteger(hi) && 0 <= lo && lo <= hi && hi < n)) {
    throw new LinalgError(`eigh: range [${lo}, ${hi}] must satisfy 0 ≤ lo ≤ hi < n = ${n} (0-based, inclusive)`);
  }
  return { f32, n, lo, hi };
}

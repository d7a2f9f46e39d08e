/** Assertions the tests share (deno std is unreachable here; node:assert covers the rest). */
import { deepStrictEqual } from "node:assert";

/** Throws `msg` when `cond` is falsy; typed as an assertion so that TypeScript narrows after it. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Deep strict equality (node:assert's deepStrictEqual), under the name the tests use. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  deepStrictEqual(actual, expected, msg);
}

/** Throws unless `actual` is within `tol` of `expected` (absolute); NaN never passes. */
export function assertAlmostEquals(actual: number, expected: number, tol = 1e-7, msg?: string): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(msg ?? `expected ${actual} to be within ${tol} of ${expected}`);
  }
}

/** Runs `f`, which must throw an error whose message includes `text`; returns that message. */
export function assertThrowsWith(f: () => unknown, text: string): string {
  try {
    f();
  } catch (e) {
    const m = (e as Error).message;
    assert(m.includes(text), `message ${JSON.stringify(m)} lacks ${JSON.stringify(text)}`);
    return m;
  }
  throw new Error(`expected a throw mentioning ${text}`);
}

/** Throws unless the k×k row-major `a` is the identity to `tol` in every entry, naming the first entry that is not. */
export function assertIdentity(a: ArrayLike<number>, k: number, tol: number, what = "matrix"): void {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      assertAlmostEquals(a[i * k + j], i === j ? 1 : 0, tol, `${what}[${i},${j}] = ${a[i * k + j]}, not ${+(i === j)}`);
    }
  }
}

/** Throws unless the k columns of the row-major n×k `q` are orthonormal: QᵀQ = I to `tol` in every entry. */
export function assertOrthonormalColumns(q: ArrayLike<number>, n: number, k: number, tol: number): void {
  const g = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += q[i * k + a] * q[i * k + b];
      g[a * k + b] = s;
    }
  }
  assertIdentity(g, k, tol, "QᵀQ");
}

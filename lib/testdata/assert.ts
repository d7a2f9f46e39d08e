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

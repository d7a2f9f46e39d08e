/**
 * Finite-difference gradient checks for tests: a hand-written backward pass against central differences of the
 * loss it differentiates.
 *
 * @example
 * ```ts
 * const loss = () => net.loss(x, y);
 * net.lossAndGrad(x, y);
 * assertCentralDifferences(loss, params.value, params.grad.slice(), { label: "W" });
 * ```
 */
import type { FactorLayer, M } from "../math/nn/factorized.ts";
import type { Rng } from "../math/rng.ts";
import { assertAlmostEquals } from "./assert.ts";

/** Which entries to check, the step and the tolerance of {@link assertCentralDifferences}. */
export interface CentralDifferenceOptions {
  /** Entries of `at` to perturb (default: all). */
  indices?: Iterable<number>;
  /** The step h of (f(x + h) − f(x − h)) / 2h (default 1e-6). */
  h?: number;
  /** Allowed error relative to max(1, |g|) (default 1e-6). */
  tol?: number;
  /** Names the array in failure messages. */
  label?: string;
}

/**
 * Central differences (f(x + h) − f(x − h)) / 2h of `loss` in each entry of `at`, perturbed in place (it must be
 * what `loss` reads) and restored. Entry k of the result is the difference in `at[k]`.
 */
export function centralDifferences(
  loss: () => number,
  at: { [k: number]: number; readonly length: number },
  h = 1e-6,
  indices: Iterable<number> = Array.from({ length: at.length }, (_, i) => i),
): Float64Array {
  const fd = new Float64Array(at.length);
  for (const k of indices) {
    const v = at[k];
    at[k] = v + h;
    const up = loss();
    at[k] = v - h;
    const down = loss();
    at[k] = v;
    fd[k] = (up - down) / (2 * h);
  }
  return fd;
}

/**
 * Asserts that `grad[k]` equals the central difference of `loss` in `at[k]`, for each checked k. `at` is perturbed
 * in place (it must be what `loss` reads) and restored; pass `grad` as a copy taken before the perturbations.
 */
export function assertCentralDifferences(
  loss: () => number,
  at: { [k: number]: number; readonly length: number },
  grad: ArrayLike<number>,
  opts: CentralDifferenceOptions = {},
): void {
  const { h = 1e-6, tol = 1e-6, label = "x" } = opts;
  const indices = [...(opts.indices ?? Array.from({ length: at.length }, (_, i) => i))];
  const fd = centralDifferences(loss, at, h, indices);
  for (const k of indices) {
    assertAlmostEquals(grad[k], fd[k], tol * Math.max(1, Math.abs(grad[k])), `∂L/∂${label}[${k}]`);
  }
}

/** `count` indices spread evenly over 0 … n − 1 (all of them when n ≤ count). */
export function spread(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (n - 1)) / (count - 1)));
}

/**
 * Checks a factorised layer's backward pass: with L = ⟨G, layer(X)⟩ for a random G (so ∂L/∂Y = G), every
 * parameter's gradient and ∂L/∂X against central differences, at `perTensor` entries of each (`free` skips entries
 * that are structurally fixed, e.g. unit diagonals).
 */
export function assertLayerGradients(
  layer: FactorLayer,
  x: M,
  rng: Rng,
  opts: { tol?: number; perTensor?: number; free?: (param: string, k: number) => boolean } = {},
): void {
  const { tol = 1e-6, perTensor = 12, free = () => true } = opts;
  const g = rng.normal(x.rows * layer.outDim) as Float64Array;
  const loss = () => {
    const y = layer.forward(x);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += g[i] * y.data[i];
    return s;
  };
  layer.forward(x);
  const dx = layer.backward({ rows: x.rows, cols: layer.outDim, data: g.slice() });
  for (const p of layer.params()) {
    const indices = spread(p.value.length, perTensor).filter((k) => free(p.name, k));
    assertCentralDifferences(loss, p.value, p.grad.slice(), { indices, tol, label: `${layer.label}.${p.name}` });
  }
  assertCentralDifferences(loss, x.data, dx.data, { indices: spread(x.data.length, perTensor), tol, label: "x" });
}

/**
 * Observation masks for matrix completion: which entries (i, j) of an n1×n2 matrix are seen.
 *
 * A mask keeps both a dense 0/1 indicator (for elementwise products P_Ω(X)) and the sorted list of observed
 * linear indices i·n2 + j (for loops over observations).
 *
 * @example
 * ```ts
 * const mask = uniformMask({ rows: 100, cols: 80, p: 0.2 }, rng);
 * const seen = project(mask, x); // P_Ω(X): zero outside Ω
 * ```
 */
import type { Rng } from "../rng.ts";
import type { M64 } from "./dense.ts";

/**
 * An observation pattern of a rows × cols matrix, as an indicator and as sorted observed indices, for completion and
 * sensing problems.
 */
export interface Mask {
  rows: number;
  cols: number;
  /** 1 where observed, 0 elsewhere; row-major, length rows·cols. */
  indicator: Uint8Array;
  /** Observed linear indices i·cols + j, ascending. */
  observed: Int32Array;
}

function fromIndicator(rows: number, cols: number, indicator: Uint8Array): Mask {
  const observed: number[] = [];
  for (let k = 0; k < indicator.length; k++) if (indicator[k]) observed.push(k);
  return { rows, cols, indicator, observed: Int32Array.from(observed) };
}

/** Each entry observed independently with probability p (Bernoulli model). */
export function uniformMask(opts: { rows: number; cols: number; p: number }, rng: Rng): Mask {
  const ind = new Uint8Array(opts.rows * opts.cols);
  for (let k = 0; k < ind.length; k++) ind[k] = rng.uniform() < opts.p ? 1 : 0;
  return fromIndicator(opts.rows, opts.cols, ind);
}

/** Exactly `perRow` entries per row, chosen uniformly without replacement in each row. */
export function perRowMask(opts: { rows: number; cols: number; perRow: number }, rng: Rng): Mask {
  if (opts.perRow > opts.cols) throw new Error(`perRowMask: ${opts.perRow} entries per row > ${opts.cols} columns`);
  const ind = new Uint8Array(opts.rows * opts.cols);
  for (let i = 0; i < opts.rows; i++) {
    const perm = rng.permutation(opts.cols);
    for (let t = 0; t < opts.perRow; t++) ind[i * opts.cols + perm[t]] = 1;
  }
  return fromIndicator(opts.rows, opts.cols, ind);
}

/** P_Ω(X): X on observed entries, 0 elsewhere (new matrix). */
export function project(mask: Mask, x: M64): M64 {
  if (x.rows !== mask.rows || x.cols !== mask.cols) throw new Error("project: mask and matrix sizes differ");
  return { rows: x.rows, cols: x.cols, data: x.data.map((v, k) => (mask.indicator[k] ? v : 0)) };
}

/** Fraction of entries observed. */
export function density(mask: Mask): number {
  return mask.observed.length / (mask.rows * mask.cols);
}

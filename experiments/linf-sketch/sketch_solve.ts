/**
 * Sketch-and-solve least squares, x' = argmin_x ‖SAx − Sb‖₂ (Song, Ye, Yin, Zhang 2023, Sec. 1), repeated over
 * independent sketch draws, with the errors in the paper's units.
 */
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import { countSketch, gaussianSketch, osnap, type SketchRng, srht } from "../../lib/math/sketch/mod.ts";
import type { Problem } from "./problem.ts";

type M64 = Mat<Float64Array>;

export type SketchKind = "gaussian" | "srht" | "countsketch" | "osnap";

/** Errors of every trial (rows of the arrays) for every instance k (index into problem.spikes). */
export interface TrialErrors {
  /** ε̂_∞ = √d·‖x' − x*‖∞ / (‖Ax* − b‖₂·‖A⁺‖): the paper's ℓ∞ guarantee reads ε̂_∞ ≤ ε. */
  linf: number[][];
  /** ε̂_2 = ‖x' − x*‖₂ / (‖Ax* − b‖₂·‖A⁺‖): the classical ℓ₂ guarantee reads ε̂_2 ≤ ε. */
  l2: number[][];
}

/** Horizontal concatenation [A | B]. */
export function hcat(a: M64, b: M64): M64 {
  const n = a.rows, c = a.cols + b.cols, out = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    out.set(a.data.subarray(i * a.cols, (i + 1) * a.cols), i * c);
    out.set(b.data.subarray(i * b.cols, (i + 1) * b.cols), i * c + a.cols);
  }
  return { rows: n, cols: c, data: out };
}

/** Solve argmin ‖(SA)x − SB‖ column by column from the sketch SX of X = [A | B] (first d columns are SA). */
export function solveSketched(sx: M64, d: number): M64 {
  const m = sx.rows, K = sx.cols - d;
  const sa = { rows: m, cols: d, data: new Float64Array(m * d) };
  const sb = { rows: m, cols: K, data: new Float64Array(m * K) };
  for (let i = 0; i < m; i++) {
    sa.data.set(sx.data.subarray(i * sx.cols, i * sx.cols + d), i * d);
    sb.data.set(sx.data.subarray(i * sx.cols + d, (i + 1) * sx.cols), i * K);
  }
  return getLinalg().lstsq(sa, sb) as M64;
}

/**
 * `trials` independent draws of S (m×n) of the given kind; each draw sketches [A | B] once (one S for every
 * instance of the family) and solves every instance.
 */
export function sketchAndSolve(
  p: Problem,
  opts: { kind: SketchKind; m: number; trials: number; s?: number },
  rng: SketchRng,
): TrialErrors {
  const { d } = p, K = p.b.cols;
  const x = hcat(p.a, p.b);
  // The Gaussian sketch is drawn against the R factor of [A | B] (same law as S·[A | B], see lib/math/sketch).
  const r = opts.kind === "gaussian" ? (getLinalg().qr(x).r as M64) : undefined;
  const linf = Array.from({ length: K }, () => [] as number[]);
  const l2 = Array.from({ length: K }, () => [] as number[]);
  for (let t = 0; t < opts.trials; t++) {
    const sx = opts.kind === "gaussian"
      ? gaussianSketch(x, opts.m, rng, { r })
      : opts.kind === "srht"
      ? srht(x, opts.m, rng)
      : opts.kind === "countsketch"
      ? countSketch(x, opts.m, rng)
      : osnap(x, opts.m, opts.s ?? 4, rng);
    const xp = solveSketched(sx, d);
    for (let k = 0; k < K; k++) {
      let inf = 0, two = 0;
      for (let j = 0; j < d; j++) {
        const e = Math.abs(xp.data[j * K + k] - p.xstar.data[j * K + k]);
        inf = Math.max(inf, e);
        two += e * e;
      }
      const unit = p.rnorm[k] * p.pinvNorm;
      linf[k].push((Math.sqrt(d) * inf) / unit);
      l2[k].push(Math.sqrt(two) / unit);
    }
  }
  return { linf, l2 };
}

/** The q-quantile (linear interpolation between order statistics). */
export function quantile(xs: readonly number[], q: number): number {
  const v = [...xs].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = (v.length - 1) * q, lo = Math.floor(h), hi = Math.ceil(h);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

/** The worst instance of the family: max over k of the q-quantile over trials, and which k attains it. */
export function worstQuantile(errs: number[][], q: number): { value: number; index: number } {
  let value = -Infinity, index = -1;
  errs.forEach((e, k) => {
    const v = quantile(e, q);
    if (v > value) [value, index] = [v, k];
  });
  return { value, index };
}

/**
 * One tuning protocol for every method that has a hyper-parameter (the Gram route and the baselines alike):
 *
 * 1. hold out the last `holdFrac` of the rows (rows are i.i.d., so this is a random split), fit each grid value on
 *    the other rows;
 * 2. score each fit's subspace V̂ on the held-out rows by how well span(V̂) explains their second moments: the
 *    least-squares residual of the held-out products x_ij·x_ik (every observed pair of a row, j ≤ k) against
 *    v̂_jᵀ S v̂_k, minimised over symmetric r×r S. A method-agnostic rule: it reads only V̂, which is what every
 *    method returns, and never the true V;
 * 3. refit on all rows with the value of lowest score, and record it (`ctx.choose`).
 *
 * The budget is the grid (≤ 4 values) plus one refit, for each method.
 */
import { luSmall, luSolveSmall } from "../../lib/math/linalg/lu_small.ts";
import type { M64 } from "../../lib/math/lowrank/mod.ts";
import type { Problem } from "./data.ts";

/** Rows [from, to) of a problem (the true V travels along, but no score reads it). */
export function rowSlice(p: Problem, from: number, to: number): Problem {
  const m = p.perRow;
  return {
    ...p,
    n: to - from,
    cols: p.cols.subarray(from * m, to * m),
    vals: p.vals.subarray(from * m, to * m),
  };
}

/** Solve the small SPD system a·x = b (LU with partial pivoting; a is q×q, row-major). */
function smallSolve(a: Float64Array, b: Float64Array, q: number): Float64Array {
  return luSolveSmall(luSmall(a, q, q), b, 1e-300); // a zero pivot divides by 1e-300
}

/** Features of v_jᵀ S v_k in the free entries of a symmetric S (S_aa, then S_ab for a < b). */
function features(vhat: M64, j: number, k: number, out: Float64Array): void {
  const r = vhat.cols, v = vhat.data;
  let q = 0;
  for (let a = 0; a < r; a++) {
    for (let b = a; b < r; b++) {
      out[q++] = a === b ? v[j * r + a] * v[k * r + a] : v[j * r + a] * v[k * r + b] + v[j * r + b] * v[k * r + a];
    }
  }
}

/** Mean squared residual of the held-out products against the best Gram supported on span(V̂) (lower is better). */
export function heldOutScore(vhat: M64, hold: Problem): number {
  const r = vhat.cols, q = (r * (r + 1)) / 2, m = hold.perRow;
  const ata = new Float64Array(q * q), atb = new Float64Array(q), phi = new Float64Array(q);
  const rows: { j: number; k: number; y: number }[] = [];
  for (let i = 0; i < hold.n; i++) {
    for (let t = 0; t < m; t++) {
      for (let u = t; u < m; u++) {
        const j = hold.cols[i * m + t], k = hold.cols[i * m + u];
        rows.push({ j, k, y: hold.vals[i * m + t] * hold.vals[i * m + u] });
      }
    }
  }
  for (const { j, k, y } of rows) {
    features(vhat, j, k, phi);
    for (let a = 0; a < q; a++) {
      atb[a] += phi[a] * y;
      for (let b = 0; b < q; b++) ata[a * q + b] += phi[a] * phi[b];
    }
  }
  const s = smallSolve(ata, atb, q);
  let sse = 0;
  for (const { j, k, y } of rows) {
    features(vhat, j, k, phi);
    let pred = 0;
    for (let a = 0; a < q; a++) pred += phi[a] * s[a];
    sse += (y - pred) ** 2;
  }
  const score = sse / rows.length;
  return Number.isFinite(score) ? score : Infinity;
}

/**
 * Fit every grid value on the training rows, score on the held-out rows, refit the best on all rows. Returns the
 * refit and the chosen value (the caller records it with `ctx.choose`).
 */
export function tuneByHoldout<T, O>(
  p: Problem,
  holdFrac: number,
  grid: readonly T[],
  /** `final` is true for the refit on all rows (e.g. to record its trajectory). */
  fit: (q: Problem, value: T, final: boolean) => O,
  basis: (o: O) => M64,
): { out: O; value: T; scores: number[] } {
  const nTrain = Math.round(p.n * (1 - holdFrac));
  const train = rowSlice(p, 0, nTrain), hold = rowSlice(p, nTrain, p.n);
  const scores = grid.map((v) => heldOutScore(basis(fit(train, v, false)), hold));
  let best = 0;
  for (let i = 1; i < grid.length; i++) if (scores[i] < scores[best]) best = i;
  return { out: fit(p, grid[best], true), value: grid[best], scores };
}

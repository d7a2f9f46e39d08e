/**
 * Base inference algorithms h: features of an individual → predicted outcome, fit on the training individuals.
 * - k-nearest-neighbour regression (Euclidean distance on the feature rows; mean of the k nearest training labels).
 * - Ridge regression ŷ = x·β, β = (XᵀX + λI)⁻¹Xᵀy on the training rows.
 * Both are applied to raw (zero-filled) features or to the SVT estimate, row for row.
 */
import { type M64, matmul } from "../../lib/math/lowrank/mod.ts";
import { solveSpdSmall } from "../../lib/math/linalg/chol_small.ts";

export function knnPredict(x: M64, nTrain: number, yTrain: Float64Array, k: number): Float64Array {
  const n = x.rows, m = x.cols, out = new Float64Array(n);
  const dist = new Float64Array(nTrain), idx = Array.from({ length: nTrain }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < nTrain; t++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += (x.data[i * m + j] - x.data[t * m + j]) ** 2;
      dist[t] = t === i ? Infinity : s; // leave-one-out for training rows
    }
    idx.sort((a, b) => dist[a] - dist[b]);
    let s = 0;
    for (let q = 0; q < k; q++) s += yTrain[idx[q]];
    out[i] = s / k;
  }
  return out;
}

export function ridgePredict(x: M64, nTrain: number, yTrain: Float64Array, lambda: number): Float64Array {
  const m = x.cols;
  const xt = { rows: nTrain, cols: m, data: x.data.subarray(0, nTrain * m) };
  const g = matmul(xt, xt, { transA: true });
  for (let j = 0; j < m; j++) g.data[j * m + j] += lambda;
  const rhs = new Float64Array(m);
  for (let i = 0; i < nTrain; i++) for (let j = 0; j < m; j++) rhs[j] += xt.data[i * m + j] * yTrain[i];
  const beta = solveSpdSmall(g.data, rhs, m);
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < m; j++) out[i] += x.data[i * m + j] * beta[j];
  return out;
}

/** Hyper-parameter grids, the same for the raw and the SVT variant of each base algorithm. */
export const KNN_GRID = [1, 3, 5, 10, 20, 40] as const;
export const RIDGE_GRID = [0.01, 0.1, 1, 10, 100, 1000] as const;
/** Fraction of the training individuals held out to choose a hyper-parameter. */
export const VAL_FRAC = 0.2;

/**
 * Choose a hyper-parameter from `grid` by the lowest mean squared error on the last VAL_FRAC of the training
 * individuals (fit on the rest; test individuals are never read), then refit on all training individuals.
 */
export function tuned(
  x: M64,
  nTrain: number,
  yTrain: Float64Array,
  grid: readonly number[],
  fit: (x: M64, nFit: number, y: Float64Array, h: number) => Float64Array,
): { pred: Float64Array; chosen: number } {
  const nFit = nTrain - Math.max(1, Math.round(VAL_FRAC * nTrain));
  const xTr = { rows: nTrain, cols: x.cols, data: x.data.subarray(0, nTrain * x.cols) };
  let best = grid[0], bestErr = Infinity;
  for (const h of grid) {
    const p = fit(xTr, nFit, yTrain.subarray(0, nFit), h);
    let e = 0;
    for (let i = nFit; i < nTrain; i++) e += (p[i] - yTrain[i]) ** 2;
    if (e < bestErr) [best, bestErr] = [h, e];
  }
  return { pred: fit(x, nTrain, yTrain, best), chosen: best };
}

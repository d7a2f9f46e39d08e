/**
 * The deletion-curve diagnostic of the official code (`del_curve_l1_classification.py`, `del_curve_cf.py`): for each
 * test point, remove the k training points a scorer ranks most positive (proponents) — or most negative
 * (opponents) — retrain, and record the change of the test prediction f_new(x_j) − f(x_j). A scorer that finds the
 * points that matter moves the prediction most: down after removing proponents (lower is better), up after removing
 * opponents (higher is better). The curve is the mean change over test points at each k; AUC-DEL is its mean over k.
 */
import type { Linalg } from "../../lib/math/linalg/types.ts";
import { type Design, fitL1Logistic } from "./l1logistic.ts";
import type { Explanation, Ratings } from "./mc.ts";
import { softImpute } from "./mc.ts";
import type { L1Task, McTask } from "./data.ts";

/** Mean prediction change per removal size, after removing proponents (`pos`) and opponents (`neg`). */
export interface DeletionCurves {
  pos: number[];
  neg: number[];
}

/** The fractions of the training set removed (the official l1 script: 1%, …, 5%). */
export const L1_FRACTIONS = [0.01, 0.02, 0.03, 0.04, 0.05];
/** The numbers of training ratings removed for each test entry (ours; the official uses 3–50 by data set). */
export const MC_REMOVALS = [2, 4, 6, 8, 10];

/** Indices sorted by score, most positive first (ties by index, so the order is deterministic). */
export function rankDescending(scores: ArrayLike<number>, idx: number[]): number[] {
  return [...idx].sort((a, b) => scores[b] - scores[a] || a - b);
}

function without(ds: Design, drop: Set<number>): Design {
  const keep: number[] = [];
  for (let i = 0; i < ds.n; i++) if (!drop.has(i)) keep.push(i);
  const x = new Float64Array(keep.length * ds.d), y = new Float64Array(keep.length);
  keep.forEach((i, a) => {
    x.set(ds.x.subarray(i * ds.d, (i + 1) * ds.d), a * ds.d);
    y[a] = ds.y[i];
  });
  return { x, y, n: keep.length, d: ds.d };
}

/**
 * Deletion curves of an ℓ1-logistic task for scores (n_train × m, row-major). Each retrain starts from the
 * previous (smaller) removal's solution and is solved to the same optimality tolerance as the full model.
 */
export function l1DeletionCurves(task: L1Task, scores: Float64Array, tol: number): DeletionCurves {
  const { train, q, c } = task, n = train.n, m = q.m, d = train.d;
  const ks = L1_FRACTIONS.map((p) => Math.max(1, Math.round(p * n)));
  const all = Array.from({ length: n }, (_, i) => i);
  const curve = (sign: 1 | -1) => {
    const sum = new Array(ks.length).fill(0);
    for (let j = 0; j < m; j++) {
      const col = Float64Array.from(all, (i) => sign * scores[i * m + j]);
      const order = rankDescending(col, all);
      let f0 = 0;
      for (let k = 0; k < d; k++) f0 += task.fit.theta[k] * q.x[j * d + k];
      let init = task.fit.theta;
      ks.forEach((k, a) => {
        const fit = fitL1Logistic(without(train, new Set(order.slice(0, k))), c, { tol, init });
        init = fit.theta;
        let f = 0;
        for (let b = 0; b < d; b++) f += fit.theta[b] * q.x[j * d + b];
        sum[a] += f - f0;
      });
    }
    return sum.map((s) => s / m);
  };
  return { pos: curve(1), neg: curve(-1) };
}

function withoutRatings(r: Ratings, drop: Set<number>): Ratings {
  const keep: number[] = [];
  for (let k = 0; k < r.r.length; k++) if (!drop.has(k)) keep.push(k);
  return {
    nu: r.nu,
    ni: r.ni,
    u: Int32Array.from(keep, (k) => r.u[k]),
    i: Int32Array.from(keep, (k) => r.i[k]),
    r: Float64Array.from(keep, (k) => r.r[k]),
  };
}

/**
 * Deletion curves of a matrix-completion task: for test entry (u, t), the candidates are the training ratings of
 * user u and of item t (the ones every explainer scores); each retrain is soft-impute warm-started from the
 * previous solution.
 */
export function mcDeletionCurves(la: Linalg, task: McTask, expl: Explanation[], tol: number): DeletionCurves {
  const curve = (sign: 1 | -1) => {
    const sum = new Array(MC_REMOVALS.length).fill(0);
    task.tests.forEach(([u, t], j) => {
      const e = expl[j], score = new Map<number, number>();
      e.rowIdx.forEach((k, a) => score.set(k, sign * e.rowScore[a]));
      e.colIdx.forEach((k, a) => score.set(k, sign * e.colScore[a]));
      const idx = [...score.keys()], vals: Record<number, number> = Object.fromEntries(score);
      const order = rankDescending(vals as unknown as ArrayLike<number>, idx);
      const z0 = task.fit.z[u * task.ratings.ni + t];
      let init = task.fit.z;
      MC_REMOVALS.forEach((k, a) => {
        const fit = softImpute(la, withoutRatings(task.ratings, new Set(order.slice(0, k))), task.lambda, {
          tol,
          init,
        });
        init = fit.z;
        sum[a] += fit.z[u * task.ratings.ni + t] - z0;
      });
    });
    return sum.map((s) => s / task.tests.length);
  };
  return { pos: curve(1), neg: curve(-1) };
}

/** AUC-DEL: the mean of a deletion curve over its removal sizes. */
export function aucDel(curve: number[]): number {
  return curve.reduce((a, b) => a + b, 0) / curve.length;
}

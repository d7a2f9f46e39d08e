/** sklearn digits split into training (lower level) and validation (upper level) rows, with a bias feature. */
import { loadSklearnDigits, SKLEARN_DIGITS_PIXELS } from "../../datasets/sklearn-digits.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { X_MAX, X_MIN } from "./mbbo.ts";
import { makeProblem, type Problem, referenceMinimum, upperObjective } from "./problem.ts";

export interface MbboData {
  problem: Problem;
  x0: Float64Array;
  f0: number;
  /** reference minimum F* (exact hypergradient descent) */
  fStar: number;
  /** λ_max(AᵀA/n) + e^{X_MAX}: the largest smoothness constant of the lower level over the box */
  lipschitz: number;
}

/** λ_max of a symmetric d × d matrix by power iteration. */
export function lambdaMax(h: Float64Array, d: number, iters = 200): number {
  let v = new Float64Array(d).fill(1 / Math.sqrt(d)), lam = 0;
  for (let it = 0; it < iters; it++) {
    const u = new Float64Array(d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) u[i] += h[i * d + j] * v[j];
    lam = Math.hypot(...u);
    v = u.map((x) => x / lam);
  }
  return lam;
}

export async function makeData(nTrain: number, nVal: number, x0: number, rng: Rng): Promise<MbboData> {
  const digits = await loadSklearnDigits();
  const p0 = SKLEARN_DIGITS_PIXELS, d = p0 + 1, m = 10;
  if (nTrain + nVal > digits.n) throw new Error(`nTrain + nVal = ${nTrain + nVal} exceeds ${digits.n}`);
  const perm = Array.from({ length: digits.n }, (_, i) => i);
  for (let i = perm.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const rows = (from: number, count: number) => {
    const x = new Float64Array(count * d), y = new Uint8Array(count);
    for (let q = 0; q < count; q++) {
      const r = perm[from + q];
      for (let k = 0; k < p0; k++) x[q * d + k] = digits.images[r * p0 + k];
      x[q * d + p0] = 1;
      y[q] = digits.labels[r];
    }
    return { x, y, n: count };
  };
  const problem = makeProblem(rows(0, nTrain), rows(nTrain, nVal), d, m);
  const start = new Float64Array(d).fill(x0);
  const ref = referenceMinimum(problem, start, X_MIN, X_MAX);
  return {
    problem,
    x0: start,
    f0: upperObjective(problem, start),
    fStar: ref.f,
    lipschitz: lambdaMax(problem.gram, d) + Math.exp(X_MAX),
  };
}

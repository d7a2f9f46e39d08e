/**
 * The three ways to get a separated representation A_μ ≈ Σ_m β_m(μ) A_m compared in the experiment. Each yields,
 * for a number of terms M, the approximate matrices at the test parameters.
 */
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { assemble, BOX, type Bvp, chebPoints, lagrange, type Mu } from "./bvp.ts";
import { eimGreedy, eimInterpolate } from "./eim.ts";

export interface Problem {
  bvp: Bvp;
  train: Mu[];
  test: Mu[];
  /** Training snapshots A_μ (vectorized, see bvp.ts). */
  snaps: Float64Array[];
  /** Exact test matrices and solutions. */
  testA: Float64Array[];
  testU: Float64Array[];
}

export type Emit = (M: number, approx: Float64Array[]) => void;

/**
 * Nonintrusive EIM (Casenave et al. 2014, Sec. 2): greedy over the training set picks μ_m and magic entries i_m;
 * online, β(μ) comes from the M entries A_μ[i_m] only.
 */
export function runEim(p: Problem, Mmax: number, emit: Emit) {
  const e = eimGreedy(p.snaps, Mmax);
  for (let M = 1; M <= e.q.length; M++) {
    emit(M, p.testA.map((a) => eimInterpolate(e, e.magic.slice(0, M).map((i) => a[i]), M)));
  }
  return e;
}

/**
 * POD of the training snapshots, with A_μ projected orthogonally on the first M modes: the best linear
 * M-term approximation from the snapshots (a reference; it needs all of A_μ online, so it is intrusive).
 */
export function runPod(p: Problem, Mmax: number, emit: Emit) {
  const la = getLinalg();
  const P = p.snaps[0].length, n = p.snaps.length;
  const s = mat(P, n);
  for (let j = 0; j < n; j++) for (let i = 0; i < P; i++) s.data[i * n + j] = p.snaps[j][i];
  const { u, s: sv } = la.svd(s);
  const r = Math.min(Mmax, sv.length);
  const coef = p.testA.map((a) =>
    Float64Array.from({ length: r }, (_, m) => {
      let c = 0;
      for (let i = 0; i < P; i++) c += u.data[i * u.cols + m] * a[i];
      return c;
    })
  );
  const approx = p.testA.map(() => new Float64Array(P));
  for (let M = 1; M <= r; M++) {
    for (let t = 0; t < approx.length; t++) {
      for (let i = 0; i < P; i++) approx[t][i] += coef[t][M - 1] * u.data[i * u.cols + M - 1];
    }
    emit(M, approx.map((a) => a.slice()));
  }
  return sv;
}

/**
 * Polynomial interpolation in μ on Chebyshev nodes (tensor grid p × p with two parameters, M = p² terms):
 * A_μ ≈ Σ_j ℓ_j(μ) A_{μ_j}; nonintrusive like EIM, but the nodes ignore the structure of A.
 */
export function runCheb(p: Problem, Mmax: number, emit: Emit) {
  const two = p.bvp.twoParams;
  for (let q = 1; (two ? q * q : q) <= Mmax; q++) {
    const cn = chebPoints(q, BOX.c[0], BOX.c[1]);
    const wn = two ? chebPoints(q, BOX.w[0], BOX.w[1]) : [p.bvp.width];
    const nodes: { mu: Mu; a: Float64Array }[] = [];
    for (const c of cn) for (const w of wn) nodes.push({ mu: [c, w], a: assemble(p.bvp, [c, w]) });
    emit(
      nodes.length,
      p.test.map((mu) => {
        const lc = lagrange(cn, mu[0]), lw = two ? lagrange(wn, mu[1]) : Float64Array.of(1);
        const out = new Float64Array(nodes[0].a.length);
        let k = 0;
        for (let i = 0; i < cn.length; i++) {
          for (let j = 0; j < wn.length; j++, k++) {
            const f = lc[i] * lw[j];
            const a = nodes[k].a;
            for (let t = 0; t < out.length; t++) out[t] += f * a[t];
          }
        }
        return out;
      }),
    );
  }
}

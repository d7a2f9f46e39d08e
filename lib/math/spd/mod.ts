/**
 * Symmetric positive definite (SPD) matrices: matrix functions through `eigh`, the affine-invariant (AI) and
 * log-Euclidean (LE) distances, Wishart sampling, and the sliced-Wasserstein distance on SPD matrices (SPDSW,
 * Bonet et al. 2023, "Sliced-Wasserstein on Symmetric Positive Definite Matrices for M/EEG Signals").
 *
 * Matrix functions of a symmetric A = V·diag(λ)·Vᵀ are V·diag(f(λ))·Vᵀ, with `eigh` from lib/math/linalg (native
 * LAPACK where it loads, the JS fallback otherwise; `la` picks one explicitly).
 *
 * - d_LE(A, B) = ‖log A − log B‖_F (Arsigny et al. 2006);
 * - d_AI(A, B) = ‖log(A^{-1/2}·B·A^{-1/2})‖_F = (Σ log² λ_i(A⁻¹B))^{1/2} (Pennec et al. 2006), congruence
 *   invariant: d_AI(GAGᵀ, GBGᵀ) = d_AI(A, B); and d_LE ≤ d_AI (the exponential metric increasing property,
 *   Bhatia 2007, Thm 6.1.4).
 * - The affine-invariant (Karcher) mean by fixed-point iteration (`riemannianMean`, Pennec et al. 2006).
 * - SPDSW (official clbonet/SPDSW `spdsw/spdsw.py`, sampling "spdsw"): directions A = P·diag(θ)·Pᵀ with θ uniform on
 *   the sphere S^{d−1} and P Haar-orthogonal (QR of a Gaussian matrix, columns signed by diag R); each SPD X
 *   projects to t = ⟨A, log X⟩_F (its Busemann coordinate in the log-Euclidean geometry); SPDSW_p^p is the mean over
 *   directions of the 1-D W_p^p between the projected samples. The official code returns this p-th power; so do we.
 *   Every direction has ‖A‖_F = 1, so each projection is 1-Lipschitz for d_LE and SPDSW_2² ≤ W_2²(LE) ≤ W_2²(AI)
 *   between any two empirical measures.
 *
 * @example
 * ```ts
 * const rng = Rng.fromSeed(0);
 * const xs = wishart(rng, { d: 2, df: 2, n: 100 }), ys = wishart(rng, { d: 2, df: 2, n: 100 });
 * const sw = spdsw(xs, ys, { projections: 200, rng });        // SPDSW_2²
 * const c = leCost(xs, ys);                                     // n×m squared LE distances, for exact OT
 * ```
 */
import { getLinalg, type Linalg, type Mat, mat } from "../linalg/mod.ts";
import { gamma, type Rng } from "../rng.ts";
import { wasserstein1d } from "../ot/mod.ts";

/** A symmetric positive-definite matrix, row-major float64. */
export type Spd = Mat<Float64Array>;

function checkSquare(a: Mat, what: string): number {
  if (a.rows !== a.cols) throw new Error(`${what}: expected a square matrix, got ${a.rows}×${a.cols}`);
  return a.rows;
}

/**
 * f(A) = V·diag(f(λ))·Vᵀ for symmetric A (lower triangle read). `domain: "positive"` throws when an eigenvalue is
 * ≤ 0 (log, sqrt, powers of a matrix that is not positive definite).
 */
export function eighFn(
  a: Mat,
  f: (x: number) => number,
  o: { la?: Linalg; domain?: "any" | "positive"; what?: string } = {},
): Spd {
  const d = checkSquare(a, o.what ?? "eighFn");
  const { values, vectors } = (o.la ?? getLinalg()).eigh(mat(d, d, Float64Array.from(a.data)));
  if (o.domain === "positive" && !(values[0] > 0)) {
    throw new Error(`${o.what ?? "eighFn"}: matrix is not positive definite (smallest eigenvalue ${values[0]})`);
  }
  const fl = new Float64Array(d);
  for (let k = 0; k < d; k++) fl[k] = f(values[k]);
  const v = vectors.data, out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += v[i * d + k] * fl[k] * v[j * d + k];
      out[i * d + j] = s;
      out[j * d + i] = s;
    }
  }
  return mat(d, d, out);
}

/** Principal matrix logarithm of an SPD matrix. */
export const logm = (a: Mat, la?: Linalg): Spd => eighFn(a, Math.log, { la, domain: "positive", what: "logm" });
/** Matrix exponential of a symmetric matrix (an SPD result). */
export const expm = (s: Mat, la?: Linalg): Spd => eighFn(s, Math.exp, { la, what: "expm" });
/** The SPD square root. */
export const sqrtm = (a: Mat, la?: Linalg): Spd => eighFn(a, Math.sqrt, { la, domain: "positive", what: "sqrtm" });
/** A^{-1/2}. */
export const invsqrtm = (a: Mat, la?: Linalg): Spd =>
  eighFn(a, (x) => 1 / Math.sqrt(x), { la, domain: "positive", what: "invsqrtm" });
/** A^p for real p (SPD A). */
export const powm = (a: Mat, p: number, la?: Linalg): Spd =>
  eighFn(a, (x) => x ** p, { la, domain: "positive", what: "powm" });

/** Q = P·B·P for symmetric P, B (d×d, row-major), symmetrised. */
function congruence(p: Float64Array, b: Float64Array, d: number, tmp: Float64Array, out: Float64Array): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += p[i * d + k] * b[k * d + j];
      tmp[i * d + j] = s;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += tmp[i * d + k] * p[k * d + j];
      out[i * d + j] = s;
      out[j * d + i] = s;
    }
  }
}

function sumLog2(values: Float64Array, what: string): number {
  let s = 0;
  for (let k = 0; k < values.length; k++) {
    if (!(values[k] > 0)) throw new Error(`${what}: a matrix is not positive definite (eigenvalue ${values[k]})`);
    s += Math.log(values[k]) ** 2;
  }
  return s;
}

/** Affine-invariant distance d_AI(A, B) = ‖log(A^{-1/2} B A^{-1/2})‖_F. */
export function aiDistance(a: Mat, b: Mat, la?: Linalg): number {
  const d = checkSquare(a, "aiDistance"), l = la ?? getLinalg();
  const p = invsqrtm(a, l), c = new Float64Array(d * d);
  congruence(p.data, Float64Array.from(b.data), d, new Float64Array(d * d), c);
  return Math.sqrt(sumLog2(l.eigh(mat(d, d, c)).values as Float64Array, "aiDistance"));
}

/** Log-Euclidean distance d_LE(A, B) = ‖log A − log B‖_F. */
export function leDistance(a: Mat, b: Mat, la?: Linalg): number {
  const la2 = logm(a, la).data, lb = logm(b, la).data;
  let s = 0;
  for (let i = 0; i < la2.length; i++) s += (la2[i] - lb[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * Squared AI distances between every pair (row-major n×m). d = 2: the eigenvalues of A⁻¹B in closed form, the roots
 * of det(B − λA) = 0, λ₁ = (t + √(t² − 4·detA·detB)) / (2·detA) with t = a₁₁b₂₂ + a₂₂b₁₁ − 2a₁₂b₁₂ and
 * λ₂ = detB / (detA·λ₁); d > 2: one A^{-1/2} per xs (eigh), then one eigh of A^{-1/2}·B·A^{-1/2} per pair.
 */
export function aiCost(xs: readonly Mat[], ys: readonly Mat[], la?: Linalg): Float64Array {
  const l = la ?? getLinalg(), n = xs.length, m = ys.length;
  if (!n || !m) return new Float64Array(0);
  const d = checkSquare(xs[0], "aiCost");
  const out = new Float64Array(n * m);
  if (d === 2) {
    for (let i = 0; i < n; i++) {
      const a = xs[i].data, a11 = a[0], a12 = a[1], a22 = a[3], detA = a11 * a22 - a12 * a12;
      for (let j = 0; j < m; j++) {
        const b = ys[j].data, b11 = b[0], b12 = b[1], b22 = b[3], detB = b11 * b22 - b12 * b12;
        const t = a11 * b22 + a22 * b11 - 2 * a12 * b12;
        const l1 = (t + Math.sqrt(Math.max(t * t - 4 * detA * detB, 0))) / (2 * detA), l2 = detB / (detA * l1);
        if (!(detA > 0 && detB > 0 && a11 > 0 && b11 > 0 && l2 > 0)) {
          throw new Error(`aiCost: a matrix is not positive definite (pair ${i}, ${j})`);
        }
        out[i * m + j] = Math.log(l1) ** 2 + Math.log(l2) ** 2;
      }
    }
    return out;
  }
  const ps = xs.map((x) => invsqrtm(x, l).data), bs = ys.map((y) => Float64Array.from(y.data));
  const tmp = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const c = new Float64Array(d * d);
      congruence(ps[i], bs[j], d, tmp, c);
      out[i * m + j] = sumLog2(l.eigh(mat(d, d, c)).values as Float64Array, "aiCost");
    }
  }
  return out;
}

/** Matrix logarithms of a set, each flattened (d² numbers). */
export function logAll(xs: readonly Mat[], la?: Linalg): Float64Array[] {
  return xs.map((x) => logm(x, la).data);
}

/** Squared LE distances between every pair (row-major n×m): one logm per matrix, then Euclidean distances. */
export function leCost(xs: readonly Mat[], ys: readonly Mat[], la?: Linalg): Float64Array {
  const lx = logAll(xs, la), ly = logAll(ys, la), n = xs.length, m = ys.length;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const a = lx[i];
    for (let j = 0; j < m; j++) {
      const b = ly[j];
      let s = 0;
      for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
      out[i * m + j] = s;
    }
  }
  return out;
}

/**
 * `n` draws of Wishart(df, scale) on d×d SPD matrices (scale = I by default) by the Bartlett decomposition
 * X = L·T·Tᵀ·Lᵀ, L the Cholesky factor of the scale, T lower triangular with T_ii = √χ²(df − i) (i = 0…d−1) and
 * standard normal entries below the diagonal — the construction of torch.distributions.Wishart, which the official
 * runtime script samples with df = d, scale = I. Needs df > d − 1. E[X] = df·scale.
 */
export function wishart(rng: Rng, o: { d: number; df: number; n: number; scale?: Mat }): Spd[] {
  const { d, df, n } = o;
  if (!(df > d - 1)) throw new Error(`wishart: df must exceed d − 1 = ${d - 1}, got ${df}`);
  const L = o.scale ? getLinalg().cholesky(mat(d, d, Float64Array.from(o.scale.data))).data : undefined;
  const out: Spd[] = [];
  const t = new Float64Array(d * d), g = new Float64Array(d * d);
  for (let s = 0; s < n; s++) {
    t.fill(0);
    for (let i = 0; i < d; i++) {
      t[i * d + i] = Math.sqrt(2 * gamma(rng, (df - i) / 2));
      for (let j = 0; j < i; j++) t[i * d + j] = rng.normal();
    }
    // g = L·T (lower triangular times lower triangular)
    if (L) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) {
          let acc = 0;
          for (let k = j; k <= i; k++) acc += L[i * d + k] * t[k * d + j];
          g[i * d + j] = acc;
        }
      }
    } else g.set(t);
    const x = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let acc = 0;
        for (let k = 0; k <= j; k++) acc += g[i * d + k] * g[j * d + k];
        x[i * d + j] = acc;
        x[j * d + i] = acc;
      }
    }
    out.push(mat(d, d, x));
  }
  return out;
}

/**
 * `count` SPDSW directions (each a flattened symmetric d×d matrix of unit Frobenius norm), as the official
 * `SPDSW.generate_projections`: "spdsw" A = P·diag(θ)·Pᵀ, θ uniform on S^{d−1}, P Haar-orthogonal (QR of a
 * Gaussian matrix with the columns of Q multiplied by the signs of diag R, Mezzadri 2007); "logsw" a Gaussian d×d
 * matrix normalised to unit Frobenius norm (not symmetric, as the official code).
 */
export function spdswDirections(
  rng: Rng,
  o: { d: number; count: number; sampling?: "spdsw" | "logsw"; la?: Linalg },
): Float64Array[] {
  const { d, count } = o, la = o.la ?? getLinalg();
  const dirs: Float64Array[] = [];
  for (let l = 0; l < count; l++) {
    const a = new Float64Array(d * d);
    if ((o.sampling ?? "spdsw") === "logsw") {
      const z = rng.normal(d * d);
      let nrm = 0;
      for (const v of z) nrm += v * v;
      nrm = Math.sqrt(nrm);
      for (let i = 0; i < d * d; i++) a[i] = z[i] / nrm;
    } else {
      const theta = rng.normal(d);
      let nrm = 0;
      for (const v of theta) nrm += v * v;
      nrm = Math.sqrt(nrm);
      // P = Q·diag(sign R_kk) is Haar; the signs cancel in P·diag(θ)·Pᵀ = Σ_k θ_k q_k q_kᵀ, so R is not needed.
      const qd = la.qr(mat(d, d, rng.normal(d * d))).q.data;
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += qd[i * d + k] * qd[j * d + k] * (theta[k] / nrm);
          a[i * d + j] = s;
          a[j * d + i] = s;
        }
      }
    }
    dirs.push(a);
  }
  return dirs;
}

/** Projections t[l][i] = ⟨A_l, log X_i⟩_F of flattened logs on flattened directions. */
export function project(logs: readonly Float64Array[], dirs: readonly Float64Array[]): Float64Array[] {
  return dirs.map((a) => {
    const t = new Float64Array(logs.length);
    for (let i = 0; i < logs.length; i++) {
      const x = logs[i];
      let s = 0;
      for (let k = 0; k < a.length; k++) s += a[k] * x[k];
      t[i] = s;
    }
    return t;
  });
}

/**
 * SPDSW_p^p(μ, ν) between the uniform empirical measures on `xs` and `ys` (sizes may differ): the mean over
 * `projections` random directions of the 1-D W_p^p of the projected samples (official `SPDSW.spdsw`, p = 2 by
 * default). Directions are drawn from `rng` unless given.
 */
export function spdsw(
  xs: readonly Mat[],
  ys: readonly Mat[],
  o: { projections: number; rng: Rng; p?: number; sampling?: "spdsw" | "logsw"; dirs?: Float64Array[]; la?: Linalg },
): number {
  const d = checkSquare(xs[0], "spdsw");
  const dirs = o.dirs ?? spdswDirections(o.rng, { d, count: o.projections, sampling: o.sampling, la: o.la });
  const px = project(logAll(xs, o.la), dirs), py = project(logAll(ys, o.la), dirs);
  let s = 0;
  for (let l = 0; l < dirs.length; l++) s += wasserstein1d(px[l], py[l], o.p ?? 2);
  return s / dirs.length;
}

/**
 * The affine-invariant (Karcher) mean of SPD matrices, argmin_M Σ w_i d_AI(M, X_i)², by the fixed-point iteration
 * M ← M^{1/2} · exp(Σ w_i log(M^{-1/2} X_i M^{-1/2})) · M^{1/2} (Pennec et al. 2006; pyriemann `mean_riemann` with
 * step 1), started at the weighted arithmetic mean; stops when ‖Σ w_i log(…)‖_F < `tol` or after `maxIter` steps.
 * Weights default to uniform and are normalised to sum 1.
 */
export function riemannianMean(
  xs: readonly Mat[],
  o: { weights?: readonly number[]; tol?: number; maxIter?: number; la?: Linalg } = {},
): { mean: Spd; iterations: number; gradNorm: number } {
  if (!xs.length) throw new Error("riemannianMean: no matrices");
  const d = checkSquare(xs[0], "riemannianMean"), l = o.la ?? getLinalg();
  const w0 = o.weights ?? xs.map(() => 1), ws = w0.reduce((a, b) => a + b, 0), w = w0.map((v) => v / ws);
  const m = new Float64Array(d * d);
  xs.forEach((x, i) => {
    for (let k = 0; k < d * d; k++) m[k] += w[i] * x.data[k];
  });
  let mean = mat(d, d, m), gradNorm = Infinity, it = 0;
  const tmp = new Float64Array(d * d), c = new Float64Array(d * d);
  for (; it < (o.maxIter ?? 50); it++) {
    const half = sqrtm(mean, l), ihalf = invsqrtm(mean, l), g = new Float64Array(d * d);
    xs.forEach((x, i) => {
      congruence(ihalf.data, Float64Array.from(x.data), d, tmp, c);
      const lg = logm(mat(d, d, c), l).data;
      for (let k = 0; k < d * d; k++) g[k] += w[i] * lg[k];
    });
    gradNorm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
    const e = expm(mat(d, d, g), l), next = new Float64Array(d * d);
    congruence(half.data, e.data, d, tmp, next);
    mean = mat(d, d, next);
    if (gradNorm < (o.tol ?? 1e-9)) {
      it++;
      break;
    }
  }
  return { mean, iterations: it, gradNorm };
}

/**
 * Classical linear unmixing and its metrics, pure TypeScript.
 *
 * - {@link vca}: Vertex Component Analysis (Nascimento & Bioucas-Dias, IEEE TGRS 2005): projection to the signal
 *   subspace (projective when SNR is high, PCA + offset otherwise), then R random directions orthogonal to the
 *   endmembers found so far, each picking the pixel of extreme projection.
 * - {@link nnls}: Lawson–Hanson active-set non-negative least squares on the normal equations.
 * - {@link fcls}: fully constrained least squares (Heinz & Chang 2001): non-negativity by NNLS, sum-to-one by the
 *   row δ·1ᵀ appended to the endmembers and δ to the pixel.
 * - {@link sad}, {@link matchEndmembers} (Hungarian assignment on the angle matrix, lib/math/ot), {@link abundanceRmse}.
 */
import { jacobiEigen } from "../linalg/jacobi.ts";
import { luSmall, luSolveSmall } from "../linalg/lu_small.ts";
import { assignment } from "../ot/mod.ts";
import type { Rng } from "../rng.ts";
import { type Dense, dense, mulAtB } from "./nmf.ts";

/** Symmetric eigendecomposition by cyclic Jacobi: values descending, vectors as columns of an n×n Dense. */
export function jacobiEigh(a: Dense, sweeps = 60): { values: Float64Array; vectors: Dense } {
  const { w, V } = jacobiEigen(a.data, a.rows, { maxSweeps: sweeps, descending: true });
  return { values: w, vectors: { rows: a.rows, cols: a.rows, data: V } };
}

/**
 * VCA endmember extraction: returns the R chosen pixel indices and their spectra (columns of an L×R Dense).
 * `snr` in dB; when omitted it is estimated as in the reference implementation.
 */
export function vca(y: Dense, r: number, rng: Rng, snrDb?: number): { indices: number[]; endmembers: Dense } {
  const L = y.rows, N = y.cols;
  // Signal subspace of the correlation matrix Y Yᵀ / N and of the covariance.
  const mean = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += y.data[l * N + j];
    mean[l] = s / N;
  }
  let pY = 0;
  for (const v of y.data) pY += v * v;
  pY /= N;
  const snrTh = 15 + 10 * Math.log10(r);
  let snr = snrDb;
  if (snr === undefined) {
    const corr = mulAtB(transpose(y), transpose(y));
    for (let i = 0; i < corr.data.length; i++) corr.data[i] /= N;
    const { vectors } = jacobiEigh(corr);
    const ud = takeCols(vectors, r);
    const x = mulAtB(ud, y);
    let pX = 0;
    for (const v of x.data) pX += v * v;
    pX /= N;
    snr = 10 * Math.log10(Math.max(pX - (r / L) * pY, 1e-300) / Math.max(pY - pX, 1e-300));
  }
  let proj: Dense; // r × N in the projected space
  if (snr > snrTh) {
    const corr = mulAtB(transpose(y), transpose(y));
    for (let i = 0; i < corr.data.length; i++) corr.data[i] /= N;
    const ud = takeCols(jacobiEigh(corr).vectors, r);
    const x = mulAtB(ud, y); // r × N
    const u = new Float64Array(r);
    for (let k = 0; k < r; k++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += x.data[k * N + j];
      u[k] = s / N;
    }
    proj = dense(r, N);
    for (let j = 0; j < N; j++) {
      let d = 0;
      for (let k = 0; k < r; k++) d += x.data[k * N + j] * u[k];
      d = Math.abs(d) > 1e-300 ? d : 1e-300;
      for (let k = 0; k < r; k++) proj.data[k * N + j] = x.data[k * N + j] / d;
    }
  } else {
    const yc = dense(L, N);
    for (let l = 0; l < L; l++) for (let j = 0; j < N; j++) yc.data[l * N + j] = y.data[l * N + j] - mean[l];
    const cov = mulAtB(transpose(yc), transpose(yc));
    for (let i = 0; i < cov.data.length; i++) cov.data[i] /= N;
    const ud = takeCols(jacobiEigh(cov).vectors, r - 1);
    const x = mulAtB(ud, yc); // (r−1) × N
    let c = 0;
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < r - 1; k++) s += x.data[k * N + j] ** 2;
      c = Math.max(c, Math.sqrt(s));
    }
    proj = dense(r, N);
    for (let k = 0; k < r - 1; k++) for (let j = 0; j < N; j++) proj.data[k * N + j] = x.data[k * N + j];
    for (let j = 0; j < N; j++) proj.data[(r - 1) * N + j] = c;
  }
  // Iterative vertex search; A is r×r, column i = projected endmember i.
  const A = new Float64Array(r * r);
  A[(r - 1) * r + 0] = 1;
  const indices: number[] = [];
  for (let i = 0; i < r; i++) {
    const w = new Float64Array(r);
    for (let k = 0; k < r; k++) w[k] = rng.normal();
    // f = (I − A A⁺) w via least squares on A's columns found so far (A⁺ w = argmin ‖A z − w‖).
    const cols = i === 0 ? [0] : Array.from({ length: i }, (_, t) => t);
    const q = cols.length, ata = new Float64Array(q * q), atw = new Float64Array(q);
    for (let a = 0; a < q; a++) {
      for (let b = 0; b < q; b++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += A[k * r + cols[a]] * A[k * r + cols[b]];
        ata[a * q + b] = s;
      }
      let s = 0;
      for (let k = 0; k < r; k++) s += A[k * r + cols[a]] * w[k];
      atw[a] = s;
    }
    for (let a = 0; a < q; a++) ata[a * q + a] += 1e-12;
    const z = solveSmall(ata, atw, q);
    const f = new Float64Array(r);
    let fn = 0;
    for (let k = 0; k < r; k++) {
      let s = w[k];
      for (let a = 0; a < q; a++) s -= A[k * r + cols[a]] * z[a];
      f[k] = s;
      fn += s * s;
    }
    fn = Math.sqrt(fn) || 1;
    let best = -1, bestV = -Infinity;
    for (let j = 0; j < N; j++) {
      let v = 0;
      for (let k = 0; k < r; k++) v += (f[k] / fn) * proj.data[k * N + j];
      if (Math.abs(v) > bestV) {
        bestV = Math.abs(v);
        best = j;
      }
    }
    indices.push(best);
    for (let k = 0; k < r; k++) A[k * r + i] = proj.data[k * N + best];
  }
  const endmembers = dense(L, r);
  indices.forEach((j, i) => {
    for (let l = 0; l < L; l++) endmembers.data[l * r + i] = y.data[l * N + j];
  });
  return { indices, endmembers };
}

function transpose(a: Dense): Dense {
  const t = dense(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

function takeCols(a: Dense, k: number): Dense {
  const out = dense(a.rows, k);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < k; j++) out.data[i * k + j] = a.data[i * a.cols + j];
  return out;
}

/**
 * Lawson–Hanson NNLS on the normal equations: min_x ½xᵀQx − bᵀx, x ≥ 0, with Q = AᵀA (r×r, SPD) and b = Aᵀy.
 */
export function nnls(q: Float64Array, b: Float64Array, r: number, tol = 1e-12): Float64Array {
  const x = new Float64Array(r), passive = new Array<boolean>(r).fill(false);
  const grad = () => {
    const g = new Float64Array(r);
    for (let i = 0; i < r; i++) {
      let s = b[i];
      for (let j = 0; j < r; j++) s -= q[i * r + j] * x[j];
      g[i] = s; // negative gradient
    }
    return g;
  };
  const solveOn = (set: number[]) => {
    const k = set.length, a = new Float64Array(k * k), rhs = new Float64Array(k);
    set.forEach((i, u) => {
      rhs[u] = b[i];
      set.forEach((j, v) => (a[u * k + v] = q[i * r + j]));
    });
    const z = solveSmall(a, rhs, k), out = new Float64Array(r);
    set.forEach((i, u) => (out[i] = z[u]));
    return out;
  };
  let scale = 0;
  for (let i = 0; i < r; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let outer = 0; outer < 3 * r + 10; outer++) {
    const g = grad();
    let t = -1, gmax = tol * Math.max(scale, 1e-300);
    for (let i = 0; i < r; i++) if (!passive[i] && g[i] > gmax) [gmax, t] = [g[i], i];
    if (t < 0) break;
    passive[t] = true;
    for (let inner = 0; inner < 3 * r + 10; inner++) {
      const set = passive.flatMap((p, i) => (p ? [i] : []));
      const z = solveOn(set);
      if (set.every((i) => z[i] > 0)) {
        x.set(z);
        break;
      }
      let alpha = Infinity;
      for (const i of set) if (z[i] <= 0) alpha = Math.min(alpha, x[i] / (x[i] - z[i]));
      for (let i = 0; i < r; i++) x[i] += alpha * (z[i] - x[i]);
      for (const i of set) if (x[i] <= tol * Math.max(scale, 1)) [passive[i], x[i]] = [false, 0];
    }
  }
  return x;
}

/**
 * FCLS abundances for every pixel (columns of Y, L×N) given endmembers E (L×R): NNLS on [E; δ1ᵀ] s ≈ [y; δ],
 * δ = `delta`·max|E| (large δ makes sum-to-one hold to ~1/δ²).
 */
export function fcls(y: Dense, e: Dense, delta = 1e3): Dense {
  const L = y.rows, N = y.cols, r = e.cols;
  let emax = 0;
  for (const v of e.data) emax = Math.max(emax, Math.abs(v));
  const d = delta * Math.max(emax, 1e-12);
  const q = new Float64Array(r * r);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) {
      let s = d * d;
      for (let l = 0; l < L; l++) s += e.data[l * r + i] * e.data[l * r + j];
      q[i * r + j] = s;
    }
  }
  const etY = mulAtB(e, y), out = dense(r, N), b = new Float64Array(r);
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < r; i++) b[i] = etY.data[i * N + j] + d * d;
    const s = nnls(q, b, r);
    for (let i = 0; i < r; i++) out.data[i * N + j] = s[i];
  }
  return out;
}

/** Spectral angle (radians) between two vectors. */
export function spectralAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  const c = ab / Math.sqrt(aa * bb || 1e-300);
  return Math.acos(Math.min(1, Math.max(-1, c)));
}

function column(m: Dense, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j];
  return out;
}

/**
 * Match estimated endmembers (columns of `est`) to true ones (columns of `truth`) minimizing the total spectral
 * angle (Hungarian). Returns perm with est column perm[i] ↔ true column i, and the angle of each pair.
 */
export function matchEndmembers(truth: Dense, est: Dense): { perm: number[]; angles: number[] } {
  const r = truth.cols;
  const cost = new Float64Array(r * r);
  for (let i = 0; i < r; i++) {
    const t = column(truth, i);
    for (let j = 0; j < r; j++) cost[i * r + j] = spectralAngle(t, column(est, j));
  }
  const perm = Array.from(assignment(cost, r).cols);
  return { perm, angles: perm.map((j, i) => cost[i * r + j]) };
}

/** Mean spectral angle distance (radians) over matched pairs. */
export function sad(truth: Dense, est: Dense): { mean: number; perm: number[]; angles: number[] } {
  const { perm, angles } = matchEndmembers(truth, est);
  return { mean: angles.reduce((a, b) => a + b, 0) / angles.length, perm, angles };
}

/** √(mean (S − Ŝ_perm)²) over all R×N entries, rows of Ŝ taken in the order `perm` (true row i ↔ est row perm[i]). */
export function abundanceRmse(truth: Dense, est: Dense, perm: number[]): number {
  const r = truth.rows, n = truth.cols;
  let s = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < n; j++) s += (truth.data[i * n + j] - est.data[perm[i] * n + j]) ** 2;
  }
  return Math.sqrt(s / (r * n));
}

/** Solves the small system A·x = b (A n×n); a zero pivot divides by 1e-300 rather than failing. */
function solveSmall(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return luSolveSmall(luSmall(a, n, n), b, 1e-300);
}

/**
 * The pure-JS `Linalg`, used when OpenBLAS/LAPACKE cannot be loaded. Built on npm `ml-matrix` (SVD, symmetric
 * eigendecomposition, LU, products) plus a few short kernels ml-matrix lacks or does differently: Cholesky that
 * names the failing leading minor and reads only the lower triangle, Householder QR for any shape (and to
 * complete bases for the full SVD), and triangular solves that check for a zero diagonal.
 *
 * Everything is computed in float64; float32 inputs are widened and the results rounded back to float32.
 * Sign conventions and error messages match the native backend.
 */
import { EigenvalueDecomposition, LuDecomposition, Matrix, SingularValueDecomposition } from "ml-matrix";
import { type Float, type Linalg, LinalgError, type LinalgInfo, type Mat } from "./types.ts";
import { checkArg, checkDiagonal, checkEigh, checkResult, checkRhs, checkSquare, checkSystem } from "./checks.ts";
import { fixColumnSigns, positiveDiagonal } from "./signs.ts";

const ML_MATRIX_VERSION = "6.15.1"; // keep in step with deno.json's import map

/** `Linalg` in plain TypeScript over ml-matrix. */
export class JsLinalg implements Linalg {
  readonly info: LinalgInfo = { kind: "js", library: `ml-matrix ${ML_MATRIX_VERSION}`, threads: 1 };

  matmul<T extends Float>(a: Mat<T>, b: Mat<T>, opts: { transA?: boolean; transB?: boolean } = {}): Mat<T> {
    const f32 = checkArg("matmul", "A", a);
    checkArg("matmul", "B", b, f32);
    const [m, k] = opts.transA ? [a.cols, a.rows] : [a.rows, a.cols];
    const [k2, n] = opts.transB ? [b.cols, b.rows] : [b.rows, b.cols];
    if (k !== k2) throw new LinalgError(`matmul: inner dimensions differ (op(A) is ${m}×${k}, op(B) is ${k2}×${n})`);
    if (m === 0 || n === 0 || k === 0) return out(new Float64Array(m * n), m, n, f32);
    let A = toML(a), B = toML(b);
    if (opts.transA) A = A.transpose();
    if (opts.transB) B = B.transpose();
    return out(fromML(A.mmul(B)), m, n, f32);
  }

  svd<T extends Float>(a: Mat<T>, opts: { full?: boolean } = {}): { u: Mat<T>; s: T; vt: Mat<T> } {
    const f32 = checkArg("svd", "A", a);
    const { rows: m, cols: n } = a, k = Math.min(m, n), full = !!opts.full;
    const { u, s, v } = k > 0 ? thinSvd(a) : { u: new Float64Array(0), s: new Float64Array(0), v: new Float64Array(0) };
    // ml-matrix gives thin factors; extend U and V to square orthogonal matrices when asked.
    const uu = full ? completeBasis(u, m, k) : u, ucols = full ? m : k;
    const vv = full ? completeBasis(v, n, k) : v, vcols = full ? n : k;
    const vt = transposeRaw(vv, n, vcols);
    fixColumnSigns(uu, m, ucols, k, vt, n);
    return { u: out(uu, m, ucols, f32), s: vec(s, f32), vt: out(vt, vcols, n, f32) };
  }

  svdvals<T extends Float>(a: Mat<T>): T {
    const f32 = checkArg("svdvals", "A", a);
    if (Math.min(a.rows, a.cols) === 0) return vec(new Float64Array(0), f32);
    const svd = new SingularValueDecomposition(toML(a), {
      computeLeftSingularVectors: false,
      computeRightSingularVectors: false,
      autoTranspose: true,
    });
    const s = Float64Array.from(svd.diagonal.slice(0, Math.min(a.rows, a.cols)));
    finite("svdvals", s);
    return vec(s, f32);
  }

  eigh<T extends Float>(a: Mat<T>, opts: { range?: [number, number] } = {}): { values: T; vectors: Mat<T> } {
    const { f32, n, lo, hi } = checkEigh(a, opts.range);
    if (n === 0) return { values: vec(new Float64Array(0), f32), vectors: out(new Float64Array(0), 0, 0, f32) };
    // Mirror the lower triangle, as LAPACK's uplo = 'L' reads it, so both backends decompose the same matrix.
    const sym = Float64Array.from(a.data);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) sym[j * n + i] = sym[i * n + j];
    const evd = new EigenvalueDecomposition(toML({ rows: n, cols: n, data: sym }), { assumeSymmetric: true });
    const w = evd.realEigenvalues, V = fromML(evd.eigenvectorMatrix);
    const order = Array.from(w.keys()).sort((i, j) => w[i] - w[j]).slice(lo, hi + 1);
    const cnt = order.length, values = new Float64Array(cnt), z = new Float64Array(n * cnt);
    order.forEach((src, c) => {
      values[c] = w[src];
      for (let r = 0; r < n; r++) z[r * cnt + c] = V[r * n + src];
    });
    finite("eigh", values, "did not converge; the matrix may have extreme or badly scaled entries, try rescaling it");
    fixColumnSigns(z, n, cnt, cnt);
    return { values: vec(values, f32), vectors: out(z, n, cnt, f32) };
  }

  cholesky<T extends Float>(a: Mat<T>): Mat<T> {
    const f32 = checkArg("cholesky", "A", a);
    checkSquare("cholesky", "A", a);
    const n = a.rows, A = a.data, L = new Float64Array(n * n);
    // Row-by-row (Cholesky–Banachiewicz), reading only the lower triangle of A like LAPACK's uplo = 'L'.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = A[i * n + j];
        for (let p = 0; p < j; p++) s -= L[i * n + p] * L[j * n + p];
        if (i === j) {
          if (!(s > 0)) {
            throw new LinalgError(
              `cholesky: matrix is not positive definite (leading minor ${i + 1} of ${n}); ` +
                `check it is symmetric PSD, or add jitter to the diagonal`,
            );
          }
          L[i * n + i] = Math.sqrt(s);
        } else L[i * n + j] = s / L[j * n + j];
      }
    }
    return out(L, n, n, f32);
  }

  choSolve<T extends Float>(l: Mat<T>, b: Mat<T>): Mat<T> {
    const f32 = checkSystem("choSolve", "L", l, b);
    const n = l.rows;
    checkDiagonal("choSolve", "L", l, "L is not a Cholesky factor; use cholesky(A) first");
    const L = Float64Array.from(l.data), x = Float64Array.from(b.data);
    triSolveInPlace(L, n, x, b.cols, true, false);
    triSolveInPlace(L, n, x, b.cols, true, true);
    const res = out<T>(x, n, b.cols, f32);
    checkResult("choSolve", res, "L is numerically singular (a tiny diagonal entry); add jitter to A before factoring");
    return res;
  }

  solve<T extends Float>(a: Mat<T>, b: Mat<T>): Mat<T> {
    const f32 = checkSystem("solve", "A", a, b);
    const n = a.rows, nrhs = b.cols;
    if (n === 0 || nrhs === 0) return out(new Float64Array(n * nrhs), n, nrhs, f32);
    const lu = new LuDecomposition(toML(a));
    if (lu.isSingular()) {
      const U = lu.upperTriangularMatrix;
      let i = 0;
      while (i < n - 1 && U.get(i, i) !== 0) i++;
      throw new LinalgError(`solve: matrix is singular (U[${i},${i}] is exactly zero)`);
    }
    const res = out<T>(fromML(lu.solve(toML(b))), n, nrhs, f32);
    checkResult("solve", res, "A is numerically singular (ill-conditioned); regularize it or use lstsq");
    return res;
  }

  qr<T extends Float>(a: Mat<T>): { q: Mat<T>; r: Mat<T> } {
    const f32 = checkArg("qr", "A", a);
    const { rows: m, cols: n } = a, k = Math.min(m, n);
    const { q, r } = householderQr(Float64Array.from(a.data), m, n, false);
    positiveDiagonal(q, r, m, n, k);
    return { q: out(q, m, k, f32), r: out(r, k, n, f32) };
  }

  lstsq<T extends Float>(a: Mat<T>, b: Mat<T>): Mat<T> {
    const f32 = checkArg("lstsq", "A", a);
    checkArg("lstsq", "B", b, f32);
    checkRhs("lstsq", a.rows, b);
    const { rows: m, cols: n } = a, k = Math.min(m, n), nrhs = b.cols;
    const x = new Float64Array(n * nrhs);
    if (k === 0 || nrhs === 0) return out(x, n, nrhs, f32);
    // Minimum-norm solution V·diag(1/σ)·Uᵀ·B, dropping σ below numpy's cutoff eps·max(m, n)·σ_max.
    const { u, s, v } = thinSvd(a);
    const cut = (f32 ? 2 ** -23 : 2 ** -52) * Math.max(m, n) * s[0];
    const B = b.data, t = new Float64Array(nrhs);
    for (let j = 0; j < k; j++) {
      if (!(s[j] > cut)) continue;
      t.fill(0);
      for (let i = 0; i < m; i++) {
        const uij = u[i * k + j];
        for (let c = 0; c < nrhs; c++) t[c] += uij * B[i * nrhs + c];
      }
      for (let c = 0; c < nrhs; c++) t[c] /= s[j];
      for (let r = 0; r < n; r++) {
        const vrj = v[r * k + j];
        for (let c = 0; c < nrhs; c++) x[r * nrhs + c] += vrj * t[c];
      }
    }
    return out(x, n, nrhs, f32);
  }

  triSolve<T extends Float>(t: Mat<T>, b: Mat<T>, opts: { lower: boolean; trans?: boolean }): Mat<T> {
    const f32 = checkSystem("triSolve", "T", t, b);
    const n = t.rows;
    checkDiagonal("triSolve", "T", t, "matrix is singular");
    const x = Float64Array.from(b.data);
    triSolveInPlace(Float64Array.from(t.data), n, x, b.cols, opts.lower, !!opts.trans);
    const res = out<T>(x, n, b.cols, f32);
    checkResult("triSolve", res, "T is numerically singular (a tiny diagonal entry)");
    return res;
  }
}

// ---- kernels ----------------------------------------------------------------------------------------------

/** Thin SVD through ml-matrix: U m×k, s (k, descending), V n×k, all row-major float64. */
function thinSvd(a: Mat): { u: Float64Array; s: Float64Array; v: Float64Array } {
  const { rows: m, cols: n } = a, k = Math.min(m, n);
  const svd = new SingularValueDecomposition(toML(a), { autoTranspose: true });
  const s = Float64Array.from(svd.diagonal.slice(0, k));
  const u = firstColumns(fromML(svd.leftSingularVectors), m, svd.leftSingularVectors.columns, k);
  const v = firstColumns(fromML(svd.rightSingularVectors), n, svd.rightSingularVectors.columns, k);
  finite("svd", s);
  finite("svd", u);
  finite("svd", v);
  return { u, s, v };
}

/**
 * Householder QR of a row-major m×n matrix (overwritten). Returns R (k×n) and Q: thin m×k, or square m×m when
 * `fullQ`. Works for any shape and for rank-deficient input (a zero column gets an identity reflector).
 */
function householderQr(a: Float64Array, m: number, n: number, fullQ: boolean): { q: Float64Array; r: Float64Array } {
  const k = Math.min(m, n), vs: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm = Math.hypot(norm, a[i * n + j]);
    const v = new Float64Array(m - j);
    if (norm === 0) {
      vs.push(v); // nothing to eliminate; v = 0 is the identity reflector
      continue;
    }
    const alpha = a[j * n + j] > 0 ? -norm : norm;
    for (let i = j; i < m; i++) v[i - j] = a[i * n + j];
    v[0] -= alpha;
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i] * v[i];
    // Apply H = I − 2vvᵀ/(vᵀv) to the trailing columns.
    for (let c = j; c < n; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += v[i - j] * a[i * n + c];
      const f = (2 * dot) / vn;
      for (let i = j; i < m; i++) a[i * n + c] -= f * v[i - j];
    }
    for (let i = 0; i < v.length; i++) v[i] /= Math.sqrt(vn / 2); // now H = I − v vᵀ
    vs.push(v);
  }
  const r = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let j = i; j < n; j++) r[i * n + j] = a[i * n + j];
  // Q = H_0 ⋯ H_{k−1} applied to the first qc columns of the identity.
  const qc = fullQ ? m : k, q = new Float64Array(m * qc);
  for (let i = 0; i < Math.min(m, qc); i++) q[i * qc + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j];
    for (let c = 0; c < qc; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += v[i - j] * q[i * qc + c];
      if (dot !== 0) { for (let i = j; i < m; i++) q[i * qc + c] -= dot * v[i - j]; }
    }
  }
  return { q, r };
}

/** Extends the k orthonormal columns of `u` (rows×k) to a square orthogonal matrix (rows×rows). */
function completeBasis(u: Float64Array, rows: number, k: number): Float64Array {
  if (k === rows) return u;
  // The last rows−k columns of a full QR of U span the orthogonal complement of U's columns.
  const { q } = householderQr(u.slice(), rows, k, true);
  const full = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    full.set(u.subarray(i * k, (i + 1) * k), i * rows);
    full.set(q.subarray(i * rows + k, (i + 1) * rows), i * rows + k);
  }
  return full;
}

/** Solves op(T)·X = B in place (T n×n row-major, X n×nrhs); only the named triangle of T is read. */
function triSolveInPlace(t: Float64Array, n: number, x: Float64Array, nrhs: number, lower: boolean, trans: boolean) {
  // op(T) is lower triangular when exactly one of (lower, trans) holds: then substitute forwards.
  const forward = lower !== trans;
  const at = trans ? (i: number, j: number) => t[j * n + i] : (i: number, j: number) => t[i * n + j];
  for (let step = 0; step < n; step++) {
    const i = forward ? step : n - 1 - step;
    for (let step2 = 0; step2 < step; step2++) {
      const j = forward ? step2 : n - 1 - step2;
      const tij = at(i, j);
      if (tij !== 0) { for (let c = 0; c < nrhs; c++) x[i * nrhs + c] -= tij * x[j * nrhs + c]; }
    }
    const d = at(i, i);
    for (let c = 0; c < nrhs; c++) x[i * nrhs + c] /= d;
  }
}

// ---- conversions ------------------------------------------------------------------------------------------

function toML(a: Mat): Matrix {
  const M = new Matrix(a.rows, a.cols);
  // ml-matrix keeps one Float64Array per row in `data`; filling them directly avoids per-element set().
  const rows = (M as unknown as { data: Float64Array[] }).data;
  for (let i = 0; i < a.rows; i++) rows[i].set(a.data.subarray(i * a.cols, (i + 1) * a.cols));
  return M;
}

function fromML(M: Matrix): Float64Array {
  const { rows, columns } = M, x = new Float64Array(rows * columns);
  const data = (M as unknown as { data?: Float64Array[] }).data;
  if (Array.isArray(data)) { for (let i = 0; i < rows; i++) x.set(data[i], i * columns); }
  else for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) x[i * columns + j] = M.get(i, j);
  return x;
}

function firstColumns(x: Float64Array, rows: number, cols: number, k: number): Float64Array {
  if (cols === k) return x;
  const y = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) y.set(x.subarray(i * cols, i * cols + k), i * k);
  return y;
}

function transposeRaw(x: Float64Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[j * rows + i] = x[i * cols + j];
  return y;
}

function out<T extends Float>(x: Float64Array, rows: number, cols: number, f32: boolean): Mat<T> {
  return { rows, cols, data: vec<T>(x, f32) };
}

function vec<T extends Float>(x: Float64Array, f32: boolean): T {
  return (f32 ? Float32Array.from(x) : x) as T;
}

function finite(
  op: string,
  x: Float64Array,
  why = "did not converge; the matrix may have extreme or badly scaled entries",
) {
  for (let i = 0; i < x.length; i++) if (x[i] - x[i] !== 0) throw new LinalgError(`${op}: ${why}`);
}

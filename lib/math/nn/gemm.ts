/**
 * The one matrix kernel the training kit needs: C ← α·op(A)·op(B) + β·C into a caller's buffer (row-major), on
 * two backends. `native` calls OpenBLAS's cblas_dgemm/cblas_sgemm through Deno FFI (the same library file
 * lib/math/linalg opens, so its thread setting applies); `js` is a plain TypeScript loop kernel. lib/math/linalg's
 * `matmul` allocates its result, which a training step cannot afford, hence this thin in-place entry point.
 *
 * Which backend runs follows lib/math/linalg: `gemmBackend()` is native exactly when `getLinalg()` is.
 */
import { getLinalg, nativePaths } from "../linalg/mod.ts";

/** A float buffer of either precision. */
export type Arr = Float64Array | Float32Array;

/** In-place general matrix product on row-major buffers, plus the two vector updates optimisers need. */
export interface Gemm {
  readonly kind: "native" | "js";
  /**
   * C[m×n] ← α·op(A)·op(B) + β·C, op(A) m×k, op(B) k×n; lda/ldb/ldc are row strides of the stored matrices.
   * All three arrays must share one precision. With β = 0, C's old contents are ignored (NaN-safe).
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Arr,
    lda: number,
    b: Arr,
    ldb: number,
    beta: number,
    c: Arr,
    ldc: number,
  ): void;
  /** y ← α·x + y over the first `n` entries. */
  axpy(n: number, alpha: number, x: Arr, y: Arr): void;
  /** x ← α·x over the first `n` entries. */
  scal(n: number, alpha: number, x: Arr): void;
}

const ROW = 101, NO = 111, T = 112;
// deno-fmt-ignore
const sig = (f: "f64" | "f32") =>
  ["i32", "i32", "i32", "i32", "i32", "i32", f, "buffer", "i32", "buffer", "i32", f, "buffer", "i32"] as const;
const axpy = (f: "f64" | "f32") => ["i32", f, "buffer", "i32", "buffer", "i32"] as const;
const scal = (f: "f64" | "f32") => ["i32", f, "buffer", "i32"] as const;
const SYMBOLS = {
  cblas_dgemm: { parameters: sig("f64"), result: "void" },
  cblas_sgemm: { parameters: sig("f32"), result: "void" },
  cblas_daxpy: { parameters: axpy("f64"), result: "void" },
  cblas_saxpy: { parameters: axpy("f32"), result: "void" },
  cblas_dscal: { parameters: scal("f64"), result: "void" },
  cblas_sscal: { parameters: scal("f32"), result: "void" },
} as const;

let nativeGemm: Gemm | null | undefined;

function loadNativeGemm(): Gemm | null {
  if (nativeGemm !== undefined) return nativeGemm;
  try {
    const s = Deno.dlopen(nativePaths().openblas, SYMBOLS).symbols;
    nativeGemm = {
      kind: "native",
      gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
        if (m === 0 || n === 0) return;
        const f = c instanceof Float32Array ? s.cblas_sgemm : s.cblas_dgemm;
        f(ROW, ta ? T : NO, tb ? T : NO, m, n, k, alpha, a, Math.max(1, lda), b, Math.max(1, ldb), beta, c, ldc);
      },
      axpy(n, alpha, x, y) {
        if (n > 0) (y instanceof Float32Array ? s.cblas_saxpy : s.cblas_daxpy)(n, alpha, x, 1, y, 1);
      },
      scal(n, alpha, x) {
        if (n > 0) (x instanceof Float32Array ? s.cblas_sscal : s.cblas_dscal)(n, alpha, x, 1);
      },
    };
  } catch {
    nativeGemm = null;
  }
  return nativeGemm;
}

/** The pure-TypeScript kernel: row-oriented loops that stream contiguous rows (no transposed copies). */
export const jsGemm: Gemm = {
  kind: "js",
  gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
    for (let i = 0; i < m; i++) {
      const ci = i * ldc;
      if (beta === 0) c.fill(0, ci, ci + n);
      else if (beta !== 1) { for (let j = 0; j < n; j++) c[ci + j] *= beta; }
    }
    if (k === 0 || alpha === 0) return;
    if (!tb) {
      // C[i,:] += Σ_p α A(i,p) B[p,:], four p at a time so each C entry is loaded and stored once per four
      // products (B's rows are contiguous; A(i,p) is A[i,p] or, transposed, A[p,i]).
      const sa = ta ? 1 : lda, sp = ta ? lda : 1;
      for (let i = 0; i < m; i++) {
        const ci = i * ldc, ai = i * sa;
        let p = 0;
        for (; p + 3 < k; p += 4) {
          const a0 = alpha * a[ai + p * sp], a1 = alpha * a[ai + (p + 1) * sp];
          const a2 = alpha * a[ai + (p + 2) * sp], a3 = alpha * a[ai + (p + 3) * sp];
          const b0 = p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
          for (let j = 0; j < n; j++) c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
        }
        for (; p < k; p++) {
          const av = alpha * a[ai + p * sp], bp = p * ldb;
          for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
        }
      }
    } else if (!ta) {
      // C[i,j] += α A[i,:]·B[j,:] — both rows contiguous; four j at a time share each load of A[i,p].
      for (let i = 0; i < m; i++) {
        const ai = i * lda, ci = i * ldc;
        let j = 0;
        for (; j + 3 < n; j += 4) {
          const b0 = j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let p = 0; p < k; p++) {
            const av = a[ai + p];
            s0 += av * b[b0 + p];
            s1 += av * b[b1 + p];
            s2 += av * b[b2 + p];
            s3 += av * b[b3 + p];
          }
          c[ci + j] += alpha * s0;
          c[ci + j + 1] += alpha * s1;
          c[ci + j + 2] += alpha * s2;
          c[ci + j + 3] += alpha * s3;
        }
        for (; j < n; j++) {
          const bj = j * ldb;
          let s0 = 0;
          for (let p = 0; p < k; p++) s0 += a[ai + p] * b[bj + p];
          c[ci + j] += alpha * s0;
        }
      }
    } else {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[p * lda + i] * b[j * ldb + p];
          c[i * ldc + j] += alpha * s;
        }
      }
    }
  },
  axpy(n, alpha, x, y) {
    for (let i = 0; i < n; i++) y[i] += alpha * x[i];
  },
  scal(n, alpha, x) {
    for (let i = 0; i < n; i++) x[i] *= alpha;
  },
};

/**
 * The kernel for `kind`: "native" (throws when OpenBLAS cannot be opened), "js", or, without an argument, the
 * one matching `getLinalg()` now (native when lib/math/linalg computes natively in this run, else js).
 */
export function gemmBackend(kind?: "native" | "js"): Gemm {
  const k = kind ?? getLinalg().info.kind;
  if (k === "js") return jsGemm;
  const g = loadNativeGemm();
  if (!g) {
    if (kind === "native") throw new Error(`nn: native gemm unavailable (cannot open ${nativePaths().openblas})`);
    return jsGemm;
  }
  return g;
}

/**
 * The native `Linalg`: OpenBLAS (cblas) and LAPACKE through Deno FFI, float64 and float32.
 *
 * Libraries are opened by full path so `--allow-ffi` can be scoped to them; `REPRO_OPENBLAS_PATH` and
 * `REPRO_LAPACKE_PATH` override the Debian defaults. Matrices stay row-major (LAPACK_ROW_MAJOR / CblasRowMajor);
 * inputs are copied before LAPACK overwrites them. BLAS threads default to `REPRO_BLAS_THREADS` or 1, so results
 * are bitwise reproducible run to run.
 */
import { type Float, type Linalg, LinalgError, type LinalgInfo, type Mat } from "./types.ts";
import { checkArg, checkDiagonal, checkEigh, checkResult, checkRhs, checkSquare, checkSystem } from "./checks.ts";
import { fixColumnSigns, positiveDiagonal } from "./signs.ts";
import { like } from "./mat.ts";

/** Debian's OpenBLAS (pthread build), with cblas and Fortran LAPACK. */
export const DEFAULT_OPENBLAS_PATH = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
/** Debian's LAPACKE (the C interface; the LAPACK it calls resolves to OpenBLAS). */
export const DEFAULT_LAPACKE_PATH = "/usr/lib/x86_64-linux-gnu/liblapacke.so.3";

const ROW = 101; // LAPACK_ROW_MAJOR == CblasRowMajor
const NO_TRANS = 111, TRANS = 112, LOWER = 122, NON_UNIT = 131, LEFT = 141;
const ch = (c: string) => c.charCodeAt(0);

// deno-fmt-ignore
const gemm = (f: "f64" | "f32") =>
  ["i32", "i32", "i32", "i32", "i32", "i32", f, "buffer", "i32", "buffer", "i32", f, "buffer", "i32"] as const;
// deno-fmt-ignore
const trsm = (f: "f64" | "f32") =>
  ["i32", "i32", "i32", "i32", "i32", "i32", "i32", f, "buffer", "i32", "buffer", "i32"] as const;

const BLAS = {
  cblas_dgemm: { parameters: gemm("f64"), result: "void" },
  cblas_sgemm: { parameters: gemm("f32"), result: "void" },
  cblas_dtrsm: { parameters: trsm("f64"), result: "void" },
  cblas_strsm: { parameters: trsm("f32"), result: "void" },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_config: { parameters: [], result: "pointer" },
  // Copies the config string out of OpenBLAS's memory; see readConfig for why not UnsafePointerView.
  cblas_dcopy: { parameters: ["i32", "pointer", "i32", "buffer", "i32"], result: "void" },
} as const;

// LAPACKE signatures; "u8" carries a char code (jobz, uplo, ...), lapack_int is 32-bit in Debian's build.
const gesdd = ["i32", "u8", "i32", "i32", "buffer", "i32", "buffer", "buffer", "i32", "buffer", "i32"] as const;
const syevd = ["i32", "u8", "u8", "i32", "buffer", "i32", "buffer"] as const;
const potrf = ["i32", "u8", "i32", "buffer", "i32"] as const;
const gesv = ["i32", "i32", "i32", "buffer", "i32", "buffer", "buffer", "i32"] as const;
const geqrf = ["i32", "i32", "i32", "buffer", "i32", "buffer"] as const;
const orgqr = ["i32", "i32", "i32", "i32", "buffer", "i32", "buffer"] as const;
const trtrs = ["i32", "u8", "u8", "u8", "i32", "i32", "buffer", "i32", "buffer", "i32"] as const;
// deno-fmt-ignore
const syevr = (f: "f64" | "f32") =>
  ["i32", "u8", "u8", "u8", "i32", "buffer", "i32", f, f, "i32", "i32", f, "buffer", "buffer", "buffer", "i32", "buffer"] as const;
const gelsd = (f: "f64" | "f32") =>
  ["i32", "i32", "i32", "i32", "buffer", "i32", "buffer", "i32", "buffer", f, "buffer"] as const;

/** The double- and single-precision entries (`LAPACKE_d<name>`, `LAPACKE_s<name>`) of one LAPACKE routine. */
function dAndS<N extends string, P extends readonly Deno.NativeType[]>(name: N, parameters: (f: "f64" | "f32") => P) {
  return {
    [`LAPACKE_d${name}`]: { parameters: parameters("f64"), result: "i32" },
    [`LAPACKE_s${name}`]: { parameters: parameters("f32"), result: "i32" },
  } as { [K in `LAPACKE_${"d" | "s"}${N}`]: { parameters: P; result: "i32" } };
}

const LAPACKE = {
  ...dAndS("gesdd", () => gesdd),
  ...dAndS("syevd", () => syevd),
  ...dAndS("syevr", syevr),
  ...dAndS("potrf", () => potrf),
  ...dAndS("gesv", () => gesv),
  ...dAndS("geqrf", () => geqrf),
  ...dAndS("orgqr", () => orgqr),
  ...dAndS("gelsd", gelsd),
  ...dAndS("trtrs", () => trtrs),
};

type BlasLib = Deno.DynamicLibrary<typeof BLAS>;
type LapackeLib = Deno.DynamicLibrary<typeof LAPACKE>;

/** Library locations: `REPRO_OPENBLAS_PATH` / `REPRO_LAPACKE_PATH`, else the Debian defaults. */
export function nativePaths(): { openblas: string; lapacke: string } {
  return {
    openblas: env("REPRO_OPENBLAS_PATH") || DEFAULT_OPENBLAS_PATH,
    lapacke: env("REPRO_LAPACKE_PATH") || DEFAULT_LAPACKE_PATH,
  };
}

/** Outcome of trying to open the native libraries. */
export type NativeLoad = { ok: true; linalg: NativeLinalg } | { ok: false; reason: string };

/**
 * Opens OpenBLAS and LAPACKE (paths from `nativePaths()` unless given). Never throws for a missing library or a
 * missing `--allow-ffi`: it returns `{ ok: false, reason }` so the caller can fall back to the js backend.
 */
export function loadNative(paths: Partial<{ openblas: string; lapacke: string }> = {}): NativeLoad {
  const p = { ...nativePaths(), ...paths };
  let blas: BlasLib | undefined;
  try {
    blas = Deno.dlopen(p.openblas, BLAS);
    const lapacke = Deno.dlopen(p.lapacke, LAPACKE);
    return { ok: true, linalg: new NativeLinalg(blas, lapacke, p.lapacke) };
  } catch (e) {
    blas?.close();
    if (e instanceof LinalgError) throw e; // a bad REPRO_BLAS_THREADS is the user's to fix, not a reason to fall back
    const msg = e instanceof Error ? e.message : String(e);
    const reason = e instanceof Deno.errors.NotCapable || /permission|--allow-ffi/i.test(msg)
      ? `FFI is not permitted (run deno with --allow-ffi): ${msg}`
      : `cannot open ${msg.includes(p.lapacke) ? p.lapacke : p.openblas} (${
        msg.replace(/^(Could not open library: )+/, "")
      }) ` +
        `(install with \`apt-get install -y libopenblas0-pthread liblapacke\`, or set REPRO_OPENBLAS_PATH/REPRO_LAPACKE_PATH)`;
    return { ok: false, reason };
  }
}

/** `Linalg` over OpenBLAS + LAPACKE. Create with `loadNative()` (or `getLinalg("native")` from mod.ts). */
export class NativeLinalg implements Linalg {
  readonly #b: BlasLib["symbols"];
  readonly #l: LapackeLib["symbols"];
  readonly #library: string;

  constructor(blas: BlasLib, lapacke: LapackeLib, lapackePath: string) {
    this.#b = blas.symbols;
    this.#l = lapacke.symbols;
    this.#library = `${readConfig(this.#b)} + LAPACKE ${lapackeVersion(lapackePath)}`;
    this.setThreads(defaultThreads());
  }

  /** Backend, library versions, and the BLAS thread count now in effect. */
  get info(): LinalgInfo {
    return { kind: "native", library: this.#library, threads: this.#b.openblas_get_num_threads() };
  }

  /** Sets OpenBLAS's thread count (process-wide). Results are bitwise reproducible for a fixed count. */
  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new LinalgError(`setThreads: need a positive integer, got ${n}`);
    this.#b.openblas_set_num_threads(n);
  }

  matmul<T extends Float>(a: Mat<T>, b: Mat<T>, opts: { transA?: boolean; transB?: boolean } = {}): Mat<T> {
    const f32 = checkArg("matmul", "A", a);
    checkArg("matmul", "B", b, f32);
    const [m, k] = opts.transA ? [a.cols, a.rows] : [a.rows, a.cols];
    const [k2, n] = opts.transB ? [b.cols, b.rows] : [b.rows, b.cols];
    if (k !== k2) {
      throw new LinalgError(`matmul: inner dimensions differ (op(A) is ${m}×${k}, op(B) is ${k2}×${n})`);
    }
    const c = like(a.data, m * n);
    if (m > 0 && n > 0) {
      const gemm = f32 ? this.#b.cblas_sgemm : this.#b.cblas_dgemm;
      // gemm only reads A and B, so they are passed without copying.
      gemm(
        ROW,
        opts.transA ? TRANS : NO_TRANS,
        opts.transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        1,
        a.data,
        ld(a.cols),
        b.data,
        ld(b.cols),
        0,
        c,
        ld(n),
      );
    }
    return { rows: m, cols: n, data: c };
  }

  svd<T extends Float>(a: Mat<T>, opts: { full?: boolean } = {}): { u: Mat<T>; s: T; vt: Mat<T> } {
    const f32 = checkArg("svd", "A", a);
    const { rows: m, cols: n } = a, k = Math.min(m, n), full = !!opts.full;
    const ucols = full ? m : k, vtrows = full ? n : k;
    const u = like(a.data, m * ucols), vt = like(a.data, vtrows * n), s = like(a.data, k);
    if (k === 0) return { u: identityInto(u, m, ucols), s, vt: identityInto(vt, vtrows, n) };
    const info = (f32 ? this.#l.LAPACKE_sgesdd : this.#l.LAPACKE_dgesdd)(
      ROW,
      ch(full ? "A" : "S"),
      m,
      n,
      a.data.slice(),
      ld(n),
      s,
      u,
      ld(ucols),
      vt,
      ld(n),
    );
    check("svd", f32 ? "sgesdd" : "dgesdd", info, (i) => svdNoConvergence(i));
    fixColumnSigns(u, m, ucols, k, vt, n);
    return { u: { rows: m, cols: ucols, data: u }, s, vt: { rows: vtrows, cols: n, data: vt } };
  }

  svdvals<T extends Float>(a: Mat<T>): T {
    const f32 = checkArg("svdvals", "A", a);
    const { rows: m, cols: n } = a, k = Math.min(m, n);
    const s = like(a.data, k);
    if (k === 0) return s;
    const dummy = like(a.data, 1);
    const info = (f32 ? this.#l.LAPACKE_sgesdd : this.#l.LAPACKE_dgesdd)(
      ROW,
      ch("N"),
      m,
      n,
      a.data.slice(),
      ld(n),
      s,
      dummy,
      1,
      dummy,
      ld(n),
    );
    check("svdvals", f32 ? "sgesdd" : "dgesdd", info, (i) => svdNoConvergence(i));
    return s;
  }

  eigh<T extends Float>(a: Mat<T>, opts: { range?: [number, number] } = {}): { values: T; vectors: Mat<T> } {
    const { f32, n, lo, hi } = checkEigh(a, opts.range);
    const cnt = n === 0 ? 0 : hi - lo + 1;
    if (cnt === 0) return { values: like(a.data, 0), vectors: { rows: 0, cols: 0, data: like(a.data, 0) } };
    if (cnt === n) {
      // All pairs: divide and conquer (syevd) is the fastest; it overwrites the copy with the eigenvectors.
      const z = a.data.slice() as T, w = like(a.data, n);
      const info = (f32 ? this.#l.LAPACKE_ssyevd : this.#l.LAPACKE_dsyevd)(ROW, ch("V"), ch("L"), n, z, ld(n), w);
      check(
        "eigh",
        f32 ? "ssyevd" : "dsyevd",
        info,
        (i) =>
          `did not converge (LAPACK ${f32 ? "ssyevd" : "dsyevd"} info=${i}); ` +
          `the matrix may have extreme or badly scaled entries, try rescaling it`,
      );
      fixColumnSigns(z, n, n, n);
      return { values: w, vectors: { rows: n, cols: n, data: z } };
    }
    // A sub-range: MRRR (syevr) computes only the requested pairs.
    const w = like(a.data, n), z = like(a.data, n * cnt);
    const found = new Int32Array(1), isuppz = new Int32Array(2 * n);
    const info = (f32 ? this.#l.LAPACKE_ssyevr : this.#l.LAPACKE_dsyevr)(
      ROW,
      ch("V"),
      ch("I"),
      ch("L"),
      n,
      a.data.slice(),
      ld(n),
      0,
      0,
      lo + 1,
      hi + 1,
      0,
      found,
      w,
      z,
      ld(cnt),
      isuppz,
    );
    check(
      "eigh",
      f32 ? "ssyevr" : "dsyevr",
      info,
      (i) =>
        `did not converge (LAPACK ${f32 ? "ssyevr" : "dsyevr"} internal error ${i}); ` +
        `try the full decomposition (no range) or rescale the matrix`,
    );
    if (found[0] !== cnt) {
      throw new LinalgError(`eigh: LAPACK returned ${found[0]} eigenpairs for range [${lo}, ${hi}], expected ${cnt}`);
    }
    fixColumnSigns(z, n, cnt, cnt);
    return { values: w.slice(0, cnt) as T, vectors: { rows: n, cols: cnt, data: z } };
  }

  cholesky<T extends Float>(a: Mat<T>): Mat<T> {
    const f32 = checkArg("cholesky", "A", a);
    checkSquare("cholesky", "A", a);
    const n = a.rows, l = a.data.slice() as T;
    if (n === 0) return { rows: 0, cols: 0, data: l };
    const info = (f32 ? this.#l.LAPACKE_spotrf : this.#l.LAPACKE_dpotrf)(ROW, ch("L"), n, l, ld(n));
    check("cholesky", f32 ? "spotrf" : "dpotrf", info, (i) => notPositiveDefinite(i, n));
    // potrf leaves the strict upper triangle as it was; L must be zero there.
    for (let i = 0; i < n; i++) l.fill(0, i * n + i + 1, (i + 1) * n);
    return { rows: n, cols: n, data: l };
  }

  choSolve<T extends Float>(l: Mat<T>, b: Mat<T>): Mat<T> {
    const f32 = checkSystem("choSolve", "L", l, b);
    const n = l.rows, nrhs = b.cols;
    checkDiagonal("choSolve", "L", l, "L is not a Cholesky factor; use cholesky(A) first");
    const x = b.data.slice() as T;
    if (n > 0 && nrhs > 0) {
      // A X = B with A = L Lᵀ: solve L Y = B, then Lᵀ X = Y, in place, row-major, no LAPACKE copies.
      const trsm = f32 ? this.#b.cblas_strsm : this.#b.cblas_dtrsm;
      trsm(ROW, LEFT, LOWER, NO_TRANS, NON_UNIT, n, nrhs, 1, l.data, ld(n), x, ld(nrhs));
      trsm(ROW, LEFT, LOWER, TRANS, NON_UNIT, n, nrhs, 1, l.data, ld(n), x, ld(nrhs));
    }
    const out = { rows: n, cols: nrhs, data: x };
    checkResult("choSolve", out, "L is numerically singular (a tiny diagonal entry); add jitter to A before factoring");
    return out;
  }

  solve<T extends Float>(a: Mat<T>, b: Mat<T>): Mat<T> {
    const f32 = checkSystem("solve", "A", a, b);
    const n = a.rows, nrhs = b.cols, x = b.data.slice() as T;
    if (n > 0 && nrhs > 0) {
      const ipiv = new Int32Array(n);
      // OpenBLAS 0.3.21's threaded getrf keeps ~0.5 MB per recursion level on the stack and overflows the smaller
      // stacks of non-main threads (it segfaulted under `deno test` at 2 threads), so LU always runs on 1 thread.
      const threads = this.#b.openblas_get_num_threads();
      if (threads > 1) this.#b.openblas_set_num_threads(1);
      let info: number;
      try {
        info = (f32 ? this.#l.LAPACKE_sgesv : this.#l.LAPACKE_dgesv)(
          ROW,
          n,
          nrhs,
          a.data.slice(),
          ld(n),
          ipiv,
          x,
          ld(nrhs),
        );
      } finally {
        if (threads > 1) this.#b.openblas_set_num_threads(threads);
      }
      check("solve", f32 ? "sgesv" : "dgesv", info, (i) => singular("U", i));
    }
    const out = { rows: n, cols: nrhs, data: x };
    checkResult("solve", out, "A is numerically singular (ill-conditioned); regularize it or use lstsq");
    return out;
  }

  qr<T extends Float>(a: Mat<T>): { q: Mat<T>; r: Mat<T> } {
    const f32 = checkArg("qr", "A", a);
    const { rows: m, cols: n } = a, k = Math.min(m, n);
    const r = like(a.data, k * n), q = like(a.data, m * k);
    if (k === 0) return { q: { rows: m, cols: 0, data: q }, r: { rows: 0, cols: n, data: r } };
    const f = a.data.slice() as T, tau = like(a.data, k);
    const name = f32 ? "sgeqrf" : "dgeqrf";
    check("qr", name, (f32 ? this.#l.LAPACKE_sgeqrf : this.#l.LAPACKE_dgeqrf)(ROW, m, n, f, ld(n), tau), () => "");
    for (let i = 0; i < k; i++) r.set(f.subarray(i * n + i, (i + 1) * n), i * n + i);
    for (let i = 0; i < m; i++) q.set(f.subarray(i * n, i * n + k), i * k);
    const oname = f32 ? "sorgqr" : "dorgqr";
    check("qr", oname, (f32 ? this.#l.LAPACKE_sorgqr : this.#l.LAPACKE_dorgqr)(ROW, m, k, k, q, ld(k), tau), () => "");
    positiveDiagonal(q, r, m, n, k);
    return { q: { rows: m, cols: k, data: q }, r: { rows: k, cols: n, data: r } };
  }

  lstsq<T extends Float>(a: Mat<T>, b: Mat<T>): Mat<T> {
    const f32 = checkArg("lstsq", "A", a);
    checkArg("lstsq", "B", b, f32);
    checkRhs("lstsq", a.rows, b);
    const { rows: m, cols: n } = a, nrhs = b.cols, mx = Math.max(m, n);
    const x = like(a.data, n * nrhs);
    if (Math.min(m, n) === 0 || nrhs === 0) return { rows: n, cols: nrhs, data: x };
    // gelsd needs B padded to max(m, n) rows; the solution comes back in the first n.
    const bb = like(a.data, mx * nrhs);
    bb.set(b.data);
    const s = like(a.data, Math.min(m, n)), rank = new Int32Array(1);
    // numpy's default cutoff: singular values below eps·max(m, n)·σ_max count as zero.
    const rcond = (f32 ? 2 ** -23 : 2 ** -52) * mx;
    const info = (f32 ? this.#l.LAPACKE_sgelsd : this.#l.LAPACKE_dgelsd)(
      ROW,
      m,
      n,
      nrhs,
      a.data.slice(),
      ld(n),
      bb,
      ld(nrhs),
      s,
      rcond,
      rank,
    );
    check("lstsq", f32 ? "sgelsd" : "dgelsd", info, (i) => svdNoConvergence(i));
    x.set(bb.subarray(0, n * nrhs));
    return { rows: n, cols: nrhs, data: x };
  }

  triSolve<T extends Float>(t: Mat<T>, b: Mat<T>, opts: { lower: boolean; trans?: boolean }): Mat<T> {
    const f32 = checkSystem("triSolve", "T", t, b);
    const n = t.rows, nrhs = b.cols, x = b.data.slice() as T;
    if (n > 0 && nrhs > 0) {
      // trtrs only reads T; it reports an exactly-zero diagonal instead of dividing by it.
      const info = (f32 ? this.#l.LAPACKE_strtrs : this.#l.LAPACKE_dtrtrs)(
        ROW,
        ch(opts.lower ? "L" : "U"),
        ch(opts.trans ? "T" : "N"),
        ch("N"),
        n,
        nrhs,
        t.data,
        ld(n),
        x,
        ld(nrhs),
      );
      check("triSolve", f32 ? "strtrs" : "dtrtrs", info, (i) => singular("T", i));
    }
    const out = { rows: n, cols: nrhs, data: x };
    checkResult("triSolve", out, "T is numerically singular (a tiny diagonal entry)");
    return out;
  }
}

// ---- helpers ----------------------------------------------------------------------------------------------

const ld = (x: number) => Math.max(1, x);

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: use the defaults
  }
}

function defaultThreads(): number {
  const raw = env("REPRO_BLAS_THREADS");
  if (raw === undefined || raw === "") return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new LinalgError(`REPRO_BLAS_THREADS must be a positive integer, got "${raw}"`);
  }
  return n;
}

/**
 * OpenBLAS's config string, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64".
 * Deno.UnsafePointerView needs unscoped --allow-ffi, so the string is copied out with cblas_dcopy instead, which
 * works under `--allow-ffi=<paths>`. openblas_get_config returns a static 256-byte buffer, so 32 doubles are in bounds.
 */
function readConfig(b: BlasLib["symbols"]): string {
  const p = b.openblas_get_config();
  if (!p) return "OpenBLAS (unknown version)";
  const buf = new Float64Array(32);
  b.cblas_dcopy(32, p, 1, buf, 1);
  const bytes = new Uint8Array(buf.buffer), end = bytes.indexOf(0);
  const s = new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end));
  // Drop the NO_LAPACKE build flag: LAPACKE comes from liblapacke here.
  return s.replace(/\s*NO_LAPACKE/, "").trim();
}

function lapackeVersion(path: string): string {
  try {
    const m = /liblapacke\.so\.(\d+(?:\.\d+)*)$/.exec(Deno.realPathSync(path));
    if (m) return m[1];
  } catch { /* no --allow-read: version stays unknown */ }
  return "(version unknown)";
}

/** Turns LAPACKE's `info` into a LinalgError; `positive` explains info > 0 for this routine. */
function check(op: string, routine: string, info: number, positive: (info: number) => string): void {
  if (info === 0) return;
  if (info > 0) throw new LinalgError(`${op}: ${positive(info)}`);
  if (info === -1010 || info === -1011) {
    throw new LinalgError(
      `${op}: out of memory allocating LAPACKE work space (${routine}); free memory or use smaller matrices`,
    );
  }
  throw new LinalgError(
    `${op}: LAPACKE_${routine} rejected argument ${-info}; this is a bug in lib/math/linalg/native.ts, please report it with the shapes`,
  );
}

const notPositiveDefinite = (i: number, n: number) =>
  `matrix is not positive definite (leading minor ${i} of ${n}); check it is symmetric PSD, or add jitter to the diagonal`;

const singular = (name: string, i: number) => `matrix is singular (${name}[${i - 1},${i - 1}] is exactly zero)`;

const svdNoConvergence = (i: number) =>
  `did not converge (${i} superdiagonals of the bidiagonal form did not reach zero); ` +
  `the matrix may have extreme or badly scaled entries, try rescaling it`;

/** Writes the identity into a rows×cols buffer (the degenerate SVD of an empty matrix). */
function identityInto<T extends Float>(x: T, rows: number, cols: number): Mat<T> {
  for (let i = 0; i < Math.min(rows, cols); i++) x[i * cols + i] = 1;
  return { rows, cols, data: x };
}

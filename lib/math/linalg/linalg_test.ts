/**
 * One suite over both backends (js always; native where OpenBLAS/LAPACKE load), in float64 and float32:
 * exact small cases, algebraic properties, LinalgError messages, native-vs-js agreement, bitwise determinism,
 * and the fallback when the native libraries are missing.
 */
import { deepStrictEqual as assertEquals, match as assertMatch, ok as assert } from "node:assert";
import { Rng } from "../rng.ts";
import {
  clone,
  type DType,
  eye,
  type Float,
  frobenius,
  fromRows,
  getLinalg,
  type Linalg,
  LinalgError,
  loadNative,
  type Mat,
  mat,
  nativeAvailable,
  nativeUnavailableReason,
  randn,
  setThreads,
  sub,
  toFloat32,
  toFloat64,
  transpose,
  useLinalg,
} from "./mod.ts";

const NATIVE = nativeAvailable();
const backends: { name: "js" | "native"; ignore: boolean; la: () => Linalg }[] = [
  { name: "js", ignore: false, la: () => getLinalg("js") },
  { name: "native", ignore: !NATIVE, la: () => getLinalg("native") },
];
const dtypes: DType[] = ["float64", "float32"];
const TOL = { float64: 1e-10, float32: 2e-4 };

// ---- helpers ------------------------------------------------------------------------------------------------

/** Asserts `fn` throws an instance of `cls` whose message includes `text`. */
function assertThrows(fn: () => unknown, cls: new (...a: any[]) => Error, text: string) {
  try {
    fn();
  } catch (e) {
    assert(e instanceof cls, `expected ${cls.name}, got ${e}`);
    assert(e.message.includes(text), `message "${e.message}" does not include "${text}"`);
    return;
  }
  assert(false, `expected ${cls.name} with "${text}", nothing was thrown`);
}

const rng = (name: string) => Rng.fromSeed(7).split(name);
const cast = (m: Mat, dt: DType): Mat => (dt === "float32" ? toFloat32(m) : toFloat64(m));
const rows = (r: number[][], dt: DType) => cast(fromRows(r), dt);
const rand = (r: number, c: number, dt: DType, name = `${r}x${c}`) => randn(r, c, rng(name), dt);

/** Symmetric positive definite: X Xᵀ / n + I, computed in float64 then cast. */
function spd(n: number, dt: DType, name = "spd"): Mat {
  const x = randn(n, n, rng(name));
  const a = getLinalg("js").matmul(x, x, { transB: true });
  for (let i = 0; i < n * n; i++) a.data[i] /= n;
  for (let i = 0; i < n; i++) a.data[i * n + i] += 1;
  return cast(a, dt);
}

function sym(n: number, dt: DType, name = "sym"): Mat {
  const x = randn(n, n, rng(name));
  return cast(mat(n, n, Float64Array.from(x.data, (_, k) => x.data[k] + x.data[(k % n) * n + Math.floor(k / n)])), dt);
}

/** ‖a − b‖_F / max(1, ‖b‖_F), with both widened to float64. */
function relErr(a: Mat, b: Mat): number {
  assertEquals([a.rows, a.cols], [b.rows, b.cols], "shape");
  return frobenius(sub(toFloat64(a), toFloat64(b))) / Math.max(1, frobenius(toFloat64(b)));
}

function close(a: Mat, b: Mat, tol: number, what = "") {
  const e = relErr(a, b);
  assert(e <= tol, `${what} relative error ${e.toExponential(2)} > ${tol}`);
}

const mm = (a: Mat, b: Mat, o?: { transA?: boolean; transB?: boolean }) =>
  getLinalg("js").matmul(toFloat64(a), toFloat64(b), o);
const diag = (s: Float) => {
  const d = mat(s.length, s.length);
  s.forEach((v, i) => (d.data[i * s.length + i] = v));
  return d;
};
const col = (x: Float | number[]) => mat(x.length, 1, Float64Array.from(x));

function orthonormalColumns(q: Mat, tol: number, what: string) {
  close(mm(q, q, { transA: true }), eye(q.cols), tol, `${what}ᵀ${what} = I`);
}

function isDtype(m: Mat | Float, dt: DType) {
  const d = "data" in m ? m.data : m;
  assert(dt === "float32" ? d instanceof Float32Array : d instanceof Float64Array, `result should be ${dt}`);
}

// ---- per-backend suite ----------------------------------------------------------------------------------------

for (const B of backends) {
  for (const dt of dtypes) {
    const tol = TOL[dt];
    const test = (name: string, fn: (la: Linalg) => void) =>
      Deno.test({ name: `${B.name} ${dt}: ${name}`, ignore: B.ignore, fn: () => fn(B.la()) });

    test("info names the backend", (la) => {
      assertEquals(la.info.kind, B.name);
      assertMatch(la.info.library, B.name === "native" ? /OpenBLAS \d+\.\d+.*\+ LAPACKE/ : /ml-matrix \d/);
      assert(la.info.threads >= 1);
    });

    test("matmul: exact small case, transposes, shape error", (la) => {
      const a = rows([[1, 2], [3, 4]], dt), b = rows([[5, 6], [7, 8]], dt);
      const c = la.matmul(a, b);
      isDtype(c, dt);
      assertEquals(Array.from(c.data), [19, 22, 43, 50]);
      const x = rand(5, 7, dt), y = rand(4, 5, dt);
      close(la.matmul(x, y, { transA: true, transB: true }), mm(transpose(x), transpose(y)), tol, "AᵀBᵀ");
      close(la.matmul(y, x), mm(y, x), tol, "YX");
      assertThrows(() => la.matmul(x, x), LinalgError, "inner dimensions differ (op(A) is 5×7, op(B) is 5×7)");
    });

    test("svd: exact 2×2, U S Vt = A, orthogonality, full, svdvals", (la) => {
      const s2 = la.svdvals(rows([[3, 0], [4, 5]], dt));
      close(col(s2), col([Math.sqrt(45), Math.sqrt(5)]), tol, "σ");
      for (const [m, n] of [[7, 4], [4, 7], [5, 5]]) {
        const a = rand(m, n, dt), k = Math.min(m, n);
        const { u, s, vt } = la.svd(a);
        isDtype(u, dt);
        isDtype(s, dt);
        assertEquals([u.rows, u.cols, s.length, vt.rows, vt.cols], [m, k, k, k, n]);
        close(mm(mm(u, diag(s)), vt), a, tol, "U S Vt");
        orthonormalColumns(u, tol, "U");
        orthonormalColumns(transpose(vt), tol, "V");
        for (let i = 1; i < k; i++) assert(s[i] <= s[i - 1] && s[i] >= 0, "descending, non-negative");
        close(col(la.svdvals(a)), col(s), tol, "svdvals");
        const f = la.svd(a, { full: true });
        assertEquals([f.u.rows, f.u.cols, f.vt.rows, f.vt.cols], [m, m, n, n]);
        orthonormalColumns(f.u, tol, "U(full)");
        orthonormalColumns(transpose(f.vt), tol, "V(full)");
        const sm = mat(m, n);
        s.forEach((v, i) => (sm.data[i * n + i] = v));
        close(mm(mm(f.u, sm), f.vt), a, tol, "full U S Vt");
      }
    });

    test("eigh: exact 2×2, A V = V Λ, range matches full, reads lower triangle", (la) => {
      const e = la.eigh(rows([[2, 1], [1, 2]], dt));
      close(col(e.values), col([1, 3]), tol, "λ");
      const a = sym(9, dt);
      const { values, vectors } = la.eigh(a);
      isDtype(values, dt);
      for (let i = 1; i < 9; i++) assert(values[i] >= values[i - 1], "ascending");
      close(mm(a, vectors), mm(vectors, diag(values)), tol * 10, "A V = V Λ");
      orthonormalColumns(vectors, tol, "V");
      const part = la.eigh(a, { range: [2, 5] });
      assertEquals([part.values.length, part.vectors.rows, part.vectors.cols], [4, 9, 4]);
      close(col(part.values), col(values.slice(2, 6)), tol, "range values");
      const sliced = mat(9, 4);
      for (let r = 0; r < 9; r++) for (let c = 0; c < 4; c++) sliced.data[r * 4 + c] = vectors.data[r * 9 + c + 2];
      close(part.vectors, sliced, tol * 100, "range vectors (same sign convention)");
      const garbage = clone(a);
      for (let i = 0; i < 9; i++) for (let j = i + 1; j < 9; j++) garbage.data[i * 9 + j] = 1e3;
      close(col(la.eigh(garbage).values), col(values), tol, "upper triangle ignored");
      assertThrows(() => la.eigh(a, { range: [3, 9] }), LinalgError, "range [3, 9] must satisfy");
    });

    test("cholesky: exact 2×2, L Lᵀ = A, not-PD error names the minor", (la) => {
      const l = la.cholesky(rows([[4, 2], [2, 3]], dt));
      close(l, fromRows([[2, 0], [1, Math.SQRT2]]), tol, "L");
      const a = spd(12, dt), L = la.cholesky(a);
      isDtype(L, dt);
      for (let i = 0; i < 12; i++) for (let j = i + 1; j < 12; j++) assertEquals(L.data[i * 12 + j], 0);
      close(mm(L, L, { transB: true }), a, tol, "L Lᵀ");
      const bad = cast(eye(8), dt);
      bad.data[4 * 8 + 4] = -1;
      assertThrows(
        () => la.cholesky(bad),
        LinalgError,
        "cholesky: matrix is not positive definite (leading minor 5 of 8)",
      );
    });

    test("choSolve and solve: exact case, A·X = B residual, singular error", (la) => {
      const x = la.solve(rows([[2, 1], [1, 3]], dt), rows([[3], [5]], dt));
      close(x, col([0.8, 1.4]), tol, "x");
      const a = spd(10, dt), b = rand(10, 3, dt);
      close(mm(a, la.solve(a, b)), b, tol * 10, "A·solve(A,B)");
      close(mm(a, la.choSolve(la.cholesky(a), b)), b, tol * 10, "A·choSolve(L,B)");
      const g = rand(10, 10, dt, "general");
      close(mm(g, la.solve(g, b)), b, tol * 100, "general A");
      assertThrows(
        () => la.solve(rows([[1, 2], [2, 4]], dt), rows([[1], [2]], dt)),
        LinalgError,
        "solve: matrix is singular (U[1,1] is exactly zero)",
      );
      const z = rows([[1, 2, 3], [0, 0, 0], [4, 5, 6]], dt);
      assertThrows(() => la.solve(z, rows([[1], [2], [3]], dt)), LinalgError, "solve: matrix is singular");
      assertThrows(() => la.solve(a, rand(9, 1, dt)), LinalgError, "B has 9 rows but A has 10");
    });

    test("qr: Q R = A, QᵀQ = I, R upper with diag ≥ 0 (tall, wide, square)", (la) => {
      for (const [m, n] of [[8, 5], [5, 8], [6, 6]]) {
        const a = rand(m, n, dt), k = Math.min(m, n);
        const { q, r } = la.qr(a);
        isDtype(q, dt);
        assertEquals([q.rows, q.cols, r.rows, r.cols], [m, k, k, n]);
        close(mm(q, r), a, tol, "QR");
        orthonormalColumns(q, tol, "Q");
        for (let i = 0; i < k; i++) {
          assert(r.data[i * n + i] >= 0, "diag(R) ≥ 0");
          for (let j = 0; j < i; j++) assertEquals(r.data[i * n + j], 0);
        }
      }
    });

    test("lstsq: normal equations, minimum norm, rank deficient", (la) => {
      const a = rand(12, 4, dt), b = rand(12, 2, dt);
      const ne = la.solve(cast(mm(a, a, { transA: true }), dt), cast(mm(a, b, { transA: true }), dt));
      close(la.lstsq(a, b), ne, tol * 10, "vs normal equations");
      const w = rand(3, 7, dt), c = rand(3, 1, dt);
      const mn = mm(w, la.solve(cast(mm(w, w, { transB: true }), dt), c), { transA: true }); // Aᵀ(AAᵀ)⁻¹b
      close(la.lstsq(w, c), mn, tol * 10, "minimum norm (wide)");
      close(la.lstsq(rows([[1, 1], [1, 1], [1, 1]], dt), rows([[1], [2], [3]], dt)), col([1, 1]), tol, "rank 1");
    });

    test("triSolve: lower, upper, transposed, singular error", (la) => {
      const L = la.cholesky(spd(7, dt)), b = rand(7, 2, dt);
      close(mm(L, la.triSolve(L, b, { lower: true })), b, tol, "L x = b");
      close(mm(L, la.triSolve(L, b, { lower: true, trans: true }), { transA: true }), b, tol, "Lᵀ x = b");
      const U = transpose(L);
      close(mm(U, la.triSolve(U, b, { lower: false })), b, tol, "U x = b");
      const s = rows([[1, 0], [2, 0]], dt);
      assertThrows(
        () => la.triSolve(s, rows([[1], [1]], dt), { lower: true }),
        LinalgError,
        "triSolve: matrix is singular (T[1,1] is exactly zero)",
      );
    });

    test("inputs are never mutated", (la) => {
      const a = spd(6, dt), g = rand(6, 6, dt), b = rand(6, 2, dt);
      const copies = [a, g, b].map(clone);
      la.matmul(g, b);
      la.svd(g);
      la.svd(g, { full: true });
      la.svdvals(g);
      la.eigh(a);
      la.eigh(a, { range: [1, 2] });
      const L = la.cholesky(a), Lc = clone(L);
      la.choSolve(L, b);
      la.solve(g, b);
      la.qr(g);
      la.lstsq(g, b);
      la.triSolve(L, b, { lower: true });
      [a, g, b, L].forEach((m, i) => assertEquals(m.data, [...copies, Lc][i].data));
    });

    test("Mats over subarray views are read at their offset", (la) => {
      const big = cast(mat(1, 7, [99, 99, 1, 2, 3, 4, 99]), dt);
      const a = mat(2, 2, big.data.subarray(2, 6));
      assertEquals(Array.from(la.matmul(a, a).data), [7, 10, 15, 22]);
      close(la.triSolve(a, a, { lower: true }), fromRows([[1, 2], [0, -0.5]]), tol, "triSolve");
      close(la.solve(a, a), eye(2), tol, "solve");
    });

    test("bad inputs: NaN, mixed precision, non-square", (la) => {
      const a = rand(3, 3, dt);
      a.data[4] = NaN;
      assertThrows(() => la.svd(a), LinalgError, "svd: A has a non-finite entry (NaN at [1, 1])");
      const other = cast(rand(3, 3, "float64"), dt === "float64" ? "float32" : "float64");
      assertThrows(() => la.matmul(rand(3, 3, dt), other), LinalgError, "convert one with toFloat32/toFloat64");
      assertThrows(() => la.cholesky(rand(3, 4, dt)), LinalgError, "cholesky: A must be square, got 3×4");
    });
  }
}

// ---- native vs js, determinism, threads, fallback --------------------------------------------------------------

for (const dt of dtypes) {
  Deno.test({
    name: `native vs js agree at n=64 (${dt})`,
    ignore: !NATIVE,
    fn() {
      const nat = getLinalg("native"), js = getLinalg("js");
      const tol = dt === "float64" ? 1e-9 : 2e-3;
      const a = rand(64, 64, dt, "agree"), s = spd(64, dt, "agree-spd"), h = sym(64, dt, "agree-sym");
      const b = rand(64, 3, dt, "agree-b"), tall = rand(96, 64, dt, "agree-tall");
      close(nat.matmul(a, s), js.matmul(a, s), tol, "matmul");
      const sn = nat.svd(a), sj = js.svd(a);
      close(col(sn.s), col(sj.s), tol, "svd σ");
      close(sn.u, sj.u, tol * 100, "svd U (sign convention)");
      close(sn.vt, sj.vt, tol * 100, "svd Vt");
      const en = nat.eigh(h), ej = js.eigh(h);
      close(col(en.values), col(ej.values), tol, "eigh λ");
      close(en.vectors, ej.vectors, tol * 100, "eigh V (sign convention)");
      close(nat.cholesky(s), js.cholesky(s), tol, "cholesky");
      close(nat.choSolve(nat.cholesky(s), b), js.choSolve(js.cholesky(s), b), tol, "choSolve");
      close(nat.solve(s, b), js.solve(s, b), tol, "solve");
      const qn = nat.qr(tall), qj = js.qr(tall);
      close(qn.q, qj.q, tol * 10, "qr Q");
      close(qn.r, qj.r, tol, "qr R");
      close(nat.lstsq(tall, rand(96, 2, dt)), js.lstsq(tall, rand(96, 2, dt)), tol * 10, "lstsq");
      const L = nat.cholesky(s);
      close(
        nat.triSolve(L, b, { lower: true, trans: true }),
        js.triSolve(L, b, { lower: true, trans: true }),
        tol,
        "trisolve",
      );
    },
  });
}

function allOps(la: Linalg, dt: DType, n: number): Float[] {
  const a = rand(n, n, dt, "det"), s = spd(n, dt, "det-spd"), b = rand(n, 4, dt, "det-b");
  const L = la.cholesky(s), sv = la.svd(a), e = la.eigh(s), q = la.qr(a);
  return [
    la.matmul(a, s).data,
    sv.u.data,
    sv.s,
    sv.vt.data,
    la.svdvals(a),
    e.values,
    e.vectors.data,
    la.eigh(s, { range: [0, 3] }).vectors.data,
    L.data,
    la.choSolve(L, b).data,
    la.solve(a, b).data,
    q.q.data,
    q.r.data,
    la.lstsq(a, b).data,
    la.triSolve(L, b, { lower: true }).data,
  ];
}

for (const threads of [1, 2]) {
  Deno.test({
    name: `native: two calls are bitwise identical at ${threads} thread(s)`,
    ignore: !NATIVE,
    fn() {
      setThreads(threads);
      try {
        assertEquals(getLinalg("native").info.threads, threads);
        for (const dt of dtypes) {
          const x = allOps(getLinalg("native"), dt, 200), y = allOps(getLinalg("native"), dt, 200);
          x.forEach((v, i) => assertEquals(new Uint8Array(v.buffer), new Uint8Array(y[i].buffer), `${dt} output ${i}`));
        }
      } finally {
        setThreads(1);
      }
    },
  });
}

Deno.test({
  name: "native: solve at 2 threads runs (OpenBLAS threaded getrf overflowed this thread's stack) and restores threads",
  ignore: !NATIVE,
  fn() {
    setThreads(2);
    try {
      const la = getLinalg("native");
      for (const n of [100, 200, 1000]) {
        const a = rand(n, n, "float64", "t2"), b = rand(n, 1, "float64", "t2b");
        close(mm(a, la.solve(a, b)), b, 1e-8, `n=${n}`);
      }
      assertEquals(la.info.threads, 2);
    } finally {
      setThreads(1);
    }
  },
});

Deno.test("js: two calls are bitwise identical", () => {
  const x = allOps(getLinalg("js"), "float64", 24), y = allOps(getLinalg("js"), "float64", 24);
  x.forEach((v, i) => assertEquals(v, y[i]));
});

Deno.test({
  name: "native: loadNative with a bogus path fails with a reason instead of throwing",
  fn() {
    const r = loadNative({ openblas: "/nonexistent/libopenblas.so.0" });
    assert(!r.ok);
    // With --allow-ffi scoped to the system libraries (as the tasks grant it), a bogus path is refused first.
    const ffiAt = (path: string) => Deno.permissions.querySync({ name: "ffi", path }).state === "granted";
    if (!r.ok) {
      assertMatch(
        r.reason,
        ffiAt("/nonexistent/libopenblas.so.0")
          ? /^cannot open \/nonexistent\/libopenblas\.so\.0 \(.*REPRO_OPENBLAS_PATH/
          : /--allow-ffi/,
      );
    }
    if (NATIVE) {
      // OpenBLAS loads, LAPACKE does not: the reason names LAPACKE.
      const r2 = loadNative({ lapacke: "/nonexistent/liblapacke.so.3" });
      if (!r2.ok) {
        assertMatch(
          r2.reason,
          ffiAt("/nonexistent/liblapacke.so.3") ? /^cannot open \/nonexistent\/liblapacke\.so\.3 / : /--allow-ffi/,
        );
      } else assert(false, "a bogus LAPACKE path should not load");
    }
    assertThrows(() => setThreads(0), LinalgError, "positive integer");
  },
});

/** Runs a snippet against mod.ts in a fresh deno with extra env; returns its stdout as JSON. */
async function inSubprocess(env: Record<string, string>, body: string): Promise<any> {
  const modUrl = new URL("./mod.ts", import.meta.url).href;
  const config = new URL("../../../deno.json", import.meta.url).pathname;
  const code = `import * as L from ${JSON.stringify(modUrl)};\n${body}`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", config, code],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout), err = new TextDecoder().decode(out.stderr);
  assert(out.success, `subprocess failed: ${err}`);
  return JSON.parse(text);
}

Deno.test("auto falls back to js when the native libraries are missing", async () => {
  const r = await inSubprocess(
    { REPRO_OPENBLAS_PATH: "/nonexistent/libopenblas.so.0" },
    `let nativeErr = null;
     try { L.getLinalg("native"); } catch (e) { nativeErr = e.message; }
     const la = L.getLinalg("auto");
     const x = la.solve(L.fromRows([[2, 0], [0, 4]]), L.fromRows([[2], [2]]));
     console.log(JSON.stringify({ kind: la.info.kind, available: L.nativeAvailable(),
       reason: L.nativeUnavailableReason(), nativeErr, x: Array.from(x.data) }));`,
  );
  assertEquals(r.kind, "js");
  assertEquals(r.available, false);
  assertMatch(r.reason, /\/nonexistent\/libopenblas\.so\.0/);
  assertMatch(r.nativeErr, /native linalg is unavailable: cannot open/);
  assertEquals(r.x, [1, 0.5]);
});

Deno.test({
  name: "native: REPRO_BLAS_THREADS sets the default thread count",
  ignore: !NATIVE,
  async fn() {
    const r = await inSubprocess({ REPRO_BLAS_THREADS: "2" }, `console.log(JSON.stringify(L.getLinalg().info));`);
    assertEquals(r.kind, "native");
    assertEquals(r.threads, 2);
    assertEquals(getLinalg("native").info.threads, 1, "this process keeps its default");
    const bad = await inSubprocess(
      { REPRO_BLAS_THREADS: "lots" },
      `try { L.getLinalg().info; console.log("null"); } catch (e) { console.log(JSON.stringify(e.name + ": " + e.message)); }`,
    );
    assertEquals(bad, 'LinalgError: REPRO_BLAS_THREADS must be a positive integer, got "lots"');
    assertEquals(nativeUnavailableReason(), null);
  },
});

Deno.test("getLinalg() without a kind follows useLinalg at every call, even when kept from earlier", () => {
  const la = getLinalg();
  try {
    useLinalg("js");
    assertEquals(la.info.kind, "js");
    useLinalg("auto");
    assertEquals(la.info.kind, NATIVE ? "native" : "js");
  } finally {
    useLinalg("auto");
  }
});

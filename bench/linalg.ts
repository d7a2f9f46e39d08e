/**
 * Dense linear-algebra benchmark: median time per op (matmul, svd, eigh, cholesky, solve, qr, lstsq) at each n,
 * float32 and float64, for the native backend (OpenBLAS + LAPACKE via FFI), the js backend (ml-matrix), jax-js on
 * wasm, and numpy measured in the same run (single-threaded BLAS), plus FFI overhead at 8×8 and batched
 * 1000 × 32×32 eigh/cholesky.
 *
 *   deno run --allow-read --allow-env --allow-ffi --allow-sys --allow-run bench/linalg.ts          # n = 256, 512
 *   ... bench/linalg.ts --full       # n = 256, 512, 1024
 *   ... bench/linalg.ts --js-all     # also time js above n = 512 (slow)
 *
 * Shapes: matmul, svd (thin), eigh, qr, cholesky, solve use n×n (solve with one right-hand side); lstsq uses a
 * 2n×n system with one right-hand side. eigh and cholesky get an SPD matrix.
 */
import { lines } from "../lib/run/lines.ts";
import { blockUntilReady, defaultDevice, init, numpy as np } from "@jax-js/jax";
import {
  DEFAULT_OPENBLAS_PATH,
  type DType,
  getLinalg,
  type Linalg,
  type Mat,
  nativeAvailable,
  nativeUnavailableReason,
  randn,
  toFloat32,
  toJax,
} from "../lib/math/linalg/mod.ts";
import { Rng } from "../lib/math/rng.ts";
import { median } from "../lib/math/stats.ts";

/** One line of the table: times per backend (null = not run), in `unit`. */
export interface Row {
  op: string;
  n: number;
  dtype: DType;
  unit: "ms" | "µs";
  native: number | null;
  js: number | null;
  /** jax-js on the wasm device. */
  jax: number | null;
  numpy: number | null;
  note?: string;
}

export interface BenchOpts {
  sizes: number[];
  /** Fewer repetitions and a smaller time budget per cell. */
  quick?: boolean;
  /** Time the js backend above n = 512 too (it is slow: minutes at 1024). */
  jsAll?: boolean;
  /** Print the table (default true). */
  print?: boolean;
}

const OPS = ["matmul", "svd", "eigh", "cholesky", "solve", "qr", "lstsq"] as const;
type Op = typeof OPS[number];
const DTYPES: DType[] = ["float64", "float32"];
const BATCH = 1000, BATCH_N = 32;

/** Runs the benchmark and returns its rows; prints the table unless `print: false`. */
export async function benchLinalg(opts: BenchOpts): Promise<Row[]> {
  const print = opts.print ?? true;
  const log = (s: string) => print && console.log(s);
  const budgetMs = opts.quick ? 1500 : 4000, reps = opts.quick ? 5 : 7;
  // Skip a cell when the cubic extrapolation from the previous size predicts longer than this per call.
  const maxCallMs = opts.quick ? 4000 : 15000;
  const sizes = [...opts.sizes].sort((a, b) => a - b);

  const native = nativeAvailable() ? getLinalg("native") : null;
  const js = getLinalg("js");
  log(`\n## dense linear algebra (median per call)\n`);
  log(`native: ${native ? `${native.info.library}, ${native.info.threads} thread(s)` : nativeUnavailableReason()}`);
  log(`js:     ${js.info.library}`);

  // numpy runs in a child process timed cell by cell between the other backends, so drift on a shared machine
  // hits both sides of each ratio alike; the two never run at the same time.
  const npy = await NumpyServer.start();
  log(npy.error ?? `numpy:  ${npy.version}, OPENBLAS_NUM_THREADS=1`);

  let jaxOk = false;
  try {
    await init("wasm");
    defaultDevice("wasm");
    jaxOk = true;
    log(`jax-js: @jax-js/jax 0.1.25 on wasm (${navigator.hardwareConcurrency} worker threads; no qr)`);
  } catch (e) {
    log(`jax-js: wasm unavailable (${(e as Error).message})`);
  }

  const rows: Row[] = [];
  const last = new Map<string, { n: number; ms: number }>();
  // jax-js svd/eigh grew faster than n³ from 256 to 512 (Jacobi-style sweeps), so extrapolate it with n⁴.
  const predictOk = (key: string, n: number) => {
    const p = last.get(key);
    return !p || p.ms * (n / p.n) ** (key.startsWith("jax/") ? 4 : 3) <= maxCallMs;
  };
  const record = (key: string, n: number, ms: number | null) => ms !== null && last.set(key, { n, ms });

  for (const n of sizes) {
    for (const dtype of DTYPES) {
      const inp = inputs(n, dtype);
      for (const op of OPS) {
        const row: Row = { op, n, dtype, unit: "ms", native: null, js: null, jax: null, numpy: null };
        const notes: string[] = [];
        if (native) row.native = await timeIt(() => runOp(native, op, inp), reps, budgetMs);
        const jk = `js/${op}/${dtype}`;
        if (n > 512 && !opts.jsAll) notes.push("js skipped above 512 (--js-all)");
        else if (!predictOk(jk, n)) notes.push("js skipped (too slow)");
        else record(jk, n, row.js = await timeIt(() => runOp(js, op, inp), reps, budgetMs));
        const xk = `jax/${op}/${dtype}`;
        if (jaxOk && op !== "qr") {
          if (!predictOk(xk, n)) notes.push("jax skipped (too slow)");
          else {
            try {
              record(xk, n, row.jax = await timeJax(op, inp, reps, budgetMs));
            } catch (e) {
              notes.push(`jax: ${(e as Error).message.slice(0, 60)}`);
            }
          }
        }
        row.numpy = await npy.time({ op, n, dtype, reps, budget: budgetMs / 1000 });
        // Context a reader needs to compare fairly.
        if (dtype === "float32" && op !== "matmul" && row.numpy !== null) {
          notes.push("numpy linalg computes f32 in f64");
        }
        if (op === "lstsq" && row.jax !== null) notes.push("jax-js lstsq = Cholesky normal equations");
        if (notes.length) row.note = notes.join("; ");
        rows.push(row);
      }
    }
  }
  rows.push(...await overheadRows(native, js, jaxOk, npy));
  rows.push(...await batchedRows(native, js, jaxOk, npy, opts.quick ?? false));
  await npy.close();
  if (print) printTable(rows);
  return rows;
}

// ---- inputs and ops ---------------------------------------------------------------------------------------

interface Inputs {
  a: Mat;
  spd: Mat;
  b: Mat;
  tall: Mat;
  tallB: Mat;
}

function inputs(n: number, dtype: DType): Inputs {
  const r = Rng.fromSeed(0).split(`bench-${n}`);
  const f = (m: Mat) => (dtype === "float32" ? toFloat32(m) : m);
  const a = randn(n, n, r.split("a"));
  const spd = getLinalg("auto").matmul(a, a, { transB: true });
  for (let i = 0; i < n * n; i++) spd.data[i] /= n;
  for (let i = 0; i < n; i++) spd.data[i * n + i] += 1;
  return {
    a: f(a),
    spd: f(spd),
    b: f(randn(n, 1, r.split("b"))),
    tall: f(randn(2 * n, n, r.split("tall"))),
    tallB: f(randn(2 * n, 1, r.split("tallB"))),
  };
}

function runOp(la: Linalg, op: Op, x: Inputs): unknown {
  switch (op) {
    case "matmul":
      return la.matmul(x.a, x.a);
    case "svd":
      return la.svd(x.a);
    case "eigh":
      return la.eigh(x.spd);
    case "cholesky":
      return la.cholesky(x.spd);
    case "solve":
      return la.solve(x.a, x.b);
    case "qr":
      return la.qr(x.a);
    case "lstsq":
      return la.lstsq(x.tall, x.tallB);
  }
}

/** Median ms of `fn` after one warm-up call; a warm-up longer than half the budget is the only sample. */
async function timeIt(fn: () => unknown, reps: number, budgetMs: number): Promise<number> {
  let t = performance.now();
  await fn();
  const first = performance.now() - t;
  if (first > budgetMs / 2) return first;
  const ts: number[] = [];
  const start = performance.now();
  while (ts.length < reps && (ts.length < 3 || performance.now() - start < budgetMs)) {
    t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

type JaxArray = ReturnType<typeof toJax>;

async function timeJax(op: Op, x: Inputs, reps: number, budgetMs: number): Promise<number> {
  const ins: Record<string, JaxArray> = {};
  const get = (k: keyof Inputs) => (ins[k] ??= toJax(x[k])).ref;
  const call = (): JaxArray | JaxArray[] => {
    switch (op) {
      case "matmul":
        return np.matmul(get("a"), get("a"));
      case "svd":
        return np.linalg.svd(get("a"), { fullMatrices: false });
      case "eigh":
        return np.linalg.eigh(get("spd"));
      case "cholesky":
        return np.linalg.cholesky(get("spd"));
      case "solve":
        return np.linalg.solve(get("a"), get("b"));
      case "lstsq":
        return np.linalg.lstsq(get("tall"), get("tallB"));
      default:
        throw new Error(`no ${op} in jax-js`);
    }
  };
  try {
    return await timeIt(
      async () => {
        const out = call();
        await blockUntilReady(out);
        for (const o of Array.isArray(out) ? out : [out]) o.dispose();
      },
      reps,
      budgetMs,
    );
  } finally {
    for (const v of Object.values(ins)) v.dispose();
  }
}

// ---- FFI overhead and batched small matrices ---------------------------------------------------------------

async function overheadRows(native: Linalg | null, js: Linalg, jaxOk: boolean, npy: NumpyServer): Promise<Row[]> {
  const per = async (fn: () => unknown, calls: number) => {
    const ms = await timeIt(
      () => {
        for (let i = 0; i < calls; i++) fn();
      },
      7,
      1000,
    );
    return (ms * 1000) / calls; // µs per call
  };
  const a = randn(8, 8, Rng.fromSeed(0).split("ffi8"));
  const np8 = await npy.time({ op: "ffi8" });
  const row: Row = {
    op: "matmul 8×8 (per call)",
    n: 8,
    dtype: "float64",
    unit: "µs",
    native: native ? await per(() => native.matmul(a, a), 20000) : null,
    js: await per(() => js.matmul(a, a), 5000),
    jax: null,
    numpy: np8,
  };
  if (jaxOk) {
    const x = toJax(a);
    try {
      row.jax = await timeIt(
        async () => {
          for (let i = 0; i < 200; i++) {
            const y = np.matmul(x.ref, x.ref);
            await blockUntilReady(y);
            y.dispose();
          }
        },
        5,
        1000,
      ) * 1000 / 200;
    } finally {
      x.dispose();
    }
  }
  const rows = [row];
  if (native) {
    // A bare FFI call with no work: what every native op pays on top of the library itself.
    try {
      const lib = Deno.dlopen(DEFAULT_OPENBLAS_PATH, { openblas_get_num_threads: { parameters: [], result: "i32" } });
      const us = await per(() => lib.symbols.openblas_get_num_threads(), 200000);
      lib.close();
      rows.push({
        op: "bare FFI call (openblas_get_num_threads)",
        n: 0,
        dtype: "float64",
        unit: "µs",
        native: us,
        js: null,
        jax: null,
        numpy: null,
      });
    } catch { /* overridden library path or scoped --allow-ffi: skip the bare-call row */ }
  }
  return rows;
}

async function batchedRows(
  native: Linalg | null,
  js: Linalg,
  jaxOk: boolean,
  npy: NumpyServer,
  quick: boolean,
): Promise<Row[]> {
  const r = Rng.fromSeed(0).split("batched");
  const mats: Mat[] = [];
  for (let k = 0; k < BATCH; k++) {
    const x = randn(BATCH_N, BATCH_N, r.split(k));
    const s = js.matmul(x, x, { transB: true });
    for (let i = 0; i < BATCH_N; i++) s.data[i * BATCH_N + i] += BATCH_N;
    mats.push(s);
  }
  const stacked = new Float64Array(BATCH * BATCH_N * BATCH_N);
  mats.forEach((m, k) => stacked.set(m.data, k * BATCH_N * BATCH_N));
  const reps = quick ? 3 : 5, budget = quick ? 1500 : 3000;
  const rows: Row[] = [];
  for (const op of ["eigh", "cholesky"] as const) {
    const loop = (la: Linalg) => () => {
      for (const m of mats) op === "eigh" ? la.eigh(m) : la.cholesky(m);
    };
    const row: Row = {
      op: `batched ${op} ${BATCH}×${BATCH_N}²`,
      n: BATCH_N,
      dtype: "float64",
      unit: "ms",
      native: native ? await timeIt(loop(native), reps, budget) : null,
      js: await timeIt(loop(js), reps, budget),
      jax: null,
      numpy: await npy.time({ op: `batched_${op}`, reps, budget: budget / 1000 }),
      note: "native/js loop over matrices; jax-js and numpy batched",
    };
    if (jaxOk) {
      const x = np.array(stacked, { dtype: np.float64, shape: [BATCH, BATCH_N, BATCH_N] });
      try {
        row.jax = await timeIt(
          async () => {
            const out = op === "eigh" ? np.linalg.eigh(x.ref) : np.linalg.cholesky(x.ref);
            await blockUntilReady(out);
            for (const o of Array.isArray(out) ? out : [out]) o.dispose();
          },
          reps,
          budget,
        );
      } catch (e) {
        row.note += `; jax: ${(e as Error).message.slice(0, 60)}`;
      } finally {
        x.dispose();
      }
    }
    rows.push(row);
  }
  return rows;
}

// ---- numpy in the same run -----------------------------------------------------------------------------------

const NUMPY_SERVER = `
import json, sys, time
try:
    import numpy as np
except Exception as e:
    print(json.dumps({"error": "numpy: not available (%s)" % e}), flush=True); sys.exit(0)
try:
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    blas = "%s %s" % (blas.get("name", "?"), blas.get("version", "?"))
except Exception:
    blas = "blas unknown"
print(json.dumps({"version": "numpy %s (%s)" % (np.__version__, blas)}), flush=True)

def timeit(fn, reps, budget):
    t = time.perf_counter(); fn(); first = time.perf_counter() - t
    if first > budget / 2: return first * 1e3
    ts = []; start = time.perf_counter()
    while len(ts) < reps and (len(ts) < 3 or time.perf_counter() - start < budget):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return float(np.median(ts)) * 1e3

rng = np.random.default_rng(0)
cache = {}
def inputs(n, dt):
    if (n, dt) not in cache:
        cache.clear()
        a = rng.standard_normal((n, n))
        cache[(n, dt)] = dict(a=a.astype(dt), spd=(a @ a.T / n + np.eye(n)).astype(dt),
            b=rng.standard_normal((n, 1)).astype(dt), tall=rng.standard_normal((2 * n, n)).astype(dt),
            tb=rng.standard_normal((2 * n, 1)).astype(dt))
    return cache[(n, dt)]

for line in sys.stdin:
    q = json.loads(line); op = q["op"]
    if op == "ffi8":
        a8 = rng.standard_normal((8, 8)); calls = 20000
        ms = timeit(lambda: [a8 @ a8 for _ in range(calls)], 7, 1.0) * 1e3 / calls  # microseconds per call
    elif op.startswith("batched_"):
        x = rng.standard_normal((1000, 32, 32)); s = x @ x.transpose(0, 2, 1) + 32 * np.eye(32)
        f = np.linalg.eigh if op == "batched_eigh" else np.linalg.cholesky
        ms = timeit(lambda: f(s), q["reps"], q["budget"])
    else:
        x = inputs(q["n"], q["dtype"])
        fn = {
            "matmul": lambda: x["a"] @ x["a"],
            "svd": lambda: np.linalg.svd(x["a"], full_matrices=False),
            "eigh": lambda: np.linalg.eigh(x["spd"]),
            "cholesky": lambda: np.linalg.cholesky(x["spd"]),
            "solve": lambda: np.linalg.solve(x["a"], x["b"]),
            "qr": lambda: np.linalg.qr(x["a"]),
            "lstsq": lambda: np.linalg.lstsq(x["tall"], x["tb"], rcond=None),
        }[op]
        ms = timeit(fn, q["reps"], q["budget"])
    print(json.dumps({"ms": ms}), flush=True)
`;

/** numpy in a child python3 (single-threaded BLAS) that times one cell per request; inert when numpy is missing. */
class NumpyServer {
  private constructor(
    readonly version: string | null,
    readonly error: string | null,
    private proc: Deno.ChildProcess | null,
    private lines: AsyncIterator<string> | null,
  ) {}

  static async start(): Promise<NumpyServer> {
    let proc: Deno.ChildProcess;
    try {
      proc = new Deno.Command("python3", {
        args: ["-c", NUMPY_SERVER],
        env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
    } catch (e) {
      return new NumpyServer(null, `numpy: not available (${(e as Error).message.split("\n")[0]})`, null, null);
    }
    const out = lines(proc.stdout);
    const hello = await out.next();
    const msg = hello.done ? { error: "numpy: not available (python3 exited)" } : JSON.parse(hello.value);
    if (msg.error) {
      await proc.stdin.close().catch(() => {});
      await proc.status;
      return new NumpyServer(null, msg.error, null, null);
    }
    return new NumpyServer(msg.version, null, proc, out);
  }

  /** Median time of one cell in ms (µs for "ffi8"), or null when numpy is unavailable. */
  async time(q: Record<string, unknown>): Promise<number | null> {
    if (!this.proc || !this.lines) return null;
    const w = this.proc.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify(q) + "\n"));
    w.releaseLock();
    const r = await this.lines.next();
    return r.done ? null : JSON.parse(r.value).ms;
  }

  async close(): Promise<void> {
    if (!this.proc) return;
    await this.proc.stdin.close();
    await this.proc.status;
  }
}

// ---- printing ----------------------------------------------------------------------------------------------

function fmt(v: number | null): string {
  if (v === null) return "—";
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

function ratio(v: number | null, ref: number | null): string {
  return v === null || ref === null || ref === 0 ? "—" : `${(v / ref).toFixed(2)}×`;
}

/** Prints rows as a Markdown table; ratios are backend time / numpy time (lower is faster). */
export function printTable(rows: Row[]): void {
  const head = [
    "op",
    "n",
    "dtype",
    "unit",
    "native",
    "js",
    "jax-wasm",
    "numpy",
    "native/np",
    "js/np",
    "jax/np",
    "note",
  ];
  const body = rows.map((r) => [
    r.op,
    String(r.n),
    r.dtype,
    r.unit,
    fmt(r.native),
    fmt(r.js),
    fmt(r.jax),
    fmt(r.numpy),
    ratio(r.native, r.numpy),
    ratio(r.js, r.numpy),
    ratio(r.jax, r.numpy),
    r.note ?? "",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const left = (i: number) => i < 4 || i === 11;
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (left(i) ? c.padEnd(w[i]) : c.padStart(w[i]))).join(" | ")} |`;
  console.log("");
  console.log(line(head));
  console.log(`|${w.map((x, i) => (left(i) ? ":" + "-".repeat(x + 1) : "-".repeat(x + 1) + ":")).join("|")}|`);
  for (const b of body) console.log(line(b));
}

if (import.meta.main) {
  const full = Deno.args.includes("--full");
  const sizesArg = Deno.args.find((a) => a.startsWith("--sizes="));
  const sizes = sizesArg ? sizesArg.slice(8).split(",").map(Number) : full ? [256, 512, 1024] : [256, 512];
  await benchLinalg({ sizes, quick: !full, jsAll: Deno.args.includes("--js-all") });
  Deno.exit(0); // jax-js wasm worker threads would otherwise keep the process alive
}

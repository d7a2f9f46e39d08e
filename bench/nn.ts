/**
 * Training-throughput bench for lib/math/nn: samples per second of one training step (forward + backward + SGD
 * update) for the 784-256-10 MLP and LeNet-5 at batch 64 and 128, float32 and float64, on the native backend
 * (OpenBLAS gemm via FFI) and the js fallback, beside a hand-written numpy implementation of the same forward and
 * backward pass (im2col for the convolutions, single-threaded OpenBLAS) timed in the same run, cell by cell.
 *
 * Memory per step: ours is the typed-array memory a step works in, counted exactly (parameters, gradients, momentum,
 * the input batch, and every layer's activation/im2col buffers, which a warm step reuses: the bench prints the bytes
 * allocated per warm step, 0 when nothing grows); numpy's is tracemalloc's peak over one step (parameters, momentum
 * and every temporary the step allocates). Times: the three implementations run block by block in turn, median of
 * the blocks. numpy runs with glibc's trim and mmap thresholds raised, so freed temporaries are reused instead of
 * being unmapped and faulted in again every step (without this its float64 MLP step was ~10× slower here).
 *
 *   deno run --allow-read --allow-env --allow-ffi --allow-sys --allow-run bench/nn.ts [--quick]
 */
import { lines } from "../lib/run/lines.ts";
import { getLinalg, nativeAvailable, nativeUnavailableReason } from "../lib/math/linalg/mod.ts";
import { lenet5, mlp, scratchBytes, type Sequential, SGD } from "../lib/math/nn/mod.ts";
import { Rng } from "../lib/math/rng.ts";
import { median } from "../lib/math/stats.ts";

type Model = "mlp" | "lenet5";
type DT = "float32" | "float64";

/** One cell of the table: samples/s per implementation (null = not run) and memory in MB. */
export interface NnRow {
  model: Model;
  batch: number;
  dtype: DT;
  native: number | null;
  js: number | null;
  numpy: number | null;
  nativeMB: number | null;
  numpyMB: number | null;
}

const build = (model: Model, dtype: DT, backend: "native" | "js"): Sequential =>
  model === "mlp"
    ? mlp([784, 256, 10], { dtype, backend, rng: Rng.fromSeed(0) })
    : lenet5({ dtype, backend, rng: Rng.fromSeed(0) });

interface Ours {
  step: () => void;
  /** Bytes of parameters, gradients, optimiser state, input and layer buffers after warm steps. */
  bytes: number;
  /** Bytes of new layer buffers allocated over the warm steps after the first two. */
  perStepBytes: number;
}

function ours(model: Model, batch: number, dtype: DT, backend: "native" | "js"): Ours {
  const s0 = scratchBytes();
  const net = build(model, dtype, backend), rng = Rng.fromSeed(1);
  const x = dtype === "float32" ? Float32Array.from(rng.normal(batch * 784)) : rng.normal(batch * 784);
  const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const opt = new SGD({ lr: 0.01, momentum: 0.9 });
  const step = () => {
    net.lossAndGrad(x, y, batch);
    opt.step(net.store.value, net.store.grad);
  };
  step();
  step();
  const s1 = scratchBytes();
  for (let i = 0; i < 3; i++) step();
  const bytes = 3 * net.store.value.byteLength + x.byteLength + y.byteLength + (s1 - s0);
  return { step, bytes, perStepBytes: (scratchBytes() - s1) / 3 };
}

/** Steps per timed block so one block takes about `ms`. */
function calibrate(step: () => void, ms: number): number {
  const t0 = performance.now();
  step();
  return Math.max(1, Math.floor(ms / Math.max(0.05, performance.now() - t0)));
}

function block(step: () => void, per: number): number {
  const t = performance.now();
  for (let i = 0; i < per; i++) step();
  return (performance.now() - t) / per / 1000;
}

const NUMPY = String.raw`
import json, sys, time, tracemalloc
try:
    import numpy as np
except Exception as e:
    print(json.dumps({"error": f"numpy: not available ({e})"}), flush=True); sys.exit(0)
print(json.dumps({"version": "numpy " + np.__version__}), flush=True)

def relu_f(x): return np.maximum(x, 0)

def xent(z, y):
    z = z - z.max(1, keepdims=True); e = np.exp(z); p = e / e.sum(1, keepdims=True)
    B = z.shape[0]; loss = -np.log(p[np.arange(B), y]).mean()
    p[np.arange(B), y] -= 1; return loss, p / B

def conv_f(x, W, b, pad):
    B, C, H, Wd = x.shape; F, _, k, _ = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    Ho, Wo = H + 2 * pad - k + 1, Wd + 2 * pad - k + 1
    cols = np.empty((C, k, k, B, Ho, Wo), x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, i, j] = xp[:, :, i:i + Ho, j:j + Wo].transpose(1, 0, 2, 3)
    cols = cols.reshape(C * k * k, -1)
    y = (W.reshape(F, -1) @ cols).reshape(F, B, Ho, Wo).transpose(1, 0, 2, 3) + b[None, :, None, None]
    return y, (x.shape, cols, pad)

def conv_b(dy, W, cache, need_dx):
    (B, C, H, Wd), cols, pad = cache; F, _, k, _ = W.shape; Ho, Wo = dy.shape[2], dy.shape[3]
    dY = dy.transpose(1, 0, 2, 3).reshape(F, -1)
    dW = (dY @ cols.T).reshape(W.shape); db = dY.sum(1)
    if not need_dx: return None, dW, db
    dcols = (W.reshape(F, -1).T @ dY).reshape(C, k, k, B, Ho, Wo)
    dxp = np.zeros((B, C, H + 2 * pad, Wd + 2 * pad), dy.dtype)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + Ho, j:j + Wo] += dcols[:, i, j].transpose(1, 0, 2, 3)
    return (dxp[:, :, pad:-pad, pad:-pad] if pad else dxp), dW, db

def pool_f(x):
    B, C, H, W = x.shape; y = x.reshape(B, C, H // 2, 2, W // 2, 2).max(axis=(3, 5))
    return y

def pool_b(dy, x, y):
    B, C, H, W = x.shape
    mask = x.reshape(B, C, H // 2, 2, W // 2, 2) == y[:, :, :, None, :, None]
    return (mask * dy[:, :, :, None, :, None]).reshape(x.shape)

def he(rng, shape, fan, dt): return (rng.standard_normal(shape) * np.sqrt(2 / fan)).astype(dt)

def make(model, dt):
    rng = np.random.default_rng(0)
    if model == "mlp":
        return {"W1": he(rng, (784, 256), 784, dt), "b1": np.zeros(256, dt), "W2": he(rng, (256, 10), 256, dt), "b2": np.zeros(10, dt)}
    return {"c1": he(rng, (6, 1, 5, 5), 25, dt), "cb1": np.zeros(6, dt), "c2": he(rng, (16, 6, 5, 5), 150, dt), "cb2": np.zeros(16, dt),
            "W3": he(rng, (400, 120), 400, dt), "b3": np.zeros(120, dt), "W4": he(rng, (120, 84), 120, dt), "b4": np.zeros(84, dt),
            "W5": he(rng, (84, 10), 84, dt), "b5": np.zeros(10, dt)}

def mlp_grads(P, x, y):
    h = x @ P["W1"] + P["b1"]; a = relu_f(h); z = a @ P["W2"] + P["b2"]
    loss, dz = xent(z, y)
    da = dz @ P["W2"].T; dh = da * (h > 0)
    return loss, {"W2": a.T @ dz, "b2": dz.sum(0), "W1": x.T @ dh, "b1": dh.sum(0)}

def lenet_grads(P, x, y):
    B = x.shape[0]; x = x.reshape(B, 1, 28, 28)
    h1, k1 = conv_f(x, P["c1"], P["cb1"], 2); a1 = relu_f(h1); p1 = pool_f(a1)
    h2, k2 = conv_f(p1, P["c2"], P["cb2"], 0); a2 = relu_f(h2); p2 = pool_f(a2)
    f = p2.reshape(B, -1)
    h3 = f @ P["W3"] + P["b3"]; a3 = relu_f(h3); h4 = a3 @ P["W4"] + P["b4"]; a4 = relu_f(h4)
    z = a4 @ P["W5"] + P["b5"]
    loss, dz = xent(z, y); g = {}
    g["W5"] = a4.T @ dz; g["b5"] = dz.sum(0); d = (dz @ P["W5"].T) * (h4 > 0)
    g["W4"] = a3.T @ d; g["b4"] = d.sum(0); d = (d @ P["W4"].T) * (h3 > 0)
    g["W3"] = f.T @ d; g["b3"] = d.sum(0); d = (d @ P["W3"].T).reshape(p2.shape)
    d = pool_b(d, a2, p2) * (h2 > 0)
    d, g["c2"], g["cb2"] = conv_b(d, P["c2"], k2, True)
    d = pool_b(d, a1, p1) * (h1 > 0)
    _, g["c1"], g["cb1"] = conv_b(d, P["c1"], k1, False)
    return loss, g

def trainer(model, batch, dt):
    P = make(model, dt); V = {k: np.zeros_like(v) for k, v in P.items()}
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, 784)).astype(dt); y = np.arange(batch) % 10
    grads = mlp_grads if model == "mlp" else lenet_grads
    lr, mu = dt(0.01), dt(0.9)
    def step():
        _, g = grads(P, x, y)
        for k in P:
            V[k] *= mu; V[k] += g[k]; P[k] -= lr * V[k]
    return step

step = None
for line in sys.stdin:
    q = json.loads(line)
    if q["op"] == "setup":
        dt = np.float32 if q["dtype"] == "float32" else np.float64
        step = None; tracemalloc.start(); base = tracemalloc.get_traced_memory()[0]
        step = trainer(q["model"], q["batch"], dt)
        step(); tracemalloc.reset_peak(); step()
        mb = (tracemalloc.get_traced_memory()[1] - base) / 2 ** 20; tracemalloc.stop()
        step(); t0 = time.perf_counter(); step(); one = max(5e-5, time.perf_counter() - t0)
        print(json.dumps({"mb": mb, "per": max(1, int(q["ms"] / 1e3 / one))}), flush=True)
    else:
        t = time.perf_counter()
        for _ in range(q["per"]): step()
        print(json.dumps({"s": (time.perf_counter() - t) / q["per"]}), flush=True)
`;

/** Runs the bench and prints its table; returns the rows. */
export async function benchNn(opts: { quick?: boolean; print?: boolean } = {}): Promise<NnRow[]> {
  const print = opts.print ?? true, log = (s: string) => print && console.log(s);
  const native = nativeAvailable();
  log(`\n## training throughput (lib/math/nn; one step = forward + backward + SGD-momentum update)\n`);
  log(
    `native: ${
      native
        ? `${getLinalg("native").info.library}, ${getLinalg("native").info.threads} thread(s)`
        : nativeUnavailableReason()
    }`,
  );
  let proc: Deno.ChildProcess | null = null, it: AsyncGenerator<string> | null = null;
  try {
    proc = new Deno.Command("python3", {
      args: ["-c", NUMPY],
      // glibc otherwise hands numpy's multi-MB temporaries back to the OS after every step, and the page faults of
      // re-mapping them made its float64 MLP step ~10× slower here (measured 15-20 ms vs 1.4 ms per step): keep
      // freed memory in the process so numpy is timed at its best.
      env: {
        OPENBLAS_NUM_THREADS: "1",
        OMP_NUM_THREADS: "1",
        MKL_NUM_THREADS: "1",
        MALLOC_MMAP_THRESHOLD_: "1073741824",
        MALLOC_TRIM_THRESHOLD_: "1073741824",
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    it = lines(proc.stdout);
    const hello = JSON.parse((await it.next()).value ?? '{"error":"numpy: python3 exited"}');
    if (hello.error) {
      log(hello.error);
      await proc.stdin.close();
      await proc.status;
      proc = null;
    } else {
      log(
        `numpy:  ${hello.version}, OPENBLAS_NUM_THREADS=1, glibc trim/mmap thresholds 1 GiB, hand-written forward/backward (im2col convs)`,
      );
    }
  } catch (e) {
    log(`numpy: not available (${(e as Error).message.split("\n")[0]})`);
    proc = null;
  }
  const numpy = async (q: Record<string, unknown>): Promise<Record<string, number> | null> => {
    if (!proc || !it) return null;
    const w = proc.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify(q) + "\n"));
    w.releaseLock();
    const r = await it.next();
    return r.done ? null : JSON.parse(r.value);
  };
  const blockMs = opts.quick ? 150 : 400, reps = opts.quick ? 5 : 7;
  const rows: NnRow[] = [];
  let perStep = 0;
  for (const model of ["mlp", "lenet5"] as const) {
    for (const dtype of ["float32", "float64"] as const) {
      for (const batch of [64, 128]) {
        // The three implementations take turns block by block, so machine drift hits each ratio's both sides.
        const nat = native ? ours(model, batch, dtype, "native") : null;
        const js = ours(model, batch, dtype, "js");
        const np = await numpy({ op: "setup", model, batch, dtype, ms: blockMs });
        const pn = nat ? calibrate(nat.step, blockMs) : 0, pj = calibrate(js.step, blockMs);
        const tn: number[] = [], tj: number[] = [], tp: number[] = [];
        for (let r = 0; r < reps; r++) {
          if (nat) tn.push(block(nat.step, pn));
          tj.push(block(js.step, pj));
          if (np) tp.push((await numpy({ op: "block", per: np.per }))!.s);
        }
        perStep = Math.max(perStep, nat?.perStepBytes ?? 0, js.perStepBytes);
        rows.push({
          model,
          batch,
          dtype,
          native: nat ? batch / median(tn) : null,
          js: batch / median(tj),
          numpy: np ? batch / median(tp) : null,
          nativeMB: nat ? nat.bytes / 2 ** 20 : null,
          numpyMB: np?.mb ?? null,
        });
      }
    }
  }
  log(`new layer buffers per warm step (ours, largest over cells): ${perStep} bytes`);
  if (proc) {
    await proc.stdin.close();
    await proc.status;
  }
  if (print) printNn(rows);
  return rows;
}

const f0 = (v: number | null) => (v === null ? "—" : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const r2 = (a: number | null, b: number | null) => (a === null || b === null ? "—" : `${(b / a).toFixed(2)}×`);

/** Prints the rows as a Markdown table; "time/np" is our step time over numpy's (≤ 1 is at or below numpy's). */
export function printNn(rows: NnRow[]): void {
  const head = [
    "model",
    "batch",
    "dtype",
    "native sps",
    "js sps",
    "numpy sps",
    "native time/np",
    "js time/np",
    "native MB",
    "numpy MB",
  ];
  const body = rows.map((r) => [
    r.model === "mlp" ? "MLP 784-256-10" : "LeNet-5",
    String(r.batch),
    r.dtype,
    f0(r.native),
    f0(r.js),
    f0(r.numpy),
    r2(r.native, r.numpy),
    r2(r.js, r.numpy),
    r.nativeMB === null ? "—" : r.nativeMB.toFixed(1),
    r.numpyMB === null ? "—" : r.numpyMB.toFixed(1),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => `| ${c.map((s, i) => (i < 3 ? s.padEnd(w[i]) : s.padStart(w[i]))).join(" | ")} |`;
  console.log("");
  console.log(line(head));
  console.log(`|${w.map((x, i) => (i < 3 ? ":" + "-".repeat(x + 1) : "-".repeat(x + 1) + ":")).join("|")}|`);
  for (const b of body) console.log(line(b));
  console.log(
    "\nsps = samples per second (median over timed blocks, implementations interleaved); time/np = our step time ÷ numpy's (≤ 1.00× is at or below numpy).",
  );
}

if (import.meta.main) {
  await benchNn({ quick: Deno.args.includes("--quick") });
  Deno.exit(0);
}

/**
 * Execute a run plan: resume what is done, run the rest in a worker under a time limit, and commit each
 * finished run to the store before the next starts. A failing run is recorded with its error and the sweep
 * goes on; Ctrl-C stops after closing the store, losing nothing finished.
 */
import type { AnyExperiment, Backend } from "../experiment.ts";
import type { RunSpec } from "./plan.ts";
import type { MetricValue, RunRecord, RunStatus, Store } from "./store.ts";
import type { FromWorker } from "./worker.ts";
import type { MachineBackends } from "./backend.ts";
import { experimentUrl } from "./registry.ts";
import { fmtDuration, Progress } from "./progress.ts";
import { runtimeVersions } from "./versions.ts";

export interface ExecuteOptions {
  store: Store;
  runs: RunSpec[];
  machine: MachineBackends;
  codeVersion: string;
  gitCommit: string;
  /** Per-run wall-clock limit; a run past it is recorded as `timeout`. */
  timeLimitMs: number;
  /** Recompute runs that are already finished. */
  fresh?: boolean;
  quiet?: boolean;
  /** The experiment module to load in the worker (default: experiments/<id>/mod.ts). */
  moduleUrl?: string;
}

export interface ExecuteSummary {
  planned: number;
  resumed: number;
  ok: number;
  failed: number;
  timeout: number;
  skipped: number;
  interrupted: boolean;
  wallMs: number;
}

export async function executeRuns(exp: AnyExperiment, opts: ExecuteOptions): Promise<ExecuteSummary> {
  const t0 = performance.now();
  const finished = await opts.store.finishedRunIds(exp.id);
  // --fresh recomputes without deleting first: each new run replaces its old record in one transaction
  // (Store.writeRun), so an interrupted --fresh leaves every finished run in place, old or new.
  const todo = opts.fresh ? opts.runs : opts.runs.filter((r) => !finished.has(r.runId));
  const summary: ExecuteSummary = {
    planned: opts.runs.length,
    resumed: opts.runs.length - todo.length,
    ok: 0,
    failed: 0,
    timeout: 0,
    skipped: 0,
    interrupted: false,
    wallMs: 0,
  };
  const progress = new Progress(todo.length, exp.id, { quiet: opts.quiet });
  if (summary.resumed) progress.note(`${exp.id}: ${summary.resumed} runs already finished (resume; --fresh reruns)`);

  const pool = new WorkerHandle(opts.moduleUrl ?? experimentUrl(exp.id).href);
  const onInterrupt = () => {
    summary.interrupted = true;
    pool.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    for (const spec of todo) {
      if (summary.interrupted) break;
      const started = new Date();
      const backend = spec.backend;
      let status: RunStatus, error: string | null = null, metrics: MetricValue[] = [], ms = 0;
      if (spec.skip || backend === "none") {
        status = "skipped";
        error = spec.skip || "no backend";
      } else {
        const r = await pool.run(spec, backend, opts.codeVersion, opts.timeLimitMs);
        if (r.kind === "interrupted") break;
        ms = r.ms;
        status = r.kind === "ok" ? "ok" : r.kind;
        error = r.kind === "ok" ? null : r.error;
        metrics = r.kind === "ok" ? r.metrics : [];
      }
      await opts.store.writeRun(
        record(spec, { status, error, backend, ms, started, metrics, machine: opts.machine, opts }),
        metrics,
      );
      summary[status]++;
      progress.tick(`${spec.method} [${backend}] ${shortConfig(spec.config)} seed=${spec.seed}`, status, ms);
      if (status === "failed" || status === "timeout") progress.note(`  ${spec.method}: ${error}`);
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    pool.close();
  }
  summary.wallMs = performance.now() - t0;
  return summary;
}

function record(
  spec: RunSpec,
  r: {
    status: RunStatus;
    error: string | null;
    backend: string;
    ms: number;
    started: Date;
    metrics: MetricValue[];
    machine: MachineBackends;
    opts: ExecuteOptions;
  },
): RunRecord {
  return {
    run_id: spec.runId,
    experiment: spec.experiment,
    method: spec.method,
    seed: spec.seed,
    scale: spec.scale,
    config: spec.config,
    status: r.status,
    error: r.error,
    backend: r.backend,
    device: deviceOf(r.backend, r.machine),
    started_at: r.started,
    duration_ms: r.ms,
    git_commit: r.opts.gitCommit,
    code_version: r.opts.codeVersion,
    versions: runtimeVersions(r.machine),
  };
}

function deviceOf(backend: string, machine: MachineBackends): string {
  if (backend === "native") return machine.native.library;
  if (backend === "webgpu") return `${machine.webgpu.description}${machine.webgpu.software ? " (software)" : ""}`;
  if (backend === "wasm" || backend === "cpu") return `jax-js ${backend} on ${Deno.build.arch} CPU`;
  if (backend === "js") return `TypeScript on ${Deno.build.arch} CPU, ml-matrix linear algebra`;
  return "";
}

function shortConfig(c: Record<string, unknown>): string {
  return Object.entries(c).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ");
}

type WorkerOutcome =
  | { kind: "ok"; metrics: MetricValue[]; ms: number }
  | { kind: "failed" | "timeout"; error: string; ms: number }
  | { kind: "interrupted" };

/** One worker at a time, respawned after a timeout or crash. */
class WorkerHandle {
  #worker: Worker | null = null;
  #loaded: Promise<void> | null = null;
  #pending: ((m: FromWorker | { type: "abort" }) => void) | null = null;

  constructor(readonly url: string) {}

  #spawn(): Promise<void> {
    const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
    this.#worker = w;
    w.onmessage = (e: MessageEvent<FromWorker>) => this.#pending?.(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#pending?.({ type: "error", error: `worker crashed: ${e.message}` });
    };
    return new Promise<void>((resolve, reject) => {
      this.#pending = (m) => (m.type === "loaded" ? resolve() : reject(new Error(describe(m))));
      w.postMessage({ type: "load", url: this.url });
    });
  }

  async run(spec: RunSpec, backend: Backend, codeVersion: string, limitMs: number): Promise<WorkerOutcome> {
    const t0 = performance.now();
    try {
      this.#loaded ??= this.#spawn();
      await this.#loaded;
    } catch (e) {
      this.#reset();
      return { kind: "failed", error: `could not load the experiment: ${(e as Error).message}`, ms: 0 };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reply = await new Promise<FromWorker | { type: "abort" | "timeout" }>((resolve) => {
      this.#pending = resolve;
      timer = setTimeout(() => resolve({ type: "timeout" }), limitMs);
      this.#worker!.postMessage({ type: "run", spec, backend, codeVersion });
    });
    clearTimeout(timer);
    this.#pending = null;
    const ms = performance.now() - t0;
    if (reply.type === "result") return { kind: "ok", metrics: reply.metrics, ms: reply.durationMs };
    if (reply.type === "error") {
      if (reply.error.startsWith("worker crashed")) this.#reset();
      return { kind: "failed", error: reply.error, ms };
    }
    this.#reset(); // the worker may be stuck: replace it
    if (reply.type === "timeout") {
      const where = `seed ${spec.seed}, ${shortConfig(spec.config)}`;
      return { kind: "timeout", error: `exceeded the time limit of ${fmtDuration(limitMs)} (${where})`, ms };
    }
    return { kind: "interrupted" };
  }

  /** Stop waiting for the current run (Ctrl-C); the caller then closes the handle. */
  abort() {
    this.#pending?.({ type: "abort" });
  }

  #reset() {
    this.#worker?.terminate();
    this.#worker = null;
    this.#loaded = null;
  }

  close() {
    this.#reset();
  }
}

function describe(m: FromWorker | { type: string }): string {
  return "error" in m ? String(m.error) : m.type;
}

/**
 * Execute a run plan: resume what is done, run the rest in a sandboxed run process (lib/run/child.sh) under a
 * time and memory limit, and journal each finished run before the next starts. A run that fails,
 * runs out of memory, crashes, exits or hangs is recorded with its cause, its process is replaced, and the
 * sweep goes on. Each finished run is journalled at once and committed in batches (lib/run/journal.ts), so
 * neither Ctrl-C nor kill -9 loses a finished run.
 */
import type { AnyExperiment, Backend } from "../experiment.ts";
import type { RunSpec } from "./plan.ts";
import type { MetricValue, RunRecord, RunStatus, Store } from "./store.ts";
import { type FromChild, REPLY_MARKER, type ToChild } from "./child.ts";
import type { MachineBackends } from "./backend.ts";
import { experimentUrl } from "./registry.ts";
import { fmtDuration, Progress } from "./progress.ts";
import { runtimeVersions } from "./versions.ts";
import { replayJournal, RunWriter } from "./journal.ts";
import { lines } from "./lines.ts";

/** What executeRuns needs: the store, the planned runs, this machine, the versions to record and the per-run limits. */
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
  /** The experiment module the run process loads (default: experiments/<id>/mod.ts). */
  moduleUrl?: string;
  /** Per-run memory limit in MB (default {@link DEFAULT_MEMORY_LIMIT_MB}); a run past it is recorded as failed. */
  memoryLimitMb?: number;
  /** How finished runs are batched into the store (default: 100 runs or 2 s, whichever comes first). */
  commit?: { maxBatch?: number; maxDelayMs?: number };
}

/** Counts of a sweep's runs by outcome, and its wall time, for the command's closing line and for callers to check. */
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

/**
 * Run the planned runs that are not finished yet, each in its own limited process, journalling and committing every
 * result to the store; resumes after an interrupt.
 */
export async function executeRuns(exp: AnyExperiment, opts: ExecuteOptions): Promise<ExecuteSummary> {
  const t0 = performance.now();
  const recovered = await replayJournal(opts.store); // runs a killed sweep journalled but never committed
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
  if (recovered) progress.note(`${exp.id}: ${recovered} runs recovered from the journal of an interrupted sweep`);
  if (summary.resumed) progress.note(`${exp.id}: ${summary.resumed} runs already finished (resume; --fresh reruns)`);

  const pool = new RunProcess(
    opts.moduleUrl ?? experimentUrl(exp.id).href,
    opts.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
    (line) => progress.note(`  ${line}`),
  );
  const onInterrupt = () => {
    summary.interrupted = true;
    pool.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const writer = new RunWriter(opts.store, opts.commit);
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
      await writer.add(
        record(spec, { status, error, backend, ms, started, metrics, machine: opts.machine, opts }),
        metrics,
      );
      summary[status]++;
      progress.tick(`${spec.method} [${backend}] ${shortConfig(spec.config)} seed=${spec.seed}`, status, ms);
      if (status === "failed" || status === "timeout") progress.note(`  ${spec.method}: ${error}`);
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    await writer.close();
    await pool.close();
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

type RunOutcome =
  | { kind: "ok"; metrics: MetricValue[]; ms: number }
  | { kind: "failed" | "timeout"; error: string; ms: number }
  | { kind: "interrupted" };

/** The sandboxed launcher: the only program the runner may start (see lib/run/child.sh). */
export const CHILD_LAUNCHER = new URL("./child.sh", import.meta.url).pathname;

/** Per-run memory limit when none is given: 8 GB (a third of the 24 GB these machines have). */
export const DEFAULT_MEMORY_LIMIT_MB = 8192;

type Reply = FromChild | { type: "abort" | "timeout" } | { type: "exit"; code: number; signal: string | null };

/**
 * One run process at a time, kept warm across runs and replaced after a failure that may have left it broken.
 * Killing it kills every thread it started (OpenBLAS's included).
 */
class RunProcess {
  #child: Deno.ChildProcess | null = null;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #loaded: Promise<void> | null = null;
  #pending: ((m: Reply) => void) | null = null;
  #stderrTail = "";

  constructor(readonly url: string, readonly memoryLimitMb: number, readonly echo: (line: string) => void) {}

  #spawn(): Promise<void> {
    const child = new Deno.Command(CHILD_LAUNCHER, {
      args: [String(this.memoryLimitMb)],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#stderrTail = "";
    this.#writer = child.stdin.getWriter();
    void this.#readReplies(child);
    void this.#readStderr(child);
    void child.status.then((st) => {
      if (this.#child !== child) return; // killed by us and already replaced
      if (this.#pending) this.#pending({ type: "exit", code: st.code, signal: st.signal });
      else {
        // Died between runs (e.g. the system's out-of-memory killer): the next run starts a new process.
        this.#child = null;
        this.#loaded = null;
      }
    });
    return new Promise<void>((resolve, reject) => {
      this.#pending = (m) => (m.type === "loaded" ? resolve() : reject(new Error(this.#describe(m))));
      this.#send({ type: "load", url: this.url });
    });
  }

  async #readReplies(child: Deno.ChildProcess) {
    for await (const line of lines(child.stdout)) {
      if (line.startsWith(REPLY_MARKER)) {
        if (this.#child === child) this.#pending?.(JSON.parse(line.slice(REPLY_MARKER.length)));
      } else if (line.trim()) this.echo(line);
    }
  }

  async #readStderr(child: Deno.ChildProcess) {
    for await (const line of lines(child.stderr)) {
      this.#stderrTail = (this.#stderrTail + line + "\n").slice(-4000);
      if (line.trim()) this.echo(line);
    }
  }

  #send(m: ToChild) {
    void this.#writer!.write(new TextEncoder().encode(JSON.stringify(m) + "\n")).catch(() => {});
  }

  async run(spec: RunSpec, backend: Backend, codeVersion: string, limitMs: number): Promise<RunOutcome> {
    const t0 = performance.now();
    try {
      this.#loaded ??= this.#spawn();
      await this.#loaded;
    } catch (e) {
      await this.#reset();
      return { kind: "failed", error: `could not load the experiment: ${(e as Error).message}`, ms: 0 };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reply = await new Promise<Reply>((resolve) => {
      this.#pending = resolve;
      timer = setTimeout(() => resolve({ type: "timeout" }), limitMs);
      this.#send({ type: "run", spec, backend, codeVersion });
    });
    clearTimeout(timer);
    this.#pending = null;
    const ms = performance.now() - t0;
    if (reply.type === "result") return { kind: "ok", metrics: reply.metrics, ms: reply.durationMs };
    if (reply.type === "error") return { kind: "failed", error: reply.error, ms };
    if (reply.type === "exit") {
      await new Promise((r) => setTimeout(r, 20)); // let the last stderr lines arrive
      const error = this.#describe(reply);
      await this.#reset();
      return { kind: "failed", error, ms };
    }
    await this.#reset(); // stuck or interrupted: kill it, threads and all
    if (reply.type === "timeout") {
      const where = `seed ${spec.seed}, ${shortConfig(spec.config)}`;
      return { kind: "timeout", error: `exceeded the time limit of ${fmtDuration(limitMs)} (${where})`, ms };
    }
    return { kind: "interrupted" };
  }

  /** Why the process ended, in words: out of memory, a native crash, or an exit. */
  #describe(m: Reply): string {
    if (m.type === "error") return m.error;
    if (m.type !== "exit") return m.type;
    const gb = `${+(this.memoryLimitMb / 1024).toFixed(2)} GB`;
    const tail = this.#stderrTail;
    if (/out of memory|heap limit|Array buffer allocation failed/i.test(tail) || m.signal === "SIGTRAP") {
      return `ran out of memory (limit ${gb}; --memory-limit raises it)`;
    }
    if (m.signal === "SIGKILL") return "killed (SIGKILL, perhaps by the system's out-of-memory killer)";
    if (m.signal) return `crashed (${m.signal})${lastLine(tail)}`;
    if (m.code === 64 && tail.includes("child.sh:")) return `could not start: ${lastLine(tail).slice(3)}`;
    return `exited with code ${m.code} before finishing the run${lastLine(tail)}`;
  }

  /** Stop waiting for the current run (Ctrl-C); the caller then closes the handle. */
  abort() {
    this.#pending?.({ type: "abort" });
  }

  async #reset() {
    const child = this.#child;
    this.#child = null;
    this.#loaded = null;
    if (!child) return;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await this.#writer?.close().catch(() => {});
    this.#writer = null;
  }

  async close() {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    this.#loaded = null;
    await this.#writer?.close().catch(() => {}); // stdin closed: it exits by itself
    const done = await Promise.race([
      child.status.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 2000)),
    ]);
    if (!done) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.status;
    }
  }
}

function lastLine(text: string): string {
  const line = text.trim().split("\n").filter((l) => l.trim()).pop()?.trim();
  return line ? `: ${line.slice(0, 200)}` : "";
}

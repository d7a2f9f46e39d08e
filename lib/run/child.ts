/**
 * The run process: started by lib/run/child.sh in its sandbox, it loads one experiment module and executes the
 * runs the runner sends, one at a time. Messages are JSON lines: requests on stdin, replies on stdout behind a
 * marker (the module's own prints go to stderr). Whatever happens to this process (out of memory, a native
 * crash, Deno.exit, a hang) happens to it alone; the runner records the cause and starts another.
 */
import type { AnyExperiment, Backend } from "../experiment.ts";
import type { RunSpec } from "./plan.ts";
import type { MetricValue } from "./store.ts";
import { describeError, prepareRuntime, runOnce } from "./run_once.ts";
import { lines } from "./lines.ts";

/** A request from the runner. */
export type ToChild =
  | { type: "load"; url: string }
  | { type: "run"; spec: RunSpec; backend: Backend; codeVersion: string };

/** A reply to the runner. */
export type FromChild =
  | { type: "loaded" }
  | { type: "result"; runId: string; metrics: MetricValue[]; durationMs: number }
  | { type: "error"; runId?: string; error: string };

/** Replies start with this marker, so stray writes to stdout cannot be mistaken for one. */
export const REPLY_MARKER = "\u001eREPRO\u001e";

let exp: AnyExperiment | undefined;

async function handle(msg: ToChild): Promise<FromChild> {
  try {
    if (msg.type === "load") {
      exp = (await import(msg.url)).default;
      await prepareRuntime();
      return { type: "loaded" };
    }
    if (!exp) throw new Error("no experiment loaded");
    const t0 = performance.now();
    const metrics = await runOnce(exp, msg.spec, msg.backend, msg.codeVersion);
    return { type: "result", runId: msg.spec.runId, metrics, durationMs: performance.now() - t0 };
  } catch (err) {
    return { type: "error", runId: msg.type === "run" ? msg.spec.runId : undefined, error: describeError(err) };
  }
}

if (import.meta.main) {
  console.log = console.error; // stdout carries replies only
  console.info = console.error;
  const out = Deno.stdout;
  const encoder = new TextEncoder();
  for await (const line of lines(Deno.stdin.readable)) {
    if (!line.trim()) continue;
    const reply = await handle(JSON.parse(line) as ToChild);
    const bytes = encoder.encode(`${REPLY_MARKER}${JSON.stringify(reply)}\n`);
    for (let n = 0; n < bytes.length;) n += await out.write(bytes.subarray(n));
  }
  Deno.exit(0); // stdin closed: the runner is done with us (jax-js's worker pool would keep us alive)
}

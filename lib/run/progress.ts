/**
 * Sweep progress: a redrawn bar (done, failures, ETA) on a terminal; one plain line per run otherwise,
 * so CI logs and redirected output stay readable.
 */
export class Progress {
  #done = 0;
  #failed = 0;
  #timeout = 0;
  #start = performance.now();
  #tty: boolean;
  #enc = new TextEncoder();
  readonly quiet: boolean;

  constructor(readonly total: number, readonly label: string, opts: { tty?: boolean; quiet?: boolean } = {}) {
    this.#tty = opts.tty ?? Deno.stderr.isTerminal();
    this.quiet = opts.quiet ?? false;
  }

  /** Record one finished run; failures and timeouts are counted apart, as the summary counts them. */
  tick(what: string, status: string, ms: number): void {
    this.#done++;
    if (status === "failed") this.#failed++;
    if (status === "timeout") this.#timeout++;
    if (this.quiet) return;
    const elapsed = performance.now() - this.#start;
    const eta = this.#done ? (elapsed / this.#done) * (this.total - this.#done) : 0;
    if (this.#tty) {
      const width = 30, filled = Math.round((this.#done / Math.max(1, this.total)) * width);
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      const line =
        `\r${this.label} ${bar} ${this.#done}/${this.total}  failed ${this.#failed}  timed out ${this.#timeout}  ETA ${
          fmtDuration(eta)
        }  ${what.slice(0, 40).padEnd(40)}`;
      Deno.stderr.writeSync(this.#enc.encode(line));
      if (this.#done === this.total) Deno.stderr.writeSync(this.#enc.encode("\n"));
    } else {
      console.error(
        `[${this.#done}/${this.total}] ${status.padEnd(7)} ${what} (${fmtDuration(ms)}; ETA ${fmtDuration(eta)})`,
      );
    }
  }

  /** Print a message without breaking the bar. */
  note(msg: string): void {
    if (this.quiet) return;
    if (this.#tty) Deno.stderr.writeSync(this.#enc.encode("\r\x1b[K"));
    console.error(msg);
  }
}

/** A duration in milliseconds as a short human string (e.g. 850ms, 12.3s, 4m05s, 1h20m) for progress lines. */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  if (ms < 1000) return `${ms.toFixed(0)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

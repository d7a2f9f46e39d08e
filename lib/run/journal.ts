/**
 * The write-ahead journal of a sweep: each finished run is appended as one JSON line to `<db>.journal` the moment
 * it finishes (well under a millisecond), and the store takes them in batches, one DuckDB transaction per batch.
 * A sweep killed between batches loses nothing: the next one replays the journal into the store first.
 */
import type { MetricValue, RunRecord, Store } from "./store.ts";
import { readJsonLines } from "./lines.ts";

/** One finished run as the journal keeps it. */
export interface JournalEntry {
  run: RunRecord;
  metrics: MetricValue[];
}

/** Where a database's journal lives (none for an in-memory database, which a crash loses anyway). */
export function journalPath(dbPath: string): string | null {
  return dbPath === ":memory:" ? null : `${dbPath}.journal`;
}

/** Runs a killed sweep journalled but never committed; a torn last line (killed mid-write) is skipped. */
export function readJournal(path: string): JournalEntry[] {
  return readJsonLines(path, (v) => {
    const e = v as JournalEntry;
    e.run.started_at = new Date(e.run.started_at);
    return e;
  });
}

/** Commit what a killed sweep left in the journal, then start it afresh. Returns the number of runs recovered. */
export async function replayJournal(store: Store): Promise<number> {
  const path = journalPath(store.path);
  if (!path) return 0;
  const entries = readJournal(path);
  if (entries.length) await store.writeRuns(entries);
  try {
    Deno.removeSync(path);
  } catch { /* none */ }
  return entries.length;
}

/** Batches finished runs into the store, journalling each first. */
export class RunWriter {
  #batch: JournalEntry[] = [];
  #lastFlush = performance.now();
  #file: Deno.FsFile | null;
  readonly #encoder = new TextEncoder();

  constructor(
    readonly store: Store,
    readonly opts: { maxBatch?: number; maxDelayMs?: number } = {},
  ) {
    const path = journalPath(store.path);
    this.#file = path ? Deno.openSync(path, { append: true, create: true }) : null;
  }

  /** Journal one finished run (durable against a kill of this process once this returns), commit in batches. */
  async add(run: RunRecord, metrics: MetricValue[]): Promise<void> {
    const entry = { run, metrics };
    if (this.#file) {
      const bytes = this.#encoder.encode(JSON.stringify(entry) + "\n");
      for (let n = 0; n < bytes.length;) n += this.#file.writeSync(bytes.subarray(n));
    }
    this.#batch.push(entry);
    const due = this.#batch.length >= (this.opts.maxBatch ?? 100) ||
      performance.now() - this.#lastFlush >= (this.opts.maxDelayMs ?? 2000);
    if (due) await this.flush();
  }

  /** Commit the batch and empty the journal. */
  async flush(): Promise<void> {
    await this.store.writeRuns(this.#batch);
    this.#batch = [];
    this.#lastFlush = performance.now();
    this.#file?.truncateSync(0);
  }

  /** Commit what is left and remove the journal. */
  async close(): Promise<void> {
    await this.flush();
    this.#file?.close();
    this.#file = null;
    const path = journalPath(this.store.path);
    if (path) {
      try {
        Deno.removeSync(path);
      } catch { /* gone */ }
    }
  }
}

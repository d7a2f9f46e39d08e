/**
 * The results store: tidy tables in DuckDB (native `@duckdb/node-api`, which persists, reopens and writes
 * Parquet; duckdb-wasm cannot reopen its own files in Deno, see README).
 *
 * Tables:
 * - `runs(run_id, experiment, method, seed, scale, config, status, error, backend, device, started_at,
 *   duration_ms, git_commit, code_version, versions)`: one row per run; `config` and `versions` are JSON text.
 * - `metrics(run_id, name, step, value)`: one row per metric value; `step` is NULL for scalars.
 *
 * Every run is written in its own transaction, so a finished run survives an interrupt of the next one.
 *
 * @example
 * ```ts
 * const store = await Store.open("results/results.duckdb");
 * const done = await store.finishedRunIds("lrmc-altmin");
 * ```
 */
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { dirname } from "node:path";
import type { MetricRow } from "../claims/results.ts";
import { UserError } from "./errors.ts";

/** How a run ended: `ok` and `skipped` count as finished, `failed` and `timeout` are retried on resume. */
export type RunStatus = "ok" | "failed" | "timeout" | "skipped";

/** One row of the `runs` table: what ran, where, how it ended and with which versions. */
export interface RunRecord {
  run_id: string;
  experiment: string;
  method: string;
  seed: number;
  scale: string;
  config: Record<string, unknown>;
  status: RunStatus;
  error: string | null;
  backend: string;
  device: string;
  started_at: Date;
  duration_ms: number;
  git_commit: string;
  code_version: string;
  versions: Record<string, unknown>;
}

/** One metric value of a run; `step` is null for a scalar and the step index for an observed series. */
export interface MetricValue {
  name: string;
  step: number | null;
  value: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR PRIMARY KEY, experiment VARCHAR NOT NULL, method VARCHAR NOT NULL, seed INTEGER NOT NULL,
  scale VARCHAR, config VARCHAR NOT NULL, status VARCHAR NOT NULL, error VARCHAR, backend VARCHAR,
  device VARCHAR, started_at TIMESTAMP, duration_ms DOUBLE, git_commit VARCHAR, code_version VARCHAR,
  versions VARCHAR
);
CREATE TABLE IF NOT EXISTS metrics (run_id VARCHAR NOT NULL, name VARCHAR NOT NULL, step INTEGER, value DOUBLE);
`;

/** Statuses that count as finished: resume skips them. Failed and timed-out runs are retried. */
export const FINISHED: RunStatus[] = ["ok", "skipped"];

/** DuckDB files carry the magic "DUCK" at byte 8; anything else at that path is not ours to open. */
function assertDuckDbFile(path: string): void {
  let head: Uint8Array;
  try {
    const f = Deno.openSync(path, { read: true });
    try {
      head = new Uint8Array(12);
      const n = f.readSync(head) ?? 0;
      if (n === 0) return; // empty: DuckDB initialises it
      if (n < 12) throw new UserError(`--db ${path}: not a DuckDB database (${n} bytes)`);
    } finally {
      f.close();
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return; // a new database
    if (e instanceof UserError) throw e;
    throw new UserError(`--db ${path}: cannot read it (${(e as Error).message})`);
  }
  if (new TextDecoder().decode(head.subarray(8, 12)) !== "DUCK") {
    throw new UserError(`--db ${path}: this file is not a DuckDB database; choose another path`);
  }
}

function describeOpenError(path: string, msg: string): string {
  const pid = /PID (\d+)/.exec(msg)?.[1];
  if (/lock/i.test(msg)) {
    return `--db ${path} is locked by another process${pid ? ` (PID ${pid})` : ""}: wait for it, or run into ` +
      `another --db and combine them with \`deno task merge\``;
  }
  if (/read-only|permission denied/i.test(msg)) return `--db ${path}: cannot write there (${msg.split("\n")[0]})`;
  return `--db ${path}: DuckDB cannot open it (${msg.split("\n")[0]})`;
}

/**
 * The DuckDB results store: one transaction per run, queries for claims and reports, export to Parquet or CSV, and
 * merging of stores.
 */
export class Store {
  private constructor(readonly path: string, private instance: DuckDBInstance, private db: DuckDBConnection) {}

  /**
   * Open (or create) a results database. A path that is not `:memory:` or `*.duckdb`, or an existing file that is
   * not a DuckDB database, is refused; DuckDB's own errors (a lock held by another process, a read-only folder, a
   * corrupt file) become one sentence (UserError).
   *
   * `externalAccess: false` (what run, check and verify use, the commands that execute paper code) turns off
   * DuckDB's own file and network access (COPY, ATTACH, read_csv, httpfs) and locks the configuration, so SQL
   * cannot write past Deno's permissions; export, merge and report keep it.
   */
  static async open(path: string, opts: { externalAccess?: boolean } = {}): Promise<Store> {
    if (path !== ":memory:") {
      if (!path.endsWith(".duckdb")) {
        throw new UserError(`--db ${path}: expected a DuckDB database path ending in .duckdb (or :memory:)`);
      }
      assertDuckDbFile(path);
      try {
        if (!exists(dirname(path))) Deno.mkdirSync(dirname(path), { recursive: true });
      } catch (e) {
        throw new UserError(`--db ${path}: cannot create its folder (${(e as Error).message})`);
      }
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(
        path,
        opts.externalAccess === false ? { enable_external_access: "false", lock_configuration: "true" } : {},
      );
    } catch (e) {
      throw new UserError(describeOpenError(path, (e as Error).message));
    }
    const db = await instance.connect();
    await db.run(SCHEMA);
    return new Store(path, instance, db);
  }

  async finishedRunIds(experiment: string): Promise<Set<string>> {
    const r = await this.db.runAndReadAll(
      `SELECT run_id FROM runs WHERE experiment = $1 AND status IN ('ok', 'skipped')`,
      [experiment],
    );
    return new Set(r.getRowObjects().map((o) => o.run_id as string));
  }

  /** Write one run and its metrics atomically, replacing any earlier attempt with the same id. */
  async writeRun(run: RunRecord, metrics: MetricValue[]): Promise<void> {
    await this.writeRuns([{ run, metrics }]);
  }

  /** Write several runs in one transaction, each replacing any earlier record of the same run id. */
  async writeRuns(batch: { run: RunRecord; metrics: MetricValue[] }[]): Promise<void> {
    if (!batch.length) return;
    await this.db.run("BEGIN TRANSACTION");
    try {
      // One delete per table for the whole batch (a rerun replaces its earlier record).
      const ids = batch.map(({ run }) => `'${run.run_id.replaceAll("'", "''")}'`).join(", ");
      await this.db.run(`DELETE FROM metrics WHERE run_id IN (${ids})`);
      await this.db.run(`DELETE FROM runs WHERE run_id IN (${ids})`);
      const seen = new Set<string>();
      for (const { run, metrics } of batch.toReversed()) {
        if (seen.has(run.run_id)) continue; // the last write of a run id wins
        seen.add(run.run_id);
        await this.db.run(
          `INSERT INTO runs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::TIMESTAMP, $12, $13, $14, $15)`,
          [
            run.run_id,
            run.experiment,
            run.method,
            run.seed,
            run.scale,
            JSON.stringify(run.config),
            run.status,
            run.error,
            run.backend,
            run.device,
            run.started_at.toISOString(),
            run.duration_ms,
            run.git_commit,
            run.code_version,
            JSON.stringify(run.versions),
          ],
        );
        if (metrics.length) {
          const app = await this.db.createAppender("metrics");
          for (const m of metrics) {
            app.appendVarchar(run.run_id);
            app.appendVarchar(m.name);
            if (m.step === null) app.appendNull();
            else app.appendInteger(m.step);
            app.appendDouble(m.value);
            app.endRow();
          }
          app.closeSync();
        }
      }
      await this.db.run("COMMIT");
    } catch (e) {
      await this.db.run("ROLLBACK");
      throw e;
    }
  }

  /** Forget runs (for `--fresh`). */
  async deleteRuns(runIds: string[]): Promise<void> {
    if (!runIds.length) return;
    await this.db.run("BEGIN TRANSACTION");
    for (const id of runIds) {
      await this.db.run("DELETE FROM metrics WHERE run_id = $1", [id]);
      await this.db.run("DELETE FROM runs WHERE run_id = $1", [id]);
    }
    await this.db.run("COMMIT");
  }

  async runs(experiment: string, runIds?: string[]): Promise<RunRecord[]> {
    const r = await this.db.runAndReadAll(`SELECT * FROM runs WHERE experiment = $1 ORDER BY run_id`, [
      experiment,
    ]);
    const ids = runIds && new Set(runIds);
    return r.getRowObjectsJS().filter((o) => !ids || ids.has(o.run_id as string)).map((o) => ({
      ...(o as unknown as RunRecord),
      config: JSON.parse(o.config as string),
      versions: JSON.parse((o.versions as string) ?? "{}"),
    }));
  }

  /** Tidy metric rows of an experiment's successful runs (optionally only `runIds`). */
  async metricRows(experiment: string, runIds?: string[]): Promise<MetricRow[]> {
    const r = await this.db.runAndReadAll(
      `SELECT r.run_id, r.method, r.seed, r.config, m.name, m.step, m.value, r.backend
       FROM metrics m JOIN runs r USING (run_id)
       WHERE r.experiment = $1 AND r.status = 'ok' ORDER BY r.run_id, m.name, m.step`,
      [experiment],
    );
    const ids = runIds && new Set(runIds);
    const configs = new Map<string, Record<string, unknown>>();
    const rows: MetricRow[] = [];
    for (const row of r.getRows()) {
      const runId = row[0] as string;
      if (ids && !ids.has(runId)) continue;
      let config = configs.get(runId);
      if (!config) configs.set(runId, config = JSON.parse(row[3] as string));
      rows.push({
        run_id: runId,
        method: row[1] as string,
        backend: row[7] as string,
        seed: Number(row[2]),
        config: config!,
        metric: row[4] as string,
        step: row[5] === null ? null : Number(row[5]),
        value: Number(row[6]),
      });
    }
    return rows;
  }

  /** Tidy rows of every successful run of every experiment (for `compare`), with the experiment id. */
  async allMetricRows(): Promise<(MetricRow & { experiment: string })[]> {
    const out: (MetricRow & { experiment: string })[] = [];
    const r = await this.db.runAndReadAll(`SELECT DISTINCT experiment FROM runs ORDER BY experiment`);
    for (const [experiment] of r.getRows()) {
      for (const row of await this.metricRows(experiment as string)) {
        out.push({ ...row, experiment: experiment as string });
      }
    }
    return out;
  }

  /** Write `runs` and `metrics` (of `experiments` only, when given) as Parquet or CSV files into `dir`. */
  async export(dir: string, format: "parquet" | "csv", experiments?: string[]): Promise<string[]> {
    Deno.mkdirSync(dir, { recursive: true });
    const out: string[] = [];
    const ids = experiments?.map((e) => `'${e.replaceAll("'", "''")}'`).join(", ");
    const runs = ids ? `(SELECT * FROM runs WHERE experiment IN (${ids}))` : "runs";
    const metrics = ids
      ? `(SELECT m.* FROM metrics m JOIN runs r USING (run_id) WHERE r.experiment IN (${ids}))`
      : "metrics";
    for (const [table, source] of [["runs", runs], ["metrics", metrics]]) {
      const file = `${dir}/${table}.${format}`;
      const opts = format === "parquet" ? "(FORMAT parquet)" : "(FORMAT csv, HEADER)";
      await this.db.run(`COPY ${source} TO '${file.replaceAll("'", "''")}' ${opts}`);
      out.push(file);
    }
    return out;
  }

  /** Copy every run of another database (e.g. a shard's) into this one; a run present in both is replaced. */
  async mergeFrom(path: string): Promise<number> {
    const alias = "src";
    assertDuckDbFile(path);
    try {
      await this.db.run(`ATTACH '${path.replaceAll("'", "''")}' AS ${alias} (READ_ONLY)`);
    } catch (e) {
      throw new UserError(`merge: cannot open shard ${path}: ${(e as Error).message.split("\n")[0]}`);
    }
    try {
      await this.db.run("BEGIN TRANSACTION");
      try {
        await this.db.run(`DELETE FROM metrics WHERE run_id IN (SELECT run_id FROM ${alias}.runs)`);
        await this.db.run(`DELETE FROM runs WHERE run_id IN (SELECT run_id FROM ${alias}.runs)`);
        await this.db.run(`INSERT INTO runs SELECT * FROM ${alias}.runs`);
        await this.db.run(`INSERT INTO metrics SELECT * FROM ${alias}.metrics`);
        await this.db.run("COMMIT");
      } catch (e) {
        // Roll back first, so the real cause is reported rather than "transaction is aborted".
        await this.db.run("ROLLBACK").catch(() => {});
        throw new UserError(
          `merge: shard ${path} could not be merged (nothing was changed): ${(e as Error).message.split("\n")[0]}`,
        );
      }
      const r = await this.db.runAndReadAll(`SELECT count(*) AS n FROM ${alias}.runs`);
      return Number(r.getRows()[0][0]);
    } finally {
      await this.db.run(`DETACH ${alias}`);
    }
  }

  /** Run a read-only SQL query (used by tests and tools). */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }
}

/** Whether a folder exists (read-only commands must not need write access to check). */
function exists(dir: string): boolean {
  try {
    return Deno.statSync(dir).isDirectory;
  } catch {
    return false;
  }
}

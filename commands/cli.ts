/** What every command shares: the usage text, argument parsing with errors for people, and the store. */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UserError } from "../lib/run/errors.ts";
import type { Store } from "../lib/run/store.ts";

/** Where runs go unless --db says otherwise. */
export const DEFAULT_DB = "results/results.duckdb";

/** The store loads DuckDB's native addon: only commands that need it pay for it (and need --allow-ffi). */
export async function openStore(path: string, opts: { externalAccess?: boolean } = {}): Promise<Store> {
  return await (await import("../lib/run/store.ts")).Store.open(path, opts);
}

export const USAGE = `usage (every command takes --help):
  deno task run <experiment>... [--scale smoke|paper] [--seeds N | --seed-list 0,3,7] [--set key=value]...
                [--methods a,b] [--backend auto|native|js|wasm|webgpu|cpu[,...]] [--fresh] [--shard k/n]
                [--db path] [--time-limit seconds] [--memory-limit GB] [--quiet]
  deno task run --list [--status built|planned|out-of-scope|<kind>] [--family text]
  deno task report <experiment>... [--db path] [--out dir] [--scale name] [--code-version hash|latest]
  deno task serve [--port N] [--dir path]
                (results/reports on http://127.0.0.1:8137/; the exploration page is /explore/)
  deno task check [<experiment>...] [--update]
                (smoke-scale regression check against results/baselines; appends to results/history/checks.jsonl)
  deno task verify <experiment>... [--seeds N] [--db path] [--time-limit seconds] [--memory-limit GB]
                (paper scale → results/verdicts/<id>.json, the evidence a paper's status comes from)
  deno task show <experiment> [--db path] [--scale name] [--where key=value]... [--metrics a,b] [--sort metric | --sort=-metric]
                [--limit N]      (runs × params × metrics)
  deno task compare <A> <B> [--all]
                (two .duckdb databases: paired per-config metric diff; two verdict files or folders: claim flips)
  deno task history <experiment> [--db path] [--metric a,b] [--scale name] [--checks path]
                (metrics across the code versions in a database, oldest first, and what changed beyond noise;
                 then the checks across commits that \`check\` appended to results/history/checks.jsonl)
  deno task merge <out.duckdb> <shard.duckdb>...
  deno task export [<experiment>...] [--db path] [--format parquet|csv] [--out dir]
  deno task catalog            (statuses from the verdicts; README.md's table and each paper's README regenerated)`;

/** `--memory-limit` in GB (default 8) as MB for the run process; a bad value is a UserError. */
export function parseMemoryLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const gb = Number(raw);
  if (!(gb >= 0.0625 && gb <= 1024)) {
    throw new UserError(`--memory-limit ${raw}: expected gigabytes between 0.0625 and 1024`);
  }
  return Math.round(gb * 1024);
}

/** Parses a command's options strictly; an unknown option is a UserError that shows the usage. */
export function parse<const O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${USAGE}`);
  }
}

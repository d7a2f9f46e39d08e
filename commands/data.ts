/** `deno task merge` and `deno task export`: move runs between databases and out to Parquet or CSV. */
import { UserError } from "../lib/run/errors.ts";
import { experimentIds, unknownExperiment } from "../lib/run/registry.ts";
import { DEFAULT_DB, openStore, parse, USAGE } from "./cli.ts";
export async function cmdMerge(args: string[]): Promise<number> {
  const [out, ...shards] = args;
  if (!out || !shards.length) throw new UserError(`merge needs an output and at least one shard\n${USAGE}`);
  const store = await openStore(out);
  try {
    for (const s of shards) {
      try {
        Deno.statSync(s);
      } catch {
        throw new UserError(`merge: no such database "${s}"`);
      }
      console.log(`${s}: ${await store.mergeFrom(s)} runs merged into ${out}`);
    }
  } finally {
    store.close();
  }
  return 0;
}

export async function cmdExport(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    db: { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
  });
  const format = v.format ?? "parquet";
  if (format !== "parquet" && format !== "csv") throw new UserError(`--format ${format}: expected parquet or csv`);
  const ids = experimentIds();
  for (const id of positionals) if (!ids.includes(id)) throw new UserError(unknownExperiment(id, ids));
  const store = await openStore(v.db ?? DEFAULT_DB);
  try {
    const files = await store.export(v.out ?? "results/export", format, positionals.length ? positionals : undefined);
    for (const f of files) console.log(f);
  } finally {
    store.close();
  }
  return 0;
}

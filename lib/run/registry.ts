/**
 * Experiments are discovered from `experiments/<id>/mod.ts`, never registered by hand.
 */
import type { AnyExperiment } from "../experiment.ts";
import { UserError } from "./errors.ts";
import { validateExperiment } from "./validate.ts";
import { join } from "node:path";
import { sha256 } from "./hash.ts";

/** Where experiments live; `REPRO_EXPERIMENTS_DIR` points elsewhere (the tests use a toy folder). */
export const EXPERIMENTS_DIR = Deno.env.get("REPRO_EXPERIMENTS_DIR")
  ? new URL(`file://${Deno.realPathSync(Deno.env.get("REPRO_EXPERIMENTS_DIR")!)}/`)
  : new URL("../../experiments/", import.meta.url);

/** Ids of every experiment folder that has a mod.ts, sorted. */
export function experimentIds(): string[] {
  const ids: string[] = [];
  for (const e of Deno.readDirSync(EXPERIMENTS_DIR)) {
    if (!e.isDirectory) continue;
    try {
      Deno.statSync(new URL(`${e.name}/mod.ts`, EXPERIMENTS_DIR));
      ids.push(e.name);
    } catch { /* a folder without mod.ts is not an experiment */ }
  }
  return ids.sort();
}

/** The URL of an experiment's mod.ts, from which it is imported and its code version hashed. */
export function experimentUrl(id: string): URL {
  return new URL(`${id}/mod.ts`, EXPERIMENTS_DIR);
}

/** Load an experiment by id and validate its declaration; an unknown id lists the known ones. */
export async function loadExperiment(id: string): Promise<AnyExperiment> {
  const ids = experimentIds();
  if (!ids.includes(id)) throw new UserError(unknownExperiment(id, ids));
  let mod;
  try {
    mod = await import(experimentUrl(id).href);
  } catch (e) {
    // A syntax or import error in the module: one sentence naming the module, not a stack trace.
    const first = String((e as Error).message ?? e).split("\n")[0];
    throw new UserError(`experiments/${id}/mod.ts does not load: ${first}`);
  }
  const exp = mod.default as AnyExperiment;
  if (!exp || exp.id !== id) {
    throw new UserError(`experiments/${id}/mod.ts must default-export defineExperiment({ id: "${id}", ... })`);
  }
  validateExperiment(exp);
  return exp;
}

/**
 * Why `id` cannot run: a catalog paper not built yet (with its status and reason), or a typo (did you mean …),
 * or simply unknown (with the known ids).
 */
export function unknownExperiment(id: string, ids: string[]): string {
  let catalog: { id: string; status: string }[] = [];
  try {
    catalog = JSON.parse(Deno.readTextFileSync(new URL("catalog.json", EXPERIMENTS_DIR)));
  } catch { /* no catalog beside these experiments (the tests' toy folder) */ }
  const entry = catalog.find((e) => e.id === id);
  if (entry) return `"${id}" is in the catalog but not built: ${entry.status}`;
  const near = [...new Set([...ids, ...catalog.map((e) => e.id)])]
    .map((k) => [k, editDistance(id, k)] as const)
    .filter(([k, d]) => d <= Math.max(2, Math.floor(k.length / 4)) || k.includes(id))
    .sort((a, b) => a[1] - b[1]).slice(0, 3).map(([k]) => k);
  return `unknown experiment "${id}".${near.length ? ` Did you mean ${near.join(", ")}?` : ""} Known experiments: ${
    ids.join(", ") || "(none)"
  }`;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** Hash of the experiment folder's source (tests and READMEs excluded): the code version in every run key. */
export function codeVersion(id: string): string {
  const dir = new URL(`${id}/`, EXPERIMENTS_DIR).pathname;
  const files = [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts"))
    .map((e) => e.name)
    .sort();
  const parts = files.map((f) => `${f}\n${sha256(Deno.readFileSync(join(dir, f)))}`);
  return sha256(parts.join("\n")).slice(0, 12);
}

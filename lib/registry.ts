/**
 * Experiments are discovered from `experiments/<id>/mod.ts`, never registered by hand.
 */
import type { AnyExperiment } from "./experiment.ts";
import { UserError } from "./errors.ts";
import { validateExperiment } from "./validate.ts";

/** Where experiments live; `REPRO_EXPERIMENTS_DIR` points elsewhere (the tests use a toy folder). */
export const EXPERIMENTS_DIR = Deno.env.get("REPRO_EXPERIMENTS_DIR")
  ? new URL(`file://${Deno.realPathSync(Deno.env.get("REPRO_EXPERIMENTS_DIR")!)}/`)
  : new URL("../experiments/", import.meta.url);

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

export function experimentUrl(id: string): URL {
  return new URL(`${id}/mod.ts`, EXPERIMENTS_DIR);
}

/** Load an experiment by id and validate its declaration; an unknown id lists the known ones. */
export async function loadExperiment(id: string): Promise<AnyExperiment> {
  const ids = experimentIds();
  if (!ids.includes(id)) {
    throw new UserError(`unknown experiment "${id}". Known experiments: ${ids.join(", ") || "(none)"}`);
  }
  const mod = await import(experimentUrl(id).href);
  const exp = mod.default as AnyExperiment;
  if (!exp || exp.id !== id) {
    throw new UserError(`experiments/${id}/mod.ts must default-export defineExperiment({ id: "${id}", ... })`);
  }
  validateExperiment(exp);
  return exp;
}

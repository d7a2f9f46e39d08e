/**
 * From a scale and `--set` overrides to validated config points.
 *
 * A point is the scale's `set`, overlaid with one element of the cross product of its `grid`, overlaid with
 * `--set key=value` (a comma list sweeps several values), then parsed by the experiment's zod schema so
 * defaults fill in. Every mistake names the key, the value and what was expected.
 *
 * @example
 * ```ts
 * const points = configPoints(exp, "smoke", parseSets(["n=100,200", "p=0.1"]));
 * ```
 */
import type { z } from "zod";
import type { AnyExperiment, Scale } from "../experiment.ts";
import { UserError } from "./errors.ts";

/** `["n=100,200", "noise=0"]` → `{ n: ["100", "200"], noise: ["0"] }` (raw strings, typed later). */
export function parseSets(sets: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new UserError(`--set "${s}": expected key=value (e.g. --set n=100 or --set n=100,200)`);
    const key = s.slice(0, eq).trim(), raw = s.slice(eq + 1).trim();
    out[key] = raw.startsWith("[") || raw.startsWith("{") ? [raw] : raw.split(",").map((v) => v.trim());
  }
  return out;
}

/** An experiment's scale by name, or a UserError listing the scales it has. */
export function getScale(exp: AnyExperiment, name: string): Scale<Record<string, unknown>> {
  const scale = exp.scales[name];
  if (!scale) {
    throw new UserError(
      `experiment "${exp.id}" has no scale "${name}"; its scales are: ${Object.keys(exp.scales).join(", ")}`,
    );
  }
  return scale as Scale<Record<string, unknown>>;
}

/** Validated config points of a scale, with `--set` overrides applied. */
export function configPoints(
  exp: AnyExperiment,
  scaleName: string,
  sets: Record<string, string[]> = {},
): Record<string, unknown>[] {
  const scale = getScale(exp, scaleName);
  const shape = exp.config.shape as Record<string, z.ZodType>;
  const grid: Record<string, unknown[]> = { ...(scale.grid as Record<string, unknown[]> ?? {}) };
  for (const [key, raws] of Object.entries(sets)) {
    if (!(key in shape)) {
      throw new UserError(
        `--set ${key}=${raws.join(",")}: "${exp.id}" has no config key "${key}"; its keys are: ${
          Object.keys(shape).join(", ")
        }`,
      );
    }
    grid[key] = raws.map((raw) => coerce(exp.id, key, raw, shape[key]));
  }
  return crossProduct(grid).map((point) => validate(exp, { ...(scale.set ?? {}), ...point }, sets));
}

/** Every combination of the grid's values, keys in declaration order; `{}` gives one empty point. */
export function crossProduct(grid: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return points;
}

/** The largest integer a `--set` value may take (2³¹ − 1). */
export const MAX_COUNT = 2 ** 31 - 1;

/** Turn a `--set` string into the type the schema expects, or explain why not. */
function coerce(expId: string, key: string, raw: string, schema: z.ZodType): unknown {
  const expected = describeType(schema);
  let value: unknown = raw;
  if (expected === "number") value = raw === "" ? NaN : Number(raw);
  else if (expected === "boolean") value = raw === "true" ? true : raw === "false" ? false : raw;
  else if (expected !== "string" && expected !== "enum") {
    try {
      value = JSON.parse(raw);
    } catch { /* leave as string; the schema will reject it with a message */ }
  }
  // A size or count past 2³¹ cannot index an array here and would not finish: refuse it before any run starts
  // (otherwise every run fails on its own, after allocating what it can).
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) > MAX_COUNT) {
    throw new UserError(
      `--set ${key}=${raw}: ${value} is more than ${MAX_COUNT} (2³¹ − 1), the most elements an array index reaches ` +
        `here; a run at this size cannot finish`,
    );
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new UserError(
      `--set ${key}=${raw}: ${r.error.issues[0]?.message ?? "invalid"} (experiment "${expId}" expects ${expected}${
        schema.description ? `: ${schema.description}` : ""
      })`,
    );
  }
  return r.data;
}

function validate(
  exp: AnyExperiment,
  point: Record<string, unknown>,
  sets: Record<string, string[]>,
): Record<string, unknown> {
  const r = exp.config.safeParse(point);
  if (r.success) return r.data as Record<string, unknown>;
  const issue = r.error.issues[0];
  const key = String(issue.path[0] ?? "");
  const origin = key in sets ? "--set" : "the scale's settings";
  throw new UserError(
    `config key "${key}" = ${JSON.stringify(point[key])} (from ${origin}) is invalid for "${exp.id}": ${issue.message}`,
  );
}

/** The base type name of a (possibly default/optional-wrapped) zod schema. */
function describeType(schema: z.ZodType): string {
  // deno-lint-ignore no-explicit-any
  let s: any = schema;
  while (s?.def?.innerType) s = s.def.innerType;
  return s?.def?.type ?? "value";
}

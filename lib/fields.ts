/**
 * Config fields: the zod schemas that config keys use most, one call each, so a module's config reads as a table of
 * names, defaults and meanings. Each returns the plain zod schema (defaults, bounds and `.describe` text are what the
 * CLI, the validation messages and the generated README read), so a field can still be chained, e.g.
 * `count(64, "width").max(4096)`.
 *
 * @example
 * ```ts
 * const config = z.object({
 *   nTrain: count(2000, "training images"),            // z.number().int().positive().default(2000).describe(…)
 *   lr: positive(0.1, "SGD step"),                     // z.number().positive()…
 *   momentum: atLeast(0, 0.9, "SGD momentum"),          // z.number().min(0)…
 *   rank: intAtLeast(1, 8, "rank of the factors"),      // z.number().int().min(1)…
 *   keep: between(0, 1, 0.5, "fraction of weights kept"), // z.number().min(0).max(1)…
 * });
 * ```
 */
import { z } from "zod";

/** A positive integer (a size, a count, a number of steps) with its default and meaning. */
export const count = (def: number, what: string) => z.number().int().positive().default(def).describe(what);

/** A positive real (a step size, a scale) with its default and meaning. */
export const positive = (def: number, what: string) => z.number().positive().default(def).describe(what);

/** An integer ≥ `min` with its default and meaning. */
export const intAtLeast = (min: number, def: number, what: string) =>
  z.number().int().min(min).default(def).describe(what);

/** A real ≥ `min` with its default and meaning. */
export const atLeast = (min: number, def: number, what: string) => z.number().min(min).default(def).describe(what);

/** A real in [min, max] with its default and meaning. */
export const between = (min: number, max: number, def: number, what: string) =>
  z.number().min(min).max(max).default(def).describe(what);

/** An integer in [min, max] with its default and meaning. */
export const intBetween = (min: number, max: number, def: number, what: string) =>
  z.number().int().min(min).max(max).default(def).describe(what);

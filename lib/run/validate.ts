/**
 * Validate an experiment declaration when it loads, so a mistake reads as a sentence naming the key, the value
 * and what was expected, instead of a broken link in a report or a claim that silently reads nothing.
 *
 * Checked: the paper's code is `owner/name`; every claim has a kind and unique id, its sources are `{url, where}`,
 * its scales exist, and the metrics its vocabulary check reads are declared; at least one claim is a paper claim;
 * metrics named by tables, figures (`datum.metric == '…'`) and paper numbers exist; tolerances are well formed;
 * scale grids, `set`, `methods` and `dataKeys` name real config keys and methods; tuning grids name methods.
 * (That `data()` reads only `dataKeys` is enforced at run time by the worker.)
 */
import { z } from "zod";
import type { AnyExperiment } from "../experiment.ts";
import { CLAIM_KINDS } from "../claims/types.ts";
import { UserError } from "./errors.ts";

const source = z.object({ url: z.string().url("a URL"), where: z.string().min(1).optional() }).strict();

const tolerance = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("stable"), rel: z.number().positive().max(0.04).optional() }).strict(),
  z.object({ kind: z.literal("exact") }).strict(),
  z.object({ kind: z.literal("rounding"), floor: z.number().positive() }).strict(),
  z.object({
    kind: z.literal("conditioned"),
    cond: z.union([z.number().min(1), z.string().min(1)]),
    dtype: z.enum(["float64", "float32"]).optional(),
  }).strict(),
  z.object({ kind: z.literal("iterative"), rtol: z.number().positive().max(0.04) }).strict(),
  z.object({ kind: z.literal("statistic"), rel: z.number().positive().max(0.04).optional() }).strict(),
]);

const shape = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "a kebab-case id"),
  paper: z.object({
    title: z.string().min(1),
    authors: z.string().min(1),
    year: z.number().int(),
    arxiv: z.string().optional(),
    url: z.string().url("a URL").optional(),
    code: z.string().regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, "GitHub owner/name (not a URL; use codeUrl)")
      .optional(),
    codeUrl: z.string().url("a URL").optional(),
    venue: z.string().optional(),
  }).strict(),
  summary: z.string().min(1),
  metrics: z.record(
    z.string(),
    z.object({
      label: z.string().optional(),
      unit: z.string().optional(),
      direction: z.enum(["lower", "higher", "none"]),
      tolerance: tolerance.optional(),
      timing: z.boolean().optional(),
    }).strict(),
  ),
  claims: z.array(
    z.object({
      id: z.string().regex(/^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/, "a kebab-case id"),
      kind: z.enum(CLAIM_KINDS as unknown as [string, ...string[]]),
      statement: z.string().min(1),
      paper: z.object({ value: z.string().min(1), source }).strict().optional(),
      timing: z.boolean().optional(),
      scales: z.array(z.string()).min(1).optional(),
      check: z.function(),
    }).strict(),
  ).min(1),
  paperNumbers: z.array(
    z.object({
      method: z.string(),
      metric: z.string(),
      value: z.number(),
      where: z.record(z.string(), z.unknown()).optional(),
      source,
    }).strict(),
  ).optional(),
  tuning: z.object({ rule: z.string().min(1), budget: z.string().min(1), grids: z.record(z.string(), z.string()) })
    .strict().optional(),
}).passthrough();

/** Every problem with an experiment's declaration, one line each (empty when it is well formed). */
export function declarationProblems(exp: AnyExperiment): string[] {
  const problems: string[] = [];
  const parsed = shape.safeParse(exp);
  if (!parsed.success) {
    for (const iss of parsed.error.issues) {
      const value = iss.path.reduce((o: any, k) => (o == null ? o : o[k as any]), exp as any);
      const shown = typeof value === "function" ? "a function" : JSON.stringify(value)?.slice(0, 80);
      problems.push(`${iss.path.join(".") || "(root)"}: ${iss.message}${value !== undefined ? `, got ${shown}` : ""}`);
    }
    return problems;
  }
  const metrics = new Set([...Object.keys(exp.metrics), "time_ms"]);
  const methods = new Set(Object.keys(exp.methods));
  const scales = new Set(Object.keys(exp.scales));
  const configKeys = new Set(Object.keys(exp.config.shape));
  const metric = (where: string, m: string) => {
    if (!metrics.has(m) && !m.startsWith("hp.")) {
      problems.push(`${where}: metric "${m}" is not declared in metrics (known: ${[...metrics].join(", ")})`);
    }
  };

  const ids = new Set<string>();
  exp.claims.forEach((c, i) => {
    if (ids.has(c.id)) problems.push(`claims[${i}].id: duplicate claim id "${c.id}"`);
    ids.add(c.id);
    for (const s of c.scales ?? []) {
      if (!scales.has(s)) problems.push(`claims[${i}] (${c.id}).scales: no scale "${s}" (known: ${[...scales]})`);
    }
    for (const m of c.check.metrics ?? []) metric(`claims[${i}] (${c.id})`, m);
  });
  if (!exp.claims.some((c) => c.kind === "paper")) {
    problems.push(`claims: none has kind "paper", so nothing can decide the paper's status`);
  }
  for (const t of exp.tables ?? []) {
    for (const m of t.metrics) metric(`tables.${t.id}`, m);
    for (const k of t.by ?? []) {
      if (k !== "backend" && !configKeys.has(k)) problems.push(`tables.${t.id}.by: no config key "${k}"`);
    }
  }
  for (const f of exp.figures ?? []) {
    for (const [, m] of JSON.stringify(f.spec).matchAll(/datum\.metric\s*===?\s*'([^']+)'/g)) {
      metric(`figures.${f.id}`, m);
    }
  }
  (exp.paperNumbers ?? []).forEach((p, i) => {
    metric(`paperNumbers[${i}]`, p.metric);
    if (!methods.has(p.method)) problems.push(`paperNumbers[${i}].method: no method "${p.method}"`);
  });
  for (const [name, spec] of Object.entries(exp.metrics)) {
    const t = spec.tolerance;
    if (t?.kind === "conditioned" && typeof t.cond === "string" && !metrics.has(t.cond)) {
      problems.push(`metrics.${name}.tolerance.cond: metric "${t.cond}" is not declared`);
    }
  }
  for (const [name, scale] of Object.entries(exp.scales)) {
    for (const k of [...Object.keys(scale.grid ?? {}), ...Object.keys(scale.set ?? {})]) {
      if (!configKeys.has(k)) problems.push(`scales.${name}: no config key "${k}" (known: ${[...configKeys]})`);
    }
    for (const m of scale.methods ?? []) {
      if (!methods.has(m)) problems.push(`scales.${name}.methods: no method "${m}"`);
    }
  }
  for (const k of (exp.dataKeys ?? []) as string[]) {
    if (!configKeys.has(k)) problems.push(`dataKeys: no config key "${k}"`);
  }
  for (const m of Object.keys(exp.tuning?.grids ?? {})) {
    if (!methods.has(m)) problems.push(`tuning.grids: no method "${m}"`);
  }
  return problems;
}

/** Throw a UserError listing every problem of the declaration (experiments/<id>/mod.ts). */
export function validateExperiment(exp: AnyExperiment): void {
  const problems = declarationProblems(exp);
  if (problems.length) {
    throw new UserError(
      `experiments/${exp.id}/mod.ts is invalid:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    );
  }
}

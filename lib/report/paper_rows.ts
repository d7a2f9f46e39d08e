/**
 * The paper's own numbers drawn on our figures: each `paperNumbers` entry becomes a row of its own series,
 * "<method> (paper)", in every figure whose x axis and panels it can be placed on (its `where` names the figure's
 * x field and every panel field, or the field is one the row carries anyway: method, metric). Sources are listed
 * on the page beside the table of paper numbers.
 */
import type { PaperNumber } from "../experiment.ts";

/** Fields every row carries, paper rows included. */
const CARRIED = new Set(["method", "metric", "value", "backend", "seed"]);

/** The x field and the panel fields of a Vega-Lite spec (top level, facets, and layers). */
export function placementFields(spec: Record<string, unknown>): { x?: string; panels: string[] } {
  // deno-lint-ignore no-explicit-any
  const s = spec as any;
  const enc = s.encoding ?? s.spec?.encoding ?? s.spec?.layer?.find((l: any) => l.encoding?.x)?.encoding ??
    s.layer?.find((l: any) => l.encoding?.x)?.encoding ?? {};
  const panels: string[] = [];
  for (const f of [enc.column, enc.row, enc.facet, s.facet?.column, s.facet?.row, s.facet]) {
    if (f && typeof f.field === "string") panels.push(f.field);
  }
  return { x: enc.x?.field, panels };
}

/** Rows for the paper's numbers that this figure can place; none when it cannot place any (e.g. x = step). */
export function paperRows(spec: Record<string, unknown>, numbers: readonly PaperNumber[]): Record<string, unknown>[] {
  const { x, panels } = placementFields(spec);
  if (!x || x === "step") return [];
  const placeable = (n: PaperNumber) =>
    [x, ...panels].every((f) => CARRIED.has(f) || (n.where !== undefined && f in n.where));
  return numbers.filter(placeable).map((n) => ({
    ...(n.where ?? {}),
    method: `${n.method} (paper)`,
    backend: "paper",
    seed: -1,
    metric: n.metric,
    step: null,
    value: n.value,
    source: n.source,
  }));
}

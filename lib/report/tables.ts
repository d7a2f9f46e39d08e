/**
 * Summary tables: mean ± 95% CI over seeds per method × config, with the paper's own numbers beside ours.
 */
import type { PaperNumber, Source, Table } from "../experiment.ts";
import type { ResultSet } from "../claims/results.ts";
import { canonicalJson } from "../run/hash.ts";
import { ci95, mean } from "../math/stats.ts";

/** One table cell: a metric's mean over seeds with its 95% CI, range and count, and the paper's value when known. */
export interface Cell {
  mean: number;
  /** Half-width of the 95% CI over seeds (shown only with ≥ 3 seeds). */
  ci: number;
  min: number;
  max: number;
  n: number;
  paper?: { value: number; source: Source };
}

/** A results table before formatting: its columns and one row per method and `by` values. */
export interface TableData {
  columns: string[]; // "method", the `by` keys, then one per metric
  rows: { key: Record<string, unknown>; cells: Record<string, Cell | undefined> }[];
}

/**
 * One row per method × `by` values. A method that ran on several backends is split by backend (never pooled).
 */
export function tableData(t: Table, results: ResultSet, paper: PaperNumber[] = []): TableData {
  const perMethod = new Map<string, Set<string>>();
  for (const r of results.rows) {
    (perMethod.get(r.method) ?? perMethod.set(r.method, new Set()).get(r.method)!).add(r.backend);
  }
  const mixed = [...perMethod.values()].some((b) => b.size > 1);
  const by = mixed && !(t.by ?? []).includes("backend") ? [...(t.by ?? []), "backend"] : t.by ?? [];
  const groups = new Map<string, { key: Record<string, unknown>; cells: Record<string, Cell | undefined> }>();
  for (const metric of t.metrics) {
    const bucket = new Map<string, { key: Record<string, unknown>; v: number[] }>();
    for (const r of results.select({ metric, step: t.step ?? "last" })) {
      const key = {
        method: r.method,
        ...Object.fromEntries(by.map((k) => [k, k === "backend" ? r.backend : r.config[k]])),
      };
      const id = canonicalJson(key);
      (bucket.get(id) ?? bucket.set(id, { key, v: [] }).get(id)!).v.push(r.value);
    }
    for (const [id, { key, v }] of bucket) {
      const g = groups.get(id) ?? groups.set(id, { key, cells: {} }).get(id)!;
      const p = paper.find((p) =>
        p.method === key.method && p.metric === metric &&
        Object.entries(p.where ?? {}).every(([k, val]) => key[k] === val)
      );
      g.cells[metric] = {
        mean: mean(v),
        ci: ci95(v),
        min: Math.min(...v),
        max: Math.max(...v),
        n: v.length,
        paper: p && { value: p.value, source: p.source },
      };
    }
  }
  const rows = [...groups.values()].sort((a, b) => compareKeys(a.key, b.key, ["method", ...by]));
  return { columns: ["method", ...by, ...t.metrics], rows };
}

function compareKeys(a: Record<string, unknown>, b: Record<string, unknown>, keys: string[]): number {
  for (const k of keys) {
    const x = a[k] as number | string, y = b[k] as number | string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A number in at most four significant digits (exponent form when very large or small), for tables and prose. */
export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const ax = Math.abs(x);
  return ax >= 1e4 || ax < 1e-3 ? x.toExponential(2) : x.toPrecision(4).replace(/\.?0+$/, "");
}

/** mean ± 95% CI with ≥ 3 seeds; mean [min–max] with 2 (a t-interval on 2 values is meaningless); the value with 1. */
export function fmtCell(c: Cell | undefined): string {
  if (!c) return "–";
  const ours = c.n >= 3
    ? `${fmtNumber(c.mean)} ± ${fmtNumber(c.ci)}`
    : c.n === 2
    ? `${fmtNumber(c.mean)} [${fmtNumber(c.min)}–${fmtNumber(c.max)}]`
    : fmtNumber(c.mean);
  return c.paper ? `${ours} (paper: ${fmtNumber(c.paper.value)})` : ours;
}

/** A results table as a markdown table, for the report's per-table .md files and report.md. */
export function tableMarkdown(d: TableData): string {
  const head = `| ${d.columns.join(" | ")} |\n|${d.columns.map(() => "---").join("|")}|`;
  const body = d.rows.map((r) =>
    `| ${d.columns.map((c) => (c in r.key ? String(r.key[c]) : fmtCell(r.cells[c]))).join(" | ")} |`
  );
  return [head, ...body].join("\n");
}

/**
 * Summary tables: mean ± 95% CI over seeds per method × config, with the paper's own numbers beside ours.
 */
import type { PaperNumber, Source, Table } from "../experiment.ts";
import type { ResultSet } from "../results.ts";
import { canonicalJson } from "../hash.ts";
import { ci95, mean } from "../stats.ts";

export interface Cell {
  mean: number;
  ci: number;
  n: number;
  paper?: { value: number; source: Source };
}

export interface TableData {
  columns: string[]; // "method", the `by` keys, then one per metric
  rows: { key: Record<string, unknown>; cells: Record<string, Cell | undefined> }[];
}

export function tableData(t: Table, results: ResultSet, paper: PaperNumber[] = []): TableData {
  const by = t.by ?? [];
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
      g.cells[metric] = { mean: mean(v), ci: ci95(v), n: v.length, paper: p && { value: p.value, source: p.source } };
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

export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const ax = Math.abs(x);
  return ax >= 1e4 || ax < 1e-3 ? x.toExponential(2) : x.toPrecision(4).replace(/\.?0+$/, "");
}

export function fmtCell(c: Cell | undefined): string {
  if (!c) return "–";
  const ours = c.n > 1 ? `${fmtNumber(c.mean)} ± ${fmtNumber(c.ci)}` : fmtNumber(c.mean);
  return c.paper ? `${ours} (paper: ${fmtNumber(c.paper.value)})` : ours;
}

export function tableMarkdown(d: TableData): string {
  const head = `| ${d.columns.join(" | ")} |\n|${d.columns.map(() => "---").join("|")}|`;
  const body = d.rows.map((r) =>
    `| ${d.columns.map((c) => (c in r.key ? String(r.key[c]) : fmtCell(r.cells[c]))).join(" | ")} |`
  );
  return [head, ...body].join("\n");
}

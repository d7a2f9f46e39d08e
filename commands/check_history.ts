/**
 * The check history: each `deno task check` appends, per experiment, one JSON line to
 * `results/history/checks.jsonl` (kept out of git) with the date, the commit, the machine (linear-algebra
 * environment, CPU, BLAS library and kernel), the smoke-scale metric means (per method × config × metric, as the
 * baselines summarize them) and the claims' verdicts. `deno task history <id>` prints it as a table across
 * commits; `deno task report` hands it to the exploration page, which plots a metric across commits. The file is
 * JSON lines so that CI machines can append to it (and their files can be concatenated).
 */
import type { MachineRecord } from "../lib/run/versions.ts";
import type { ClaimKind } from "../lib/claims/types.ts";
import { readJsonLines } from "../lib/run/lines.ts";
import { envLabel } from "../lib/report/explore/html.js";

/** Where `check` appends and `history`/`report` read. */
export const CHECK_HISTORY = new URL("../results/history/checks.jsonl", import.meta.url);

/** One experiment's check: one line of checks.jsonl. */
export interface CheckHistoryEntry {
  date: string;
  git_commit: string;
  machine: MachineRecord;
  experiment: string;
  scale: string;
  /** True when the check rewrote the baseline (`--update`). */
  update: boolean;
  /** Runs that failed or timed out. */
  failed: number;
  metrics: { method: string; config: Record<string, unknown>; metric: string; mean: number; n: number }[];
  claims: { id: string; kind: ClaimKind; pass: boolean; graded: boolean; timing: boolean }[];
}

/** Append entries to the history file, creating its folder. Never throws: a history that cannot be written only warns. */
export function appendCheckHistory(entries: CheckHistoryEntry[], path: string | URL = CHECK_HISTORY): boolean {
  if (!entries.length) return true;
  try {
    const dir = new URL(".", path instanceof URL ? path : new URL(path, `file://${Deno.cwd()}/`));
    Deno.mkdirSync(dir, { recursive: true });
    Deno.writeTextFileSync(path, entries.map((e) => JSON.stringify(e)).join("\n") + "\n", { append: true });
    return true;
  } catch (e) {
    console.warn(`warning: check history not written to ${path}: ${(e as Error).message}`);
    return false;
  }
}

/** The entries of a history file, in file (append) order; [] when the file is absent. Bad lines are skipped. */
export function readCheckHistory(path: string | URL = CHECK_HISTORY, experiment?: string): CheckHistoryEntry[] {
  return readJsonLines(path, (v) => {
    const e = v as CheckHistoryEntry;
    const valid = typeof e?.experiment === "string" && Array.isArray(e.metrics) && Array.isArray(e.claims);
    return valid && (!experiment || e.experiment === experiment) ? e : undefined;
  });
}

/** A short name for the environment a check ran in (shared with the exploration page). */
export { envLabel };

/** Mean over configs of one method × metric in an entry (the mean of the per-config seed means). */
export function entryMean(e: CheckHistoryEntry, method: string, metric: string): number | undefined {
  const v = e.metrics.filter((m) => m.method === method && m.metric === metric && Number.isFinite(m.mean))
    .map((m) => m.mean);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
}

/** Entries in check order: by date, file order breaking ties. */
export function checkOrder(entries: readonly CheckHistoryEntry[]): CheckHistoryEntry[] {
  return entries.map((e, i) => ({ e, i })).sort((a, b) =>
    a.e.date < b.e.date ? -1 : a.e.date > b.e.date ? 1 : a.i - b.i
  )
    .map((x) => x.e);
}

const fmt = (x: number | undefined) =>
  x === undefined ? "–" : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(4) : x.toExponential(2);

/**
 * The history of one experiment's checks as text: one row per check (commit, date, environment, graded claims
 * holding per kind, and the chosen method · metric means over configs), then each claim's pass/fail counts.
 * `metrics` picks metrics by name; without it the first `maxColumns` non-timing method · metric pairs are shown.
 */
export function formatCheckHistory(
  entries: readonly CheckHistoryEntry[],
  opts: { metrics?: string[]; maxColumns?: number } = {},
): string {
  if (!entries.length) return "";
  const ordered = checkOrder(entries);
  const max = opts.maxColumns ?? 6;
  const all = [
    ...new Set(ordered.flatMap((e) => e.metrics.map((m) => `${m.method} · ${m.metric}`))),
  ].filter((k) => {
    const metric = k.split(" · ")[1];
    return opts.metrics ? opts.metrics.includes(metric) : metric !== "time_ms" && !metric.startsWith("hp.");
  }).sort((a, b) => {
    // By metric, then method: the first columns compare the methods on one metric.
    const [ma, xa] = a.split(" · "), [mb, xb] = b.split(" · ");
    return xa < xb ? -1 : xa > xb ? 1 : ma < mb ? -1 : ma > mb ? 1 : 0;
  });
  const keys = opts.metrics ? all : all.slice(0, max);
  const lines: string[] = [];
  lines.push(`| # | commit | date | env | claims holding | ${keys.join(" | ")} |`);
  lines.push(`|---|---|---|---|---|${keys.map(() => "---").join("|")}|`);
  for (const [i, e] of ordered.entries()) {
    const kinds = [...new Set(e.claims.filter((c) => c.graded).map((c) => c.kind))];
    const claims = kinds.map((k) => {
      const of = e.claims.filter((c) => c.graded && c.kind === k);
      return `${k} ${of.filter((c) => c.pass).length}/${of.length}`;
    }).join(", ") || "–";
    const means = keys.map((k) => {
      const [method, metric] = k.split(" · ");
      return fmt(entryMean(e, method, metric));
    });
    lines.push(
      `| ${i + 1} | ${e.git_commit.slice(0, 10)}${e.update ? " (update)" : ""} | ${e.date.slice(0, 16)} | ${
        envLabel(e.machine)
      } | ${claims} | ${means.join(" | ")} |`,
    );
  }
  if (all.length > keys.length) {
    lines.push(`(${all.length - keys.length} more method · metric pairs; pick metrics with --metric a,b)`);
  }
  const ids = [...new Set(ordered.flatMap((e) => e.claims.map((c) => c.id)))];
  if (ids.length) {
    lines.push("", "claims across checks (graded ones):");
    for (const id of ids) {
      const of = ordered.flatMap((e) => e.claims.filter((c) => c.id === id && c.graded).map((c) => ({ c, e })));
      const held = of.filter((x) => x.c.pass).length;
      const kind = ordered.flatMap((e) => e.claims).find((c) => c.id === id)?.kind ?? "";
      const failedAt = [...new Set(of.filter((x) => !x.c.pass).map((x) => x.e.git_commit.slice(0, 7)))];
      lines.push(
        `  ${id} (${kind}): ${of.length ? `held ${held}, failed ${of.length - held}` : "not graded at smoke scale"}${
          failedAt.length ? `; failed at ${failedAt.slice(0, 6).join(", ")}${failedAt.length > 6 ? ", …" : ""}` : ""
        }`,
      );
    }
  }
  const commits = new Set(ordered.map((e) => e.git_commit)).size;
  const envs = new Set(ordered.map((e) => envLabel(e.machine))).size;
  lines.push("", `${ordered.length} checks of ${ordered[0].experiment} at ${commits} commits in ${envs} environments`);
  return lines.join("\n");
}

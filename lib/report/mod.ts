/**
 * `deno task report <id>`: one notebook-style page per paper, generated from the module and the store.
 *
 * Writes into `dir`: `index.html` (self-contained: inline SVG, no scripts), `report.md`, each figure as
 * `<id>.svg` and `<id>.png`, each table as `<id>.md`, `claims.md`, and `rows.json` (the tidy rows, for
 * duckdb-wasm or any other tool in a browser).
 */
import type { AnyExperiment, Scale, Source } from "../experiment.ts";
import type { RunRecord, Store } from "../run/store.ts";
import { ResultSet } from "../claims/results.ts";
import { type ClaimResult, evaluateClaims, splitByBackend } from "../claims/mod.ts";
import { readVerdict } from "../claims/verdicts.ts";
import { readResults } from "../run/sweep.ts";
import { codeVersion } from "../run/plan.ts";
import { UserError } from "../run/errors.ts";
import { renderSvg, svgToPng } from "./render.ts";
import { fmtCell, tableData, tableMarkdown } from "./tables.ts";
import { renderPage } from "./page.ts";
import { paperRows } from "./paper_rows.ts";
import { withMetricLabels } from "../figures/mod.ts";
import { verdictSetsMarkdown } from "./claims_markdown.ts";

/** Which runs a paper page reports: the scale and the code version. */
export interface ReportOptions {
  /** Which scale to report (default: `paper` if it has runs, else `smoke`). */
  scale?: string;
  /**
   * Report runs of this code version (default: the experiment folder's current one); "latest" takes the
   * version of the most recent run, e.g. a long paper-scale sweep made before a cosmetic edit.
   */
  codeVersion?: string;
}

/** What writeReport wrote, and the claim verdicts it evaluated (one set per backend set). */
export interface ReportSummary {
  files: string[];
  scale: string;
  /** The verdicts of the first backend set (see `sets` for all). */
  claims: ClaimResult[];
  /** One verdict set per backend set: runs of one method on two backends are never pooled. */
  sets: { label: string; claims: ClaimResult[] }[];
}

/**
 * Write an experiment's report (self-contained HTML page, markdown, figures as SVG and PNG, tables, claim verdicts)
 * from the store's runs at one scale.
 */
export async function writeReport(
  exp: AnyExperiment,
  store: Store,
  dir: string,
  opts: ReportOptions = {},
): Promise<ReportSummary> {
  const runsOf = await store.runs(exp.id);
  const latest = [...runsOf].sort((a, b) => +b.started_at - +a.started_at)[0]?.code_version;
  const version = opts.codeVersion === "latest" ? latest : opts.codeVersion ?? codeVersion(exp.id);
  const all = runsOf.filter((r) => r.code_version === version);
  if (!all.length) {
    throw new UserError(
      `no runs of "${exp.id}" at its current code version in ${store.path}: run \`deno task run ${exp.id}\` first` +
        (latest && latest !== version ? ` (or report older runs with --code-version latest)` : ""),
    );
  }
  const scale = opts.scale ?? (all.some((r) => r.scale === "paper") ? "paper" : all[0].scale);
  const runs = all.filter((r) => r.scale === scale);
  const results = await readResults(store, exp.id, runs.map((r) => r.run_id), runs);
  const sets = splitByBackend(results).map((set) => ({
    label: set.label,
    claims: evaluateClaims(exp, set.results, { scale }),
  }));
  const claims = sets[0].claims;
  const flat = results.rows.map((r) => ({
    ...r.config,
    method: r.method,
    backend: r.backend,
    seed: r.seed,
    metric: r.metric,
    step: r.step,
    value: r.value,
  }));

  Deno.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    const path = `${dir}/${name}`;
    if (typeof data === "string") Deno.writeTextFileSync(path, data);
    else Deno.writeFileSync(path, data);
    files.push(path);
  };

  const figures = [];
  for (const f of exp.figures ?? []) {
    // The paper's numbers join the figure as "<method> (paper)" series wherever they can be placed.
    const paper = paperRows(f.spec, exp.paperNumbers ?? []);
    const svg = await renderSvg({ title: f.title, ...withMetricLabels(f.spec, exp.metrics) }, [...flat, ...paper]);
    write(`${f.id}.svg`, svg);
    write(`${f.id}.png`, await svgToPng(svg));
    const sources = [...new Map(paper.map((r) => [(r.source as Source).url, r.source as Source])).values()];
    figures.push({ figure: f, svg, paperSources: sources });
  }
  const tables = (exp.tables ?? []).map((t) => {
    // Tables show what finished; failed runs are listed on the page, and claims (strict) fail on them.
    const data = tableData(t, new ResultSet(results.rows), exp.paperNumbers);
    const md = tableMarkdown(data);
    write(`${t.id}.md`, `### ${t.title}\n\n${md}\n`);
    return { table: t, data, md };
  });
  const claimsMd = verdictSetsMarkdown(sets);
  write("claims.md", claimsMd);
  write("rows.json", JSON.stringify(flat));

  const ran = describeRuns(exp, scale, runs);
  write(
    "report.md",
    [
      `# ${exp.paper.title}`,
      exp.summary,
      `## What we ran\n\n${ran.markdown}`,
      `## Verdicts\n\n${claimsMd}`,
      ...figures.map(({ figure }) =>
        `## ${figure.title}\n\n![${figure.title}](${figure.id}.png)\n\n${
          figure.mirrors ? `Mirrors ${figure.mirrors}. ` : ""
        }${figure.caption ?? ""}`
      ),
      ...tables.map(({ table, md }) =>
        `## ${table.title}\n\n${table.mirrors ? `Mirrors ${table.mirrors}.\n\n` : ""}${md}`
      ),
    ].join("\n\n") + "\n",
  );
  const hps = chosenHyperparameters(results);
  const verdict = readVerdict(exp.id);
  write("index.html", renderPage({ exp, scale, ran, sets, figures, tables, fmtCell, hps, verdict }));
  return { files, scale, claims, sets };
}

/** Hyper-parameters the methods chose by the tuning rule (metrics `hp.*`): per method, the values over runs. */
export function chosenHyperparameters(results: { rows: { metric: string; method: string; value: number }[] }) {
  const by = new Map<string, Set<number>>();
  for (const r of results.rows) {
    if (!r.metric.startsWith("hp.")) continue;
    const k = `${r.method}\u0000${r.metric.slice(3)}`;
    (by.get(k) ?? by.set(k, new Set()).get(k)!).add(r.value);
  }
  return [...by.entries()].map(([k, v]) => {
    const [method, name] = k.split("\u0000");
    return { method, name, values: [...v].sort((a, b) => a - b) };
  }).sort((a, b) => (a.method + a.name < b.method + b.name ? -1 : 1));
}

/** What ran for a report: run counts by status, backends, seeds, failures and commits, with a markdown summary. */
export interface RunDescription {
  scale: Scale<Record<string, unknown>>;
  counts: Record<string, number>;
  backends: string[];
  seeds: number[];
  failures: RunRecord[];
  commits: string[];
  markdown: string;
}

function describeRuns(exp: AnyExperiment, scaleName: string, runs: RunRecord[]): RunDescription {
  const scale = exp.scales[scaleName] as Scale<Record<string, unknown>>;
  const counts: Record<string, number> = {};
  for (const r of runs) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const backends = [
    ...new Set(runs.filter((r) => r.status === "ok").map((r) => `${r.method}: ${r.backend} (${r.device})`)),
  ];
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const failures = runs.filter((r) => r.status !== "ok");
  const commits = [...new Set(runs.map((r) => r.git_commit))];
  const deviations = [...(exp.deviations ?? []), ...(scale?.deviations ?? [])];
  const markdown = [
    `Scale **${scaleName}**: ${scale?.description ?? ""}`,
    `${runs.length} runs (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ")}), seeds ${
      seeds.join(", ")
    }.`,
    `Methods:\n${
      Object.entries(exp.methods).map(([k, m]) => `- **${m.label ?? k}**: ${m.description ?? ""}`).join("\n")
    }`,
    `Backends:\n${backends.map((b) => `- ${b}`).join("\n")}`,
    deviations.length ? `Deviations from the paper:\n${deviations.map((d) => `- ${d}`).join("\n")}` : "",
    failures.length
      ? `Runs that did not finish:\n${
        failures.map((f) => `- ${f.method} seed ${f.seed}: ${f.status} — ${f.error}`).join("\n")
      }`
      : "",
    `Code: commit ${commits.join(", ")}.`,
  ].filter(Boolean).join("\n\n");
  return { scale, counts, backends, seeds, failures, commits, markdown };
}

/** The self-contained HTML page of a report: what the paper claims, what we ran, verdicts, figures, tables. */
import type { AnyExperiment, Figure, Source, Table } from "../experiment.ts";
import type { ClaimResult } from "../claims/types.ts";
import { KIND_TITLES } from "../claims/evaluate.ts";
import type { VerdictFile } from "../claims/verdicts.ts";
import type { RunDescription } from "./mod.ts";
import type { Cell, TableData } from "./tables.ts";
import { esc, prose } from "./prose.ts";
import { claimRow, link } from "./explore/html.js";

/** Everything a paper page shows, gathered by writeReport so that rendering does no I/O. */
export interface PageInput {
  exp: AnyExperiment;
  scale: string;
  ran: RunDescription;
  /** One verdict set per backend set. */
  sets: { label: string; claims: ClaimResult[] }[];
  figures: { figure: Figure; svg: string; paperSources?: Source[] }[];
  tables: { table: Table; data: TableData }[];
  fmtCell: (c: Cell | undefined) => string;
  /** Hyper-parameters chosen by the tuning rule, per method. */
  hps: { method: string; name: string; values: number[] }[];
  /** The committed paper-scale verdict, if any. */
  verdict: VerdictFile | null;
}

/** The paper page as a self-contained HTML string. */
export function renderPage(p: PageInput): string {
  const { exp, ran } = p;
  const paper = exp.paper;
  const meta = [
    esc(paper.authors),
    String(paper.year),
    paper.venue && esc(paper.venue),
    paper.arxiv && link(`https://arxiv.org/abs/${paper.arxiv}`, `arXiv:${paper.arxiv}`),
    paper.code && link(`https://github.com/${paper.code}`, `code: ${paper.code}`),
    paper.codeUrl && link(paper.codeUrl, "code"),
  ].filter(Boolean).join(" · ");
  const deviations = [...(exp.deviations ?? []), ...(ran.scale?.deviations ?? [])];
  const paperClaims = p.sets[0].claims.filter((c) => c.kind === "paper" && c.graded);
  const passed = paperClaims.filter((c) => c.pass).length;
  const verdictLine = p.verdict
    ? `Committed paper-scale verdict: <b>${esc(p.verdict.status)}</b> — ${esc(p.verdict.reason)} (commit ${
      esc(p.verdict.git_commit)
    }, ${esc(p.verdict.created.slice(0, 10))}, results/verdicts/${esc(exp.id)}.json).`
    : "No paper-scale verdict committed yet (`deno task verify " + esc(exp.id) + "`).";

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(paper.title)} — repro</title>
<style>
body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em} .meta{color:#555;margin-top:0}
table{border-collapse:collapse;margin:1em 0;font-size:.9em} th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4} .pass{color:#17692b;font-weight:bold} .fail{color:#a11;font-weight:bold}
figure{margin:1.5em 0} figcaption{color:#444;font-size:.9em} .note{color:#555;font-size:.9em}
</style></head><body>
<p class="note"><a href="../index.html">← all papers</a></p>
<h1>${esc(paper.title)}</h1>
<p class="meta">${meta}</p>
<p class="note">Reproduce: <code>npx -y deno@2.9.6 task run ${esc(exp.id)}${
    p.scale === "smoke" ? "" : ` --scale ${esc(p.scale)}`
  }</code>
· verdict: <code>npx -y deno@2.9.6 task verify ${esc(exp.id)}</code>
· data: <a href="rows.json">rows.json</a> (tidy rows of this page) · <a href="claims.md">claims.md</a></p>
<h2>What the paper claims</h2>
<p>${prose(exp.summary)}</p>
<h2>What we ran</h2>
<p>Scale <b>${esc(p.scale)}</b>: ${esc(ran.scale?.description ?? "")}</p>
<p>${Object.values(ran.counts).reduce((a, b) => a + b, 0)} runs (${
    Object.entries(ran.counts).map(([k, v]) => `${v} ${esc(k)}`).join(", ")
  }), seeds ${ran.seeds.join(", ")}, commit ${esc(ran.commits.join(", "))}.</p>
<ul>${
    Object.entries(exp.methods).map(([k, m]) => `<li><b>${esc(m.label ?? k)}</b>: ${prose(m.description ?? "")}</li>`)
      .join("")
  }</ul>
<p class="note">Backends: ${ran.backends.map(esc).join("; ")}</p>
${
    deviations.length
      ? `<h3>Deviations from the paper</h3><ul>${deviations.map((d) => `<li>${prose(d)}</li>`).join("")}</ul>`
      : ""
  }
<h2>Verdicts at ${esc(p.scale)} scale: ${passed} of ${paperClaims.length} paper claims hold</h2>
<p>${verdictLine}${
    p.scale === "paper" ? "" : ` <b>This page shows ${esc(p.scale)}-scale runs: a pipeline check, not a verdict.</b>`
  }</p>
${
    p.sets.map((set) => `${p.sets.length > 1 ? `<h3>Backend: ${esc(set.label)}</h3>` : ""}${claimTables(set.claims)}`)
      .join("\n")
  }
${
    exp.tuning
      ? `<h2>Tuning protocol</h2><p>${esc(exp.tuning.rule)}. Budget: ${esc(exp.tuning.budget)}.</p><ul>${
        Object.entries(exp.tuning.grids).map(([m, g]) => `<li><b>${esc(m)}</b>: ${esc(g)}</li>`).join("")
      }</ul>${
        p.hps.length
          ? `<table><tr><th>method</th><th>hyper-parameter</th><th>values chosen over runs</th></tr>${
            p.hps.map((h) =>
              `<tr><td>${esc(h.method)}</td><td>${esc(h.name)}</td><td>${
                h.values.map((v) => esc(v)).join(", ")
              }</td></tr>`
            ).join("")
          }</table>`
          : ""
      }`
      : ""
  }
${
    p.figures.map(({ figure, svg, paperSources }) =>
      `<figure>${svg}<figcaption>${figure.mirrors ? `Mirrors ${esc(figure.mirrors)}. ` : ""}${
        prose(figure.caption ?? "")
      }${
        paperSources?.length
          ? ` Series marked “(paper)” are the paper's own numbers, from ${
            paperSources.map((s) =>
              link(s.url, s.url.replace(/^https:\/\/github\.com\/([^/]+\/[^/]+)\/blob\/[^/]+\//, "$1 "))
            ).join("; ")
          }.`
          : ""
      }</figcaption></figure>`
    ).join("\n")
  }
${p.tables.map(({ table, data }) => renderTable(table, data, p.fmtCell)).join("\n")}
${
    ran.failures.length
      ? `<h2>Runs that did not finish</h2><ul>${
        ran.failures.map((f) => `<li>${esc(f.method)} seed ${f.seed}: ${esc(f.status)} — ${esc(f.error)}</li>`).join("")
      }</ul>`
      : ""
  }
<p class="note">Generated by repro from experiments/${
    esc(exp.id)
  }/mod.ts. Numbers are mean ± 95% CI over ≥ 3 seeds, mean [min–max] over 2; shaded bands in figures are ±1
standard error over seeds;
"paper:" marks the paper's own number, with its source in the module.</p>
</body></html>
`;
}

function claimTables(claims: ClaimResult[]): string {
  return (Object.keys(KIND_TITLES) as (keyof typeof KIND_TITLES)[]).map((kind) => {
    const of = claims.filter((c) => c.kind === kind);
    if (!of.length) return "";
    return `<h3>${esc(KIND_TITLES[kind])}</h3>
<table><tr><th>claim</th><th>paper</th><th>measured</th><th>verdict</th></tr>
${of.map((c) => claimRow(c, prose(c.statement))).join("\n")}
</table>`;
  }).join("\n");
}

function renderTable(t: Table, d: TableData, fmtCell: PageInput["fmtCell"]): string {
  return `<h2>${esc(t.title)}</h2>${t.mirrors ? `<p class="note">Mirrors ${esc(t.mirrors)}.</p>` : ""}
<table><tr>${d.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>
${
    d.rows.map((r) =>
      `<tr>${d.columns.map((c) => `<td>${esc(c in r.key ? r.key[c] : fmtCell(r.cells[c]))}</td>`).join("")}</tr>`
    ).join("\n")
  }</table>`;
}

/** The reports' front page: one row per experiment with its committed paper-scale verdict and this report's scale. */
export function renderIndex(
  rows: { id: string; title: string; scale: string; passed: number; total: number; status: string }[],
): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>repro — reports</title>
<style>body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;font-size:.9em} th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f4f4f4} .smoke{color:#777}</style></head><body>
<h1>repro — reports</h1>
<p><a href="explore/index.html"><b>Explore every run</b></a>: selectors, the figures redrawn on any selection, verdicts,
runs × params × metrics and SQL, in DuckDB-Wasm offline (open it through <code>deno task serve</code>, or from the file
in Chromium started with <code>--allow-file-access-from-files</code>).</p>
<p>Status is earned from the committed paper-scale verdict (results/verdicts). Paper claims holding in the report's
own runs are shown beside it; smoke-scale counts are pipeline checks, labelled as such.</p>
<table><tr><th>paper</th><th>status (paper-scale verdict)</th><th>report scale</th><th>paper claims holding in this report</th></tr>
${
    rows.map((r) =>
      `<tr><td><a href="${esc(r.id)}/index.html">${esc(r.title)}</a></td><td>${esc(r.status)}</td><td${
        r.scale === "paper" ? "" : ' class="smoke"'
      }>${esc(r.scale)}${r.scale === "paper" ? "" : " (not a verdict)"}</td><td>${r.passed} / ${r.total}</td></tr>`
    ).join("\n")
  }
</table></body></html>
`;
}

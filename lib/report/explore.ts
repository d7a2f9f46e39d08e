/**
 * The exploration page (`results/reports/explore/index.html`, written by `deno task report`): every run of the
 * database in DuckDB-Wasm, in the browser, offline.
 *
 * Writes into `dir`:
 * - `index.html`, `app.js` and `html.js` (the page; its sources are in lib/report/explore/);
 * - `data/runs.parquet`, `data/metrics.parquet` (the `deno task export` of the whole database, for download);
 * - `data.js`: the same two tables as gzipped CSV (the export's other format), base64-encoded, with their column
 *   types, and each experiment's figures (its own Vega-Lite specs), paper numbers and committed verdict. A classic
 *   script, so it loads from file:// as well as over http; duckdb-wasm reads CSV and gzip with its core, while
 *   Parquet would need an extension fetched from the network; and, when a check history file is given and present
 *   (results/history/checks.jsonl, appended by `deno task check`), its entries, which the page's History section
 *   plots across commits;
 * - `vendor/`: duckdb-wasm's EH build (worker + wasm), its JS API with apache-arrow's UMD build bound in place of
 *   the bare `apache-arrow` import, vega and vega-lite's browser builds, and their licences. Nothing is fetched
 *   from the network.
 */
import type { AnyExperiment } from "../experiment.ts";
import type { Store } from "../run/store.ts";
import { readVerdict, VERDICT_DIR } from "../claims/verdicts.ts";
import { readCheckHistory } from "../../commands/check_history.ts";
import { withMetricLabels } from "../figures/mod.ts";

const NODE_MODULES = new URL("../../node_modules/", import.meta.url);
const APP = new URL("./explore/app.js", import.meta.url);
const HTML = new URL("./explore/html.js", import.meta.url);

/** What writeExplore wrote: the files, their total size, and how many runs and experiments they hold. */
export interface ExploreSummary {
  files: string[];
  runs: number;
  experiments: number;
  /** Bytes written, all files together. */
  bytes: number;
  /** Check history entries embedded for the History section. */
  checks: number;
}

/** Options of writeExplore: which paper pages to link, and where to read verdicts. */
export interface ExploreOptions {
  /** Ids with a paper page beside this folder (`../<id>/index.html`). */
  reports?: string[];
  /** Where verdict files are read from (default results/verdicts). */
  verdictDir?: URL;
  /** The check history (JSON lines, see commands/check_history.ts) to embed, when the file exists. */
  historyFile?: string | URL;
}

function packageDir(name: string, from = NODE_MODULES): string {
  return Deno.realPathSync(new URL(`${name}/`, from));
}

/** The browser files, from node_modules: [source path, name in vendor/, package name]. */
function vendorFiles(): { src: string; name: string; pkg: string; patch?: (s: string) => string }[] {
  const duck = packageDir("@duckdb/duckdb-wasm");
  // apache-arrow is duckdb-wasm's dependency: Node resolution finds it beside the package's real folder.
  const arrow = Deno.realPathSync(`${duck}/../../apache-arrow`);
  return [
    { src: `${duck}/dist/duckdb-browser.mjs`, name: "duckdb-browser.mjs", pkg: duck, patch: bindArrow },
    { src: `${duck}/dist/duckdb-browser-eh.worker.js`, name: "duckdb-browser-eh.worker.js", pkg: duck },
    { src: `${duck}/dist/duckdb-eh.wasm`, name: "duckdb-eh.wasm", pkg: duck },
    { src: `${arrow}/Arrow.es2015.min.js`, name: "arrow.min.js", pkg: arrow },
    { src: `${packageDir("vega")}/build/vega.min.js`, name: "vega.min.js", pkg: packageDir("vega") },
    {
      src: `${packageDir("vega-lite")}/build/vega-lite.min.js`,
      name: "vega-lite.min.js",
      pkg: packageDir("vega-lite"),
    },
  ];
}

/**
 * duckdb-browser.mjs imports `apache-arrow` by its bare name, which a browser cannot resolve without a bundler:
 * bind each namespace import to the UMD build's global `Arrow` (loaded by a classic script before it).
 */
export function bindArrow(src: string): string {
  let n = 0;
  const out = src.replace(/import\s*\*\s*as\s*([A-Za-z_$][\w$]*)\s*from\s*"apache-arrow";?/g, (_m, name) => {
    n++;
    return `const ${name}=globalThis.Arrow;`;
  });
  if (!n || /from\s*"apache-arrow"|import\s*\{[^}]*\}\s*from\s*"apache-arrow"/.test(out)) {
    throw new Error("duckdb-browser.mjs: its apache-arrow imports changed shape; update bindArrow");
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Write the exploration page for every run in `store`; `exps` supply figures, methods and verdicts. */
export async function writeExplore(
  store: Store,
  dir: string,
  exps: AnyExperiment[],
  opts: ExploreOptions = {},
): Promise<ExploreSummary> {
  Deno.mkdirSync(`${dir}/vendor`, { recursive: true });
  Deno.mkdirSync(`${dir}/data`, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  const wrote = (path: string) => {
    files.push(path);
    bytes += Deno.statSync(path).size;
  };

  const licences = [];
  const seen = new Set<string>();
  for (const f of vendorFiles()) {
    const path = `${dir}/vendor/${f.name}`;
    if (f.patch) Deno.writeTextFileSync(path, f.patch(Deno.readTextFileSync(f.src)));
    else Deno.copyFileSync(f.src, path);
    wrote(path);
    if (seen.has(f.pkg)) continue;
    seen.add(f.pkg);
    const pj = JSON.parse(Deno.readTextFileSync(`${f.pkg}/package.json`));
    let text = "";
    for (const l of ["LICENSE", "LICENSE.txt", "LICENSE.md"]) {
      try {
        text = Deno.readTextFileSync(`${f.pkg}/${l}`);
        break;
      } catch { /* next name */ }
    }
    licences.push(`${pj.name} ${pj.version} (${pj.license})\n\n${text || `License: ${pj.license}`}`);
  }
  Deno.writeTextFileSync(`${dir}/vendor/LICENSES.txt`, licences.join(`\n\n${"=".repeat(72)}\n\n`) + "\n");
  wrote(`${dir}/vendor/LICENSES.txt`);

  // Parquet for download (other tools); the page itself reads gzipped CSV: duckdb-wasm has no Parquet reader
  // built in (it would fetch the extension from the network), while its CSV reader and gzip are core.
  (await store.export(`${dir}/data`, "parquet")).forEach(wrote);
  const tmp = `${dir}/data/.csv`;
  const embedded: Record<string, string> = {};
  const schema: Record<string, [string, string][]> = {};
  try {
    for (const path of await store.export(tmp, "csv")) {
      const table = path.split("/").pop()!.replace(".csv", "");
      const gz = await new Response(
        new Blob([Deno.readFileSync(path)]).stream().pipeThrough(new CompressionStream("gzip")),
      ).arrayBuffer();
      embedded[table] = base64(new Uint8Array(gz));
      schema[table] = (await store.query(`DESCRIBE ${table}`)).map((c) => [
        String(c.column_name),
        String(c.column_type),
      ]);
    }
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
  const count = await store.query("SELECT count(*)::INTEGER AS n, count(DISTINCT experiment)::INTEGER AS e FROM runs");
  const reports = new Set(opts.reports ?? []);
  const experiments: Record<string, unknown> = {};
  for (const exp of exps) {
    experiments[exp.id] = {
      id: exp.id,
      title: exp.paper.title,
      authors: exp.paper.authors,
      year: exp.paper.year,
      summary: exp.summary,
      methods: Object.fromEntries(Object.entries(exp.methods).map(([k, m]) => [k, m.label ?? k])),
      figures: (exp.figures ?? []).map((f) => ({
        id: f.id,
        title: f.title,
        caption: f.caption ?? "",
        mirrors: f.mirrors ?? "",
        spec: withMetricLabels(f.spec, exp.metrics),
      })),
      paperNumbers: exp.paperNumbers ?? [],
      verdict: readVerdict(exp.id, opts.verdictDir ?? VERDICT_DIR),
      report: reports.has(exp.id) ? `../${exp.id}/index.html` : null,
    };
  }
  const data = {
    generated: new Date().toISOString(),
    source: store.path,
    runs: Number(count[0].n),
    /** runs and metrics as gzipped CSV (base64), with their column types. */
    tables: embedded,
    schema,
    experiments,
    /** The check history's entries (metrics and verdicts per commit and machine), or [] when there is none. */
    history: opts.historyFile ? readCheckHistory(opts.historyFile) : [],
  };
  Deno.writeTextFileSync(`${dir}/data.js`, `window.REPRO_EXPLORE = ${JSON.stringify(data)};\n`);
  wrote(`${dir}/data.js`);
  Deno.copyFileSync(APP, `${dir}/app.js`);
  wrote(`${dir}/app.js`);
  Deno.copyFileSync(HTML, `${dir}/html.js`);
  wrote(`${dir}/html.js`);
  Deno.writeTextFileSync(`${dir}/index.html`, PAGE);
  wrote(`${dir}/index.html`);
  return { files, runs: data.runs, experiments: Number(count[0].e), bytes, checks: data.history.length };
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>repro — explore results</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>
body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1280px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.5em;margin:.2em 0} h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd} .note{color:#555;font-size:.9em}
#status{padding:.5em .8em;background:#f4f6fa;border-left:4px solid #4a6fa5;margin:1em 0} #status.error{background:#fbeeee;border-color:#a11}
.filters{display:flex;flex-wrap:wrap;gap:.6em} fieldset{border:1px solid #ccc;padding:.3em .6em;max-height:9em;overflow:auto;min-width:8em}
legend{font-weight:bold;font-size:.9em} fieldset label{display:block;font-size:.85em;white-space:nowrap} fieldset .all{font-size:.75em}
table{border-collapse:collapse;font-size:.82em;margin:.5em 0} th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0} th.sort{cursor:pointer} td.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-height:32em;overflow:auto;border:1px solid #eee} .pass{color:#17692b;font-weight:bold} .fail{color:#a11;font-weight:bold}
.figures{display:flex;flex-wrap:wrap;gap:1.5em} .figure{border:1px solid #eee;padding:.5em;max-width:100%;overflow-x:auto;box-sizing:border-box} .figure h3{font-size:1em;margin:.2em 0}
textarea{width:100%;font-family:"DejaVu Sans Mono",monospace;font-size:.9em} select{font-size:1em}
</style></head>
<body>
<p class="note"><a href="../index.html">← all papers</a> · data: <a href="data/runs.parquet">runs.parquet</a>,
<a href="data/metrics.parquet">metrics.parquet</a> (\`deno task export\` of the database)</p>
<h1>repro — explore results</h1>
<div id="status">Loading DuckDB-Wasm… This page needs JavaScript; from a file it needs Chromium started with
<code>--allow-file-access-from-files</code>, otherwise open it through <code>deno task serve</code>.</div>
<p><label>Experiment <select id="experiment"></select></label> <span id="paper" class="note"></span></p>
<h2>Selection</h2>
<div id="filters" class="filters"></div>
<p id="selection" class="note"></p>
<h2>Figures (the module's own, redrawn on the selection)</h2>
<div id="figures" class="figures"></div>
<h2>The paper's numbers beside ours</h2>
<div id="paper-numbers"></div>
<h2>Claims and the committed paper-scale verdict</h2>
<div id="claims"></div>
<h2>History: checks across commits</h2>
<p class="note">Each <code>deno task check</code> appends the smoke-scale metric means and claim verdicts, keyed by commit
and machine, to <code>results/history/checks.jsonl</code>. One point per check, in check order; the mean is over the
selected configs.</p>
<p id="history-controls"></p>
<div id="history"></div>
<h2>Runs × params × metrics</h2>
<p class="note">One row per selected run: the config keys that vary, then each metric (a series at its last step). Click a
column to sort.</p>
<div id="runs" class="scroll"></div>
<h2>SQL</h2>
<p class="note">DuckDB SQL over <code>runs</code> (one row per run; <code>config</code> is JSON text), <code>metrics</code>
(run_id, name, step, value), the view <code>rows</code> (the two joined, tidy) and <code>selected</code> (the run_ids of
the selection above). Ctrl+Enter runs.</p>
<textarea id="sql" rows="4">SELECT experiment, scale, status, count(*) AS runs FROM runs GROUP BY ALL ORDER BY ALL</textarea>
<p><button id="run-sql">Run</button> <span id="sql-status" class="note"></span></p>
<div id="sql-result" class="scroll"></div>
<script src="vendor/arrow.min.js"></script>
<script src="vendor/vega.min.js"></script>
<script src="vendor/vega-lite.min.js"></script>
<script src="data.js"></script>
<script>
// A browser that refuses the module (Chromium from file:// without the flag) fires its error event: say what to do.
function reproBlocked() {
  var s = document.getElementById("status");
  s.className = "error";
  s.innerHTML = "Could not start the page's script here. From a file, start Chromium with " +
    "<code>--allow-file-access-from-files</code>; or run <code>deno task serve</code> and open " +
    "<a href='http://127.0.0.1:8137/explore/'>http://127.0.0.1:8137/explore/</a>.";
  document.body.dataset.loadError = "the module script was blocked";
}
</script>
<script type="module" src="app.js" onerror="reproBlocked()"></script>
</body></html>
`;

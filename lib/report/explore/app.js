// The exploration page's script (copied to results/reports/explore/app.js by `deno task report`).
// Loads every run of the database into DuckDB-Wasm from the gzipped CSV in data.js, then offers selectors,
// the module's own Vega-Lite figures redrawn on the selection, the verdicts, a runs × params × metrics table and
// a SQL box. When loaded: <body data-loaded-runs="N">. Nothing is fetched from the network.
import * as duckdb from "./vendor/duckdb-browser.mjs";
import { claimRow, envLabel, esc, link } from "./html.js";

const D = globalThis.REPRO_EXPLORE;
const vega = globalThis.vega;
const vegaLite = globalThis.vegaLite;
const $ = (s) => document.querySelector(s);
const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;
const fmt = (v) =>
  typeof v === "number"
    ? (Number.isInteger(v)
      ? String(v)
      : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3
      ? v.toExponential(3)
      : v.toPrecision(4))
    : v === null || v === undefined
    ? ""
    : String(v);

let conn;
const state = { id: null, runs: [], dims: [], selected: new Map(), views: [], sort: null, sel: [], last: null };

function status(html, error = false) {
  const el = $("#status");
  el.innerHTML = html;
  el.className = error ? "error" : "";
}

function bytesOf(b64) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Arrow table → plain rows (BigInt as Number). */
function rowsOf(table) {
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.map((n) => table.getChild(n));
  const out = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const r = {};
    for (let j = 0; j < names.length; j++) {
      const v = cols[j].get(i);
      r[names[j]] = typeof v === "bigint" ? Number(v) : v;
    }
    out[i] = r;
  }
  return out;
}

const q = async (sql) => rowsOf(await conn.query(sql));

/** Milliseconds each loading phase took (on <body data-timing>, for whoever measures the page). */
const timing = {};
let mark = performance.now();
const phase = (name) => {
  const now = performance.now();
  timing[name] = Math.round(now - mark);
  mark = now;
};

async function start() {
  const t0 = performance.now();
  if (!D) throw new Error("data.js did not load");
  const base = new URL("vendor/", location.href);
  let worker;
  try {
    worker = new Worker(new URL("duckdb-browser-eh.worker.js", base));
  } catch (e) {
    throw new Error(`the DuckDB worker cannot start here (${e.message}). ${HELP}`);
  }
  const failed = new Promise((_, reject) =>
    worker.addEventListener("error", () => reject(new Error(`the DuckDB worker did not load. ${HELP}`)))
  );
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await Promise.race([db.instantiate(new URL("duckdb-eh.wasm", base).href), failed]);
  phase("duckdb");
  conn = await db.connect();
  // Never reach for an extension over the network: the tables come as gzipped CSV, which the core reads.
  await conn.query("SET autoinstall_known_extensions = false");
  await conn.query("SET autoload_known_extensions = false");
  for (const table of ["runs", "metrics"]) {
    await db.registerFileBuffer(`${table}.csv.gz`, bytesOf(D.tables[table]));
    const columns = D.schema[table].map(([name, type]) => `${lit(name)}: ${lit(type)}`).join(", ");
    await conn.query(`CREATE TABLE ${table} AS SELECT * FROM read_csv(${lit(`${table}.csv.gz`)}, header = true,
      columns = {${columns}}, auto_detect = false, delim = ',', quote = '"', escape = '"')`);
    await db.dropFile(`${table}.csv.gz`);
  }
  await conn.query(`CREATE VIEW rows AS SELECT r.run_id, r.experiment, r.method, r.backend, r.seed, r.scale,
    r.status, r.code_version, r.config, m.name AS metric, m.step, m.value FROM metrics m JOIN runs r USING (run_id)`);
  await conn.query("CREATE TABLE selected (run_id VARCHAR)");
  phase("tables");
  const [{ n }] = await q("SELECT count(*)::INTEGER AS n FROM runs");
  const counts = new Map(
    (await q("SELECT experiment, count(*)::INTEGER AS n FROM runs GROUP BY ALL")).map((r) => [r.experiment, r.n]),
  );
  const ids = [...new Set([...counts.keys(), ...Object.keys(D.experiments)])].sort();
  const sel = $("#experiment");
  sel.innerHTML = ids.map((id) =>
    `<option value="${esc(id)}">${esc(id)} (${counts.get(id) ?? "no"} runs)${
      D.experiments[id] ? "" : " (not a module here)"
    }</option>`
  ).join("");
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("exp");
  const first = ids.includes(fromHash) ? fromHash : ids.find((id) => counts.has(id)) ?? ids[0];
  sel.value = first ?? "";
  sel.addEventListener("change", () => selectExperiment(sel.value).catch(fail));
  $("#run-sql").addEventListener("click", () => runSql());
  $("#sql").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) runSql();
  });
  if (first) await selectExperiment(first);
  phase("experiment");
  await renderHistory(first);
  sel.addEventListener("change", () => renderHistory(sel.value).catch(fail));
  phase("history");
  await runSql();
  phase("sql");
  const ms = Math.round(performance.now() - t0);
  status(
    `${n} runs of ${counts.size} experiments loaded in ${ms} ms from <code>${esc(D.source)}</code> (written ${
      esc(D.generated.slice(0, 16).replace("T", " "))
    } UTC).`,
  );
  document.body.dataset.loadMs = String(ms);
  document.body.dataset.timing = JSON.stringify(timing);
  document.body.dataset.loadedRuns = String(n);
}

const HELP = "From a file, start Chromium with --allow-file-access-from-files; or run `deno task serve` and open " +
  "http://127.0.0.1:8137/explore/.";

function fail(e) {
  status(`Could not load: ${esc(e.message ?? e)}`, true);
  document.body.dataset.loadError = String(e.message ?? e);
  console.error(e);
}

/** The dimensions a selection filters on: run fields, then each config key. */
function dimsOf(runs) {
  const fields = ["method", "backend", "scale", "status", "code_version"].map((f) => ({
    key: f,
    label: f.replace("_", " "),
    get: (r) => String(r[f]),
  }));
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.cfg)))].sort();
  const cfg = keys.map((k) => ({ key: `config.${k}`, label: k, get: (r) => JSON.stringify(r.cfg[k] ?? null) }));
  return [...fields, ...cfg].map((d) => {
    const values = [...new Set(runs.map(d.get))];
    const nums = values.every((v) => v !== "" && !isNaN(Number(v)));
    values.sort((a, b) => (nums ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
    return { ...d, values };
  });
}

async function selectExperiment(id) {
  state.id = id;
  history.replaceState(null, "", `#exp=${encodeURIComponent(id)}`);
  const meta = D.experiments[id];
  $("#paper").innerHTML = meta
    ? `${esc(meta.title)} — ${esc(meta.authors)}, ${esc(meta.year)}${
      meta.report ? ` · <a href="${esc(meta.report)}">paper page</a>` : ""
    }`
    : "";
  state.runs = (await q(`SELECT run_id, method, backend, seed, scale, status, code_version, config, duration_ms,
      CAST(started_at AS VARCHAR) AS started_at FROM runs WHERE experiment = ${lit(id)} ORDER BY started_at`))
    .map((r) => ({ ...r, cfg: JSON.parse(r.config) }));
  state.dims = dimsOf(state.runs);
  state.selected = new Map();
  // Default: the paper scale where it ran, and the code version of the latest run at that scale (as reports do).
  const scales = new Set(state.runs.map((r) => r.scale));
  const scale = scales.has("paper") ? "paper" : null;
  const atScale = state.runs.filter((r) => !scale || r.scale === scale);
  const latest = atScale[atScale.length - 1]?.code_version;
  for (const d of state.dims) {
    let on = d.values;
    if (d.key === "scale" && scale) on = [scale];
    if (d.key === "code_version" && latest) on = [latest];
    state.selected.set(d.key, new Set(on));
  }
  renderFilters();
  renderClaims(meta);
  await update();
}

function renderFilters() {
  $("#filters").innerHTML = state.dims.map((d, i) =>
    `<fieldset data-dim="${i}"><legend>${esc(d.label)}</legend>${
      d.values.length > 1
        ? `<span class="all"><a href="#" data-all="1">all</a> · <a href="#" data-all="0">none</a></span>`
        : ""
    }${
      d.values.map((v) =>
        `<label><input type="checkbox" value="${esc(v)}"${state.selected.get(d.key).has(v) ? " checked" : ""}> ${
          esc(d.key.startsWith("config.") ? show(v) : v)
        }</label>`
      ).join("")
    }</fieldset>`
  ).join("");
  for (const fs of document.querySelectorAll("#filters fieldset")) {
    const d = state.dims[Number(fs.dataset.dim)];
    fs.addEventListener("change", () => {
      state.selected.set(d.key, new Set([...fs.querySelectorAll("input:checked")].map((x) => x.value)));
      update().catch(fail);
    });
    for (const a of fs.querySelectorAll("a[data-all]")) {
      a.addEventListener("click", (e) => {
        e.preventDefault();
        for (const x of fs.querySelectorAll("input")) x.checked = a.dataset.all === "1";
        fs.dispatchEvent(new Event("change"));
      });
    }
  }
}

/** A config value as written in JSON, shown without the quotes of strings. */
const show = (json) => {
  const v = JSON.parse(json);
  return typeof v === "string" ? v : json;
};

async function update() {
  state.sel = state.runs.filter((r) => state.dims.every((d) => state.selected.get(d.key).has(d.get(r))));
  await conn.query("DELETE FROM selected");
  for (let i = 0; i < state.sel.length; i += 1000) {
    const chunk = state.sel.slice(i, i + 1000).map((r) => `(${lit(r.run_id)})`).join(",");
    await conn.query(`INSERT INTO selected VALUES ${chunk}`);
  }
  state.last = await q(`SELECT run_id, name, arg_max(value, coalesce(step, -1))::DOUBLE AS value
    FROM metrics JOIN selected USING (run_id) GROUP BY ALL`);
  const t0 = performance.now();
  await renderFigures();
  const t1 = performance.now();
  renderRuns();
  renderPaperNumbers();
  // The summary line last: once it reads the new selection, every view below it shows that selection too.
  const ok = state.sel.filter((r) => r.status === "ok").length;
  $("#selection").textContent = `${state.sel.length} of ${state.runs.length} runs of ${state.id} selected (${ok} ok).`;
  timing.figures = Math.round(t1 - t0);
  timing.table = Math.round(performance.now() - t1);
  if (document.body.dataset.timing) document.body.dataset.timing = JSON.stringify(timing);
}

async function renderFigures() {
  for (const v of state.views) v.finalize();
  state.views = [];
  const meta = D.experiments[state.id];
  const box = $("#figures");
  if (!meta || !meta.figures.length) {
    box.innerHTML = `<p class="note">${meta ? "This module declares no figures." : "No module here for this id."}</p>`;
    document.body.dataset.figures = "0";
    return;
  }
  const byRun = new Map(state.sel.filter((r) => r.status === "ok").map((r) => [r.run_id, r]));
  const t = await conn.query(`SELECT run_id, name, step, value FROM metrics JOIN selected USING (run_id)`);
  const [ids, names, steps, values] = ["run_id", "name", "step", "value"].map((c) => t.getChild(c));
  const rows = [];
  for (let i = 0; i < t.numRows; i++) {
    const r = byRun.get(ids.get(i));
    if (!r) continue;
    rows.push({
      ...r.cfg,
      method: r.method,
      backend: r.backend,
      seed: r.seed,
      metric: names.get(i),
      step: steps.get(i),
      value: values.get(i),
    });
  }
  box.innerHTML = meta.figures.map((f, i) =>
    `<div class="figure"><h3>${esc(f.title)}</h3><div id="fig-${i}"></div><p class="note">${
      f.mirrors ? `Mirrors ${esc(f.mirrors)}. ` : ""
    }${esc(f.caption)}</p></div>`
  ).join("");
  let drawn = 0;
  const metricNames = [...new Set(rows.map((r) => r.metric))];
  for (const [i, f] of meta.figures.entries()) {
    const el = $(`#fig-${i}`);
    // Hand vega only the metrics the spec names (as a quoted string), when it names any: series of other metrics
    // can be most of the rows.
    const text = JSON.stringify(f.spec);
    const named = new Set(metricNames.filter((m) => text.includes(`'${m}'`) || text.includes(`\"${m}\"`)));
    const data = named.size ? rows.filter((r) => named.has(r.metric)) : rows;
    if (!data.length) {
      el.innerHTML = `<p class="note">No finished runs in the selection.</p>`;
      continue;
    }
    try {
      const unit = "mark" in f.spec || "layer" in f.spec;
      const spec = {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        ...(unit ? { width: 360, height: 240 } : {}),
        config: { font: "DejaVu Sans, sans-serif", view: { stroke: null } },
        ...f.spec,
        data: { values: data },
      };
      const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), {
        renderer: "svg",
        container: el,
        hover: true,
      });
      state.views.push(view);
      await view.runAsync();
      drawn++;
    } catch (e) {
      el.innerHTML = `<p class="fail">This figure could not be drawn: ${esc(e.message)}</p>`;
    }
  }
  document.body.dataset.figures = String(drawn);
}

/** Each number the module quotes from the paper (with its source), beside the mean over the selected runs. */
function renderPaperNumbers() {
  const meta = D.experiments[state.id];
  const box = $("#paper-numbers");
  const pns = meta?.paperNumbers ?? [];
  if (!pns.length) {
    box.innerHTML = `<p class="note">The module quotes no paper numbers.</p>`;
    return;
  }
  const last = new Map();
  for (const r of state.last) (last.get(r.run_id) ?? last.set(r.run_id, new Map()).get(r.run_id)).set(r.name, r.value);
  const sourceLink = (s) => link(s?.url, s?.where ?? s?.url);
  box.innerHTML = `<table><tr><th>method</th><th>metric</th><th>where</th><th>paper</th><th>ours (selection)</th>
    <th>source</th></tr>${
    pns.map((pn) => {
      const where = Object.entries(pn.where ?? {});
      const vals = state.sel.filter((r) =>
        r.status === "ok" && r.method === pn.method &&
        where.every(([k, v]) => JSON.stringify(r.cfg[k]) === JSON.stringify(v))
      ).map((r) => last.get(r.run_id)?.get(pn.metric)).filter((v) => typeof v === "number");
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      return `<tr><td>${esc(pn.method)}</td><td>${esc(pn.metric)}</td><td>${
        esc(where.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", "))
      }</td><td class="num">${esc(fmt(pn.value))}</td><td class="num">${
        vals.length ? `${esc(fmt(mean))} <span class="note">(${vals.length} runs)</span>` : "–"
      }</td><td>${sourceLink(pn.source)}</td></tr>`;
    }).join("")
  }</table>`;
}

function renderClaims(meta) {
  const box = $("#claims");
  const v = meta?.verdict;
  if (!v) {
    box.innerHTML = `<p class="note">No paper-scale verdict committed for ${esc(state.id)} (\`deno task verify ${
      esc(state.id)
    }\` writes results/verdicts/${esc(state.id)}.json).</p>`;
    return;
  }
  const kinds = { paper: "Paper claims", identity: "Identities (checks of our code)", sanity: "Sanity checks" };
  box.innerHTML = `<p><b>${esc(v.status)}</b> — ${esc(v.reason)} <span class="note">(${esc(v.scale)} scale, seeds ${
    esc(v.seeds.join(", "))
  }, commit ${esc(v.git_commit)}, ${
    esc(v.created.slice(0, 10))
  }; ${v.runs.ok} of ${v.runs.planned} runs ok)</span></p>${
    v.sets.map((set) =>
      `${v.sets.length > 1 ? `<h3>Backend: ${esc(set.label)}</h3>` : ""}${
        [...new Set([...Object.keys(kinds), ...set.claims.map((c) => c.kind)])].map((kind) => {
          const of = set.claims.filter((c) => c.kind === kind);
          if (!of.length) return "";
          return `<h4>${
            esc(kinds[kind] ?? kind)
          }</h4><table><tr><th>claim</th><th>paper</th><th>measured</th><th>verdict</th></tr>${
            of.map((c) => claimRow(c, esc(c.statement))).join("")
          }</table>`;
        }).join("")
      }`
    ).join("")
  }`;
}

function renderRuns() {
  const last = new Map();
  for (const r of state.last) (last.get(r.run_id) ?? last.set(r.run_id, new Map()).get(r.run_id)).set(r.name, r.value);
  const metrics = [...new Set(state.last.map((r) => r.name))].sort((a, b) =>
    (a.startsWith("hp.") - b.startsWith("hp.")) || (a < b ? -1 : a > b ? 1 : 0)
  );
  const cfgDims = state.dims.filter((d) => d.key.startsWith("config."));
  const varying = cfgDims.filter((d) => new Set(state.sel.map(d.get)).size > 1);
  const fixed = cfgDims.filter((d) => new Set(state.sel.map(d.get)).size === 1);
  const cols = [
    { name: "run", get: (r) => r.run_id.slice(0, 10) },
    { name: "method", get: (r) => r.method },
    { name: "backend", get: (r) => r.backend },
    { name: "seed", get: (r) => r.seed },
    { name: "scale", get: (r) => r.scale },
    { name: "status", get: (r) => r.status },
    ...varying.map((d) => ({ name: d.label, get: (r) => JSON.parse(d.get(r)) })),
    ...metrics.map((m) => ({ name: m, get: (r) => last.get(r.run_id)?.get(m) ?? null })),
    { name: "seconds", get: (r) => r.duration_ms / 1000 },
  ];
  let rows = state.sel;
  if (state.sort) {
    const c = cols.find((x) => x.name === state.sort.col);
    if (c) {
      rows = [...rows].sort((a, b) => {
        const x = c.get(a), y = c.get(b);
        if (x === y) return 0;
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * state.sort.dir;
      });
    }
  }
  const LIMIT = 500;
  $("#runs").innerHTML = `${
    fixed.length
      ? `<p class="note">Same in every selected run: ${
        fixed.map((d) => `${esc(d.label)} = ${esc(show(state.sel.length ? d.get(state.sel[0]) : "null"))}`).join(", ")
      }</p>`
      : ""
  }<table><tr>${
    cols.map((c) =>
      `<th class="sort" data-col="${esc(c.name)}">${esc(c.name)}${
        state.sort?.col === c.name ? (state.sort.dir > 0 ? " ▲" : " ▼") : ""
      }</th>`
    ).join("")
  }</tr>${
    rows.slice(0, LIMIT).map((r) =>
      `<tr>${
        cols.map((c) => {
          const v = c.get(r);
          return `<td${typeof v === "number" ? ' class="num"' : ""} title="${esc(c.name === "run" ? r.run_id : "")}">${
            esc(fmt(v))
          }</td>`;
        }).join("")
      }</tr>`
    ).join("")
  }</table>${
    rows.length > LIMIT ? `<p class="note">First ${LIMIT} of ${rows.length} runs; the SQL box shows all.</p>` : ""
  }`;
  for (const th of document.querySelectorAll("#runs th.sort")) {
    th.addEventListener("click", () => {
      const col = th.dataset.col;
      state.sort = { col, dir: state.sort?.col === col ? -state.sort.dir : 1 };
      renderRuns();
    });
  }
}

// ---- History: the check history (results/history/checks.jsonl) across commits ----
const hist = { view: null, id: null };

/** Draw the History section for experiment `preferred` (or the first one with history). */
async function renderHistory(preferred) {
  const all = D.history ?? [];
  const box = $("#history");
  const controls = $("#history-controls");
  if (!all.length) {
    controls.innerHTML = "";
    box.innerHTML = `<p class="note">No check history here: <code>deno task check</code> writes
      results/history/checks.jsonl, and <code>deno task report</code> then embeds it.</p>`;
    document.body.dataset.historyPoints = "0";
    return;
  }
  const ids = [...new Set(all.map((e) => e.experiment))].sort();
  const id = ids.includes(preferred) ? preferred : (ids.includes(hist.id) ? hist.id : ids[0]);
  hist.id = id;
  const entries = all.map((e, i) => ({ e, i })).filter((x) => x.e.experiment === id)
    .sort((a, b) => (a.e.date < b.e.date ? -1 : a.e.date > b.e.date ? 1 : a.i - b.i)).map((x) => x.e);
  const methods = [...new Set(entries.flatMap((e) => e.metrics.map((m) => m.method)))].sort();
  const metrics = [...new Set(entries.flatMap((e) => e.metrics.map((m) => m.metric)))].sort((a, b) =>
    (a === "time_ms") - (b === "time_ms") || (a.startsWith("hp.") - b.startsWith("hp.")) || (a < b ? -1 : 1)
  );
  const configs = [...new Set(entries.flatMap((e) => e.metrics.map((m) => JSON.stringify(m.config))))].sort();
  const opt = (v, label = v) => `<option value="${esc(v)}">${esc(label)}</option>`;
  const cfgLabel = (c) => Object.entries(JSON.parse(c)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ") || "–";
  controls.innerHTML = `<label>Experiment <select id="history-exp">${ids.map((x) => opt(x)).join("")}</select></label>
    <label>Metric <select id="history-metric">${metrics.map((x) => opt(x)).join("")}</select></label>
    <label>Method <select id="history-method">${methods.map((x) => opt(x)).join("")}</select></label>
    <label>Config <select id="history-config" style="max-width:24em">${opt("*", "mean over configs")}${
    configs.map((c) => opt(c, cfgLabel(c))).join("")
  }</select></label>`;
  $("#history-exp").value = id;
  $("#history-exp").addEventListener("change", () => renderHistory($("#history-exp").value).catch(fail));
  for (const s of ["#history-metric", "#history-method", "#history-config"]) {
    $(s).addEventListener("change", () => drawHistory(entries).catch(fail));
  }
  await drawHistory(entries);
}

async function drawHistory(entries) {
  const metric = $("#history-metric").value;
  const method = $("#history-method").value;
  const config = $("#history-config").value;
  const box = $("#history");
  if (hist.view) hist.view.finalize();
  hist.view = null;
  const points = [];
  entries.forEach((e, i) => {
    const v = e.metrics.filter((m) =>
      m.method === method && m.metric === metric && (config === "*" || JSON.stringify(m.config) === config) &&
      typeof m.mean === "number" && Number.isFinite(m.mean)
    ).map((m) => m.mean);
    if (!v.length) return;
    const graded = e.claims.filter((c) => c.graded);
    points.push({
      order: i + 1,
      check: `${i + 1} · ${e.git_commit.slice(0, 7)}`,
      commit: e.git_commit,
      date: e.date.slice(0, 16).replace("T", " "),
      env: envLabel(e.machine),
      mean: v.reduce((a, b) => a + b, 0) / v.length,
      configs: v.length,
      claims: `${graded.filter((c) => c.pass).length} of ${graded.length} graded claims hold`,
    });
  });
  document.body.dataset.historyPoints = String(points.length);
  if (!points.length) {
    box.innerHTML = `<p class="note">No check of ${esc(hist.id)} measured ${esc(method)} · ${esc(metric)}.</p>`;
    return;
  }
  box.innerHTML = `<div class="figure"><h3>${esc(hist.id)}: ${esc(method)} · ${
    esc(metric)
  } across ${entries.length} checks</h3><div id="history-chart"></div></div>`;
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: Math.max(360, Math.min(900, 40 * points.length)),
    height: 240,
    config: { font: "DejaVu Sans, sans-serif", view: { stroke: null } },
    data: { values: points },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "check", type: "ordinal", sort: { field: "order" }, title: "check (order · commit)" },
      y: { field: "mean", type: "quantitative", title: `${metric} (${method})`, scale: { zero: false } },
      color: { field: "env", type: "nominal", title: "environment" },
      tooltip: [
        { field: "commit" },
        { field: "date" },
        { field: "env", title: "environment" },
        { field: "mean", format: ".4g" },
        { field: "configs", title: "configs averaged" },
        { field: "claims" },
      ],
    },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), {
    renderer: "svg",
    container: $("#history-chart"),
    hover: true,
  });
  hist.view = view;
  await view.runAsync();
}

async function runSql() {
  const sql = $("#sql").value;
  const out = $("#sql-result");
  const t0 = performance.now();
  delete out.dataset.rows;
  try {
    const t = await conn.query(sql);
    const rows = rowsOf(t);
    const names = t.schema.fields.map((f) => f.name);
    const LIMIT = 1000;
    out.innerHTML = `<table><tr>${names.map((n) => `<th>${esc(n)}</th>`).join("")}</tr>${
      rows.slice(0, LIMIT).map((r) =>
        `<tr>${
          names.map((n) => `<td${typeof r[n] === "number" ? ' class="num"' : ""}>${esc(fmt(r[n]))}</td>`).join("")
        }</tr>`
      ).join("")
    }</table>`;
    $("#sql-status").textContent = `${rows.length} rows in ${Math.round(performance.now() - t0)} ms${
      rows.length > LIMIT ? ` (first ${LIMIT} shown)` : ""
    }`;
    out.dataset.rows = String(rows.length);
  } catch (e) {
    out.innerHTML = "";
    $("#sql-status").textContent = `error: ${e.message}`;
    out.dataset.rows = "error";
  }
}

start().catch(fail);

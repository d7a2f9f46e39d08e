/**
 * The exploration page: what `writeExplore` writes, the static server, and the page itself in headless Chromium
 * (from file:// and through the server): it loads every run, draws the module's figure, answers SQL, and makes no
 * request beyond its own folder. The browser test skips, saying so, where /usr/bin/chromium is absent
 * (`apt-get install chromium`; .ci/run installs it).
 */
import { deepStrictEqual as assertEquals, ok as assert, throws as assertThrows } from "node:assert";
import toy from "../testdata/experiments/toy/mod.ts";
import { toyStore } from "../testdata/toy_store.ts";
import { bindArrow, writeExplore } from "./explore.ts";
import { serveReports } from "../../commands/serve.ts";
import { Browser, CHROMIUM, hasChromium } from "./cdp.ts";

/** A store with toy runs: two sizes × two seeds × three methods, one of which always fails. */
const toyRuns = () => toyStore(["mean", "iterative", "throws"]);

let fixture: Promise<{ dir: string; runs: number; ok: number; metrics: number }> | undefined;
let tmpDir: string | undefined;
/** One page for all tests here: writing it copies ~36 MB of duckdb-wasm. */
function page() {
  fixture ??= (async () => {
    const store = await toyRuns();
    const dir = tmpDir = Deno.makeTempDirSync({ prefix: "repro-explore-" });
    try {
      // A small synthetic check history: toy checked at three commits, in two environments.
      const machine = (linalg: string) => ({ linalg, cpu: "Test CPU", library: "x", openblas_coretype: "(detected)" });
      const historyFile = `${dir}/checks.jsonl`;
      Deno.writeTextFileSync(
        historyFile,
        [["c1", "native", 0.3], ["c2", "native", 0.2], ["c2", "js", 0.21]].map(([commit, linalg, mean], i) =>
          JSON.stringify({
            date: `2026-01-0${i + 1}T00:00:00Z`,
            git_commit: commit,
            machine: machine(linalg as string),
            experiment: "toy",
            scale: "smoke",
            update: false,
            failed: 0,
            metrics: [{ method: "mean", config: { n: 10 }, metric: "abs_error", mean, n: 2 }],
            claims: [{ id: "c", kind: "paper", pass: i > 0, graded: true, timing: false }],
          })
        ).join("\n") + "\n",
      );
      const r = await writeExplore(store, `${dir}/explore`, [toy], { reports: ["toy"], historyFile });
      assertEquals(r.checks, 3);
      const [c] = await store.query(
        `SELECT count(*)::INTEGER AS n, count(*) FILTER (status = 'ok')::INTEGER AS ok,
          (SELECT count(*)::INTEGER FROM metrics) AS m FROM runs`,
      );
      assertEquals(r.runs, c.n);
      return { dir, runs: Number(c.n), ok: Number(c.ok), metrics: Number(c.m) };
    } finally {
      store.close();
    }
  })();
  return fixture;
}

Deno.test("explore: writes the page, the vendored browser builds, Parquet for download and the embedded tables", async () => {
  const { dir, runs } = await page();
  const names = [...Deno.readDirSync(`${dir}/explore`)].map((e) => e.name).sort();
  assertEquals(names, ["app.js", "data", "data.js", "html.js", "index.html", "vendor"]);
  const vendor = [...Deno.readDirSync(`${dir}/explore/vendor`)].map((e) => e.name).sort();
  assertEquals(vendor, [
    "LICENSES.txt",
    "arrow.min.js",
    "duckdb-browser-eh.worker.js",
    "duckdb-browser.mjs",
    "duckdb-eh.wasm",
    "vega-lite.min.js",
    "vega.min.js",
  ]);
  assertEquals([...Deno.readDirSync(`${dir}/explore/data`)].map((e) => e.name).sort(), [
    "metrics.parquet",
    "runs.parquet",
  ]);
  // The module the page imports has no bare specifier left: a browser resolves it without a bundler.
  const mjs = Deno.readTextFileSync(`${dir}/explore/vendor/duckdb-browser.mjs`);
  assert(!/from\s*"apache-arrow"/.test(mjs) && mjs.includes("globalThis.Arrow"));
  const js = Deno.readTextFileSync(`${dir}/explore/data.js`);
  const data = JSON.parse(js.slice(js.indexOf("{"), js.lastIndexOf("}") + 1));
  assertEquals(data.runs, runs);
  assertEquals(Object.keys(data.tables).sort(), ["metrics", "runs"]);
  assertEquals(data.history.map((e: { git_commit: string }) => e.git_commit), ["c1", "c2", "c2"]);
  assertEquals(data.schema.metrics.map((c: string[]) => c[0]), ["run_id", "name", "step", "value"]);
  assertEquals(data.experiments.toy.figures[0].id, "error-vs-n");
  assertEquals(data.experiments.toy.report, "../toy/index.html");
  // The page loads only its own files (scripts, the icon as data:); links in its text are the user's to follow.
  const html = Deno.readTextFileSync(`${dir}/explore/index.html`);
  const loads = [...html.matchAll(/(?:src="([^"]+)")|(?:<link[^>]*href="([^"]+)")/g)].map((m) => m[1] ?? m[2]);
  assertEquals(loads.filter((u) => !/^(data:|[\w.-]+(\/[\w.-]+)*$)/.test(u)), []);
  assertEquals(loads.length, 6);
});

Deno.test("explore: bindArrow replaces duckdb-wasm's namespace imports and refuses a changed shape", () => {
  assertEquals(bindArrow('import*as u from"apache-arrow";var x=1;'), "const u=globalThis.Arrow;var x=1;");
  assertThrows(() => bindArrow('import{Table}from"apache-arrow";'), /changed shape/);
});

Deno.test("serve: files under the root only, folders answer with index.html", async () => {
  const { dir } = await page();
  const ac = new AbortController();
  const port = await new Promise<number>((res) =>
    serveReports({ root: dir, port: 0, signal: ac.signal, onListen: (a) => res(a.port) })
  );
  try {
    const get = async (path: string, init?: RequestInit) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { redirect: "manual", ...init });
      await r.body?.cancel();
      return r;
    };
    const page = await get("/explore/");
    assertEquals([page.status, page.headers.get("content-type")], [200, "text/html; charset=utf-8"]);
    assertEquals((await get("/explore/vendor/duckdb-eh.wasm")).headers.get("content-type"), "application/wasm");
    assertEquals((await get("/explore")).status, 301);
    assertEquals((await get("/nothing-here")).status, 404);
    assertEquals((await get("/explore/%2e%2e/%2e%2e/etc/passwd")).status === 200, false);
    assertEquals((await get("/explore/", { method: "POST" })).status, 405);
  } finally {
    ac.abort();
  }
});

if (!hasChromium()) {
  console.log(`explore: browser test skipped: ${CHROMIUM} is absent (apt-get install chromium; .ci/run does)`);
}

Deno.test({
  name: "explore: the page in headless Chromium, from file:// and through deno task serve (and without the flag)",
  ignore: !hasChromium(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { dir, runs, ok } = await page();
    const ac = new AbortController();
    const served: string[] = [];
    const port = await new Promise<number>((res) =>
      serveReports({
        root: dir,
        port: 0,
        signal: ac.signal,
        onRequest: (p) => served.push(p),
        onListen: (a) => res(a.port),
      })
    );
    const modes = [
      { name: "file", url: `file://${Deno.realPathSync(dir)}/explore/index.html`, prefix: "file://" },
      { name: "serve", url: `http://127.0.0.1:${port}/explore/`, prefix: `http://127.0.0.1:${port}/explore/` },
    ];
    // Two browsers, started together: one with --allow-file-access-from-files for file://, one without it for the
    // server (which needs no flag) and for file:// refused.
    const [flagged, plain] = await Promise.all([Browser.launch({ allowFiles: true }), Browser.launch()]);
    try {
      for (const mode of modes) {
        {
          const p = await (mode.name === "file" ? flagged : plain).open(mode.url);
          const loaded = await p.waitFor<string>(
            "document.body && (document.body.dataset.loadedRuns || (document.body.dataset.loadError && 'error: ' + document.body.dataset.loadError))",
            60_000,
          );
          assertEquals(loaded, String(runs), `${mode.name}: data-loaded-runs`);
          assert(Number(await p.eval("document.body.dataset.figures")) >= 1, `${mode.name}: no figure drawn`);
          assert(
            await p.eval<number>(
              "document.querySelectorAll('#figures svg .mark-line path, #figures svg path').length",
            ) > 0,
          );
          assertEquals(await p.eval("document.querySelectorAll('#runs tr').length - 1"), runs, "runs table rows");
          // The History section: the synthetic checks' abs_error of "mean", one point per check, coloured by env.
          await p.eval(`(() => { const s = document.querySelector('#history-metric'); s.value = 'abs_error';
            s.dispatchEvent(new Event('change')); })()`);
          assertEquals(await p.waitFor("document.body.dataset.historyPoints === '3' && 'ok'"), "ok");
          assert(
            await p.eval<number>("document.querySelectorAll('#history-chart svg path').length") > 0,
            `${mode.name}: no history chart`,
          );
          const ticks = await p.eval<string>("document.querySelector('#history-chart svg').textContent");
          assert(ticks.includes("1 · c1") && ticks.includes("3 · c2") && ticks.includes("js · Test"), ticks);
          // The toy's one paper number (mean at n = 10: 0.25), beside the mean over the selected runs.
          const pn = await p.eval<string[]>(
            "[...document.querySelectorAll('#paper-numbers td')].map((x) => x.textContent)",
          );
          assertEquals([pn[0], pn[1], pn[2], pn[3], pn[5]], [
            "mean",
            "abs_error",
            "n = 10",
            "0.2500",
            "made up for the test",
          ]);
          assert(/\(2 runs\)/.test(pn[4]), pn[4]);
          // A selector redraws the figures and refills `selected`: drop the method that always fails.
          await p.eval(
            `(() => { const box = [...document.querySelectorAll('#filters input')].find((x) => x.value === 'throws');
            box.checked = false; box.dispatchEvent(new Event('change', { bubbles: true })); })()`,
          );
          const failed = runs - ok;
          await p.waitFor(
            `document.querySelector('#selection').textContent.startsWith('${runs - failed} of ${runs} runs')`,
          );
          assertEquals(await p.eval("document.querySelectorAll('#runs tr').length - 1"), ok);
          assert(Number(await p.eval("document.body.dataset.figures")) >= 1, `${mode.name}: no figure after a change`);
          await p.eval(`document.querySelector('#sql').value = "SELECT run_id FROM selected";
            document.querySelector('#run-sql').click()`);
          assertEquals(await p.waitFor("document.querySelector('#sql-result').dataset.rows"), String(ok));
          await p.eval(`document.querySelector('#sql').value = "SELECT run_id FROM runs WHERE status = 'ok'";
            document.querySelector('#run-sql').click()`);
          assertEquals(await p.waitFor("document.querySelector('#sql-result').dataset.rows"), String(ok));
          assertEquals(p.events.consoleErrors, [], `${mode.name}: console errors`);
          assertEquals(p.events.exceptions, [], `${mode.name}: exceptions`);
          const outside = p.events.requests.filter((u) => !u.startsWith(mode.prefix) && !/^(data|blob):/.test(u));
          assertEquals(outside, [], `${mode.name}: requests outside the page's folder`);
          assert(p.events.requests.some((u) => u.endsWith("duckdb-eh.wasm")), "the worker's wasm fetch was seen");
          console.log(
            `explore (${mode.name}): ${runs} runs loaded in ${await p.eval("document.body.dataset.loadMs")} ms`,
          );
        }
      }
      assert(served.length > 0 && served.every((s) => s.startsWith("/explore/")), served.join(", "));
      // From a file without --allow-file-access-from-files the module is refused: the page says how to open it.
      const p = await plain.open(modes[0].url);
      assertEquals(
        await p.waitFor("document.body && document.body.dataset.loadError"),
        "the module script was blocked",
      );
      assert((await p.eval<string>("document.querySelector('#status').textContent")).includes("deno task serve"));
    } finally {
      await Promise.all([flagged.close(), plain.close()]);
      ac.abort();
    }
  },
});

globalThis.addEventListener("unload", () => {
  if (tmpDir) Deno.removeSync(tmpDir, { recursive: true });
});

/** `deno task report`: figures, tables and claims per experiment, and an index page. */
import { UserError } from "../lib/run/errors.ts";
import { experimentIds, loadExperiment } from "../lib/run/registry.ts";
import { loadCatalog } from "./catalog.ts";
import { DEFAULT_DB, openStore, parse } from "./cli.ts";
import { CHECK_HISTORY } from "./check_history.ts";
async function writeExplorePage(db: string, dir: string, reported: { id: string }[]): Promise<void> {
  const { writeExplore } = await import("../lib/report/explore.ts");
  const store = await openStore(db);
  try {
    const known = new Set(experimentIds());
    const inDb = (await store.query("SELECT DISTINCT experiment FROM runs")).map((r) => String(r.experiment));
    const ids = [...new Set([...inDb.filter((id) => known.has(id)), ...reported.map((r) => r.id)])].sort();
    const exps = [];
    for (const id of ids) exps.push(await loadExperiment(id));
    const t0 = performance.now();
    const r = await writeExplore(store, dir, exps, {
      reports: reported.map((x) => x.id),
      historyFile: CHECK_HISTORY,
    });
    console.log(
      `exploration page: ${r.runs} runs of ${r.experiments} experiments${
        r.checks ? `, ${r.checks} checks of history` : ""
      }, ${(r.bytes / 2 ** 20).toFixed(1)} MiB → ` +
        `${dir}/index.html (${Math.round(performance.now() - t0)} ms; open it with \`deno task serve\`)`,
    );
  } finally {
    store.close();
  }
}

export async function cmdReport(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    db: { type: "string" },
    out: { type: "string" },
    scale: { type: "string" },
    "code-version": { type: "string" },
  });
  const { writeReport } = await import("../lib/report/mod.ts");
  const { renderIndex } = await import("../lib/report/page.ts");
  const all = !positionals.length;
  const ids = all ? experimentIds() : positionals;
  const catalog = new Map(loadCatalog().map((e) => [e.id, e.status]));
  const index = [];
  const store = await openStore(v.db ?? DEFAULT_DB);
  try {
    for (const id of ids) {
      const exp = await loadExperiment(id);
      // One experiment with --out writes there; otherwise each gets its folder under --out (or results/reports).
      const dir = ids.length === 1 && v.out && !all ? v.out : `${v.out ?? "results/reports"}/${id}`;
      try {
        const r = await writeReport(exp, store, dir, { scale: v.scale, codeVersion: v["code-version"] });
        console.log(`${id}: ${r.files.length} files → ${dir}/index.html`);
        const paperClaims = r.claims.filter((c) => c.kind === "paper" && c.graded);
        const passed = paperClaims.filter((c) => c.pass).length;
        index.push({
          id,
          title: exp.paper.title,
          scale: r.scale,
          passed,
          total: paperClaims.length,
          status: catalog.get(id) ?? "",
        });
      } catch (e) {
        if (!(all && e instanceof UserError)) throw e;
        console.log(`${id}: skipped (${e.message})`);
      }
    }
  } finally {
    store.close();
  }
  if (all) {
    const root = v.out ?? "results/reports";
    Deno.mkdirSync(root, { recursive: true });
    Deno.writeTextFileSync(`${root}/index.html`, renderIndex(index));
    console.log(`index of ${index.length} reports → ${root}/index.html`);
  }
  // The exploration page, beside the paper pages: every run of the database (unless one report went to --out).
  if (all || !v.out) await writeExplorePage(v.db ?? DEFAULT_DB, `${v.out ?? "results/reports"}/explore`, index);
  return 0;
}

import { deepEqual, equal, match, ok as assert, throws } from "node:assert/strict";
import {
  type CatalogEntry,
  CatalogEntrySchema,
  FAMILIES,
  loadCatalog,
  parseCatalog,
  renderStatusTable,
  statusCounts,
  statusKind,
} from "./catalog.ts";
import { deriveStatuses, generatedReadme } from "./catalog.ts";
import { experimentIds } from "../lib/run/registry.ts";
import { readVerdict } from "../lib/claims/verdicts.ts";

const entries = loadCatalog();

Deno.test("catalog: 151 valid entries with unique ids", () => {
  equal(entries.length, 151);
  equal(new Set(entries.map((e) => e.id)).size, entries.length);
  for (const e of entries) {
    const r = CatalogEntrySchema.safeParse(e);
    assert(r.success, `${e.id}: ${r.success ? "" : r.error.message}`);
  }
});

Deno.test("catalog: sorted by papers.md family order, then id", () => {
  const key = (e: CatalogEntry) => [FAMILIES.indexOf(e.family), e.id] as const;
  for (let i = 1; i < entries.length; i++) {
    const [fa, ia] = key(entries[i - 1]), [fb, ib] = key(entries[i]);
    assert(fa < fb || (fa === fb && ia < ib), `${entries[i - 1].id} should come after ${entries[i].id}`);
  }
});

Deno.test("catalog: out-of-scope only for tier C, always with a reason", () => {
  for (const e of entries) {
    if (statusKind(e.status) === "out of scope") {
      equal(e.tier, "C", `${e.id} is out of scope but tier ${e.tier}`);
      match(e.status, /^out of scope: \S/);
    }
  }
});

Deno.test("parseCatalog rejects duplicates and bad fields", () => {
  const a = entries[0];
  throws(() => parseCatalog([a, a]), /duplicate id/);
  throws(() => parseCatalog([{ ...a, status: "out of scope" }]), /status/);
  throws(() => parseCatalog([{ ...a, seeds: ["001", "000"] }]), /sorted/);
  throws(() => parseCatalog([{ ...a, code: "https://example.com" }]), /owner\/repo/);
  throws(() => parseCatalog([{ ...a, extra: 1 }]));
  throws(() => parseCatalog([{ ...a, status: "reproduced" }]), /status/); // earned: always with its evidence
  equal(
    parseCatalog([{ ...a, status: "reproduced: 3 of 3 paper claims hold" }])[0].status,
    "reproduced: 3 of 3 paper claims hold",
  );
});

Deno.test("statusCounts and renderStatusTable", () => {
  const counts = statusCounts(entries);
  equal(Object.values(counts).reduce((s, n) => s + n, 0), entries.length);
  for (const k of Object.keys(counts)) assert(!k.includes(":"), `count key ${k} keeps a reason`);
  const md = renderStatusTable(entries);
  const lines = md.trimEnd().split("\n");
  equal(lines[0], "| id | title | seeds | tier | status |");
  equal(lines.filter((l) => l.startsWith("| ") && !l.startsWith("| id ")).length, entries.length);
  match(lines.at(-1)!, new RegExp(`^\\*\\*${entries.length} papers\\*\\* — planned: \\d+`));
  const piped = renderStatusTable([{ ...entries[0], title: "a | b" }]);
  assert(piped.includes("a \\| b"), "pipes in cells are escaped");
  deepEqual(statusCounts([]), {});
});

// ---- coverage against the seed files themselves (shared/ sits beside the checkout)

const SEEDS_DIR = new URL("../../shared/seeds/", import.meta.url);
let seedFiles: string[] = [];
try {
  seedFiles = [...Deno.readDirSync(SEEDS_DIR)].filter((e) => e.isFile && /^\d{3}_.*\.txt$/.test(e.name))
    .map((e) => e.name).sort();
} catch { /* absent: the test below is skipped */ }

/**
 * Seed entries of one file. Two formats occur: one line per paper, "- <title> <abstract> N authors · <date>"
 * (the "-" is an upvote count when there is one); or a page dump with the title on its own line, a blank, the
 * abstract, then "• N authors", "·", the date, among header noise. Returns the title where the format gives
 * it, else the title-plus-abstract text to be matched by prefix.
 */
function parseSeedFile(text: string): { title?: string; text: string }[] {
  const lines = text.split("\n");
  const out: { title?: string; text: string }[] = [];
  const oneLine = /^(?:- |\d+ )(.*) \d+ authors? · [A-Z][a-z]{2} \d+(?:, \d{4})?(?: \d+)?$/;
  const authors = /^\s*• \d+ authors?$/;
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(oneLine);
    if (m) {
      out.push({ text: m[1] });
    } else if (authors.test(lines[i])) {
      let j = i - 1;
      while (j > 0 && lines[j].trim() === "") j--; // abstract
      let k = j - 1;
      while (k > 0 && lines[k].trim() === "") k--; // title
      out.push({ title: lines[k].trim(), text: lines[k].trim() + " " + lines[j].trim() });
    }
  }
  return out;
}

Deno.test({
  name: seedFiles.length
    ? "catalog covers every seed paper, with the right seed lists"
    : `catalog covers every seed paper [SKIPPED: no seed files at ${SEEDS_DIR.pathname}]`,
  ignore: seedFiles.length === 0,
  fn() {
    const found = new Map<string, Set<string>>(); // id -> seed prefixes
    const unmatched: string[] = [];
    // longest title first so a title that prefixes another cannot steal its entry
    const byLength = [...entries].sort((a, b) => b.title.length - a.title.length);
    for (const f of seedFiles) {
      const prefix = f.slice(0, 3);
      const papers = parseSeedFile(Deno.readTextFileSync(new URL(f, SEEDS_DIR)));
      assert(papers.length > 0, `no papers parsed from ${f}`);
      for (const p of papers) {
        const e = p.title !== undefined
          ? entries.find((e) => e.title === p.title)
          : byLength.find((e) => p.text.startsWith(e.title + " "));
        if (!e) {
          unmatched.push(`${prefix}: ${(p.title ?? p.text).slice(0, 90)}`);
          continue;
        }
        if (!found.has(e.id)) found.set(e.id, new Set());
        found.get(e.id)!.add(prefix);
      }
    }
    assert(unmatched.length === 0, `seed papers missing from the catalog:\n  ${unmatched.join("\n  ")}`);
    const notInSeeds = entries.filter((e) => !found.has(e.id)).map((e) => e.id);
    assert(notInSeeds.length === 0, `catalog entries not found in any seed file: ${notInSeeds.join(", ")}`);
    const wrong = entries.map((e) => ({ e, got: [...found.get(e.id)!].sort() }))
      .filter(({ e, got }) => e.seeds.join() !== got.join())
      .map(({ e, got }) => `${e.id}: catalog says [${e.seeds}], seed files say [${got}]`);
    assert(wrong.length === 0, `wrong seed lists:\n  ${wrong.join("\n  ")}`);
  },
});

Deno.test("README's status table is the one generated from the catalog (run `deno task catalog`)", () => {
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  const begin = "<!-- catalog:begin -->\n", end = "\n<!-- catalog:end -->";
  const table = readme.slice(readme.indexOf(begin) + begin.length, readme.indexOf(end));
  assert(table === renderStatusTable(loadCatalog()), "README.md status table is stale: run `deno task catalog`");
});

Deno.test("a built paper's status is the one its committed verdict earns; unbuilt papers claim no verdict", () => {
  const folders = new Set(
    [...Deno.readDirSync(new URL("../experiments/", import.meta.url))]
      .filter((e) => e.isDirectory && existsFile(new URL(`../experiments/${e.name}/mod.ts`, import.meta.url)))
      .map((e) => e.name),
  );
  const entries = loadCatalog();
  const derived = new Map(deriveStatuses(entries, [...folders]).map((e) => [e.id, e.status]));
  const stale = entries.filter((e) => folders.has(e.id) && e.status !== derived.get(e.id))
    .map((e) => `${e.id}: catalog "${e.status}", verdict "${derived.get(e.id)}"`);
  assert(
    stale.length === 0,
    `catalog statuses disagree with results/verdicts (run \`deno task catalog\`):\n  ${stale.join("\n  ")}`,
  );
  const verdictKinds = ["reproduced", "partial", "not reproduced"];
  const claimed = entries.filter((e) => verdictKinds.includes(statusKind(e.status)) && !folders.has(e.id)).map((e) =>
    e.id
  );
  assert(claimed.length === 0, `catalog gives a verdict status to papers with no experiment: ${claimed.join(", ")}`);
  const unlisted = [...folders].filter((id) => !entries.some((e) => e.id === id));
  assert(unlisted.length === 0, `experiments missing from the catalog: ${unlisted.join(", ")}`);
});

Deno.test("every built paper has a committed paper-scale verdict", () => {
  const missing = experimentIds().filter((id) => {
    const v = readVerdict(id);
    return !v || v.scale !== "paper";
  });
  assert(
    missing.length === 0,
    `no paper-scale verdict in results/verdicts for: ${missing.join(", ")} (run \`deno task verify <id>\`)`,
  );
});

function existsFile(url: URL): boolean {
  try {
    return Deno.statSync(url).isFile;
  } catch {
    return false;
  }
}

Deno.test("every built module's README.md is the one generated from it (run `deno task catalog`)", async () => {
  const stale: string[] = [];
  for (const id of experimentIds()) {
    const path = new URL(`../experiments/${id}/README.md`, import.meta.url);
    if (Deno.readTextFileSync(path) !== await generatedReadme(id)) stale.push(id);
  }
  assert(stale.length === 0, `stale READMEs (run \`deno task catalog\`): ${stale.join(", ")}`);
});

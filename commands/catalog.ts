/**
 * The paper catalog: one entry per seed paper (experiments/catalog.json), with its family, tier, the claim to
 * check and its status. The catalog keeps every seed paper, reproduced or not, so the README can show the
 * true state of the project.
 *
 * Status is `planned`, `in progress` or `reproduced`, or one of `out of scope`, `partial`, `not reproduced`
 * followed by `: <reason>`. {@link statusKind} drops the reason, so counts group by kind.
 *
 * @example
 * ```ts
 * const entries = loadCatalog();
 * console.log(renderStatusTable(entries));
 * ```
 */
import { z } from "zod";
import { UserError } from "../lib/run/errors.ts";
import { experimentIds, EXPERIMENTS_DIR, loadExperiment } from "../lib/run/registry.ts";
import { renderPaperReadme } from "../lib/report/readme.ts";
import { readVerdict, verdictStatus } from "../lib/claims/verdicts.ts";

/** The families of papers.md, in its order; catalog entries sort by this, then by id. */
export const FAMILIES = [
  "linear solvers, model reduction & optimizers",
  "matrix completion, sensing & factorization dynamics",
  "generalization theory & learning-theory simulations",
  "statistics & estimation simulations",
  "randomized sketching, sampling & embeddings",
  "matrix functions, norms & decompositions",
  "generative models, dynamical systems & operator learning",
  "low-rank training, adaptation & compression",
  "graph, combinatorial & evolutionary search",
  "geometry, signal processing & imaging",
  "dictionary learning & nonnegative factorization",
  "OOD, anomaly, data valuation, continual learning & unlearning",
  "attention & sequence models",
  "LLM-scale systems, hardware kernels & quantum",
  "architectures & regularizers on small real data",
] as const;

/** The seed list files, by their prefix in shared/seeds/. */
export const SEED_FILES = ["000", "001", "002"] as const;

/** Status kinds without a reason. */
const BARE_STATUSES = ["planned", "in progress"] as const;
/** Status kinds that must carry a reason after a colon (for built papers: derived from the verdict file). */
const REASONED_STATUSES = ["reproduced", "out of scope", "partial", "not reproduced"] as const;

const statusRe = new RegExp(
  `^(?:(?:${BARE_STATUSES.join("|")})|(?:${REASONED_STATUSES.join("|")}): \\S.*)$`,
);

export const CatalogEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "kebab-case id"),
  /** The full title as written in the seed file. */
  title: z.string().min(1),
  /** Seed files the paper appears in, sorted, no repeats. */
  seeds: z.array(z.enum(SEED_FILES)).min(1).refine(
    (s) => s.every((x, i) => i === 0 || s[i - 1] < x),
    "seeds must be sorted and unique",
  ),
  family: z.enum(FAMILIES),
  tier: z.enum(["A", "B", "C"]),
  claim: z.string().min(1),
  /** The paper's code as GitHub owner/repo, or null when there is none (or it is not on GitHub). */
  code: z.string().regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, "owner/repo").nullable(),
  status: z.string().regex(
    statusRe,
    `status must be one of ${BARE_STATUSES.join(", ")}, or "<${REASONED_STATUSES.join("|")}>: <reason>"`,
  ),
  /** For built experiments: what runs, at what scale, what is left out (deviations live in the module). */
  note: z.string().min(1).optional(),
}).strict();

export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const CatalogSchema = z.array(CatalogEntrySchema).superRefine((entries, ctx) => {
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    if (seen.has(e.id)) ctx.addIssue({ code: "custom", message: `duplicate id "${e.id}"`, path: [i, "id"] });
    seen.add(e.id);
  }
});

export const CATALOG_URL = new URL("../experiments/catalog.json", import.meta.url);

/** Parse and validate a catalog (already JSON-decoded); throws a UserError naming every bad entry. */
export function parseCatalog(data: unknown, source = "catalog"): CatalogEntry[] {
  const r = CatalogSchema.safeParse(data);
  if (r.success) return r.data;
  const lines = r.error.issues.slice(0, 20).map((iss) => {
    const [i, ...rest] = iss.path;
    const id = typeof i === "number" && Array.isArray(data) ? (data[i] as { id?: unknown })?.id : undefined;
    const where = typeof i === "number" ? `entry ${i}${id ? ` (${String(id)})` : ""}` : "catalog";
    return `  ${where}${rest.length ? " ." + rest.join(".") : ""}: ${iss.message}`;
  });
  const more = r.error.issues.length > 20 ? `\n  … and ${r.error.issues.length - 20} more` : "";
  throw new UserError(`${source} is invalid:\n${lines.join("\n")}${more}`);
}

/** Load and validate experiments/catalog.json (resolved relative to this module). */
export function loadCatalog(url: URL = CATALOG_URL): CatalogEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(Deno.readTextFileSync(url));
  } catch (e) {
    throw new UserError(`cannot read catalog ${url.pathname}: ${e instanceof Error ? e.message : e}`);
  }
  return parseCatalog(data, url.pathname);
}

/** The status without its reason: "out of scope: needs LLMs" → "out of scope". */
export function statusKind(status: string): string {
  const i = status.indexOf(":");
  return i < 0 ? status : status.slice(0, i);
}

/** Entries per status kind, in a stable order (bare kinds first, then reasoned ones, then anything else). */
export function statusCounts(entries: readonly CatalogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of entries) {
    const k = statusKind(e.status);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  const order: string[] = [...BARE_STATUSES, ...REASONED_STATUSES];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.fromEntries(
    Object.entries(counts).sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)),
  );
}

const cell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/**
 * A Markdown table (id | title | seeds | tier | status) for the README, followed by a summary line of the
 * counts per status kind.
 */
export function renderStatusTable(entries: readonly CatalogEntry[]): string {
  const rows = [
    "| id | title | seeds | tier | status |",
    "|---|---|---|---|---|",
    ...entries.map((e) =>
      `| ${cell(e.id)} | ${cell(e.title)} | ${e.seeds.join(", ")} | ${e.tier} | ${
        cell(e.note ? `${e.status} — ${e.note}` : e.status)
      } |`
    ),
  ];
  const counts = Object.entries(statusCounts(entries)).map(([k, n]) => `${k}: ${n}`).join(", ");
  return `${rows.join("\n")}\n\n**${entries.length} papers** — ${counts || "none"}.\n`;
}

/**
 * The catalog with every built paper's status derived from its committed verdict (results/verdicts/<id>.json):
 * never a hand-written word. Papers without a folder keep theirs (planned, out of scope).
 */
export function deriveStatuses(
  entries: readonly CatalogEntry[],
  built: readonly string[] = experimentIds(),
): CatalogEntry[] {
  const have = new Set(built);
  return entries.map((e) => (have.has(e.id) ? { ...e, status: verdictStatus(readVerdict(e.id)) } : e));
}

/** Write experiments/catalog.json; returns the ids whose status changed. */
export function writeCatalog(entries: readonly CatalogEntry[], url: URL = CATALOG_URL): string[] {
  const before = new Map(loadCatalog(url).map((e) => [e.id, e.status]));
  Deno.writeTextFileSync(url, JSON.stringify(entries, null, 2) + "\n");
  return entries.filter((e) => before.get(e.id) !== e.status).map((e) => e.id);
}

/** Where a module's hand-written notes live (beside its mod.ts); they end its generated README. */
export function notesPath(id: string): URL {
  return new URL(`${id}/NOTES.md`, EXPERIMENTS_DIR);
}

/** The README a built module should have: generated from its declaration, verdict and notes. */
export async function generatedReadme(id: string): Promise<string> {
  let notes: string | undefined;
  try {
    notes = Deno.readTextFileSync(notesPath(id));
  } catch { /* no notes */ }
  return renderPaperReadme(await loadExperiment(id), readVerdict(id), notes);
}

/** Write every built module's README.md; returns the ids whose README changed. */
export async function writePaperReadmes(ids: readonly string[] = experimentIds()): Promise<string[]> {
  const changed: string[] = [];
  for (const id of ids) {
    const path = new URL(`${id}/README.md`, EXPERIMENTS_DIR), text = await generatedReadme(id);
    let old = "";
    try {
      old = Deno.readTextFileSync(path);
    } catch { /* new */ }
    if (old !== text) {
      Deno.writeTextFileSync(path, text);
      changed.push(id);
    }
  }
  return changed;
}

export async function cmdCatalog(): Promise<number> {
  const changed = writeCatalog(deriveStatuses(loadCatalog()));
  if (changed.length) console.log(`catalog.json statuses derived from results/verdicts: ${changed.join(", ")}`);
  const path = new URL("../README.md", import.meta.url);
  const readme = Deno.readTextFileSync(path);
  const begin = "<!-- catalog:begin -->", end = "<!-- catalog:end -->";
  const i = readme.indexOf(begin), j = readme.indexOf(end);
  if (i < 0 || j < i) throw new UserError(`README.md needs the markers ${begin} and ${end}`);
  const table = renderStatusTable(loadCatalog());
  Deno.writeTextFileSync(path, `${readme.slice(0, i + begin.length)}\n${table}\n${readme.slice(j)}`);
  console.log("README.md status table updated from experiments/catalog.json");
  const readmes = await writePaperReadmes();
  if (readmes.length) console.log(`paper READMEs regenerated: ${readmes.join(", ")}`);
  return 0;
}

/**
 * `deno task compare A B`: what changed between two sets of results, in the spirit of `asv compare`.
 *
 * - Two databases: per experiment × method × config × metric, the seed means in A and B, their ratio, and whether
 *   the change is beyond seed noise (paired by seed: |mean difference| > 2 standard errors of the differences,
 *   or any difference at all when there is one seed and the values are bitwise different).
 * - Two verdict files or folders (e.g. `results/verdicts` at two commits, saved with `git show`): per claim, the
 *   verdict and measured value in A and B, flips first.
 */
import { canonicalJson } from "../lib/run/hash.ts";
import { mean, std } from "../lib/math/stats.ts";
import { lastStepRows, type MetricRow } from "../lib/claims/results.ts";
import type { VerdictFile } from "../lib/claims/verdicts.ts";
import { UserError } from "../lib/run/errors.ts";
import { openStore, parse, USAGE } from "./cli.ts";

export interface MetricDiff {
  experiment: string;
  method: string;
  config: Record<string, unknown>;
  metric: string;
  a: number;
  b: number;
  ratio: number;
  /** Paired over this many seeds present in both. */
  seeds: number;
  significant: boolean;
}

/** Paired per-config diff of scalar metrics (series at their last step) between two row sets. */
export function diffMetrics(
  rowsA: (MetricRow & { experiment: string })[],
  rowsB: (MetricRow & { experiment: string })[],
): MetricDiff[] {
  const index = (rows: (MetricRow & { experiment: string })[]) => {
    const groups = new Map<string, Map<number, number>>();
    const meta = new Map<string, MetricRow & { experiment: string }>();
    for (const r of lastStepRows(rows)) {
      const g = canonicalJson([r.experiment, r.method, r.backend, r.config, r.metric]);
      (groups.get(g) ?? groups.set(g, new Map()).get(g)!).set(r.seed, r.value);
      meta.set(g, r);
    }
    return { groups, meta };
  };
  const A = index(rowsA), B = index(rowsB);
  const out: MetricDiff[] = [];
  for (const [g, sa] of A.groups) {
    const sb = B.groups.get(g);
    if (!sb) continue;
    const pairs = [...sa].filter(([s]) => sb.has(s)).map(([s, v]) => [v, sb.get(s)!] as const);
    if (!pairs.length) continue;
    const d = pairs.map(([x, y]) => y - x);
    const a = mean(pairs.map((p) => p[0])), b = mean(pairs.map((p) => p[1]));
    const se = d.length > 1 ? std(d) / Math.sqrt(d.length) : 0;
    const significant = d.length > 1 ? Math.abs(mean(d)) > 2 * se && mean(d) !== 0 : d[0] !== 0;
    const m = A.meta.get(g)!;
    out.push({
      experiment: m.experiment,
      method: m.method,
      config: m.config,
      metric: m.metric,
      a,
      b,
      ratio: b / a,
      seeds: pairs.length,
      significant,
    });
  }
  return out.sort((x, y) =>
    Number(y.significant) - Number(x.significant) || Math.abs(Math.log(Math.abs(y.ratio))) -
      Math.abs(Math.log(Math.abs(x.ratio)))
  );
}

export interface ClaimDiff {
  experiment: string;
  claim: string;
  kind: string;
  a?: { pass: boolean; measured: string };
  b?: { pass: boolean; measured: string };
  flipped: boolean;
}

/** Claim verdicts of two verdict-file sets (first backend set of each), flips first. */
export function diffVerdicts(a: VerdictFile[], b: VerdictFile[]): ClaimDiff[] {
  const byId = (vs: VerdictFile[]) => new Map(vs.map((v) => [v.experiment, v]));
  const A = byId(a), B = byId(b);
  const out: ClaimDiff[] = [];
  for (const id of [...new Set([...A.keys(), ...B.keys()])].sort()) {
    const ca = new Map((A.get(id)?.sets[0]?.claims ?? []).map((c) => [c.id, c]));
    const cb = new Map((B.get(id)?.sets[0]?.claims ?? []).map((c) => [c.id, c]));
    for (const cid of [...new Set([...ca.keys(), ...cb.keys()])]) {
      const x = ca.get(cid), y = cb.get(cid);
      out.push({
        experiment: id,
        claim: cid,
        kind: (y ?? x)!.kind,
        a: x && { pass: x.pass, measured: x.measured },
        b: y && { pass: y.pass, measured: y.measured },
        flipped: !!x && !!y && x.pass !== y.pass,
      });
    }
  }
  return out.sort((p, q) => Number(q.flipped) - Number(p.flipped));
}

/** Verdict files from a file or a folder of them. */
export function readVerdicts(path: string): VerdictFile[] {
  const stat = Deno.statSync(path);
  const files = stat.isDirectory
    ? [...Deno.readDirSync(path)].filter((e) => e.name.endsWith(".json")).map((e) => `${path}/${e.name}`)
    : [path];
  return files.map((f) => JSON.parse(Deno.readTextFileSync(f)) as VerdictFile).filter((v) => v.sets && v.experiment);
}

export async function cmdCompare(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, { all: { type: "boolean" } });
  const [a, b] = positionals;
  if (!a || !b || positionals.length !== 2) throw new UserError(`compare needs two paths\n${USAGE}`);
  const fmt = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(4) : x.toExponential(2));
  if (a.endsWith(".duckdb") && b.endsWith(".duckdb")) {
    const [sa, sb] = [await openStore(a), await openStore(b)];
    try {
      const diffs = diffMetrics(await sa.allMetricRows(), await sb.allMetricRows());
      const shown = v.all ? diffs : diffs.filter((d) => d.significant);
      console.log(
        "| experiment | method | config | metric | A | B | B/A | seeds | beyond noise |\n|---|---|---|---|---|---|---|---|---|",
      );
      for (const d of shown) {
        const cfg = Object.entries(d.config).map(([k, x]) => `${k}=${x}`).join(" ");
        console.log(
          `| ${d.experiment} | ${d.method} | ${cfg.slice(0, 60)} | ${d.metric} | ${fmt(d.a)} | ${fmt(d.b)} | ${
            fmt(d.ratio)
          } | ${d.seeds} | ${d.significant ? "yes" : "no"} |`,
        );
      }
      console.log(
        `\n${diffs.filter((d) => d.significant).length} of ${diffs.length} metrics changed beyond seed noise` +
          (v.all ? "" : " (--all lists every metric)"),
      );
    } finally {
      sa.close();
      sb.close();
    }
    return 0;
  }
  let va, vb;
  try {
    [va, vb] = [readVerdicts(a), readVerdicts(b)];
  } catch (e) {
    throw new UserError(`compare: expected two .duckdb files or two verdict files/folders (${(e as Error).message})`);
  }
  const diffs = diffVerdicts(va, vb);
  const mark = (x?: { pass: boolean }) => (x ? (x.pass ? "holds" : "fails") : "–");
  console.log("| experiment | claim | kind | A | B | measured in B |\n|---|---|---|---|---|---|");
  for (const d of v.all ? diffs : diffs.filter((d) => d.flipped || !d.a || !d.b)) {
    console.log(
      `| ${d.experiment} | ${d.claim} | ${d.kind} | ${mark(d.a)} | ${mark(d.b)} | ${
        (d.b?.measured ?? "").slice(0, 100)
      } |`,
    );
  }
  console.log(`\n${diffs.filter((d) => d.flipped).length} of ${diffs.length} claims flipped`);
  return 0;
}

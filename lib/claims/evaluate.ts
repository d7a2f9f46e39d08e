/**
 * Evaluate an experiment's claims over its tidy results, and turn paper claims into a status.
 *
 * A claim that throws (e.g. a strict selection found a failed run) fails with the reason as its detail. A claim
 * whose `scales` exclude the evaluated scale is shown but not graded. Results that mix backends for one method
 * are never pooled: {@link splitByBackend} gives one result set per backend, and each gets its own verdicts.
 */
import type { ResultSet } from "./results.ts";
import type { Claim, ClaimKind, ClaimResult } from "./types.ts";

/** The scales at which a claim is graded (timing claims: paper scale only, unless they say otherwise). */
export function gradedScales(c: Claim): readonly string[] | "all" {
  return c.scales ?? (c.timing ? ["paper"] : "all");
}

/** Evaluate `claims` over `results` (use a strict ResultSet: one built with the planned runs). */
export function evaluateClaims(
  exp: { claims: readonly Claim[] },
  results: ResultSet,
  opts: { scale?: string } = {},
): ClaimResult[] {
  return exp.claims.map((c) => {
    const scales = gradedScales(c);
    const graded = scales === "all" || opts.scale === undefined || scales.includes(opts.scale);
    const base = {
      id: c.id,
      kind: c.kind,
      statement: c.statement,
      paper: c.paper,
      timing: c.timing ?? false,
      graded,
    };
    if (!results.rows.length) return { ...base, measured: "no results", pass: false, detail: "no successful runs" };
    try {
      const v = c.check(results);
      return { ...base, measured: v.measured, pass: v.pass, detail: v.detail };
    } catch (e) {
      return { ...base, measured: "not measured", pass: false, detail: (e as Error).message };
    }
  });
}

/**
 * One result set per backend, so no verdict pools two backends. Methods that ran on a single backend appear in
 * every set; a method that ran on several contributes to each set only its runs on that set's backend.
 */
export function splitByBackend(results: ResultSet): { label: string; results: ResultSet }[] {
  const byMethod = new Map<string, Set<string>>();
  for (const r of results.runs ?? results.rows) {
    (byMethod.get(r.method) ?? byMethod.set(r.method, new Set()).get(r.method)!).add(r.backend);
  }
  const multi = [...new Set([...byMethod.values()].filter((s) => s.size > 1).flatMap((s) => [...s]))].sort();
  const all = [...new Set([...byMethod.values()].flatMap((s) => [...s]))].sort();
  if (!multi.length) return [{ label: all.join(" + "), results }];
  return multi.map((b) => ({
    label: b,
    results: results.filter((r) => byMethod.get(r.method)!.size === 1 || r.backend === b),
  }));
}

/** A built paper's catalog status, derived from its paper claims at paper scale (see paperStatus). */
export type PaperStatus = "reproduced" | "partial" | "not reproduced";

/**
 * A paper's status from its graded paper claims at paper scale: `reproduced` when every one holds with ≥ 3
 * seeds, `partial` when some hold (or all hold with fewer seeds), `not reproduced` when none holds.
 */
export function paperStatus(claims: readonly ClaimResult[], seeds: number): { status: PaperStatus; reason: string } {
  const graded = claims.filter((c) => c.kind === "paper" && c.graded);
  const held = graded.filter((c) => c.pass).length;
  const of = `${held} of ${graded.length} paper claims hold at paper scale (${seeds} seed${seeds === 1 ? "" : "s"})`;
  if (!graded.length || held === 0) return { status: "not reproduced", reason: of };
  if (held === graded.length && seeds >= 3) return { status: "reproduced", reason: of };
  return { status: "partial", reason: held === graded.length ? `${of}; fewer than 3 seeds` : of };
}

const KIND_TITLES: Record<ClaimKind, string> = {
  paper: "Paper claims",
  identity: "Identities (checks of our code)",
  sanity: "Sanity checks (properties of the setup)",
};

/** Claims as text, grouped by kind, e.g. for the terminal after a run. */
export function formatClaims(claims: readonly ClaimResult[]): string {
  if (!claims.length) return "(no claims)";
  const out: string[] = [];
  for (const kind of Object.keys(KIND_TITLES) as ClaimKind[]) {
    const of = claims.filter((c) => c.kind === kind);
    if (!of.length) continue;
    out.push(`${KIND_TITLES[kind]}:`);
    for (const c of of) {
      const mark = !c.graded ? "(not graded at this scale)" : c.pass ? "PASS" : "FAIL";
      out.push(
        `  ${mark}  ${c.id}: measured ${c.measured}${c.paper ? ` (paper: ${c.paper.value})` : ""}${
          c.detail ? ` — ${c.detail}` : ""
        }`,
      );
    }
  }
  return out.join("\n");
}

export { KIND_TITLES };

/**
 * Claims as Markdown tables, grouped by kind (paper claims, identities, sanity checks): what the report's claims.md
 * and each paper's generated README show.
 */
import { type ClaimResult, KIND_TITLES } from "../claims/mod.ts";
import { verdictLabel } from "./explore/html.js";

/** A Markdown table cell: pipes escaped, line breaks folded. */
export const mdCell = (s: unknown): string => String(s ?? "").replaceAll("|", "\\|").replaceAll("\n", " ");

/** One table per claim kind: the claim, the paper's value with its source, what we measured, the verdict. */
export function claimsMarkdown(claims: ClaimResult[]): string {
  const out: string[] = [];
  for (const kind of Object.keys(KIND_TITLES) as (keyof typeof KIND_TITLES)[]) {
    const of = claims.filter((c) => c.kind === kind);
    if (!of.length) continue;
    const rows = of.map((c) =>
      `| **${mdCell(c.id)}**: ${mdCell(c.statement)} | ${
        c.paper
          ? `${mdCell(c.paper.value)} ([${mdCell(c.paper.source.where ?? "source")}](${c.paper.source.url}))`
          : "–"
      } | ${mdCell(c.measured)}${c.detail ? ` — ${mdCell(c.detail)}` : ""} | ${
        (c.graded ? (c.pass ? "✅ " : "❌ ") : "") + verdictLabel(c)
      }${c.timing ? " (timing)" : ""} |`
    );
    out.push(
      `**${KIND_TITLES[kind]}**\n\n| claim | paper | measured | verdict |\n|---|---|---|---|\n${rows.join("\n")}`,
    );
  }
  return out.join("\n\n");
}

/** The claims of every verdict set (one per backend set), each under its backend's heading when there are several. */
export function verdictSetsMarkdown(sets: { label: string; claims: ClaimResult[] }[]): string {
  return sets.map((set) => `${sets.length > 1 ? `### Backend: ${set.label}\n\n` : ""}${claimsMarkdown(set.claims)}`)
    .join("\n\n");
}

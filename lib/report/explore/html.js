// Pieces of HTML that the report pages (TypeScript, in Deno) and the exploration page (in the browser; `deno task
// report` copies this file beside app.js) both write: one definition, so the two pages never drift apart.

/**
 * HTML-escape text (null and undefined give "").
 * @param {unknown} s
 * @returns {string}
 */
export const esc = (s) =>
  String(s ?? "").replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/**
 * A link to `url` reading `text` when `url` is http(s); otherwise the escaped text alone.
 * @param {string | undefined} url
 * @param {string | undefined} text
 * @returns {string}
 */
export const link = (url, text) =>
  /^https?:\/\//.test(url ?? "") ? `<a href="${esc(url)}">${esc(text)}</a>` : esc(text ?? url ?? "");

/**
 * The words for a claim's verdict, the same on the report page, the exploration page and the Markdown tables.
 * @param {{ graded: boolean, pass: boolean }} c
 * @returns {string}
 */
export function verdictLabel(c) {
  return !c.graded ? "not graded at this scale" : c.pass ? "holds" : "does not hold";
}

/**
 * One row of a verdict table: the claim (`statementHtml`, already rendered), the paper's number with its source,
 * what we measured, and the verdict.
 * @param {{ paper?: { value: string, source?: { url?: string, where?: string } }, measured: string,
 *   detail?: string, graded: boolean, pass: boolean, timing?: boolean }} c
 * @param {string} statementHtml
 * @returns {string}
 */
export function claimRow(c, statementHtml) {
  const paper = c.paper
    ? `${esc(c.paper.value)}<br><span class="note">${
      link(c.paper.source?.url, c.paper.source?.where ?? c.paper.source?.url)
    }</span>`
    : "–";
  const measured = `${esc(c.measured)}${c.detail ? `<br><span class="note">${esc(c.detail)}</span>` : ""}`;
  const verdict = verdictLabel(c);
  return `<tr><td>${statementHtml}</td><td>${paper}</td><td>${measured}</td><td class="${
    !c.graded ? "" : c.pass ? "pass" : "fail"
  }">${verdict}${c.timing ? " (timing)" : ""}</td></tr>`;
}

/**
 * A short name for the environment a check ran in: linalg, the forced BLAS kernel if any (it matters only where
 * BLAS runs), and the CPU.
 * @param {{ linalg: string, cpu?: string, openblas_coretype?: string } | undefined} m
 * @returns {string}
 */
export function envLabel(m) {
  if (!m) return "unknown";
  const kernel = m.linalg === "native" && m.openblas_coretype && m.openblas_coretype !== "(detected)"
    ? `/${m.openblas_coretype}`
    : "";
  const cpu = (m.cpu ?? "unknown").replace(/\((R|TM)\)|CPU|Processor|@.*$/gi, "").replace(/\s+/g, " ").trim();
  return `${m.linalg}${kernel} · ${cpu.slice(0, 32)}`;
}

import { deepStrictEqual as assertEquals } from "node:assert";
import type { RunRecord } from "../lib/run/store.ts";
import type { MetricRow } from "../lib/claims/results.ts";
import { history } from "./history.ts";

const run = (id: string, codeVersion: string, seed: number, day: number): RunRecord => ({
  run_id: id,
  experiment: "x",
  method: "m",
  seed,
  scale: "smoke",
  config: { n: 1 },
  status: "ok",
  error: null,
  backend: "js",
  device: "",
  started_at: new Date(Date.UTC(2026, 0, day)),
  duration_ms: 1,
  git_commit: `commit${day}`,
  code_version: codeVersion,
  versions: {},
});
const row = (r: RunRecord, value: number, step: number | null = null): MetricRow => ({
  run_id: r.run_id,
  method: r.method,
  backend: r.backend,
  seed: r.seed,
  config: r.config,
  metric: "err",
  step,
  value,
});

Deno.test("history: versions oldest first, means at the last step, changes beyond noise paired by seed", () => {
  const v1 = [0, 1, 2].map((s) => run(`a${s}`, "v1", s, 1));
  const v2 = [0, 1, 2].map((s) => run(`b${s}`, "v2", s, 2));
  const v3 = [0, 1, 2].map((s) => run(`c${s}`, "v3", s, 3));
  const rows = [
    ...v1.flatMap((r) => [row(r, 9, 0), row(r, 1 + r.seed / 100, 1)]), // series: the last step counts
    ...v2.map((r) => row(r, 1 + r.seed / 100)), // same values: no change
    ...v3.map((r) => row(r, 2 + r.seed / 100)), // doubled on every seed: a change
  ];
  const h = history([...v3, ...v1, ...v2], rows);
  assertEquals(h.map((v) => v.codeVersion), ["v1", "v2", "v3"]);
  assertEquals(h.map((v) => v.means.get("m|err")!.toFixed(2)), ["1.01", "1.01", "2.01"]);
  assertEquals(h.map((v) => v.changes.length), [0, 0, 1]);
  assertEquals(h[0].commits, ["commit1"]);
});

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert";
import type { MachineRecord } from "../lib/run/versions.ts";
import {
  appendCheckHistory,
  type CheckHistoryEntry,
  checkOrder,
  entryMean,
  envLabel,
  formatCheckHistory,
  readCheckHistory,
} from "./check_history.ts";

const machine = (linalg: "native" | "js", coretype = "(detected)"): MachineRecord => ({
  linalg,
  cpu: "Intel(R) Xeon(R) Platinum 8480C CPU @ 2.00GHz",
  library: linalg === "native" ? "OpenBLAS 0.3.26" : "ml-matrix 6.15.1",
  openblas_coretype: coretype,
  blas_threads: 1,
  deno: "2.9.6",
});

const entry = (commit: string, day: number, m: MachineRecord, err: number, pass: boolean): CheckHistoryEntry => ({
  date: new Date(Date.UTC(2026, 0, day)).toISOString(),
  git_commit: commit,
  machine: m,
  experiment: "x",
  scale: "smoke",
  update: false,
  failed: 0,
  metrics: [
    { method: "a", config: { n: 1 }, metric: "err", mean: err, n: 2 },
    { method: "a", config: { n: 2 }, metric: "err", mean: err + 2, n: 2 },
    { method: "a", config: { n: 1 }, metric: "time_ms", mean: 5, n: 2 },
  ],
  claims: [
    { id: "wins", kind: "paper", pass, graded: true, timing: false },
    { id: "exact", kind: "identity", pass: true, graded: true, timing: false },
    { id: "big", kind: "paper", pass: false, graded: false, timing: false },
  ],
});

Deno.test("check history: append creates the folder, read keeps order, filters by experiment, skips torn lines", () => {
  const dir = Deno.makeTempDirSync({ prefix: "repro-history-" });
  try {
    const path = `${dir}/history/checks.jsonl`;
    assertEquals(readCheckHistory(path), []);
    assert(appendCheckHistory([entry("c1", 2, machine("native"), 1, true)], path));
    assert(
      appendCheckHistory([entry("c2", 1, machine("js"), 3, false), {
        ...entry("c3", 3, machine("js"), 1, true),
        experiment: "y",
      }], path),
    );
    Deno.writeTextFileSync(path, '{"experiment": "x", "metr\n', { append: true }); // an interrupted append
    const all = readCheckHistory(path);
    assertEquals(all.map((e) => e.git_commit), ["c1", "c2", "c3"]);
    assertEquals(readCheckHistory(path, "x").map((e) => e.git_commit), ["c1", "c2"]);
    // Check order is by date, whatever the file order.
    assertEquals(checkOrder(all).map((e) => e.git_commit), ["c2", "c1", "c3"]);
    // A path that cannot be written warns and returns false: never throws.
    Deno.writeTextFileSync(`${dir}/file`, "");
    assertEquals(appendCheckHistory([entry("c4", 4, machine("js"), 1, true)], `${dir}/file/sub/checks.jsonl`), false);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("check history: environment labels, means over configs, and the table across commits", () => {
  assertEquals(envLabel(machine("native")), "native · Intel Xeon Platinum 8480C");
  assertEquals(envLabel(machine("native", "SandyBridge")), "native/SandyBridge · Intel Xeon Platinum 8480C");
  const es = [
    entry("aaaaaaaaaaaa1", 1, machine("native"), 1, true),
    entry("bbbbbbbbbbbb2", 2, machine("js"), 3, false),
  ];
  assertEquals(entryMean(es[0], "a", "err"), 2);
  assertEquals(entryMean(es[0], "a", "nothing"), undefined);
  const text = formatCheckHistory(es);
  const lines = text.split("\n");
  assertEquals(lines[0], "| # | commit | date | env | claims holding | a · err |"); // time_ms left out
  assertEquals(
    lines[2],
    "| 1 | aaaaaaaaaa | 2026-01-01T00:00 | native · Intel Xeon Platinum 8480C | paper 1/1, identity 1/1 | 2.000 |",
  );
  assertEquals(
    lines[3],
    "| 2 | bbbbbbbbbb | 2026-01-02T00:00 | js · Intel Xeon Platinum 8480C | paper 0/1, identity 1/1 | 4.000 |",
  );
  assert(text.includes("  wins (paper): held 1, failed 1; failed at bbbbbbb"), text);
  assert(text.includes("  exact (identity): held 2, failed 0"), text);
  assert(text.includes("  big (paper): not graded at smoke scale"), text);
  assert(text.endsWith("2 checks of x at 2 commits in 2 environments"), text);
  // --metric picks metrics by name, timing ones included.
  assertEquals(formatCheckHistory(es, { metrics: ["time_ms"] }).split("\n")[0].endsWith("| a · time_ms |"), true);
  assertEquals(formatCheckHistory([]), "");
});

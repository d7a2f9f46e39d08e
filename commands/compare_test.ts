import { deepStrictEqual as assertEquals } from "node:assert";
import { diffMetrics, diffVerdicts } from "./compare.ts";
import type { VerdictFile } from "../lib/claims/verdicts.ts";

const row = (seed: number, value: number) => ({
  experiment: "toy",
  run_id: `r${seed}`,
  method: "m",
  backend: "native",
  seed,
  config: { n: 1 },
  metric: "err",
  step: null,
  value,
});

Deno.test("compare: a shift on every seed is beyond noise; seed-level jitter is not", () => {
  const a = [row(0, 1), row(1, 2), row(2, 3)];
  const shifted = [row(0, 1.1), row(1, 2.1), row(2, 3.1)];
  const jitter = [row(0, 1.1), row(1, 1.9), row(2, 3.05)];
  assertEquals(diffMetrics(a, shifted).map((d) => [d.seeds, d.significant]), [[3, true]]);
  assertEquals(diffMetrics(a, jitter).map((d) => d.significant), [false]);
  assertEquals(diffMetrics(a, a).map((d) => d.significant), [false]);
});

Deno.test("compare: verdict files list flips first", () => {
  const v = (pass: boolean[]): VerdictFile => ({
    experiment: "toy",
    sets: [{
      label: "native",
      claims: pass.map((p, i) => ({
        id: `c${i}`,
        kind: "paper",
        statement: "",
        measured: String(p),
        pass: p,
        graded: true,
        timing: false,
      })),
    }],
  } as unknown as VerdictFile);
  const d = diffVerdicts([v([true, true])], [v([true, false])]);
  assertEquals(d.map((x) => [x.claim, x.flipped]), [["c1", true], ["c0", false]]);
});

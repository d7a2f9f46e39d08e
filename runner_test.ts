/** The command line end to end, on the toy experiment (lib/testdata/experiments/toy). */
import { deepStrictEqual as assertEquals } from "node:assert";
import { nativeAvailable } from "./lib/math/linalg/mod.ts";
import { Store } from "./lib/run/store.ts";

import { ROOT, scratchDir, taskPermissions } from "./lib/testdata/tasks.ts";
const env = { REPRO_EXPERIMENTS_DIR: new URL("./lib/testdata/experiments", import.meta.url).pathname };

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskPermissions(args[0]), "runner.ts", ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  });
  const r = await cmd.output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

const noStack = (s: string) => !/^\s+at /m.test(s);

/**
 * Start `deno task run` with `args`, read its stderr until `marker` appears, then send `signal`. Returns what it
 * printed by then and its exit code.
 */
async function interruptRun(args: string[], marker: string, signal: Deno.Signal) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskPermissions("run"), "runner.ts", "run", ...args],
    cwd: ROOT,
    env,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
  }
  child.kill(signal);
  while (!(await reader.read()).done) { /* drain */ }
  return { seen, code: (await child.status).code };
}

Deno.test("cli: user errors are one sentence, exit 2, no stack trace", async () => {
  const unknown = await cli("run", "nope");
  assertEquals([
    unknown.code,
    unknown.err.includes('unknown experiment "nope". Known experiments: faults, hostile, toy'),
  ], [2, true]);
  const badSet = await cli("run", "toy", "--set", "n=abc", "--db", ":memory:");
  assertEquals(badSet.code, 2);
  assertEquals(badSet.err.includes("--set n=abc") && badSet.err.includes("expects number"), true, badSet.err);
  const badFlag = await cli("run", "toy", "--bogus");
  for (const r of [unknown, badSet, badFlag]) assertEquals(noStack(r.err), true, r.err);
  assertEquals(badFlag.code, 2);
});

Deno.test("cli: --help on every command; did-you-mean for a misspelt id", async () => {
  for (const cmd of ["run", "report", "check", "verify", "merge", "export", "catalog"]) {
    const r = await cli(cmd, "--help");
    assertEquals([r.code, r.out.includes(`deno task ${cmd}`)], [0, true], `${cmd}: ${r.out}${r.err}`);
  }
  const typo = await cli("run", "toyy", "--db", ":memory:");
  assertEquals([typo.code, typo.err.includes("Did you mean toy?")], [2, true], typo.err);
});

Deno.test("cli: bad --db paths and seed lists are refused in one sentence before anything runs", async () => {
  const dir = scratchDir();
  Deno.writeTextFileSync(`${dir}/notes.duckdb`, "not a database at all");
  const cases = [
    [["run", "toy", "--db", `${dir}/x.csv`], "ending in .duckdb"],
    [["run", "toy", "--db", `${dir}/notes.duckdb`], "not a DuckDB database"],
    [["run", "toy", "--seed-list", ",", "--db", ":memory:"], "--seed-list ,"],
    [["run", "toy", "--seed-list", "1,1", "--db", ":memory:"], "repeated"],
    [["run", "nope", "--db", `${dir}/never.duckdb`], 'unknown experiment "nope"'],
  ] as const;
  for (const [args, says] of cases) {
    const r = await cli(...args);
    assertEquals([r.code, r.err.includes(says), noStack(r.err)], [2, true, true], `${args.join(" ")}: ${r.err}`);
  }
  // The unknown id was caught before the database was created.
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["notes.duckdb"]);
});

Deno.test("cli: run prints claims, resumes, shards merge, report and export write files", async () => {
  const dir = scratchDir();
  const db = `${dir}/r.duckdb`;
  const first = await cli("run", "toy", "--methods", "mean,iterative", "--db", db);
  assertEquals(first.code, 0, first.err);
  assertEquals(first.out.includes("PASS  error-shrinks"), true, first.out);
  const again = await cli("run", "toy", "--methods", "mean,iterative", "--db", db);
  assertEquals(again.err.includes("0 ok, 0 failed, 0 timed out, 0 skipped, 8 resumed"), true, again.err);
  for (const k of [1, 2]) {
    const s = await cli(
      "run",
      "toy",
      "--methods",
      "mean,iterative",
      "--shard",
      `${k}/2`,
      "--db",
      `${dir}/s${k}.duckdb`,
    );
    assertEquals(s.err.includes("= 4 runs (shard"), true, s.err);
  }
  const merged = await cli("merge", `${dir}/m.duckdb`, `${dir}/s1.duckdb`, `${dir}/s2.duckdb`);
  assertEquals([merged.code, merged.out.includes("4 runs merged")], [0, true]);
  const report = await cli("report", "toy", "--db", db, "--out", `${dir}/report`);
  assertEquals(report.code, 0, report.err);
  assertEquals(Deno.statSync(`${dir}/report/index.html`).size > 1000, true);
  const exp = await cli("export", "--db", db, "--format", "csv", "--out", `${dir}/csv`);
  assertEquals(exp.code, 0, exp.err);
  assertEquals(Deno.readTextFileSync(`${dir}/csv/runs.csv`).trim().split("\n").length, 1 + 8);
  const show = await cli("show", "toy", "--db", db, "--where", "method=mean", "--sort=-abs_error");
  assertEquals([show.code, /^method\s+backend\s+seed\s+status/.test(show.out), show.out.includes("abs_error")], [
    0,
    true,
    true,
  ], show.out + show.err);
  const same = await cli("compare", db, db);
  assertEquals([same.code, same.out.includes("0 of")], [0, true], same.out + same.err);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("cli: Ctrl-C stops the sweep and keeps every finished run", async () => {
  const dir = scratchDir();
  const db = `${dir}/r.duckdb`;
  // Interrupt after the first finished run, while the second hangs.
  const { code } = await interruptRun(["toy", "--methods", "mean,hangs", "--db", db], "[1/", "SIGINT");
  assertEquals(code, 130);
  const resumed = await cli("run", "toy", "--methods", "mean", "--db", db, "--seed-list", "0", "--set", "n=10");
  assertEquals(resumed.err.includes("1 resumed"), true, resumed.err);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test({
  name: "cli: same seed, native backend → bitwise-identical metrics across two processes",
  ignore: !nativeAvailable(),
  async fn() {
    const dir = scratchDir();
    const values = async (db: string) => {
      const r = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...taskPermissions("run"),
          "runner.ts",
          "run",
          "pseudoinverse-cr",
          "--backend",
          "native",
          "--db",
          db,
          "--quiet",
        ],
        cwd: ROOT,
        stdout: "null",
        stderr: "piped",
      }).output();
      assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
      const store = await Store.open(db);
      const rows = (await store.metricRows("pseudoinverse-cr")).filter((m) => m.metric !== "time_ms");
      const backends = new Set((await store.runs("pseudoinverse-cr")).map((x) => x.backend));
      store.close();
      assertEquals([...backends], ["native"]);
      // Exact float64 bits, not a tolerance.
      return rows.map((m) =>
        `${m.run_id}/${m.metric}/${m.step}=${new BigUint64Array(new Float64Array([m.value]).buffer)[0]}`
      );
    };
    const a = await values(`${dir}/a.duckdb`), b = await values(`${dir}/b.duckdb`);
    assertEquals(a.length > 0, true);
    assertEquals(a, b);
    Deno.removeSync(dir, { recursive: true });
  },
});

Deno.test("cli: kill -9 mid-sweep loses no finished run (the journal is replayed on the next run)", async () => {
  const dir = scratchDir();
  const db = `${dir}/r.duckdb`;
  // SIGKILL: no handler runs, only what was journalled survives.
  const { seen } = await interruptRun(["toy", "--methods", "mean,iterative,hangs", "--db", db], "[2/", "SIGKILL");
  const finished = (seen.match(/\] ok /g) ?? []).length;
  const again = await cli("run", "toy", "--methods", "mean,iterative", "--db", db, "--seed-list", "0,1");
  // Every finished run is back: those of a committed batch from the store, the rest from the journal.
  const recovered = Number(again.err.match(/(\d+) runs recovered from the journal/)?.[1] ?? 0);
  assertEquals(recovered <= finished, true, again.err);
  assertEquals(again.err.includes(`${finished} resumed`), true, again.err);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("cli: an interrupted --fresh leaves every finished run in place, old or new", async () => {
  const dir = scratchDir();
  const db = `${dir}/r.duckdb`;
  const first = await cli("run", "toy", "--methods", "mean,iterative", "--db", db);
  assertEquals(first.code, 0, first.err);
  await interruptRun(
    ["toy", "--methods", "mean,iterative,hangs", "--fresh", "--time-limit", "60", "--db", db],
    "[2/",
    "SIGKILL",
  );
  const store = await Store.open(db);
  const runs = (await store.runs("toy")).filter((r) => r.status === "ok");
  store.close();
  assertEquals(runs.length, 8, `finished runs after the interrupted --fresh: ${runs.length}`);
  Deno.removeSync(dir, { recursive: true });
});

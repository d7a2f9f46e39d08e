/**
 * repro's command line: `deno task run|report|serve|check|verify|show|compare|merge|export|catalog`. See README.md.
 * Each command lives in commands/<name>.ts; this file dispatches and turns user errors into one sentence.
 *
 * User errors (unknown experiment, bad --set, ...) print one sentence and exit 2, without a stack trace.
 */
import { UserError } from "./lib/run/errors.ts";
import { USAGE } from "./commands/cli.ts";

/** Each command is imported when called: the store's native addon loads only for commands that need it. */
const COMMANDS: Record<string, () => Promise<(args: string[]) => number | Promise<number>>> = {
  run: async () => (await import("./commands/run.ts")).cmdRun,
  report: async () => (await import("./commands/report.ts")).cmdReport,
  serve: async () => (await import("./commands/serve.ts")).cmdServe,
  check: async () => (await import("./commands/check.ts")).cmdCheck,
  verify: async () => (await import("./commands/verify.ts")).cmdVerify,
  show: async () => (await import("./commands/show.ts")).cmdShow,
  compare: async () => (await import("./commands/compare.ts")).cmdCompare,
  history: async () => (await import("./commands/history.ts")).cmdHistory,
  merge: async () => (await import("./commands/data.ts")).cmdMerge,
  export: async () => (await import("./commands/data.ts")).cmdExport,
  catalog: async () => (await import("./commands/catalog.ts")).cmdCatalog,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return 0;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    const lines = USAGE.split("\n");
    const start = lines.findIndex((l) => l.startsWith(`  deno task ${command} `) || l === `  deno task ${command}`);
    if (start < 0) {
      console.error(USAGE);
      return 2;
    }
    const own = [lines[start]];
    for (let i = start + 1; i < lines.length && !lines[i].startsWith("  deno task "); i++) own.push(lines[i]);
    if (command === "run") own.push(lines.find((l) => l.startsWith("  deno task run --list"))!);
    console.log(`usage:\n${own.join("\n")}\n\nSee README.md for what each option does.`);
    return 0;
  }
  const load = COMMANDS[command ?? ""];
  if (!load) {
    console.error(USAGE);
    return command ? 2 : 0;
  }
  return await (await load())(rest);
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    if (e instanceof UserError) {
      console.error(`error: ${e.message}`);
      code = 2;
    } else if (e instanceof Deno.errors.NotCapable) {
      // The tasks grant the fewest permissions that work: writes go under results/ and .cache/ only.
      console.error(`error: ${e.message.split(", run again")[0]}; the tasks write only under results/ and .cache/`);
      code = 2;
    } else throw e;
  }
  // jax-js's wasm worker pool keeps the process alive: exit explicitly.
  Deno.exit(code);
}

/** For tests that start the command line: run it under exactly the permissions its deno.json task grants. */

/** The project root (where deno.json is): tasks' relative paths resolve against it. */
export const ROOT = new URL("../../", import.meta.url).pathname;

/** The `--allow-*` and `--deny-*` flags of a deno.json task. */
export function taskPermissions(task: string): string[] {
  const tasks = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks as Record<string, string>;
  if (!tasks[task]) throw new Error(`deno.json has no task "${task}"`);
  return tasks[task].split(/\s+/).filter((w) => w.startsWith("--allow-") || w.startsWith("--deny-"));
}

/** A fresh folder under .cache/, where every command's task may write. */
export function scratchDir(): string {
  Deno.mkdirSync(`${ROOT}.cache`, { recursive: true });
  return Deno.makeTempDirSync({ dir: `${ROOT}.cache`, prefix: "test-" });
}

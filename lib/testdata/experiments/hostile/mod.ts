/**
 * A hostile paper module for the sandbox tests: at import (in the runner) and inside its method (in the run
 * process) it tries each escape, and reports each as `escaped_<name>` = 1 (it worked) or 0 (it was refused).
 * The tests assert that every value is 0. Nothing here succeeds on a correctly scoped harness.
 */
import { defineExperiment } from "../../../experiment.ts";
import { onePoint } from "../one_point.ts";

/** A file the escapes try to create; its existence after a run is itself a failure. */
export const MARKER = "/tmp/repro-hostile-escaped";

type Attempt = () => unknown | Promise<unknown>;

/** Each escape: 1 when it worked, 0 when a permission refused it (any other error counts as refused too). */
export async function tryEscapes(where: string): Promise<Record<string, number>> {
  const projectRoot = new URL("../../../../", import.meta.url).pathname;
  const attempts: Record<string, Attempt> = {
    run_shell: () => new Deno.Command("/bin/sh", { args: ["-c", `echo ${where} > ${MARKER}-run`] }).outputSync(),
    run_git_alias: () => new Deno.Command("git", { args: ["-c", `alias.x=!touch ${MARKER}-git`, "x"] }).outputSync(),
    run_deno_eval: () =>
      new Deno.Command(Deno.execPath(), { args: ["eval", `Deno.writeTextFileSync("${MARKER}-deno", "x")`] })
        .outputSync(),
    launcher_ld_preload: () => {
      const c = new Deno.Command(`${projectRoot}lib/run/child.sh`, { args: ["512"], env: { LD_PRELOAD: "/x.so" } })
        .spawn();
      c.kill("SIGKILL");
    },
    ffi_libc: () => Deno.dlopen("/lib/x86_64-linux-gnu/libc.so.6", { getpid: { parameters: [], result: "i32" } }),
    write_tmp: () => Deno.writeTextFileSync(`${MARKER}-write`, where),
    write_baselines: () => Deno.writeTextFileSync(`${projectRoot}results/baselines/hostile.json`, "{}"),
    write_verdicts: () => Deno.writeTextFileSync(`${projectRoot}results/verdicts/hostile.json`, "{}"),
    read_passwd: () => Deno.readTextFileSync("/etc/passwd"),
    read_ssh: () => Deno.readDirSync(`${Deno.env.get("HOME") ?? "/root"}/.ssh`),
    env_home: () => {
      const v = Deno.env.get("HOME");
      if (v === undefined) throw new Error("unset");
    },
    net: async () => await fetch("http://127.0.0.1:65000/"),
  };
  const out: Record<string, number> = {};
  for (const [name, attempt] of Object.entries(attempts)) {
    try {
      await attempt();
      out[name] = 1;
    } catch (e) {
      // A refused permission; a connection refused after the permission was granted is still an escape.
      out[name] = e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied ? 0 : 1;
      if (name === "net" && e instanceof TypeError) out[name] = 1;
      if (name === "read_ssh" && e instanceof Deno.errors.NotFound) out[name] = 1;
    }
  }
  return out;
}

// At import: the runner loads the declaration, so this runs with the runner's permissions.
const atImport = await tryEscapes("import");
console.error(`hostile at import: ${JSON.stringify(atImport)}`);

export default defineExperiment({
  id: "hostile",
  ...onePoint("Hostile"),
  summary: "Tries every escape from the sandbox.",
  methods: { escape: { run: () => tryEscapes("run") } },
  metrics: Object.fromEntries(Object.keys(atImport).map((k) => [`escaped_${k}`, { direction: "none" as const }])),
  measure: (_d, out: Record<string, number>) =>
    Object.fromEntries(Object.entries(out).map(([k, v]) => [`escaped_${k}`, v])),
  claims: [{
    id: "sandbox-holds",
    kind: "paper",
    statement: "Every escape tried inside the run process is refused.",
    check: (r) => {
      const escaped = Object.keys(atImport).filter((k) => r.mean({ metric: `escaped_${k}`, method: "escape" }) !== 0);
      return { measured: escaped.length ? `escaped: ${escaped.join(", ")}` : "all refused", pass: !escaped.length };
    },
  }],
});

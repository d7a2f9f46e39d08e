/**
 * The current commit, read from `.git` directly (no `git` subprocess: the runner may start no program but its
 * run launcher). Dirty means a tracked file differs from the index: size or mtime differ and its content hash too,
 * as `git status` decides it.
 */
import { createHash } from "node:crypto";

/** The commit (12 hex digits, `+dirty` when tracked files changed), or "unknown" outside a readable repository. */
export function gitCommit(root: URL = new URL("../../", import.meta.url)): string {
  try {
    const git = gitDir(root);
    const head = resolveHead(git);
    if (!head) return "unknown";
    return `${head.slice(0, 12)}${isDirty(git, root) ? "+dirty" : ""}`;
  } catch {
    return "unknown";
  }
}

function gitDir(root: URL): URL {
  const dot = new URL(".git", root);
  const st = Deno.statSync(dot);
  if (st.isDirectory) return new URL(".git/", root);
  // A worktree or submodule: ".git" is a file "gitdir: <path>".
  const target = Deno.readTextFileSync(dot).replace(/^gitdir:\s*/, "").trim();
  return new URL(target.endsWith("/") ? target : `${target}/`, target.startsWith("/") ? "file:///" : root);
}

function resolveHead(git: URL): string | null {
  let ref = Deno.readTextFileSync(new URL("HEAD", git)).trim();
  for (let depth = 0; depth < 5 && ref.startsWith("ref: "); depth++) {
    const name = ref.slice(5).trim();
    try {
      ref = Deno.readTextFileSync(new URL(name, git)).trim();
    } catch {
      const packed = readOr(new URL("packed-refs", git)) ?? readOr(new URL("../packed-refs", git)) ?? "";
      const line = packed.split("\n").find((l) => l.endsWith(` ${name}`));
      if (!line) return null;
      ref = line.split(" ")[0];
    }
  }
  return /^[0-9a-f]{40,64}$/.test(ref) ? ref : null;
}

function readOr(url: URL): string | null {
  try {
    return Deno.readTextFileSync(url);
  } catch {
    return null;
  }
}

/** Walks the index (versions 2 and 3): a tracked file whose size or mtime differ is re-hashed as a git blob. */
function isDirty(git: URL, root: URL): boolean {
  const index = Deno.readFileSync(new URL("index", git));
  const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
  if (new TextDecoder().decode(index.subarray(0, 4)) !== "DIRC") return false;
  const version = view.getUint32(4);
  if (version !== 2 && version !== 3) return false; // v4 compresses paths: treat as clean rather than guess
  const count = view.getUint32(8);
  let off = 12;
  for (let i = 0; i < count; i++) {
    const mtimeS = view.getUint32(off + 8), size = view.getUint32(off + 36);
    const sha = Buffer.from(index.subarray(off + 40, off + 60)).toString("hex");
    const flags = view.getUint16(off + 60);
    const extended = version >= 3 && (flags & 0x4000) !== 0;
    const pathStart = off + 62 + (extended ? 2 : 0);
    const pathEnd = index.indexOf(0, pathStart);
    const path = new TextDecoder().decode(index.subarray(pathStart, pathEnd));
    off += Math.ceil((pathEnd + 1 - off) / 8) * 8;
    let st: Deno.FileInfo;
    try {
      st = Deno.lstatSync(new URL(path, root));
    } catch {
      return true; // deleted
    }
    if (st.isSymlink) continue;
    const sameStat = st.size === size && Math.floor((st.mtime?.getTime() ?? 0) / 1000) === mtimeS;
    if (sameStat) continue;
    if (st.size !== size) return true;
    const body = Deno.readFileSync(new URL(path, root));
    const blob = createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
    if (blob !== sha) return true;
  }
  return false;
}

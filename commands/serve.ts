/**
 * `deno task serve [--port N] [--dir path]`: a small static server for the reports folder on 127.0.0.1 only, so the
 * exploration page (results/reports/explore/) opens in any browser without file:// flags. The task grants the
 * fewest permissions: `--allow-net=127.0.0.1` and reading results/reports.
 */
import { extname, join, normalize } from "node:path";
import { UserError } from "../lib/run/errors.ts";
import { parse } from "./cli.ts";

export const DEFAULT_PORT = 8137;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".md": "text/markdown; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".parquet": "application/octet-stream",
  ".csv": "text/csv; charset=utf-8",
};

export interface ServeOptions {
  root: string;
  port?: number;
  signal?: AbortSignal;
  /** Called with each request's path (tests count them). */
  onRequest?: (path: string) => void;
  onListen?: (addr: { hostname: string; port: number }) => void;
}

/** Serve `root` read-only on 127.0.0.1: GET/HEAD of files under it, a folder answers with its index.html. */
export function serveReports(o: ServeOptions): Deno.HttpServer<Deno.NetAddr> {
  const root = normalize(o.root);
  return Deno.serve({
    hostname: "127.0.0.1",
    port: o.port ?? DEFAULT_PORT,
    signal: o.signal,
    onListen: o.onListen ?? (() => {}),
  }, async (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") return new Response("method not allowed", { status: 405 });
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url).pathname);
    } catch {
      return new Response("bad path", { status: 400 });
    }
    o.onRequest?.(path);
    // No way out of the root: the normalized path must not climb, and no NUL.
    const rel = normalize(path).replace(/^\/+/, "");
    if (rel.startsWith("..") || rel.includes("\0")) return new Response("forbidden", { status: 403 });
    let file = join(root, rel);
    try {
      if ((await Deno.stat(file)).isDirectory) {
        if (!path.endsWith("/")) return Response.redirect(new URL(path + "/", req.url), 301);
        file = join(file, "index.html");
      }
      const f = await Deno.open(file, { read: true });
      const size = (await f.stat()).size;
      const headers = {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": String(size),
        "cache-control": "no-cache",
      };
      if (req.method === "HEAD") {
        f.close();
        return new Response(null, { headers });
      }
      return new Response(f.readable, { headers });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return new Response("not found", { status: 404 });
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
        return new Response("forbidden", { status: 403 });
      }
      throw e;
    }
  });
}

export async function cmdServe(args: string[]): Promise<number> {
  const { values: v } = parse(args, { port: { type: "string" }, dir: { type: "string" } });
  const port = v.port === undefined ? DEFAULT_PORT : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${v.port}: expected 0–65535`);
  const root = v.dir ?? "results/reports";
  try {
    if (!Deno.statSync(root).isDirectory) throw new UserError(`${root} is not a folder`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UserError(`${root} does not exist: run \`deno task report\` first`);
    }
    throw e;
  }
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = serveReports({
      root,
      port,
      onListen: ({ port }) => {
        console.log(`serving ${root} on http://127.0.0.1:${port}/ (exploration page: /explore/); Ctrl-C stops`);
      },
    });
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) throw new UserError(`port ${port} is in use: choose another with --port`);
    throw e;
  }
  await server.finished;
  return 0;
}

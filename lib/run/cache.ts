/**
 * Content-addressed input cache with checksums.
 *
 * `cached(name, inputs, build)` returns what `build()` returns, stored under `.cache/inputs/<name>-<key>.bin`
 * where the key hashes `inputs`. Each entry carries a sha256 of its payload: a corrupt or truncated entry is
 * detected on read and rebuilt; a stale one never matches because its inputs hash differently.
 * Values are serialized with V8's structured serializer, so typed arrays round-trip exactly.
 *
 * @example
 * ```ts
 * const digits = await cached("mnist", { n: 10000, version: 1 }, () => loadDigits(10000));
 * ```
 */
import { deserialize, serialize } from "node:v8";
import { join } from "node:path";
import { keyOf, sha256 } from "./hash.ts";

/** Counts of input-cache hits, misses and corrupt entries rebuilt, so benchmarks and tests can see the cache work. */
export interface CacheStats {
  hits: number;
  misses: number;
  rebuilt: number;
}

/** Counters since process start; benchmarks and tests read them. */
export const cacheStats: CacheStats = { hits: 0, misses: 0, rebuilt: 0 };

/** The input cache's folder (`REPRO_CACHE_DIR`, else .cache/inputs), so tests and CI can point it elsewhere. */
export function cacheDir(): string {
  return Deno.env.get("REPRO_CACHE_DIR") ?? ".cache/inputs";
}

// v2: the checksum covers the entry's key as well as its payload, so a valid entry under the wrong name is refused.
const MAGIC = "repro-cache-v2\n";

/**
 * The value `build()` makes for these inputs, read from the on-disk cache when a valid entry exists, else built and
 * stored, so expensive inputs are made once.
 */
export async function cached<T>(name: string, inputs: unknown, build: () => T | Promise<T>): Promise<T> {
  const dir = cacheDir();
  const key = `${name.replace(/[^\w.-]/g, "_")}-${keyOf(inputs)}`;
  const path = join(dir, `${key}.bin`);
  const hit = readEntry<T>(path, key);
  if (hit.ok) {
    cacheStats.hits++;
    return hit.value;
  }
  if (hit.reason === "corrupt") cacheStats.rebuilt++;
  cacheStats.misses++;
  const value = await build();
  writeEntry(dir, path, key, value);
  return value;
}

/** sha256 over the key and the payload: the entry proves both what it holds and what it was stored as. */
function checksum(key: string, payload: Uint8Array): string {
  const k = new TextEncoder().encode(`${key}\n`);
  const all = new Uint8Array(k.length + payload.length);
  all.set(k);
  all.set(payload, k.length);
  return sha256(all);
}

function readEntry<T>(
  path: string,
  key: string,
): { ok: true; value: T } | { ok: false; reason: "missing" | "corrupt" } {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch {
    return { ok: false, reason: "missing" };
  }
  const header = new TextDecoder().decode(bytes.subarray(0, MAGIC.length + 65));
  const payload = bytes.subarray(MAGIC.length + 65);
  if (!header.startsWith(MAGIC) || header.slice(MAGIC.length, MAGIC.length + 64) !== checksum(key, payload)) {
    return { ok: false, reason: "corrupt" };
  }
  try {
    return { ok: true, value: deserialize(payload) as T };
  } catch {
    return { ok: false, reason: "corrupt" };
  }
}

function writeEntry(dir: string, path: string, key: string, value: unknown): void {
  Deno.mkdirSync(dir, { recursive: true });
  const payload = new Uint8Array(serialize(value));
  const header = new TextEncoder().encode(`${MAGIC}${checksum(key, payload)}\n`);
  const out = new Uint8Array(header.length + payload.length);
  out.set(header);
  out.set(payload, header.length);
  // Write then rename, so an interrupted write never leaves a half entry under the real name.
  const tmp = `${path}.${Deno.pid}.tmp`;
  try {
    Deno.writeFileSync(tmp, out);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp); // never leave a temp file behind
    } catch { /* not created */ }
    throw e;
  }
}

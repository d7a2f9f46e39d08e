/** Tests that exercise the on-disk input cache, each against a fresh, private cache directory. */

/**
 * Runs `f` with `REPRO_CACHE_DIR` pointing at a new temporary directory, then unsets it and removes the directory,
 * whether `f` succeeds or throws. Returns what `f` returns.
 */
export async function withTempCache<T>(f: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = Deno.makeTempDirSync();
  Deno.env.set("REPRO_CACHE_DIR", dir);
  try {
    return await f(dir);
  } finally {
    Deno.env.delete("REPRO_CACHE_DIR");
    Deno.removeSync(dir, { recursive: true });
  }
}

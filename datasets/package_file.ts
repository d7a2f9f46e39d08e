/**
 * Reading a data file that a Debian package installs: a missing file is an error that names the data set, the path
 * and the command that installs it, instead of a bare NotFound.
 */
import { gunzipSync } from "node:zlib";

/**
 * The gunzipped bytes of `path`, a file of the data set `name`; if it is missing, the error says to run `install`.
 *
 * @example `readGzPackageFile("/usr/share/datasets/x.gz", "fashion-mnist", "apt-get install dataset-fashion-mnist")`
 */
export function readGzPackageFile(path: string, name: string, install: string): Uint8Array {
  let gz: Uint8Array;
  try {
    gz = Deno.readFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${name}: ${path} not found; install the Debian package with: ${install}`);
    }
    throw e;
  }
  return new Uint8Array(gunzipSync(gz));
}

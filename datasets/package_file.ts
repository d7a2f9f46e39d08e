/**
 * Reading a data file that a Debian package installs: a missing file is an error that names the data set, the path
 * and the command that installs it, instead of a bare NotFound.
 */
import { gunzipSync } from "node:zlib";

/**
 * The bytes of `path`, a file of the data set `name`; if it is missing, the error says to run `install`.
 *
 * @example `readPackageFile("/usr/lib/python3/dist-packages/sklearn/datasets/data/wine_data.csv", "wine", "apt-get install python3-sklearn")`
 */
export function readPackageFile(path: string, name: string, install: string): Uint8Array {
  try {
    return Deno.readFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${name}: ${path} not found; install the Debian package with: ${install}`);
    }
    throw e;
  }
}

/**
 * The gunzipped bytes of `path`, a file of the data set `name`; if it is missing, the error says to run `install`.
 *
 * @example `readGzPackageFile("/usr/share/datasets/x.gz", "fashion-mnist", "apt-get install dataset-fashion-mnist")`
 */
export function readGzPackageFile(path: string, name: string, install: string): Uint8Array {
  return new Uint8Array(gunzipSync(readPackageFile(path, name, install)));
}

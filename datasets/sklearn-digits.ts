/**
 * The 1,797 handwritten digits of scikit-learn's `load_digits` (UCI "Optical Recognition of Handwritten Digits",
 * 8×8 images of 0..16 ink counts, 10 classes), read directly — no Python — from the data file that Debian's
 * `python3-sklearn` ships: sklearn/datasets/data/digits.csv.gz (`REPRO_SKLEARN_DATA_DIR` points elsewhere).
 *
 * Each CSV row is 64 pixel values then the label, in the order `load_digits` returns them. We gunzip it
 * (node:zlib), parse it, check 1797 × 65 integers in range, and pin the sha256 of the decoded values (pixels as
 * bytes, then labels), so a changed or damaged file fails loudly. Images come back as float32 in [0, 1]
 * (value / 16, exact in float32: multiply by 16 for sklearn's raw values), in the `{ images, labels, n }` shape of
 * `loadMnist`, through the cached, checksummed loader.
 *
 * @example
 * ```ts
 * const { images, labels, n } = await loadSklearnDigits(); // n = 1797, images n × 64
 * const raw = images[i * 64 + r * 8 + c] * 16;              // sklearn's 0..16
 * ```
 */
import { join } from "node:path";
import { cached } from "../lib/run/cache.ts";
import { readGzPackageFile } from "./package_file.ts";
import { sha256 } from "../lib/run/hash.ts";
import type { Digits } from "./mnist.ts";

export const SKLEARN_DIGITS_SIZE = 1797;
export const SKLEARN_DIGITS_PIXELS = 64;
/** sha256 of the decoded values: 1797 × 64 pixel bytes (0..16) followed by 1797 label bytes. */
export const SKLEARN_DIGITS_SHA256 = "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826";
export const SKLEARN_INSTALL = "apt-get install -y python3-sklearn";
const VERSION = 1;

/** Where digits.csv.gz is read from. */
export function sklearnDataDir(): string {
  return Deno.env.get("REPRO_SKLEARN_DATA_DIR") ?? "/usr/lib/python3/dist-packages/sklearn/datasets/data";
}

/** Parse and checksum the CSV, without the cache. */
export function buildSklearnDigits(n = SKLEARN_DIGITS_SIZE, dir = sklearnDataDir()): Digits {
  if (!Number.isInteger(n) || n < 1 || n > SKLEARN_DIGITS_SIZE) {
    throw new RangeError(`sklearn-digits: n must be in 1..${SKLEARN_DIGITS_SIZE}`);
  }
  const path = join(dir, "digits.csv.gz");
  const rows = new TextDecoder().decode(readGzPackageFile(path, "sklearn-digits", SKLEARN_INSTALL)).split("\n").filter((
    l,
  ) => l.trim() !== "");
  if (rows.length !== SKLEARN_DIGITS_SIZE) {
    throw new Error(`sklearn-digits: ${path} has ${rows.length} rows, expected ${SKLEARN_DIGITS_SIZE}`);
  }
  const P = SKLEARN_DIGITS_PIXELS;
  const bytes = new Uint8Array(SKLEARN_DIGITS_SIZE * (P + 1));
  rows.forEach((row, i) => {
    const cells = row.split(",");
    if (cells.length !== P + 1) throw new Error(`sklearn-digits: row ${i} has ${cells.length} fields, expected 65`);
    for (let j = 0; j <= P; j++) {
      const v = Number(cells[j]);
      const max = j < P ? 16 : 9;
      if (!Number.isInteger(v) || v < 0 || v > max) {
        throw new Error(`sklearn-digits: row ${i} field ${j} is ${JSON.stringify(cells[j])}, not an integer 0..${max}`);
      }
      if (j < P) bytes[i * P + j] = v;
      else bytes[SKLEARN_DIGITS_SIZE * P + i] = v;
    }
  });
  const digest = sha256(bytes);
  if (digest !== SKLEARN_DIGITS_SHA256) {
    throw new Error(
      `sklearn-digits: checksum mismatch (got ${digest}, pinned ${SKLEARN_DIGITS_SHA256}); ${path} is not the ` +
        `digits file scikit-learn ships or is damaged — reinstall with: ${SKLEARN_INSTALL} --reinstall`,
    );
  }
  const images = new Float32Array(n * P);
  for (let k = 0; k < n * P; k++) images[k] = bytes[k] / 16;
  return { images, labels: bytes.slice(SKLEARN_DIGITS_SIZE * P, SKLEARN_DIGITS_SIZE * P + n), n };
}

/** The first `n` digits (default all 1797), cached on disk (content-addressed, checksummed). */
export function loadSklearnDigits(n = SKLEARN_DIGITS_SIZE): Promise<Digits> {
  return cached("sklearn-digits", { version: VERSION, n, sha256: SKLEARN_DIGITS_SHA256 }, () => buildSklearnDigits(n));
}

/**
 * scikit-learn's small bundled tables — `load_breast_cancer` (569 × 30, Wisconsin diagnostic), `load_wine`
 * (178 × 13, three cultivars) and `load_iris` (150 × 4) — read directly, without Python, from the CSV files that
 * Debian's `python3-sklearn` ships in sklearn/datasets/data (`REPRO_SKLEARN_DATA_DIR` points elsewhere).
 *
 * Each file starts with a header `n_samples,n_features,<class names…>`, then one row per sample: the features, then
 * the integer class. We pin the sha256 of the file's bytes, check the shape and that every value is a finite
 * number and every label a class index, and return float64 features (row-major n × d) with uint8 labels, through
 * the cached, checksummed loader.
 *
 * @example
 * ```ts
 * const { x, y, n, d, classes } = await loadSklearnTable("wine"); // n = 178, d = 13, x n × d row-major
 * const firstAlcohol = x[0 * d + 0];                                 // 14.23
 * ```
 */
import { join } from "node:path";
import { cached } from "../lib/run/cache.ts";
import { sha256 } from "../lib/run/hash.ts";
import { SKLEARN_INSTALL, sklearnDataDir } from "./sklearn-digits.ts";
import { readPackageFile } from "./package_file.ts";

/** A labelled table: features row-major n × d, one class index per row. */
export interface Table {
  x: Float64Array;
  y: Uint8Array;
  n: number;
  d: number;
  /** Class names in label order, as the file's header gives them. */
  classes: string[];
}

/** The tables we read, with their file, shape and the sha256 of the file as scikit-learn 1.2.1 (bookworm) ships it. */
export const SKLEARN_TABLES = {
  breast_cancer: {
    file: "breast_cancer.csv",
    n: 569,
    d: 30,
    sha256: "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed",
  },
  wine: {
    file: "wine_data.csv",
    n: 178,
    d: 13,
    sha256: "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede",
  },
  iris: {
    file: "iris.csv",
    n: 150,
    d: 4,
    sha256: "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
  },
} as const;
export type SklearnTableName = keyof typeof SKLEARN_TABLES;
const VERSION = 1;

/** Parse and checksum one table, without the cache. */
export function buildSklearnTable(name: SklearnTableName, dir = sklearnDataDir()): Table {
  const spec = SKLEARN_TABLES[name];
  if (!spec) throw new RangeError(`sklearn-tabular: unknown table ${JSON.stringify(name)}`);
  const path = join(dir, spec.file);
  const bytes = readPackageFile(path, "sklearn-tabular", SKLEARN_INSTALL);
  const digest = sha256(bytes);
  if (digest !== spec.sha256) {
    throw new Error(
      `sklearn-tabular: checksum mismatch for ${spec.file} (got ${digest}, pinned ${spec.sha256}); it is not the ` +
        `file scikit-learn ships or is damaged — reinstall with: ${SKLEARN_INSTALL} --reinstall`,
    );
  }
  const lines = new TextDecoder().decode(bytes).split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const head = lines[0].split(",");
  const n = Number(head[0]), d = Number(head[1]), classes = head.slice(2);
  if (n !== spec.n || d !== spec.d || lines.length !== n + 1) {
    throw new Error(`sklearn-tabular: ${spec.file} has header ${lines[0]} and ${lines.length - 1} rows`);
  }
  const x = new Float64Array(n * d), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1].split(",");
    if (cells.length !== d + 1) throw new Error(`sklearn-tabular: ${spec.file} row ${i} has ${cells.length} fields`);
    for (let j = 0; j < d; j++) {
      const v = Number(cells[j]);
      if (!Number.isFinite(v)) throw new Error(`sklearn-tabular: ${spec.file} row ${i} field ${j} is not a number`);
      x[i * d + j] = v;
    }
    const c = Number(cells[d]);
    if (!Number.isInteger(c) || c < 0 || c >= classes.length) {
      throw new Error(`sklearn-tabular: ${spec.file} row ${i} label ${JSON.stringify(cells[d])} is not a class`);
    }
    y[i] = c;
  }
  return { x, y, n, d, classes };
}

/** One table, cached on disk (content-addressed, checksummed). */
export function loadSklearnTable(name: SklearnTableName): Promise<Table> {
  const spec = SKLEARN_TABLES[name];
  return cached("sklearn-tabular", { version: VERSION, name, sha256: spec?.sha256 }, () => buildSklearnTable(name));
}

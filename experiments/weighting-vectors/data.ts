/**
 * Outlier-detection sets in the style of the ODDS benchmarks (one class, or several, as inliers; a small sample of
 * another class as outliers), built from the tables scikit-learn ships (read without Python), plus a synthetic
 * 2-D set whose size we can sweep. Each seed draws its own outlier sample (and blobs its own points); every set is
 * z-scored per feature over all its points (the official code puts a StandardScaler before every model).
 *
 * - `wbc`: breast cancer (Wisconsin diagnostic, 30 features): the 357 benign tumours as inliers, 21 malignant drawn
 *   at random as outliers (378 points, 5.6%).
 * - `wine`: the 119 wines of cultivars 2 and 3 as inliers, 10 of cultivar 1 drawn as outliers (129 points, 7.8%).
 * - `digits`: the 1,619 8×8 digits 1–9 as inliers, 50 zeros drawn as outliers (1,669 points, 3.0%).
 * - `blobs`: n points in the plane: 95% from three Gaussians (centres (0,0), (6,0), (3,5); standard deviations 1,
 *   0.5, 1.5; equal shares), 5% uniform on the box [−6, 12]².
 */
import type { Rng } from "../../lib/math/rng.ts";
import { standardize } from "../../lib/math/anomaly.ts";
import { loadSklearnTable, type Table } from "../../datasets/sklearn-tabular.ts";
import { loadSklearnDigits } from "../../datasets/sklearn-digits.ts";

export const DATASETS = ["wbc", "wine", "digits", "blobs"] as const;
export type DatasetName = typeof DATASETS[number];

/** One outlier-detection set: standardised features (row-major n × d) and the ground truth (1 = outlier). */
export interface OutlierSet {
  name: DatasetName;
  x: Float64Array;
  n: number;
  d: number;
  outlier: Uint8Array;
}

/** Build a set for one seed; `n` is used by `blobs` only. */
export async function outlierSet(name: DatasetName, rng: Rng, n: number): Promise<OutlierSet> {
  if (name === "blobs") return finish(name, blobs(n, rng));
  if (name === "digits") {
    const dg = await loadSklearnDigits();
    const x = Float64Array.from(dg.images, (v) => v * 16);
    return finish(name, pick({ x, y: dg.labels, n: dg.n, d: 64, classes: [] }, (c) => c !== 0, 0, 50, rng));
  }
  if (name === "wbc") return finish(name, pick(await loadSklearnTable("breast_cancer"), (c) => c === 1, 0, 21, rng));
  if (name === "wine") return finish(name, pick(await loadSklearnTable("wine"), (c) => c !== 0, 0, 10, rng));
  throw new RangeError(`weighting-vectors: unknown data set ${JSON.stringify(name)}`);
}

type Raw = { x: Float64Array; n: number; d: number; outlier: Uint8Array };

function finish(name: DatasetName, r: Raw): OutlierSet {
  return { name, x: standardize(r.x, r.n, r.d), n: r.n, d: r.d, outlier: r.outlier };
}

/** Every row whose class passes `inlier`, then `m` rows of class `out` drawn without replacement. */
function pick(t: Table, inlier: (c: number) => boolean, out: number, m: number, rng: Rng): Raw {
  const ins: number[] = [], outs: number[] = [];
  for (let i = 0; i < t.n; i++) {
    if (inlier(t.y[i])) ins.push(i);
    else if (t.y[i] === out) outs.push(i);
  }
  if (outs.length < m) throw new RangeError(`weighting-vectors: only ${outs.length} rows of class ${out}`);
  const perm = rng.permutation(outs.length);
  const rows = ins.concat(Array.from(perm.subarray(0, m), (p) => outs[p]).sort((a, b) => a - b));
  const d = t.d, x = new Float64Array(rows.length * d), outlier = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    x.set(t.x.subarray(r * d, (r + 1) * d), i * d);
    outlier[i] = i >= ins.length ? 1 : 0;
  });
  return { x, n: rows.length, d, outlier };
}

const CENTRES = [[0, 0], [6, 0], [3, 5]], SPREADS = [1, 0.5, 1.5];

function blobs(n: number, rng: Rng): Raw {
  const m = Math.round(0.05 * n), x = new Float64Array(2 * n), outlier = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (i < n - m) {
      const c = i % 3;
      x[2 * i] = CENTRES[c][0] + SPREADS[c] * rng.normal();
      x[2 * i + 1] = CENTRES[c][1] + SPREADS[c] * rng.normal();
    } else {
      x[2 * i] = -6 + 18 * rng.uniform();
      x[2 * i + 1] = -6 + 18 * rng.uniform();
      outlier[i] = 1;
    }
  }
  return { x, n, d: 2, outlier };
}

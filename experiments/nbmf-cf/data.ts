/**
 * Synthetic sparse low-rank ratings: V* = W* H* with W*, H* ~ U(0, 1) entries (rank r), mapped to a 1–5 scale by
 * 1 + 4·V* / q95 (q95 the 95th percentile of V*) plus N(0, σ²) noise, rounded and clipped to {1, …, 5}. Each entry is
 * rated with probability `density`; the rated entries are split into test (20%) and training, and 20% of the
 * training entries are held out again as the validation set the tuning rule uses.
 */
import type { Rng } from "../../lib/math/rng.ts";
import type { Ratings } from "./nbmf.ts";

export interface CfData {
  users: number;
  items: number;
  /** All ratings (users × items), defined everywhere (only rated ones are ever read). */
  truth: Float64Array;
  /** Training ratings (V with M = training mask). */
  train: Ratings;
  /** Training minus validation (for tuning) and the validation entries. */
  fit: Ratings;
  val: number[];
  test: number[];
}

export function makeRatings(
  o: { users: number; items: number; rank: number; density: number; noise: number },
  rng: Rng,
): CfData {
  const { users: n, items: m, rank: r } = o;
  const g = rng.split("factors"), w = Array.from({ length: n * r }, () => g.uniform());
  const h = Array.from({ length: r * m }, () => g.uniform());
  const raw = new Float64Array(n * m);
  for (let u = 0; u < n; u++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < r; i++) s += w[u * r + i] * h[i * m + j];
      raw[u * m + j] = s;
    }
  }
  const sorted = Float64Array.from(raw).sort(), q95 = sorted[Math.floor(0.95 * (sorted.length - 1))];
  const nz = rng.split("noise"), truth = new Float64Array(n * m);
  for (let i = 0; i < n * m; i++) {
    truth[i] = Math.min(5, Math.max(1, Math.round(1 + (4 * raw[i]) / q95 + o.noise * nz.normal())));
  }
  const obs = rng.split("observed"), split = rng.split("split");
  const rated: number[] = [];
  for (let i = 0; i < n * m; i++) if (obs.uniform() < o.density) rated.push(i);
  const test: number[] = [], trainIdx: number[] = [];
  for (const i of rated) (split.uniform() < 0.2 ? test : trainIdx).push(i);
  const val: number[] = [], fitIdx: number[] = [];
  for (const i of trainIdx) (split.uniform() < 0.2 ? val : fitIdx).push(i);
  const ratings = (idx: number[]): Ratings => {
    const v = new Float64Array(n * m), mask = new Uint8Array(n * m);
    for (const i of idx) [v[i], mask[i]] = [truth[i], 1];
    return { users: n, items: m, v, mask };
  };
  return { users: n, items: m, truth, train: ratings(trainIdx), fit: ratings(fitIdx), val, test };
}

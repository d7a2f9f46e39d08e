/** A toy corpus and tiny settings for tests of the char-MLP language-model experiments (lib/math/nn/charlm_fit.ts). */
import { evalWindows } from "../math/nn/charlm.ts";
import type { CharCorpus } from "../math/nn/charlm_fit.ts";
import { Rng } from "../math/rng.ts";

/** A synthetic corpus: a repeating phrase over 6 symbols with 5% noise; 4-character evaluation windows. */
export function toyCharCorpus(): CharCorpus {
  const rng = Rng.fromSeed(9), phrase = [0, 1, 2, 3, 1, 4, 5, 2];
  const ids = (n: number) =>
    Uint8Array.from({ length: n }, (_, i) => (rng.uniform() < 0.05 ? Math.floor(rng.uniform() * 6) : phrase[i % 8]));
  return { train: ids(3000), val: evalWindows(ids(600), 4, 200), test: evalWindows(ids(600), 4, 200), vocab: 6 };
}

/** Tiny model and schedule settings for the toy corpus: width 12, rank 3, 40 steps, refresh every 10. */
export const TOY_CHARLM_OPTS = {
  context: 4,
  embed: 4,
  hidden: 12,
  layers: 2,
  batch: 16,
  steps: 40,
  warmup: 4,
  minLrRatio: 0.1,
  rank: 3,
  gap: 10,
  scale: 0.25,
  evalEvery: 10,
  curveWindows: 50,
};

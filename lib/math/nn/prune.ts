/**
 * Pruning masks: magnitude pruning (Han et al. 2015) per tensor or globally across tensors, and the iterative
 * schedule of "prune, retrain, prune more" (Frankle & Carbin 2019 prune p% of what remains each round).
 * A mask is a Uint8Array with 1 = keep, aligned with the weights it masks.
 *
 * @example
 * ```ts
 * const mask = magnitudeMask(w, 0.9);                      // keep the largest 10% of |w|
 * const masks = globalMagnitudeMask([w1, w2], 0.9);        // one threshold over both tensors
 * iterativeSchedule(0.9, 3);                               // [0.5358…, 0.7845…, 0.9]: sparsity after each round
 * ```
 */

/** Keep the `1 − sparsity` fraction of entries with the largest |w| (ties broken by index; exact count kept). */
export function magnitudeMask(w: ArrayLike<number>, sparsity: number, prev?: Uint8Array): Uint8Array {
  return globalMagnitudeMask([w], sparsity, prev ? [prev] : undefined)[0];
}

/**
 * One magnitude threshold across all tensors: keeps round((1 − sparsity)·N) of the N entries in total (entries
 * already pruned by `prev` stay pruned and count as the smallest).
 */
export function globalMagnitudeMask(
  ws: ArrayLike<number>[],
  sparsity: number,
  prev?: Uint8Array[],
): Uint8Array[] {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new RangeError(`magnitudeMask: sparsity ${sparsity} not in [0, 1]`);
  const total = ws.reduce((s, w) => s + w.length, 0);
  const keep = Math.round((1 - sparsity) * total);
  const idx: [number, number, number][] = [];
  ws.forEach((w, t) => {
    for (let i = 0; i < w.length; i++) idx.push([prev && !prev[t][i] ? -1 : Math.abs(w[i]), t, i]);
  });
  idx.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  const masks = ws.map((w) => new Uint8Array(w.length));
  for (let k = 0; k < keep; k++) if (idx[k][0] >= 0) masks[idx[k][1]][idx[k][2]] = 1;
  return masks;
}

/** Sparsity after each of `rounds` rounds that each prune the same fraction of the remaining weights. */
export function iterativeSchedule(finalSparsity: number, rounds: number): number[] {
  const keepPerRound = Math.pow(1 - finalSparsity, 1 / rounds);
  return Array.from({ length: rounds }, (_, k) => k === rounds - 1 ? finalSparsity : 1 - Math.pow(keepPerRound, k + 1));
}

/** Fraction of zeros in a mask. */
export function maskSparsity(mask: Uint8Array): number {
  let z = 0;
  for (const v of mask) z += v ? 0 : 1;
  return z / mask.length;
}

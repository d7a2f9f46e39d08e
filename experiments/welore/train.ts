/**
 * Pretraining, compression and fine-tuning for the WeLore module, on lib/math/nn/factorized.ts (float64).
 *
 * A 784 → h ×depth → 10 ReLU MLP is pretrained by SGD on upright Fashion-MNIST. Compression replaces matrix ℓ by
 * its rank-k_ℓ factors U·Vᵀ (`UVLayer`, U = U_k√S, V = V_k√S) or keeps it dense. Fine-tuning (Adam) trains
 * either every weight matrix of the compressed net (LRC factors and dense N-LRCs: "full fine-tuning") or only the
 * LRC factors (WeLore's LRC-only fine-tuning); biases are frozen in both.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { DenseLayer, FactorNet, type FactorParam, UVLayer } from "../../lib/math/nn/factorized.ts";
import { Adam } from "../../lib/math/nn/optim.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { lowRankFactors } from "./compress.ts";
import type { Labelled } from "../../lib/math/nn/labelled.ts";
import { fitEpochs } from "../../lib/math/nn/factor_train.ts";

/** Each matrix's singular values (descending). */
export function spectra(net: FactorNet): Float64Array[] {
  return net.layers.map((l) => Float64Array.from(getLinalg().svdvals(l.weight())));
}

/**
 * The compressed net: matrix ℓ loses `counts[ℓ]` directions and becomes a `UVLayer` (an LRC) when
 * counts[ℓ]/rank_ℓ > minRatio; otherwise it stays dense at full rank (an N-LRC).
 */
export function compress(
  net: FactorNet,
  counts: number[],
  minRatio: number,
): { net: FactorNet; lrc: boolean[]; keptRank: number; totalRank: number; stored: number } {
  let keptRank = 0, totalRank = 0, stored = 0;
  const lrc: boolean[] = [];
  const layers = net.layers.map((l0, i) => {
    const l = l0 as DenseLayer, w = l.weight(), rank = Math.min(w.rows, w.cols);
    totalRank += rank;
    if (counts[i] / rank > minRatio && counts[i] > 0) {
      const k = rank - counts[i];
      const { u, v } = lowRankFactors(w, k);
      lrc.push(true), keptRank += k, stored += k * (w.rows + w.cols);
      return new UVLayer(l.inDim, l.outDim, k, { u, v, bias: l.b.value });
    }
    lrc.push(false), keptRank += rank, stored += w.rows * w.cols;
    return new DenseLayer(l.inDim, l.outDim, { weight: w, bias: l.b.value });
  });
  return { net: new FactorNet(layers), lrc, keptRank, totalRank, stored };
}

/** Weight matrices (no biases) of the layers selected by `which`. */
export function matrixParams(net: FactorNet, which: (i: number) => boolean): FactorParam[] {
  return net.layers.flatMap((l, i) => (which(i) ? l.params().filter((p) => p.name !== "b") : []));
}

/** Fine-tune `params` of `net` in place by Adam at `lr`; returns the per-epoch training losses. */
export function finetune(
  net: FactorNet,
  params: FactorParam[],
  train: Labelled,
  cfg: { ftEpochs: number; batch: number },
  lr: number,
  rng: Rng,
): number[] {
  const opts = params.map(() => new Adam({ lr }));
  return fitEpochs(net, params, train, {
    epochs: cfg.ftEpochs,
    batch: cfg.batch,
    rng,
    step: (p, k) => opts[k].step(p.value, p.grad),
  });
}

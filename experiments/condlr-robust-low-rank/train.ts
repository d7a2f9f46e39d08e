/**
 * Networks, training loops and robustness measurements of the CondLR module, on lib/math/nn/factorized.ts.
 *
 * A ReLU MLP 784 → h → … → h → 10; the hidden weight matrices are, per method (the last h → 10 stays dense, as
 * the official wrapper leaves the classifier full-rank):
 * - `full`: dense W, plain minibatch SGD;
 * - `uv`: W = U·Vᵀ at rank r, SGD on both factors ("vanilla" low-rank);
 * - `dlrt`: W = U S Vᵀ at fixed rank r, the KLS integrator of DLRT (the kit's DlrtLayer);
 * - `condlr`: W = U S Vᵀ at rank r, CondLR's projected SGD + retraction with cond(S) ≤ κ (condlr.ts).
 * Every method starts from the same point: the dense PyTorch-default init W₀ (full) or its rank-r truncated SVD
 * U₀Σ₀V₀ᵀ (uv: U = U₀√Σ₀, V = V₀√Σ₀; dlrt, condlr: U₀, Σ₀, V₀), as the official Linear_USV initialises.
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { DenseLayer, DlrtLayer, type FactorLayer, FactorNet, type M, UVLayer } from "../../lib/math/nn/factorized.ts";
import { fgsm } from "../../lib/math/nn/attacks.ts";
import { CondLRLayer, condOf, condStep } from "./condlr.ts";
import {
  accuracy,
  denseWeights,
  type Labelled,
  minibatches,
  mlpSizes,
  type Splits,
} from "../../lib/math/nn/labelled.ts";

export type Kind = "full" | "uv" | "dlrt" | "condlr";

export interface NetCfg {
  hidden: number;
  depth: number;
  epochs: number;
  batch: number;
  rank: number;
  kappa: number;
}

function truncated(w: M, r: number): { u: M; s: Float64Array; v: M } {
  const { u, s, vt } = getLinalg().svd(w) as { u: M; s: Float64Array; vt: M };
  const U: M = { rows: u.rows, cols: r, data: new Float64Array(u.rows * r) };
  const V: M = { rows: vt.cols, cols: r, data: new Float64Array(vt.cols * r) };
  for (let a = 0; a < u.rows; a++) for (let k = 0; k < r; k++) U.data[a * r + k] = u.data[a * u.cols + k];
  for (let k = 0; k < r; k++) for (let b = 0; b < vt.cols; b++) V.data[b * r + k] = vt.data[k * vt.cols + b];
  return { u: U, s: s.slice(0, r), v: V };
}

export function buildNet(kind: Kind, cfg: NetCfg, rng: Rng): FactorNet {
  const s = mlpSizes(cfg.hidden, cfg.depth), layers: FactorLayer[] = [];
  for (let i = 0; i + 1 < s.length; i++) {
    const [a, b] = [s[i], s[i + 1]], last = i + 2 === s.length;
    // The same dense start W₀, b₀ (PyTorch default init) for every method, drawn from the layer's stream.
    const dense = new DenseLayer(a, b, { rng: rng.split(`layer${i}`) });
    const w0 = dense.weight(), b0 = dense.b.value;
    if (last || kind === "full") layers.push(dense);
    else if (kind === "condlr") {
      layers.push(new CondLRLayer(a, b, { rank: cfg.rank, kappa: cfg.kappa, weight: w0, bias: b0 }));
    } else if (kind === "dlrt") {
      layers.push(new DlrtLayer(a, b, { rng: rng.split(`dlrt${i}`), rank: cfg.rank, weight: w0, bias: b0 }));
    } else {
      const t = truncated(w0, cfg.rank);
      const sq = (m: M) => {
        const out = { rows: m.rows, cols: m.cols, data: m.data.slice() };
        for (let k = 0; k < out.data.length; k++) out.data[k] *= Math.sqrt(t.s[k % m.cols]);
        return out;
      };
      layers.push(new UVLayer(a, b, cfg.rank, { rng, u: sq(t.u), v: sq(t.v), bias: b0 }));
    }
  }
  return new FactorNet(layers);
}

/** Minibatch training at step size lr (shuffled each epoch from `rng`): SGD, KLS or the CondLR step by kind. */
export function train(kind: Kind, d: Splits, cfg: NetCfg, lr: number, rng: Rng): { net: FactorNet; loss: number[] } {
  const net = buildNet(kind, cfg, rng.split("init"));
  const n = d.train.x.rows, loss: number[] = [];
  for (let ep = 0; ep < cfg.epochs; ep++) {
    const perm = rng.split(`epoch${ep}`).permutation(n);
    let sum = 0, batches = 0;
    for (const { x: xb, y: yb } of minibatches(d.train, perm, cfg.batch)) {
      sum += kind === "dlrt"
        ? net.dlrtStep(xb, yb, lr)
        : kind === "condlr"
        ? condStep(net, xb, yb, lr)
        : net.sgdStep(xb, yb, lr);
      batches++;
    }
    loss.push(sum / batches);
  }
  return { net, loss };
}

/**
 * Accuracy under FGSM at each ε of `eps` (pixels in [0, 1]): x' = clip(x + ε·sign(∇ₓL(x, y))), with the gradient
 * of the cross-entropy at the clean test digits and their true labels (one gradient serves every ε).
 */
export function fgsmAccuracy(net: FactorNet, d: Labelled, eps: readonly number[]): number[] {
  const { dx, loss } = net.lossAndGrad(d.x, d.y);
  return eps.map((e) => {
    const adv = e === 0 ? d.x.data : fgsm(d.x.data, () => ({ loss, dx: dx.data }), { eps: e });
    return accuracy(net, { x: { rows: d.x.rows, cols: d.x.cols, data: adv }, y: d.y });
  });
}

/** cond(W) = σ_max/σ_min of each layer over its nonzero spectrum (rank r for low-rank layers). */
export function layerConds(net: FactorNet): number[] {
  return net.layers.map((l) =>
    condOf(l.weight(), "rank" in l && typeof l.rank === "number" ? l.rank : Math.min(l.inDim, l.outDim))
  );
}

/** Stored weights of the full net (no biases). */
export function fullParams(cfg: Pick<NetCfg, "hidden" | "depth">): number {
  return denseWeights(mlpSizes(cfg.hidden, cfg.depth));
}

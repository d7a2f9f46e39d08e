/**
 * Trained Rank Pruning (Xu et al., IJCAI 2020) on a small CNN, following the official code
 * yuhuixu1993/Trained-Rank-Pruning (cifar-TRP.py, decompose.py), channel-wise ("NC") scheme.
 *
 * A conv kernel K ∈ ℝ^{N×C×k×k} is read as the matrix W = K.view(N, C·k·k) (the kit stores it that way). With
 * W = U Σ Vᵀ (σ₁ ≥ σ₂ ≥ …):
 * - EnergyThreshold(e): the smallest r with Σ_{i≤r} σᵢ² ≥ e·Σ σᵢ² (decompose.py).
 * - ValueThreshold(t): r = #{i : σᵢ ≥ t} counted up to the first σᵢ < t (decompose.py).
 * - TRP step (low_rank_approx, every `period` minibatches, before the forward pass): W ← U_r Σ_r V_rᵀ at
 *   r = EnergyThreshold(0.9); the nuclear sub-gradient ∂‖W‖_* ∋ U_r V_rᵀ is kept, and after the backward pass
 *   ∇W ← ∇W + λ·U_r V_rᵀ (the "--nuclear-weight" path), then the SGD step (momentum 0.9, L2 weight decay).
 * - Decomposition (channel_decompose, train=False): a rank-r layer becomes conv k×k C→r (no bias,
 *   weights √Σ_r V_rᵀ) followed by conv 1×1 r→N (weights U_r √Σ_r, the bias). The output is exactly that of
 *   the rank-r truncation of W.
 * - FLOPs (show_low_rank): per conv layer N·C·k·k·H_out·W_out multiply-adds, the decomposed one
 *   (C·k·k·r + r·N)·H_out·W_out; conv layers only (the final dense layer is not counted, as in the README's
 *   "without decomposing the final FC"); speed-up = original / decomposed.
 * As in get_look_up_table, the first conv is never decomposed; every later 3×3 stride-1 conv is.
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import {
  Conv2d,
  Dense,
  Flatten,
  type Layer,
  MaxPool2d,
  type Optimizer,
  ReLU,
  type Schedule,
  Sequential,
  SGD,
} from "../../lib/math/nn/mod.ts";
import type { Arr } from "../../lib/math/nn/gemm.ts";
import type { DType } from "../../lib/math/nn/params.ts";

/** Images (n × 784 in [0, 1]) and labels of the training and test parts. */
export interface Data {
  xTrain: Float32Array;
  yTrain: Uint8Array;
  nTrain: number;
  xTest: Float32Array;
  yTest: Uint8Array;
  nTest: number;
}

/** The network: conv 3×3 1→c₁, pool 2, conv 3×3 c₁→c₂, conv 3×3 c₂→c₂, pool 2, dense → 10 (padding 1 each). */
export interface ArchCfg {
  c1: number;
  c2: number;
}

/** Per decomposable conv layer: rank kept (null = the layer stays a dense conv). */
export type Ranks = (number | null)[];

/** Layer list of the network; `ranks[i]` factorises the i-th decomposable conv (conv2, conv3). */
export function layersOf(a: ArchCfg, ranks: Ranks = [null, null]): Layer[] {
  const conv = (cout: number, r: number | null): Layer[] =>
    r === null ? [new Conv2d(cout, 3, { padding: 1 })] : [
      new Conv2d(r, 3, { padding: 1, bias: false }),
      new Conv2d(cout, 1),
    ];
  return [
    new Conv2d(a.c1, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    ...conv(a.c2, ranks[0]),
    new ReLU(),
    ...conv(a.c2, ranks[1]),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dense(10),
  ];
}

/** A fresh network (He-normal init from `rng`). */
export function buildNet(a: ArchCfg, opts: { rng: Rng; dtype?: DType; ranks?: Ranks }): Sequential {
  return new Sequential(layersOf(a, opts.ranks), [1, 28, 28], { rng: opts.rng, dtype: opts.dtype ?? "float32" });
}

/** The conv layers of a dense-conv net that TRP truncates (all but the first), with their spatial size. */
export function targetConvs(net: Sequential): Conv2d[] {
  return net.layers.filter((l): l is Conv2d => l instanceof Conv2d).slice(1);
}

/** The smallest r with Σ_{i≤r} σᵢ² ≥ e·Σ σᵢ² (official EnergyThreshold, eidenval=True). */
export function energyRank(s: ArrayLike<number>, e: number): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i] * s[i];
  let acc = 0;
  for (let i = 0; i < s.length; i++) {
    acc += s[i] * s[i];
    if (acc / total >= e) return i + 1;
  }
  return s.length;
}

/** Count of leading σᵢ ≥ t (official ValueThreshold: stops at the first σᵢ < t). */
export function valueRank(s: ArrayLike<number>, t: number): number {
  for (let i = 0; i < s.length; i++) if (s[i] < t) return i;
  return s.length;
}

/** Thin SVD of a rows × cols row-major block (in float64). */
export function svdOf(w: ArrayLike<number>, rows: number, cols: number) {
  const la = getLinalg();
  const { u, s, vt } = la.svd({ rows, cols, data: Float64Array.from(w) });
  return { u: u.data as Float64Array, uc: u.cols, s: s as Float64Array, vt: vt.data as Float64Array, vc: vt.cols };
}

/**
 * One TRP step on one conv kernel (official low_rank_approx, "NC"): rank r by the energy threshold; when
 * `truncate`, W ← U_r Σ_r V_rᵀ in place; returns r and the nuclear sub-gradient U_r V_rᵀ (N × C·k·k).
 */
export function lowRankApprox(w: Arr, rows: number, cols: number, energy: number, truncate: boolean) {
  const { u, uc, s, vt, vc } = svdOf(w, rows, cols);
  const r = energyRank(s, energy);
  const sub = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < r; k++) {
      const a = u[i * uc + k], as = a * s[k];
      for (let j = 0; j < cols; j++) {
        const v = vt[k * vc + j];
        sub[i * cols + j] += a * v;
        if (truncate) w[i * cols + j] = (k === 0 ? 0 : w[i * cols + j]) + as * v;
      }
    }
  }
  return { rank: r, sub };
}

/** TRP / nuclear-regularisation options. */
export interface TrpOpts {
  /** Replace W by its energy-threshold truncation every `period` steps (official --trp). */
  trp: boolean;
  /** λ of the nuclear sub-gradient (official --nuclear-weight); 0 = none. */
  nuclear: number;
  /** Energy threshold e of the in-training truncation (official: EnergyThreshold(0.9)). */
  energy: number;
  /** Apply the step every `period` minibatches (official --decouple-period, default 1). */
  period: number;
}

/** SGD options of every training run (official: lr 0.1, momentum 0.9, wd 1e-4, ×0.1 at 50% and 75%). */
export interface TrainCfg {
  epochs: number;
  batch: number;
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** lr, ×0.1 after half and after three quarters of `total` steps (the official 81/122 of 164 epochs). */
export function officialSchedule(lr: number, total: number): Schedule {
  return (t) => lr * (t >= Math.floor(0.75 * total) ? 0.01 : t >= Math.floor(0.5 * total) ? 0.1 : 1);
}

/** What a training run records. */
export interface TrainLog {
  /** Mean minibatch loss of each epoch. */
  loss: number[];
  /** Mean over target layers of the rank kept by the last TRP step (when TRP/nuclear ran). */
  trainRank: number[];
}

/**
 * Minibatch SGD over the training images (shuffled from `rng` each epoch), with the TRP step and nuclear
 * sub-gradient of `trp` when given. Trains `net` in place.
 */
export function trainNet(net: Sequential, d: Data, cfg: TrainCfg, rng: Rng, trp?: TrpOpts, schedule?: Schedule) {
  const B = cfg.batch, n = d.nTrain, P = 784, steps = cfg.epochs * Math.ceil(n / B);
  const opt: Optimizer = new SGD({
    lr: schedule ?? officialSchedule(cfg.lr, steps),
    momentum: cfg.momentum,
    weightDecay: cfg.weightDecay,
  });
  const convs = trp ? targetConvs(net) : [];
  const xb = new Float32Array(B * P), yb = new Int32Array(B);
  const log: TrainLog = { loss: [], trainRank: [] };
  let t = 0;
  for (let ep = 0; ep < cfg.epochs; ep++) {
    const perm = rng.split(`epoch${ep}`).permutation(n);
    let sum = 0, count = 0;
    for (let off = 0; off < n; off += B) {
      const b = Math.min(B, n - off);
      for (let r = 0; r < b; r++) {
        const i = perm[off + r];
        xb.set(d.xTrain.subarray(i * P, (i + 1) * P), r * P);
        yb[r] = d.yTrain[i];
      }
      const active = !!trp && (trp.trp || trp.nuclear > 0) && t % trp.period === 0;
      const subs: Float64Array[] = [];
      if (active) {
        let rs = 0;
        for (const c of convs) {
          const [N, C, k] = c.w.shape;
          const { rank, sub } = lowRankApprox(c.w.value, N, C * k * k, trp!.energy, trp!.trp);
          subs.push(sub);
          rs += rank;
        }
        log.trainRank.push(rs / convs.length);
      }
      const l = net.lossAndGrad(xb.subarray(0, b * P), yb, b);
      if (active && trp!.nuclear > 0) {
        convs.forEach((c, j) => {
          const g = c.w.grad, s = subs[j];
          for (let q = 0; q < g.length; q++) g[q] += trp!.nuclear * s[q];
        });
      }
      opt.step(net.store.value, net.store.grad);
      sum += l * b;
      count += b;
      t++;
    }
    log.loss.push(sum / count);
  }
  return log;
}

/** Test accuracy. */
export function accuracy(net: Sequential, d: Data): number {
  return net.accuracy(d.xTest, d.yTest, d.nTest, 500);
}

/** Ranks for each target conv by a rule on its singular values. */
export function ranksBy(net: Sequential, rule: (s: Float64Array) => number): number[] {
  return targetConvs(net).map((c) => {
    const [N, C, k] = c.w.shape;
    return rule(svdOf(c.w.value, N, C * k * k).s);
  });
}

/**
 * The channel-wise decomposition of a dense-conv net at the given ranks (official channel_decompose): each
 * target conv becomes conv k×k C→r (√Σ_r V_rᵀ, no bias) then conv 1×1 r→N (U_r √Σ_r, the original bias).
 * A rank equal to min(N, C·k·k) reproduces the net's outputs up to rounding.
 */
export function decompose(net: Sequential, a: ArchCfg, ranks: number[], rng: Rng): Sequential {
  const out = new Sequential(layersOf(a, ranks), net.inShape, { rng, dtype: net.dtype });
  const src = net.layers, dst = out.layers;
  const targets = new Set(targetConvs(net));
  let j = 0, ti = 0;
  for (const l of src) {
    if (l instanceof Conv2d && targets.has(l)) {
      const cC = dst[j] as Conv2d, cN = dst[j + 1] as Conv2d, r = ranks[ti++];
      const [N, C, k] = l.w.shape, K = C * k * k;
      const { u, uc, s, vt, vc } = svdOf(l.w.value, N, K);
      for (let q = 0; q < r; q++) {
        const sq = Math.sqrt(s[q]);
        for (let c = 0; c < K; c++) cC.w.value[q * K + c] = sq * vt[q * vc + c];
        for (let o = 0; o < N; o++) cN.w.value[o * r + q] = u[o * uc + q] * sq;
      }
      cN.b!.value.set(l.b!.value);
      j += 2;
      continue;
    }
    const lp = l as { w?: { value: Arr }; b?: { value: Arr } | null };
    const dp = dst[j] as { w?: { value: Arr }; b?: { value: Arr } | null };
    if (lp.w) dp.w!.value.set(lp.w.value);
    if (lp.b) dp.b!.value.set(lp.b.value);
    j++;
  }
  return out;
}

/** Conv multiply-adds per image of the net with the given ranks (null = dense conv), official show_low_rank. */
export function convFlops(a: ArchCfg, ranks: Ranks = [null, null]): number {
  const k = 9;
  const conv1 = a.c1 * 1 * k * 28 * 28;
  const layer = (cin: number, cout: number, r: number | null, hw: number) =>
    (r === null ? cout * cin * k : cin * k * r + r * cout) * hw;
  return conv1 + layer(a.c1, a.c2, ranks[0], 14 * 14) + layer(a.c2, a.c2, ranks[1], 14 * 14);
}

/** FLOP speed-up of the decomposed net over the dense one (conv layers only). */
export function speedup(a: ArchCfg, ranks: Ranks): number {
  return convFlops(a) / convFlops(a, ranks);
}

/**
 * Path-norms of DAG ReLU networks by one forward pass (Gonon, Brisebarre, Riccietti & Gribonval, ICLR 2024,
 * arXiv 2310.01225), after the official agonon/pathnorm_toolkit `src/pathnorm/path_norm/compute_path_norm.py`:
 *
 *   ‖Φ(θ)‖_q^q = Σ_{paths p} Π_{edges e ∈ p} |θ_e|^q,
 *
 * the sum over every path from an input neuron, or from a bias (a path that starts at a hidden neuron), to an
 * output. Setting every weight and bias to |θ|^q, replacing each max-pooling neuron by an identity neuron (the sum of
 * its window: official `replace_maxpool2d_with_conv2d`, a depthwise all-ones conv), and running the net forward on
 * the all-ones input sums exactly these products; the outputs' sum is ‖Φ‖_q^q. ReLUs act as the identity on the
 * non-negative values, skip connections carry weight 1 (1^q = 1), average pooling has weights 1/k² that become
 * (1/k²)^q. The pass runs in float64 on batch 1 (own loop per layer type; the trained weights stay untouched).
 *
 * Official quirk, not followed: for an average pool of weight a the official code multiplies the q-th root by
 * a^{q−1} (`path_norm *= weights_average_pool ** (exponent - 1)`, after `pow(·, 1/exponent)`); the path sum needs
 * a^{q−1} inside the root, i.e. a^{(q−1)/q} outside. Our nets have no average pool, so no number here depends on it.
 *
 * Comparison with operator norms (layered fully-connected nets, where the paper compares): with v₀ = 1 and
 * v_ℓ = |W_ℓ|^q v_{ℓ−1} + |b_ℓ|^q, ‖Φ‖_q^q = 1ᵀv_L ≤ d_out‖v_L‖_∞, and ‖v_ℓ‖_∞ ≤ r_ℓ max(1, ‖v_{ℓ−1}‖_∞) with
 * r_ℓ = max_i Σ_j |W_ℓ,ij|^q + |b_ℓ,i|^q. Hence
 *
 *   ‖Φ‖_q ≤ d_out^{1/q} · ‖(W_L b_L)‖_{q,∞} · Π_{ℓ<L} max(1, ‖(W_ℓ b_ℓ)‖_{q,∞}),
 *
 * ‖M‖_{q,∞} = max row ℓ^q norm = the operator norm ℓ^{q*} → ℓ^∞ (q* the dual exponent), of the bias-augmented layer
 * matrices [W b; 0 1]. For q = 1: the product of ∞→∞ norms (max absolute row sums).
 *
 * Generalization bound (Theorem 3.1), first part after the official `compute_1st_part_bound_resnets.py`:
 *   C = √(D·log((3 + 2P)·K) + log((3 + 2P)/(1 + P)·(d_in + 1)·d_out)),  first = 4·C·B/√n,
 * D the depth, P the number of kinds of max-pooling neurons, K the largest pooling window, B = max ‖x‖_∞ over the
 * training inputs, n training samples; the bound on the expected test–train gap is first × ‖Φ(θ)‖₁.
 */
import type { Layer } from "../../lib/math/nn/layer.ts";
import { gemmBackend } from "../../lib/math/nn/gemm.ts";
import { AvgPool2d, Conv2d, Dense, Flatten, MaxPool2d, ReLU, type Sequential } from "../../lib/math/nn/mod.ts";
import { Residual } from "./nets.ts";

/** Maps an edge weight (or bias) to the non-negative value the pass multiplies: |θ|^q, or 1 to count paths. */
export type EdgeMap = (theta: number) => number;

/** |θ|^q (q = 0 is not a norm here: use {@link pathCount}). */
export const powAbs = (q: number): EdgeMap =>
  q === 1 ? Math.abs : q === 2 ? SQUARE : q === 4 ? FOURTH : (t) => Math.abs(t) ** q;
const SQUARE: EdgeMap = (t) => t * t;
const FOURTH: EdgeMap = (t) => (t * t) * (t * t);

/** f applied to every entry (plain loops: Float64Array.from with a map function measured ~10× slower). */
function mapped(w: ArrayLike<number>, f: EdgeMap): Float64Array {
  const out = new Float64Array(w.length), n = out.length;
  // The common maps inline (a call through a megamorphic f per weight dominated the pass).
  if (f === Math.abs) { for (let i = 0; i < n; i++) out[i] = Math.abs(w[i]); }
  else if (f === SQUARE) { for (let i = 0; i < n; i++) out[i] = w[i] * w[i]; }
  else if (f === FOURTH) {
    for (let i = 0; i < n; i++) {
      const s = w[i] * w[i];
      out[i] = s * s;
    }
  } else for (let i = 0; i < n; i++) out[i] = f(w[i]);
  return out;
}

function denseForward(l: Dense, x: Float64Array, f: EdgeMap): Float64Array {
  const n = x.length, m = l.units, fw = mapped(l.w.value, f), t = !!l.opts.transposed;
  const y = new Float64Array(m);
  if (l.b) { for (let j = 0; j < m; j++) y[j] = f(l.b.value[j]); }
  // y ← x·f(W) + f(b): one float64 gemm (OpenBLAS on the native backend).
  gemmBackend().gemm(false, t, 1, m, n, 1, x, n, fw, t ? n : m, 1, y, m);
  return y;
}

function convForward(l: Conv2d, x: Float64Array, inShape: number[], f: EdgeMap): Float64Array {
  const [c, h, wd] = inShape, k = l.kernel, s = l.opts.stride ?? 1, p = l.opts.padding ?? 0, F = l.filters;
  const ho = Math.floor((h + 2 * p - k) / s) + 1, wo = Math.floor((wd + 2 * p - k) / s) + 1;
  const w = l.w.value, y = new Float64Array(F * ho * wo);
  const fw = mapped(w, f);
  for (let o = 0; o < F; o++) {
    const bo = l.b ? f(l.b.value[o]) : 0;
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        let acc = bo;
        for (let ci = 0; ci < c; ci++) {
          for (let a = 0; a < k; a++) {
            const r = i * s + a - p;
            if (r < 0 || r >= h) continue;
            for (let b = 0; b < k; b++) {
              const col = j * s + b - p;
              if (col < 0 || col >= wd) continue;
              acc += fw[((o * c + ci) * k + a) * k + b] * x[(ci * h + r) * wd + col];
            }
          }
        }
        y[(o * ho + i) * wo + j] = acc;
      }
    }
  }
  return y;
}

/** Sum (edge weight `e` each) over the pooling windows: max-pooling neurons become identity neurons (e = 1). */
function poolForward(size: number, stride: number, x: Float64Array, inShape: number[], e: number): Float64Array {
  const [c, h, w] = inShape, ho = Math.floor((h - size) / stride) + 1, wo = Math.floor((w - size) / stride) + 1;
  const y = new Float64Array(c * ho * wo);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        let acc = 0;
        for (let a = 0; a < size; a++) {
          for (let b = 0; b < size; b++) acc += x[(ch * h + i * stride + a) * w + j * stride + b];
        }
        y[(ch * ho + i) * wo + j] = e * acc;
      }
    }
  }
  return y;
}

/** The pass through `layers` (per-sample input shapes `shapes[i]`) on input `x`, every edge mapped by `f`. */
function absForward(layers: Layer[], shapes: number[][], x: Float64Array, f: EdgeMap): Float64Array {
  let h = x;
  layers.forEach((l, i) => {
    if (l instanceof Dense) h = denseForward(l, h, f);
    else if (l instanceof Conv2d) h = convForward(l, h, shapes[i], f);
    else if (l instanceof MaxPool2d) h = poolForward(l.size, l.stride, h, shapes[i], f(1));
    else if (l instanceof AvgPool2d) h = poolForward(l.size, l.stride, h, shapes[i], f(1 / (l.size * l.size)));
    else if (l instanceof Residual) {
      const inner = absForward(l.inner, l.shapes, h, f);
      const y = new Float64Array(h.length);
      for (let k = 0; k < y.length; k++) y[k] = f(1) * h[k] + inner[k];
      h = y;
    } else if (!(l instanceof ReLU || l instanceof Flatten)) {
      throw new Error(`path-norm: no rule for layer "${l.label}"`);
    }
  });
  return h;
}

/** Σ over paths of Π f(θ_e): one forward pass of the mapped net on the all-ones input, outputs summed. */
export function pathSum(net: Sequential, f: EdgeMap): number {
  const out = absForward(net.layers, net.shapes, new Float64Array(net.inSize).fill(1), f);
  let s = 0;
  for (const v of out) s += v;
  return s;
}

/** The L^q path-norm ‖Φ(θ)‖_q, q ≥ 1 (or any q > 0 as the same formula). */
export function pathNorm(net: Sequential, q: number): number {
  return pathSum(net, powAbs(q)) ** (1 / q);
}

/** Number of paths of the architecture (every edge and bias counted, pruned or not): the official exponent 0. */
export function pathCount(net: Sequential): number {
  return pathSum(net, () => 1);
}

/**
 * The product of the operator norms of the bias-augmented layers, d_out^{1/q}·‖(W_L b_L)‖_{q,∞}·Π max(1, ·): an
 * upper bound on ‖Φ‖_q for a layered fully-connected ReLU net (Dense and ReLU layers only; see the header).
 */
export function opNormBound(net: Sequential, q: number): number {
  const dense = net.layers.filter((l): l is Dense => l instanceof Dense);
  if (net.layers.some((l) => !(l instanceof Dense || l instanceof ReLU))) {
    throw new Error("opNormBound: layered fully-connected nets (Dense, ReLU) only");
  }
  let prod = 1;
  dense.forEach((l, idx) => {
    const n = l.w.value.length / l.units, m = l.units, w = l.w.value, t = !!l.opts.transposed;
    let r = 0;
    for (let j = 0; j < m; j++) {
      let s = l.b ? Math.abs(l.b.value[j]) ** q : 0;
      for (let i = 0; i < n; i++) s += Math.abs(w[t ? j * n + i : i * m + j]) ** q;
      r = Math.max(r, s);
    }
    const norm = r ** (1 / q);
    prod *= idx === dense.length - 1 ? norm : Math.max(1, norm);
  });
  return dense.at(-1)!.units ** (1 / q) * prod;
}

/** What the first part of the Theorem 3.1 bound needs. */
export interface BoundDims {
  /** Depth: weight layers on the longest path. */
  D: number;
  /** Kinds of max-pooling neurons (0 without max-pooling). */
  P: number;
  /** Largest pooling window (1 without max-pooling). */
  K: number;
  /** max ‖x‖_∞ over the training inputs. */
  B: number;
  n: number;
  dIn: number;
  dOut: number;
}

/** 4·C·B/√n with C = √(D log((3+2P)K) + log((3+2P)/(1+P)·(d_in+1)·d_out)) (official compute_1st_part_bound_resnets). */
export function boundFirstPart(d: BoundDims): number {
  const t1 = d.D * Math.log((3 + 2 * d.P) * d.K);
  const t2 = Math.log(((3 + 2 * d.P) / (1 + d.P)) * (d.dIn + 1) * d.dOut);
  return (4 * Math.sqrt(t1 + t2) * d.B) / Math.sqrt(d.n);
}

/** D, P, K of a net built from the kit's layers and Residual. */
export function architectureDims(net: Sequential): Pick<BoundDims, "D" | "P" | "K"> {
  let D = 0, K = 1, P = 0;
  const walk = (layers: Layer[]): number => {
    let d = 0;
    for (const l of layers) {
      if (l instanceof Dense || l instanceof Conv2d) d++;
      else if (l instanceof Residual) d += walk(l.inner);
      else if (l instanceof MaxPool2d) {
        P = 1;
        K = Math.max(K, l.size * l.size);
      }
    }
    return d;
  };
  D = walk(net.layers);
  return { D, P, K };
}

/**
 * Rescale every hidden neuron of a layered ReLU MLP by a positive factor: its incoming weights and bias × c, its
 * outgoing weights ÷ c (c = exp(u), u uniform in [−spread, spread] from `draw`). The function is unchanged (ReLU is
 * positively homogeneous); path-norms are unchanged; operator-norm products are not.
 */
export function rescaleHidden(net: Sequential, spread: number, draw: () => number): void {
  const dense = net.layers.filter((l): l is Dense => l instanceof Dense);
  for (let idx = 0; idx + 1 < dense.length; idx++) {
    const a = dense[idx], b = dense[idx + 1], m = a.units, nA = a.w.value.length / m, mB = b.units;
    if (a.opts.transposed || b.opts.transposed) throw new Error("rescaleHidden: n_in × n_out layout only");
    for (let j = 0; j < m; j++) {
      const c = Math.exp(spread * (2 * draw() - 1));
      for (let i = 0; i < nA; i++) a.w.value[i * m + j] *= c;
      if (a.b) a.b.value[j] *= c;
      for (let k = 0; k < mB; k++) b.w.value[j * mB + k] /= c;
    }
  }
}

/**
 * The Bures–Wasserstein loss of a deep linear generator and gradient descent on it
 * (Bréchet, Papagiannouli, An, Montúfar 2023, arXiv 2303.03027).
 *
 * A latent z ~ N(0, I_k) is pushed through W = W_N⋯W_1 (W_1: h×k, W_j: h×h, W_N: d×h; for N = 1, W_1: d×k), so the
 * generator's law is N(0, WWᵀ) with rank WWᵀ ≤ k. The squared Bures–Wasserstein distance to the target N(0, Σ₀) is
 *   BW²(Σ₀, WWᵀ) = tr Σ₀ + tr WWᵀ − 2 tr (Σ₀^{1/2} WWᵀ Σ₀^{1/2})^{1/2}.
 * Since Σ₀^{1/2}WWᵀΣ₀^{1/2} and WᵀΣ₀W share their nonzero eigenvalues, the last trace is tr (WᵀΣ₀W)^{1/2}, a k×k
 * quantity. The smoothed loss adds τ·I inside the square root (τ > 0 keeps it differentiable when W loses rank):
 *   L_τ(W) = tr Σ₀ + ‖W‖²_F − 2 tr (WᵀΣ₀W + τI_k)^{1/2},     ∇_W L_τ = 2W − 2 Σ₀ W (WᵀΣ₀W + τI_k)^{−1/2}.
 * (τ = 0 is the exact BW² loss: the gradient is 2W − 2Σ₀^{1/2}·U·Vᵀ for Σ₀^{1/2}W = U·S·Vᵀ, defined while rank W = k.)
 * The Frobenius baseline is L_F(W) = ½‖WWᵀ − Σ₀‖²_F with ∇_W L_F = 2(WWᵀ − Σ₀)W.
 * The chain rule through the product: ∇_{W_j} = (W_N⋯W_{j+1})ᵀ · ∇_W L · (W_{j−1}⋯W_1)ᵀ.
 */
import type { Rng } from "../../lib/math/rng.ts";
import {
  axpy,
  frobenius,
  gaussian,
  type M64,
  matmul,
  randomOrthonormal,
  symEig,
  zeros,
} from "../../lib/math/lowrank/mod.ts";

export type LossKind = "bw" | "frobenius";

/** ∇ of tr(A^{1/2}) pieces: A^{p} for a symmetric PSD k×k matrix, eigenvalues clipped at 0. */
export function symPow(a: M64, p: number): M64 {
  const { values, vectors } = symEig(a), n = a.rows, out = zeros(n, n);
  for (let l = 0; l < n; l++) {
    const lam = Math.max(values[l], 0);
    const f = lam === 0 ? (p < 0 ? Infinity : p === 0 ? 1 : 0) : Math.pow(lam, p);
    for (let i = 0; i < n; i++) {
      const vi = vectors.data[i * n + l] * f;
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) out.data[i * n + j] += vi * vectors.data[j * n + l];
    }
  }
  return out;
}

function trace(a: M64): number {
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + i];
  return s;
}

function plusTauI(a: M64, tau: number): M64 {
  const b = { rows: a.rows, cols: a.cols, data: a.data.slice() };
  for (let i = 0; i < a.rows; i++) b.data[i * a.cols + i] += tau;
  return b;
}

/** tr (A)^{1/2} of a symmetric PSD matrix. */
function traceSqrt(a: M64): number {
  return symEig(a).values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
}

/**
 * L_τ(W) (τ = 0: BW²(Σ₀, WWᵀ)) or L_F(W), and its gradient in the end-to-end matrix W (d×k).
 * The constant 2k√τ is added to the smoothed loss so that L_τ → BW² as τ → 0 and L_τ ≥ 0 at its minimizer's scale.
 */
export function endToEnd(kind: LossKind, sigma0: M64, w: M64, tau: number): { loss: number; grad: M64 } {
  if (kind === "frobenius") {
    const r = axpy(matmul(w, w, { transB: true }), sigma0, -1);
    const f = frobenius(r);
    const g = matmul(r, w);
    return { loss: 0.5 * f * f, grad: { rows: g.rows, cols: g.cols, data: g.data.map((v) => 2 * v) } };
  }
  const sw = matmul(sigma0, w); // Σ₀W, d×k
  const m = plusTauI(matmul(w, sw, { transA: true }), tau); // WᵀΣ₀W + τI, k×k
  const fro = frobenius(w);
  const loss = trace(sigma0) + fro * fro - 2 * traceSqrt(m) + 2 * w.cols * Math.sqrt(tau);
  const g = matmul(sw, symPow(m, -0.5));
  const grad = zeros(w.rows, w.cols);
  for (let i = 0; i < grad.data.length; i++) grad.data[i] = 2 * w.data[i] - 2 * g.data[i];
  return { loss, grad };
}

/** The product W_N⋯W_1 (layers[0] = W_1). */
export function product(layers: M64[]): M64 {
  let p = layers[0];
  for (let j = 1; j < layers.length; j++) p = matmul(layers[j], p);
  return p;
}

/** Per-layer gradients from the end-to-end gradient G: (W_N⋯W_{j+1})ᵀ G (W_{j−1}⋯W_1)ᵀ. */
export function layerGrads(layers: M64[], g: M64): M64[] {
  const n = layers.length;
  // below[j] = layers[j−1]⋯layers[0] (the product under layer j, 0-based); undefined for j = 0.
  const below: (M64 | undefined)[] = [undefined];
  for (let j = 1; j < n; j++) below.push(j === 1 ? layers[0] : matmul(layers[j - 1], below[j - 1]!));
  const grads: M64[] = new Array(n);
  let up: M64 | null = null; // W_N⋯W_{j+1}
  for (let j = n - 1; j >= 0; j--) {
    let gj = up ? matmul(up, g, { transA: true }) : g;
    if (j > 0) gj = matmul(gj, below[j]!, { transB: true });
    grads[j] = gj;
    up = up ? matmul(up, layers[j]) : layers[j];
  }
  return grads;
}

/** Total loss of the deep network and per-layer gradients. */
export function deepLoss(
  kind: LossKind,
  sigma0: M64,
  layers: M64[],
  tau: number,
): { loss: number; grads: M64[]; w: M64 } {
  const w = product(layers);
  const { loss, grad } = endToEnd(kind, sigma0, w, tau);
  return { loss, grads: layerGrads(layers, grad), w };
}

export interface InitOptions {
  d: number;
  k: number;
  /** Hidden width h ≥ k (layers 2..N−1 are h×h). */
  width: number;
  depth: number;
  /** Balanced (W_{j+1}ᵀW_{j+1} = W_jW_jᵀ) or independent Gaussian layers. */
  init: "balanced" | "random";
  /** Balanced: singular values of the end-to-end W_0 are scale·(uniform in [0.5, 1]); random: layer std scale^{1/N}/√fan_in. */
  scale: number;
}

/**
 * Initial layers. Balanced: W_0 = U·S·Vᵀ (random U d×k, V k×k orthonormal) split as W_1 = Q_1 S^{1/N} Vᵀ,
 * W_j = Q_j S^{1/N} Q_{j−1}ᵀ, W_N = U S^{1/N} Q_{N−1}ᵀ with random orthonormal Q_j (h×k): every consecutive pair is
 * balanced, the condition of the paper's finite-step-size GD result (as in Arora et al. 2019 for the square loss).
 */
export function initLayers(o: InitOptions, rng: Rng): M64[] {
  const dims = [o.k, ...Array(o.depth - 1).fill(o.width), o.d]; // dims[j] = input dim of layer j+1
  if (o.init === "random") {
    const per = Math.pow(o.scale, 1 / o.depth);
    return Array.from(
      { length: o.depth },
      (_, j) => gaussian(dims[j + 1], dims[j], rng.split(`W${j}`), per / Math.sqrt(dims[j])),
    );
  }
  const s = Float64Array.from({ length: o.k }, () => Math.pow(o.scale * (0.5 + 0.5 * rng.uniform()), 1 / o.depth));
  const frames: M64[] = [randomOrthonormal(o.k, o.k, rng.split("V"))];
  for (let j = 1; j < o.depth; j++) frames.push(randomOrthonormal(o.width, o.k, rng.split(`Q${j}`)));
  frames.push(randomOrthonormal(o.d, o.k, rng.split("U")));
  return Array.from({ length: o.depth }, (_, j) => {
    const left = frames[j + 1], right = frames[j]; // W_{j+1} = left · S^{1/N} · rightᵀ
    const ls = { rows: left.rows, cols: o.k, data: left.data.map((v, i) => v * s[i % o.k]) };
    return matmul(ls, right, { transB: true });
  });
}

/** max_j ‖W_{j+1}ᵀW_{j+1} − W_jW_jᵀ‖_F: 0 for balanced layers, preserved by gradient flow. */
export function imbalance(layers: M64[]): number {
  let worst = 0;
  for (let j = 0; j + 1 < layers.length; j++) {
    const a = matmul(layers[j + 1], layers[j + 1], { transA: true }),
      b = matmul(layers[j], layers[j], { transB: true });
    worst = Math.max(worst, frobenius(axpy(a, b, -1)));
  }
  return worst;
}

export interface GdOptions {
  kind: LossKind;
  tau: number;
  eta: number;
  steps: number;
  every: number;
}

/** Plain GD on all layers: W_j ← W_j − η ∇_{W_j} L. `monitor` sees the end-to-end W every `every` steps. */
export function train(
  sigma0: M64,
  layers0: M64[],
  o: GdOptions,
  monitor: (step: number, w: M64, layers: M64[]) => void,
): { layers: M64[]; w: M64; diverged: boolean } {
  let layers = layers0;
  for (let t = 0; t <= o.steps; t++) {
    const { grads, w, loss } = deepLoss(o.kind, sigma0, layers, o.tau);
    if (!Number.isFinite(loss)) return { layers, w, diverged: true };
    if (t % o.every === 0 || t === o.steps) monitor(t, w, layers);
    if (t === o.steps) return { layers, w, diverged: false };
    layers = layers.map((l, j) => axpy(l, grads[j], -o.eta));
  }
  return { layers, w: product(layers), diverged: false };
}

/**
 * Depth-2 network g(x) = Σ_j c_j σ(a_j·x − b_j) with σ = tanh (the paper's depth-2 net, abstract and §2), its
 * bandlimited random version (a_j, b_j frozen, drawn uniform in [−λ, λ]; only c trained, by least squares) and
 * a fully trained reference (a, b, c by full-batch Adam).
 */
import { getLinalg, type Linalg, mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { Sample } from "./targets.ts";

export interface Net {
  /** N × d hidden weights (row-major). */
  a: Float64Array;
  /** N hidden biases. */
  b: Float64Array;
  /** N output weights. */
  c: Float64Array;
  width: number;
  d: number;
  /** Random net only: effective condition number σ₁/σ_r of the features over the singular values kept. */
  cond?: number;
  /** Random net only: numerical rank r kept by the cut-off. */
  rank?: number;
}

/** Hidden features H_ij = tanh(a_j·x_i − b_j), n × N row-major. */
export function features(net: Pick<Net, "a" | "b" | "width" | "d">, s: Sample): Float64Array {
  const { width: N, d } = net, h = new Float64Array(s.n * N);
  for (let i = 0; i < s.n; i++) {
    for (let j = 0; j < N; j++) {
      let z = -net.b[j];
      for (let k = 0; k < d; k++) z += net.a[j * d + k] * s.x[i * d + k];
      h[i * N + j] = Math.tanh(z);
    }
  }
  return h;
}

export function predict(net: Net, s: Sample): Float64Array {
  const h = features(net, s), N = net.width, out = new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) {
    let v = 0;
    for (let j = 0; j < N; j++) v += h[i * N + j] * net.c[j];
    out[i] = v;
  }
  return out;
}

/** Hidden parameters uniform in [−λ, λ]^(d+1): the bandlimited parameter distribution. */
export function bandlimitedInit(width: number, d: number, lambda: number, rng: Rng): Pick<Net, "a" | "b"> {
  const u = () => lambda * (2 * rng.uniform() - 1);
  return { a: Float64Array.from({ length: width * d }, u), b: Float64Array.from({ length: width }, u) };
}

/**
 * Minimum-norm least squares by the thin SVD H = UΣVᵀ: c = Σ_{σ_i > rcond·σ₁} v_i (u_iᵀy)/σ_i with LAPACK gelsd's
 * cut-off rcond = ε·max(n, N) (the same solution gelsd returns), plus the effective condition number σ₁/σ_r of the
 * kept part and its rank r, so drift checks can size the tolerance of this ill-conditioned solve.
 */
export function minNormLstsq(
  h: Float64Array,
  n: number,
  N: number,
  y: Float64Array,
  la: Linalg = getLinalg(),
): { c: Float64Array; cond: number; rank: number } {
  const { u, s, vt } = la.svd(mat(n, N, h));
  const k = s.length, cut = 2 ** -52 * Math.max(n, N) * s[0];
  const c = new Float64Array(N);
  let rank = 0;
  for (let i = 0; i < k; i++) {
    if (!(s[i] > cut)) break;
    rank++;
    let uty = 0;
    for (let r = 0; r < n; r++) uty += u.data[r * k + i] * y[r];
    const w = uty / s[i];
    for (let j = 0; j < N; j++) c[j] += w * vt.data[i * N + j];
  }
  return { c, cond: s[0] / s[rank - 1], rank };
}

/** Random net: frozen bandlimited hidden layer, output weights c = H⁺y (minimum-norm least squares). */
export function fitRandomNet(
  train: Sample,
  width: number,
  lambda: number,
  rng: Rng,
  la: Linalg = getLinalg(),
): Net {
  const hid = bandlimitedInit(width, train.d, lambda, rng);
  const h = features({ ...hid, width, d: train.d }, train);
  const { c, cond, rank } = minNormLstsq(h, train.n, width, train.y, la);
  return { ...hid, c, width, d: train.d, cond, rank };
}

/** Loss L = (1/2n) Σ_i (g(x_i) − y_i)² and its gradient with respect to (a, b, c). */
export function lossGrad(net: Net, s: Sample): { loss: number; ga: Float64Array; gb: Float64Array; gc: Float64Array } {
  const { width: N, d } = net, h = features(net, s);
  const ga = new Float64Array(N * d), gb = new Float64Array(N), gc = new Float64Array(N);
  let loss = 0;
  for (let i = 0; i < s.n; i++) {
    let out = 0;
    for (let j = 0; j < N; j++) out += h[i * N + j] * net.c[j];
    const r = (out - s.y[i]) / s.n;
    loss += 0.5 * (out - s.y[i]) ** 2 / s.n;
    for (let j = 0; j < N; j++) {
      const hij = h[i * N + j];
      gc[j] += r * hij;
      const dz = r * net.c[j] * (1 - hij * hij); // ∂L/∂z_ij, z = a·x − b
      gb[j] -= dz;
      for (let k = 0; k < d; k++) ga[j * d + k] += dz * s.x[i * d + k];
    }
  }
  return { loss, ga, gb, gc };
}

export interface TrainOptions {
  epochs: number;
  lr: number;
  /** Called every `every` epochs with the current net. */
  onStep?: (epoch: number, net: Net) => void;
  every?: number;
}

/**
 * Fully trained reference: start from the same bandlimited hidden layer (a, b ~ U[−λ, λ]) with c ~ N(0, 1/N),
 * then train all of (a, b, c) by full-batch Adam (β = 0.9, 0.999, ε = 1e-8) on the squared loss. Training may
 * move the hidden weights out of the band — which is the point of the comparison.
 */
export function trainNet(train: Sample, width: number, lambda: number, rng: Rng, o: TrainOptions): Net {
  const hid = bandlimitedInit(width, train.d, lambda, rng.split("hidden"));
  const c = rng.split("out").normal(width).map((v) => v / Math.sqrt(width));
  const net: Net = { a: hid.a, b: hid.b, c, width, d: train.d };
  const params = [net.a, net.b, net.c];
  const m = params.map((p) => new Float64Array(p.length)), v = params.map((p) => new Float64Array(p.length));
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  for (let t = 1; t <= o.epochs; t++) {
    const g = lossGrad(net, train);
    const grads = [g.ga, g.gb, g.gc];
    const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
    for (let p = 0; p < 3; p++) {
      const w = params[p], gp = grads[p], mp = m[p], vp = v[p];
      for (let i = 0; i < w.length; i++) {
        mp[i] = b1 * mp[i] + (1 - b1) * gp[i];
        vp[i] = b2 * vp[i] + (1 - b2) * gp[i] * gp[i];
        w[i] -= (o.lr * mp[i] / c1) / (Math.sqrt(vp[i] / c2) + eps);
      }
    }
    if (o.onStep && o.every && t % o.every === 0) o.onStep(t, net);
  }
  return net;
}

/** Largest |a_jk|: how far the hidden weights reach (≤ λ for the random net). */
export const maxHiddenWeight = (net: Net): number => net.a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

export const norm2 = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

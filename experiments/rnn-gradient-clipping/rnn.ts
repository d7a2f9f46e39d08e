/**
 * A tanh RNN trained by hand-written BPTT, with the two remedies of Pascanu, Mikolov & Bengio (ICML 2013), as the
 * official code pascanur/trainingRNNs `RNN.py` defines them (row convention, h_t a row vector):
 *
 *   h_t = tanh(h_{t−1} W_hh + u_t W_uh + b_h),  h_0 = 0,  t = 1 … T
 *   last softmax:  y = softmax(h_T W_hy + b_y),  C = −mean_b Σ_o t_bo log y_bo       (classifType 'lastSoftmax')
 *   last linear:   y = h_T W_hy + b_y,           C = mean_b Σ_o (t_bo − y_bo)²       (classifType 'lastLinear')
 *
 * BPTT: g_t = ∂C/∂h_t, a_t = g_t ⊙ (1 − h_t²), g_{t−1} = a_t W_hhᵀ; ∂C/∂W_hh = Σ_t h_{t−1}ᵀ a_t, ∂C/∂W_uh =
 * Σ_t u_tᵀ a_t, ∂C/∂b_h = Σ_t Σ_b a_t.
 *
 * Vanishing-gradient regulariser Ω (paper eq. 9 as RNN.py computes it): with z_t = a_t W_hhᵀ (= g_{t−1} here, since
 * the cost reads h_T only) and r_tb = ‖z_tb‖² / ‖g_tb‖² (squared norms, as the code does),
 *   Ω = Σ_t mean_b [m_tb (r_tb − 1)²] / Σ_t mean_b m_tb,   m_tb = 1[‖g_tb‖² ≥ bound],
 * and its gradient is taken in W_hh alone with g_t and h_t held constant (the code's theano.clone trick):
 *   ∂Ω/∂W_hh[i,j] = Σ_t Σ_b m_tb · 4 (r_tb − 1) z_tb,i a_tb,j / (‖g_tb‖² · B · N),  N = Σ_t mean_b m_tb.
 *
 * Gradient-norm clipping (RNN.py clipstyle 'rescale', paper Algorithm 1): if ‖ĝ‖ > c then ĝ ← c ĝ / ‖ĝ‖, ‖·‖ over
 * every parameter; when ‖ĝ‖ is NaN, ∞ or > 1e10 the code instead steps with ĝ_Whh = 0.02 W_hh and zero elsewhere.
 */
import { type Gemm, gemmBackend } from "../../lib/math/nn/gemm.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** Sizes of the network. */
export interface RnnShape {
  nIn: number;
  nHid: number;
  nOut: number;
}

/** A network: one flat parameter vector [W_hh, W_uh, W_hy, b_h, b_y] (row-major) and views into it. */
export interface Rnn extends RnnShape {
  theta: Float64Array;
  Whh: Float64Array;
  Wuh: Float64Array;
  Why: Float64Array;
  bh: Float64Array;
  by: Float64Array;
}

/** How the output is read (RNN.py's classifType). */
export type Head = "lastSoftmax" | "lastLinear";

/** A batch of B sequences of length T: inputs T×B×nIn (time-major, like the generators) and targets B×nOut. */
export interface Batch {
  T: number;
  B: number;
  x: Float64Array;
  y: Float64Array;
}

/** Views of a flat parameter vector (a copy of `theta` when given, zeros otherwise). */
export function makeRnn(shape: RnnShape, theta?: Float64Array): Rnn {
  const { nIn: I, nHid: H, nOut: O } = shape;
  const n = H * H + I * H + H * O + H + O;
  const t = theta ? Float64Array.from(theta) : new Float64Array(n);
  if (t.length !== n) throw new Error(`rnn: theta has ${t.length} entries, expected ${n}`);
  let o = 0;
  const take = (k: number) => t.subarray(o, o += k);
  return { ...shape, theta: t, Whh: take(H * H), Wuh: take(I * H), Why: take(H * O), bh: take(H), by: take(O) };
}

/** Spectral radius max |λ(W)| of a square row-major matrix (general eigenvalues, ml-matrix). */
export function spectralRadius(w: Float64Array, n: number): number {
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, w[i * n + j]);
  const e = new EigenvalueDecomposition(m);
  let r = 0;
  for (let k = 0; k < n; k++) r = Math.max(r, Math.hypot(e.realEigenvalues[k], e.imaginaryEigenvalues[k]));
  return r;
}

/**
 * RNN.py's 'smart_tanh' initialisation: W_uh, W_hy ~ N(0, 0.01²); W_hh ~ N(0, 0.01²) with all but `fanIn` (15)
 * random entries of each row zeroed, then rescaled to spectral radius `rho` (0.95); biases zero.
 */
export function smartTanhInit(shape: RnnShape, rng: Rng, opts: { fanIn?: number; rho?: number } = {}): Rnn {
  const { fanIn = 15, rho = 0.95 } = opts;
  const net = makeRnn(shape);
  const H = shape.nHid;
  const normal = (a: Float64Array) => a.set(rng.normal(a.length).map((v) => 0.01 * v));
  normal(net.Wuh);
  normal(net.Whh);
  for (let i = 0; i < H; i++) {
    const perm = rng.permutation(H);
    for (let k = Math.min(fanIn, H); k < H; k++) net.Whh[i * H + perm[k]] = 0;
  }
  const sr = spectralRadius(net.Whh, H);
  for (let k = 0; k < H * H; k++) net.Whh[k] *= rho / sr;
  normal(net.Why);
  return net;
}

/** Hidden states h_0 … h_T ((T+1)×B×H, h_0 = 0) and the output pre-activation o = h_T W_hy + b_y (B×O). */
export function forward(net: Rnn, batch: Batch, gemm: Gemm = gemmBackend()): { h: Float64Array; out: Float64Array } {
  const { nIn: I, nHid: H, nOut: O } = net, { T, B, x } = batch;
  const h = new Float64Array((T + 1) * B * H);
  for (let t = 1; t <= T; t++) {
    const cur = h.subarray(t * B * H, (t + 1) * B * H);
    for (let b = 0; b < B; b++) cur.set(net.bh, b * H);
    gemm.gemm(false, false, B, H, H, 1, h.subarray((t - 1) * B * H), H, net.Whh, H, 1, cur, H);
    gemm.gemm(false, false, B, H, I, 1, x.subarray((t - 1) * B * I), I, net.Wuh, H, 1, cur, H);
    for (let k = 0; k < B * H; k++) cur[k] = Math.tanh(cur[k]);
  }
  const out = new Float64Array(B * O);
  for (let b = 0; b < B; b++) out.set(net.by, b * O);
  gemm.gemm(false, false, B, O, H, 1, h.subarray(T * B * H), H, net.Why, O, 1, out, O);
  return { h, out };
}

/** Cost C and ∂C/∂o (B×O) of the output pre-activation, for the head. */
export function headLoss(out: Float64Array, y: Float64Array, B: number, O: number, head: Head) {
  const dOut = new Float64Array(B * O);
  let cost = 0;
  for (let b = 0; b < B; b++) {
    const o = b * O;
    if (head === "lastSoftmax") {
      let mx = -Infinity;
      for (let k = 0; k < O; k++) mx = Math.max(mx, out[o + k]);
      let s = 0;
      for (let k = 0; k < O; k++) s += Math.exp(out[o + k] - mx);
      const lse = mx + Math.log(s);
      let ty = 0;
      for (let k = 0; k < O; k++) {
        cost -= (y[o + k] * (out[o + k] - lse)) / B;
        ty += y[o + k];
      }
      for (let k = 0; k < O; k++) dOut[o + k] = (ty * Math.exp(out[o + k] - lse) - y[o + k]) / B;
    } else {
      for (let k = 0; k < O; k++) {
        const d = out[o + k] - y[o + k];
        cost += (d * d) / B;
        dOut[o + k] = (2 * d) / B;
      }
    }
  }
  return { cost, dOut };
}

/** The cost alone (for finite differences and evaluation). */
export function cost(net: Rnn, batch: Batch, head: Head, gemm: Gemm = gemmBackend()): number {
  const { out } = forward(net, batch, gemm);
  return headLoss(out, batch.y, batch.B, net.nOut, head).cost;
}

/** Misclassification rate (softmax: argmax differs; linear: Σ_o (t − y)² > 0.04), as RNN.py's eval_step. */
export function errorRate(net: Rnn, batch: Batch, head: Head, gemm: Gemm = gemmBackend()): number {
  const { out } = forward(net, batch, gemm);
  const O = net.nOut;
  let wrong = 0;
  for (let b = 0; b < batch.B; b++) {
    const o = b * O;
    if (head === "lastSoftmax") {
      let ai = 0, ti = 0;
      for (let k = 1; k < O; k++) {
        if (out[o + k] > out[o + ai]) ai = k;
        if (batch.y[o + k] > batch.y[o + ti]) ti = k;
      }
      // a non-finite output never counts as right (theano's argmax of NaN is arbitrary)
      if (ai !== ti || !Number.isFinite(out[o + ai])) wrong++;
    } else {
      let s = 0;
      for (let k = 0; k < O; k++) s += (batch.y[o + k] - out[o + k]) ** 2;
      if (!(s <= 0.04)) wrong++;
    }
  }
  return wrong / batch.B;
}

/** What one BPTT pass returns: the cost, Ω, the fraction of (t, b) with ‖g_tb‖² ≥ bound, and the gradients. */
export interface Gradients {
  cost: number;
  omega: number;
  nElems: number;
  /** ∂C/∂θ in θ's layout. */
  grad: Float64Array;
  /** ∂Ω/∂W_hh (g, h held constant), H×H; all zeros when `alpha` = 0 and `omega` was not asked for. */
  gOmega: Float64Array;
  /** g_t = ∂C/∂h_t for t = 0 … T ((T+1)×B×H). */
  g: Float64Array;
  h: Float64Array;
}

/** BPTT: cost, ∂C/∂θ and (when `withOmega`) Ω and ∂Ω/∂W_hh, as the module header defines them. */
export function gradients(
  net: Rnn,
  batch: Batch,
  head: Head,
  opts: { withOmega?: boolean; bound?: number; gemm?: Gemm } = {},
): Gradients {
  const { withOmega = false, bound = 1e-20, gemm = gemmBackend() } = opts;
  const { nIn: I, nHid: H, nOut: O } = net, { T, B, x } = batch;
  const { h, out } = forward(net, batch, gemm);
  const { cost, dOut } = headLoss(out, batch.y, B, O, head);
  const gNet = makeRnn(net);
  const grad = gNet.theta;
  const g = new Float64Array((T + 1) * B * H);
  const a = new Float64Array(B * H);
  const hT = h.subarray(T * B * H);
  // output layer: ∂C/∂W_hy = h_Tᵀ dOut, ∂C/∂b_y = Σ_b dOut, g_T = dOut W_hyᵀ
  gemm.gemm(true, false, H, O, B, 1, hT, H, dOut, O, 0, gNet.Why, O);
  for (let b = 0; b < B; b++) for (let k = 0; k < O; k++) gNet.by[k] += dOut[b * O + k];
  gemm.gemm(false, true, B, H, O, 1, dOut, O, net.Why, O, 0, g.subarray(T * B * H), H);
  const gOmega = new Float64Array(H * H);
  const zc = withOmega ? new Float64Array(B * H) : null;
  let omegaSum = 0, elemSum = 0;
  for (let t = T; t >= 1; t--) {
    const gt = g.subarray(t * B * H, (t + 1) * B * H), ht = h.subarray(t * B * H, (t + 1) * B * H);
    for (let k = 0; k < B * H; k++) a[k] = gt[k] * (1 - ht[k] * ht[k]);
    gemm.gemm(true, false, H, H, B, 1, h.subarray((t - 1) * B * H), H, a, H, 1, gNet.Whh, H);
    gemm.gemm(true, false, I, H, B, 1, x.subarray((t - 1) * B * I), I, a, H, 1, gNet.Wuh, H);
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) gNet.bh[j] += a[b * H + j];
    const z = g.subarray((t - 1) * B * H, t * B * H);
    gemm.gemm(false, true, B, H, H, 1, a, H, net.Whh, H, 0, z, H);
    if (zc) {
      // Ω term of step t: r_tb = ‖z_tb‖²/‖g_tb‖²; coefficient of z_tb ⊗ a_tb in ∂Ω/∂W_hh (before 1/(B·N))
      let stepSum = 0, stepElems = 0;
      for (let b = 0; b < B; b++) {
        let gg = 0, zz = 0;
        for (let j = 0; j < H; j++) {
          gg += gt[b * H + j] ** 2;
          zz += z[b * H + j] ** 2;
        }
        const on = gg >= bound;
        const r = on ? zz / gg : 1;
        stepSum += (r - 1) ** 2;
        stepElems += on ? 1 : 0;
        const c = on ? (4 * (r - 1)) / gg : 0;
        for (let j = 0; j < H; j++) zc[b * H + j] = c * z[b * H + j];
      }
      omegaSum += stepSum / B;
      elemSum += stepElems / B;
      gemm.gemm(true, false, H, H, B, 1 / B, zc, H, a, H, 1, gOmega, H);
    }
  }
  const omega = elemSum > 0 ? omegaSum / elemSum : 0;
  if (elemSum > 0) { for (let k = 0; k < H * H; k++) gOmega[k] /= elemSum; }
  return { cost, omega, nElems: elemSum / T, grad, gOmega, g, h };
}

/**
 * Ω as a function of W_hh alone, with g_t (t = 1 … T) and h_t held fixed (what ∂Ω/∂W_hh differentiates): for the
 * finite-difference test of {@link gradients}' `gOmega`.
 */
export function omegaAt(Whh: Float64Array, g: Float64Array, h: Float64Array, T: number, B: number, H: number) {
  let omegaSum = 0, elemSum = 0;
  for (let t = 1; t <= T; t++) {
    let stepSum = 0, stepElems = 0;
    for (let b = 0; b < B; b++) {
      const o = (t * B + b) * H;
      let gg = 0, zz = 0;
      for (let i = 0; i < H; i++) {
        let zi = 0;
        for (let j = 0; j < H; j++) zi += g[o + j] * (1 - h[o + j] ** 2) * Whh[i * H + j];
        zz += zi * zi;
        gg += g[o + i] ** 2;
      }
      const on = gg >= 1e-20;
      stepSum += on ? (zz / gg - 1) ** 2 : 0;
      stepElems += on ? 1 : 0;
    }
    omegaSum += stepSum / B;
    elemSum += stepElems / B;
  }
  return elemSum > 0 ? omegaSum / elemSum : 0;
}

/** Euclidean norm of a vector. */
export function norm2(v: Float64Array): number {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * v[k];
  return Math.sqrt(s);
}

/**
 * RNN.py's clipstyle 'rescale' in place: ĝ ← c ĝ/‖ĝ‖ when ‖ĝ‖ > c; when ‖ĝ‖ is NaN, ∞ or > 1e10, ĝ becomes
 * 0.02 W_hh on W_hh's entries and 0 elsewhere. Returns the norm before clipping.
 */
export function rescaleGradient(grad: Float64Array, net: Rnn, c: number): number {
  const nrm = norm2(grad);
  if (!Number.isFinite(nrm) || nrm > 1e10) {
    grad.fill(0);
    const H2 = net.nHid * net.nHid; // W_hh is first in θ's layout
    for (let k = 0; k < H2; k++) grad[k] = 0.02 * net.Whh[k];
  } else if (nrm > c) {
    for (let k = 0; k < grad.length; k++) grad[k] *= c / nrm;
  }
  return nrm;
}

/**
 * max_k |BPTT_k − FD_k| / max_k |BPTT_k| over `count` coordinates of θ spread evenly (FD: central differences of
 * the cost, step 1e-5): a BPTT check a run can record at its own parameters.
 */
export function fdRelError(net: Rnn, batch: Batch, head: Head, count: number, h = 1e-5): number {
  const gemm = gemmBackend();
  const { grad } = gradients(net, batch, head, { gemm });
  const n = net.theta.length, probe = makeRnn(net, net.theta);
  let err = 0, scale = 0;
  for (let i = 0; i < count; i++) {
    const k = Math.round((i * (n - 1)) / Math.max(1, count - 1));
    const v = probe.theta[k];
    probe.theta[k] = v + h;
    const up = cost(probe, batch, head, gemm);
    probe.theta[k] = v - h;
    const down = cost(probe, batch, head, gemm);
    probe.theta[k] = v;
    err = Math.max(err, Math.abs(grad[k] - (up - down) / (2 * h)));
    scale = Math.max(scale, Math.abs(grad[k]));
  }
  return scale > 0 ? err / scale : err;
}

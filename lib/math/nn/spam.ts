/**
 * Spike-aware Adam variants for low-bit training, and the fake (simulated) INT-n weight quantisation they are
 * tested under — read from the official TianjinYellow/StableSPAM code (galore_torch/SPAM.py,
 * galore_torch/stablespam.py, utils/fake_quantization.py); no code was copied.
 *
 * SPAM (Huang et al. 2025), per parameter tensor, with a global step count T:
 * - momentum reset: when (T+1) mod ΔT = 0 both Adam moments restart at zero (the per-tensor step count, used in the
 *   bias corrections, does not restart), and the step is multiplied by 1 − cos-decay(0.99 → 0 over `restartWarmup`
 *   steps) after each reset (a short warm-up);
 * - spike-aware clipping: once T+1 ≥ `accum` and (T+1) mod ΔT ≥ `accum`, entries with g² > θ·v (v the previous
 *   second moment) become sign(g)·√(θ·v);
 * - the update is HF-AdamW's: θ ← θ − η·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε), ε = 1e-6.
 *
 * Stable-SPAM (Huang et al. 2025), per parameter tensor with step count t:
 * - AdaClip: m_max ← γ₃·m_max + (1−γ₃)·max|g|, m̂ = m_max/(1−γ₃ᵗ); entries with |g| > m̂ become g/max|g|·m̂;
 * - AdaGN: with ‖g‖ the Frobenius norm of the (clipped) gradient, a ← γ₁s·a + (1−γ₁s)‖g‖, b ← γ₂b + (1−γ₂)‖g‖²,
 *   g ← g/‖g‖ · â/(√b̂ + ε) with the bias-corrected â, b̂;
 * - MoRet: when T mod ΔT = 0 the moments restart at zero and t restarts at 1;
 * - then torch Adam with β₁·s: θ ← θ − η/(1−β₁ᵗ) · m/(√v/√(1−β₂ᵗ) + ε), ε = 1e-8.
 *   s is a cosine from 1 at T = 0 to `etaMin` at T = totalT + 1 (the official CosineDecay), 1 when totalT is 0.
 *
 * Switches (`clip`, `normalize`, `resetGap` 0, `totalT` 0) turn the parts off; with all off Stable-SPAM is torch
 * Adam, which the tests check against lib/math/nn/optim.ts's Adam.
 *
 * Fake quantisation: asymmetric min–max INT-n over groups of `group` consecutive entries (scale (max−min)/(2ⁿ−1),
 * zero point −round(min/scale) clamped to 0..2ⁿ−1), dequantised back to floats. `FakeQuantized` keeps float master
 * weights and shows the network the quantised copy, so the gradient computed at the quantised weights updates the
 * masters: the straight-through estimator of the official QLinear.
 *
 * @example
 * ```ts
 * const opt = new FakeQuantized(new StableSpam(net.paramList(), { lr: 1e-3, resetGap: 500 }), hiddenMatrices(net));
 * net.lossAndGrad(x, y, batch); opt.step();
 * ```
 */
import type { Param } from "./params.ts";

/** Settings shared by the spike-aware optimisers. */
export interface SpamBaseOpts {
  /** Peak learning rate. */
  lr: number;
  /** Multiplier of `lr` at the 0-based step (default 1). */
  schedule?: (t: number) => number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Momentum reset period ΔT in steps (0: never). */
  resetGap?: number;
}

/** SPAM's settings (official defaults: θ 2000, accum 20, restart warm-up 150, ε 1e-6). */
export interface SpamOpts extends SpamBaseOpts {
  /** Spike threshold θ (0: no clipping). */
  threshold?: number;
  /** Steps before (and after each reset) during which no clipping happens. */
  accum?: number;
  /** Length of the cosine warm-up of the step after each reset. */
  restartWarmup?: number;
}

/** Stable-SPAM's settings (official INT4 script: γ₁ 0.7, γ₂ 0.9, γ₃ 0.999, ΔT 500, η_min 0.5, ε 1e-8). */
export interface StableSpamOpts extends SpamBaseOpts {
  gamma1?: number;
  gamma2?: number;
  gamma3?: number;
  /** Adaptive spike clipping on (default true). */
  clip?: boolean;
  /** Adaptive gradient-norm scaling on (default true). */
  normalize?: boolean;
  /** Steps of the s cosine (official total_T = training steps; 0: s = 1). */
  totalT?: number;
  etaMin?: number;
}

interface Slot {
  p: Param;
  m: Float64Array;
  v: Float64Array;
  t: number;
  mMax: number;
  aNorm: number;
  bNorm: number;
}

const slots = (params: Param[]): Slot[] =>
  params.map((p) => ({
    p,
    m: new Float64Array(p.size),
    v: new Float64Array(p.size),
    t: 0,
    mMax: 0,
    aNorm: 0,
    bNorm: 0,
  }));

/** PyTorch CosineAnnealingLR value from `start` to `end` over `tMax` steps, at step t (end after tMax). */
const cosDecay = (start: number, end: number, tMax: number, t: number) =>
  t >= tMax ? end : end + 0.5 * (start - end) * (1 + Math.cos((Math.PI * t) / tMax));

/** SPAM: Adam with periodic momentum reset and spike-aware clipping (module header). */
export class Spam {
  /** Global steps taken. */
  t = 0;
  /** Entries clipped as spikes so far. */
  clipped = 0;
  readonly #s: Slot[];
  #sinceReset: number;

  constructor(params: Param[], readonly opts: SpamOpts) {
    this.#s = slots(params);
    this.#sinceReset = (opts.restartWarmup ?? 150) + 1;
  }

  step(): void {
    const o = this.opts, b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999, eps = o.eps ?? 1e-6, gap = o.resetGap ?? 0;
    const thres = o.threshold ?? 2000, accum = o.accum ?? 20, rw = o.restartWarmup ?? 150;
    const lr = o.lr * (o.schedule ? o.schedule(this.t) : 1);
    const warm = this.#sinceReset >= rw ? 1 : 1 - cosDecay(0.99, 0, rw + 1, this.#sinceReset);
    const T1 = this.t + 1, reset = gap > 0 && T1 % gap === 0;
    for (const s of this.#s) {
      const g = s.p.grad, w = s.p.value, n = s.p.size;
      if (reset) {
        s.m.fill(0);
        s.v.fill(0);
      }
      const t = ++s.t, m = s.m, v = s.v;
      const clip = thres !== 0 && T1 >= accum && (gap === 0 || T1 % gap >= accum);
      const stepSize = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let i = 0; i < n; i++) {
        let gi = g[i];
        if (clip && gi * gi > thres * v[i]) {
          gi = Math.sign(gi) * Math.sqrt(thres * v[i]);
          this.clipped++;
        }
        const mi = m[i] = b1 * m[i] + (1 - b1) * gi;
        const vi = v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        w[i] -= stepSize * warm * mi / (Math.sqrt(vi) + eps);
      }
    }
    this.t++;
    this.#sinceReset++;
    if (gap > 0 && (this.t + 1) % gap === 0) this.#sinceReset = 0;
  }
}

/** Stable-SPAM: AdaClip, AdaGN and momentum reset around torch Adam (module header). */
export class StableSpam {
  /** Global steps taken. */
  t = 0;
  /** Entries clipped as spikes so far. */
  clipped = 0;
  readonly #s: Slot[];

  constructor(params: Param[], readonly opts: StableSpamOpts) {
    this.#s = slots(params);
  }

  step(): void {
    const o = this.opts, eps = o.eps ?? 1e-8, gap = o.resetGap ?? 0, b2 = o.beta2 ?? 0.999;
    const g1 = o.gamma1 ?? 0.7, g2 = o.gamma2 ?? 0.9, g3 = o.gamma3 ?? 0.999;
    const lr = o.lr * (o.schedule ? o.schedule(this.t) : 1);
    const T = ++this.t, totalT = o.totalT ?? 0;
    const sc = totalT > 0 ? cosDecay(1, o.etaMin ?? 0.5, totalT + 1, T) : 1;
    const b1 = (o.beta1 ?? 0.9) * sc, reset = gap > 0 && T % gap === 0;
    for (const s of this.#s) {
      const w = s.p.value, n = s.p.size, g = Float64Array.from(s.p.grad);
      s.t++;
      if (o.clip ?? true) {
        let gMax = 0;
        for (let i = 0; i < n; i++) gMax = Math.max(gMax, Math.abs(g[i]));
        s.mMax = g3 * s.mMax + (1 - g3) * gMax;
        const hat = s.mMax / (1 - g3 ** s.t);
        for (let i = 0; i < n; i++) {
          if (Math.abs(g[i]) > hat) {
            g[i] = (g[i] / gMax) * hat;
            this.clipped++;
          }
        }
      }
      if (o.normalize ?? true) {
        let ss = 0;
        for (let i = 0; i < n; i++) ss += g[i] * g[i];
        const norm = Math.sqrt(ss);
        s.aNorm = g1 * sc * s.aNorm + (1 - g1 * sc) * norm;
        s.bNorm = g2 * s.bNorm + (1 - g2) * ss;
        const aHat = s.aNorm / (1 - (g1 * sc) ** s.t), bHat = s.bNorm / (1 - g2 ** s.t);
        const c = aHat / (Math.sqrt(bHat) + eps);
        if (norm > 0) { for (let i = 0; i < n; i++) g[i] = (g[i] / norm) * c; }
      }
      if (reset) {
        s.m.fill(0);
        s.v.fill(0);
        s.t = 1;
      }
      const t = s.t, m = s.m, v = s.v, step = lr / (1 - b1 ** t), ic2 = 1 / (1 - b2 ** t);
      for (let i = 0; i < n; i++) {
        const mi = m[i] = b1 * m[i] + (1 - b1) * g[i];
        const vi = v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        w[i] -= (step * mi) / (Math.sqrt(vi * ic2) + eps);
      }
    }
  }
}

/** Asymmetric min–max INT-`bits` fake quantisation of `w` in groups of `group` entries, written to `out`. */
export function fakeQuantize(w: ArrayLike<number>, out: { [i: number]: number }, bits: number, group: number): void {
  const n = w.length, maxInt = 2 ** bits - 1;
  if (n % group !== 0) throw new RangeError(`spam: ${n} entries are not groups of ${group}`);
  for (let s = 0; s < n; s += group) {
    let lo = Infinity, hi = -Infinity;
    for (let i = s; i < s + group; i++) (lo = Math.min(lo, w[i])), (hi = Math.max(hi, w[i]));
    const scale = Math.max(hi - lo, 1e-5) / maxInt;
    const zero = Math.min(maxInt, Math.max(0, -Math.round(lo / scale)));
    for (let i = s; i < s + group; i++) {
      const q = Math.min(maxInt, Math.max(0, Math.round(w[i] / scale) + zero));
      out[i] = (q - zero) * scale;
    }
  }
}

/**
 * Wraps an optimiser so that `quantized` parameters hold their fake-quantised values between steps (what the forward
 * pass and the evaluation see) while the optimiser updates float masters with the gradient taken at the quantised
 * weights (straight-through).
 */
export class FakeQuantized {
  readonly #master: Float64Array[];
  constructor(
    readonly inner: { step(): void },
    readonly quantized: Param[],
    readonly bits = 4,
    readonly group = 256,
  ) {
    this.#master = quantized.map((p) => Float64Array.from(p.value));
    this.#apply();
  }
  #apply(): void {
    this.quantized.forEach((p, k) => fakeQuantize(this.#master[k], p.value, this.bits, this.group));
  }
  step(): void {
    this.quantized.forEach((p, k) => p.value.set(this.#master[k]));
    this.inner.step();
    this.quantized.forEach((p, k) => this.#master[k].set(p.value));
    this.#apply();
  }
}

/**
 * Matrix subspace projection (Li, Lin, Li, Wang & Guerin, ICML 2020, arXiv 1907.12385; official code lissomx/MSP,
 * M_ModelAE_Cnn.py) on a small MLP variational autoencoder, and the conditional-VAE baseline.
 *
 * Both models encode x to (μ, log σ²), sample z = μ + ε·e^{log σ²/2}, and are trained on the summed losses
 *
 *   L_rec = Σ‖x̃ − x‖²,   L_KL = −½ Σ (1 + log σ² − μ² − σ²),
 *
 * by Adam with the gradient's global norm clipped to 1 (train_CelebA.py). MSP decodes z alone and adds
 *
 *   L_MSP = Σ‖M z − y‖² + Σ‖Mᵀy − z‖²,   weighted by w = numel(x) / (numel(y) + numel(z)),        (`_loss_msp`)
 *
 * with M (attributes × latent) a trained matrix (Xavier-normal init) and y the attribute vector in ±1. An attribute
 * change to y′ moves the code along M's rows: z′ = z + Mᵀ(y′ − Mz) (`predict`, all attributes set). The conditional
 * VAE decodes [z, y] and changes attributes by decoding [z, y′]. Codes at test time are the means μ (as `predict`).
 */
import type { Rng } from "../../lib/math/rng.ts";
import { Adam, Dense, type Layer, ReLU, Sequential, Tanh } from "../../lib/math/nn/mod.ts";
import type { Arr } from "../../lib/math/nn/gemm.ts";

/** The two latent-factorisation models. */
export type Kind = "msp" | "cvae";

/** Architecture: 784 → hidden → 2·latent encoder; (latent [+ attributes]) → hidden → 784 decoder (tanh). */
export interface AeOpts {
  hidden: number;
  latent: number;
  attrs: number;
  /** Precision of every buffer (default float32; tests use float64). */
  dtype?: "float32" | "float64";
}

/** An autoencoder of either kind with its parameters. */
export interface Ae {
  kind: Kind;
  o: AeOpts;
  enc: Sequential;
  dec: Sequential;
  /** MSP's matrix M (attrs × latent, row-major); empty for the conditional VAE. */
  m: Arr;
}

/** Builds an AE; the encoder and the decoder's hidden and output layers share their rng streams across kinds. */
export function buildAe(kind: Kind, o: AeOpts, rng: Rng): Ae {
  const dtype = o.dtype ?? "float32";
  const enc = new Sequential([new Dense(o.hidden), new ReLU(), new Dense(2 * o.latent)], [784], {
    dtype,
    rng: rng.split("enc"),
  });
  const decIn = kind === "msp" ? o.latent : o.latent + o.attrs;
  const dec = new Sequential([new Dense(o.hidden), new ReLU(), new Dense(784), new Tanh()], [decIn], {
    dtype,
    rng: rng.split("dec"),
  });
  const m = alloc(dtype, kind === "msp" ? o.attrs * o.latent : 0);
  // nn.init.xavier_normal_: std = √(2 / (fan_in + fan_out)).
  const r = rng.split("M"), sd = Math.sqrt(2 / (o.attrs + o.latent));
  for (let i = 0; i < m.length; i++) m[i] = sd * r.normal();
  return { kind, o, enc, dec, m };
}

/** A zeroed buffer of the given precision. */
export function alloc(dtype: "float32" | "float64", n: number): Arr {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}

/** Backpropagates dOut through every layer of `net` (gradients added) and returns ∂L/∂input. */
export function backwardAll(net: Sequential, dOut: Arr, batch: number): Arr {
  const ctx = net.ctx();
  let g: Arr = dOut;
  for (let i = net.layers.length - 1; i >= 0; i--) g = (net.layers[i] as Layer).backward(g, batch, ctx, true)!;
  return g;
}

/** ±1 attribute vectors of class labels (one attribute per class). */
export function attrsOf(labels: ArrayLike<number>, classes: number): Float32Array {
  const y = new Float32Array(labels.length * classes).fill(-1);
  for (let i = 0; i < labels.length; i++) y[i * classes + labels[i]] = 1;
  return y;
}

/** The loss terms of one minibatch (sums over the batch). */
export interface Losses {
  rec: number;
  kl: number;
  msp: number;
  total: number;
}

/**
 * Forward and backward on one minibatch: zeroes and fills the gradients of enc, dec (stores) and `gm` (M's
 * gradient), given the noise ε (batch × latent). Returns the summed losses.
 */
export function lossAndGrad(
  ae: Ae,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  eps: ArrayLike<number>,
  batch: number,
  gm: Arr,
): Losses {
  const { latent: h, attrs: a } = ae.o, msp = ae.kind === "msp", dt = ae.enc.dtype;
  ae.enc.store.zeroGrad();
  ae.dec.store.zeroGrad();
  gm.fill(0);
  const out = ae.enc.forward(x, batch, true);
  const z = alloc(dt, batch * h), std = new Float64Array(batch * h);
  let kl = 0;
  for (let i = 0; i < batch; i++) {
    for (let j = 0; j < h; j++) {
      const mu = out[i * 2 * h + j], lv = out[i * 2 * h + h + j];
      std[i * h + j] = Math.exp(0.5 * lv);
      z[i * h + j] = mu + eps[i * h + j] * std[i * h + j];
      kl += -0.5 * (1 + lv - mu * mu - Math.exp(lv));
    }
  }
  const dIn = msp ? h : h + a, zin = msp ? z : alloc(dt, batch * dIn);
  if (!msp) {
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < h; j++) zin[i * dIn + j] = z[i * h + j];
      for (let p = 0; p < a; p++) zin[i * dIn + h + p] = y[i * a + p];
    }
  }
  const xr = ae.dec.forward(zin, batch, true);
  let rec = 0;
  const dxr = alloc(dt, batch * 784);
  for (let i = 0; i < batch * 784; i++) {
    const d = xr[i] - x[i];
    rec += d * d;
    dxr[i] = 2 * d;
  }
  const dzin = backwardAll(ae.dec, dxr, batch);
  const dz = new Float64Array(batch * h);
  for (let i = 0; i < batch; i++) for (let j = 0; j < h; j++) dz[i * h + j] = dzin[i * dIn + j];
  let lm = 0;
  if (msp) {
    const w = 784 / (a + h), m = ae.m;
    for (let i = 0; i < batch; i++) {
      // r = Mz − y (a), s = Mᵀy − z (h).
      const r = new Float64Array(a), s = new Float64Array(h);
      for (let p = 0; p < a; p++) {
        let t = 0;
        for (let j = 0; j < h; j++) t += m[p * h + j] * z[i * h + j];
        r[p] = t - y[i * a + p];
        lm += r[p] * r[p];
      }
      for (let j = 0; j < h; j++) {
        let t = 0;
        for (let p = 0; p < a; p++) t += m[p * h + j] * y[i * a + p];
        s[j] = t - z[i * h + j];
        lm += s[j] * s[j];
      }
      // ∂/∂z: 2Mᵀr − 2s; ∂/∂M: 2 r zᵀ + 2 y sᵀ.
      for (let j = 0; j < h; j++) {
        let t = 0;
        for (let p = 0; p < a; p++) t += m[p * h + j] * r[p];
        dz[i * h + j] += w * (2 * t - 2 * s[j]);
      }
      for (let p = 0; p < a; p++) {
        for (let j = 0; j < h; j++) gm[p * h + j] += w * (2 * r[p] * z[i * h + j] + 2 * y[i * a + p] * s[j]);
      }
    }
    lm *= w;
  }
  const dout = alloc(dt, batch * 2 * h);
  for (let i = 0; i < batch; i++) {
    for (let j = 0; j < h; j++) {
      const mu = out[i * 2 * h + j], lv = out[i * 2 * h + h + j], g = dz[i * h + j];
      dout[i * 2 * h + j] = g + mu; // ∂z/∂μ = 1; ∂KL/∂μ = μ
      dout[i * 2 * h + h + j] = g * eps[i * h + j] * 0.5 * std[i * h + j] - 0.5 * (1 - Math.exp(lv));
    }
  }
  backwardAll(ae.enc, dout, batch);
  return { rec, kl, msp: lm, total: rec + kl + lm };
}

/** Training options. */
export interface TrainOpts {
  epochs: number;
  batch: number;
  lr: number;
  /** Global gradient-norm clip (train_CelebA.py: 1). */
  clip: number;
}

/** Adam on encoder, decoder and M with the global norm of their gradients clipped, as the official loop. */
export function trainAe(ae: Ae, x: Float32Array, labels: ArrayLike<number>, n: number, o: TrainOpts, rng: Rng): void {
  const { latent: h, attrs: a } = ae.o;
  const y = attrsOf(labels, a), gm = alloc(ae.enc.dtype, ae.m.length);
  const opts = [new Adam({ lr: o.lr }), new Adam({ lr: o.lr }), new Adam({ lr: o.lr })];
  const order = new Int32Array(n).map((_, i) => i), xb = alloc(ae.enc.dtype, o.batch * 784);
  const yb = new Float32Array(o.batch * a);
  const noise = rng.split("noise"), shuffle = rng.split("order");
  for (let e = 0; e < o.epochs; e++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(shuffle.uniform() * (i + 1)), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (let off = 0; off < n; off += o.batch) {
      const b = Math.min(o.batch, n - off);
      for (let r = 0; r < b; r++) {
        for (let j = 0; j < 784; j++) xb[r * 784 + j] = x[order[off + r] * 784 + j];
        yb.set(y.subarray(order[off + r] * a, (order[off + r] + 1) * a), r * a);
      }
      const eps = noise.normal(b * h);
      lossAndGrad(ae, xb.subarray(0, b * 784), yb.subarray(0, b * a), eps, b, gm);
      const grads = [ae.enc.store.grad, ae.dec.store.grad, gm];
      let sq = 0;
      for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
      const norm = Math.sqrt(sq);
      if (norm > o.clip) {
        const s = o.clip / (norm + 1e-6); // torch.nn.utils.clip_grad_norm_
        for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= s;
      }
      opts[0].step(ae.enc.store.value, ae.enc.store.grad);
      opts[1].step(ae.dec.store.value, ae.dec.store.grad);
      if (ae.m.length) opts[2].step(ae.m, gm);
    }
  }
}

/** Codes μ of n inputs (n × latent). */
export function encode(ae: Ae, x: Float32Array, n: number): Float32Array {
  const h = ae.o.latent, out = ae.enc.predict(x, n), mu = new Float32Array(n * h);
  for (let i = 0; i < n; i++) mu.set(out.subarray(i * 2 * h, i * 2 * h + h), i * h);
  return mu;
}

/** Decodes codes with attribute vectors y (n × attrs): MSP sets z′ = z + Mᵀ(y − Mz); the CVAE decodes [z, y]. */
export function decodeWith(ae: Ae, mu: Float32Array, y: Float32Array, n: number): Float32Array {
  const { latent: h, attrs: a } = ae.o;
  if (ae.kind === "cvae") {
    const zin = new Float32Array(n * (h + a));
    for (let i = 0; i < n; i++) {
      zin.set(mu.subarray(i * h, (i + 1) * h), i * (h + a));
      zin.set(y.subarray(i * a, (i + 1) * a), i * (h + a) + h);
    }
    return ae.dec.predict(zin, n) as Float32Array;
  }
  return ae.dec.predict(mspEdit(ae.m, mu, y, n, h, a), n) as Float32Array;
}

/** z′ = z + Mᵀ(y − Mz) for each of n codes (M: a × h). */
export function mspEdit(
  m: ArrayLike<number>,
  z: Float32Array,
  y: ArrayLike<number>,
  n: number,
  h: number,
  a: number,
): Float32Array {
  const out = z.slice();
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < a; p++) {
      let t = 0;
      for (let j = 0; j < h; j++) t += m[p * h + j] * z[i * h + j];
      const d = y[i * a + p] - t;
      for (let j = 0; j < h; j++) out[i * h + j] += m[p * h + j] * d;
    }
  }
  return out;
}

/** Decodes with the inputs' own attributes (the MSP edit with y = the current attributes is not applied). */
export function reconstruct(ae: Ae, x: Float32Array, labels: ArrayLike<number>, n: number): Float32Array {
  const mu = encode(ae, x, n);
  if (ae.kind === "msp") return ae.dec.predict(mu, n) as Float32Array;
  return decodeWith(ae, mu, attrsOf(labels, ae.o.attrs), n);
}

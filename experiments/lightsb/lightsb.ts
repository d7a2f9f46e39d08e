/**
 * LightSB (Korotin, Gushchin, Burnaev, ICLR'24; official ngushchin/LightSB `src/light_sb.py`,
 * `notebooks/LightSB_EOT_benchmark.ipynb`). The adjusted Schrödinger potential is a Gaussian mixture
 *
 *   v_θ(y) = Σ_k α_k N(y | r_k, εS_k),   c_θ(x) = Σ_k α_k exp((xᵀS_k x + 2r_kᵀx)/(2ε)),
 *
 * so the conditional plan is closed form: π_θ(y|x) = Σ_k w_k(x) N(y | r_k + S_k x, εS_k) with
 * w_k(x) ∝ α_k exp((xᵀS_k x + 2r_kᵀx)/(2ε)). Training minimises the KL objective (paper eq. for L(θ), repo
 * `D_loss = (-log_potential + log_C).mean()`):
 *
 *   L(θ) = E_{x∼P₀} log c_θ(x) − E_{y∼P₁} log v_θ(y)
 *
 * by Adam on θ = (log α·ε [the repo's log_alpha_raw], r_k, log diag S_k), diagonal S as in the benchmark notebook.
 * Gradients are written by hand (checked against finite differences in the test):
 *
 *   ∂/∂raw_k = (E_x γ_k(x) − E_y ρ_k(y))/ε,   γ = softmax of c's terms, ρ = posterior of v's components,
 *   ∂/∂r_kj  = E_x γ_k x_j/ε − E_y ρ_k (y_j − r_kj)/(εS_kj),
 *   ∂/∂s_kj  = E_x γ_k S_kj x_j²/(2ε) − E_y ρ_k(−½ + (y_j − r_kj)²/(2εS_kj)),   s = log S.
 */
import { Adam } from "../../lib/math/nn/optim.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { mixtureMoments, type Moments, softmaxInPlace } from "./benchmark.ts";

/** A LightSB potential. S is diagonal (k×d) for training; `full` (k×d×d) replaces it when set (evaluation only). */
export interface LightSb {
  d: number;
  k: number;
  eps: number;
  /** log α_k. */
  logAlpha: Float64Array;
  r: Float64Array;
  /** diag S_k (k×d), used when `full` is absent. */
  sDiag: Float64Array;
  full?: Float64Array;
}

/** x ↦ the k logits log α_k + (xᵀS_k x + 2r_kᵀx)/(2ε) of the conditional's mixture weights. */
export function condLogits(m: LightSb, x: Float64Array, xOff = 0): Float64Array {
  const { d, k, eps } = m, out = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let q = 0, rx = 0;
    for (let i = 0; i < d; i++) {
      const xi = x[xOff + i];
      rx += m.r[c * d + i] * xi;
      if (m.full) {
        let s = 0;
        for (let j = 0; j < d; j++) s += m.full[c * d * d + i * d + j] * x[xOff + j];
        q += xi * s;
      } else q += m.sDiag[c * d + i] * xi * xi;
    }
    out[c] = m.logAlpha[c] + (q + 2 * rx) / (2 * eps);
  }
  return out;
}

/** Exact moments of π_θ(·|x) = Σ_k w_k(x) N(r_k + S_k x, εS_k). */
export function lightSbMoments(m: LightSb, x: Float64Array, xOff = 0): Moments {
  const { d, k, eps } = m, dd = d * d, w = softmaxInPlace(condLogits(m, x, xOff)), means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < d; i++) {
      let v = m.r[c * d + i];
      if (m.full) { for (let j = 0; j < d; j++) v += m.full[c * dd + i * d + j] * x[xOff + j]; }
      else v += m.sDiag[c * d + i] * x[xOff + i];
      means[c * d + i] = v;
    }
  }
  return mixtureMoments(w, means, d, (c, wt, out) => {
    if (m.full) { for (let i = 0; i < dd; i++) out[i] += wt * eps * m.full[c * dd + i]; }
    else for (let i = 0; i < d; i++) out[i * d + i] += wt * eps * m.sDiag[c * d + i];
  });
}

/** Parameter layout of the trainable vector θ = [raw (k) | r (k·d) | log S (k·d)]. */
export function unpack(theta: Float64Array, d: number, k: number, eps: number): LightSb {
  const raw = theta.subarray(0, k), r = theta.slice(k, k + k * d), s = theta.subarray(k + k * d);
  return { d, k, eps, logAlpha: raw.map((v) => v / eps), r, sDiag: s.map(Math.exp) };
}

/**
 * L(θ) on one batch (xs: B×d from P₀, ys: B'×d from P₁) and its gradient in θ (same layout), diagonal S.
 */
export function lossAndGrad(
  theta: Float64Array,
  xs: Float64Array,
  ys: Float64Array,
  o: { d: number; k: number; eps: number },
): { loss: number; grad: Float64Array } {
  const { d, k, eps } = o, grad = new Float64Array(theta.length), nx = xs.length / d, ny = ys.length / d;
  const gR = k, gS = k + k * d, r = theta.subarray(k, k + k * d), logS = theta.subarray(k + k * d);
  const sd = new Float64Array(k * d), inv = new Float64Array(k * d), la = new Float64Array(k), l = new Float64Array(k);
  // per component: log α_k and log N's constant −(d/2)log 2πε − ½ Σ_j log S_kj; S and 1/(εS)
  const lv = new Float64Array(k), lconst = -0.5 * d * Math.log(2 * Math.PI * eps);
  for (let c = 0; c < k; c++) {
    la[c] = theta[c] / eps;
    let ld = 0;
    for (let i = 0; i < d; i++) {
      const t = c * d + i;
      sd[t] = Math.exp(logS[t]);
      inv[t] = 1 / (eps * sd[t]);
      ld += logS[t];
    }
    lv[c] = la[c] + lconst - 0.5 * ld;
  }
  let loss = 0;
  // log c(x) = LSE_k(log α_k + (xᵀS_k x + 2r_kᵀx)/(2ε))
  for (let s = 0; s < nx; s++) {
    const xo = s * d;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) {
      let q = 0;
      const co = c * d;
      for (let i = 0; i < d; i++) {
        const xi = xs[xo + i];
        q += (sd[co + i] * xi + 2 * r[co + i]) * xi;
      }
      l[c] = la[c] + q / (2 * eps);
      if (l[c] > mx) mx = l[c];
    }
    let z = 0;
    for (let c = 0; c < k; c++) z += l[c] = Math.exp(l[c] - mx);
    loss += (mx + Math.log(z)) / nx;
    for (let c = 0; c < k; c++) {
      const g = l[c] / z / nx;
      if (g < 1e-300) continue;
      const co = c * d, ge = g / eps;
      grad[c] += ge;
      for (let i = 0; i < d; i++) {
        const xi = xs[xo + i];
        grad[gR + co + i] += ge * xi;
        grad[gS + co + i] += 0.5 * ge * sd[co + i] * xi * xi;
      }
    }
  }
  // log v(y) = LSE_k(log α_k + log N(y | r_k, ε diag S_k))
  for (let s = 0; s < ny; s++) {
    const yo = s * d;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) {
      let q = 0;
      const co = c * d;
      for (let i = 0; i < d; i++) {
        const diff = ys[yo + i] - r[co + i];
        q += diff * diff * inv[co + i];
      }
      l[c] = lv[c] - 0.5 * q;
      if (l[c] > mx) mx = l[c];
    }
    let z = 0;
    for (let c = 0; c < k; c++) z += l[c] = Math.exp(l[c] - mx);
    loss -= (mx + Math.log(z)) / ny;
    for (let c = 0; c < k; c++) {
      const g = l[c] / z / ny;
      if (g < 1e-300) continue;
      const co = c * d;
      grad[c] -= g / eps;
      for (let i = 0; i < d; i++) {
        const diff = ys[yo + i] - r[co + i], u = diff * inv[co + i];
        grad[gR + co + i] -= g * u;
        grad[gS + co + i] -= g * (0.5 * diff * u - 0.5);
      }
    }
  }
  return { loss, grad };
}

/** LightSB training settings (the benchmark notebook's, unless scaled down). */
export interface TrainOpts {
  k: number;
  eps: number;
  lr: number;
  steps: number;
  batch: number;
  /** Initial diag S (the notebook: S_diagonal_init = 1.0). */
  sInit: number;
  /** Record the loss every this many steps. */
  logEvery?: number;
}

/**
 * Train LightSB on unpaired samples: each step draws `batch` rows of xPool and of yPool (with replacement; the
 * notebook draws fresh samples from the benchmark samplers), r initialised at k target samples
 * (INIT_BY_SAMPLES), log α·ε at ε·log(1/k), log S at log sInit; Adam (PyTorch defaults) at `lr`.
 */
export function trainLightSb(
  xPool: Float64Array,
  yPool: Float64Array,
  d: number,
  o: TrainOpts,
  rng: Rng,
  onLog?: (step: number, loss: number) => void,
): LightSb {
  const { k, eps } = o, nx = xPool.length / d, ny = yPool.length / d;
  const theta = new Float64Array(k + 2 * k * d);
  theta.fill(eps * Math.log(1 / k), 0, k);
  for (let c = 0; c < k; c++) {
    const j = rng.int(ny);
    theta.set(yPool.subarray(j * d, j * d + d), k + c * d);
  }
  theta.fill(Math.log(o.sInit), k + k * d);
  const opt = new Adam({ lr: o.lr }), xb = new Float64Array(o.batch * d), yb = new Float64Array(o.batch * d);
  for (let step = 0; step < o.steps; step++) {
    for (let b = 0; b < o.batch; b++) {
      const i = rng.int(nx), j = rng.int(ny);
      xb.set(xPool.subarray(i * d, i * d + d), b * d);
      yb.set(yPool.subarray(j * d, j * d + d), b * d);
    }
    const { loss, grad } = lossAndGrad(theta, xb, yb, { d, k, eps });
    if (onLog && o.logEvery && (step % o.logEvery === 0 || step === o.steps - 1)) onLog(step, loss);
    opt.step(theta, grad);
  }
  return unpack(theta, d, k, eps);
}

/**
 * shallow PLRNN (shPLRNN) trained by BPTT with generalized teacher forcing (Hess et al., ICML 2023).
 *
 *   z_t = A z_{t-1} + W₁ relu(W₂ z_{t-1} + h₂) + h₁                 (shPLRNN, Sec. 3.3)
 *   z̃_t = (1 − α) z_t + α d_t,  z_{t+1} = F(z̃_t)                   (GTF, Sec. 3.1)
 *
 * Identity observation model with M = N: the data-inferred state d_t is the observation x_t itself.
 * α = 0 is plain BPTT on free-running trajectories, α = 1 is classical (one-step) teacher forcing.
 * Gradients: ∂z_T/∂z_t = ∏ (1 − α) J_k, so ‖·‖ ≤ ((1 − α) max‖J‖)^{T−t} (Thm. 3.x) — bounded for α near 1.
 */
import type { Rng } from "../../lib/math/rng.ts";

export interface Params {
  M: number;
  L: number;
  /** Diagonal of A (M). */
  A: Float64Array;
  /** W₁: M×L row-major. */
  W1: Float64Array;
  /** W₂: L×M row-major. */
  W2: Float64Array;
  h1: Float64Array;
  h2: Float64Array;
}

const KEYS = ["A", "W1", "W2", "h1", "h2"] as const;

export function initParams(M: number, L: number, rng: Rng): Params {
  // Our choice (the repo's exact init was not read): A = 0.9·I, W ~ N(0, 0.1²)·scaled, h = 0.
  const W1 = rng.normal(M * L).map((v) => v * 0.5 / Math.sqrt(L));
  const W2 = rng.normal(L * M).map((v) => v * 0.5 / Math.sqrt(M));
  return { M, L, A: new Float64Array(M).fill(0.9), W1, W2, h1: new Float64Array(M), h2: new Float64Array(L) };
}

export function zerosLike(p: Params): Params {
  return {
    M: p.M,
    L: p.L,
    A: new Float64Array(p.M),
    W1: new Float64Array(p.M * p.L),
    W2: new Float64Array(p.L * p.M),
    h1: new Float64Array(p.M),
    h2: new Float64Array(p.L),
  };
}

export function flatten(p: Params): Float64Array {
  const n = KEYS.reduce((s, k) => s + p[k].length, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const k of KEYS) {
    out.set(p[k], o);
    o += p[k].length;
  }
  return out;
}

export function unflattenInto(p: Params, v: Float64Array): void {
  let o = 0;
  for (const k of KEYS) {
    p[k].set(v.subarray(o, o + p[k].length));
    o += p[k].length;
  }
}

/** One shPLRNN step z → F(z); writes the pre-activation u = W₂z + h₂ if given. */
export function step(p: Params, z: ArrayLike<number>, out: Float64Array, u?: Float64Array): void {
  const { M, L } = p;
  const uu = u ?? new Float64Array(L);
  for (let l = 0; l < L; l++) {
    let s = p.h2[l];
    for (let m = 0; m < M; m++) s += p.W2[l * M + m] * z[m];
    uu[l] = s;
  }
  for (let m = 0; m < M; m++) {
    let s = p.A[m] * z[m] + p.h1[m];
    for (let l = 0; l < L; l++) if (uu[l] > 0) s += p.W1[m * L + l] * uu[l];
    out[m] = s;
  }
}

/** Free-running trajectory of n states from z0 (z0 included). Row-major n×M. */
export function generate(p: Params, z0: ArrayLike<number>, n: number): Float64Array {
  const M = p.M;
  const out = new Float64Array(n * M);
  for (let m = 0; m < M; m++) out[m] = z0[m];
  const u = new Float64Array(p.L), nxt = new Float64Array(M);
  for (let t = 1; t < n; t++) {
    step(p, out.subarray((t - 1) * M, t * M), nxt, u);
    out.set(nxt, t * M);
  }
  return out;
}

/**
 * GTF loss and gradient on B windows of T+1 observations each (windows: row-major (T+1)×M each).
 * Loss = (1/(B·T·M)) Σ_b Σ_{t=1..T} ‖z_t − x_t‖², with z_0 = x_0 and z_{t+1} = F((1−α)z_t + αx_t).
 */
export function gtfLossGrad(
  p: Params,
  windows: Float64Array[],
  T: number,
  alpha: number,
): { loss: number; grad: Params } {
  const { M, L } = p;
  const g = zerosLike(p);
  const norm = 1 / (windows.length * T * M);
  let loss = 0;
  const zt = new Float64Array((T + 1) * M); // z_t (model states)
  const zs = new Float64Array(T * M); // z̃_t
  const us = new Float64Array(T * L); // pre-activations
  const gz = new Float64Array(M), gzt = new Float64Array(M), gu = new Float64Array(L);
  for (const x of windows) {
    for (let m = 0; m < M; m++) zt[m] = x[m];
    for (let t = 0; t < T; t++) {
      for (let m = 0; m < M; m++) zs[t * M + m] = (1 - alpha) * zt[t * M + m] + alpha * x[t * M + m];
      step(p, zs.subarray(t * M, (t + 1) * M), zt.subarray((t + 1) * M, (t + 2) * M), us.subarray(t * L, (t + 1) * L));
      for (let m = 0; m < M; m++) loss += norm * (zt[(t + 1) * M + m] - x[(t + 1) * M + m]) ** 2;
    }
    gz.fill(0); // gradient w.r.t. z_{t+1} carried from later steps
    for (let t = T - 1; t >= 0; t--) {
      for (let m = 0; m < M; m++) gz[m] += 2 * norm * (zt[(t + 1) * M + m] - x[(t + 1) * M + m]);
      const z = zs.subarray(t * M, (t + 1) * M), u = us.subarray(t * L, (t + 1) * L);
      for (let m = 0; m < M; m++) {
        g.A[m] += gz[m] * z[m];
        g.h1[m] += gz[m];
        gzt[m] = p.A[m] * gz[m];
      }
      for (let l = 0; l < L; l++) {
        if (u[l] <= 0) {
          gu[l] = 0;
          continue;
        }
        let s = 0;
        for (let m = 0; m < M; m++) {
          g.W1[m * L + l] += gz[m] * u[l];
          s += p.W1[m * L + l] * gz[m];
        }
        gu[l] = s;
        g.h2[l] += s;
        for (let m = 0; m < M; m++) {
          g.W2[l * M + m] += s * z[m];
          gzt[m] += p.W2[l * M + m] * s;
        }
      }
      for (let m = 0; m < M; m++) gz[m] = (1 - alpha) * gzt[m]; // ∂z̃_t/∂z_t = (1−α)I
    }
  }
  return { loss, grad: g };
}

export interface TrainConfig {
  L: number;
  alpha: number;
  iters: number;
  batch: number;
  seqLen: number;
  lr: number;
  clip: number;
}

export interface TrainResult {
  params: Params;
  /** Raw (unclipped) ‖∇θ loss‖₂ at every iteration. */
  gradNorms: Float64Array;
  losses: Float64Array;
}

/** Adam (β = 0.9, 0.999) on the GTF loss; updates use the gradient clipped to norm `clip`, the raw norm is logged. */
export function trainGtf(train: Float64Array, nTrain: number, cfg: TrainConfig, rng: Rng): TrainResult {
  const M = 3;
  const p = initParams(M, cfg.L, rng.split("init"));
  const sampler = rng.split("batches");
  let theta = flatten(p);
  const mom = new Float64Array(theta.length), vel = new Float64Array(theta.length);
  const gradNorms = new Float64Array(cfg.iters), losses = new Float64Array(cfg.iters);
  for (let it = 0; it < cfg.iters; it++) {
    const windows: Float64Array[] = [];
    for (let b = 0; b < cfg.batch; b++) {
      const s = sampler.int(nTrain - cfg.seqLen - 1);
      windows.push(train.subarray(s * M, (s + cfg.seqLen + 1) * M));
    }
    const { loss, grad } = gtfLossGrad(p, windows, cfg.seqLen, cfg.alpha);
    const gv = flatten(grad);
    let nrm = 0;
    for (const v of gv) nrm += v * v;
    nrm = Math.sqrt(nrm);
    gradNorms[it] = nrm;
    losses[it] = loss;
    if (!Number.isFinite(nrm)) continue; // skip a non-finite step, keep it in the log
    const sc = nrm > cfg.clip ? cfg.clip / nrm : 1;
    const b1 = 1 - 0.9 ** (it + 1), b2 = 1 - 0.999 ** (it + 1);
    for (let i = 0; i < theta.length; i++) {
      const gi = gv[i] * sc;
      mom[i] = 0.9 * mom[i] + 0.1 * gi;
      vel[i] = 0.999 * vel[i] + 0.001 * gi * gi;
      theta[i] -= cfg.lr * (mom[i] / b1) / (Math.sqrt(vel[i] / b2) + 1e-8);
    }
    unflattenInto(p, theta);
    theta = flatten(p);
  }
  return { params: p, gradNorms, losses };
}

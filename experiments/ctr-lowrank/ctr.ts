/**
 * A synthetic CTR task and an embedding-MLP click model, with hand-written gradients, and the two post-training
 * low-rank compressions compared (Yu, Fu, Ding, Zhou, Wu: "Unified Low-rank Compression Framework for
 * Click-through Rate Prediction", KDD 2024 ADS, arXiv 2405.18146; official code yuhao318/Atomic_Feature_Mimicking,
 * `afm_emb.py`, `afm_mlp.py`):
 *
 * - weight SVD: each weight (embedding table E_f, V_f × D; FC weight W, out × in) replaced by its best rank-r
 *   approximation (truncated SVD of the weight itself).
 * - AFM (atomic feature mimicking): the SVD of the layer's *output features* on the training set. With μ the mean
 *   and U_r the top-r eigenvectors of the output covariance, a linear layer y = Wx + b becomes
 *   y ≈ U_r U_rᵀ (Wx + b − μ) + μ, stored as (U_rᵀW, U_rᵀb) then (U_r, (I − U_rU_rᵀ)μ) (afm_mlp.py step3); an
 *   embedding table becomes (E − μ)U_r (V × r) followed by U_r and the bias μ (afm_emb.py step3). Embedding
 *   statistics are frequency-weighted because they are collected over the training samples.
 *
 * Data: F categorical fields with Zipf-distributed values; clicks from a factorization-machine ground truth
 * logit = w0 + Σ_f w_{f,x_f} + Σ_{f<g} ⟨v_{f,x_f}, v_{g,x_g}⟩ (Rendle 2010).
 */
import type { Rng } from "../../lib/math/rng.ts";
import { eigSymDesc } from "./eig.ts";

export interface CtrSet {
  /** n × F value indices. */
  x: Int32Array;
  y: Uint8Array;
  n: number;
}

export interface CtrData {
  fields: number;
  vocab: number;
  train: CtrSet;
  val: CtrSet;
  test: CtrSet;
}

export function makeCtr(
  o: {
    fields: number;
    vocab: number;
    fmRank: number;
    zipf: number;
    bias: number;
    nTrain: number;
    nVal: number;
    nTest: number;
  },
  rng: Rng,
): CtrData {
  const { fields: F, vocab: V, fmRank: k } = o;
  const w = rng.normal(F * V).map((v) => 0.5 * v);
  const lat = rng.normal(F * V * k).map((v) => v / Math.sqrt(k * Math.sqrt(F)));
  const cdf = new Float64Array(V);
  let s = 0;
  for (let i = 0; i < V; i++) cdf[i] = s += 1 / (i + 1) ** o.zipf;
  for (let i = 0; i < V; i++) cdf[i] /= s;
  // A random permutation per field so that frequent values are not the low indices of every field.
  const perms = Array.from({ length: F }, () => rng.permutation(V));
  const draw = (n: number): CtrSet => {
    const x = new Int32Array(n * F), y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < F; f++) {
        const u = rng.uniform();
        let lo = 0, hi = V - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] < u) lo = mid + 1;
          else hi = mid;
        }
        x[i * F + f] = perms[f][lo];
      }
      let logit = o.bias;
      const sum = new Float64Array(k), sq = new Float64Array(k);
      for (let f = 0; f < F; f++) {
        const id = f * V + x[i * F + f];
        logit += w[id];
        for (let j = 0; j < k; j++) {
          const v = lat[id * k + j];
          sum[j] += v;
          sq[j] += v * v;
        }
      }
      for (let j = 0; j < k; j++) logit += 0.5 * (sum[j] * sum[j] - sq[j]);
      y[i] = rng.uniform() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    }
    return { x, y, n };
  };
  return { fields: F, vocab: V, train: draw(o.nTrain), val: draw(o.nVal), test: draw(o.nTest) };
}

/** A linear map stored either dense (out × in) or factored: y = B (A x + a) + b with A (r × in), B (out × r). */
export interface Linear {
  out: number;
  inp: number;
  w: Float64Array; // dense weight (out × in), or null-like empty when factored
  b: Float64Array;
  fac?: { r: number; A: Float64Array; a: Float64Array; B: Float64Array };
}

/** The click model: per-field embeddings (D), concatenated, FC → ReLU → FC → ReLU → FC(1) → sigmoid. */
export interface CtrModel {
  fields: number;
  vocab: number;
  dim: number;
  /** Per field: table V × D, or factored table (V × r) then r × D plus bias D. */
  emb: { table: Float64Array; r?: number; proj?: Float64Array; bias?: Float64Array }[];
  layers: Linear[];
}

export function initModel(o: { fields: number; vocab: number; dim: number; hidden: number[] }, rng: Rng): CtrModel {
  const emb = Array.from({ length: o.fields }, () => ({ table: rng.normal(o.vocab * o.dim).map((v) => 0.05 * v) }));
  const sizes = [o.fields * o.dim, ...o.hidden, 1];
  const layers: Linear[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inp = sizes[l], out = sizes[l + 1];
    layers.push({ out, inp, w: rng.normal(out * inp).map((v) => v * Math.sqrt(2 / inp)), b: new Float64Array(out) });
  }
  return { fields: o.fields, vocab: o.vocab, dim: o.dim, emb, layers };
}

function embedRow(m: CtrModel, f: number, id: number, out: Float64Array, off: number): void {
  const e = m.emb[f], D = m.dim;
  if (e.r === undefined) {
    for (let j = 0; j < D; j++) out[off + j] = e.table[id * D + j];
  } else {
    const r = e.r;
    for (let j = 0; j < D; j++) {
      let s = e.bias![j];
      for (let t = 0; t < r; t++) s += e.table[id * r + t] * e.proj![t * D + j];
      out[off + j] = s;
    }
  }
}

function applyLinear(L: Linear, x: Float64Array): Float64Array {
  const y = new Float64Array(L.out);
  if (L.fac) {
    const { r, A, a, B } = L.fac;
    const h = new Float64Array(r);
    for (let t = 0; t < r; t++) {
      let s = a[t];
      for (let i = 0; i < L.inp; i++) s += A[t * L.inp + i] * x[i];
      h[t] = s;
    }
    for (let o = 0; o < L.out; o++) {
      let s = L.b[o];
      for (let t = 0; t < r; t++) s += B[o * r + t] * h[t];
      y[o] = s;
    }
  } else {
    for (let o = 0; o < L.out; o++) {
      let s = L.b[o];
      for (let i = 0; i < L.inp; i++) s += L.w[o * L.inp + i] * x[i];
      y[o] = s;
    }
  }
  return y;
}

/** Forward pass of one sample; returns every layer's pre-activation output (the AFM statistics need them). */
export function forward(
  m: CtrModel,
  xs: Int32Array,
  i: number,
): { input: Float64Array; pre: Float64Array[]; p: number } {
  const F = m.fields, D = m.dim;
  const input = new Float64Array(F * D);
  for (let f = 0; f < F; f++) embedRow(m, f, xs[i * F + f], input, f * D);
  const pre: Float64Array[] = [];
  let h: Float64Array = input;
  m.layers.forEach((L, l) => {
    const z = applyLinear(L, h);
    pre.push(z);
    h = l + 1 < m.layers.length ? z.map((v) => (v > 0 ? v : 0)) : z;
  });
  return { input, pre, p: 1 / (1 + Math.exp(-pre[pre.length - 1][0])) };
}

export function predictAll(m: CtrModel, s: CtrSet): Float64Array {
  return Float64Array.from({ length: s.n }, (_, i) => forward(m, s.x, i).p);
}

export function logloss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s -= Math.log(Math.min(1 - 1e-12, Math.max(1e-12, y[i] ? p[i] : 1 - p[i])));
  return s / p.length;
}

/** Train the dense model with Adam on binary cross-entropy (mini-batches, fixed epochs). */
export function trainModel(
  m: CtrModel,
  s: CtrSet,
  o: { epochs: number; batch: number; lr: number },
  rng: Rng,
): number[] {
  const F = m.fields, D = m.dim, L = m.layers.length;
  const params: Float64Array[] = [...m.emb.map((e) => e.table), ...m.layers.flatMap((l) => [l.w, l.b])];
  const mo = params.map((p) => new Float64Array(p.length)), ve = params.map((p) => new Float64Array(p.length));
  const grads = params.map((p) => new Float64Array(p.length));
  let step = 0;
  const losses: number[] = [];
  for (let ep = 0; ep < o.epochs; ep++) {
    const perm = rng.permutation(s.n);
    let tot = 0;
    for (let b0 = 0; b0 < s.n; b0 += o.batch) {
      const bs = Math.min(o.batch, s.n - b0);
      for (const g of grads) g.fill(0);
      const touched = new Set<number>();
      for (let bi = 0; bi < bs; bi++) {
        const i = perm[b0 + bi];
        const fw = forward(m, s.x, i);
        const yv = s.y[i];
        tot -= Math.log(Math.max(1e-12, yv ? fw.p : 1 - fw.p));
        let dz = new Float64Array([(fw.p - yv) / bs]);
        for (let l = L - 1; l >= 0; l--) {
          const Ly = m.layers[l], inp = l === 0 ? fw.input : fw.pre[l - 1].map((v) => (v > 0 ? v : 0));
          const gw = grads[F + 2 * l], gb = grads[F + 2 * l + 1];
          const dx = new Float64Array(Ly.inp);
          for (let oo = 0; oo < Ly.out; oo++) {
            const d = dz[oo];
            if (d === 0) continue;
            gb[oo] += d;
            for (let ii = 0; ii < Ly.inp; ii++) {
              gw[oo * Ly.inp + ii] += d * inp[ii];
              dx[ii] += d * Ly.w[oo * Ly.inp + ii];
            }
          }
          if (l > 0) dz = dx.map((v, ii) => (fw.pre[l - 1][ii] > 0 ? v : 0));
          else {
            for (let f = 0; f < F; f++) {
              const id = s.x[i * F + f];
              touched.add(f * m.vocab + id);
              for (let j = 0; j < D; j++) grads[f][id * D + j] += dx[f * D + j];
            }
          }
        }
      }
      step++;
      const b1 = 0.9, b2 = 0.999, c1 = 1 - b1 ** step, c2 = 1 - b2 ** step;
      params.forEach((p, k) => {
        const g = grads[k], mk = mo[k], vk = ve[k];
        if (k < F) {
          // Sparse (lazy) Adam for embedding rows: only rows seen in the batch move.
          for (const key of touched) {
            const f = Math.floor(key / m.vocab);
            if (f !== k) continue;
            const row = key % m.vocab;
            for (let j = row * D; j < (row + 1) * D; j++) {
              mk[j] = b1 * mk[j] + (1 - b1) * g[j];
              vk[j] = b2 * vk[j] + (1 - b2) * g[j] * g[j];
              p[j] -= (o.lr * mk[j] / c1) / (Math.sqrt(vk[j] / c2) + 1e-8);
            }
          }
        } else {
          for (let j = 0; j < p.length; j++) {
            mk[j] = b1 * mk[j] + (1 - b1) * g[j];
            vk[j] = b2 * vk[j] + (1 - b2) * g[j] * g[j];
            p[j] -= (o.lr * mk[j] / c1) / (Math.sqrt(vk[j] / c2) + 1e-8);
          }
        }
      });
    }
    losses.push(tot / s.n);
  }
  return losses;
}

// ── compression ─────────────────────────────────────────────────────────────────────────────────────────────

export interface Ranks {
  /** Embedding rank (≤ D), per field. */
  emb: number;
  /** Rank per FC layer except the last (output) layer. */
  fc: number[];
}

function cloneModel(m: CtrModel): CtrModel {
  return {
    ...m,
    emb: m.emb.map((e) => ({ ...e, table: Float64Array.from(e.table) })),
    layers: m.layers.map((l) => ({ ...l, w: Float64Array.from(l.w), b: Float64Array.from(l.b) })),
  };
}

/** Top-r eigenvectors (columns of an n × r matrix) of the symmetric n × n matrix S. */
function topEig(S: Float64Array, n: number, r: number): Float64Array {
  const { vectors } = eigSymDesc(S, n);
  const U = new Float64Array(n * r);
  for (let i = 0; i < n; i++) for (let t = 0; t < r; t++) U[i * r + t] = vectors[i * n + t];
  return U;
}

/** Weight SVD of every table and FC layer (the output layer kept). */
export function compressSvd(m0: CtrModel, ranks: Ranks): CtrModel {
  const m = cloneModel(m0), D = m.dim, V = m.vocab;
  m.emb = m.emb.map((e) => {
    // E ≈ E Q Qᵀ with Q the top right singular vectors (eigenvectors of EᵀE).
    const G = new Float64Array(D * D);
    for (let v = 0; v < V; v++) {
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) G[i * D + j] += e.table[v * D + i] * e.table[v * D + j];
    }
    const r = ranks.emb, Q = topEig(G, D, r);
    return factorTable(e.table, V, D, Q, r, new Float64Array(D));
  });
  m.layers = m.layers.map((L, l) => {
    if (l >= ranks.fc.length) return L;
    // W ≈ (W Q) Qᵀ with Q the top right singular vectors: A = Qᵀ (r × in), B = W Q (out × r).
    const G = new Float64Array(L.inp * L.inp);
    for (let o = 0; o < L.out; o++) {
      for (let i = 0; i < L.inp; i++) {
        const wi = L.w[o * L.inp + i];
        if (wi === 0) continue;
        for (let j = 0; j < L.inp; j++) G[i * L.inp + j] += wi * L.w[o * L.inp + j];
      }
    }
    const r = ranks.fc[l], Q = topEig(G, L.inp, r);
    const A = new Float64Array(r * L.inp), B = new Float64Array(L.out * r);
    for (let t = 0; t < r; t++) for (let i = 0; i < L.inp; i++) A[t * L.inp + i] = Q[i * r + t];
    for (let o = 0; o < L.out; o++) {
      for (let t = 0; t < r; t++) {
        let s = 0;
        for (let i = 0; i < L.inp; i++) s += L.w[o * L.inp + i] * Q[i * r + t];
        B[o * r + t] = s;
      }
    }
    return { ...L, w: new Float64Array(0), fac: { r, A, a: new Float64Array(r), B } };
  });
  return m;
}

/** Table (E − μ) U (V × r), projection Uᵀ (r × D), bias μ. */
function factorTable(E: Float64Array, V: number, D: number, U: Float64Array, r: number, mu: Float64Array) {
  const table = new Float64Array(V * r), proj = new Float64Array(r * D);
  for (let v = 0; v < V; v++) {
    for (let t = 0; t < r; t++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += (E[v * D + j] - mu[j]) * U[j * r + t];
      table[v * r + t] = s;
    }
  }
  for (let t = 0; t < r; t++) for (let j = 0; j < D; j++) proj[t * D + j] = U[j * r + t];
  return { table, r, proj, bias: Float64Array.from(mu) };
}

/** AFM: SVD of each layer's output features over the training set (statistics from the original model). */
export function compressAfm(m0: CtrModel, ranks: Ranks, s: CtrSet): CtrModel {
  const F = m0.fields, D = m0.dim, V = m0.vocab;
  const embSum = Array.from({ length: F }, () => new Float64Array(D));
  const embSq = Array.from({ length: F }, () => new Float64Array(D * D));
  const fcSum = m0.layers.map((L) => new Float64Array(L.out));
  const fcSq = m0.layers.map((L, l) => (l < ranks.fc.length ? new Float64Array(L.out * L.out) : new Float64Array(0)));
  for (let i = 0; i < s.n; i++) {
    const fw = forward(m0, s.x, i);
    for (let f = 0; f < F; f++) {
      const off = f * D;
      for (let a = 0; a < D; a++) {
        embSum[f][a] += fw.input[off + a];
        for (let b = 0; b < D; b++) embSq[f][a * D + b] += fw.input[off + a] * fw.input[off + b];
      }
    }
    ranks.fc.forEach((_, l) => {
      const z = fw.pre[l], n = z.length;
      for (let a = 0; a < n; a++) {
        fcSum[l][a] += z[a];
        if (z[a] === 0) continue;
        for (let b = 0; b < n; b++) fcSq[l][a * n + b] += z[a] * z[b];
      }
    });
  }
  const cov = (sum: Float64Array, sq: Float64Array, n: number) => {
    const mu = sum.map((v) => v / s.n), C = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) C[a * n + b] = sq[a * n + b] / s.n - mu[a] * mu[b];
    return { mu, C };
  };
  const m = cloneModel(m0);
  m.emb = m.emb.map((e, f) => {
    const { mu, C } = cov(embSum[f], embSq[f], D);
    return factorTable(e.table, V, D, topEig(C, D, ranks.emb), ranks.emb, mu);
  });
  m.layers = m.layers.map((L, l) => {
    if (l >= ranks.fc.length) return L;
    const { mu, C } = cov(fcSum[l], fcSq[l], L.out);
    const r = ranks.fc[l], U = topEig(C, L.out, r);
    // A = Uᵀ W (r × in), a = Uᵀ b; then B = U, bias (I − U Uᵀ) μ.
    const A = new Float64Array(r * L.inp), a = new Float64Array(r), B = Float64Array.from(U);
    for (let t = 0; t < r; t++) {
      for (let o = 0; o < L.out; o++) {
        const u = U[o * r + t];
        a[t] += u * L.b[o];
        for (let i = 0; i < L.inp; i++) A[t * L.inp + i] += u * L.w[o * L.inp + i];
      }
    }
    const bias = Float64Array.from(mu);
    for (let t = 0; t < r; t++) {
      let um = 0;
      for (let o = 0; o < L.out; o++) um += U[o * r + t] * mu[o];
      for (let o = 0; o < L.out; o++) bias[o] -= U[o * r + t] * um;
    }
    return { ...L, w: new Float64Array(0), b: bias, fac: { r, A, a, B } };
  });
  return m;
}

/** Stored parameters. */
export function paramCount(m: CtrModel): number {
  let n = 0;
  for (const e of m.emb) n += e.table.length + (e.proj?.length ?? 0) + (e.bias?.length ?? 0);
  for (const L of m.layers) n += (L.fac ? L.fac.A.length + L.fac.a.length + L.fac.B.length : L.w.length) + L.b.length;
  return n;
}

/** Multiply–adds per prediction (embedding projections and FC layers). */
export function macs(m: CtrModel): number {
  let n = 0;
  for (const e of m.emb) if (e.r !== undefined) n += e.r * m.dim;
  for (const L of m.layers) n += L.fac ? L.fac.r * (L.inp + L.out) : L.inp * L.out;
  return n;
}

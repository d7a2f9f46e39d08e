/**
 * HyperAttention (Han et al., ICLR 2024, arXiv 2310.05869), non-causal forward pass, in float64, following the
 * official code insuhan/hyper-attn (models/attention/hyper_attn.py `forward_no_causal_mask`, angular_lsh.py,
 * utils.py `add_self_attentions`):
 *
 *   exact:  O = D⁻¹AV with A = exp(QKᵀ·s), D = diag(A1), s = 1/√d; lse_i = log D_ii.
 *   1. sortLSH (Algorithm 1): h(x) = gray(Σ_b [⟨x, g_b⟩ > 0]·2ᵇ) with r Gaussian directions g_b (the code's
 *      `perm[bin_ids]`, perm the reflected Gray sequence); queries and keys are each stably sorted by h.
 *   2. Block-diagonal part: the sorted keys are cut into n_k/b blocks of b, the sorted queries into as many blocks;
 *      each query block attends exactly to its key block → (O_blk, lse_blk).
 *   3. Residual part: m key positions (in sorted order) drawn uniformly with replacement, shared by every query;
 *      a sample that falls in the query's own block is masked out (the code adds −∞ via a bias); the sampled
 *      scores are weighted by n_k/m: lse_res = log Σ_{j∈S∖blk(i)} exp(s_ij) + log(n_k/m) → (O_res, lse_res).
 *   4. Combine the two normalizers: c = 1/(1 + exp(lse_res − lse_blk)), O = c·O_blk + (1−c)·O_res,
 *      lse = log(exp(lse_blk) + exp(lse_res)) — i.e. D̃ = D_blk + (n/m)·D_res and Õ = D̃⁻¹(Ã_blk V + (n/m)Ã_res V).
 *   5. Rows are put back in the original query order.
 *
 * Quirks kept: the hash is gray(bin), not the bin's rank in Gray order; the sample is one set for all queries;
 * sampling is skipped when there is one block. Departures: when b ≥ n_k the block is all keys (the code would pad
 * the keys with zero rows, which add exp(0) to every normaliser); no `min_seq_len` fallback to exact attention.
 *
 * Every kernel counts its multiply–adds in `ops` (scores: d per pair, values: d_v per pair, hashing: d per
 * projection), the cost model of the comparison; sorting is a counting sort, O(n + 2ʳ), not counted.
 */
import type { Rng } from "../../lib/math/rng.ts";

/** Q (n_q×d), K (n_k×d), V (n_k×d_v), all row-major. */
export interface Qkv {
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  nq: number;
  nk: number;
  d: number;
  dv: number;
}

/** An attention output (n_q×d_v), its log normalisers (lse_i = log D̃_ii) and the multiply–adds it took. */
export interface AttnOut {
  out: Float64Array;
  lse: Float64Array;
  ops: number;
}

/** HyperAttention's output plus the sorted orders and block sizes (to measure how much mass the blocks hold). */
export interface HyperOut extends AttnOut {
  qOrder: Int32Array;
  kOrder: Int32Array;
  /** Query and key block sizes; blocks = n_k / kBlock. */
  qBlock: number;
  kBlock: number;
}

/**
 * Softmax attention of query row `qi` over the keys `idx[from..to)`, with every exp weighted by exp(logW):
 * writes D̃⁻¹Σ w·exp(s_ij)v_j into `outRow` (at `oOff`) and returns log Σ w·exp(s_ij) (−∞ for no key).
 */
function attendRow(
  x: Qkv,
  qi: number,
  idx: Int32Array,
  from: number,
  to: number,
  scale: number,
  logW: number,
  buf: Float64Array,
  outRow: Float64Array,
  oOff: number,
): number {
  const { q, k, v, d, dv } = x;
  const qo = qi * d;
  let mx = -Infinity;
  for (let t = from; t < to; t++) {
    const ko = idx[t] * d;
    let s = 0;
    for (let c = 0; c < d; c++) s += q[qo + c] * k[ko + c];
    s *= scale;
    buf[t - from] = s;
    if (s > mx) mx = s;
  }
  for (let c = 0; c < dv; c++) outRow[oOff + c] = 0;
  if (to <= from) return -Infinity;
  let sum = 0;
  for (let t = from; t < to; t++) {
    const e = Math.exp(buf[t - from] - mx);
    sum += e;
    const vo = idx[t] * dv;
    for (let c = 0; c < dv; c++) outRow[oOff + c] += e * v[vo + c];
  }
  for (let c = 0; c < dv; c++) outRow[oOff + c] /= sum;
  return mx + Math.log(sum) + logW;
}

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Exact softmax attention D⁻¹AV (s = 1/√d by default), with lse; n_q·n_k·(d + d_v) multiply–adds. */
export function exactAttention(x: Qkv, scale = 1 / Math.sqrt(x.d)): AttnOut {
  const { nq, nk, dv } = x;
  const out = new Float64Array(nq * dv), lse = new Float64Array(nq), buf = new Float64Array(nk);
  const all = iota(nk);
  for (let i = 0; i < nq; i++) lse[i] = attendRow(x, i, all, 0, nk, scale, 0, buf, out, i * dv);
  return { out, lse, ops: nq * nk * (x.d + dv) };
}

/** The reflected Gray sequence of r bits, built as the official `_unit_hamming_distance_array` (= i ^ (i >> 1)). */
export function graySequence(r: number): Int32Array {
  let a = Int32Array.from([0, 1]);
  for (let s = 2; s <= r; s++) {
    const b = new Int32Array(2 * a.length), top = 1 << (s - 1);
    b.set(a);
    for (let i = 0; i < a.length; i++) b[a.length + i] = a[a.length - 1 - i] + top;
    a = b;
  }
  return a;
}

/** Angular LSH with r Gaussian directions (d×r, row-major), Gray-coded: the official AngularLSH.hash. */
export class AngularLsh {
  readonly proj: Float64Array;
  readonly perm: Int32Array;
  constructor(readonly d: number, readonly r: number, rng: Rng) {
    this.proj = rng.normal(d * r);
    this.perm = graySequence(r);
  }

  /** Hash of each of the n rows of `x` (n×d); adds n·d·r multiply–adds to `ops.n`. */
  hash(x: Float64Array, n: number, ops: { n: number }): Int32Array {
    const { d, r, proj, perm } = this;
    const h = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let bin = 0;
      for (let b = 0; b < r; b++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += x[i * d + c] * proj[c * r + b];
        if (s > 0) bin += 1 << b;
      }
      h[i] = perm[bin];
    }
    ops.n += n * d * r;
    return h;
  }
}

/** Stable sort of 0..n−1 by integer keys in [0, 2ʳ) (counting sort, as torch.sort(stable=True) orders them). */
export function stableSortByKey(keys: Int32Array, buckets: number): Int32Array {
  const cnt = new Int32Array(buckets + 1);
  for (const h of keys) cnt[h + 1]++;
  for (let b = 0; b < buckets; b++) cnt[b + 1] += cnt[b];
  const order = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) order[cnt[keys[i]]++] = i;
  return order;
}

/** HyperAttention's parameters (official defaults: r = 7, b = 256, m = 256). */
export interface HyperOptions {
  numProjs: number;
  blockSize: number;
  sampleSize: number;
  /** false: keep the original order (block-diagonal without LSH, the `nolsh` ablation). */
  lsh: boolean;
  scale?: number;
}

/** HyperAttention, non-causal (the steps in this file's header). `rng` draws the LSH directions and the sample. */
export function hyperAttention(x: Qkv, o: HyperOptions, rng: Rng): HyperOut {
  const { nq, nk, d, dv } = x;
  const scale = o.scale ?? 1 / Math.sqrt(d);
  const ops = { n: 0 };
  let qOrder: Int32Array, kOrder: Int32Array;
  if (o.lsh) {
    const lsh = new AngularLsh(d, o.numProjs, rng.split("lsh"));
    qOrder = stableSortByKey(lsh.hash(x.q, nq, ops), 1 << o.numProjs);
    kOrder = stableSortByKey(lsh.hash(x.k, nk, ops), 1 << o.numProjs);
  } else {
    qOrder = iota(nq);
    kOrder = iota(nk);
  }
  const kBlock = Math.min(o.blockSize, nk);
  if (nk % kBlock !== 0) throw new Error(`hyperAttention: n_k = ${nk} is not a multiple of the block size ${kBlock}`);
  const blocks = nk / kBlock;
  if (nq % blocks !== 0) throw new Error(`hyperAttention: n_q = ${nq} does not split into ${blocks} blocks`);
  const qBlock = nq / blocks;
  const buf = new Float64Array(Math.max(kBlock, o.sampleSize));
  // 2. Block-diagonal part, in sorted query order.
  const oBlk = new Float64Array(nq * dv), lBlk = new Float64Array(nq);
  for (let p = 0; p < nq; p++) {
    const blk = Math.floor(p / qBlock);
    lBlk[p] = attendRow(x, qOrder[p], kOrder, blk * kBlock, (blk + 1) * kBlock, scale, 0, buf, oBlk, p * dv);
  }
  ops.n += nq * kBlock * (d + dv);
  const out = new Float64Array(nq * dv), lse = new Float64Array(nq);
  const sample = o.sampleSize > 0 && blocks > 1;
  // 3. Residual: one uniform sample of sorted key positions; per query block, the samples outside it.
  const oRes = new Float64Array(dv);
  const pos = new Int32Array(o.sampleSize);
  for (let t = 0; t < pos.length; t++) pos[t] = rng.int(nk);
  const logW = Math.log(nk / Math.max(1, o.sampleSize));
  const kept: Int32Array[] = [];
  if (sample) {
    for (let blk = 0; blk < blocks; blk++) {
      kept.push(Int32Array.from([...pos].filter((p) => Math.floor(p / kBlock) !== blk).map((p) => kOrder[p])));
    }
    // The official code scores every sample and masks the block's ones by a −∞ bias: m pairs per query.
    ops.n += nq * o.sampleSize * (d + dv);
  }
  for (let p = 0; p < nq; p++) {
    const i = qOrder[p], l1 = lBlk[p];
    let l2 = -Infinity;
    if (sample) {
      const ks = kept[Math.floor(p / qBlock)];
      l2 = attendRow(x, i, ks, 0, ks.length, scale, logW, buf, oRes, 0);
    }
    // 4. c = 1/(1 + exp(lse_res − lse_blk)); −∞ (no sample outside the block) gives c = 1.
    const c = l2 === -Infinity ? 1 : 1 / (1 + Math.exp(l2 - l1));
    for (let t = 0; t < dv; t++) out[i * dv + t] = c * oBlk[p * dv + t] + (c < 1 ? (1 - c) * oRes[t] : 0);
    lse[i] = l2 === -Infinity ? l1 : Math.max(l1, l2) + Math.log1p(Math.exp(-Math.abs(l1 - l2)));
  }
  return { out, lse, ops: ops.n, qOrder, kOrder, qBlock, kBlock };
}

/**
 * Uniform column sampling alone (the baseline at the same budget): m keys drawn uniformly with replacement,
 * shared by every query, D̃ = (n_k/m)Σ_{j∈S} exp(s_ij), Õ = D̃⁻¹(n_k/m)Σ_{j∈S} exp(s_ij)v_j.
 */
export function uniformSampling(x: Qkv, m: number, rng: Rng, scale = 1 / Math.sqrt(x.d)): AttnOut {
  const { nq, nk, dv } = x;
  const idx = new Int32Array(m);
  for (let t = 0; t < m; t++) idx[t] = rng.int(nk);
  const out = new Float64Array(nq * dv), lse = new Float64Array(nq), buf = new Float64Array(m);
  const logW = Math.log(nk / m);
  for (let i = 0; i < nq; i++) lse[i] = attendRow(x, i, idx, 0, m, scale, logW, buf, out, i * dv);
  return { out, lse, ops: nq * m * (x.d + dv) };
}

/**
 * Fraction of each query's exact attention mass that falls inside its HyperAttention block, averaged over
 * queries: mean_i Σ_{j∈blk(i)} exp(s_ij − lse_i), with the exact `lse`. Measures how well sortLSH finds heavy entries.
 */
export function blockMass(x: Qkv, h: HyperOut, lseExact: Float64Array, scale = 1 / Math.sqrt(x.d)): number {
  const { q, k, d, nq } = x;
  let total = 0;
  for (let p = 0; p < nq; p++) {
    const i = h.qOrder[p], blk = Math.floor(p / h.qBlock);
    let mass = 0;
    for (let t = blk * h.kBlock; t < (blk + 1) * h.kBlock; t++) {
      const j = h.kOrder[t];
      let s = 0;
      for (let c = 0; c < d; c++) s += q[i * d + c] * k[j * d + c];
      mass += Math.exp(s * scale - lseExact[i]);
    }
    total += mass;
  }
  return total / nq;
}

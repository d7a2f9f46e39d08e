/**
 * Full self-attention over the H·W positions of an H×W×C feature map and the Kronecker attention operators
 * KAO_KV and KAO_QKV (Gao, Wang, Ji, KDD 2020), in float64 with every arithmetic operation and every intermediate
 * float counted as the loops run.
 *
 * Layout: X is row-major H×W×C (position p = i·W + j, channel c at X[p·C + c]). Attention is O = softmax(Q Kᵀ) V
 * row-wise over keys, with Q = K = V taken from the input (no learned projections, no 1/√C scaling: the operator
 * alone, as the paper's cost comparison treats it).
 *
 * - full: keys/values are all n = HW positions; scores n × n.
 * - KAO_KV: queries are the n positions; keys/values are the m = H + W pooled vectors: the W column means
 *   (average over rows, "horizontal") and the H row means (average over columns, "lateral"); scores n × m.
 * - KAO_QKV: queries, keys and values are the m pooled vectors; scores m × m; the pooled outputs are split into the
 *   W column outputs Ĥ_j and the H row outputs L̂_i and broadcast back as O_ij = L̂_i + Ĥ_j (outer sum).
 */

/** What one operator call did: floating-point operations and intermediate floats (all live at once). */
export interface Cost {
  /** Additions, subtractions, multiplications, divisions, exps and max-comparisons, counted in the loops. */
  flops: number;
  /** Floats of every intermediate buffer the operator allocates (pooled maps, scores, outputs); input excluded. */
  memFloats: number;
}

/** An operator's output (n × C, row-major) and its cost. */
export interface AttnOut {
  /** Which operator produced it. */
  op: "full" | "kaoKV" | "kaoQKV";
  out: Float64Array;
  cost: Cost;
}

/**
 * Row-wise softmax(scale·Q Kᵀ) V for nq queries and nk keys of width C, keys = values = `kv`; returns the output
 * (nq × C) and the attention matrix `a` (nq × nk, rows sum to 1). Counts, at scale 1, 2·nq·nk·C (scores) + 4·nq·nk
 * (max, subtract-exp, sum, divide; the max counts nk comparisons per row) + 2·nq·nk·C (weighted sum) flops and
 * nq·nk + nq·C floats (a scale ≠ 1, used only in the network layer, adds nq·nk uncounted multiplications).
 */
export function attend(
  q: Float64Array,
  nq: number,
  kv: Float64Array,
  nk: number,
  C: number,
  cost: Cost,
  scale = 1,
): { out: Float64Array; a: Float64Array } {
  const a = new Float64Array(nq * nk), out = new Float64Array(nq * C);
  cost.memFloats += nq * nk + nq * C;
  for (let i = 0; i < nq; i++) {
    const qa = i * C, row = i * nk;
    let mx = -Infinity;
    for (let b = 0; b < nk; b++) {
      const kb = b * C;
      let dot = 0;
      for (let c = 0; c < C; c++) dot += q[qa + c] * kv[kb + c];
      if (scale !== 1) dot *= scale;
      a[row + b] = dot;
      if (dot > mx) mx = dot;
    }
    let z = 0;
    for (let b = 0; b < nk; b++) {
      const e = Math.exp(a[row + b] - mx);
      a[row + b] = e;
      z += e;
    }
    for (let b = 0; b < nk; b++) {
      const w = (a[row + b] /= z), kb = b * C;
      for (let c = 0; c < C; c++) out[qa + c] += w * kv[kb + c];
    }
  }
  cost.flops += 4 * nq * nk * C + 4 * nq * nk;
  return { out, a };
}

/** Full self-attention over all n = H·W positions (the baseline the paper improves on). */
export function fullAttention(x: Float64Array, H: number, W: number, C: number): AttnOut {
  const cost: Cost = { flops: 0, memFloats: 0 };
  const { out } = attend(x, H * W, x, H * W, C, cost);
  return { op: "full", out, cost };
}

/**
 * The m = H + W pooled vectors, stacked as an m × C matrix: first the W column means (average over the H rows),
 * then the H row means (average over the W columns). Counts 2·H·W·C additions and (H + W)·C divisions.
 */
export function pool(x: Float64Array, H: number, W: number, C: number, cost: Cost): Float64Array {
  const m = H + W, p = new Float64Array(m * C);
  cost.memFloats += m * C;
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const xo = (i * W + j) * C, col = j * C, row = (W + i) * C;
      for (let c = 0; c < C; c++) {
        p[col + c] += x[xo + c];
        p[row + c] += x[xo + c];
      }
    }
  }
  for (let j = 0; j < W; j++) for (let c = 0; c < C; c++) p[j * C + c] /= H;
  for (let i = 0; i < H; i++) for (let c = 0; c < C; c++) p[(W + i) * C + c] /= W;
  cost.flops += 2 * H * W * C + m * C;
  return p;
}

/** KAO_KV: every position queries the H + W pooled keys/values. */
export function kaoKV(x: Float64Array, H: number, W: number, C: number): AttnOut {
  const cost: Cost = { flops: 0, memFloats: 0 };
  const p = pool(x, H, W, C, cost);
  const { out } = attend(x, H * W, p, H + W, C, cost);
  return { op: "kaoKV", out, cost };
}

/** KAO_QKV: attention among the H + W pooled vectors, broadcast back as O_ij = L̂_i + Ĥ_j. */
export function kaoQKV(x: Float64Array, H: number, W: number, C: number): AttnOut {
  const cost: Cost = { flops: 0, memFloats: 0 };
  const p = pool(x, H, W, C, cost), m = H + W;
  const po = attend(p, m, p, m, C, cost).out;
  const out = new Float64Array(H * W * C);
  cost.memFloats += H * W * C;
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const o = (i * W + j) * C, hj = j * C, li = (W + i) * C;
      for (let c = 0; c < C; c++) out[o + c] = po[li + c] + po[hj + c];
    }
  }
  cost.flops += H * W * C;
  return { op: "kaoQKV", out, cost };
}

/** The three operators by name. */
export const OPERATORS = { full: fullAttention, kaoKV, kaoQKV } as const;
/** An operator's name. */
export type OperatorName = keyof typeof OPERATORS;

/** Closed-form cost of each operator (what the counters must reproduce exactly). */
export function closedForm(op: OperatorName, H: number, W: number, C: number): Cost {
  const n = H * W, m = H + W;
  const att = (nq: number, nk: number) => ({ flops: 4 * nq * nk * C + 4 * nq * nk, mem: nq * nk + nq * C });
  if (op === "full") {
    const a = att(n, n);
    return { flops: a.flops, memFloats: a.mem };
  }
  const poolF = 2 * n * C + m * C;
  if (op === "kaoKV") {
    const a = att(n, m);
    return { flops: poolF + a.flops, memFloats: m * C + a.mem };
  }
  const a = att(m, m);
  return { flops: poolF + a.flops + n * C, memFloats: m * C + a.mem + n * C };
}

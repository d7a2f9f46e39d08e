/**
 * Non-negative matrix factorization X ≈ W·H (X m×n, W m×r, H r×n, all ≥ 0), pure TypeScript (bitwise the
 * same on every backend), row-major `Mat<Float64Array>`.
 *
 * - {@link mu}: Lee & Seung (2001) multiplicative updates for ½‖X − WH‖²_F,
 *   H ← H ⊙ (WᵀX) ⊘ (WᵀWH), W ← W ⊙ (XHᵀ) ⊘ (WHHᵀ).
 * - {@link hals}: hierarchical alternating least squares (Cichocki & Phan 2009): one exact, projected
 *   coordinate step per row of H and column of W.
 * - {@link regularizedMu}: the multiplicative family used for hyperspectral unmixing, one routine with options:
 *   sum-to-one by augmentation (δ·1ᵀ row appended to X and W, Heinz & Chang 2001 as used by L1/2-NMF),
 *   ℓp sparsity λ Σ_kn H_kn^{p_n} (p = 1/2: L1/2-NMF, Qian et al. 2011; p = 1: lasso; a per-column p_n),
 *   graph regularization μ·tr(H L Hᵀ) with L = D − G (GNMF, Cai et al. 2011; with p = 1/2: GLNMF, Lu et al.
 *   2013), and row weights for an ℓ2,1 data term Σ_l ‖x_l − w_l H‖₂ by iterative reweighting.
 *   H ← H ⊙ (WᵀΛX + μ H G) ⊘ (WᵀΛWH + λ p H^{p−1} + μ H D), W ← W ⊙ (ΛXHᵀ) ⊘ (ΛWHHᵀ).
 */
import type { Mat } from "../linalg/types.ts";
import type { Rng } from "../rng.ts";

/** A row-major float64 matrix (the NMF code's only matrix type). */
export type Dense = Mat<Float64Array>;

/** A rows×cols matrix, zero or copied from `data` (which must hold rows·cols entries). */
export function dense(rows: number, cols: number, data?: ArrayLike<number>): Dense {
  const d = data ? Float64Array.from(data) : new Float64Array(rows * cols);
  if (d.length !== rows * cols) throw new Error(`dense: ${d.length} entries for ${rows}×${cols}`);
  return { rows, cols, data: d };
}

/** A·B. */
export function mul(a: Dense, b: Dense): Dense {
  if (a.cols !== b.rows) throw new Error(`mul: ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`);
  return rowCombinations(a.data, a.rows, a.cols, a.cols, 1, b);
}

/** Aᵀ·B. */
export function mulAtB(a: Dense, b: Dense): Dense {
  if (a.rows !== b.rows) throw new Error(`mulAtB: (${a.rows}×${a.cols})ᵀ · ${b.rows}×${b.cols}`);
  return rowCombinations(a.data, a.cols, a.rows, 1, a.cols, b);
}

/**
 * op(A)·B for op(A) of `rows`×`inner`, entry (i, l) at a[i·si + l·sl]: row i of the result is Σ_l op(A)_il·B_l,
 * summed in l order (so A·B and Aᵀ·B round alike), skipping zero coefficients (NMF factors are sparse).
 */
function rowCombinations(a: Float64Array, rows: number, inner: number, si: number, sl: number, b: Dense): Dense {
  const n = b.cols, out = dense(rows, n);
  for (let i = 0; i < rows; i++) {
    const oi = i * n;
    for (let l = 0; l < inner; l++) {
      const ail = a[i * si + l * sl];
      if (ail === 0) continue;
      const bl = l * n;
      for (let j = 0; j < n; j++) out.data[oi + j] += ail * b.data[bl + j];
    }
  }
  return out;
}

/** A·Bᵀ. */
export function mulABt(a: Dense, b: Dense): Dense {
  if (a.cols !== b.cols) throw new Error(`mulABt: ${a.rows}×${a.cols} · (${b.rows}×${b.cols})ᵀ`);
  const k = a.cols, out = dense(a.rows, b.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a.data[i * k + l] * b.data[j * k + l];
      out.data[i * b.rows + j] = s;
    }
  }
  return out;
}

/** ‖X − WH‖²_F. */
export function residualSq(x: Dense, w: Dense, h: Dense): number {
  const wh = mul(w, h);
  let s = 0;
  for (let i = 0; i < x.data.length; i++) s += (x.data[i] - wh.data[i]) ** 2;
  return s;
}

/** Uniform [0, 1) random non-negative factors scaled so that ‖WH‖ matches ‖X‖ on average. */
export function randomInit(x: Dense, rank: number, rng: Rng): { w: Dense; h: Dense } {
  let mean = 0;
  for (const v of x.data) mean += v;
  mean /= x.data.length;
  const s = Math.sqrt(Math.max(mean, 1e-12) / rank) * 2;
  const w = dense(x.rows, rank), h = dense(rank, x.cols);
  for (let i = 0; i < w.data.length; i++) w.data[i] = s * rng.uniform();
  for (let i = 0; i < h.data.length; i++) h.data[i] = s * rng.uniform();
  return { w, h };
}

/** The factors W, H of X ≈ W·H and the objective's history. */
export interface NmfResult {
  w: Dense;
  h: Dense;
  /** Objective after each iteration (the method's own objective). */
  objective: number[];
}

/** Options every NMF solver takes: iterations, the positivity floor, fixed factors. */
export interface BaseOptions {
  iters: number;
  /** Floor added to denominators and used to keep factors positive (default 1e-12). */
  eps?: number;
  /** Keep W fixed (abundance estimation with known endmembers). */
  fixW?: boolean;
}

function copy(m: Dense): Dense {
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
}

/** Lee–Seung multiplicative updates for ½‖X − WH‖²_F from (w0, h0). Objective: ½‖X − WH‖²_F. */
export function mu(x: Dense, w0: Dense, h0: Dense, o: BaseOptions): NmfResult {
  const eps = o.eps ?? 1e-12;
  const w = copy(w0), h = copy(h0), objective: number[] = [];
  for (let it = 0; it < o.iters; it++) {
    const wtx = mulAtB(w, x), wtw = mulAtB(w, w), wtwh = mul(wtw, h);
    for (let i = 0; i < h.data.length; i++) h.data[i] *= wtx.data[i] / (wtwh.data[i] + eps);
    if (!o.fixW) {
      const xht = mulABt(x, h), hht = mulABt(h, h), whht = mul(w, hht);
      for (let i = 0; i < w.data.length; i++) w.data[i] *= xht.data[i] / (whht.data[i] + eps);
    }
    objective.push(0.5 * residualSq(x, w, h));
  }
  return { w, h, objective };
}

/**
 * HALS (Cichocki & Phan 2009) for ½‖X − WH‖²_F: each row of H, then each column of W, one exact projected step.
 * W's columns are W ᵀ's rows, so both steps are the same row sweep (the W step on Wᵀ with Hᵀ's Gram).
 */
export function hals(x: Dense, w0: Dense, h0: Dense, o: BaseOptions): NmfResult {
  const eps = o.eps ?? 1e-12;
  let w = copy(w0);
  const h = copy(h0), objective: number[] = [];
  for (let it = 0; it < o.iters; it++) {
    halsRows(h, mulAtB(w, x), mulAtB(w, w), eps);
    if (!o.fixW) {
      const wt = transposed(w);
      halsRows(wt, mulABt(h, x), mulABt(h, h), eps);
      w = transposed(wt);
    }
    objective.push(0.5 * residualSq(x, w, h));
  }
  return { w, h, objective };
}

/**
 * One HALS sweep over the rows of F (r × n) for ½‖X − G·F‖²_F, given cross = GᵀX and gram = GᵀG: row k moves to
 * max(ε, F_k + (cross_k − gram_k·F) / gram_kk), rows in order, each using the rows already updated.
 */
function halsRows(f: Dense, cross: Dense, gram: Dense, eps: number): void {
  const r = f.rows, n = f.cols;
  for (let k = 0; k < r; k++) {
    const d = Math.max(gram.data[k * r + k], eps);
    for (let j = 0; j < n; j++) {
      let g = cross.data[k * n + j];
      for (let l = 0; l < r; l++) g -= gram.data[k * r + l] * f.data[l * n + j];
      f.data[k * n + j] = Math.max(eps, f.data[k * n + j] + g / d);
    }
  }
}

/** Aᵀ as a new matrix. */
function transposed(a: Dense): Dense {
  const out = dense(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  return out;
}

/** A symmetric sparse non-negative graph on the n columns of X: adjacency lists with weights. */
export interface Graph {
  n: number;
  /** CSR: neighbours of i are idx[ptr[i]..ptr[i+1]) with weights val[…]; symmetric. */
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

/**
 * k-nearest-neighbour graph of the columns of X with heat-kernel weights exp(−‖x_i − x_j‖²/σ), symmetrized by
 * max (an edge if either end picks the other). σ defaults to the mean squared distance to the k-th neighbour.
 */
export function knnGraph(x: Dense, k: number, sigma?: number): Graph {
  const n = x.cols, m = x.rows;
  const sq = new Float64Array(n);
  for (let l = 0; l < m; l++) for (let j = 0; j < n; j++) sq[j] += x.data[l * n + j] ** 2;
  const g = mulAtB(x, x); // Gram n×n
  const nbr: Array<Array<[number, number]>> = [];
  let kth = 0;
  for (let i = 0; i < n; i++) {
    const d: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) if (j !== i) d.push([Math.max(0, sq[i] + sq[j] - 2 * g.data[i * n + j]), j]);
    d.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    nbr.push(d.slice(0, k));
    kth += d[k - 1][0];
  }
  const s = sigma ?? Math.max(kth / n, 1e-300);
  const edges = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    for (const [dist, j] of nbr[i]) {
      const wgt = Math.exp(-dist / s);
      const a = Math.min(i, j), b = Math.max(i, j), key = a * n + b;
      edges.set(key, Math.max(edges.get(key) ?? 0, wgt));
    }
  }
  const lists: Array<Array<[number, number]>> = Array.from({ length: n }, () => []);
  for (const [key, wgt] of edges) {
    const a = Math.floor(key / n), b = key % n;
    lists[a].push([b, wgt]);
    lists[b].push([a, wgt]);
  }
  const ptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    lists[i].sort((p, q) => p[0] - q[0]);
    ptr[i + 1] = ptr[i] + lists[i].length;
  }
  const idx = new Int32Array(ptr[n]), val = new Float64Array(ptr[n]);
  for (let i = 0; i < n; i++) {
    lists[i].forEach(([j, wgt], t) => {
      idx[ptr[i] + t] = j;
      val[ptr[i] + t] = wgt;
    });
  }
  return { n, ptr, idx, val };
}

/** tr(H L Hᵀ) = ½ Σ_ij G_ij ‖h_i − h_j‖² for the graph Laplacian L = D − G over the columns of H. */
export function graphPenalty(h: Dense, g: Graph): number {
  let s = 0;
  const r = h.rows, n = h.cols;
  for (let i = 0; i < n; i++) {
    for (let t = g.ptr[i]; t < g.ptr[i + 1]; t++) {
      const j = g.idx[t];
      let d = 0;
      for (let k = 0; k < r; k++) d += (h.data[k * n + i] - h.data[k * n + j]) ** 2;
      s += g.val[t] * d;
    }
  }
  return 0.5 * s;
}

/** The terms of the regularized multiplicative family (see the module doc): all off by default. */
export interface RegularizedOptions extends BaseOptions {
  /** Sum-to-one by augmentation: the row δ·1ᵀ is appended to X and to W in the H update (0: off). */
  delta?: number;
  /** λ Σ H_kn^{p_n}: weight λ and exponent p (one number, or one per column of H). */
  sparsity?: { lambda: number; p: number | Float64Array };
  /** Recompute the per-column exponents every `every` iterations from the current H (learning-based sparsity). */
  adaptP?: { every: number; update: (h: Dense) => Float64Array };
  /** μ·tr(H L Hᵀ) over a graph on the columns of X. */
  graph?: { mu: number; g: Graph };
  /**
   * "l21": the data term is c·Σ_l ‖x_l − w_l H‖₂ over the rows (channels) of X, minimized by reweighting with
   * Λ = diag(c / (2‖e_l‖)) (scaled so that it matches ½‖·‖²_F where all rows fit equally well); c is fixed from
   * the initial residual (c = mean_l ‖e_l‖), so the objective is one fixed function.
   */
  rowLoss?: "l2" | "l21";
}

/** The objective {@link regularizedMu} decreases (up to the augmentation row, which is counted with weight ½). */
export function regularizedObjective(
  x: Dense,
  w: Dense,
  h: Dense,
  o: RegularizedOptions,
  c = 1,
): number {
  const wh = mul(w, h), m = x.rows, n = x.cols, r = h.rows;
  let fit = 0;
  for (let l = 0; l < m; l++) {
    let e = 0;
    for (let j = 0; j < n; j++) e += (x.data[l * n + j] - wh.data[l * n + j]) ** 2;
    fit += o.rowLoss === "l21" ? c * Math.sqrt(e) : 0.5 * e;
  }
  const delta = o.delta ?? 0;
  if (delta > 0) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += h.data[k * n + j];
      fit += 0.5 * delta * delta * (1 - s) ** 2;
    }
  }
  let pen = 0;
  if (o.sparsity) {
    const { lambda, p } = o.sparsity;
    for (let k = 0; k < r; k++) {
      for (let j = 0; j < n; j++) pen += lambda * Math.pow(h.data[k * n + j], typeof p === "number" ? p : p[j]);
    }
  }
  if (o.graph) pen += o.graph.mu * graphPenalty(h, o.graph.g);
  return fit + pen;
}

function rowResidualNorms(x: Dense, w: Dense, h: Dense): Float64Array {
  const wh = mul(w, h), m = x.rows, n = x.cols, out = new Float64Array(m);
  for (let l = 0; l < m; l++) {
    let e = 0;
    for (let j = 0; j < n; j++) e += (x.data[l * n + j] - wh.data[l * n + j]) ** 2;
    out[l] = Math.sqrt(e);
  }
  return out;
}

/**
 * The regularized multiplicative family (see the module doc). Returns W, H and the objective per iteration
 * ({@link regularizedObjective}; with `adaptP` the exponents move, so the objective is that of the current p).
 */
export function regularizedMu(
  x: Dense,
  w0: Dense,
  h0: Dense,
  o: RegularizedOptions,
): NmfResult & { p?: Float64Array; rowWeights?: Float64Array } {
  const eps = o.eps ?? 1e-12;
  const w = copy(w0), h = copy(h0), objective: number[] = [];
  const m = x.rows, n = x.cols, r = h.rows, delta = o.delta ?? 0;
  for (let i = 0; i < h.data.length; i++) h.data[i] = Math.max(h.data[i], 1e-9);
  let p: Float64Array | undefined = o.sparsity
    ? (typeof o.sparsity.p === "number" ? new Float64Array(n).fill(o.sparsity.p) : Float64Array.from(o.sparsity.p))
    : undefined;
  const rowW = new Float64Array(m).fill(1);
  let c = 1;
  if (o.rowLoss === "l21") {
    const e0 = rowResidualNorms(x, w, h);
    c = e0.reduce((a, b) => a + b, 0) / m;
  }
  for (let it = 0; it < o.iters; it++) {
    if (o.adaptP && p && it % o.adaptP.every === 0) p = o.adaptP.update(h);
    if (o.rowLoss === "l21") {
      const e = rowResidualNorms(x, w, h);
      // d/dE of c‖e_l‖ = c e_l/‖e_l‖ = Λ_l e_l with Λ_l = c/‖e_l‖ (the ½‖·‖² gradient is e_l itself).
      for (let l = 0; l < m; l++) rowW[l] = c / Math.max(e[l], 1e-12 * c + 1e-300);
    }
    // ---- H update
    const lw = dense(m, r), lx = dense(m, n);
    for (let l = 0; l < m; l++) {
      for (let k = 0; k < r; k++) lw.data[l * r + k] = rowW[l] * w.data[l * r + k];
      for (let j = 0; j < n; j++) lx.data[l * n + j] = rowW[l] * x.data[l * n + j];
    }
    const num = mulAtB(w, lx), wtlw = mulAtB(w, lw);
    if (delta > 0) {
      for (let k = 0; k < r; k++) {
        for (let j = 0; j < n; j++) num.data[k * n + j] += delta * delta;
        for (let l = 0; l < r; l++) wtlw.data[k * r + l] += delta * delta;
      }
    }
    const den = mul(wtlw, h);
    if (o.sparsity && p) {
      const lam = o.sparsity.lambda;
      for (let k = 0; k < r; k++) {
        for (let j = 0; j < n; j++) {
          const v = h.data[k * n + j];
          den.data[k * n + j] += lam * p[j] * Math.pow(Math.max(v, 1e-9), p[j] - 1);
        }
      }
    }
    if (o.graph) {
      const { mu: gmu, g } = o.graph;
      for (let j = 0; j < n; j++) {
        let deg = 0;
        for (let t = g.ptr[j]; t < g.ptr[j + 1]; t++) {
          deg += g.val[t];
          const i = g.idx[t];
          for (let k = 0; k < r; k++) num.data[k * n + j] += gmu * g.val[t] * h.data[k * n + i];
        }
        for (let k = 0; k < r; k++) den.data[k * n + j] += gmu * deg * h.data[k * n + j];
      }
    }
    for (let i = 0; i < h.data.length; i++) h.data[i] *= num.data[i] / (den.data[i] + eps);
    // ---- W update (no augmentation row: it is not a parameter)
    if (!o.fixW) {
      const lxht = mulABt(lx, h), hht = mulABt(h, h), lwhht = mul(lw, hht);
      // lw was built from the old W: rebuild Λ W HHᵀ from the current W.
      for (let l = 0; l < m; l++) {
        for (let k = 0; k < r; k++) {
          let s = 0;
          for (let q = 0; q < r; q++) s += w.data[l * r + q] * hht.data[q * r + k];
          lwhht.data[l * r + k] = rowW[l] * s;
        }
      }
      for (let i = 0; i < w.data.length; i++) w.data[i] *= lxht.data[i] / (lwhht.data[i] + eps);
    }
    const cur = o.sparsity && p ? { ...o, sparsity: { lambda: o.sparsity.lambda, p } } : o;
    objective.push(regularizedObjective(x, w, h, cur, c));
  }
  return { w, h, objective, p, rowWeights: o.rowLoss === "l21" ? rowW : undefined };
}

/**
 * The sparsity estimate of Qian et al. (2011) used to set λ of L1/2-NMF:
 * λ̂ = (1/√m) Σ_l (√n − ‖x_l‖₁/‖x_l‖₂)/(√n − 1) over the m rows (bands) of X, n pixels.
 */
export function sparsityLambda(x: Dense): number {
  const m = x.rows, n = x.cols, sn = Math.sqrt(n);
  let s = 0;
  for (let l = 0; l < m; l++) {
    let l1 = 0, l2 = 0;
    for (let j = 0; j < n; j++) {
      const v = x.data[l * n + j];
      l1 += Math.abs(v);
      l2 += v * v;
    }
    l2 = Math.sqrt(l2);
    if (l2 > 0) s += (sn - l1 / l2) / (sn - 1);
  }
  return s / Math.sqrt(m);
}

/** max(X, 0) elementwise (noisy data can dip below zero; multiplicative updates need X ≥ 0). */
export function clipNonneg(x: Dense): Dense {
  return { rows: x.rows, cols: x.cols, data: x.data.map((v) => Math.max(v, 0)) };
}

/**
 * Node embeddings: FastRP (Chen, Sultan, Tian, Chen, Skiena, CIKM 2019; official GTmac/FastRP `fastrp.py`),
 * RandNE (Zhang et al., ICDM 2018), spectral embedding (top eigenvectors of the normalized adjacency), and a short
 * DeepWalk (Perozzi et al., KDD 2014: uniform random walks + skip-gram with negative sampling).
 *
 * FastRP (`fastrp_projection`, `fastrp_merge`): M = D⁻¹A (input_matrix = 'trans'); R is sklearn's very sparse
 * random projection, n×d with entries ±√(1/ρ)/√d w.p. ρ/2 each and 0 otherwise, ρ = 1/√n; R ← diag(deg^α)·R;
 * U₁ = M·R, U_i = M·U_{i−1} (i ≤ q); embedding = scale(Σ w_i U_i) (optionally each U_i row-L2-normalized first),
 * scale = per-column standardization.
 *
 * All embeddings are n×d row-major Float64Arrays.
 */
import type { Rng } from "../../lib/math/rng.ts";
import { degrees, type Graph, spmm } from "../../lib/math/graph/mod.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mat.ts";

/** Standardize each column to zero mean and unit variance (sklearn `scale`; constant columns left at 0). */
export function standardize(x: Float64Array, n: number, d: number): Float64Array {
  for (let c = 0; c < d; c++) {
    let s = 0, ss = 0;
    for (let i = 0; i < n; i++) s += x[i * d + c];
    const mu = s / n;
    for (let i = 0; i < n; i++) ss += (x[i * d + c] - mu) ** 2;
    const sd = Math.sqrt(ss / n);
    for (let i = 0; i < n; i++) x[i * d + c] = sd > 0 ? (x[i * d + c] - mu) / sd : 0;
  }
  return x;
}

function normalizeRows(x: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += x[i * d + c] ** 2;
    const r = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < d; c++) out[i * d + c] = x[i * d + c] * r;
  }
  return out;
}

/** y = D⁻¹A·x (isolated nodes map to 0). */
function transition(g: Graph, deg: Int32Array, x: Float64Array, d: number): Float64Array {
  const y = spmm(g, x, d);
  for (let i = 0; i < g.n; i++) {
    const r = deg[i] > 0 ? 1 / deg[i] : 0;
    for (let c = 0; c < d; c++) y[i * d + c] *= r;
  }
  return y;
}

/** sklearn SparseRandomProjection's matrix (transposed to n×d): ±√(1/ρ)/√d w.p. ρ/2 each, ρ = 1/√n. */
export function verySparseProjection(n: number, d: number, rng: Rng): Float64Array {
  const rho = 1 / Math.sqrt(n), v = Math.sqrt(1 / rho) / Math.sqrt(d);
  const r = new Float64Array(n * d);
  for (let i = 0; i < r.length; i++) {
    const u = rng.uniform();
    if (u < rho / 2) r[i] = v;
    else if (u < rho) r[i] = -v;
  }
  return r;
}

export interface FastRPOptions {
  dim: number;
  /** Weights of U₁..U_q (the official conf's `weights`; q = weights.length). */
  weights: readonly number[];
  /** Degree exponent α for the projection (conf `alpha`). */
  alpha: number;
  /** Row-L2-normalize each U_i before weighting (conf `normalization`). */
  normalization: boolean;
}

export function fastrp(g: Graph, o: FastRPOptions, rng: Rng): Float64Array {
  const n = g.n, d = o.dim, deg = degrees(g);
  const r = verySparseProjection(n, d, rng);
  for (let i = 0; i < n; i++) {
    const s = deg[i] > 0 ? deg[i] ** o.alpha : 0;
    for (let c = 0; c < d; c++) r[i * d + c] *= s;
  }
  const out = new Float64Array(n * d);
  let u = r;
  for (let k = 0; k < o.weights.length; k++) {
    u = transition(g, deg, u, d);
    const term = o.normalization ? normalizeRows(u, n, d) : u;
    const w = o.weights[k];
    if (w !== 0) { for (let i = 0; i < out.length; i++) out[i] += w * term[i]; }
  }
  return standardize(out, n, d);
}

/** Orthonormalize the columns of an n×d row-major block in place (modified Gram–Schmidt, twice). */
export function orthonormalize(x: Float64Array, n: number, d: number): Float64Array {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < d; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += x[i * d + c] * x[i * d + p];
        for (let i = 0; i < n; i++) x[i * d + c] -= dot * x[i * d + p];
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i * d + c] ** 2;
      const r = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let i = 0; i < n; i++) x[i * d + c] *= r;
    }
  }
  return x;
}

/**
 * RandNE (Zhang, Cui, Li, Pei, Zhu, ICDM 2018): U₀ = orthogonalized Gaussian n×d, U_i = A·U_{i−1}, embedding
 * Σ_{i=0..q} β_i U_i with β_i = weights[i], then standardized columns as FastRP's.
 */
export function randne(g: Graph, o: { dim: number; weights: readonly number[] }, rng: Rng): Float64Array {
  const n = g.n, d = o.dim;
  let u = orthonormalize(rng.normal(n * d), n, d);
  const out = new Float64Array(n * d);
  for (let k = 0; k < o.weights.length; k++) {
    if (k > 0) u = spmm(g, u, d);
    for (let i = 0; i < out.length; i++) out[i] += o.weights[k] * u[i];
  }
  return standardize(out, n, d);
}

/**
 * Spectral embedding: the top-d eigenvectors of S = I + D^{−1/2} A D^{−1/2} (eigenvalues in [0, 2], the
 * largest carry the community structure), by subspace iteration on d + 8 vectors with a Rayleigh–Ritz step
 * (QR and `eigh` of the small projected matrix through `getLinalg()`); the eigenvector columns are standardized
 * and then scaled by (λ/λ_max)^p.
 */
export function spectral(g: Graph, o: { dim: number; power: number; iterations: number }, rng: Rng): Float64Array {
  const n = g.n, d = o.dim, k = Math.min(n, d + 8), deg = degrees(g);
  const isq = Float64Array.from(deg, (x) => (x > 0 ? 1 / Math.sqrt(x) : 0));
  const apply = (x: Float64Array) => {
    const y = new Float64Array(n * k);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) y[i * k + c] = x[i * k + c] * isq[i];
    const z = spmm(g, y, k);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) z[i * k + c] = x[i * k + c] + z[i * k + c] * isq[i];
    return z;
  };
  const la = getLinalg();
  const orth = (x: Float64Array) => la.qr(mat(n, k, x)).q.data as Float64Array;
  let q = orth(rng.normal(n * k));
  for (let t = 0; t < o.iterations; t++) q = orth(apply(q));
  // Rayleigh–Ritz: H = Qᵀ S Q, eigenpairs ascending
  const sq = apply(q);
  const h = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += q[i * k + a] * sq[i * k + b];
      h[a * k + b] = h[b * k + a] = s;
    }
  }
  const { values, vectors } = la.eigh(mat(k, k, h));
  // d > n (the karate club at d = 128): only k eigenvectors exist; the remaining columns stay 0.
  // Columns are standardized first and then scaled by (λ/λ_max)^p, so that p weights them as features.
  const m = Math.min(d, k), out = new Float64Array(n * d), vec = new Float64Array(n * m);
  for (let c = 0; c < m; c++) {
    const col = k - 1 - c;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let a = 0; a < k; a++) s += q[i * k + a] * vectors.data[a * k + col];
      vec[i * m + c] = s;
    }
  }
  standardize(vec, n, m);
  const top = Math.max(1e-300, values[k - 1]);
  for (let c = 0; c < m; c++) {
    const scale = (Math.max(0, values[k - 1 - c]) / top) ** o.power;
    for (let i = 0; i < n; i++) out[i * d + c] = vec[i * m + c] * scale;
  }
  return out;
}

export interface DeepWalkOptions {
  dim: number;
  walksPerNode: number;
  walkLength: number;
  window: number;
  negatives: number;
  /** Initial learning rate, decayed linearly to 1e-4 of it (word2vec's schedule). */
  lr: number;
}

/**
 * DeepWalk: `walksPerNode` uniform random walks of `walkLength` nodes from every node (in shuffled order), then
 * one epoch of skip-gram with negative sampling (word2vec SGNS: window `window`, `negatives` noise nodes from
 * the walk-frequency^0.75 law, linear learning-rate decay). Returns the input vectors, standardized.
 */
export function deepwalk(g: Graph, o: DeepWalkOptions, rng: Rng): Float64Array {
  const n = g.n, d = o.dim, L = o.walkLength;
  const walks = new Int32Array(n * o.walksPerNode * L);
  let w = 0;
  for (let rep = 0; rep < o.walksPerNode; rep++) {
    for (const start of rng.permutation(n)) {
      let v = start;
      walks[w++] = v;
      for (let s = 1; s < L; s++) {
        const a = g.indptr[v], b = g.indptr[v + 1];
        if (b > a) v = g.indices[a + rng.int(b - a)];
        walks[w++] = v;
      }
    }
  }
  // noise table: frequency^0.75
  const freq = new Float64Array(n);
  for (const v of walks) freq[v]++;
  const tableSize = Math.max(1e5, 10 * n);
  const table = new Int32Array(tableSize);
  let z = 0;
  for (let v = 0; v < n; v++) z += freq[v] ** 0.75;
  let v = 0, cum = freq[0] ** 0.75 / z;
  for (let i = 0; i < tableSize; i++) {
    table[i] = v;
    if ((i + 1) / tableSize > cum && v < n - 1) cum += freq[++v] ** 0.75 / z;
  }
  const emb = new Float64Array(n * d), ctx = new Float64Array(n * d);
  for (let i = 0; i < emb.length; i++) emb[i] = (rng.uniform() - 0.5) / d;
  const grad = new Float64Array(d);
  const walksTotal = n * o.walksPerNode;
  let done = 0;
  for (let wk = 0; wk < walksTotal; wk++) {
    const base = wk * L;
    const lr = o.lr * Math.max(1e-4, 1 - done / (walksTotal * L));
    for (let p = 0; p < L; p++) {
      done++;
      const center = walks[base + p];
      const win = 1 + rng.int(o.window); // word2vec's reduced window
      for (let q = Math.max(0, p - win); q <= Math.min(L - 1, p + win); q++) {
        if (q === p) continue;
        const context = walks[base + q];
        grad.fill(0);
        const ce = center * d;
        for (let k = 0; k <= o.negatives; k++) {
          const target = k === 0 ? context : table[rng.int(tableSize)];
          if (k > 0 && target === context) continue;
          const label = k === 0 ? 1 : 0, te = target * d;
          let dot = 0;
          for (let c = 0; c < d; c++) dot += emb[ce + c] * ctx[te + c];
          const sig = dot > 30 ? 1 : dot < -30 ? 0 : 1 / (1 + Math.exp(-dot));
          const gcoef = lr * (label - sig);
          for (let c = 0; c < d; c++) {
            grad[c] += gcoef * ctx[te + c];
            ctx[te + c] += gcoef * emb[ce + c];
          }
        }
        for (let c = 0; c < d; c++) emb[ce + c] += grad[c];
      }
    }
  }
  return standardize(emb, n, d);
}

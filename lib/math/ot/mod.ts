/**
 * Discrete optimal transport without POT: the exact problem between two uniform empirical measures of equal size
 * (an assignment problem, by Birkhoff's theorem an optimal plan is a permutation), the entropic problem by
 * Sinkhorn's iterations (POT's `sinkhorn_knopp`, and a log-domain variant with dual potentials), and the 1-D
 * Wasserstein distance by sorting.
 *
 * @example
 * ```ts
 * const cost = new Float64Array([4, 1, 3, 2, 0, 5, 3, 2, 2]);   // 3×3, row-major
 * assignment(cost, 3).cost;                                      // 5 (rows → cols 1, 0, 2)
 * emdUniform(cost, 3);                                           // 5 / 3 = Σ π_ij c_ij with π = perm / 3
 * sinkhorn(cost, { n: 3, m: 3, reg: 1 }).cost;                    // ≥ the exact value, → it as reg → 0
 * ```
 */
import { matmulSmall } from "../linalg/mat_small.ts";
import { type Linalg, mat } from "../linalg/mod.ts";

/**
 * Minimum-cost perfect matching of a dense n×n cost matrix (row-major): the shortest augmenting path Hungarian
 * algorithm with potentials (Kuhn–Munkres in the O(n³) form of Jonker & Volgenant / Edmonds–Karp). Returns the
 * column of each row and the total cost.
 */
export function assignment(cost: Float64Array, n: number): { cols: Int32Array; cost: number } {
  if (cost.length !== n * n) throw new Error(`assignment: cost has ${cost.length} entries, expected ${n}×${n}`);
  // 1-based internally: p[j] = row matched to column j (0 = none), way[j] = previous column on the path.
  const u = new Float64Array(n + 1), v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1), way = new Int32Array(n + 1);
  const minv = new Float64Array(n + 1), used = new Uint8Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0], row = (i0 - 1) * n, ui0 = u[i0];
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[row + j - 1] - ui0 - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      if (!Number.isFinite(delta)) throw new Error("assignment: costs must be finite");
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const cols = new Int32Array(n);
  for (let j = 1; j <= n; j++) cols[p[j] - 1] = j - 1;
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + cols[i]];
  return { cols, cost: total };
}

/**
 * Exact OT cost Σ π_ij c_ij between two uniform empirical measures of n points each (π = permutation / n): with
 * c = d², this is W_2².
 */
export function emdUniform(cost: Float64Array, n: number): number {
  return assignment(cost, n).cost / n;
}

/** Sinkhorn's plan scalings, its cost, iterations and the marginal error at the end. */
export interface SinkhornResult {
  /** ⟨π, C⟩ of the final plan π = diag(u)·K·diag(v) (what POT's `sinkhorn2` returns). */
  cost: number;
  iterations: number;
  /** ‖π's column sums − b‖₂ at the last check. */
  err: number;
}

/**
 * Entropic OT by Sinkhorn–Knopp, as POT's `ot.sinkhorn` (method "sinkhorn"): K = exp(−C/reg), alternately
 * v = b / Kᵀu and u = 1 / ((1/a)·K v), checking ‖colsum(π) − b‖₂ < stopThr every 10 iterations; stops early (keeping
 * the previous scalings) if a scaling turns non-finite. Uniform marginals unless `a`, `b` are given.
 */
export function sinkhorn(
  cost: Float64Array,
  o: {
    n: number;
    m: number;
    reg: number;
    a?: Float64Array;
    b?: Float64Array;
    maxIter?: number;
    stopThr?: number;
    /** Linear algebra for the products with K: BLAS when it is native; plain loops otherwise (default). */
    la?: Linalg;
  },
): SinkhornResult {
  const { n, m, reg } = o, maxIter = o.maxIter ?? 1000, stopThr = o.stopThr ?? 1e-9;
  const a = o.a ?? new Float64Array(n).fill(1 / n), b = o.b ?? new Float64Array(m).fill(1 / m);
  const K = new Float64Array(n * m);
  for (let k = 0; k < n * m; k++) K[k] = Math.exp(-cost[k] / reg);
  const blas = o.la?.info.kind === "native" ? o.la : undefined, Km = mat(n, m, K);
  // Kᵀu and K·v
  const ktu = (u: Float64Array): Float64Array => {
    if (blas) return blas.matmul(Km, mat(n, 1, u), { transA: true }).data as Float64Array;
    const out = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const ui = u[i], row = i * m;
      for (let j = 0; j < m; j++) out[j] += K[row + j] * ui;
    }
    return out;
  };
  const kv = (v: Float64Array): Float64Array => {
    if (blas) return blas.matmul(Km, mat(m, 1, v)).data as Float64Array;
    return matmulSmall(K, v, n, m, 1);
  };
  let u = new Float64Array(n).fill(1 / n), v = new Float64Array(m).fill(1 / m);
  let err = Infinity, it = 0;
  for (; it < maxIter; it++) {
    const kt = ktu(u), vn = new Float64Array(m);
    for (let j = 0; j < m; j++) vn[j] = b[j] / kt[j];
    const kvn = kv(vn), un = new Float64Array(n);
    for (let i = 0; i < n; i++) un[i] = 1 / (kvn[i] / a[i]);
    let bad = false;
    for (let j = 0; j < m && !bad; j++) bad = kt[j] === 0 || !Number.isFinite(vn[j]);
    for (let i = 0; i < n && !bad; i++) bad = !Number.isFinite(un[i]);
    if (bad) break; // keep the previous scalings, as POT
    u = un;
    v = vn;
    if (it % 10 === 0) {
      const tmp = ktu(u);
      let e = 0;
      for (let j = 0; j < m; j++) e += (tmp[j] * v[j] - b[j]) ** 2;
      err = Math.sqrt(e);
      if (err < stopThr) {
        it++;
        break;
      }
    }
  }
  return { cost: transportCost(n, m, cost, (i, j, k) => u[i] * K[k] * v[j]), iterations: it, err };
}

/** Log-domain Sinkhorn's dual potentials, its cost, iterations and the marginal error at the end. */
export interface SinkhornLogResult {
  /** Dual potentials: π_ij = a_i b_j exp((f_i + g_j − C_ij) / reg). */
  f: Float64Array;
  g: Float64Array;
  /** ⟨π, C⟩ of the final plan. */
  cost: number;
  iterations: number;
  /** ‖π's row sums − a‖₁ after the last g update, at the last check. */
  err: number;
}

/**
 * Entropic OT by Sinkhorn's iterations on the dual potentials in the log domain (Peyré & Cuturi 2019, §4.4,
 * Remark 4.23): f_i = −reg·log Σ_j b_j exp((g_j − C_ij)/reg), then g_j likewise over i, with log-sum-exp in every
 * update, so small `reg` relative to the costs never underflows (where {@link sinkhorn}'s K = exp(−C/reg) does). The
 * plan is π_ij = a_i b_j exp((f_i + g_j − C_ij)/reg); it stops when ‖rowsum(π) − a‖₁ < stopThr (checked every 10
 * iterations). Uniform marginals unless `a`, `b` are given.
 */
export function sinkhornLog(
  cost: Float64Array,
  o: { n: number; m: number; reg: number; a?: Float64Array; b?: Float64Array; maxIter?: number; stopThr?: number },
): SinkhornLogResult {
  const { n, m, reg } = o, maxIter = o.maxIter ?? 1000, stopThr = o.stopThr ?? 1e-9;
  if (cost.length !== n * m) throw new Error(`sinkhornLog: cost has ${cost.length} entries, expected ${n}×${m}`);
  const a = o.a ?? new Float64Array(n).fill(1 / n), b = o.b ?? new Float64Array(m).fill(1 / m);
  const la = a.map(Math.log), lb = b.map(Math.log);
  const f = new Float64Array(n), g = new Float64Array(m), col = new Float64Array(m), colMax = new Float64Array(m);
  const rowErr = (): number => {
    let e = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * m;
      for (let j = 0; j < m; j++) s += Math.exp(la[i] + lb[j] + (f[i] + g[j] - cost[row + j]) / reg);
      e += Math.abs(s - a[i]);
    }
    return e;
  };
  let err = Infinity, it = 0;
  for (; it < maxIter; it++) {
    for (let i = 0; i < n; i++) {
      const row = i * m;
      let mx = -Infinity;
      for (let j = 0; j < m; j++) mx = Math.max(mx, lb[j] + (g[j] - cost[row + j]) / reg);
      let s = 0;
      for (let j = 0; j < m; j++) s += Math.exp(lb[j] + (g[j] - cost[row + j]) / reg - mx);
      f[i] = -reg * (mx + Math.log(s));
    }
    colMax.fill(-Infinity);
    for (let i = 0; i < n; i++) {
      const row = i * m, fi = la[i] + f[i] / reg;
      for (let j = 0; j < m; j++) colMax[j] = Math.max(colMax[j], fi - cost[row + j] / reg);
    }
    col.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * m, fi = la[i] + f[i] / reg;
      for (let j = 0; j < m; j++) col[j] += Math.exp(fi - cost[row + j] / reg - colMax[j]);
    }
    for (let j = 0; j < m; j++) g[j] = -reg * (colMax[j] + Math.log(col[j]));
    if (it % 10 === 0) {
      err = rowErr();
      if (err < stopThr) {
        it++;
        break;
      }
    }
  }
  const c = transportCost(n, m, cost, (i, j, k) => Math.exp(la[i] + lb[j] + (f[i] + g[j] - cost[k]) / reg));
  return { f, g, cost: c, iterations: it, err };
}

/**
 * W_p^p between the uniform empirical measures on the reals `x` (n points) and `y` (m points): the integral over
 * t ∈ (0, 1) of |F_x⁻¹(t) − F_y⁻¹(t)|^p, by sorting and merging the two quantile functions (O((n+m) log(n+m))).
 */
export function wasserstein1d(x: ArrayLike<number>, y: ArrayLike<number>, p = 2): number {
  const xs = Float64Array.from(x).sort(), ys = Float64Array.from(y).sort();
  const n = xs.length, m = ys.length;
  if (!n || !m) throw new Error("wasserstein1d: empty sample");
  if (n === m) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(xs[i] - ys[i]) ** p;
    return s / n;
  }
  // Merge the breakpoints k/n and l/m of the two step quantile functions.
  let i = 0, j = 0, t = 0, s = 0;
  while (i < n && j < m) {
    const tx = (i + 1) / n, ty = (j + 1) / m, next = Math.min(tx, ty);
    s += (next - t) * Math.abs(xs[i] - ys[j]) ** p;
    t = next;
    if (tx <= next) i++;
    if (ty <= next) j++;
  }
  return s;
}

/** Σᵢⱼ Pᵢⱼ·Cᵢⱼ over the n×m cost matrix, with the plan entry Pᵢⱼ = plan(i, j, k) at flat index k = i·m + j. */
function transportCost(
  n: number,
  m: number,
  cost: ArrayLike<number>,
  plan: (i: number, j: number, k: number) => number,
) {
  let c = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0, k = i * m; j < m; j++, k++) c += plan(i, j, k) * cost[k];
  }
  return c;
}

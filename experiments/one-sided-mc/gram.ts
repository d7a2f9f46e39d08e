/**
 * The Gram-matrix route to one-sided completion (Cao, Liang, Valiant 2023): every row with two observed entries
 * (j, k) gives one product X_ij·X_ik, an unbiased sample of the (j, k) entry of E[x xᵀ] ∝ XᵀX/n (plus X_ij², X_ik²
 * for the diagonal). With n = Ω(r²d log d) rows only a fraction of the d² pairs is seen, so XᵀX itself is a
 * low-rank matrix to complete: we average the products per pair, complete the PSD rank-r matrix by gradient descent
 * on a factor U (d×r), and return span(U) as the right singular space.
 *
 *   S_jk = Σ_i Σ_{t,t'} [cols_it = j, cols_it' = k]·X_ij X_ik,   C_jk = number of such terms    (pair sums/counts)
 *   Ĝ_jk = S_jk / C_jk on Ω = {C_jk > 0}                                                         (averaged Gram)
 *   f(U) = (1/4p)·Σ_jk W_jk ((UUᵀ)_jk − Ĝ_jk)²,   ∇f(U) = (1/p)·(W ∘ (UUᵀ − Ĝ))·U,   p = mean_jk W_jk
 * with W = 1_Ω (standard completion of the observed entries of the Gram matrix; `weighting: "count"` uses W = C).
 * Init: U_0 = top-r eigenpairs of the inverse-propensity Gram Ĝ_IPW (S divided by its expected count).
 * Optimiser: GD with Nesterov momentum and gradient restart, stopped when a step moves U by ≤ tol·‖U‖_F.
 */
import { type M64, symEig, zeros } from "../../lib/math/lowrank/mod.ts";
import type { Problem } from "./data.ts";

export interface PairStats {
  /** Sums of products per ordered pair (symmetric d×d, diagonal included). */
  s: M64;
  /** Number of products per pair. */
  c: M64;
}

export function pairStats(p: Problem): PairStats {
  const d = p.d, s = zeros(d, d), c = zeros(d, d), m = p.perRow;
  for (let i = 0; i < p.n; i++) {
    for (let t = 0; t < m; t++) {
      const j = p.cols[i * m + t], xj = p.vals[i * m + t];
      for (let u = 0; u < m; u++) {
        const k = p.cols[i * m + u];
        s.data[j * d + k] += xj * p.vals[i * m + u];
        c.data[j * d + k] += 1;
      }
    }
  }
  return { s, c };
}

/** S divided entrywise by its expected count: n·m/d on the diagonal, n·m(m−1)/(d(d−1)) off it. Unbiased for E[xxᵀ]. */
export function ipwGram(p: Problem, st: PairStats): M64 {
  const d = p.d, m = p.perRow, g = zeros(d, d);
  const diag = (p.n * m) / d, off = (p.n * m * (m - 1)) / (d * (d - 1));
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < d; k++) g.data[j * d + k] = st.s.data[j * d + k] / (j === k ? diag : off);
  }
  return g;
}

/** Top-r eigenvectors (d×r, orthonormal) and eigenvalues (descending) of a symmetric matrix. */
export function topEig(a: M64, r: number): { vectors: M64; values: Float64Array } {
  const { values, vectors } = symEig(a), d = a.rows, out = zeros(d, r), vals = new Float64Array(r);
  for (let l = 0; l < r; l++) {
    const src = d - 1 - l;
    vals[l] = values[src];
    for (let i = 0; i < d; i++) out.data[i * r + l] = vectors.data[i * d + src];
  }
  return { vectors: out, values: vals };
}

export interface GramGdOptions {
  r: number;
  /** W = 1_Ω (uniform over observed pairs) or W = C (each pair weighted by its number of products). */
  weighting: "uniform" | "count";
  /** Cap on GD steps. */
  iters: number;
  /** Step size as a multiple of 1/λ₁(Ĝ_IPW). */
  stepScale: number;
  /** Stop once a step moves U by at most tol·‖U‖_F (converged); 0 runs all `iters` steps. */
  tol?: number;
}

/** Weighted-loss value and gradient of f(U) (see the header). */
export function gramLoss(g: M64, c: M64, cbar: number, u: M64): { loss: number; grad: M64 } {
  const d = g.rows, r = u.cols, U = u.data, res = new Float64Array(d * d);
  let loss = 0;
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < d; k++) {
      const w = c.data[j * d + k];
      if (w === 0) continue;
      let m = 0;
      for (let l = 0; l < r; l++) m += U[j * r + l] * U[k * r + l];
      const e = m - g.data[j * d + k];
      res[j * d + k] = (w * e) / cbar;
      loss += w * e * e;
    }
  }
  const grad = zeros(d, r);
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < d; k++) {
      const e = res[j * d + k];
      if (e === 0) continue;
      for (let l = 0; l < r; l++) grad.data[j * r + l] += e * U[k * r + l];
    }
  }
  return { loss: loss / (4 * cbar), grad };
}

/** The proposed method: average the pair products, complete the rank-r Gram matrix by GD, return span(U). */
export function gramCompletion(
  p: Problem,
  o: GramGdOptions,
  monitor?: (step: number, u: M64) => void,
): { u: M64; gram: M64; iters: number } {
  const st = pairStats(p), d = p.d;
  const g = zeros(d, d);
  let csum = 0;
  for (let q = 0; q < d * d; q++) {
    csum += st.c.data[q];
    if (st.c.data[q] > 0) g.data[q] = st.s.data[q] / st.c.data[q];
  }
  const w = o.weighting === "count" ? st.c : { rows: d, cols: d, data: st.c.data.map((v) => (v > 0 ? 1 : 0)) };
  const wsum = o.weighting === "count" ? csum : w.data.reduce((a, b) => a + b, 0);
  const cbar = wsum / (d * d);
  // with count weights the diagonal (weight ≈ d/2 × the mean) sets the curvature: scale the step down by max W / mean W
  const wmax = w.data.reduce((a, b) => Math.max(a, b), 0) / cbar;
  const init = topEig(ipwGram(p, st), o.r);
  let u = zeros(d, o.r);
  for (let j = 0; j < d; j++) {
    for (let l = 0; l < o.r; l++) {
      u.data[j * o.r + l] = init.vectors.data[j * o.r + l] * Math.sqrt(Math.max(init.values[l], 0));
    }
  }
  const eta = o.stepScale / (Math.max(init.values[0], 1e-12) * (o.weighting === "count" ? wmax : 1));
  // Nesterov-accelerated GD with gradient restart (O'Donoghue & Candès 2015): the count weights make the loss
  // ill-conditioned (diagonal weight ≈ d× the off-diagonal), so plain GD needs 10⁴–10⁵ steps; momentum reaches the
  // same stationary point of the same loss in far fewer. In-place buffers: no allocation per step.
  const tol = o.tol ?? 0, size = d * o.r, W = w.data, G = g.data;
  const res = new Float64Array(d * d), grad = new Float64Array(size);
  let x = u.data.slice(), prev = u.data.slice();
  const y = new Float64Array(size);
  let mom = 0;
  let t = 0;
  const gradAt = (v: Float64Array) => {
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < d; k++) {
        const wt = W[j * d + k];
        if (wt === 0) {
          res[j * d + k] = 0;
          continue;
        }
        let m = 0;
        for (let l = 0; l < o.r; l++) m += v[j * o.r + l] * v[k * o.r + l];
        res[j * d + k] = (wt * (m - G[j * d + k])) / cbar;
      }
    }
    grad.fill(0);
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < d; k++) {
        const e = res[j * d + k];
        if (e === 0) continue;
        for (let l = 0; l < o.r; l++) grad[j * o.r + l] += e * v[k * o.r + l];
      }
    }
  };
  for (;; t++) {
    if (monitor) monitor(t, { rows: d, cols: o.r, data: x });
    if (t === o.iters) break;
    const beta = mom / (mom + 3);
    for (let q = 0; q < size; q++) y[q] = x[q] + beta * (x[q] - prev[q]);
    gradAt(y);
    let step2 = 0, norm2 = 0, dot = 0;
    const next = prev; // reuse the buffer of x_{t−1}
    for (let q = 0; q < size; q++) {
      const nq = y[q] - eta * grad[q];
      dot += grad[q] * (nq - x[q]);
      step2 += (nq - x[q]) ** 2;
      norm2 += x[q] ** 2;
      next[q] = nq;
    }
    prev = x;
    x = next;
    mom = dot > 0 ? 0 : mom + 1; // restart when the step goes uphill
    if (step2 <= tol * tol * norm2) {
      t++;
      if (monitor) monitor(t, { rows: d, cols: o.r, data: x });
      break;
    }
  }
  u = { rows: d, cols: o.r, data: x };
  return { u, gram: g, iters: t };
}

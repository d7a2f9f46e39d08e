/**
 * Updates of Bernstein & Newhouse, "Old Optimizer, New Norm: an anthology" (arXiv 2409.20325), each in two forms:
 * the optimizer as usually written (Adam, Shampoo) and the steepest-descent direction it equals once EMAs are off.
 *
 * Steepest descent (paper, Proposition 1): argmin_Δ ⟨g, Δ⟩ + (λ/2)‖Δ‖² = −(‖g‖†/λ) · argmax_{‖t‖ ≤ 1} ⟨g, t⟩,
 * so the direction is the maximiser t* of ⟨g, t⟩ over the unit ball of the norm, and ⟨g, t*⟩ = ‖g‖† (dual norm).
 *   ℓ2 (over the whole weight vector):      t* = g / ‖g‖₂,             ‖g‖† = ‖g‖₂          (SGD direction)
 *   max over layers of ℓ∞ (Adam's norm):     t* = sign(g),              ‖g‖† = Σ_l ‖G_l‖₁     (sign descent)
 *   max over layers of spectral (Shampoo):   t*_l = U_l V_lᵀ,            ‖g‖† = Σ_l ‖G_l‖_*    (orthogonalized)
 * All matrices here are float64 row-major Mats; a "model" gradient is a list of per-layer matrices.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";

export type M = Mat<Float64Array>;
export type Norm = "l2" | "linf" | "spectral";

const map = (a: M, f: (x: number) => number): M => mat(a.rows, a.cols, a.data.map(f));

/** sign(g), entrywise, sign(0) = 0: the ℓ∞ steepest-descent direction (paper §"Adam as steepest descent"). */
export function signOf(g: M): M {
  return map(g, Math.sign);
}

/** U Vᵀ from the thin SVD G = U Σ Vᵀ, dropping singular values ≤ rtol·σ₁ (the spectral-norm direction). */
export function orthogonalize(la: Linalg, g: M, rtol = 1e-12): M {
  const { u, s, vt } = la.svd(g);
  const k = s.length, keep = s.map((x) => (x > rtol * s[0] ? 1 : 0));
  const out = mat(g.rows, g.cols);
  for (let i = 0; i < g.rows; i++) {
    for (let r = 0; r < k; r++) {
      if (!keep[r]) continue;
      const uir = u.data[i * u.cols + r];
      for (let j = 0; j < g.cols; j++) out.data[i * g.cols + j] += uir * vt.data[r * g.cols + j];
    }
  }
  return out;
}

/** A^p for symmetric PSD A by eigendecomposition, with eigenvalues ≤ rtol·λmax treated as 0 (pseudo-inverse). */
export function psdPower(la: Linalg, a: M, p: number, rtol = 1e-12): M {
  const { values, vectors } = la.eigh(a);
  const n = a.rows, lmax = values[n - 1];
  const w = values.map((x) => (x > rtol * lmax ? Math.pow(x, p) : 0));
  const vw = mat(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vw.data[i * n + j] = vectors.data[i * n + j] * w[j];
  return la.matmul(vw, vectors, { transB: true }) as M;
}

/**
 * Shampoo's update without accumulation, (G Gᵀ)^{-1/4} G (Gᵀ G)^{-1/4} (paper §"Shampoo as steepest descent"),
 * computed the way Shampoo does, from the two preconditioners — never from an SVD of G.
 */
export function shampooNoAccum(la: Linalg, g: M, rtol = 1e-12): M {
  const l = psdPower(la, la.matmul(g, g, { transB: true }) as M, -0.25, rtol);
  const r = psdPower(la, la.matmul(g, g, { transA: true }) as M, -0.25, rtol);
  return la.matmul(la.matmul(l, g) as M, r) as M;
}

// ---- norms over a list of layers ---------------------------------------------------------------------------

const dot = (a: M[], b: M[]) => a.reduce((s, x, l) => s + x.data.reduce((t, v, i) => t + v * b[l].data[i], 0), 0);
const l2 = (a: M[]) => Math.sqrt(dot(a, a));

/** The norm whose unit ball we maximise over: ℓ2 of the whole vector, or max over layers of ℓ∞ / spectral. */
export function norm(la: Linalg, kind: Norm, a: M[]): number {
  if (kind === "l2") return l2(a);
  if (kind === "linf") return Math.max(...a.map((x) => x.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  return Math.max(...a.map((x) => la.svdvals(x)[0]));
}

/** Its dual norm ‖g‖† = max_{‖t‖ ≤ 1} ⟨g, t⟩: ℓ2; Σ ℓ1; Σ nuclear. */
export function dualNorm(la: Linalg, kind: Norm, g: M[]): number {
  if (kind === "l2") return l2(g);
  if (kind === "linf") return g.reduce((s, x) => s + x.data.reduce((t, v) => t + Math.abs(v), 0), 0);
  return g.reduce((s, x) => s + la.svdvals(x).reduce((t, v) => t + v, 0), 0);
}

/** The steepest-descent direction in closed form (unit norm): g/‖g‖, sign g, or U Vᵀ per layer. */
export function steepest(la: Linalg, kind: Norm, g: M[]): M[] {
  if (kind === "l2") {
    const n = l2(g);
    return g.map((x) => map(x, (v) => v / n));
  }
  return kind === "linf" ? g.map(signOf) : g.map((x) => orthogonalize(la, x));
}

export interface Optimality {
  /** ⟨g, t⟩ / ‖g‖† for the method's direction t rescaled to the unit ball (1 at the maximiser). */
  dualRatio: number;
  /** max over competitors c in the unit ball of ⟨g, c⟩ / ⟨g, t⟩ (≤ 1 if t is the maximiser). */
  competitorRatio: number;
}

/**
 * Checks that direction t (any scale) maximises ⟨g, ·⟩ over the unit ball of `kind`, against `k` random Gaussian
 * directions, `k` small perturbations t + 0.1·‖t‖-scaled noise, and the extra candidates given (e.g. the other
 * norms' directions), each rescaled onto the unit sphere of `kind`.
 */
export function optimality(la: Linalg, kind: Norm, g: M[], t: M[], rng: Rng, k: number, extra: M[][] = []): Optimality {
  const unit = (a: M[]) => {
    const n = norm(la, kind, a);
    return a.map((x) => map(x, (v) => v / n));
  };
  const tu = unit(t), best = dot(g, tu);
  const rand = (scale: number) => tu.map((x) => map(x, () => scale * (rng.normal() as number)));
  const comps: M[][] = [...extra];
  for (let i = 0; i < k; i++) comps.push(rand(1));
  for (let i = 0; i < k; i++) {
    const z = rand(0.1 * norm(la, "linf", tu));
    comps.push(tu.map((x, l) => mat(x.rows, x.cols, x.data.map((v, j) => v + z[l].data[j]))));
  }
  const ratio = Math.max(...comps.map((c) => dot(g, unit(c)) / best));
  return { dualRatio: best / dualNorm(la, kind, g), competitorRatio: ratio };
}

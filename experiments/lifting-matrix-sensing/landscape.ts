/**
 * The lifted Burer–Monteiro objective F(W) = ‖𝐀(WWᵀ) − y‖² over W ∈ ℝ^{N×r}, its gradient, and its exact Hessian
 * as a dense matrix: ∇²F(W)[D, D] = 2‖𝐀(WDᵀ + DWᵀ)‖² + 4⟨𝐀*(𝐀(WWᵀ) − y), DDᵀ⟩.
 */
import { dot, gram, type M64, matmul, symEig, zeros } from "../../lib/math/lowrank/mod.ts";
import type { LiftedInstance } from "./instance.ts";

/** F(W) and ∇F(W) = 2(S + Sᵀ)W with S = 𝐀*(𝐀(WWᵀ) − y). */
export function objective(p: LiftedInstance, w: M64): { value: number; grad: M64 } {
  const r = p.op.apply(gram(w));
  for (let i = 0; i < r.length; i++) r[i] -= p.y[i];
  const s = p.op.adjoint(r), n = s.rows;
  const sym = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) sym.data[i * n + j] = 2 * (s.data[i * n + j] + s.data[j * n + i]);
  }
  return { value: dot(r, r), grad: matmul(sym, w) };
}

/** The dense Hessian of F at W (size N·r), from the bilinear form above on the coordinate basis. */
export function hessian(p: LiftedInstance, w: M64): M64 {
  const n = w.rows, k = w.cols, dim = n * k;
  const r = p.op.apply(gram(w));
  for (let i = 0; i < r.length; i++) r[i] -= p.y[i];
  const s = p.op.adjoint(r);
  // J_e = 𝐀(W E_eᵀ + E_e Wᵀ) for each coordinate e = (a, c) of W: measurement-space images of the basis.
  const jac: Float64Array[] = [];
  for (let a = 0; a < n; a++) {
    for (let c = 0; c < k; c++) {
      const x = zeros(n, n);
      for (let b = 0; b < n; b++) {
        x.data[b * n + a] += w.data[b * k + c];
        x.data[a * n + b] += w.data[b * k + c];
      }
      jac.push(p.op.apply(x));
    }
  }
  const h = zeros(dim, dim);
  for (let e = 0; e < dim; e++) {
    for (let f = 0; f <= e; f++) {
      // ⟨S + Sᵀ, sym(E_e E_fᵀ)⟩ term: E_e E_fᵀ is nonzero only when the columns agree.
      const [a1, c1] = [Math.floor(e / k), e % k], [a2, c2] = [Math.floor(f / k), f % k];
      const curv = c1 === c2 ? 2 * (s.data[a1 * n + a2] + s.data[a2 * n + a1]) : 0;
      const v = 2 * dot(jac[e], jac[f]) + curv;
      h.data[e * dim + f] = v;
      h.data[f * dim + e] = v;
    }
  }
  return h;
}

/** Smallest eigenvalue of the Hessian of F at the lifted spurious point [x̂^{⊗l}, 0, …, 0] (rank r columns). */
export function spuriousCurvature(p: LiftedInstance, rank: number): { gradNorm: number; minEig: number } {
  const w = zeros(p.dim, rank);
  for (let i = 0; i < p.dim; i++) w.data[i * rank] = p.spurious[i];
  const g = objective(p, w).grad;
  return { gradNorm: Math.sqrt(dot(g.data, g.data)), minEig: symEig(hessian(p, w)).values[0] };
}

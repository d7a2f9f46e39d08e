/**
 * RRLbS — robust representation and learning-based sparsity (Zhu, Wang, Fan, Meng, Pan 2014, arXiv 1409.0685),
 * as far as the abstract and introduction state it:
 *
 *   min_{E ≥ 0, S ≥ 0} c·‖Y − ES‖_{2,1} + λ Σ_n Σ_k S_kn^{p_n},   ‖·‖_{2,1} = Σ_l ‖y_l − e_l S‖₂ over channels l,
 *
 * the ℓ2,1 norm over channels keeping outlier channels from dominating, and a per-pixel exponent p_n ∈ [½, 1]
 * set by a guidance map h_n ∈ [0, 1] of the pixel's mixed level: p_n = 1 − h_n/2, h_n = 1 − H(s_n)/log R (H the
 * entropy of the pixel's normalized abundances: a nearly pure pixel gets h ≈ 1, the strong ℓ½ sparsity; a highly
 * mixed one gets h ≈ 0, plain ℓ1 which the sum-to-one constraint makes inert). The guidance map is re-learnt from
 * the current abundances every `every` iterations. Minimized by the reweighted multiplicative updates of
 * lib/math/nmf (Λ_l = c/‖e_l‖). The paper's own guidance-map learning rule, its optimizer and its convergence
 * proof are in the body, which could not be read here: this mapping h → p and the entropy are our reconstruction.
 */
import { type Dense, fitMu, type NmfSettings, type Unmixing } from "../../lib/math/nmf/mod.ts";
import type { BenchScene } from "../../lib/math/nmf/mod.ts";

/** Guidance map h_n = 1 − H(s_n)/log R ∈ [0, 1] from the abundances S (R × N). */
export function guidanceMap(s: Dense): Float64Array {
  const r = s.rows, n = s.cols, h = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let t = 0;
    for (let k = 0; k < r; k++) t += s.data[k * n + j];
    let ent = 0;
    for (let k = 0; k < r; k++) {
      const q = s.data[k * n + j] / (t || 1);
      if (q > 0) ent -= q * Math.log(q);
    }
    h[j] = Math.min(1, Math.max(0, 1 - ent / Math.log(r)));
  }
  return h;
}

/** Exponents p_n = 1 − h_n/2 from the guidance map. */
export function exponents(s: Dense): Float64Array {
  return guidanceMap(s).map((h) => 1 - h / 2);
}

export interface RrlbsOptions extends NmfSettings {
  /** Re-learn the guidance map every this many iterations. */
  every: number;
}

/** RRLbS from the scene's VCA + FCLS start with λ = c·λ̂. */
export function rrlbs(sc: BenchScene, o: RrlbsOptions, c: number): Unmixing & { p: Float64Array } {
  const res = fitMu(sc, o, {
    rowLoss: "l21",
    sparsity: { lambda: c * sc.lambdaHat, p: exponents(sc.init.s) },
    adaptP: { every: o.every, update: exponents },
  });
  return { ...res, p: exponents(res.s) };
}

/** Ablation: the ℓ2,1 data term with a fixed L1/2 penalty (no guidance map). */
export function l21L12(sc: BenchScene, o: NmfSettings, c: number): Unmixing {
  return fitMu(sc, o, { rowLoss: "l21", sparsity: { lambda: c * sc.lambdaHat, p: 0.5 } });
}

/**
 * SS-NMF — structured sparse NMF (Zhu, Wang, Xiang, Fan, Pan 2014, arXiv 1403.4682), as the abstract states it:
 *
 *   min_{E ≥ 0, S ≥ 0} ½‖Y − ES‖²_F + λ‖S‖₁ + μ·tr(S L Sᵀ),
 *
 * a graph Laplacian L = D − G over a k-nearest-neighbour heat-kernel graph of the pixels in spectral space ("the
 * manifold structures embedded in the hyperspectral data space", grouping similar pixels) plus a lasso penalty
 * ("pixels in the same manifold structure are sparsely mixed by a common set of relevant bases"), solved here by the
 * multiplicative updates of lib/math/nmf with sum-to-one by augmentation:
 *   S ← S ⊙ (EᵀY + δ² + μ S G) ⊘ (EᵀES + δ² 11ᵀS + λ + μ S D),  E ← E ⊙ (YSᵀ) ⊘ (ESSᵀ).
 * The paper's own graph construction, weights and solver are in its body, which could not be read here.
 */
import { fitMu, type NmfSettings, sceneGraph, type Unmixing } from "../../lib/math/nmf/mod.ts";
import type { BenchScene } from "../../lib/math/nmf/mod.ts";

/** SS-NMF from the scene's VCA + FCLS start: lasso weight λ = λ̂, graph weight μ. */
export function ssnmf(sc: BenchScene, o: NmfSettings, mu: number): Unmixing {
  return fitMu(sc, o, { sparsity: { lambda: sc.lambdaHat, p: 1 }, graph: { mu, g: sceneGraph(sc, o.knn) } });
}

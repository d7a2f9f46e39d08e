/**
 * The nested matrix-tensor model of multi-view clustering (Lebeau, Seddik, Goulart, ICLR 2024, Sec. 2; the
 * generator is `model` in the official repo's utils.py):
 *
 *   X = (μ yᵀ/√n + Z) ⊗ h + W ∈ ℝ^{p×n×m},
 *
 * with labels y ∈ {±1}ⁿ, class mean μ ∈ ℝᵖ (‖μ‖ = β_M), view weights h ∈ ℝᵐ (‖h‖ = β_T), Z_ij ~ N(0, 1/(p+n)) and
 * W_ijk ~ N(0, 1/(p+n+m)). The tensor is stored row-major as x[(i·n + j)·m + k].
 */
import type { Rng } from "../../lib/math/rng.ts";

export interface NestedTensor {
  p: number;
  n: number;
  m: number;
  /** The observed tensor, row-major p×n×m. */
  x: Float64Array;
  /** Cluster labels ±1 (the planted n-mode signal is y/√n). */
  y: Float64Array;
  /** View weights (mode 3), ‖h‖ = β_T; the oracle weighted mean uses it. */
  h: Float64Array;
}

export interface ModelConfig {
  p: number;
  n: number;
  m: number;
  muNorm: number;
  hNorm: number;
}

/** A uniformly random direction of ℝᵈ scaled to norm `r` (utils.py: randn, normalized). */
function direction(d: number, r: number, rng: Rng): Float64Array {
  const v = rng.normal(d);
  let s = 0;
  for (const a of v) s += a * a;
  const f = r / Math.sqrt(s);
  for (let i = 0; i < d; i++) v[i] *= f;
  return v;
}

/** Draw one tensor of the nested model. Labels are i.i.d. uniform ±1, as in benchmark_clustering.ipynb. */
export function makeNested(cfg: ModelConfig, rng: Rng): NestedTensor {
  const { p, n, m } = cfg;
  const y = new Float64Array(n);
  const ry = rng.split("labels");
  for (let j = 0; j < n; j++) y[j] = ry.uniform() < 0.5 ? -1 : 1;
  const mu = direction(p, cfg.muNorm, rng.split("mu"));
  const h = direction(m, cfg.hNorm, rng.split("h"));
  const rz = rng.split("Z"), rw = rng.split("W");
  const sz = 1 / Math.sqrt(p + n), sw = 1 / Math.sqrt(p + n + m), sn = 1 / Math.sqrt(n);
  const x = new Float64Array(p * n * m);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < n; j++) {
      const mij = mu[i] * y[j] * sn + sz * rz.normal(); // the nested matrix M = μyᵀ/√n + Z
      const base = (i * n + j) * m;
      for (let k = 0; k < m; k++) x[base + k] = mij * h[k] + sw * rw.normal();
    }
  }
  return { p, n, m, x, y, h };
}

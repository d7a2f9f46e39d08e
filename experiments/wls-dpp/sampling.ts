/**
 * The point distributions compared by Nouy & Michel (arXiv 2312.14057):
 * - i.i.d. optimal sampling: n points from ρ = (K_m(x,x)/m) dμ (§2, Cohen & Migliorati 2017);
 * - projection DPP: m points with joint density det[K_m(x_i,x_j)]/m! w.r.t. μ^{⊗m} (§3), sampled exactly by the
 *   chain rule of Hough–Krishnapur–Peres–Virág: point i has density (K_m(x,x) − ‖P_{i−1}φ(x)‖²)/(m−i+1) dμ, where
 *   P_{i−1} projects onto span{φ(x_1),…,φ(x_{i−1})}; drawn by rejection from ρ (ratio ≤ m/(m−i+1));
 * - generalized volume-rescaled sampling of size n ≥ m with the optimal weights (§4): density ∝
 *   det(G_n) Π ρ(x_i); equal in law to a projection DPP of m points together with n − m i.i.d. points from ρ, in
 *   random order (Dereziński, Warmuth & Hsu 2019, volume-rescaled sampling for the features √w φ in L²(ρ));
 * - independent repetitions of projection DPP (§5): n = k·m points from k independent DPPs.
 * Every point is returned row-major (n × d).
 */
import type { Rng } from "../../lib/math/rng.ts";
import { type Basis, features, sampleOptimal } from "./basis.ts";

/** n i.i.d. points from the optimal density ρ. */
export function iidOptimal(b: Basis, n: number, rng: Rng): Float64Array {
  const x = new Float64Array(n * b.d);
  for (let i = 0; i < n; i++) x.set(sampleOptimal(b, rng), i * b.d);
  return x;
}

/** m points from the projection DPP with kernel K_m(x,y) = φ(x)ᵀφ(y) (chain rule, exact). */
export function projectionDpp(b: Basis, rng: Rng): Float64Array {
  const { m, d } = b;
  const x = new Float64Array(m * d);
  const e: Float64Array[] = []; // orthonormal basis of span{φ(x_1),…,φ(x_i)}
  for (let i = 0; i < m; i++) {
    for (;;) {
      const y = sampleOptimal(b, rng);
      const v = features(b, y);
      let kxx = 0;
      for (let j = 0; j < m; j++) kxx += v[j] * v[j];
      // Two passes of Gram–Schmidt: r = v − Σ (eᵀv) e, residual ‖r‖² = K(x,x) − ‖P φ(x)‖².
      for (let pass = 0; pass < 2; pass++) {
        for (const u of e) {
          let c = 0;
          for (let j = 0; j < m; j++) c += u[j] * v[j];
          for (let j = 0; j < m; j++) v[j] -= c * u[j];
        }
      }
      let res = 0;
      for (let j = 0; j < m; j++) res += v[j] * v[j];
      if (rng.uniform() * kxx < res) {
        const s = 1 / Math.sqrt(res);
        for (let j = 0; j < m; j++) v[j] *= s;
        e.push(v);
        x.set(y, i * d);
        break;
      }
    }
  }
  return x;
}

/** n = k·m points: k independent projection DPPs. */
export function repeatedDpp(b: Basis, k: number, rng: Rng): Float64Array {
  const x = new Float64Array(k * b.m * b.d);
  for (let r = 0; r < k; r++) x.set(projectionDpp(b, rng), r * b.m * b.d);
  return x;
}

/** n ≥ m points from generalized volume-rescaled sampling: one DPP plus n − m i.i.d. ρ points, shuffled. */
export function volumeRescaled(b: Basis, n: number, rng: Rng): Float64Array {
  if (n < b.m) throw new Error(`volume-rescaled sampling needs n ≥ m (n = ${n}, m = ${b.m})`);
  const all = new Float64Array(n * b.d);
  all.set(projectionDpp(b, rng), 0);
  all.set(iidOptimal(b, n - b.m, rng), b.m * b.d);
  const perm = rng.permutation(n), out = new Float64Array(n * b.d);
  for (let i = 0; i < n; i++) out.set(all.subarray(perm[i] * b.d, (perm[i] + 1) * b.d), i * b.d);
  return out;
}

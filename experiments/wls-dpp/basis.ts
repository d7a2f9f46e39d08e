/**
 * The approximation space V_m and its reference measure: tensorized Legendre polynomials, orthonormal in
 * L²([−1,1]^d, μ) with μ the uniform probability measure, on the first m multi-indices of the total-degree order
 * (a downward-closed set). Also Gauss–Legendre quadrature for the L² norms, and exact sampling from the optimal
 * density ρ = (K_m(x,x)/m) dμ of Nouy & Michel §2 (Cohen & Migliorati 2017), K_m(x,x) = Σ_j φ_j(x)².
 */
import type { Rng } from "../../lib/math/rng.ts";

export interface Basis {
  d: number;
  m: number;
  /** m multi-indices, row-major m × d. */
  alpha: Int32Array;
  /** Largest degree in any coordinate (for the Legendre recursion). */
  maxDeg: number;
}

/** First m multi-indices of N^d ordered by total degree, then lexicographically (a downward-closed set). */
export function totalDegreeBasis(d: number, m: number): Basis {
  const out: number[][] = [];
  for (let deg = 0; out.length < m; deg++) {
    const level: number[][] = [];
    const rec = (prefix: number[], left: number) => {
      if (prefix.length === d - 1) return void level.push([...prefix, left]);
      for (let a = left; a >= 0; a--) rec([...prefix, a], left - a);
    };
    rec([], deg);
    for (const a of level) if (out.length < m) out.push(a);
  }
  const alpha = Int32Array.from(out.flat());
  return { d, m, alpha, maxDeg: Math.max(0, ...alpha) };
}

/** Orthonormal Legendre values φ_0..φ_p at t (φ_k = √(2k+1) P_k, ∫φ_jφ_k dt/2 = δ_jk), three-term recursion. */
export function legendre1d(t: number, p: number, out = new Float64Array(p + 1)): Float64Array {
  let pm1 = 1, pk = t;
  out[0] = 1;
  if (p >= 1) out[1] = Math.sqrt(3) * t;
  for (let k = 1; k < p; k++) {
    const pk1 = ((2 * k + 1) * t * pk - k * pm1) / (k + 1);
    pm1 = pk;
    pk = pk1;
    out[k + 1] = Math.sqrt(2 * k + 3) * pk1;
  }
  return out;
}

/** Feature map φ(x) ∈ R^m at one point x ∈ [−1,1]^d. */
export function features(b: Basis, x: ArrayLike<number>, out = new Float64Array(b.m)): Float64Array {
  const tab: Float64Array[] = [];
  for (let k = 0; k < b.d; k++) tab.push(legendre1d(x[k], b.maxDeg));
  for (let j = 0; j < b.m; j++) {
    let v = 1;
    for (let k = 0; k < b.d; k++) v *= tab[k][b.alpha[j * b.d + k]];
    out[j] = v;
  }
  return out;
}

/** Christoffel function K_m(x,x) = ‖φ(x)‖². */
export function christoffel(b: Basis, x: ArrayLike<number>): number {
  const f = features(b, x);
  let s = 0;
  for (let j = 0; j < b.m; j++) s += f[j] * f[j];
  return s;
}

/**
 * One point from the optimal density ρ = (1/m)Σ_j φ_j² dμ: pick j uniformly, then draw each coordinate from
 * φ_{α_jk}(t)² dt/2 by rejection from the uniform law (φ_a² ≤ 2a+1 on [−1,1]).
 */
export function sampleOptimal(b: Basis, rng: Rng): Float64Array {
  const j = rng.int(b.m);
  const x = new Float64Array(b.d);
  for (let k = 0; k < b.d; k++) {
    const a = b.alpha[j * b.d + k];
    const buf = new Float64Array(a + 1);
    for (;;) {
      const t = 2 * rng.uniform() - 1;
      const v = legendre1d(t, a, buf)[a];
      if (rng.uniform() * (2 * a + 1) < v * v) {
        x[k] = t;
        break;
      }
    }
  }
  return x;
}

/** Gauss–Legendre nodes and weights on [−1,1] for the probability measure dt/2 (weights sum to 1), by Newton. */
export function gaussLegendre(q: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(q), weights = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let t = Math.cos(Math.PI * (i + 0.75) / (q + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1, p1 = t;
      for (let k = 1; k < q; k++) [p0, p1] = [p1, ((2 * k + 1) * t * p1 - k * p0) / (k + 1)];
      dp = q * (t * p1 - p0) / (t * t - 1);
      const dt = p1 / dp;
      t -= dt;
      if (Math.abs(dt) < 1e-16) break;
    }
    nodes[i] = t;
    weights[i] = 1 / ((1 - t * t) * dp * dp); // 2/((1−t²)P'²) halved for dt/2
  }
  return { nodes, weights };
}

/** Tensor Gauss–Legendre rule on [−1,1]^d for μ: q^d points (row-major N × d) and weights summing to 1. */
export function tensorRule(d: number, q: number): { points: Float64Array; weights: Float64Array; count: number } {
  const g = gaussLegendre(q);
  const count = q ** d;
  const points = new Float64Array(count * d), weights = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let r = i, w = 1;
    for (let k = 0; k < d; k++) {
      const l = r % q;
      r = Math.floor(r / q);
      points[i * d + k] = g.nodes[l];
      w *= g.weights[l];
    }
    weights[i] = w;
  }
  return { points, weights, count };
}

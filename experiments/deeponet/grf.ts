/**
 * Input functions: a mean-zero Gaussian random field (GRF) on [0, 1] with the RBF kernel
 * k(x, x') = exp(−(x − x')² / (2l²)), l = 0.2 as in the official code (lululxvi/deeponet `src/deeponet_pde.py`,
 * `GRF(1, length_scale=0.2, N=1000, interp="cubic")`; `src/spaces.py` samples it by a Cholesky factor of K on 1000
 * grid points and evaluates between them by cubic interpolation).
 *
 * Ours is a Karhunen–Loève / Nyström sampler: on nc coarse nodes x_j, K = V·Λ·Vᵀ (Jacobi), and
 *   u(t) = Σ_k z_k ψ_k(t),   ψ_k(t) = λ_k^(−1/2) Σ_j V_jk k(t, x_j),   z ~ N(0, I),
 * keeping the modes with λ_k > tol·λ_max. At the nodes ψ_k(x_i) = λ_k^(1/2) V_ik, so u(x_·) ~ N(0, K) exactly (less
 * the dropped modes); between nodes u is the kernel interpolant of those values (the GP's conditional mean), a
 * smooth function that can be evaluated anywhere. The basis is tabulated once on a fine uniform grid.
 */
import { jacobiEigen } from "../../lib/math/linalg/jacobi.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** A GRF's KL basis tabulated on a uniform grid of [0, 1]. */
export interface GrfBasis {
  lengthScale: number;
  /** Number of kept modes r. */
  modes: number;
  /** Fine grid size nf (points i/(nf − 1)). */
  fine: number;
  /** nf × r, row-major: ψ_k at grid point i. */
  psi: Float64Array;
  /** Coarse nodes, eigenvectors and eigenvalues, for evaluating ψ off the grid. */
  nodes: Float64Array;
  coef: Float64Array;
}

const cache = new Map<string, GrfBasis>();

/** The basis for length scale `l` on a `fine`-point grid (memoised per process). */
export function grfBasis(l: number, fine: number, o: { coarse?: number; tol?: number } = {}): GrfBasis {
  const nc = o.coarse ?? 64, tol = o.tol ?? 1e-12, key = `${l}/${fine}/${nc}/${tol}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const nodes = new Float64Array(nc).map((_, j) => j / (nc - 1));
  const K = new Float64Array(nc * nc);
  for (let i = 0; i < nc; i++) for (let j = 0; j < nc; j++) K[i * nc + j] = rbf(nodes[i], nodes[j], l);
  const { w, V } = jacobiEigen(K, nc, { descending: true });
  let r = 0;
  while (r < nc && w[r] > tol * w[0]) r++;
  // coef[j·r + k] = V_jk / √λ_k, so ψ_k(t) = Σ_j coef[j, k]·k(t, x_j).
  const coef = new Float64Array(nc * r);
  for (let j = 0; j < nc; j++) for (let k = 0; k < r; k++) coef[j * r + k] = V[j * nc + k] / Math.sqrt(w[k]);
  const basis: GrfBasis = { lengthScale: l, modes: r, fine, psi: new Float64Array(fine * r), nodes, coef };
  for (let i = 0; i < fine; i++) basis.psi.set(psiAt(basis, i / (fine - 1)), i * r);
  cache.set(key, basis);
  return basis;
}

function rbf(a: number, b: number, l: number): number {
  return Math.exp(-((a - b) ** 2) / (2 * l * l));
}

/** (ψ_1(t), …, ψ_r(t)) at any t. */
export function psiAt(b: GrfBasis, t: number): Float64Array {
  const r = b.modes, out = new Float64Array(r);
  for (let j = 0; j < b.nodes.length; j++) {
    const kv = rbf(t, b.nodes[j], b.lengthScale);
    for (let k = 0; k < r; k++) out[k] += b.coef[j * r + k] * kv;
  }
  return out;
}

/** KL coefficients of `n` independent GRF draws (n × r, row-major). */
export function drawCoefficients(b: GrfBasis, n: number, rng: Rng): Float64Array {
  return rng.normal(n * b.modes);
}

/** One draw's values on the fine grid: u_i = Σ_k z_k ψ_k(x_i). */
export function onGrid(b: GrfBasis, z: ArrayLike<number>, zOff = 0, out = new Float64Array(b.fine)): Float64Array {
  const r = b.modes;
  for (let i = 0; i < b.fine; i++) {
    let s = 0;
    for (let k = 0; k < r; k++) s += z[zOff + k] * b.psi[i * r + k];
    out[i] = s;
  }
  return out;
}

/** One draw's value at any t. */
export function valueAt(b: GrfBasis, z: ArrayLike<number>, t: number, zOff = 0): number {
  const p = psiAt(b, t);
  let s = 0;
  for (let k = 0; k < b.modes; k++) s += z[zOff + k] * p[k];
  return s;
}

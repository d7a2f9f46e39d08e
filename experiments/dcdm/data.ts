/**
 * Inputs of DCDM: the 2D Poisson matrix, the training right-hand sides built from Ritz vectors (official
 * `src/datasetcreate.py`), and test right-hand sides of three kinds.
 *
 * Training set (datasetcreate.py): run k steps of Lanczos with full reorthogonalization from A·(Gaussian), take
 * the Ritz vectors v_1..v_k (ascending Ritz values), and draw b = Σ c_i v_i with c_i ~ 9·N(0,1) for the
 * k/2 + θ lowest and c_i ~ N(0,1) for the rest, normalized to ‖b‖ = 1. The repo uses k = 10000 of n = 64³ and
 * θ = 500; here k and θ are fractions of n (config).
 */
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { dot, norm2, type StencilMatrix } from "../../lib/math/solvers/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** k Lanczos steps with full reorthogonalization; returns the Ritz vectors (ascending Ritz values). */
export function ritzVectors(A: StencilMatrix, k: number, rng: Rng): { values: Float64Array; vectors: Float64Array[] } {
  const n = A.n, Q: Float64Array[] = [], alpha: number[] = [], beta: number[] = [];
  const start = new Float64Array(n);
  A.apply(rng.normal(n), start); // the repo starts from A·x, x ~ N(0, I)
  let q = start.map((v) => v / norm2(start));
  const w = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    Q.push(q);
    A.apply(q, w);
    const a = dot(q, w);
    alpha.push(a);
    for (let i = 0; i < n; i++) w[i] -= a * q[i] + (j > 0 ? beta[j - 1] * Q[j - 1][i] : 0);
    for (const qi of Q) { // full reorthogonalization
      const c = dot(w, qi);
      for (let i = 0; i < n; i++) w[i] -= c * qi[i];
    }
    const b = norm2(w);
    if (j === k - 1 || b < 1e-10) break;
    beta.push(b);
    q = w.map((v) => v / b);
  }
  const m = Q.length, T = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    T[i * m + i] = alpha[i];
    if (i + 1 < m) T[i * m + i + 1] = T[(i + 1) * m + i] = beta[i];
  }
  const { values, vectors: S } = getLinalg().eigh(mat(m, m, T));
  const vectors: Float64Array[] = [];
  for (let c = 0; c < m; c++) {
    const v = new Float64Array(n);
    for (let r = 0; r < m; r++) {
      const s = S.data[r * m + c];
      for (let i = 0; i < n; i++) v[i] += s * Q[r][i];
    }
    vectors.push(v);
  }
  return { values: Float64Array.from(values), vectors };
}

/** One training right-hand side from the Ritz basis (datasetcreate.py), unit norm. */
export function ritzRhs(vectors: Float64Array[], cut: number, rng: Rng): Float64Array {
  const n = vectors[0].length, b = new Float64Array(n);
  for (let i = 0; i < vectors.length; i++) {
    const c = (i < cut ? 9 : 1) * rng.normal(), v = vectors[i];
    for (let p = 0; p < n; p++) b[p] += c * v[p];
  }
  const s = norm2(b);
  return b.map((x) => x / s);
}

export type RhsKind = "ritz" | "bumps" | "noise";

/**
 * Test right-hand sides: `ritz` (fresh draws from the training distribution), `bumps` (3–6 Gaussian sources of
 * random sign, centre and width 0.03–0.15 of the domain: smooth, unseen in training), `noise` (white N(0, I):
 * all frequencies, unseen). Unit norm.
 */
export function testRhs(kind: RhsKind, m: number, vectors: Float64Array[], cut: number, rng: Rng): Float64Array {
  if (kind === "ritz") return ritzRhs(vectors, cut, rng);
  const n = m * m;
  let b: Float64Array;
  if (kind === "noise") b = rng.normal(n);
  else {
    b = new Float64Array(n);
    const count = 3 + rng.int(4);
    for (let s = 0; s < count; s++) {
      const ci = rng.uniform(),
        cj = rng.uniform(),
        w = 0.03 + 0.12 * rng.uniform(),
        sign = rng.uniform() < 0.5 ? -1 : 1;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          const dx = (i + 1) / (m + 1) - ci, dy = (j + 1) / (m + 1) - cj;
          b[i * m + j] += sign * Math.exp(-(dx * dx + dy * dy) / (2 * w * w));
        }
      }
    }
  }
  const s = norm2(b);
  return b.map((x) => x / s);
}

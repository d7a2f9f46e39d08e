/**
 * Krylov subspace recycling for a sequence of SPD systems: deflated preconditioned CG (Saad, Yeung, Erhel &
 * Guyomarc'h, "A deflated version of the conjugate gradient algorithm", SISC 2000, Alg. 3.2 with M⁻¹), with the
 * deflation space W carried from one system to the next and refreshed by Rayleigh–Ritz (the symmetric analogue
 * of GCRO-DR's harmonic-Ritz recycling that SKR builds on; Parks et al. 2006).
 *
 * Given W (n×k) and AW for the current A, with E = WᵀAW:
 *   x₀ = W E⁻¹ Wᵀ b,  r₀ = b − AW E⁻¹ Wᵀ b,  z₀ = M⁻¹r₀,  p₀ = z₀ − W E⁻¹ (AW)ᵀ z₀
 *   α = (r,z)/(p,Ap),  x += αp,  r −= αAp,  z = M⁻¹r,  β = (r⁺,z⁺)/(r,z),  p = z + βp − W E⁻¹ (AW)ᵀ z.
 * The new W is the k Ritz vectors of the pencil (A, M) with smallest Ritz values over span[W, p₀..p_(ℓ−1)],
 * computed from AW and the stored Ap's without extra mat-vecs. Forming AW for the next matrix costs k mat-vecs.
 */
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { dot, type MatVec, norm2 } from "../../lib/math/solvers/mod.ts";

const la = getLinalg();

export interface SolveStats {
  x: Float64Array;
  /** CG iterations (one A-mat-vec each). */
  iterations: number;
  /** All A-mat-vecs spent on this system, including k for AW. */
  matvecs: number;
  converged: boolean;
}

export interface RecycleOptions {
  tol: number;
  maxIter: number;
  /** Recycle space dimension k (0 = plain PCG). */
  k: number;
  /** Number of leading search directions kept for the Ritz update (ℓ). */
  ell: number;
}

/** v ↦ E⁻¹v for a small SPD E, through E⁻¹ formed once from its Cholesky factor (plain loops per call). */
function cholSolver(E: Float64Array, k: number): (v: Float64Array) => Float64Array {
  const L = la.cholesky(mat(k, k, E));
  const Einv =
    la.triSolve(L, la.triSolve(L, mat(k, k, eyeData(k)), { lower: true }), { lower: true, trans: true }).data;
  const out = new Float64Array(k);
  return (v) => {
    for (let i = 0; i < k; i++) {
      let t = 0;
      for (let j = 0; j < k; j++) t += Einv[i * k + j] * v[j];
      out[i] = t;
    }
    return out;
  };
}

/**
 * Solve the systems A_t x = b_t in the given order, recycling W between consecutive systems.
 * With k = 0 this is independent Jacobi-PCG for every system.
 */
export function recycledSequence(
  systems: { apply: MatVec; diag: Float64Array; b: Float64Array }[],
  order: number[],
  opts: RecycleOptions,
): SolveStats[] {
  const out: SolveStats[] = new Array(systems.length);
  let W: Float64Array[] = [];
  for (const t of order) {
    const { apply, diag, b } = systems[t];
    const res = deflatedPcg(apply, diag, b, W, opts);
    out[t] = res.stats;
    if (opts.k > 0) W = ritzUpdate(res.Z, res.AZ, diag, opts.k, W.length);
  }
  return out;
}

/** One deflated Jacobi-PCG solve; returns the stats and the basis [W, P_ℓ] with its image under A. */
export function deflatedPcg(
  apply: MatVec,
  diag: Float64Array,
  b: Float64Array,
  W: Float64Array[],
  opts: RecycleOptions,
): { stats: SolveStats; Z: Float64Array[]; AZ: Float64Array[] } {
  const n = b.length, k = W.length, nb = norm2(b);
  const AW = W.map((w) => {
    const v = new Float64Array(n);
    apply(w, v);
    return v;
  });
  let solveE: (v: Float64Array) => Float64Array = () => new Float64Array(0);
  if (k > 0) {
    const E = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) E[i * k + j] = E[j * k + i] = dot(W[i], AW[j]);
    solveE = cholSolver(E, k);
  }
  const x = new Float64Array(n), r = Float64Array.from(b), z = new Float64Array(n);
  const p = new Float64Array(n), q = new Float64Array(n), c = new Float64Array(k);
  if (k > 0) { // x₀ = W E⁻¹ Wᵀ b, r₀ = b − AW E⁻¹ Wᵀ b
    for (let i = 0; i < k; i++) c[i] = dot(W[i], b);
    const mu = solveE(c);
    for (let i = 0; i < k; i++) {
      const wi = W[i], ai = AW[i], m = mu[i];
      for (let j = 0; j < n; j++) x[j] += m * wi[j], r[j] -= m * ai[j];
    }
  }
  /** p ← z + β p − W E⁻¹ (AW)ᵀ z (the deflation keeps p A-orthogonal to W). */
  const newDirection = (beta: number) => {
    for (let j = 0; j < n; j++) p[j] = z[j] + beta * p[j];
    if (k === 0) return;
    for (let i = 0; i < k; i++) c[i] = dot(AW[i], z);
    const mu = solveE(c);
    for (let i = 0; i < k; i++) {
      const wi = W[i], m = mu[i];
      for (let j = 0; j < n; j++) p[j] -= m * wi[j];
    }
  };
  const P: Float64Array[] = [], Q: Float64Array[] = [];
  let iterations = 0, converged = norm2(r) / nb <= opts.tol;
  if (!converged) {
    for (let j = 0; j < n; j++) z[j] = r[j] / diag[j];
    newDirection(0);
    let rz = dot(r, z);
    while (iterations < opts.maxIter) {
      apply(p, q);
      iterations++;
      if (P.length < opts.ell) P.push(Float64Array.from(p)), Q.push(Float64Array.from(q));
      const alpha = rz / dot(p, q);
      for (let j = 0; j < n; j++) x[j] += alpha * p[j], r[j] -= alpha * q[j];
      if (norm2(r) / nb <= opts.tol) {
        converged = true;
        break;
      }
      for (let j = 0; j < n; j++) z[j] = r[j] / diag[j];
      const rzNew = dot(r, z), beta = rzNew / rz;
      rz = rzNew;
      newDirection(beta);
    }
  }
  return {
    stats: { x, iterations, matvecs: iterations + k, converged },
    Z: [...W, ...P],
    AZ: [...AW, ...Q],
  };
}

/**
 * Rayleigh–Ritz for A v = θ M v (M = diag) on span Z: with G = ZᵀAZ and F = ZᵀMZ, the k largest μ of
 * L⁻¹ F L⁻ᵀ (G = L Lᵀ) are 1/θ for the k smallest Ritz values θ; returns Z·L⁻ᵀ·v for those (A-normalized).
 */
export function ritzUpdate(
  Z: Float64Array[],
  AZ: Float64Array[],
  diag: Float64Array,
  k: number,
  kw = 0,
): Float64Array[] {
  const s = Z.length, n = diag.length;
  if (s === 0) return [];
  const G = new Float64Array(s * s), F = new Float64Array(s * s), Mz = Z.map((v) => v.map((x, i) => x * diag[i]));
  for (let i = 0; i < s; i++) {
    for (let j = 0; j <= i; j++) {
      // G = ZᵀAZ: the search directions (columns ≥ kw) are mutually A-conjugate, so their block is diagonal
      // (Saad et al. 2000, Sec. 4); the W block and the W–P block are computed.
      const pp = i >= kw && j >= kw && i !== j;
      G[i * s + j] = G[j * s + i] = pp ? 0 : 0.5 * (dot(Z[i], AZ[j]) + dot(Z[j], AZ[i]));
      F[i * s + j] = F[j * s + i] = dot(Z[i], Mz[j]);
    }
  }
  let L;
  try {
    L = la.cholesky(mat(s, s, G));
  } catch {
    return []; // a numerically dependent basis (e.g. converged in a few steps): restart without recycling
  }
  const Linv = la.triSolve(L, mat(s, s, eyeData(s)), { lower: true }); // L⁻¹
  const C = la.matmul(la.matmul(Linv, mat(s, s, F)), Linv, { transB: true }); // L⁻¹ F L⁻ᵀ
  const { vectors } = la.eigh(C);
  const Y = la.triSolve(L, vectors, { lower: true, trans: true }); // L⁻ᵀ V, columns ascending in μ
  const kk = Math.min(k, s), W: Float64Array[] = [];
  for (let c = s - 1; c >= s - kk; c--) {
    const w = new Float64Array(n);
    for (let i = 0; i < s; i++) {
      const y = Y.data[i * s + c], zi = Z[i];
      for (let j = 0; j < n; j++) w[j] += y * zi[j];
    }
    W.push(w);
  }
  return W;
}

function eyeData(s: number): Float64Array {
  const e = new Float64Array(s * s);
  for (let i = 0; i < s; i++) e[i * s + i] = 1;
  return e;
}

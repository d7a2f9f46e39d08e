/**
 * Small SPD networks with hand-written gradients.
 *
 * - Matrix functions f(X) = U f(Λ) Uᵀ by a cyclic Jacobi eigensolver; their backward pass by the Daleckii–Krein
 *   formula ∂L/∂X = U (K ∘ Uᵀ sym(G) U) Uᵀ with K_ij = (f(λ_i) − f(λ_j))/(λ_i − λ_j), K_ii = f′(λ_i) (the
 *   formula SPDNet's ReEig/LogEig backprop reduces to; Ionescu et al. 2015, Brooks et al. 2019).
 * - SPDNet (Huang & Van Gool 2017): BiMap Y = WᵀXW with W on the Stiefel manifold (Riemannian SGD, QR
 *   retraction), ReEig max(λ, ε), LogEig log(Y), then a linear softmax layer on the upper triangle of log(Y).
 * - Gyro MLR in the affine-invariant gyrovector space of SPD matrices (Nguyen & Yang 2023, after Nguyen 2022):
 *   with the gyroaddition P ⊕ Q = P^{1/2} Q P^{1/2}, the gyroinverse ⊖P = P^{−1}, and the SPD inner product
 *   ⟨P, Q⟩ = ⟨log P, log Q⟩_F, class k's logit is ⟨⊖P_k ⊕ Y, W_k⟩ = ⟨log(P_k^{−1/2} Y P_k^{−1/2}), W_k⟩_F (the
 *   signed pseudo-gyrodistance to the gyro-hyperplane through P_k with normal W_k, times ‖W_k‖). P_k is learnt as
 *   P_k^{−1/2} = exp(T_k), T_k and W_k symmetric.
 */
import { gramSchmidtSmall, matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import { jacobiEigen } from "../../lib/math/linalg/jacobi.ts";

/** Symmetric eigendecomposition by cyclic Jacobi rotations (lib/math/linalg/jacobi.ts): A = U diag(λ) Uᵀ. */
export function eigSym(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const { w, V } = jacobiEigen(a, d);
  return { values: w, vectors: V };
}

/** A scalar function with its derivative, applied to eigenvalues. */
export interface ScalarFn {
  f: (x: number) => number;
  df: (x: number) => number;
}

export const LOG: ScalarFn = { f: Math.log, df: (x) => 1 / x };
export const EXP: ScalarFn = { f: Math.exp, df: Math.exp };
export const reeig = (eps: number): ScalarFn => ({ f: (x) => Math.max(x, eps), df: (x) => (x > eps ? 1 : 0) });

/** f(X) for symmetric X, with what its backward pass needs. */
export interface MatFn {
  out: Float64Array;
  U: Float64Array;
  lam: Float64Array;
  fl: Float64Array;
  fn: ScalarFn;
}

export function matFn(x: Float64Array, d: number, fn: ScalarFn): MatFn {
  const { values: lam, vectors: U } = eigSym(x, d);
  const fl = lam.map(fn.f);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += U[i * d + k] * fl[k] * U[j * d + k];
      out[i * d + j] = out[j * d + i] = s;
    }
  }
  return { out, U, lam, fl, fn };
}

/** Daleckii–Krein backward: ∂L/∂X given G = ∂L/∂f(X). */
export function matFnBackward(m: MatFn, g: Float64Array, d: number): Float64Array {
  const { U, lam, fl, fn } = m;
  // H = Uᵀ sym(G) U
  const T = new Float64Array(d * d), H = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let l = 0; l < d; l++) s += 0.5 * (g[i * d + l] + g[l * d + i]) * U[l * d + k];
      T[i * d + k] = s; // sym(G) U
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += U[i * d + a] * T[i * d + b];
      const dl = lam[a] - lam[b];
      const K = Math.abs(dl) > 1e-10 * Math.max(1, Math.abs(lam[a])) ? (fl[a] - fl[b]) / dl : fn.df(lam[a]);
      H[a * d + b] = s * K;
    }
  }
  return matmulSmall(matmulSmall(U, H, d, d, d), U, d, d, d, { transB: true }); // U H Uᵀ
}

export function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

/** Y = Wᵀ X W for W (d×e). */
export function bimap(x: Float64Array, w: Float64Array, d: number, e: number): Float64Array {
  const xw = matmulSmall(x, w, d, d, e);
  const y = matmulSmall(transpose(w, d, e), xw, e, d, e);
  for (let i = 0; i < e; i++) {
    for (let j = i + 1; j < e; j++) y[i * e + j] = y[j * e + i] = 0.5 * (y[i * e + j] + y[j * e + i]);
  }
  return y;
}

/** Upper-triangle vectorisation with √2 off the diagonal (an isometry of the Frobenius inner product). */
export function vecSym(a: Float64Array, e: number): Float64Array {
  const v = new Float64Array((e * (e + 1)) / 2);
  let t = 0;
  for (let i = 0; i < e; i++) for (let j = i; j < e; j++) v[t++] = i === j ? a[i * e + j] : Math.SQRT2 * a[i * e + j];
  return v;
}

export function unvecSym(v: Float64Array, e: number): Float64Array {
  const a = new Float64Array(e * e);
  let t = 0;
  for (let i = 0; i < e; i++) {
    for (let j = i; j < e; j++) {
      if (i === j) a[i * e + j] = v[t++];
      else a[i * e + j] = a[j * e + i] = v[t++] / Math.SQRT2;
    }
  }
  return a;
}

/** Orthonormalise the columns of W (d×e) by modified Gram–Schmidt (the Q factor of a QR retraction). */
export function qf(w: Float64Array, d: number, e: number): Float64Array {
  return gramSchmidtSmall(Float64Array.from(w), d, e);
}

/** Riemannian gradient on the Stiefel manifold (embedded metric): G − W sym(WᵀG). */
export function stiefelGrad(w: Float64Array, g: Float64Array, d: number, e: number): Float64Array {
  const wtg = matmulSmall(transpose(w, d, e), g, e, d, e);
  const s = new Float64Array(e * e);
  for (let i = 0; i < e; i++) for (let j = 0; j < e; j++) s[i * e + j] = 0.5 * (wtg[i * e + j] + wtg[j * e + i]);
  const ws = matmulSmall(w, s, d, e, e);
  return g.map((v, i) => v - ws[i]);
}

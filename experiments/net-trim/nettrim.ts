/**
 * Net-Trim layer program (Aghasi, Abdi, Romberg, "Fast convex pruning of deep neural networks", arXiv
 * 1806.06457, constrained form; parallel scheme). For layer input X (P samples × N, a ones column appended
 * for the bias) and the trained layer's response Y = ReLU(X·W₀) (P × M), each neuron j solves
 *
 *   min ‖w_j‖₁  s.t.  ‖(X w_j − y_j)_Ω‖₂ ≤ ε_j,  (X w_j)_{Ωᶜ} ≤ 0,     Ω = {p : y_pj > 0}
 *
 * (the ReLU-response constraint relaxed to a convex set: on active samples stay within ε of the old response,
 * on inactive ones keep the pre-activation non-positive). For the linear output layer Ω is every sample.
 * ADMM on the splitting  min ‖U‖₁ + 𝟙_C(Z)  s.t.  Z = X W,  U = W  (scaled duals Λ₁, Λ₂, penalty ρ):
 *   W ← (XᵀX + I)⁻¹ (Xᵀ(Z − Λ₁) + U − Λ₂)
 *   Z ← Π_C(X W + Λ₁)                 (per column: ball around y_Ω of radius ε_j; clamp ≤ 0 on Ωᶜ)
 *   U ← soft(W + Λ₂, 1/ρ)             (bias row not thresholded)
 *   Λ₁ += X W − Z;  Λ₂ += W − U
 * All M neurons run at once as matrix columns; the returned weights are U (exactly sparse).
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import type { Mat } from "../../lib/math/linalg/types.ts";

export interface TrimOptions {
  /** ε_j = epsRel · ‖y_j‖₂ (relative response error allowed per neuron). */
  epsRel: number;
  rho: number;
  iters: number;
  /** True for hidden ReLU layers, false for the linear output layer. */
  relu: boolean;
}

/** Append a ones column: [X, 1]. */
export function withOnes(x: Mat<Float64Array>): Mat<Float64Array> {
  const out = mat(x.rows, x.cols + 1);
  for (let i = 0; i < x.rows; i++) {
    out.data.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), i * (x.cols + 1));
    out.data[i * (x.cols + 1) + x.cols] = 1;
  }
  return out;
}

/** Projection onto C for every column of V (in place). */
export function projectC(v: Float64Array, y: Float64Array, P: number, M: number, eps: Float64Array, relu: boolean) {
  for (let j = 0; j < M; j++) {
    let d2 = 0;
    for (let p = 0; p < P; p++) {
      const t = p * M + j;
      if (!relu || y[t] > 0) d2 += (v[t] - y[t]) ** 2;
      else if (v[t] > 0) v[t] = 0;
    }
    const d = Math.sqrt(d2);
    if (d > eps[j]) {
      const s = eps[j] / d;
      for (let p = 0; p < P; p++) {
        const t = p * M + j;
        if (!relu || y[t] > 0) v[t] = y[t] + s * (v[t] - y[t]);
      }
    }
  }
}

/**
 * Solve the layer program by ADMM. `xa` is the augmented input [X, 1] (P × (N+1)), `y` the response to keep,
 * `w0` the trained augmented weights [W₀; b₀] (warm start). Returns the sparse augmented weights U and the
 * primal residual history (‖XW − Z‖_F + ‖W − U‖_F, per iteration).
 */
export function netTrimLayer(
  xa: Mat<Float64Array>,
  y: Mat<Float64Array>,
  w0: Mat<Float64Array>,
  o: TrimOptions,
): { w: Mat<Float64Array>; residual: number[] } {
  const la = getLinalg();
  const P = xa.rows, N = xa.cols, M = y.cols;
  const eps = new Float64Array(M);
  for (let j = 0; j < M; j++) {
    let s = 0;
    for (let p = 0; p < P; p++) s += y.data[p * M + j] ** 2;
    eps[j] = o.epsRel * Math.sqrt(s);
  }
  const g = la.matmul(xa, xa, { transA: true }) as Mat<Float64Array>;
  for (let i = 0; i < N; i++) g.data[i * N + i] += 1;
  const chol = la.cholesky(g);
  let w: Mat<Float64Array> = mat(N, M, w0.data.slice());
  const z = la.matmul(xa, w) as Mat<Float64Array>;
  projectC(z.data, y.data, P, M, eps, o.relu);
  const u = mat(N, M, w0.data.slice());
  const l1 = new Float64Array(P * M), l2 = new Float64Array(N * M);
  const thr = 1 / o.rho;
  const residual: number[] = [];
  for (let it = 0; it < o.iters; it++) {
    const zl = mat(P, M);
    for (let t = 0; t < zl.data.length; t++) zl.data[t] = z.data[t] - l1[t];
    const rhs = la.matmul(xa, zl, { transA: true }) as Mat<Float64Array>;
    for (let t = 0; t < rhs.data.length; t++) rhs.data[t] += u.data[t] - l2[t];
    w = la.choSolve(chol, rhs) as Mat<Float64Array>;
    const xw = la.matmul(xa, w) as Mat<Float64Array>;
    for (let t = 0; t < z.data.length; t++) z.data[t] = xw.data[t] + l1[t];
    projectC(z.data, y.data, P, M, eps, o.relu);
    for (let t = 0; t < u.data.length; t++) {
      const v = w.data[t] + l2[t];
      const bias = t >= (N - 1) * M;
      u.data[t] = bias ? v : Math.sign(v) * Math.max(Math.abs(v) - thr, 0);
    }
    let r1 = 0, r2 = 0;
    for (let t = 0; t < l1.length; t++) {
      const r = xw.data[t] - z.data[t];
      l1[t] += r;
      r1 += r * r;
    }
    for (let t = 0; t < l2.length; t++) {
      const r = w.data[t] - u.data[t];
      l2[t] += r;
      r2 += r * r;
    }
    residual.push(Math.sqrt(r1) + Math.sqrt(r2));
  }
  return { w: u, residual };
}

/** Keep the k largest-|w| entries of the weight rows (bias row kept), zero the rest. */
export function magnitudePrune(wa: Mat<Float64Array>, keep: number): Mat<Float64Array> {
  const N = wa.rows - 1, M = wa.cols;
  const out = mat(wa.rows, M, wa.data.slice());
  const mags = Array.from(wa.data.subarray(0, N * M), Math.abs).sort((a, b) => b - a);
  const cut = keep > 0 ? mags[Math.min(keep, mags.length) - 1] : Infinity;
  let kept = 0;
  for (let t = 0; t < N * M; t++) {
    if (Math.abs(out.data[t]) >= cut && kept < keep && out.data[t] !== 0) kept++;
    else out.data[t] = 0;
  }
  return out;
}

/** Nonzeros among the weight rows (bias row excluded). */
export function nnzWeights(wa: Mat<Float64Array>): number {
  let c = 0;
  for (let t = 0; t < (wa.rows - 1) * wa.cols; t++) if (wa.data[t] !== 0) c++;
  return c;
}

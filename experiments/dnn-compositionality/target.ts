/**
 * Synthetic compositions f* = h∘g (the setting of Jacot, Choi & Wen 2024, §1 and the abstract): an inner map
 * g: ℝ^d → ℝ^k that reduces the dimension, and an outer function h: ℝ^k → ℝ of controlled (low) smoothness ν.
 *
 * - `radial` (symmetry): x = r·u with u uniform on the sphere S^{d−1} and r ~ U[0.5, 1.5]; g(x) = (‖x‖ − 0.5) ∈ [0, 1]
 *   is the quotient map of the rotation group, k = 1. f* is invariant under every rotation of x.
 * - `project` (dimension reduction): x ~ N(0, I_d); g(x) = Pᵀx / 2 with P a random d×k matrix with orthonormal
 *   columns, k ≪ d.
 *
 * h is a random Fourier series with power-law amplitudes, h(s) = Σ_{j=1}^{J} j^{−(ν + k/2)} cos(π j ω_jᵀs + φ_j)
 * (ω_j uniform on S^{k−1}, scaled by 2 when k = 1 so that the period matches [0, 1]; φ_j uniform), whose Sobolev
 * smoothness is ν (up to a logarithm: Σ j^{2ν}·j^{−2ν−k}·j^{k−1} diverges like log J). It is standardised to mean 0
 * and variance 1 on the test inputs.
 */
import type { Rng } from "../../lib/math/rng.ts";

/** What sets a target. */
export interface TargetSpec {
  task: "radial" | "project";
  /** Ambient dimension d. */
  d: number;
  /** Intrinsic dimension k of `project` (radial: 1). */
  k: number;
  /** Smoothness ν of h. */
  nu: number;
  /** Number of Fourier terms J. */
  terms: number;
}

/** A drawn target: the inner map g, the outer h, and f* = h∘g standardised. */
export interface Target {
  spec: TargetSpec;
  /** Intrinsic dimension (1 for radial). */
  k: number;
  /** g(x) for one row x (length d), into `out` (length k). */
  g(x: ArrayLike<number>, off: number, out: Float64Array): void;
  /** h(s), unstandardised. */
  h(s: Float64Array): number;
  /** Orthonormal projection P (d×k row-major), for `project`. */
  p?: Float64Array;
  /** Standardisation: f* = (h∘g − shift)/scale. */
  shift: number;
  scale: number;
}

/** n inputs (n × d, row-major) from the task's input law. */
export function sampleInputs(spec: TargetSpec, n: number, rng: Rng): Float64Array {
  const { d } = spec, x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = rng.normal(d) as Float64Array;
    if (spec.task === "radial") {
      let s = 0;
      for (let j = 0; j < d; j++) s += z[j] * z[j];
      const r = 0.5 + rng.uniform(), f = r / Math.sqrt(s);
      for (let j = 0; j < d; j++) x[i * d + j] = z[j] * f;
    } else x.set(z, i * d);
  }
  return x;
}

/** Gram–Schmidt on k Gaussian columns: a d×k matrix with orthonormal columns (row-major). */
export function randomOrthonormal(d: number, k: number, rng: Rng): Float64Array {
  const p = new Float64Array(d * k);
  for (let c = 0; c < k; c++) {
    const v = rng.normal(d) as Float64Array;
    for (let c2 = 0; c2 < c; c2++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i] * p[i * k + c2];
      for (let i = 0; i < d; i++) v[i] -= dot * p[i * k + c2];
    }
    let nrm = 0;
    for (let i = 0; i < d; i++) nrm += v[i] * v[i];
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < d; i++) p[i * k + c] = v[i] / nrm;
  }
  return p;
}

/** Draws g and h; `reference` inputs (the test set) fix the standardisation. */
export function drawTarget(spec: TargetSpec, rng: Rng, reference: Float64Array): Target {
  const k = spec.task === "radial" ? 1 : spec.k, d = spec.d, J = spec.terms;
  const amp = new Float64Array(J), phase = new Float64Array(J), omega = new Float64Array(J * k);
  for (let j = 0; j < J; j++) {
    amp[j] = (j + 1) ** -(spec.nu + k / 2);
    phase[j] = 2 * Math.PI * rng.uniform();
    const w = rng.normal(k) as Float64Array;
    let n = 0;
    for (let c = 0; c < k; c++) n += w[c] * w[c];
    n = Math.sqrt(n);
    for (let c = 0; c < k; c++) omega[j * k + c] = ((k === 1 ? 2 : 1) * w[c]) / n;
  }
  const p = spec.task === "project" ? randomOrthonormal(d, k, rng) : undefined;
  const g = (x: ArrayLike<number>, off: number, out: Float64Array) => {
    if (!p) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[off + j] ** 2;
      out[0] = Math.sqrt(s) - 0.5;
      return;
    }
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[off + j] * p[j * k + c];
      out[c] = s / 2;
    }
  };
  const h = (s: Float64Array) => {
    let v = 0;
    for (let j = 0; j < J; j++) {
      let t = 0;
      for (let c = 0; c < k; c++) t += omega[j * k + c] * s[c];
      v += amp[j] * Math.cos(Math.PI * (j + 1) * t + phase[j]);
    }
    return v;
  };
  const t: Target = { spec, k, g, h, p, shift: 0, scale: 1 };
  const y = evaluate(t, reference, reference.length / d);
  let m = 0, v = 0;
  for (const yi of y) m += yi / y.length;
  for (const yi of y) v += (yi - m) ** 2 / y.length;
  t.shift = m;
  t.scale = Math.sqrt(v);
  return t;
}

/** f*(x) for n rows of x. */
export function evaluate(t: Target, x: Float64Array, n: number): Float64Array {
  const d = t.spec.d, s = new Float64Array(t.k), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t.g(x, i * d, s);
    y[i] = (t.h(s) - t.shift) / t.scale;
  }
  return y;
}

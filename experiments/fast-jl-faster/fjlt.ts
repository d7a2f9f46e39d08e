/**
 * The Fast Johnson–Lindenstrauss transform of Ailon and Chazelle (SICOMP'09), f(x) = (1/√k)·P·H·D·x, as analysed
 * by Fandina, Høgsgaard, Larsen (ICML 2023): D is a diagonal of random signs, H the normalized d×d Walsh–Hadamard
 * matrix, and P a k×d matrix whose entries are independently 0 with probability 1 − q and N(0, 1/q) with
 * probability q, so E‖f(x)‖² = ‖x‖². q = 1 gives a dense Gaussian matrix after the (then irrelevant) H·D.
 */
import { fwht, sign, type SketchRng } from "../../lib/math/sketch/mod.ts";
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";

type M64 = Mat<Float64Array>;

/** Ailon–Chazelle sparsity q_AC = min(1, ln²n / d) (their Θ(·) with constant 1). */
export function qAilonChazelle(n: number, d: number): number {
  return Math.min(1, Math.log(n) ** 2 / d);
}

/** The paper's sparsity gain α = min(ε⁻¹ ln(1/ε), ln n) (its Ω(·) with constant 1). */
export function alphaGain(eps: number, n: number): number {
  return Math.min(Math.log(1 / eps) / eps, Math.log(n));
}

/** Target dimension k = ⌈c·ε⁻²·ln n⌉. */
export function targetDim(eps: number, n: number, c: number): number {
  return Math.ceil((c * Math.log(n)) / (eps * eps));
}

/** Embed the rows of X (N points × d, d a power of two) into k dimensions; also returns nnz(P). */
export function fjlt(x: M64, k: number, q: number, rng: SketchRng): { y: M64; nnz: number } {
  const { rows: npts, cols: d } = x;
  // Z = H·D·Xᵀ (d × N): coordinates as rows so one FWHT pass transforms every point.
  const z = new Float64Array(d * npts);
  for (let j = 0; j < d; j++) {
    const s = sign(rng) / Math.sqrt(d);
    for (let i = 0; i < npts; i++) z[j * npts + i] = s * x.data[i * d + j];
  }
  fwht(z, d, npts);
  const scale = 1 / Math.sqrt(q * k);
  if (q >= 1) {
    // Dense P: (1/√k)·Zᵀ·Pᵀ by BLAS.
    const p = { rows: k, cols: d, data: rng.normal(k * d).map((v) => v * scale) };
    const y = getLinalg().matmul({ rows: d, cols: npts, data: z }, p, { transA: true, transB: true }) as M64;
    return { y, nnz: k * d };
  }
  // P: each entry nonzero with probability q, value N(0, 1/q); the output is (1/√k)·P·Z, stored N × k.
  const out = new Float64Array(npts * k);
  let nnz = 0;
  for (let r = 0; r < k; r++) {
    for (let j = 0; j < d; j++) {
      if (rng.uniform() >= q) continue;
      const v = rng.normal(1)[0] * scale;
      nnz++;
      for (let i = 0; i < npts; i++) out[i * k + r] += v * z[j * npts + i];
    }
  }
  return { y: { rows: npts, cols: k, data: out }, nnz };
}

/**
 * Largest pairwise distortion max_{i<j} |‖y_i − y_j‖ / ‖x_i − x_j‖ − 1| (norms, not squares), from the Gram
 * matrices of X and Y.
 */
export function maxDistortion(x: M64, y: M64, gram: (a: M64) => M64): number {
  const gx = gram(x), gy = gram(y), n = x.rows;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = gx.data[i * n + i] + gx.data[j * n + j] - 2 * gx.data[i * n + j];
      const dy = gy.data[i * n + i] + gy.data[j * n + j] - 2 * gy.data[i * n + j];
      if (dx <= 0) continue;
      worst = Math.max(worst, Math.abs(Math.sqrt(Math.max(dy, 0) / dx) - 1));
    }
  }
  return worst;
}

/**
 * The per-row least-squares updates of alternating minimization, exact and sketched.
 *
 * One AltMin half-step solves, for every row r of the unknown factor X (n×k),
 *   x_r = argmin_x ‖A_r x − b_r‖₂,  A_r = F[Ω_r, :] (|Ω_r|×k rows of the fixed factor F),  b_r = M[r, Ω_r],
 * i.e. the weighted multiple-response regression min_X ‖P_Ω(F·Xᵀ − Mᵀ)‖_F split by rows.
 *
 * - `solveRowsExact`: normal equations A_rᵀA_r x = A_rᵀb_r, Cholesky — the exact update of JNS13,
 *   O(|Ω_r|·k²) per row (symmetric half of the Gram only), O(|Ω|·k²) per half-step.
 * - `solveRowsSketched`: sketch-and-precondition (Gu–Song–Yin–Zhang: "a sketching-based preconditioner"
 *   feeding "a high accuracy regression solver"): CountSketch S with s rows, R from (S·A_r) (R = Cholesky
 *   factor of (SA_r)ᵀ(SA_r), which equals QR's R up to signs), warm start at the sketch-and-solve point
 *   x₀ = argmin ‖S(A_r x − b_r)‖, then `iters` steps of CG on the normal equations preconditioned by
 *   (RᵀR)⁻¹ (CGLS on A_r·R⁻¹). O(|Ω_r|·k·(2 + 2·iters) + s·k² + k³) per row: O(|Ω|·k) when |Ω_r| ≫ k².
 *
 * Both read the same CSR layout. The dense k×k Grams (A_rᵀA_r for the exact solve, (SA_r)ᵀ(SA_r) for the sketch's
 * preconditioner) go through BLAS (one dgemm per row on the gathered [A_r | b_r]) when a native `Linalg` is given —
 * the strongest implementation available here, for both methods alike; without one (the js fallback), through the
 * plain upper-triangle loops, which beat ml-matrix at these sizes. The sketch's O(|Ω_r|·k) gathers and CG
 * matrix–vector products stay plain loops (BLAS level-2 on freshly gathered rows would not be faster).
 */
import type { Rng } from "../../lib/math/rng.ts";
import type { Linalg } from "../../lib/math/linalg/mod.ts";
import type { Csr } from "./data.ts";
import { cholesky } from "./dense.ts";
import { cholSolveSmall } from "../../lib/math/linalg/chol_small.ts";

/**
 * Gram of the gathered rows: g (k×k, upper triangle filled) = WᵀW's leading block and c = Aᵀb, for W = [A | b]
 * (rows×(k+1), row-major) — one dgemm through `la`.
 */
function blasGram(la: Linalg, w: Float64Array, rows: number, k: number, g: Float64Array, c: Float64Array): void {
  const m = { rows, cols: k + 1, data: w.subarray(0, rows * (k + 1)) };
  const p = la.matmul(m, m, { transA: true }).data; // (k+1)×(k+1)
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) g[i * k + j] = p[i * (k + 1) + j];
    c[i] = p[i * (k + 1) + k];
  }
}

export interface SolveStats {
  /** Rows whose Gram (or sketched Gram) was singular and got a tiny ridge / exact fallback. */
  fallbacks: number;
  /** Rows the sketched solver handed to the exact solve because |Ω_r| ≤ s (a sketch would not shrink them). */
  small: number;
}

/** Exact normal-equation solve of one row r into out[r·k ..]; uses scratch g (k×k) and c (k). */
function exactRow(
  f: Float64Array,
  k: number,
  a: Csr,
  r: number,
  out: Float64Array,
  g: Float64Array,
  c: Float64Array,
  ridge: number,
  blas?: { la: Linalg; w: Float64Array },
): boolean {
  g.fill(0);
  c.fill(0);
  if (blas) {
    const { la, w } = blas, k1 = k + 1;
    let t = 0;
    for (let e = a.ptr[r]; e < a.ptr[r + 1]; e++, t++) {
      const off = a.idx[e] * k;
      for (let p = 0; p < k; p++) w[t * k1 + p] = f[off + p];
      w[t * k1 + k] = a.val[e];
    }
    if (t > 0) blasGram(la, w, t, k, g, c);
  } else {
    for (let e = a.ptr[r]; e < a.ptr[r + 1]; e++) {
      const off = a.idx[e] * k, b = a.val[e];
      for (let p = 0; p < k; p++) {
        const ap = f[off + p];
        c[p] += ap * b;
        const gp = p * k;
        for (let q = p; q < k; q++) g[gp + q] += ap * f[off + q]; // upper triangle of A_rᵀA_r
      }
    }
  }
  let trace = 0;
  for (let p = 0; p < k; p++) trace += g[p * k + p] += ridge;
  if (!cholesky(g, k)) {
    if (ridge > 0) throw new Error(`row ${r}: Gram not positive definite even with ridge ${ridge}`);
    // Singular Gram (fewer than k independent observations in this row): redo with a tiny ridge.
    exactRow(f, k, a, r, out, g, c, 1e-12 * (trace / k) + 1e-300, blas);
    return false;
  }
  cholSolveSmall(g, k, c);
  for (let p = 0; p < k; p++) out[r * k + p] = c[p];
  return true;
}

/** Scratch for gathering [A_r | b_r] of the longest row, when BLAS is used. */
function blasScratch(la: Linalg | undefined, a: Csr, nOut: number, k: number) {
  if (!la) return undefined;
  let maxLen = 0;
  for (let r = 0; r < nOut; r++) maxLen = Math.max(maxLen, a.ptr[r + 1] - a.ptr[r]);
  return { la, w: new Float64Array(Math.max(1, maxLen) * (k + 1)) };
}

/**
 * Exact update for every row of `a` (nOut rows): X[r] = argmin ‖F[Ω_r]x − b_r‖. With `la` (native), the Gram
 * [A_r | b_r]ᵀ[A_r | b_r] is one dgemm per row.
 */
export function solveRowsExact(f: Float64Array, k: number, a: Csr, nOut: number, la?: Linalg): {
  x: Float64Array;
  stats: SolveStats;
} {
  const x = new Float64Array(nOut * k), g = new Float64Array(k * k), c = new Float64Array(k);
  const stats: SolveStats = { fallbacks: 0, small: 0 };
  const blas = blasScratch(la, a, nOut, k);
  for (let r = 0; r < nOut; r++) if (!exactRow(f, k, a, r, x, g, c, 0, blas)) stats.fallbacks++;
  return { x, stats };
}

export interface SketchOptions {
  /** Sketch rows s (CountSketch buckets); the preconditioner is built from the s×k matrix S·A_r. */
  sketchRows: number;
  /** Preconditioned CG iterations after the sketch-and-solve warm start (0 = sketch-and-solve only). */
  iters: number;
  rng: Rng;
  /** Native linear algebra for the s×k sketched Gram (and the exact fallback rows); omit for plain loops. */
  la?: Linalg;
}

/** Sketch-and-precondition update for every row of `a` (see the module comment). */
export function solveRowsSketched(f: Float64Array, k: number, a: Csr, nOut: number, opts: SketchOptions): {
  x: Float64Array;
  stats: SolveStats;
} {
  const { sketchRows: s, iters, rng } = opts;
  const blas = blasScratch(opts.la, a, nOut, k);
  const sw = opts.la ? new Float64Array(s * (k + 1)) : undefined;
  const x = new Float64Array(nOut * k);
  const stats: SolveStats = { fallbacks: 0, small: 0 };
  let maxLen = 0;
  for (let r = 0; r < nOut; r++) maxLen = Math.max(maxLen, a.ptr[r + 1] - a.ptr[r]);
  const sa = new Float64Array(s * k), sb = new Float64Array(s);
  const g = new Float64Array(k * k), c = new Float64Array(k);
  const res = new Float64Array(maxLen), q = new Float64Array(maxLen);
  const xr = new Float64Array(k), grad = new Float64Array(k), z = new Float64Array(k), dir = new Float64Array(k);
  for (let r = 0; r < nOut; r++) {
    const lo = a.ptr[r], hi = a.ptr[r + 1], m = hi - lo;
    if (m <= s) {
      stats.small++;
      if (!exactRow(f, k, a, r, x, g, c, 0, blas)) stats.fallbacks++;
      continue;
    }
    // 1. CountSketch: each observed entry goes to one random bucket with a random sign. O(m·k).
    sa.fill(0);
    sb.fill(0);
    for (let e = lo; e < hi; e++) {
      const h = rng.nextU32(), bucket = h % s, sgn = h & 0x80000000 ? -1 : 1;
      const off = a.idx[e] * k, boff = bucket * k;
      for (let l = 0; l < k; l++) sa[boff + l] += sgn * f[off + l];
      sb[bucket] += sgn * a.val[e];
    }
    // 2. Preconditioner R with RᵀR = (SA)ᵀ(SA), and the sketch-and-solve start x₀ = (RᵀR)⁻¹(SA)ᵀ(Sb). O(s·k²).
    g.fill(0);
    xr.fill(0);
    if (sw) {
      for (let t = 0; t < s; t++) {
        for (let l = 0; l < k; l++) sw[t * (k + 1) + l] = sa[t * k + l];
        sw[t * (k + 1) + k] = sb[t];
      }
      blasGram(opts.la!, sw, s, k, g, xr);
    } else {
      for (let t = 0; t < s; t++) {
        const off = t * k, bt = sb[t];
        for (let p = 0; p < k; p++) {
          const ap = sa[off + p];
          xr[p] += ap * bt;
          const gp = p * k;
          for (let qq = p; qq < k; qq++) g[gp + qq] += ap * sa[off + qq];
        }
      }
    }
    if (!cholesky(g, k)) {
      stats.fallbacks++;
      if (!exactRow(f, k, a, r, x, g, c, 0, blas)) stats.fallbacks++;
      continue;
    }
    cholSolveSmall(g, k, xr);
    if (iters > 0) {
      // 3. Preconditioned CG on AᵀA x = Aᵀb from x₀: residual res = b − A x, grad = Aᵀ res, z = (RᵀR)⁻¹ grad.
      grad.fill(0);
      for (let e = lo, t = 0; e < hi; e++, t++) {
        const off = a.idx[e] * k;
        let ax = 0;
        for (let l = 0; l < k; l++) ax += f[off + l] * xr[l];
        const rt = a.val[e] - ax;
        res[t] = rt;
        for (let l = 0; l < k; l++) grad[l] += rt * f[off + l];
      }
      z.set(grad);
      cholSolveSmall(g, k, z);
      let gamma = 0;
      for (let l = 0; l < k; l++) gamma += grad[l] * z[l];
      dir.set(z);
      for (let it = 0; it < iters && gamma > 0; it++) {
        let qq = 0; // q = A·dir
        for (let e = lo, t = 0; e < hi; e++, t++) {
          const off = a.idx[e] * k;
          let v = 0;
          for (let l = 0; l < k; l++) v += f[off + l] * dir[l];
          q[t] = v;
          qq += v * v;
        }
        if (!(qq > 0)) break;
        const alpha = gamma / qq;
        for (let l = 0; l < k; l++) xr[l] += alpha * dir[l];
        if (it === iters - 1) break; // the last step needs no new gradient
        grad.fill(0); // res ← res − α q ; grad = Aᵀ res
        for (let e = lo, t = 0; e < hi; e++, t++) {
          const off = a.idx[e] * k;
          const rt = res[t] - alpha * q[t];
          res[t] = rt;
          for (let l = 0; l < k; l++) grad[l] += rt * f[off + l];
        }
        z.set(grad);
        cholSolveSmall(g, k, z);
        let gammaNew = 0;
        for (let l = 0; l < k; l++) gammaNew += grad[l] * z[l];
        const beta = gammaNew / gamma;
        gamma = gammaNew;
        for (let l = 0; l < k; l++) dir[l] = z[l] + beta * dir[l];
      }
    }
    for (let l = 0; l < k; l++) x[r * k + l] = xr[l];
  }
  return { x, stats };
}

/**
 * Spectral-norm estimates of a circular convolution layer, float64 on the host (OpenBLAS/LAPACK through `Linalg`,
 * or the pure-JS fallback). Each returns the estimate and, for iterative methods, the estimate after each iteration.
 */
import type { Linalg } from "../../lib/math/linalg/mod.ts";
import type { Kernel, Spectrum } from "./conv.ts";
import { realEmbedding } from "./conv.ts";

export interface Estimate {
  sigma: number;
  /** Estimate after iteration t = 0, 1, … (empty for closed-form bounds). */
  trace: number[];
}

/** Sedghi et al. 2019 (exact): max over frequencies of the largest singular value of K̂(ω) (SVD per block). */
export function exactSedghi(spec: Spectrum, la: Linalg): Estimate {
  const { m, c } = spec;
  let best = 0;
  for (const blk of spec.blocks) {
    const s = la.svdvals({ rows: 2 * m, cols: 2 * c, data: realEmbedding(blk, m, c) });
    if (s[0] > best) best = s[0];
  }
  return { sigma: best, trace: [] };
}

/**
 * Gram iteration on every frequency block (Delattre et al. 2023, Algorithm 3 with the rescaling of Sec. 3.2 as in
 * lip4conv `gram_iteration_on_matrix`): G ← G/‖G‖_F, r ← 2(r + log‖G‖_F), G ← Gᴴ G; after t steps the bound is
 * ‖G_t‖_F^{1/2^t} · exp(r_t / 2^t) ≥ σ₁(G₀), and the layer bound is the max over blocks.
 * With G = A + iB stored as [A; B]: Re(GᴴG) = [A;B]ᵀ[A;B], Im(GᴴG) = AᵀB − (AᵀB)ᵀ (two real products).
 */
export function gramIteration(spec: Spectrum, iters: number, la: Linalg): Estimate {
  const F = spec.count;
  let rows = spec.m; // current block is rows × c complex
  const c = spec.c;
  let G: Float64Array[] = spec.blocks.map((b) => b.slice());
  const logScale = new Float64Array(F);
  const trace: number[] = [];
  for (let t = 0; t <= iters; t++) {
    const inv = 2 ** -t;
    let best = -Infinity;
    const norms = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (const x of G[f]) s += x * x;
      norms[f] = Math.sqrt(s);
      const logBound = inv * (Math.log(norms[f]) + logScale[f]); // ‖G_t‖_F^{1/2^t} e^{r_t/2^t}
      if (logBound > best) best = logBound;
    }
    trace.push(Math.exp(best));
    if (t === iters) break;
    const next: Float64Array[] = [];
    for (let f = 0; f < F; f++) {
      const g = G[f], nrm = norms[f];
      for (let j = 0; j < g.length; j++) g[j] /= nrm;
      logScale[f] = 2 * (logScale[f] + Math.log(nrm));
      const re = la.matmul({ rows: 2 * rows, cols: c, data: g }, { rows: 2 * rows, cols: c, data: g }, {
        transA: true,
      });
      const a = { rows, cols: c, data: g.subarray(0, rows * c) };
      const b = { rows, cols: c, data: g.slice(rows * c) };
      const atb = la.matmul(a, b, { transA: true });
      const out = new Float64Array(2 * c * c);
      out.set(re.data as Float64Array, 0);
      for (let i = 0; i < c; i++) {
        for (let j = 0; j < c; j++) out[c * c + i * c + j] = atb.data[i * c + j] - atb.data[j * c + i];
      }
      next.push(out);
    }
    G = next;
    rows = c;
  }
  return { sigma: trace[iters], trace };
}

/**
 * Power iteration on the block-diagonal operator diag(K̂(ω)) — power iteration on the circular convolution in the
 * Fourier basis (the paper's PI baseline; lip4conv runs it with conv2d / conv_transpose2d). x ← Kᴴ K x / ‖·‖,
 * estimate ‖K x‖ with ‖x‖ = 1; a lower bound that converges linearly at rate (σ₂/σ₁)².
 */
export function powerIteration(spec: Spectrum, iters: number, normal: (n: number) => Float64Array): Estimate {
  const { m, c, count: F } = spec;
  const x = normal(2 * F * c); // per block: real c, imag c
  const y = new Float64Array(2 * F * m);
  normalize(x);
  const trace: number[] = [];
  for (let t = 0; t <= iters; t++) {
    // y = K x
    for (let f = 0; f < F; f++) {
      const g = spec.blocks[f], xo = 2 * f * c, yo = 2 * f * m;
      for (let r = 0; r < m; r++) {
        let sr = 0, si = 0;
        for (let j = 0; j < c; j++) {
          const a = g[r * c + j], b = g[(m + r) * c + j], xr = x[xo + j], xi = x[xo + c + j];
          sr += a * xr - b * xi;
          si += a * xi + b * xr;
        }
        y[yo + r] = sr;
        y[yo + m + r] = si;
      }
    }
    trace.push(norm(y));
    if (t === iters) break;
    // x = Kᴴ y, normalized
    for (let f = 0; f < F; f++) {
      const g = spec.blocks[f], xo = 2 * f * c, yo = 2 * f * m;
      for (let j = 0; j < c; j++) {
        let sr = 0, si = 0;
        for (let r = 0; r < m; r++) {
          const a = g[r * c + j], b = g[(m + r) * c + j], yr = y[yo + r], yi = y[yo + m + r];
          sr += a * yr + b * yi; // conj(a + ib)·(yr + i yi)
          si += a * yi - b * yr;
        }
        x[xo + j] = sr;
        x[xo + c + j] = si;
      }
    }
    normalize(x);
  }
  return { sigma: trace[iters], trace };
}

/**
 * Singla & Feizi 2021 ("Fantastic four"): √(hw) · min of the spectral norms of four reshapes of the kernel
 * (lip4conv `compute_singla2021`). We take each reshape's spectral norm from an SVD (the value its 50 power
 * iterations converge to).
 */
export function singla2021(K: Kernel, la: Linalg): Estimate {
  const { cout, cin, k, w } = K;
  const at = (o: number, i: number, a: number, b: number) => w[((o * cin + i) * k + a) * k + b];
  const build = (rows: number, cols: number, fill: (put: (r: number, c: number, v: number) => void) => void) => {
    const d = new Float64Array(rows * cols);
    fill((r, c, v) => (d[r * cols + c] = v));
    return la.svdvals({ rows, cols, data: d })[0];
  };
  const loop = (f: (o: number, i: number, a: number, b: number) => void) => {
    for (let o = 0; o < cout; o++) {
      for (let i = 0; i < cin; i++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) f(o, i, a, b);
    }
  };
  // permute (0,2,1,3): rows (o,a), cols (i,b)
  const s1 = build(cout * k, cin * k, (put) => loop((o, i, a, b) => put(o * k + a, i * k + b, at(o, i, a, b))));
  // permute (0,3,2,1): rows (o,b), cols (a,i)
  const s2 = build(cout * k, k * cin, (put) => loop((o, i, a, b) => put(o * k + b, a * cin + i, at(o, i, a, b))));
  // rows o, cols (i,a,b)
  const s3 = build(cout, cin * k * k, (put) => loop((o, i, a, b) => put(o, (i * k + a) * k + b, at(o, i, a, b))));
  // rows i, cols (o,a,b)
  const s4 = build(cin, cout * k * k, (put) => loop((o, i, a, b) => put(i, (o * k + a) * k + b, at(o, i, a, b))));
  return { sigma: k * Math.min(s1, s2, s3, s4), trace: [] };
}

/**
 * Araujo et al. 2021 (LipGrid): α · max over an S × S grid of ω ∈ [0, 2π]² of ‖K̂(ω)‖_F, with α = 1/(1 − 2d/S),
 * d = (k−1)/2 (lip4conv `compute_araujo2021`, zero padding offset). An upper bound on the continuous-frequency norm.
 */
export function araujo2021(K: Kernel, samples: number): Estimate {
  const { cout, cin, k, w } = K;
  if (k === 1) {
    let s = 0;
    for (const x of w) s += x * x;
    return { sigma: Math.sqrt(s), trace: [] };
  }
  const grid = Array.from({ length: samples }, (_, j) => (2 * Math.PI * j) / (samples - 1));
  const idx = Array.from({ length: k }, (_, a) => a - k + 1); // arange(-k+1, 1)
  const cosB = new Float64Array(k * k), sinB = new Float64Array(k * k);
  let best = 0;
  for (const w0 of grid) {
    for (const w1 of grid) {
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          const ph = w0 * idx[a] + w1 * idx[b];
          cosB[a * k + b] = Math.cos(ph);
          sinB[a * k + b] = Math.sin(ph);
        }
      }
      let s = 0;
      for (let oi = 0; oi < cout * cin; oi++) {
        let re = 0, im = 0;
        for (let t = 0; t < k * k; t++) {
          re += w[oi * k * k + t] * cosB[t];
          im += w[oi * k * k + t] * sinB[t];
        }
        s += re * re + im * im;
      }
      if (s > best) best = s;
    }
  }
  const d = (k - 1) / 2, denom = 1 - (2 * d) / samples;
  return { sigma: (denom ? 1 / denom : 1) * Math.sqrt(best), trace: [] };
}

function norm(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function normalize(v: Float64Array): void {
  const n = norm(v);
  for (let i = 0; i < v.length; i++) v[i] /= n;
}

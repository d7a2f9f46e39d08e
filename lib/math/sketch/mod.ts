/**
 * Random sketching operators S ∈ ℝ^{m×n} applied to a row-major matrix X (n×c), returning S·X (m×c), and the fast
 * Walsh–Hadamard transform they are built on. Shared by the sketching papers (linf-sketch, fast-jl-faster).
 *
 * Every sketch is scaled so that E[SᵀS] = I (so E‖Sx‖² = ‖x‖²), draws all its randomness from the `rng` it is given
 * (anything with `uniform()` and `normal(n)`, e.g. `Rng`), and never mutates its input.
 *
 * @example
 * ```ts
 * import { Rng } from "../rng.ts";
 * import { mat } from "../linalg/mod.ts";
 * const x = mat(1024, 3, new Float64Array(3072).fill(1));
 * const sx = srht(x, 64, Rng.fromSeed(0).split("sketch")); // 64×3
 * ```
 */
import { getLinalg, type Mat } from "../linalg/mod.ts";

/** The randomness a sketch needs. */
export interface SketchRng {
  uniform(): number;
  normal(n: number): Float64Array;
}

type M64 = Mat<Float64Array>;

/** Smallest power of two ≥ n. */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * In-place unnormalized Walsh–Hadamard transform along the rows of a row-major n×c array (n a power of two):
 * column j becomes H_n·x_j with H_n = [[H, H], [H, −H]] (entries ±1), in n·log₂n·c additions.
 *
 * @example
 * ```ts
 * const v = Float64Array.from([1, 0, 0, 0]);
 * fwht(v, 4, 1); // v = [1, 1, 1, 1]
 * ```
 */
export function fwht(data: Float64Array, n: number, c = 1): void {
  if (n & (n - 1)) throw new Error(`fwht: n = ${n} is not a power of two`);
  if (data.length !== n * c) throw new Error(`fwht: data has ${data.length} entries, ${n}×${c} needs ${n * c}`);
  for (let h = 1; h < n; h *= 2) {
    for (let i0 = 0; i0 < n; i0 += 2 * h) {
      for (let i = i0; i < i0 + h; i++) {
        const a = i * c, b = (i + h) * c;
        for (let j = 0; j < c; j++) {
          const u = data[a + j], v = data[b + j];
          data[a + j] = u + v;
          data[b + j] = u - v;
        }
      }
    }
  }
}

/** A uniformly random ±1. */
export function sign(rng: SketchRng): number {
  return rng.uniform() < 0.5 ? -1 : 1;
}

/** `k` distinct integers drawn uniformly from [0, n) (Floyd's algorithm; k ≤ n). */
export function sampleWithoutReplacement(n: number, k: number, rng: SketchRng): Int32Array {
  if (k > n) throw new Error(`sampleWithoutReplacement: k = ${k} > n = ${n}`);
  const chosen = new Set<number>();
  const out = new Int32Array(k);
  let t = 0;
  for (let j = n - k; j < n; j++) {
    const r = Math.floor(rng.uniform() * (j + 1));
    const pick = chosen.has(r) ? j : r;
    chosen.add(pick);
    out[t++] = pick;
  }
  return out;
}

/**
 * Dense Gaussian sketch, S_ij ~ N(0, 1/m) i.i.d.
 *
 * By rotation invariance, S·X has the same law as G·R where X = QR is a thin QR factorization and G is m×k
 * Gaussian (k = min(n, c)); that costs O(nc² + mck) instead of O(mnc) and is what `method: "rotated"` (default)
 * computes. `method: "explicit"` draws the m×n matrix itself, skipping all-zero rows of X (their columns of S
 * never touch the product). Pass `r` (the R factor of X) to reuse one QR across many draws.
 */
export function gaussianSketch(
  x: M64,
  m: number,
  rng: SketchRng,
  opts: { method?: "rotated" | "explicit"; r?: M64 } = {},
): M64 {
  const { rows: n, cols: c } = x;
  const out = new Float64Array(m * c);
  const s = 1 / Math.sqrt(m);
  if ((opts.method ?? "rotated") === "rotated" && n > c) {
    const r = opts.r ?? (getLinalg().qr(x).r as M64);
    const k = r.rows;
    const g = rng.normal(m * k);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < k; l++) {
        const gil = g[i * k + l] * s;
        if (gil === 0) continue;
        for (let j = l; j < c; j++) out[i * c + j] += gil * r.data[l * c + j];
      }
    }
    return { rows: m, cols: c, data: out };
  }
  for (let t = 0; t < n; t++) {
    let nz = false;
    for (let j = 0; j < c && !nz; j++) nz = x.data[t * c + j] !== 0;
    if (!nz) continue;
    const g = rng.normal(m);
    for (let i = 0; i < m; i++) {
      const gi = g[i] * s;
      for (let j = 0; j < c; j++) out[i * c + j] += gi * x.data[t * c + j];
    }
  }
  return { rows: m, cols: c, data: out };
}

/**
 * Subsampled randomized Hadamard transform S = √(N/m)·P·(H_N/√N)·D (Ailon–Chazelle; Tropp 2011): D random signs,
 * H_N the Walsh–Hadamard matrix on N = nextPow2(n) (X is zero-padded), P samples m of the N rows without
 * replacement. O(N log N · c).
 */
export function srht(x: M64, m: number, rng: SketchRng): M64 {
  const { rows: n, cols: c } = x;
  const nn = nextPow2(n);
  if (m > nn) throw new Error(`srht: m = ${m} exceeds the padded dimension ${nn}`);
  const y = new Float64Array(nn * c);
  for (let t = 0; t < n; t++) {
    const d = sign(rng);
    for (let j = 0; j < c; j++) y[t * c + j] = d * x.data[t * c + j];
  }
  fwht(y, nn, c);
  const rows = sampleWithoutReplacement(nn, m, rng);
  const scale = 1 / Math.sqrt(m); // √(N/m) · 1/√N
  const out = new Float64Array(m * c);
  for (let i = 0; i < m; i++) {
    const src = rows[i] * c;
    for (let j = 0; j < c; j++) out[i * c + j] = scale * y[src + j];
  }
  return { rows: m, cols: c, data: out };
}

/**
 * OSNAP (Nelson–Nguyên 2013): every column of S has exactly `s` nonzeros ±1/√s in `s` distinct uniformly random
 * rows. s = 1 is CountSketch (Charikar–Chen–Farach-Colton; Clarkson–Woodruff 2013). O(nnz(X)·s).
 */
export function osnap(x: M64, m: number, s: number, rng: SketchRng): M64 {
  const { rows: n, cols: c } = x;
  if (s > m) throw new Error(`osnap: s = ${s} nonzeros per column exceed m = ${m} rows`);
  const out = new Float64Array(m * c);
  const w = 1 / Math.sqrt(s);
  for (let t = 0; t < n; t++) {
    const hs = s === 1 ? Int32Array.of(Math.floor(rng.uniform() * m)) : sampleWithoutReplacement(m, s, rng);
    for (let q = 0; q < s; q++) {
      const v = sign(rng) * w, dst = hs[q] * c;
      for (let j = 0; j < c; j++) out[dst + j] += v * x.data[t * c + j];
    }
  }
  return { rows: m, cols: c, data: out };
}

/** CountSketch: one ±1 per column of S, in a uniformly random row (OSNAP with s = 1). */
export function countSketch(x: M64, m: number, rng: SketchRng): M64 {
  return osnap(x, m, 1, rng);
}

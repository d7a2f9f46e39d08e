/**
 * Solvers of the block-bidiagonal system of one Newton step, written as the linear recurrence
 *
 *   δ_t = J_t δ_{t−1} + r_t,  t = 0..L−1,  δ_{−1} = 0  (J_0 is ignored and set to 0),
 *
 * with J_t block-diagonal: n independent m × m blocks (m = 1: diagonal Jacobians, the GRU; m = 2: the LSTM-CIFG).
 * The pairs (J_t, r_t) compose associatively: (J_t, r_t) ∘ (J_s, r_s) = (J_t J_s, J_t r_s + r_t), which is what makes
 * the recurrence solvable by a log-depth parallel prefix (Danieli et al., arXiv 2510.21450, "parallel reduction").
 *
 * - {@link solveSequential}: forward substitution, depth L − 1 (the sequential loop).
 * - {@link solveDoubling}: recursive doubling (Hillis–Steele): round s combines every t ≥ 2^s with t − 2^s, so after
 *   ⌈log₂ L⌉ rounds every δ_t is final; work O(L log L). The official code's PyTorch reference
 *   (`ParallelSolve.parallel_reduce` with `_reduction_step_diag`) has this structure.
 * - {@link solveChunked}: the structure of the official CUDA kernel (`csrc/parallel_reduction_kernel.h`): forward
 *   substitution inside chunks of c steps ("Thomas"), recursive doubling over the chunk ends, then substitution of the
 *   previous chunk's end into each chunk; depth 2(c − 1) + ⌈log₂(L/c)⌉, work ≈ 2L + (L/c)·log₂(L/c).
 *
 * Every solver counts its depth (rounds of combines that depend on each other: the critical path on an unbounded
 * number of processors) and its work (combines of one time step, each m²·n multiply-adds for J and m·n for r), the
 * op-count proxy this module reports in place of GPU wall-clock time.
 *
 * Layouts: rhs/δ are L × (m·n) (component i of unit j at t·mn + i·n + j); J is L × m × m × n (entry (i, k) of unit j at
 * t·m²n + (i·m + k)·n + j).
 */

/** The solution and what it cost. */
export interface ScanResult {
  x: Float64Array;
  /** Rounds of dependent combines (critical path length). */
  depth: number;
  /** Combines of one time step (each touches all n blocks). */
  work: number;
}

/** Block dimensions of a system: n blocks of size m. */
export interface Blocks {
  n: number;
  m: 1 | 2;
}

/**
 * rhs_t ← J_t rhs_s + rhs_t, and with `withJ` also J_t ← J_t J_s: the combine (J_t, r_t) ∘ (J_s, r_s), in place at t.
 */
function combine(jac: Float64Array, rhs: Float64Array, t: number, s: number, b: Blocks, withJ: boolean): void {
  const { n, m } = b;
  if (m === 1) {
    const jt = t * n, js = s * n;
    for (let j = 0; j < n; j++) {
      const a = jac[jt + j];
      rhs[jt + j] += a * rhs[js + j];
      if (withJ) jac[jt + j] = a * jac[js + j];
    }
    return;
  }
  const jt = t * 4 * n, js = s * 4 * n, rt = t * 2 * n, rs = s * 2 * n;
  for (let j = 0; j < n; j++) {
    const a00 = jac[jt + j], a01 = jac[jt + n + j], a10 = jac[jt + 2 * n + j], a11 = jac[jt + 3 * n + j];
    const r0 = rhs[rs + j], r1 = rhs[rs + n + j];
    rhs[rt + j] += a00 * r0 + a01 * r1;
    rhs[rt + n + j] += a10 * r0 + a11 * r1;
    if (withJ) {
      const b00 = jac[js + j], b01 = jac[js + n + j], b10 = jac[js + 2 * n + j], b11 = jac[js + 3 * n + j];
      jac[jt + j] = a00 * b00 + a01 * b10;
      jac[jt + n + j] = a00 * b01 + a01 * b11;
      jac[jt + 2 * n + j] = a10 * b00 + a11 * b10;
      jac[jt + 3 * n + j] = a10 * b01 + a11 * b11;
    }
  }
}

/** Copies of J (with J_0 = 0) and r, which the parallel solvers overwrite. */
function working(jac: Float64Array, rhs: Float64Array, b: Blocks): { J: Float64Array; x: Float64Array } {
  const J = Float64Array.from(jac);
  J.fill(0, 0, b.m * b.m * b.n);
  return { J, x: Float64Array.from(rhs) };
}

/** Forward substitution δ_t = J_t δ_{t−1} + r_t: the sequential reference; depth and work L − 1. */
export function solveSequential(jac: Float64Array, rhs: Float64Array, L: number, b: Blocks): ScanResult {
  const x = Float64Array.from(rhs);
  for (let t = 1; t < L; t++) combine(jac, x, t, t - 1, b, false);
  return { x, depth: Math.max(0, L - 1), work: Math.max(0, L - 1) };
}

/**
 * Recursive doubling over positions `idx` (a strictly increasing list of time steps whose consecutive entries form a
 * recurrence), in place on J and x. Round s combines position k with k − 2^s for all k ≥ 2^s at once; descending k
 * reads each partner before it is overwritten in the same round. Returns [rounds, combines].
 */
function doubling(
  J: Float64Array,
  x: Float64Array,
  idx: (k: number) => number,
  K: number,
  b: Blocks,
): [number, number] {
  let rounds = 0, work = 0;
  for (let d = 1; d < K; d <<= 1) {
    for (let k = K - 1; k >= d; k--) combine(J, x, idx(k), idx(k - d), b, true);
    work += K - d;
    rounds++;
  }
  return [rounds, work];
}

/** Recursive doubling (Hillis–Steele) on all L steps: depth ⌈log₂ L⌉, work Σ_s (L − 2^s). */
export function solveDoubling(jac: Float64Array, rhs: Float64Array, L: number, b: Blocks): ScanResult {
  const { J, x } = working(jac, rhs, b);
  const [depth, work] = doubling(J, x, (k) => k, L, b);
  return { x, depth, work };
}

/**
 * The chunked solve of the official CUDA kernel: (1) forward substitution inside each chunk of `c` steps (chunks in
 * parallel), which writes each δ_t in terms of the previous chunk's last δ; (2) recursive doubling over the chunk ends;
 * (3) each chunk's other entries take the previous chunk's end (one thread per chunk: c − 1 dependent steps, as in the
 * kernel's last loop). Depth (c − 1) + ⌈log₂ ⌈L/c⌉⌉ + (c − 1).
 */
export function solveChunked(jac: Float64Array, rhs: Float64Array, L: number, b: Blocks, c: number): ScanResult {
  const { J, x } = working(jac, rhs, b);
  const chunks = Math.ceil(L / c);
  let work = 0;
  for (let k = 0; k < chunks; k++) {
    for (let t = k * c + 1; t < Math.min(L, (k + 1) * c); t++) combine(J, x, t, t - 1, b, true), work++;
  }
  const end = (k: number) => Math.min(L, (k + 1) * c) - 1;
  const [rounds, w2] = doubling(J, x, end, chunks, b);
  work += w2;
  for (let k = 1; k < chunks; k++) {
    for (let t = k * c; t < end(k); t++) combine(J, x, t, end(k - 1), b, false), work++;
  }
  const inChunk = Math.min(c, L) - 1;
  return { x, depth: 2 * inChunk + rounds, work };
}

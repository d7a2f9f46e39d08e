/**
 * Cyclic Jacobi eigen-decomposition of small symmetric matrices, in plain TypeScript: bitwise the same on every
 * machine and backend, and cheaper than a BLAS call for the 2×2 … 30×30 blocks it serves (BCD blocks, AltMin's
 * k×k Gram matrices, the correlation matrices of spectral unmixing).
 *
 * @example
 * ```ts
 * const { w, V } = jacobiEigen(new Float64Array([2, 1, 1, 2]), 2);   // w = [1, 3] in diagonal order
 * ```
 */

/** Options of {@link jacobiEigen}. */
export interface JacobiOptions {
  /** Sweeps at most (each sweep rotates every pair p < q once). Default 60. */
  maxSweeps?: number;
  /** Stop once Σ_{i<j} a_ij² ≤ tol · Σ_i a_ii². Default 1e-30. */
  tol?: number;
  /** Sort eigenvalues (and their vectors) in descending order; otherwise they come in diagonal order. */
  descending?: boolean;
}

/**
 * Eigenvalues `w` and eigenvectors (the columns of the n×n row-major `V`) of the symmetric row-major n×n `h`,
 * so that h = V·diag(w)·Vᵀ. `h` is not modified.
 */
export function jacobiEigen(
  h: Float64Array,
  n: number,
  opts: JacobiOptions = {},
): { w: Float64Array; V: Float64Array } {
  const { maxSweeps = 60, tol = 1e-30 } = opts;
  if (h.length !== n * n) throw new Error(`jacobiEigen: h has ${h.length} entries, expected ${n}×${n}`);
  const a = h.slice(), V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i] ** 2;
      for (let j = i + 1; j < n; j++) off += a[i * n + j] ** 2;
    }
    if (off <= tol * diag) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) if (a[p * n + q] !== 0) rotate(a, V, n, p, q);
    }
  }
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = a[i * n + i];
  if (!opts.descending) return { w, V };
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => w[j] - w[i] || i - j);
  const ws = new Float64Array(n), Vs = new Float64Array(n * n);
  order.forEach((src, dst) => {
    ws[dst] = w[src];
    for (let k = 0; k < n; k++) Vs[k * n + dst] = V[k * n + src];
  });
  return { w: ws, V: Vs };
}

/** The rotation J in the (p, q) plane that zeroes a_pq: A ← Jᵀ·A·J, V ← V·J. */
function rotate(a: Float64Array, V: Float64Array, n: number, p: number, q: number): void {
  const theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q]);
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1), s = t * c;
  for (let k = 0; k < n; k++) { // A ← A·J (columns p, q)
    const akp = a[k * n + p], akq = a[k * n + q];
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) { // A ← Jᵀ·A (rows p, q)
    const apk = a[p * n + k], aqk = a[q * n + k];
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < n; k++) { // V ← V·J
    const vkp = V[k * n + p], vkq = V[k * n + q];
    V[k * n + p] = c * vkp - s * vkq;
    V[k * n + q] = s * vkp + c * vkq;
  }
}

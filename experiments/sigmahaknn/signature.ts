/**
 * Truncated path signatures of piecewise-linear streams, by Chen's identity: the signature of a stream
 * x₀, …, x_L ∈ ℝ^d (linear between samples) is exp(Δ₁) ⊗ exp(Δ₂) ⊗ … ⊗ exp(Δ_L) in the truncated tensor
 * algebra, Δ_k = x_k − x_{k−1}, exp(Δ) = Σ_l Δ^{⊗l}/l!. Levels are stored one after the other (level l has d^l
 * entries, words in base d, first letter most significant); level 0 (the constant 1) is left out.
 */

/** Number of signature features of levels 1..depth in d channels: d + d² + … + d^depth. */
export function sigDim(d: number, depth: number): number {
  let s = 0, p = 1;
  for (let l = 1; l <= depth; l++) s += p *= d;
  return s;
}

/** Offsets of each level 1..depth in the flat array (offset[l] for level l; offset[1] = 0). */
function offsets(d: number, depth: number): number[] {
  const off = [0, 0];
  let p = d;
  for (let l = 2; l <= depth + 1; l++) off.push(off[l - 1] + p), p *= d;
  return off;
}

/** Truncated tensor product a ⊗ b of two group-like elements (levels 1..depth, level 0 = 1 implied). */
export function sigMul(a: Float64Array, b: Float64Array, d: number, depth: number): Float64Array {
  const off = offsets(d, depth), out = new Float64Array(a.length);
  for (let l = 1; l <= depth; l++) {
    const nl = d ** l, ol = off[l];
    for (let w = 0; w < nl; w++) out[ol + w] = a[ol + w] + b[ol + w];
    for (let i = 1; i < l; i++) {
      const ni = d ** i, nj = d ** (l - i), oi = off[i], oj = off[l - i];
      for (let u = 0; u < ni; u++) {
        const au = a[oi + u];
        if (au === 0) continue;
        for (let v = 0; v < nj; v++) out[ol + u * nj + v] += au * b[oj + v];
      }
    }
  }
  return out;
}

/** exp(Δ) truncated at `depth`: level l is Δ^{⊗l}/l!. */
export function sigExp(delta: ArrayLike<number>, d: number, depth: number): Float64Array {
  const off = offsets(d, depth), out = new Float64Array(sigDim(d, depth));
  for (let c = 0; c < d; c++) out[c] = delta[c];
  for (let l = 2; l <= depth; l++) {
    const prev = off[l - 1], cur = off[l], np = d ** (l - 1);
    for (let u = 0; u < np; u++) {
      for (let c = 0; c < d; c++) out[cur + u * d + c] = out[prev + u] * delta[c] / l;
    }
  }
  return out;
}

/**
 * Signature (levels 1..depth) of the piecewise-linear stream `x` (length × d, row-major). Each segment is folded
 * in place, S ← S ⊗ exp(Δ), from the top level down so that lower levels are still the old ones when used.
 */
export function signature(x: Float64Array, length: number, d: number, depth: number): Float64Array {
  const off = offsets(d, depth), s = new Float64Array(sigDim(d, depth));
  const delta = new Float64Array(d);
  for (let k = 1; k < length; k++) {
    for (let c = 0; c < d; c++) delta[c] = x[k * d + c] - x[(k - 1) * d + c];
    const e = sigExp(delta, d, depth);
    for (let l = depth; l >= 1; l--) {
      const nl = d ** l, ol = off[l];
      for (let w = 0; w < nl; w++) s[ol + w] += e[ol + w];
      for (let i = 1; i < l; i++) {
        const ni = d ** i, nj = d ** (l - i), oi = off[i], oj = off[l - i];
        for (let u = 0; u < ni; u++) {
          const su = s[oi + u];
          if (su === 0) continue;
          for (let v = 0; v < nj; v++) s[ol + u * nj + v] += su * e[oj + v];
        }
      }
    }
  }
  return s;
}

/** Appends time t_k = k/(length − 1) as the first channel (the official default augmentation "addtime"). */
export function addTime(x: Float64Array, length: number, d: number): Float64Array {
  const out = new Float64Array(length * (d + 1));
  for (let k = 0; k < length; k++) {
    out[k * (d + 1)] = length > 1 ? k / (length - 1) : 0;
    for (let c = 0; c < d; c++) out[k * (d + 1) + 1 + c] = x[k * d + c];
  }
  return out;
}

/**
 * Small radix-2 FFT (iterative Cooley–Tukey, in place) and its 2-D version on row-major n×n arrays.
 * Unnormalized forward transform; the inverse divides by the length, so ifft(fft(x)) = x.
 */

/** In-place 1-D FFT of (re, im) at stride `stride` starting at `off`, length n (a power of two). */
function fft1(re: Float64Array, im: Float64Array, off: number, stride: number, n: number, inverse: boolean): void {
  // bit-reversal permutation
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const a = off + i * stride, b = off + j * stride;
      let t = re[a];
      re[a] = re[b];
      re[b] = t;
      t = im[a];
      im[a] = im[b];
      im[b] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = off + (i + k) * stride, b = off + (i + k + len / 2) * stride;
        const xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
  if (inverse) {
    for (let k = 0; k < n; k++) {
      re[off + k * stride] /= n;
      im[off + k * stride] /= n;
    }
  }
}

/** Whether `n` is a positive power of two, the lengths these radix-2 transforms accept. */
export function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** 1-D FFT (copies). */
export function fft(re: Float64Array, im: Float64Array, inverse = false): [Float64Array, Float64Array] {
  if (!isPow2(re.length)) throw new Error(`fft length ${re.length} is not a power of two`);
  const r = re.slice(), i = im.slice();
  fft1(r, i, 0, 1, r.length, inverse);
  return [r, i];
}

/** In-place 2-D FFT of an n×n row-major complex array: rows, then columns. */
export function fft2InPlace(re: Float64Array, im: Float64Array, n: number, inverse = false): void {
  if (!isPow2(n) || re.length !== n * n) throw new Error(`fft2 needs an n×n array with n a power of two`);
  for (let r = 0; r < n; r++) fft1(re, im, r * n, 1, n, inverse);
  for (let c = 0; c < n; c++) fft1(re, im, c, n, n, inverse);
}

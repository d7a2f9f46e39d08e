/**
 * Rotated and permuted variants of square-image datasets (MNIST, Fashion-MNIST, sklearn digits), for transfer
 * and continual-learning papers. Every variant is a pure function of the images and a seed: the same seed gives
 * the same pixels on every machine (randomness from `lib/math/rng.ts`).
 *
 * - `rotateDigits(d, { degrees })`: every image turned counter-clockwise (as displayed, row 0 at the top) about
 *   its centre by the same angle, bilinear interpolation, zero outside — the tasks of "rotated MNIST"
 *   (Lopez-Paz & Ranzato 2017, GEM: one fixed angle per task).
 * - `rotateDigits(d, { maxDegrees, seed })`: each image turned by its own angle, uniform in ±maxDegrees.
 * - `permuteDigits(d, { seed })`: one fixed pixel permutation of the seed applied to every image — "permuted
 *   MNIST" (Goodfellow et al. 2013; Kirkpatrick et al. 2017, EWC).
 * - `permutedTasks` / `rotatedTasks`: a task sequence of those, task 0 being the original images.
 * - `averagePool(images, rows, factor)`: factor×factor average pooling (28 × 28 → 14 × 14 at factor 2).
 *
 * Labels are never changed; the input is never modified.
 *
 * @example
 * ```ts
 * const mnist = await loadMnist();
 * const tasks = permutedTasks(mnist, { tasks: 5, seed: 0 });   // tasks[0] = mnist, 4 permutations
 * const r45 = rotateDigits(mnist, { degrees: 45 });
 * ```
 */
import { Rng } from "../lib/math/rng.ts";
import type { Digits } from "./mnist.ts";

/** Side of the square images in `d` (28 for MNIST, 8 for sklearn digits). */
export function sideOf(d: Digits): number {
  const side = Math.round(Math.sqrt(d.images.length / d.n));
  if (side * side * d.n !== d.images.length) throw new Error(`variants: images are not n square images`);
  return side;
}

/** Turn one side×side image (offset `off` in `src`) counter-clockwise by `theta` radians into `dst` at `off`. */
function rotateOne(src: Float32Array, dst: Float32Array, off: number, side: number, theta: number): void {
  const cos = Math.cos(theta), sin = Math.sin(theta), ctr = (side - 1) / 2;
  for (let r = 0; r < side; r++) {
    const y = ctr - r; // y up
    for (let c = 0; c < side; c++) {
      const x = c - ctr;
      // Source of output (x, y): rotate back by −θ.
      const cs = ctr + (x * cos + y * sin), rs = ctr - (-x * sin + y * cos);
      const r0 = Math.floor(rs), c0 = Math.floor(cs), fr = rs - r0, fc = cs - c0;
      let v = 0;
      for (let dr = 0; dr <= 1; dr++) {
        const rr = r0 + dr, wr = dr ? fr : 1 - fr;
        if (rr < 0 || rr >= side || wr === 0) continue;
        for (let dc = 0; dc <= 1; dc++) {
          const cc = c0 + dc, wc = dc ? fc : 1 - fc;
          if (cc < 0 || cc >= side || wc === 0) continue;
          v += wr * wc * src[off + rr * side + cc];
        }
      }
      dst[off + r * side + c] = v;
    }
  }
}

/**
 * Rotated copy of `d`: by a fixed angle (`degrees`), or per image by an angle drawn uniformly in ±`maxDegrees`
 * from `seed` (then `angles` holds each image's angle in degrees).
 */
export function rotateDigits(
  d: Digits,
  opts: { degrees: number } | { maxDegrees: number; seed: number },
): Digits & { angles: Float64Array } {
  const side = sideOf(d), P = side * side;
  const angles = new Float64Array(d.n);
  if ("degrees" in opts) angles.fill(opts.degrees);
  else {
    const rng = Rng.fromSeed(opts.seed).split("rotate");
    for (let i = 0; i < d.n; i++) angles[i] = (2 * rng.uniform() - 1) * opts.maxDegrees;
  }
  const images = new Float32Array(d.images.length);
  for (let i = 0; i < d.n; i++) rotateOne(d.images, images, i * P, side, (angles[i] * Math.PI) / 180);
  return { images, labels: d.labels.slice(), n: d.n, angles };
}

/** The pixel permutation that `permuteDigits` applies for `seed` to images of `pixels` pixels. */
export function pixelPermutation(pixels: number, seed: number): Int32Array {
  return Rng.fromSeed(seed).split("permute").permutation(pixels);
}

/** Permuted copy of `d`: new pixel j is old pixel `permutation[j]`, the same for every image. */
export function permuteDigits(d: Digits, opts: { seed: number }): Digits & { permutation: Int32Array } {
  const P = d.images.length / d.n;
  const permutation = pixelPermutation(P, opts.seed);
  const images = new Float32Array(d.images.length);
  for (let i = 0; i < d.n; i++) {
    const o = i * P;
    for (let j = 0; j < P; j++) images[o + j] = d.images[o + permutation[j]];
  }
  return { images, labels: d.labels.slice(), n: d.n, permutation };
}

/** Permuted-MNIST tasks: task 0 is `d` itself, task t ≥ 1 uses the permutation of seed `seed·1000 + t`. */
export function permutedTasks(d: Digits, opts: { tasks: number; seed: number }): Digits[] {
  return Array.from({ length: opts.tasks }, (_, t) => t === 0 ? d : permuteDigits(d, { seed: opts.seed * 1000 + t }));
}

/** Rotated-MNIST tasks: task t turns every image by `t · stepDegrees` (task 0 is `d` itself). */
export function rotatedTasks(d: Digits, opts: { tasks: number; stepDegrees: number }): Digits[] {
  return Array.from(
    { length: opts.tasks },
    (_, t) => t === 0 ? d : rotateDigits(d, { degrees: t * opts.stepDegrees }),
  );
}

/**
 * factor×factor average pooling of side×side images (default 28: MNIST, Fashion-MNIST), row-major, for the images
 * `rows` (a list of indices, or n for the first n). Returns rows × (side/factor)² values; each is the block's
 * pixels summed row by row from its top-left corner, then divided by factor².
 */
export function averagePool(
  images: ArrayLike<number>,
  rows: number | ArrayLike<number>,
  factor: number,
  side = 28,
): Float64Array {
  const r = side / factor;
  if (!Number.isInteger(r)) throw new RangeError(`averagePool: factor ${factor} does not divide the side ${side}`);
  const idx = typeof rows === "number" ? Array.from({ length: rows }, (_, i) => i) : rows;
  const d = r * r, px = side * side, out = new Float64Array(idx.length * d);
  for (let q = 0; q < idx.length; q++) {
    const base = idx[q] * px;
    for (let a = 0; a < r; a++) {
      for (let b = 0; b < r; b++) {
        let acc = 0;
        for (let u = 0; u < factor; u++) {
          for (let v = 0; v < factor; v++) acc += images[base + (a * factor + u) * side + b * factor + v];
        }
        out[q * d + a * r + b] = acc / (factor * factor);
      }
    }
  }
  return out;
}

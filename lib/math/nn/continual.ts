/**
 * Class-incremental continual-learning data and memory: split an image set into tasks by class groups
 * ({0,1},{2,3},… for 5 tasks), 2×2-pooled to 14×14 = 196 inputs, and a reservoir-sampled replay buffer.
 * Shared by experiments/stability-gap (Split-MNIST, balanced memory) and experiments/uer (online Split-MNIST /
 * Split-Fashion, reservoir memory).
 *
 * @example
 * ```ts
 * const data = splitTasks(await loadMnist(10000), 5, 8000, 2000); // data.train[t], data.test[t]
 * const buf = new Reservoir(200);
 * buf.add(data.train[0], 17, rng); // offer one example; kept with probability 200 / #offered
 * ```
 */
import { averagePool } from "../../../datasets/variants.ts";
import type { Mat } from "../linalg/mod.ts";
import { mat } from "../linalg/mod.ts";
import type { Rng } from "../rng.ts";

/** A dense float64 matrix (rows are examples). */
export type M = Mat<Float64Array>;
/** Rows of `x` (n × d) are examples, `y` their labels. */
export interface Split {
  x: M;
  y: Uint8Array;
}
/** Per task: its classes, training and test examples. */
export interface Data {
  classes: number[][];
  train: Split[];
  test: Split[];
}
/** An image set as the dataset loaders return it: n images of 28×28 pixels in [0, 1], with labels. */
export interface Images {
  images: Float32Array;
  labels: Uint8Array;
  n: number;
}

/** 2×2 average pooling of 28×28 images to 14×14 = 196 inputs. */
export function pool(images: Float32Array, rows: number[]): M {
  return mat(rows.length, 196, averagePool(images, rows, 2));
}

/** The 10 classes in `tasks` consecutive groups ({0,1},{2,3},… for 5 tasks). */
export function classGroups(tasks: number): number[][] {
  if (10 % tasks !== 0) throw new RangeError("tasks must divide 10");
  const per = 10 / tasks;
  return Array.from({ length: tasks }, (_, t) => Array.from({ length: per }, (_, c) => t * per + c));
}

/** Per class group: the rows lo..hi−1 of `d` whose label is in the group, pooled, in row order. */
export function taskSplits(d: Images, classes: number[][], lo: number, hi: number): Split[] {
  if (lo < 0 || hi > d.n || lo > hi) throw new RangeError(`rows ${lo}..${hi} outside 0..${d.n}`);
  return classes.map((cls) => {
    const rows: number[] = [];
    for (let i = lo; i < hi; i++) if (cls.includes(d.labels[i])) rows.push(i);
    return { x: pool(d.images, rows), y: Uint8Array.from(rows, (i) => d.labels[i]) };
  });
}

/** Split into `tasks` class groups; the first nTrain rows train, the last nTest rows test. */
export function splitTasks(d: Images, tasks: number, nTrain: number, nTest: number): Data {
  if (nTrain + nTest > d.n) throw new RangeError("nTrain + nTest exceeds the images loaded");
  const classes = classGroups(tasks);
  return { classes, train: taskSplits(d, classes, 0, nTrain), test: taskSplits(d, classes, d.n - nTest, d.n) };
}

/** One stored example: a split and a row of it. */
export type Entry = readonly [Split, number];

/**
 * A replay memory of at most `capacity` examples filled by reservoir sampling (Vitter's algorithm R): the k-th
 * example offered (k ≥ capacity) replaces a uniformly chosen slot with probability capacity / (k + 1), so the
 * memory is a uniform sample of the whole stream so far.
 */
export class Reservoir {
  readonly items: Entry[] = [];
  /** Examples offered so far. */
  seen = 0;
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  add(split: Split, row: number, rng: Rng): void {
    if (this.items.length < this.capacity) this.items.push([split, row]);
    else {
      const j = rng.int(this.seen + 1);
      if (j < this.capacity) this.items[j] = [split, row];
    }
    this.seen++;
  }

  /**
   * `k` distinct stored examples (all of them when fewer are stored), uniformly at random: k draws of a partial
   * Fisher–Yates shuffle, O(k) random numbers.
   */
  sample(k: number, rng: Rng): Entry[] {
    const n = this.items.length;
    if (k >= n) return this.items.slice();
    const swapped = new Map<number, number>(), out: Entry[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(n - i), vj = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      out.push(this.items[vj]);
    }
    return out;
  }
}

/** Gather entries (split, row) into one minibatch. */
export function gather(entries: readonly Entry[], d: number): Split {
  const x = mat(entries.length, d), y = new Uint8Array(entries.length);
  entries.forEach(([s, r], i) => {
    x.data.set(s.x.data.subarray(r * d, (r + 1) * d), i * d);
    y[i] = s.y[r];
  });
  return { x, y };
}

/**
 * `Sequential`: a stack of layers over one flat parameter store, with loss + gradient, prediction, and
 * per-example gradients.
 *
 * The backend (native OpenBLAS gemm or the js kernel) follows lib/math/linalg's choice for the run unless the
 * model is built with `backend`; the precision is fixed at construction (float32 runs sgemm).
 */
import { Rng } from "../rng.ts";
import { type Arr, type Gemm, gemmBackend } from "./gemm.ts";
import { type Ctx, type Layer, numel, Scratch } from "./layer.ts";
import { accuracyOf, mse, type Reduction, softmaxCrossEntropy } from "./losses.ts";
import { type DType, initialise, type Param, type ParamSpec, ParamStore, type ParamTree } from "./params.ts";

/** Options for `Sequential`. */
export interface SequentialOpts {
  dtype?: DType;
  /** Seed stream for the initialisers; layer i draws from `rng.split(i)` then `.split(paramName)`. */
  rng?: Rng;
  /** Pin the gemm backend; default: follow `getLinalg()` at each call. */
  backend?: "native" | "js";
}

/** Targets: integer class labels (cross-entropy) or a dense batch × outputs array (MSE). */
export type LossKind = "xent" | "mse";

/** A feed-forward network of `layers` applied in order. */
export class Sequential {
  readonly store: ParamStore;
  readonly dtype: DType;
  readonly inShape: number[];
  readonly outShape: number[];
  readonly shapes: number[][];
  #backend?: "native" | "js";
  #xin = new Scratch();
  #dout = new Scratch();
  #out: Arr | null = null;

  constructor(readonly layers: Layer[], inShape: number[], opts: SequentialOpts = {}) {
    this.dtype = opts.dtype ?? "float64";
    this.#backend = opts.backend;
    this.inShape = inShape;
    const specs: ParamSpec[] = [], owners: number[] = [];
    const shapes = [inShape];
    layers.forEach((l, i) => {
      const { outShape, params } = l.build(shapes[i]);
      for (const p of params) {
        specs.push({ ...p, name: `${i}.${p.name}` });
        owners.push(i);
      }
      shapes.push(outShape);
    });
    this.shapes = shapes;
    this.outShape = shapes.at(-1)!;
    this.store = new ParamStore(specs, this.dtype);
    layers.forEach((l, i) => l.bind(this.store.list.filter((_, j) => owners[j] === i)));
    const rng = opts.rng ?? Rng.fromSeed(0).split("nn");
    this.store.list.forEach((p, j) => {
      const s = specs[j], [li, name] = p.name.split(".");
      initialise(p.value, s.init, s.fanIn, s.fanOut, rng.split(li).split(name));
    });
  }

  /** The computing context of a call (backend resolved now). */
  ctx(): Ctx {
    return { gemm: gemmBackend(this.#backend), dtype: this.dtype };
  }

  /** The gemm backend calls will use now. */
  get gemm(): Gemm {
    return gemmBackend(this.#backend);
  }

  /** Parameters as a tree: layer index → name → Param. */
  params(): ParamTree {
    return this.store.tree();
  }

  /** Parameters in layout order. */
  paramList(): Param[] {
    return this.store.list;
  }

  /** Per-sample input size. */
  get inSize(): number {
    return numel(this.inShape);
  }

  /** Per-sample output size. */
  get outSize(): number {
    return numel(this.outShape);
  }

  /** Forward pass on `batch` samples (converted to the model's precision if needed). Returns a reused buffer. */
  forward(x: ArrayLike<number>, batch: number, train = false, ctx: Ctx = this.ctx()): Arr {
    let h = this.#input(x, batch);
    for (const l of this.layers) h = l.forward(h, batch, ctx, train);
    return (this.#out = h);
  }

  /** The output buffer of the latest forward pass (e.g. the logits `lossAndGrad` saw), or null before any. */
  get lastOutput(): Arr | null {
    return this.#out;
  }

  /** Backpropagates ∂L/∂output through every layer, adding into the store's gradients. */
  backward(dOut: Arr, batch: number, ctx: Ctx = this.ctx()): void {
    let g: Arr | null = dOut;
    for (let i = this.layers.length - 1; i >= 0 && g; i--) g = this.layers[i].backward(g, batch, ctx, i > 0);
  }

  /**
   * Zeroes the gradients, runs forward and backward on one minibatch, and returns the loss (mean over the batch
   * unless `reduction` says "sum"). Targets: labels for "xent", batch × outSize values for "mse".
   */
  lossAndGrad(
    x: ArrayLike<number>,
    y: ArrayLike<number>,
    batch: number,
    loss: LossKind = "xent",
    reduction: Reduction = "mean",
  ): number {
    const ctx = this.ctx();
    this.store.zeroGrad();
    const out = this.forward(x, batch, true, ctx), k = this.outSize;
    const d = this.#dout.get(batch * k, this.dtype);
    const l = loss === "xent"
      ? softmaxCrossEntropy(out, y, batch, k, d, reduction)
      : mse(out, y, batch, k, d, reduction);
    this.backward(d, batch, ctx);
    return l;
  }

  /** Loss only, on `n` samples taken `batchSize` at a time (mean over samples). */
  loss(x: ArrayLike<number>, y: ArrayLike<number>, n: number, loss: LossKind = "xent", batchSize = 1024): number {
    let total = 0;
    this.#chunks(x, n, batchSize, (out, off, b) => {
      const k = this.outSize;
      total += b *
        (loss === "xent" ? softmaxCrossEntropy(out, sub(y, off, b), b, k) : mse(out, sub(y, off * k, b * k), b, k));
    });
    return total / n;
  }

  /** Classification accuracy on `n` samples. */
  accuracy(x: ArrayLike<number>, labels: ArrayLike<number>, n: number, batchSize = 1024): number {
    let ok = 0;
    this.#chunks(x, n, batchSize, (out, off, b) => ok += b * accuracyOf(out, sub(labels, off, b), b, this.outSize));
    return ok / n;
  }

  /** Outputs for `n` samples (a new n × outSize array). */
  predict(x: ArrayLike<number>, n: number, batchSize = 1024): Arr {
    const k = this.outSize, out = this.dtype === "float32" ? new Float32Array(n * k) : new Float64Array(n * k);
    this.#chunks(x, n, batchSize, (o, off, b) => out.set(o.subarray(0, b * k), off * k));
    return out;
  }

  /**
   * Per-example gradients: row i (of `batch` rows, each `store.size` long, in the store's layout) is ∂L_i/∂θ for
   * sample i alone. Every parameterised layer must implement `perExample` (Dense and Conv2d do).
   */
  perExampleGrads(x: ArrayLike<number>, y: ArrayLike<number>, batch: number, loss: LossKind = "xent"): Arr {
    const size = this.store.size;
    const out = this.dtype === "float32" ? new Float32Array(batch * size) : new Float64Array(batch * size);
    const saved = this.store.grad.slice();
    this.lossAndGrad(x, y, batch, loss, "sum");
    const ctx = this.ctx();
    for (const l of this.layers) {
      if (l.perExample) l.perExample(batch, ctx, out, size);
      else if (this.store.list.some((p) => p.name.startsWith(`${this.layers.indexOf(l)}.`))) {
        throw new Error(`nn: layer "${l.label}" has no per-example gradient`);
      }
    }
    this.store.grad.set(saved);
    return out;
  }

  #input(x: ArrayLike<number>, batch: number): Arr {
    const n = batch * this.inSize;
    if (x.length < n) throw new Error(`nn: input has ${x.length} values, need ${batch} × ${this.inSize}`);
    const want = this.dtype === "float32" ? Float32Array : Float64Array;
    if (x instanceof want) return x.length === n ? x : x.subarray(0, n);
    const buf = this.#xin.get(n, this.dtype);
    for (let i = 0; i < n; i++) buf[i] = x[i];
    return buf;
  }

  #chunks(x: ArrayLike<number>, n: number, bs: number, f: (out: Arr, off: number, b: number) => void): void {
    const ctx = this.ctx(), d = this.inSize;
    for (let off = 0; off < n; off += bs) {
      const b = Math.min(bs, n - off);
      f(this.forward(sub(x, off * d, b * d), b, false, ctx), off, b);
    }
  }
}

function sub(a: ArrayLike<number>, off: number, len: number): ArrayLike<number> {
  if (ArrayBuffer.isView(a)) return (a as unknown as Float64Array).subarray(off, off + len);
  return Array.prototype.slice.call(a, off, off + len) as number[];
}

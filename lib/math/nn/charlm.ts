/**
 * A tiny character-level language model for optimiser and compression experiments: Bengio et al.'s (2003) neural
 * probabilistic language model on characters. The previous `context` characters are embedded (a learned
 * vocab × embed table), concatenated, passed through `layers` dense + GELU hidden layers of width `hidden`, and a
 * dense head gives the logits of the next character:
 *
 *   p(c_t | c_{t−k..t−1}) = softmax(W_out · gelu(… gelu(W_1 · [E c_{t−k}; …; E c_{t−1}] + b_1) …) + b_out).
 *
 * It is a `Sequential` of the training kit (so `lossAndGrad`, `paramList`, per-layer views and both gemm backends
 * come for free); `Embedding` is the one new layer (a gather forward, a scatter-add backward). `hiddenMatrices`
 * names the 2-D hidden weights that low-rank gradient methods (GaLore and its kin) act on — as in GaLore's LLaMA
 * runs, the embedding table and the output head are left to the full optimiser.
 *
 * Data come as a Uint8Array of token ids; `sampleWindows` draws a minibatch of (context, next) pairs at uniform
 * offsets, `evalWindows` fixes evenly spaced positions for a deterministic held-out loss (`heldOutLoss`, nats per
 * character; perplexity is its exp, bits per character its value / ln 2).
 *
 * @example
 * ```ts
 * const net = charMlp({ vocab: 85, context: 16, embed: 16, hidden: 256, rng: rng.split("init") });
 * const batch = sampleWindows(trainIds, 16, 128, rng);
 * const loss = net.lossAndGrad(batch.x, batch.y, 128);
 * ```
 */
import type { Rng } from "../rng.ts";
import type { Arr } from "./gemm.ts";
import { Dense, GELU } from "./dense.ts";
import { type Ctx, type Layer, Scratch } from "./layer.ts";
import { Sequential } from "./model.ts";
import type { DType, Init, Param, ParamSpec } from "./params.ts";

/** Embedding of `context` token ids per sample: input batch × context ids (as numbers), output batch × context·dim. */
export class Embedding implements Layer {
  readonly label: string;
  w!: Param;
  #context = 0;
  #x: Arr | null = null;
  #y = new Scratch();

  /** A `vocab` × `dim` table, initialised by `init` (default N(0, 1), as PyTorch's nn.Embedding). */
  constructor(readonly vocab: number, readonly dim: number, readonly init: Init = { normal: 1 }) {
    this.label = `embedding ${vocab}×${dim}`;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    if (inShape.length !== 1) throw new Error(`nn: Embedding takes a 1-D per-sample shape (ids), got [${inShape}]`);
    this.#context = inShape[0];
    const d = this.dim;
    return {
      outShape: [this.#context * d],
      params: [{ name: "w", shape: [this.vocab, d], init: this.init, fanIn: this.vocab, fanOut: d }],
    };
  }

  bind(params: Param[]): void {
    this.w = params[0];
  }

  forward(x: Arr, batch: number, ctx: Ctx): Arr {
    const k = this.#context, d = this.dim, v = this.vocab, w = this.w.value;
    const y = this.#y.get(batch * k * d, ctx.dtype);
    this.#x = x;
    for (let i = 0, n = batch * k; i < n; i++) {
      const id = x[i];
      if (!(id >= 0 && id < v && Number.isInteger(id))) throw new Error(`nn: token id ${id} outside 0..${v - 1}`);
      for (let c = 0, o = i * d, s = id * d; c < d; c++) y[o + c] = w[s + c];
    }
    return y;
  }

  backward(dy: Arr, batch: number, _ctx: Ctx, _needDx: boolean): Arr | null {
    const k = this.#context, d = this.dim, x = this.#x!, g = this.w.grad;
    for (let i = 0, n = batch * k; i < n; i++) {
      for (let c = 0, o = i * d, s = x[i] * d; c < d; c++) g[s + c] += dy[o + c];
    }
    return null;
  }
}

/** Sizes of a {@link charMlp}. */
export interface CharMlpOpts {
  /** Number of distinct characters (token ids 0..vocab−1). */
  vocab: number;
  /** Characters of context per prediction. */
  context: number;
  /** Embedding width per character. */
  embed: number;
  /** Width of each hidden layer. */
  hidden: number;
  /** Number of hidden dense + GELU layers (default 2). */
  layers?: number;
  dtype?: DType;
  /** Initialisation stream (embedding N(0, 1), hidden weights He-normal, head Glorot-normal, biases 0). */
  rng?: Rng;
}

/** The character MLP language model described in the module header, as a `Sequential`. */
export function charMlp(o: CharMlpOpts): Sequential {
  const layers: Layer[] = [new Embedding(o.vocab, o.embed)];
  for (let i = 0; i < (o.layers ?? 2); i++) layers.push(new Dense(o.hidden), new GELU());
  layers.push(new Dense(o.vocab, { init: "glorotNormal" }));
  return new Sequential(layers, [o.context], { dtype: o.dtype ?? "float64", rng: o.rng });
}

/** The hidden dense weight matrices of a {@link charMlp} (not the embedding, not the head): the low-rank targets. */
export function hiddenMatrices(net: Sequential): Param[] {
  const dense = net.layers.flatMap((l, i) => (l instanceof Dense ? [i] : []));
  const hidden = new Set(dense.slice(0, -1).map((i) => `${i}.w`));
  return net.paramList().filter((p) => hidden.has(p.name));
}

/** A minibatch of (context, next character) pairs: x is batch × context ids, y the batch next ids. */
export interface Windows {
  x: Float64Array;
  y: Uint8Array;
  batch: number;
}

function windowsAt(ids: Uint8Array, context: number, starts: ArrayLike<number>): Windows {
  const batch = starts.length, x = new Float64Array(batch * context), y = new Uint8Array(batch);
  for (let b = 0; b < batch; b++) {
    const s = starts[b];
    for (let j = 0; j < context; j++) x[b * context + j] = ids[s + j];
    y[b] = ids[s + context];
  }
  return { x, y, batch };
}

/** `batch` windows at uniformly random offsets of `ids`, drawn from `rng`. */
export function sampleWindows(ids: Uint8Array, context: number, batch: number, rng: Rng): Windows {
  const span = ids.length - context;
  if (span < 1) throw new RangeError(`charlm: ${ids.length} ids are too few for context ${context}`);
  const starts = new Int32Array(batch);
  for (let b = 0; b < batch; b++) starts[b] = Math.min(span - 1, Math.floor(rng.uniform() * span));
  return windowsAt(ids, context, starts);
}

/** `count` windows at evenly spaced offsets of `ids` (deterministic), for a held-out loss. */
export function evalWindows(ids: Uint8Array, context: number, count: number): Windows {
  const span = ids.length - context;
  if (span < count) throw new RangeError(`charlm: ${ids.length} ids are too few for ${count} windows`);
  const starts = new Int32Array(count);
  for (let b = 0; b < count; b++) starts[b] = Math.floor((b * span) / count);
  return windowsAt(ids, context, starts);
}

/** Mean next-character cross-entropy (nats) of `net` on fixed windows; exp of it is the perplexity. */
export function heldOutLoss(net: Sequential, w: Windows, batchSize = 1024): number {
  return net.loss(w.x, w.y, w.batch, "xent", batchSize);
}

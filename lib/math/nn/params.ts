/**
 * Parameters, parameter trees and initialisers.
 *
 * A `Param` is a named tensor with a value and a gradient of the same shape. A network keeps all its parameters in
 * one flat value vector and one flat gradient vector (`ParamStore`); each `Param` is a view into both, so an
 * optimiser updates everything in one loop and a method that wants θ as a vector (subspace training, pruning,
 * per-example gradients) reads it without copying. The tree (`ParamTree`) is the nested record of layer → name →
 * Param, flattened to dotted paths in layout order.
 */
import type { Rng } from "../rng.ts";
import type { Arr } from "./gemm.ts";

/** Precision of a network's buffers. */
export type DType = "float64" | "float32";

/** One parameter tensor: views into the store's flat value and gradient vectors. */
export interface Param {
  /** Dotted path in the tree, e.g. "0.w". */
  name: string;
  shape: number[];
  /** Offset of this tensor in the flat vectors. */
  offset: number;
  size: number;
  value: Arr;
  grad: Arr;
}

/** A nested record of parameters. */
export type ParamTree = { [key: string]: Param | ParamTree };

/** How a parameter is filled at initialisation. */
export type Init =
  | "zeros"
  | "ones"
  | "heNormal"
  | "heUniform"
  | "glorotNormal"
  | "glorotUniform"
  | "lecunNormal"
  | { normal: number }
  | { uniform: number };

/** A parameter requested by a layer before the store exists. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  /** Fan-in and fan-out for the variance-scaling initialisers. */
  fanIn: number;
  fanOut: number;
}

/** Allocates one flat buffer for every parameter; holds value, gradient and the named views. */
export class ParamStore {
  readonly value: Arr;
  readonly grad: Arr;
  readonly list: Param[];

  constructor(specs: ParamSpec[], readonly dtype: DType) {
    const size = specs.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    const F = dtype === "float32" ? Float32Array : Float64Array;
    this.value = new F(size);
    this.grad = new F(size);
    let off = 0;
    this.list = specs.map((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const p: Param = {
        name: s.name,
        shape: s.shape,
        offset: off,
        size: n,
        value: this.value.subarray(off, off + n),
        grad: this.grad.subarray(off, off + n),
      };
      off += n;
      return p;
    });
  }

  /** Total number of scalars. */
  get size(): number {
    return this.value.length;
  }

  /** Sets every gradient to zero. */
  zeroGrad(): void {
    this.grad.fill(0);
  }

  /** The parameters as a nested record split on the dots of their names. */
  tree(): ParamTree {
    const t: ParamTree = {};
    for (const p of this.list) {
      const parts = p.name.split(".");
      let node = t;
      for (const k of parts.slice(0, -1)) node = (node[k] ??= {}) as ParamTree;
      node[parts.at(-1)!] = p;
    }
    return t;
  }

  /** The parameter with this dotted name (throws when absent). */
  get(name: string): Param {
    const p = this.list.find((q) => q.name === name);
    if (!p) throw new Error(`nn: no parameter "${name}" (have ${this.list.map((q) => q.name).join(", ")})`);
    return p;
  }
}

/** Leaves of a tree in insertion order, with their dotted paths. */
export function flattenTree(t: ParamTree, prefix = ""): [string, Param][] {
  const out: [string, Param][] = [];
  for (const [k, v] of Object.entries(t)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if ("value" in v && "grad" in v && "shape" in v) out.push([path, v as Param]);
    else out.push(...flattenTree(v as ParamTree, path));
  }
  return out;
}

/**
 * Fills `out` by `init` (He: variance 2/fanIn; Glorot: 2/(fanIn+fanOut); LeCun: 1/fanIn; uniform variants use
 * the limit √3·σ), drawing from `rng` — the same seed gives the same weights in either precision.
 */
export function initialise(out: Arr, init: Init, fanIn: number, fanOut: number, rng: Rng): void {
  if (init === "zeros") return void out.fill(0);
  if (init === "ones") return void out.fill(1);
  let normal: number | null = null, uniform: number | null = null;
  if (typeof init === "object") {
    if ("normal" in init) normal = init.normal;
    else uniform = init.uniform;
  } else {
    const v = init.startsWith("he") ? 2 / fanIn : init.startsWith("glorot") ? 2 / (fanIn + fanOut) : 1 / fanIn;
    if (init.endsWith("Normal")) normal = Math.sqrt(v);
    else uniform = Math.sqrt(3 * v);
  }
  if (normal !== null) { for (let i = 0; i < out.length; i++) out[i] = normal * rng.normal(); }
  else for (let i = 0; i < out.length; i++) out[i] = uniform! * (2 * rng.uniform() - 1);
}

/**
 * The two DAG ReLU networks the path-norms are measured on, built from the training kit's layers (lib/math/nn):
 *
 * - `mlpNet`: the layered fully-connected net 784 → h₁ → h₂ → 10 (ReLU, biases) — the case where the paper compares
 *   path-norms with products of operator norms;
 * - `resNet`: a small ResNet without batch normalisation: conv 3×3 stride 2 (1 → c) → ReLU → max-pool 2×2 →
 *   `blocks` × [x ↦ ReLU(x + conv(ReLU(conv(x))))] at 7×7 → flatten → dense → 10. Its DAG has skip connections
 *   (identity edges of weight 1) and max-pooling neurons, the two features the toolkit adds to path-norms.
 *
 * `Residual` is the composite layer x ↦ x + f(x) over inner kit layers: forward runs f then adds the skip; backward
 * sends ∂L/∂y through f and adds it to the skip's ∂L/∂y (∂x = ∂y + J_fᵀ∂y).
 */
import type { Rng } from "../../lib/math/rng.ts";
import type { Arr } from "../../lib/math/nn/gemm.ts";
import { type Ctx, type Layer, Scratch } from "../../lib/math/nn/layer.ts";
import type { DType, Param, ParamSpec } from "../../lib/math/nn/params.ts";
import { Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sequential } from "../../lib/math/nn/mod.ts";

/** x ↦ x + f(x), f a stack of kit layers whose output shape equals its input shape. */
export class Residual implements Layer {
  readonly label: string;
  /** Per-sample input shape of each inner layer (filled by `build`). */
  shapes: number[][] = [];
  #owners: number[] = [];
  #y = new Scratch();
  #dx = new Scratch();

  constructor(readonly inner: Layer[]) {
    this.label = `residual [${inner.map((l) => l.label).join(", ")}]`;
  }

  build(inShape: number[]): { outShape: number[]; params: ParamSpec[] } {
    const params: ParamSpec[] = [];
    this.shapes = [inShape];
    this.#owners = [];
    this.inner.forEach((l, j) => {
      const { outShape, params: ps } = l.build(this.shapes[j]);
      for (const p of ps) {
        params.push({ ...p, name: `${j}_${p.name}` }); // no dot: Sequential splits names on the first dot only
        this.#owners.push(j);
      }
      this.shapes.push(outShape);
    });
    const out = this.shapes.at(-1)!;
    if (out.join("x") !== inShape.join("x")) throw new Error(`Residual: f maps [${inShape}] to [${out}]`);
    (this as { label: string }).label = `residual [${this.inner.map((l) => l.label).join(", ")}]`;
    return { outShape: inShape, params };
  }

  bind(params: Param[]): void {
    this.inner.forEach((l, j) => l.bind(params.filter((_, i) => this.#owners[i] === j)));
  }

  forward(x: Arr, batch: number, ctx: Ctx, train: boolean): Arr {
    let h = x;
    for (const l of this.inner) h = l.forward(h, batch, ctx, train);
    const y = this.#y.get(x.length, ctx.dtype);
    for (let i = 0; i < x.length; i++) y[i] = x[i] + h[i];
    return y;
  }

  backward(dy: Arr, batch: number, ctx: Ctx, needDx: boolean): Arr | null {
    let g: Arr | null = dy;
    for (let i = this.inner.length - 1; i >= 0 && g; i--) g = this.inner[i].backward(g, batch, ctx, true);
    if (!needDx) return null;
    const dx = this.#dx.get(dy.length, ctx.dtype);
    for (let i = 0; i < dy.length; i++) dx[i] = dy[i] + g![i];
    return dx;
  }
}

/** Architecture options. */
export interface ArchOpts {
  hidden: [number, number];
  channels: number;
  blocks: number;
  dtype?: DType;
}

/** Which net. */
export type Arch = "mlp" | "resnet";

/** The layered fully-connected ReLU net 784 → h₁ → h₂ → 10. */
export function mlpNet(o: Pick<ArchOpts, "hidden" | "dtype">, rng: Rng): Sequential {
  const [h1, h2] = o.hidden;
  const layers = [new Dense(h1), new ReLU(), new Dense(h2), new ReLU(), new Dense(10)];
  return new Sequential(layers, [784], { dtype: o.dtype ?? "float32", rng });
}

/** The small ResNet on 1×28×28 inputs (see the header). */
export function resNet(o: Pick<ArchOpts, "channels" | "blocks" | "dtype">, rng: Rng): Sequential {
  const c = o.channels;
  const layers: Layer[] = [new Conv2d(c, 3, { stride: 2, padding: 1 }), new ReLU(), new MaxPool2d(2)];
  for (let b = 0; b < o.blocks; b++) {
    layers.push(
      new Residual([new Conv2d(c, 3, { padding: 1 }), new ReLU(), new Conv2d(c, 3, { padding: 1 })]),
      new ReLU(),
    );
  }
  layers.push(new Flatten(), new Dense(10));
  return new Sequential(layers, [1, 28, 28], { dtype: o.dtype ?? "float32", rng });
}

/** Build the named architecture. */
export function buildNet(arch: Arch, o: ArchOpts, rng: Rng): Sequential {
  return arch === "mlp" ? mlpNet(o, rng) : resNet(o, rng);
}

/** Weight tensors (the "…w" parameters, biases excluded) in layout order: what IMP prunes. */
export function weightParams(net: Sequential): Param[] {
  return net.paramList().filter((p) => p.name.endsWith("w"));
}

/**
 * Reference architectures built from the kit's layers: a ReLU MLP and LeNet-5.
 */
import type { Rng } from "../rng.ts";
import { AvgPool2d, Conv2d, MaxPool2d } from "./conv.ts";
import { Dense, Flatten, ReLU, Tanh } from "./dense.ts";
import type { Layer } from "./layer.ts";
import { Sequential } from "./model.ts";
import type { DType } from "./params.ts";

/** Common options of the builders. */
export interface NetOpts {
  dtype?: DType;
  rng?: Rng;
  backend?: "native" | "js";
}

/** Dense ReLU network with the given widths, e.g. mlp([784, 256, 10]); the last layer is linear (logits). */
export function mlp(widths: number[], opts: NetOpts = {}): Sequential {
  const layers: Layer[] = [];
  for (let i = 1; i < widths.length; i++) {
    layers.push(new Dense(widths[i]));
    if (i < widths.length - 1) layers.push(new ReLU());
  }
  return new Sequential(layers, [widths[0]], opts);
}

/**
 * LeNet-5 on 1×28×28 inputs, in its common modern form (ReLU, max pooling; `classic: true` gives tanh and average
 * pooling as LeCun et al. 1998): conv 5×5 → 6 (padding 2), pool 2, conv 5×5 → 16, pool 2, dense 400 → 120 → 84 → 10.
 */
export function lenet5(opts: NetOpts & { classic?: boolean; classes?: number } = {}): Sequential {
  const act = () => (opts.classic ? new Tanh() : new ReLU());
  const pool = () => (opts.classic ? new AvgPool2d(2) : new MaxPool2d(2));
  const layers: Layer[] = [
    new Conv2d(6, 5, { padding: 2 }),
    act(),
    pool(),
    new Conv2d(16, 5),
    act(),
    pool(),
    new Flatten(),
    new Dense(120),
    act(),
    new Dense(84),
    act(),
    new Dense(opts.classes ?? 10),
  ];
  return new Sequential(layers, [1, 28, 28], opts);
}

/**
 * The training kit for small networks: parameter stores and initialisers, dense/conv/pool layers and activations,
 * losses, optimisers and schedules, a trainer, per-example gradients. One code path for both backends: products
 * run as in-place gemm on OpenBLAS (native) or a TypeScript kernel (js), following lib/math/linalg's choice.
 *
 * @example
 * ```ts
 * import { mlp, SGD, train } from "./lib/math/nn/mod.ts";
 * const net = mlp([784, 256, 10], { dtype: "float32", rng: rng.split("init") });
 * train({ model: net, optimizer: new SGD({ lr: 0.1, momentum: 0.9 }), x, y, n, batchSize: 64, epochs: 5 });
 * ```
 */
export * from "./gemm.ts";
export * from "./params.ts";
export * from "./layer.ts";
export * from "./dense.ts";
export * from "./conv.ts";
export * from "./losses.ts";
export * from "./model.ts";
export * from "./optim.ts";
export * from "./train.ts";
export * from "./nets.ts";
export * from "./attention.ts";

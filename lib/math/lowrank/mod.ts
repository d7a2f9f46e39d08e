/**
 * The low-rank family's shared pieces: dense float64 helpers and Jacobi eigen/SVD (`dense.ts`), rank-r ground
 * truths (`truth.ts`), Gaussian sensing operators with adjoints (`sensing.ts`), completion masks (`masks.ts`)
 * and Burer–Monteiro losses/gradients (`factorized.ts`).
 *
 * @example
 * ```ts
 * import { gaussianSensing, l2Loss, psdTruth } from "./mod.ts";
 * const t = psdTruth({ n: 10, r: 2, kappa: 2 }, rng.split("truth"));
 * const op = gaussianSensing({ m: 300, rows: 10, cols: 10, symmetric: true }, rng.split("A"));
 * const { loss, grad } = l2Loss(op, op.apply(t.x), u);
 * ```
 */
export * from "./dense.ts";
export * from "./truth.ts";
export * from "./sensing.ts";
export * from "./masks.ts";
export * from "./factorized.ts";

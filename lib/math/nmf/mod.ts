/**
 * The NMF family and linear unmixing: multiplicative updates (Lee–Seung), HALS, the regularized multiplicative
 * family (sum-to-one, ℓp / L1/2 sparsity, graph regularization, ℓ2,1 row loss), VCA + FCLS, SAD with Hungarian
 * matching, abundance RMSE, and one synthetic hyperspectral scene generator.
 *
 * @example
 * ```ts
 * const scene = makeScene({ bands: 50, side: 16, endmembers: 3, snrDb: 30 }, Rng.fromSeed(0));
 * const { endmembers } = vca(scene.y, 3, Rng.fromSeed(1));
 * const s = fcls(scene.y, endmembers);
 * const { mean, perm } = sad(scene.e, endmembers); // radians
 * abundanceRmse(scene.s, s, perm);
 * ```
 */
export * from "./nmf.ts";
export * from "./unmix.ts";
export * from "./unmixing_data.ts";
export * from "./unmixing_bench.ts";

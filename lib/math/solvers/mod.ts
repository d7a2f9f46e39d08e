/**
 * Iterative linear solvers as plain Float64Array loops: the shifted 2D Poisson stencil, CG/PCG, IC(0), SOR.
 * Shared by experiments/dcdm and experiments/relax-sor.
 */
export * from "./poisson.ts";
export * from "./krylov.ts";
export * from "./sor.ts";

/**
 * Graphs: CSR storage ({@link Graph}), random generators (SBM, Barabási–Albert, R-MAT), Zachary's karate club,
 * and the real example graphs of Debian's python3-networkx.
 */
export * from "./csr.ts";
export * from "./generators.ts";
export * from "./karate.ts";
export * from "./real.ts";

/**
 * AutoNumerics-Zero's search, scaled down: regularized (aging) evolution (lib/math/evolution.ts) over
 * straight-line programs (slp.ts) from the empty program f(x) = x, each child's constants fitted to the target
 * (Lamarckian: children inherit their parent's fitted constants as the starting point), fitness = max relative
 * error on the training grid, programs capped at `maxOps` operations. An archive keeps, for every operation count
 * k ≤ maxOps, the program with the lowest training error — the error-vs-cost front the paper plots (the paper
 * searches it with NSGA-II; see the module's deviations).
 */
import { agingEvolution } from "../../lib/math/evolution.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { cost, fitConstants, type FitOptions, identity, mutate, type Program } from "./slp.ts";

export interface EvolveOptions {
  maxOps: number;
  populationSize: number;
  sampleSize: number;
  /** Evaluations (each one constant fit). */
  budget: number;
  fit: FitOptions;
}

export interface EvolveResult {
  /** front[k]: the best program with exactly k operations found (training error), if any. */
  front: ({ program: Program; error: number } | undefined)[];
  best: Program;
  bestError: number;
  bestSoFar: number[];
  evaluations: number;
}

export function evolve(xs: Float64Array, g: Float64Array, o: EvolveOptions, rng: Rng): EvolveResult {
  const front: EvolveResult["front"] = Array.from({ length: o.maxOps + 1 }, () => undefined);
  const r = agingEvolution<Program>({
    populationSize: o.populationSize,
    sampleSize: o.sampleSize,
    budget: o.budget,
    init: () => identity(),
    mutate: (p, rr) => mutate(p, o.maxOps, rr),
    evaluate: (p) => {
      const f = fitConstants(p, xs, g, o.fit);
      return { fitness: f.error, individual: f.program };
    },
    onEvaluated: (p, err) => {
      const k = cost(p), cur = front[k];
      if (Number.isFinite(err) && (!cur || err < cur.error)) front[k] = { program: p, error: err };
    },
  }, rng);
  return { front, best: r.best, bestError: r.bestFitness, bestSoFar: r.bestSoFar, evaluations: r.evaluations };
}

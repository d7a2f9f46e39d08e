/**
 * Regularized (aging) evolution — Real, Aggarwal, Huang, Le, "Regularized Evolution for Image Classifier
 * Architecture Search" (AAAI 2019, arXiv 1802.01548), Algorithm 1:
 *
 * ```
 * population ← P individuals from `init`, each evaluated; history ← them
 * while |history| < budget:
 *   sample ← S individuals drawn uniformly (with replacement) from population
 *   parent ← the best of sample;  child ← mutate(parent);  evaluate child
 *   push child to the young end of population; remove the oldest;  history ← history + child
 * return the best of history
 * ```
 *
 * Generic over the individual: the caller gives `init`, `mutate` and `evaluate` (lower fitness is better; a
 * non-finite fitness is the worst). Deterministic in the `Rng` it is given.
 *
 * @example
 * ```ts
 * const r = agingEvolution({
 *   populationSize: 20, sampleSize: 5, budget: 500,
 *   init: () => 0, mutate: (x, rng) => x + rng.normal(), evaluate: (x) => Math.abs(x - 3),
 * }, Rng.fromSeed(0));
 * ```
 */
import type { Rng } from "./rng.ts";

/** What aging evolution needs to know about the search. */
export interface AgingEvolutionOptions<T> {
  /** P: individuals alive at once. */
  populationSize: number;
  /** S: tournament size (individuals sampled per parent choice). */
  sampleSize: number;
  /** Total evaluations, the initial population included. */
  budget: number;
  /** A new individual for the initial population. */
  init: (rng: Rng) => T;
  /** A child of `parent`; must not modify `parent`. */
  mutate: (parent: T, rng: Rng) => T;
  /** Fitness, lower is better (non-finite: worst). May return an improved individual (e.g. fitted constants). */
  evaluate: (ind: T) => number | { fitness: number; individual: T };
  /** Called after each evaluation with its index in the history (0-based). */
  onEvaluated?: (ind: T, fitness: number, index: number) => void;
}

/** The outcome: the best individual ever evaluated and the best-so-far fitness after each evaluation. */
export interface AgingEvolutionResult<T> {
  best: T;
  bestFitness: number;
  /** bestSoFar[i]: the lowest fitness among evaluations 0..i. */
  bestSoFar: number[];
  evaluations: number;
}

const key = (f: number) => (Number.isFinite(f) ? f : Infinity);

/** Run regularized evolution (Real et al. 2019, Algorithm 1) for `budget` evaluations. */
export function agingEvolution<T>(o: AgingEvolutionOptions<T>, rng: Rng): AgingEvolutionResult<T> {
  if (o.populationSize < 1 || o.sampleSize < 1 || o.budget < 1) {
    throw new Error("agingEvolution: populationSize, sampleSize and budget must be ≥ 1");
  }
  const pop: { ind: T; fit: number }[] = [];
  const bestSoFar: number[] = [];
  let best: T | undefined, bestFit = Infinity, n = 0;
  const record = (raw: T): { ind: T; fit: number } => {
    const e = o.evaluate(raw);
    const [ind, fit] = typeof e === "number" ? [raw, key(e)] : [e.individual, key(e.fitness)];
    if (best === undefined || fit < bestFit) [best, bestFit] = [ind, fit];
    bestSoFar.push(bestFit);
    o.onEvaluated?.(ind, fit, n);
    n++;
    return { ind, fit };
  };
  while (pop.length < o.populationSize && n < o.budget) pop.push(record(o.init(rng)));
  while (n < o.budget) {
    let parent = pop[rng.int(pop.length)];
    for (let s = 1; s < o.sampleSize; s++) {
      const c = pop[rng.int(pop.length)];
      if (c.fit < parent.fit) parent = c;
    }
    pop.push(record(o.mutate(parent.ind, rng)));
    pop.shift(); // the oldest dies, whatever its fitness
  }
  return { best: best as T, bestFitness: bestFit, bestSoFar, evaluations: n };
}

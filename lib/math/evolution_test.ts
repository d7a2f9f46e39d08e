import { assert, assertEquals } from "../testdata/assert.ts";
import { Rng } from "./rng.ts";
import { agingEvolution } from "./evolution.ts";

Deno.test("aging evolution: spends exactly the budget, best-so-far is non-increasing and matches the best", () => {
  const seen: number[] = [];
  const r = agingEvolution({
    populationSize: 10,
    sampleSize: 3,
    budget: 200,
    init: (rng) => 10 * rng.normal(),
    mutate: (x, rng) => x + rng.normal(),
    evaluate: (x) => Math.abs(x - 3),
    onEvaluated: (_x, f) => seen.push(f),
  }, Rng.fromSeed(1));
  assertEquals(r.evaluations, 200);
  assertEquals(seen.length, 200);
  assertEquals(r.bestSoFar.length, 200);
  for (let i = 1; i < 200; i++) assert(r.bestSoFar[i] <= r.bestSoFar[i - 1]);
  assertEquals(r.bestFitness, Math.min(...seen));
  assertEquals(Math.abs(r.best - 3), r.bestFitness);
  assert(r.bestFitness < 0.1, `converges near 3: ${r.bestFitness}`);
});

Deno.test("aging evolution: deterministic in its seed; evaluate may return an improved individual", () => {
  const run = (seed: number) =>
    agingEvolution({
      populationSize: 5,
      sampleSize: 2,
      budget: 50,
      init: () => [0, 0],
      mutate: (x, rng) => [x[0] + rng.normal(), x[1]],
      // "Lamarckian" evaluation: the second coordinate is set to its optimum (1) before scoring.
      evaluate: (x) => ({ fitness: (x[0] - 2) ** 2, individual: [x[0], 1] }),
    }, Rng.fromSeed(seed));
  assertEquals(run(4).bestSoFar, run(4).bestSoFar);
  assertEquals(run(4).best[1], 1);
});

Deno.test("aging evolution: the oldest dies, not the worst (a lucky early individual does not persist)", () => {
  // Individuals are their birth index; fitness rewards the first one only. With P = 3 and S = P, it is the
  // parent of children 3, 4, 5 but has left the population after 3 more births, so later parents are younger.
  const parents: number[] = [];
  let born = 0;
  agingEvolution({
    populationSize: 3,
    sampleSize: 50,
    budget: 10,
    init: () => born++,
    mutate: (p) => {
      parents.push(p);
      return born++;
    },
    evaluate: (x) => (x === 0 ? 0 : 1 + x),
  }, Rng.fromSeed(0));
  assertEquals(parents.slice(0, 1), [0]);
  assert(!parents.slice(1).includes(0), `individual 0 outlived its age: parents ${parents}`);
});

Deno.test("aging evolution: non-finite fitness is the worst, never chosen as best", () => {
  const r = agingEvolution({
    populationSize: 4,
    sampleSize: 4,
    budget: 30,
    init: (rng) => rng.uniform(),
    mutate: (x, rng) => x + 0.1 * rng.normal(),
    evaluate: (x) => (x > 0.5 ? NaN : 1 - x),
  }, Rng.fromSeed(2));
  assert(Number.isFinite(r.bestFitness) && r.best <= 0.5);
});

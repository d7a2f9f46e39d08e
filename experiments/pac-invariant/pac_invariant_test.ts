import { assert, assertEquals } from "../../lib/testdata/assert.ts";
import { solveSpdSmall } from "../../lib/math/linalg/chol_small.ts";
import { Rng } from "../../lib/math/rng.ts";
import { covariance, intervene, makeSem, poolMoments, sampleIntervention, sampleMoments } from "./sem.ts";
import { defect, pooledErm, regress, risk, selectInvariant, subsetIndices, violation } from "./invariance.ts";
import exp, { makeData } from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const near = (a: number, b: number, tol: number, msg?: string) =>
  assert(Math.abs(a - b) <= tol, `${msg}: ${a} vs ${b}`);

Deno.test("base SEM is standardized: every node has unit population variance", () => {
  const sem = makeSem({ p: 40, maxIndeg: 2 }, Rng.fromSeed(1));
  const c = covariance(sem.nodes), n = sem.nodes.length;
  for (let j = 0; j < n; j++) near(c[j * n + j], 1, 1e-12, `var of ${sem.nodes[j].name}`);
});

Deno.test("covariance recursion matches the empirical moments of ancestral samples", () => {
  const sem = makeSem({ p: 20, maxIndeg: 2 }, Rng.fromSeed(2));
  const nodes = intervene(sem, sampleIntervention(sem, sem.localSites, { shift: 0.5, logNoise: 0.5 }, Rng.fromSeed(3)));
  const pop = poolMoments(sem, nodes);
  const emp = sampleMoments(sem, nodes, 40000, Rng.fromSeed(4));
  for (let i = 0; i < pop.length; i++) near(emp[i], pop[i], 0.05, `moment ${i}`);
});

Deno.test("causal parents are exactly invariant; a set with a child of Y is not", () => {
  const sem = makeSem({ p: 30, maxIndeg: 2 }, Rng.fromSeed(5));
  const q = sem.pool.length;
  const parents = ["P1", "P2"].map((n) => sem.poolNames.indexOf(n));
  const withChild = [...parents, sem.poolNames.indexOf("C1")];
  const envs = Array.from(
    { length: 10 },
    (_, i) =>
      poolMoments(
        sem,
        intervene(sem, sampleIntervention(sem, sem.globalSites, { shift: 0.3, logNoise: 0.5 }, Rng.fromSeed(10 + i))),
      ),
  );
  const b0 = regress(envs[0], q, parents), c0 = regress(envs[0], q, withChild);
  const dPar = Math.max(...envs.map((m) => defect(m, q, parents, b0)));
  const dChild = Math.max(...envs.map((m) => defect(m, q, withChild, c0)));
  assert(dPar < 1e-10, `parents defect ${dPar}`);
  assert(dChild > 0.05, `child defect ${dChild}`);
});

Deno.test("solveSpdSmall and regress solve the normal equations; risk is the residual second moment", () => {
  const a = new Float64Array([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]), b = new Float64Array([1, -2, 0.5]);
  const x = solveSpdSmall(a, b, 3);
  for (let i = 0; i < 3; i++) near(a[i * 3] * x[0] + a[i * 3 + 1] * x[1] + a[i * 3 + 2] * x[2], b[i], 1e-12, "Ax=b");
  // Moments of (x1, x2, y) built from a known linear model y = 2x1 − x2 + noise(var 0.25), x ~ N(0, [[1,.3],[.3,1]]).
  const m = new Float64Array([1, 0.3, 2 - 0.3, 0.3, 1, 0.6 - 1, 2 - 0.3, 0.6 - 1, 0]);
  m[8] = 4 + 1 - 2 * 2 * 0.3 + 0.25;
  const beta = regress(m, 2, [0, 1]);
  near(beta[0], 2, 1e-12, "β1");
  near(beta[1], -1, 1e-12, "β2");
  near(risk(m, 2, [0, 1], beta), 0.25, 1e-12, "residual variance");
  assertEquals(subsetIndices(0b10110, 5), [1, 2, 4]);
});

Deno.test("with population moments and many environments the learner returns an invariant set without children", () => {
  const cfg = exp.config.parse({ p: 20, m: 64, n: 0, tests: 100 });
  const d = makeData(cfg, Rng.fromSeed(7).split("data"));
  const f = selectInvariant(d.train, d.q, cfg.eps);
  const names = f.s.map((i) => d.sem.poolNames[i]);
  assert(!names.includes("C1") && !names.includes("C2"), `chose ${names}`);
  assert(names.includes("P1") && names.includes("P2"), `chose ${names}`);
  assertEquals(violation(d.test, d.q, f, cfg.eps), 0);
  // ERM on the whole pool has lower pooled training risk but is not invariant on unseen interventions.
  const e = pooledErm(d.train, d.q);
  assert(violation(d.test, d.q, e, cfg.eps) > 0.2);
});

Deno.test("one training environment certifies nothing: every representation passes", () => {
  const cfg = exp.config.parse({ p: 10, m: 1, n: 500, tests: 10 });
  const d = makeData(cfg, Rng.fromSeed(8).split("data"));
  assertEquals(selectInvariant(d.train, d.q, cfg.eps).nPassing, 1 << d.q);
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite.
  for (const p of exp.scales.smoke.grid!.p!) {
    for (const [name, mm] of Object.entries(await runMethods(exp, { p, m: 4 }))) {
      assert((mm.violation as number) >= 0 && (mm.violation as number) <= 1, `${name}: violation in [0, 1]`);
    }
  }
});

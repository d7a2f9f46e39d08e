import { assert } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { classPurity, makeProblem, marginalError, transportCost } from "./data.ts";
import { classPairs, dualProxOT, exactAssignment, penaltyValue, primalValue, sinkhorn } from "./ot.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const small = () =>
  makeProblem({ classes: 2, perClass: 3, separation: 2, sigma: 1, rotation: 30, dim: 2 }, Rng.fromSeed(3));

Deno.test("Hungarian equals the brute-force best permutation (n = 6)", () => {
  const p = small(), n = p.n;
  const perms = (xs: number[]): number[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((r) => [x, ...r]));
  let best = Infinity;
  for (const s of perms([...Array(n).keys()])) {
    best = Math.min(
      best,
      s.reduce((acc, j, i) => acc + p.cost[i * n + j], 0) / n,
    );
  }
  const t = exactAssignment(p.cost, n);
  assert(Math.abs(transportCost(p, t) - best) < 1e-12, `hungarian ${transportCost(p, t)} vs brute ${best}`);
  assert(marginalError(p, t) < 1e-12, "permutation plan has exact marginals");
});

Deno.test("Sinkhorn: marginals hold and the cost tends to exact OT as η → 0", () => {
  const p = small();
  const ex = transportCost(p, exactAssignment(p.cost, p.n));
  const t = sinkhorn(p.cost, p.a, p.b, 0.02, { maxIter: 50000 }).plan;
  assert(marginalError(p, t) < 1e-6, `marginals ${marginalError(p, t)}`);
  assert(
    transportCost(p, t) - ex < 0.02 && transportCost(p, t) >= ex - 1e-9,
    `entropic ${transportCost(p, t)} vs exact ${ex}`,
  );
});

Deno.test("dual proximal solver: zero duality gap, feasible plan, for SON and group lasso", () => {
  const p = makeProblem({ classes: 3, perClass: 5, separation: 3, sigma: 1, rotation: 40, dim: 2 }, Rng.fromSeed(7));
  for (
    const pen of [{ kind: "son" as const, pairs: classPairs(p.ys) }, { kind: "group" as const, classes: p.ys, k: 3 }]
  ) {
    const lam = 0.2, eps = 0.05 * p.n;
    const r = dualProxOT(p.cost, p.a, p.b, pen, { lambda: lam, eps, iters: 4000, accelerated: true });
    const gap = primalValue(p.cost, r.plan, p.n, p.m, pen, lam, eps) - r.dual;
    assert(Math.abs(gap) < 1e-4, `${pen.kind}: duality gap ${gap}`);
    assert(marginalError(p, r.plan) < 1e-3, `${pen.kind}: marginals ${marginalError(p, r.plan)}`);
  }
});

Deno.test("large SON weight fuses the rows of each source class (the recovery property)", () => {
  const p = makeProblem({ classes: 3, perClass: 5, separation: 6, sigma: 1, rotation: 20, dim: 2 }, Rng.fromSeed(2));
  const pen = { kind: "son" as const, pairs: classPairs(p.ys) };
  const lo = dualProxOT(p.cost, p.a, p.b, pen, { lambda: 0, eps: 0.05 * p.n, iters: 3000, accelerated: true }).plan;
  const hi = dualProxOT(p.cost, p.a, p.b, pen, { lambda: 2, eps: 0.05 * p.n, iters: 3000, accelerated: true }).plan;
  const fl = penaltyValue(pen, lo, p.n, p.m), fh = penaltyValue(pen, hi, p.n, p.m);
  assert(fh < 0.05 * fl, `fusion: ${fh} vs ${fl}`);
  assert(classPurity(p, hi) > 0.95, `purity ${classPurity(p, hi)}`);
});

Deno.test("smoke pipeline gives finite metrics for every method", async () => {
  // runMethods runs each method as the runner does and checks that every metric is declared and finite;
  // a value a method chose through ctx.choose comes back as the metric hp.<name>.
  const cfg = { perClass: 6, iters: 200 };
  const byMethod = await runMethods(exp, cfg);
  for (const [name, ms] of Object.entries(byMethod)) {
    if (["son", "son_pg", "group_lasso"].includes(name)) assert(ms["hp.lambda"] !== undefined, `${name} chose λ`);
    if (name === "sinkhorn") assert(ms["hp.eta"] !== undefined, "sinkhorn chose η");
  }
  const data = await exp.data(exp.config.parse(cfg), { seed: 0, rng: Rng.fromSeed(0).split("data") });
  assert(data.validation.cost[0] !== data.test.cost[0], "the validation draw is independent of the test draw");
});

import { ok as assert } from "node:assert";
import { Rng } from "../../lib/math/rng.ts";
import { DenseSensing, frobDist, frobenius, type M64, psdTruth, zeros } from "../../lib/math/lowrank/mod.ts";
import { makeProblem, type SensingProblem } from "./problem.ts";
import { gd } from "./gd.ts";
import { glrl } from "./glrl.ts";
import { learnTime, monitor, type TracePoint } from "./monitor.ts";
import exp from "./mod.ts";

/** A_i = √m · (orthonormal basis of symmetric matrices): then (1/m)‖A(X)‖² = ‖X‖_F², i.e. plain factorization. */
function identitySensing(d: number): DenseSensing {
  const list: M64[] = [];
  const m = (d * (d + 1)) / 2, s = Math.sqrt(m);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const e = zeros(d, d);
      const v = a === b ? s : s / Math.SQRT2;
      e.data[a * d + b] = v;
      e.data[b * d + a] = v;
      list.push(e);
    }
  }
  return DenseSensing.fromMatrices(list);
}

function factorizationProblem(d: number, sigmas: number[], rng: Rng): SensingProblem {
  const p = makeProblem({ d, rStar: sigmas.length, kappa: 1, m: 1 }, rng); // for bestRank bookkeeping
  const truth = psdTruth({ n: d, r: sigmas.length, sigmas }, rng.split("t2"));
  const op = identitySensing(d);
  const bestRank = p.bestRank.map((_, s) => {
    const x = zeros(d, d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let v = 0;
        for (let j = 0; j <= s; j++) v += truth.u.data[a * sigmas.length + j] * truth.u.data[b * sigmas.length + j];
        x.data[a * d + b] = v;
      }
    }
    return x;
  });
  return { op, y: op.apply(truth.x), truth, bestRank };
}

Deno.test("GD from small init recovers a noiseless RIP instance (over-parameterized)", () => {
  const p = makeProblem({ d: 8, rStar: 2, kappa: 2, m: 250 }, Rng.fromSeed(0));
  const out = gd(p, { rank: 8, alpha: 1e-4, eta: 0.1, iters: 800, every: 50 }, Rng.fromSeed(1), monitor(p, 3));
  const err = out.trace[out.trace.length - 1].relError;
  assert(err < 1e-3, `relative error ${err}`);
});

Deno.test("GLRL on plain factorization stops exactly at the best rank-1 and rank-2 approximations", () => {
  const p = factorizationProblem(6, [1, 0.5, 0.25], Rng.fromSeed(2));
  for (const rank of [1, 2]) {
    const out = glrl(
      p,
      { rank, eps: 1e-3, eta: 0.2, iters: 3000, stageIters: 3000, tol: 1e-10, every: 10 },
      monitor(p, 3),
    );
    const xs = p.bestRank[rank - 1];
    const dist = frobDist(gramOf(out.u), xs) / frobenius(xs);
    assert(out.stages === rank, `stages ${out.stages}`);
    assert(dist < 1e-6, `rank ${rank}: distance to X*_${rank} = ${dist}`);
  }
});

function gramOf(u: M64): M64 {
  const d = u.rows, r = u.cols, x = zeros(d, d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let v = 0;
      for (let j = 0; j < r; j++) v += u.data[a * r + j] * u.data[b * r + j];
      x.data[a * d + b] = v;
    }
  }
  return x;
}

Deno.test("learnTime finds the first crossing and censors at the horizon", () => {
  const pt = (step: number, e: number[]): TracePoint => ({ step, loss: 0, eigs: e, dists: [], relError: 0 });
  const trace = [pt(0, [0, 0]), pt(5, [0.6, 0]), pt(10, [1, 0.1])];
  assert(learnTime(trace, 0, 1, 99) === 5);
  assert(learnTime(trace, 1, 1, 99) === 99);
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics", async () => {
  const cfg = exp.config.parse({ ...exp.scales.smoke.set, rank: 10, alpha: 1e-6 });
  const rng = Rng.fromSeed(0);
  const data = await exp.data(cfg, { seed: 0, rng: rng.split("data") });
  for (const [name, method] of Object.entries(exp.methods)) {
    const seen: number[] = [];
    const ctx = {
      seed: 0,
      rng: rng.split("method"),
      backend: "cpu" as const,
      observe: (s: number) => void seen.push(s),
      choose: () => {},
    };
    const out = await method.run(data, cfg, ctx);
    const m = await exp.measure(data, out, cfg);
    assert(seen.length > 10, `${name}: observe called ${seen.length} times`);
    for (const [k, v] of Object.entries(m)) {
      assert(typeof v === "number" && Number.isFinite(v), `${name}: ${k} = ${v}`);
      assert(k in exp.metrics, `${name}: undeclared metric ${k}`);
    }
    for (const pt of (out as { trace: TracePoint[] }).trace.slice(0, 3)) {
      for (const v of Object.values(exp.observe!(data, pt, cfg))) assert(Number.isFinite(v));
    }
  }
});

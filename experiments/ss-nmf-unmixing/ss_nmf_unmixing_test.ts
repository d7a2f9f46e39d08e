import { Rng } from "../../lib/math/rng.ts";
import { makeBench, regularizedMu, sceneGraph } from "../../lib/math/nmf/mod.ts";
import { ssnmf } from "./ssnmf.ts";

Deno.test("SS-NMF objective (½‖·‖² + δ-row + λ‖S‖₁ + μ tr(SLSᵀ)) never increases", () => {
  const b = makeBench({ bands: 30, side: 10, endmembers: 3, snrDb: 20, alpha: 0.1, block: 4 }, Rng.fromSeed(1));
  const sc = b.evaluation;
  const res = regularizedMu(sc.x, sc.init.e, sc.init.s, {
    iters: 150,
    delta: 15,
    sparsity: { lambda: sc.lambdaHat, p: 1 },
    graph: { mu: 0.1, g: sceneGraph(sc, 5) },
  });
  for (let i = 1; i < res.objective.length; i++) {
    if (res.objective[i] > res.objective[i - 1] * (1 + 1e-9)) throw new Error(`rose at ${i}`);
  }
});

Deno.test("a very large graph weight makes neighbouring abundances (nearly) equal", () => {
  const b = makeBench({ bands: 30, side: 10, endmembers: 3, snrDb: 20, alpha: 0.1, block: 4 }, Rng.fromSeed(2));
  const sc = b.evaluation, g = sceneGraph(sc, 5);
  const u = ssnmf(sc, { iters: 200, delta: 15, knn: 5 }, 1e4);
  const n = u.s.cols;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let t = g.ptr[i]; t < g.ptr[i + 1]; t++) {
      if (g.val[t] < 0.5) continue;
      for (let k = 0; k < u.s.rows; k++) {
        worst = Math.max(worst, Math.abs(u.s.data[k * n + i] - u.s.data[k * n + g.idx[t]]));
      }
    }
  }
  if (!(worst < 0.05)) throw new Error(`neighbour difference ${worst}`);
});

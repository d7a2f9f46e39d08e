/** Synthetic complete dictionary learning data (the paper's Sec. 6 model; official `simforUAI_lp_O.m`). */
import { getLinalg, randn } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import type { M } from "./lpdl.ts";

export interface Problem {
  /** true orthogonal dictionary, n×n (atoms are columns) */
  d: M;
  /** observations Y = D X + noise, n×m */
  y: M;
}

/**
 * D = Q of qr(randn(n)); X_ij = B_ij G_ij with B ~ Bernoulli(θ), G ~ N(0,1); Y = D X + σ·N(0,1) with
 * σ = noise · ‖DX‖_F²/(nm) (the official code scales the noise std by the mean signal power this way).
 */
export function makeProblem(cfg: { n: number; m: number; theta: number; noise: number }, rng: Rng): Problem {
  const la = getLinalg();
  const { n, m, theta } = cfg;
  const d = la.qr(randn(n, n, rng.split("D"))).q as M;
  const x: M = { rows: n, cols: m, data: new Float64Array(n * m) };
  const rb = rng.split("support"), rg = rng.split("values");
  for (let i = 0; i < n * m; i++) {
    const g = rg.normal();
    x.data[i] = rb.uniform() < theta ? g : 0;
  }
  const y = la.matmul(d, x) as M;
  if (cfg.noise > 0) {
    let power = 0;
    for (const v of y.data) power += v * v;
    const sigma = cfg.noise * power / y.data.length;
    const e = rng.split("noise").normal(n * m);
    for (let i = 0; i < y.data.length; i++) y.data[i] += sigma * e[i];
  }
  return { d, y };
}

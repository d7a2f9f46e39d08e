/**
 * The four discrepancies of the paper's runtime figure, each from raw SPD samples to one number, timed whole as the
 * official scripts time them (clbonet/SPDSW `experiments/scripts/runtime.py`, earlier `Runtime/get_runtime_*.py`):
 *
 * - `spdsw`: SPDSW_2² with `projections` directions P·diag(θ)·Pᵀ (the directions are drawn inside the timed call, as
 *   the official SPDSW object is built inside it), logm of every sample, projections, 1-D W_2² by sorting;
 * - `logsw`: the same with directions a unit-Frobenius Gaussian matrix (official sampling "logsw");
 * - `aiw` / `lew`: the n×n matrix of squared AI / LE distances, then the exact OT cost between the uniform measures
 *   (`ot.emd2` there; the Hungarian algorithm here, exact for equal-size uniform measures);
 * - `les`: the squared LE cost matrix, then Sinkhorn (reg = 1, stopThr = 1e-10, as `ot.sinkhorn2` there).
 */
import type { Mat } from "../../lib/math/linalg/mod.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { aiCost, leCost, spdsw } from "../../lib/math/spd/mod.ts";
import { emdUniform, sinkhorn } from "../../lib/math/ot/mod.ts";

export type Discrepancy = "spdsw" | "logsw" | "aiw" | "lew" | "les";

export interface DistOptions {
  projections: number;
  sinkhornReg: number;
  sinkhornMaxIter: number;
  sinkhornStopThr: number;
}

/** One discrepancy between the uniform empirical measures on xs and ys (equal sizes for the exact ones). */
export function discrepancy(
  kind: Discrepancy,
  xs: readonly Mat[],
  ys: readonly Mat[],
  o: DistOptions,
  rng: Rng,
): { value: number; iterations?: number } {
  const la = getLinalg(), n = xs.length;
  switch (kind) {
    case "spdsw":
    case "logsw":
      return { value: spdsw(xs, ys, { projections: o.projections, rng, sampling: kind, la }) };
    case "aiw":
      return { value: emdUniform(aiCost(xs, ys, la), n) };
    case "lew":
      return { value: emdUniform(leCost(xs, ys, la), n) };
    case "les": {
      const r = sinkhorn(leCost(xs, ys, la), {
        n,
        m: ys.length,
        reg: o.sinkhornReg,
        maxIter: o.sinkhornMaxIter,
        stopThr: o.sinkhornStopThr,
        la,
      });
      return { value: r.cost, iterations: r.iterations };
    }
  }
}

/**
 * The evolving sparse matrix: an n×n initial block A₀ (its rank-k SVD given), then `updates` row blocks that
 * together add addFrac·n rows — the row-update setting of the official tutorial.ipynb
 * (N = 1000, k = 64, density 0.005, appended block × 10). Everything here is untimed.
 */
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { mat } from "../../lib/math/linalg/mat.ts";
import type { Mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { type Csr, randSparse, rowSlice, scatterRows, toDense } from "./sparse.ts";
import { type Tsvd, tsvd } from "./incsvd.ts";

export interface IncCfg {
  n: number;
  k: number;
  density: number;
  addFrac: number;
  updates: number;
  appendScale: number;
}

export interface IncData {
  a0: Csr;
  /** The appended row blocks, in order. */
  batches: Csr[];
  /** Rank-k truncated SVD of A₀ (the state every method starts from). */
  init: Tsvd;
  /** The final matrix [A₀; E₁; …; E_T], dense row-major. */
  final: Mat<Float64Array>;
  /** ‖Ā‖_F and the best rank-k error ‖Ā − Ā_k‖_F of the final matrix, and its top-k singular values. */
  norm: number;
  bestErr: number;
  topSv: Float64Array;
}

export function makeData(cfg: IncCfg, rng: Rng): IncData {
  const { n, k } = cfg;
  const added = Math.round(cfg.addFrac * n);
  const a0 = randSparse(n, n, cfg.density, rng.split("a0"));
  const appended = randSparse(added, n, cfg.density, rng.split("append"), cfg.appendScale);
  const cuts = Array.from({ length: cfg.updates + 1 }, (_, t) => Math.round((t * added) / cfg.updates));
  const batches = cuts.slice(1).map((hi, t) => rowSlice(appended, cuts[t], hi)).filter((b) => b.rows > 0);
  const init = tsvd(mat(n, n, toDense(a0)), k);
  const fd = new Float64Array((n + added) * n);
  scatterRows(a0, fd);
  scatterRows(appended, fd, n);
  const final = mat(n + added, n, fd);
  const sv = getLinalg().svdvals(final);
  let all = 0, top = 0;
  sv.forEach((x, i) => {
    all += x * x;
    if (i < k) top += x * x;
  });
  return {
    a0,
    batches,
    init,
    final,
    norm: Math.sqrt(all),
    bestErr: Math.sqrt(Math.max(all - top, 0)),
    topSv: sv.slice(0, k),
  };
}

/** ‖Ā − U·diag(σ)·Vᵀ‖_F for the final matrix. */
export function residual(d: IncData, t: Tsvd): number {
  const la = getLinalg(), k = t.s.length;
  const us = mat(t.u.rows, k, t.u.data.slice());
  for (let i = 0; i < us.rows; i++) for (let a = 0; a < k; a++) us.data[i * k + a] *= t.s[a];
  const approx = la.matmul(us, t.v, { transB: true });
  let acc = 0;
  for (let i = 0; i < approx.data.length; i++) acc += (d.final.data[i] - approx.data[i]) ** 2;
  return Math.sqrt(acc);
}

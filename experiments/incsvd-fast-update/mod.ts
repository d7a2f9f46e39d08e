/**
 * incsvd-fast-update — Deng, Yang, Li, Chen, Jiang, Pu: "Fast Updating Truncated SVD for Representation
 * Learning with Sparse Matrices" (ICLR 2024, arXiv 2401.09703; code zjunet/IncSVD).
 * Row appends to a sparse evolving matrix: the paper's sparse-aware update (Alg. 2–3, Zha–Simon space) vs the
 * Zha–Simon update and a full recompute — wall time and precision.
 */
import { z } from "zod";
import { intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, timing, tol } from "../../lib/experiment.ts";
import { barChart, lineChart } from "../../lib/figures/mod.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import {
  allOf,
  type Check,
  compare,
  fmt,
  LARGEST,
  slopeWithInterval,
  threshold,
  verdict,
} from "../../lib/claims/mod.ts";
import { type IncData, makeData, residual } from "./data.ts";
import { collapse, extend, type ExtSvd, recomputeRow, sparseRow, type Tsvd, zhaSimonRow } from "./incsvd.ts";
import { toDense } from "./sparse.ts";

const REPO = "zjunet/IncSVD";
const ABSTRACT = { url: "https://arxiv.org/abs/2401.09703", where: "abstract" };
const TUTORIAL = {
  url: `https://github.com/${REPO}/blob/main/tutorial.ipynb`,
  where: "row/column update example output",
};

const config = z.object({
  n: intAtLeast(10, 1000, "columns of the matrix and rows of the initial block A₀ (tutorial: N = 1000)"),
  k: intAtLeast(1, 64, "rank of the maintained truncated SVD (tutorial: k = 64)"),
  density: z.number().positive().max(1).default(0.005).describe("fraction of nonzero entries (tutorial: 0.005)"),
  addFrac: positive(0.5, "rows appended in total, as a fraction of n (tutorial: N·0.5)"),
  updates: intAtLeast(1, 10, "number of row blocks the appended rows arrive in"),
  appendScale: positive(10, "appended entries are scale·U[0,1) (tutorial: × 10)"),
});
type Cfg = z.infer<typeof config>;
type Out = Tsvd | ExtSvd;

/**
 * The speed-up of `method` over `base` grows with n: slope of the per-seed log(time(base)/time(method)) in log n,
 * each seed a point, > 0 with its whole 95% interval.
 */
function speedupGrows(method: string, base: string): Check {
  return Object.assign((r: ResultSet) => {
    const xs: number[] = [], ys: number[] = [], means: string[] = [];
    for (const n of r.levels("n") as number[]) {
      const tb = new Map(r.select({ metric: "time_ms", method: base, where: { n } }).map((x) => [x.seed, x.value]));
      const rs = r.select({ metric: "time_ms", method, where: { n } }).filter((x) => tb.has(x.seed))
        .map((x) => tb.get(x.seed)! / x.value);
      rs.forEach((q) => (xs.push(Math.log10(n)), ys.push(Math.log10(q))));
      means.push(`n=${n}: ${fmt(Math.exp(rs.reduce((a, q) => a + Math.log(q), 0) / rs.length))}×`);
    }
    const s = slopeWithInterval(xs, ys);
    const ci = Number.isFinite(s.lo) ? `[${fmt(s.lo)}, ${fmt(s.hi)}]` : "(no interval)";
    return verdict(
      s.lo > 0,
      `${base}/${method} time ${means.join(", ")}; slope in log n ${fmt(s.slope)} ${ci} (need > 0)`,
    );
  }, { metrics: ["time_ms"] });
}

export default defineExperiment({
  id: "incsvd-fast-update",
  paper: {
    title: "Fast Updating Truncated SVD for Representation Learning with Sparse Matrices",
    authors: "Haoran Deng, Yang Yang, Jiahe Li, Cheng Chen, Weihao Jiang, Shiliang Pu",
    year: 2024,
    venue: "ICLR 2024",
    arxiv: "2401.09703",
    code: REPO,
  },
  summary: "Rayleigh–Ritz updates of a truncated SVD (Zha–Simon, Vecharynski, Yamazaki) densify the update and " +
    "rewrite every singular vector. The paper orthogonalizes the augmented space on the update's nonzeros only " +
    "(Alg. 2) and keeps U = U'K_u, V = V'K_v so that one update touches only the new rows and the nnz-touched " +
    "rows (Alg. 3), and reports an order-of-magnitude speed-up at comparable precision. We append rows to a " +
    "sparse random matrix (the official tutorial's setting) in T blocks and time the whole stream for the " +
    "sparse-aware update (Zha–Simon space), the Zha–Simon update and a full recompute, and measure the final " +
    "Frobenius error against the best rank-k error.",
  config,
  scales: {
    smoke: {
      description: "n ∈ {200, 400}, k = 32, 5 row blocks, 2 seeds; a few seconds",
      seeds: 2,
      set: { k: 32, updates: 5 },
      grid: { n: [200, 400] },
      deviations: ["tiny matrices (n ≤ 400, k = 32): per-call overhead dominates and the speed-up is small"],
    },
    paper: {
      description: "n ∈ {250, 500, 1000} (n = 1000 is the tutorial's N), k = 64, 10 row blocks, 3 seeds",
      seeds: 3,
      grid: { n: [250, 500, 1000] },
      deviations: [
        "the paper's runtime tables use real sparse data sets (text, graphs, ratings) far larger than these; " +
        "their sizes and protocol could not be read from the stored paper text, so we use the official " +
        "tutorial's synthetic setting (scipy.sparse.rand, N = 1000, k = 64, density 0.005, appended × 10) and " +
        "sweep n up to the tutorial's 1000",
        "rows only: column appends (the same algorithm on the transpose), weight updates, and the GKL/RPI " +
        "variants (Vecharynski, Yamazaki and the paper's versions of them) are not run",
      ],
    },
  },
  deviations: [
    "recompute is a dense LAPACK SVD (gesdd through getLinalg()) of the whole current matrix, not a sparse " +
    "Lanczos svds as in the official code",
    "the initial rank-k SVD of A₀ comes from a dense SVD, computed once per data point and not timed",
    "the sparse-aware update is ours in TypeScript (its Gram–Schmidt and gathers are plain JS loops, the k×k " +
    "and (k+s)×(k+s) algebra goes through getLinalg()); the official code is NumPy/SciPy",
    "safeguard (ours, not in the paper or official code, which call np.linalg.inv unconditionally): when the " +
    "updated K_u or K_v is numerically singular (σ_min/σ_max < 1e-10 — exact sparsity makes a top-k direction " +
    "lie wholly in the new rows), it is folded into U' or V' at O(mk²) and reset to I; metric `refreshes` counts it",
    "the extended factors U'K_u, V'K_v are collapsed to U, V in measure (untimed), as the official code does " +
    "on access",
  ],
  data: (cfg: Cfg, { rng }) => makeData(cfg, rng),
  methods: {
    "sparse-zs": {
      label: "sparse-aware (ours-ZS)",
      description: "Deng et al. Alg. 3 with the Zha–Simon augmented space: sparse Gram–Schmidt on nnz rows of Eᵀ " +
        "(Alg. 2), extended decomposition U'K_u, V'K_v (§4); official `_update_svd_isvd1_row`",
      run: (d: IncData): Out => {
        const x = extend(d.init, d.final.rows);
        for (const e of d.batches) sparseRow(x, e);
        return x;
      },
    },
    "zha-simon": {
      label: "Zha–Simon",
      description: "Zha & Simon (SISC 1999): projection on [U 0; 0 I], [V Q], QR of (I − VVᵀ)Eᵀ with E densified; " +
        "official `_update_svd_zhasimon_row`",
      run: (d: IncData): Out => d.batches.reduce((t, e) => zhaSimonRow(t, e), d.init),
    },
    recompute: {
      label: "recompute",
      description: "rank-k SVD of the whole current matrix after every block (dense LAPACK)",
      run: (d: IncData, cfg: Cfg): Out => {
        const full = new Float64Array(d.final.rows * d.final.cols);
        full.set(toDense(d.a0));
        let rows = d.a0.rows, t = d.init;
        for (const e of d.batches) (t = recomputeRow(full, rows, e, cfg.k), rows += e.rows);
        return t;
      },
    },
  },
  timing: { warmup: 1, repeats: 3 },
  metrics: {
    time_ms: timing("time for all row blocks", "ms"),
    err_ratio: lower("‖Ā − UΣVᵀ‖_F / ‖Ā − Ā_k‖_F", tol.stable()),
    rel_err: lower("‖Ā − UΣVᵀ‖_F / ‖Ā‖_F", tol.stable()),
    refreshes: reported("K_u/K_v folds (singular K, our safeguard)", tol.exact()),
    sv_err: lower("max_i |σ̂_i − σ_i| / σ_1 over the top k", tol.stable()),
  },
  measure: (d: IncData, out: Out) => {
    const t = "ku" in out ? collapse(out) : out;
    const err = residual(d, t);
    let sv = 0;
    d.topSv.forEach((s, i) => (sv = Math.max(sv, Math.abs(t.s[i] - s) / d.topSv[0])));
    return {
      err_ratio: err / d.bestErr,
      rel_err: err / d.norm,
      sv_err: sv,
      refreshes: "ku" in out ? out.refreshes : 0,
    };
  },
  claims: [
    {
      id: "order-of-magnitude-faster",
      kind: "paper",
      statement: "The sparse-aware update is an order of magnitude faster than the previous (Zha–Simon) update. " +
        "Checked at the largest n: time(Zha–Simon)/time(sparse-aware), geometric mean of per-seed ratios less " +
        "2 SE, ≥ 10.",
      paper: { value: '"an order of magnitude" efficiency improvement', source: ABSTRACT },
      timing: true,
      check: compare({
        metric: "time_ms",
        method: "sparse-zs",
        baseline: "zha-simon",
        better: "lower",
        factor: 10,
        where: { n: LARGEST },
      }),
    },
    {
      id: "speedup-grows-with-size",
      kind: "paper",
      statement: "The sparse-aware update's cost depends on the update's nonzeros, not on the matrix size, so its " +
        "advantage over Zha–Simon grows with n. Checked: the slope of log(time ratio Zha–Simon/sparse-aware) in " +
        "log n is > 0 with its whole 95% interval, AND the sparse-aware update is faster at the largest n (ratio " +
        "≥ 1.1 beyond 2 SE): a growing ratio that is still below 1 is not an advantage (audit 2026).",
      paper: {
        value: "complexity independent of m, n for constant k, s (§4, per the abstract's argument)",
        source: ABSTRACT,
      },
      timing: true,
      check: allOf(
        speedupGrows("sparse-zs", "zha-simon"),
        compare({
          metric: "time_ms",
          method: "sparse-zs",
          baseline: "zha-simon",
          better: "lower",
          factor: 1.1,
          where: { n: LARGEST },
        }),
      ),
    },
    {
      id: "faster-than-recompute",
      kind: "sanity",
      statement: "Known behaviour of the baselines, not a statement of the paper: both updates are faster than " +
        "recomputing the truncated SVD after every block at every n (ratio ≥ 1.1, geometric mean of per-seed " +
        "ratios less 2 SE).",
      timing: true,
      check: allOf(
        compare({
          metric: "time_ms",
          method: "sparse-zs",
          baseline: "recompute",
          better: "lower",
          factor: 1.1,
          forEach: "n",
        }),
        compare({
          metric: "time_ms",
          method: "zha-simon",
          baseline: "recompute",
          better: "lower",
          factor: 1.1,
          forEach: "n",
        }),
      ),
    },
    {
      id: "comparable-precision",
      kind: "identity",
      statement: "Our check of the implementation: the sparse-aware update and Zha–Simon are equal in exact " +
        "arithmetic (the same Rayleigh–Ritz projection), so their final error ratios agree to 0.1% in every run. " +
        "Until the 2026 audit this was graded as the paper's 'comparable precision'; see near-recompute-precision.",
      check: samePrecision(1e-3),
    },
    {
      id: "near-recompute-precision",
      kind: "paper",
      statement: "Updating keeps comparable precision: the sparse-aware update's final error is within 5% of the " +
        "best rank-k error (err_ratio ≤ 1.05) in every run at every n (5%: the tutorial's ratio is 1.001; ours).",
      paper: {
        value: "‖A − Â‖_F = 235.12 vs 234.87 for svds of the final matrix (ratio 1.001; RPI variant, column " +
          "append, N = 1000, k = 64)",
        source: TUTORIAL,
      },
      check: threshold({ metric: "err_ratio", method: "sparse-zs", below: 1.05, forEach: "n" }),
    },
  ],
  figures: [
    {
      id: "time",
      title: "Wall time for the whole row stream vs n",
      mirrors: "the paper's runtime tables (row updates), on the tutorial's synthetic matrices",
      spec: lineChart({ metric: "time_ms", x: "n", yTitle: "time (ms)", logX: true, logY: true }),
    },
    {
      id: "precision",
      title: "Final error relative to the best rank-k error",
      mirrors: "the paper's precision tables (row updates)",
      spec: lineChart({ metric: "err_ratio", x: "n", yTitle: "‖Ā − UΣVᵀ‖ / ‖Ā − Ā_k‖", logX: true }),
    },
    {
      id: "time-bars",
      title: "Wall time per method at each n",
      spec: barChart({ metric: "time_ms", logY: true, column: "n" }),
    },
  ],
  tables: [
    {
      id: "summary",
      title: "Row updates: time and precision",
      metrics: ["time_ms", "err_ratio", "rel_err", "sv_err", "refreshes"],
      by: ["n"],
    },
  ],
  paperNumbers: [],
});

/** The two updates' err_ratio agree to `rel` in every paired run. */
function samePrecision(rel: number): Check {
  return Object.assign((r: ResultSet) => {
    const zs = new Map(
      r.select({ metric: "err_ratio", method: "zha-simon" }).map((x) => [`${x.seed}|${x.config.n}`, x.value]),
    );
    const rows = r.select({ metric: "err_ratio", method: "sparse-zs" });
    let worst = 0, runs = 0;
    for (const x of rows) {
      const b = zs.get(`${x.seed}|${x.config.n}`);
      if (b === undefined) continue;
      runs++;
      worst = Math.max(worst, Math.abs(x.value - b) / b);
    }
    return verdict(
      runs > 0 && worst <= rel,
      `largest relative gap ${worst.toExponential(1)} over ${runs} paired runs (≤ ${rel})`,
    );
  }, { metrics: ["err_ratio"] });
}

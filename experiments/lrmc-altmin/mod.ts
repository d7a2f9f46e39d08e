/**
 * lrmc-altmin — Gu, Song, Yin, Zhang: "Low Rank Matrix Completion via Robust Alternating Minimization in
 * Nearly Linear Time" (arXiv 2302.11068). A theory paper without experiments; this module builds the figure
 * its statement implies: exact vs sketched AltMin on synthetic incoherent rank-k matrices, error per
 * iteration and wall time vs rank k and size n.
 */
import { z } from "zod";
import { atLeast, count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, tol } from "../../lib/experiment.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import type { RunContext } from "../../lib/experiment.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { compare, fmt, LARGEST, slopeWithInterval, threshold, trend, verdict } from "../../lib/claims/mod.ts";
import { makeInstance, type McData } from "./data.ts";
import { altMin, type AltMinResult, type AltMinState, type Solver } from "./altmin.ts";
import { relErrorFactored } from "./dense.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2302.11068", where: "abstract" };

const config = z.object({
  n: intAtLeast(20, 2000, "matrix side: M is n×n"),
  k: intAtLeast(1, 16, "rank of M (and of the factors U, V)"),
  samplesPerRow: positive(
    500,
    "expected observed entries per row, p·n; entries are sampled independently with p = samplesPerRow / n",
  ),
  kappa: atLeast(1, 3, "condition number σ₁/σ_k (singular values geometric in [1/κ, 1])"),
  sketchFactor: atLeast(1, 4, "CountSketch rows per regression, in units of k (s = ⌈f·k⌉)"),
  innerIters: intAtLeast(
    0,
    2,
    "preconditioned CG iterations per regression after the sketch-and-solve warm start (method `sketch`)",
  ),
  maxIters: count(50, "cap on AltMin iterations (one U and one V update each)"),
  tol: positive(1e-9, "stop when ‖P_Ω(UVᵀ − M)‖_F / ‖P_Ω(M)‖_F falls below this (observed entries only; both methods)"),
  powerIters: intAtLeast(1, 10, "block power iterations for the spectral init"),
  clip: z.boolean().default(true).describe("JNS13 clipping of U⁰ entries above 2μ√k/√n before orthonormalizing"),
  blasMinK: intAtLeast(
    1,
    24,
    "on the native backend, per-row k×k Grams go through BLAS dgemm from this rank up (both solvers); below it " +
      "the FFI call costs more than the plain loop saves (measured on m = 500 rows: see README)",
  ),
});
type Cfg = z.infer<typeof config>;

const SMOKE_N = [200, 400], SMOKE_K = [4, 8];
const PAPER_N = [1000, 2000], PAPER_K = [8, 16, 32, 48];

/**
 * "Sketched time grows with k by a smaller power": the log–log slope in k of the per-seed time ratio
 * exact/sketch at the largest n (the difference of the two methods' exponents, paired by seed), with its 95%
 * interval, must lie ≥ `need`.
 */
function ratioSlopeInK(need: number) {
  return Object.assign((r: ResultSet) => {
    const n = r.levels("n").at(-1);
    const xs: number[] = [], ys: number[] = [];
    for (const k of r.levels("k") as number[]) {
      const ex = new Map(
        r.select({ metric: "time_ms", method: "exact", where: { n, k } }).map((x) => [x.seed, x.value]),
      );
      for (const row of r.select({ metric: "time_ms", method: "sketch", where: { n, k } })) {
        if (!ex.has(row.seed)) continue;
        xs.push(Math.log10(k));
        ys.push(Math.log10(ex.get(row.seed)! / row.value));
      }
    }
    const s = slopeWithInterval(xs, ys);
    const ci = Number.isFinite(s.lo) ? `[${fmt(s.lo)}, ${fmt(s.hi)}]` : "(no interval)";
    return verdict(
      s.lo >= need,
      `slope of log(exact/sketch time) in log k at n = ${n}: ${fmt(s.slope)} ${ci} (need lower end ≥ ${need}; ` +
        `${xs.length} paired runs)`,
    );
  }, { metrics: ["time_ms"] });
}

export default defineExperiment({
  id: "lrmc-altmin",
  paper: {
    title: "Low Rank Matrix Completion via Robust Alternating Minimization in Nearly Linear Time",
    authors: "Yuzhou Gu, Zhao Song, Junze Yin, Lichen Zhang",
    year: 2023,
    arxiv: "2302.11068",
  },
  summary:
    "Alternating minimization for matrix completion (JNS13) still recovers an incoherent rank-k matrix when each " +
    "least-squares update is solved only approximately, by a sketching-based preconditioner and a high-accuracy " +
    "iterative solver, which brings the cost from Õ(|Ω|k²) to Õ(|Ω|k). We run exact AltMin and the sketched " +
    "version on synthetic n×n rank-k matrices and check recovery (relative Frobenius error per iteration), the " +
    "iteration count, and how wall time grows with k and with n (|Ω| ∝ n at a fixed number of samples per row).",
  config,
  scales: {
    smoke: {
      description: "n ∈ {200, 400}, k ∈ {4, 8}, 100 samples per row; a few hundred ms per run",
      seeds: 2,
      grid: { n: SMOKE_N, k: SMOKE_K },
      set: { samplesPerRow: 100 },
      deviations: [
        "tiny sizes: |Ω_r| = 100 is not ≫ k², so the sketch cannot pay off; timing claims are not meaningful here",
      ],
    },
    paper: {
      description: "n ∈ {1000, 2000} × k ∈ {8, 16, 32, 48}, 500 samples per row (|Ω| = 0.5M–1M), exact vs " +
        "sketch, 3 seeds",
      seeds: 3,
      grid: { n: PAPER_N, k: PAPER_K },
      set: { samplesPerRow: 500 },
      methods: ["exact", "sketch"],
      deviations: [
        "the paper has no experiments; sizes are ours",
        "n = 4000 dropped after the audit: on this machine under a load of ~50 its k = 32 and k = 48 runs took " +
        "7–15 minutes each, beyond the time budget. From the interrupted run (same code): n = 4000, k = 16: exact " +
        "131 s vs sketch 124 s per run (3 seeds); k = 32: exact 395 s (2 seeds) vs sketch 489 s (1 seed)",
        "|Ω_r| = 500 is below k² for k ≥ 32: the theorem's regime |Ω_r| ≫ k² (its sample bound is ≈ n·k^4.5·polylog) " +
        "is out of reach, so the sketch's O(s·k²) preconditioner cost is not negligible at the largest k",
        "the sketch-and-solve ablation runs only at smoke and `ablation` scales",
      ],
    },
    ablation: {
      description: "n = 2000, k ∈ {16, 32}, 500 samples per row, all three methods (adds sketch-and-solve), 2 seeds",
      seeds: 2,
      deviations: ["our ablation; 2 seeds"],
      grid: { k: [16, 32] },
      set: { n: 2000, samplesPerRow: 500 },
    },
  },
  deviations: [
    "only the abstract of the paper and of JNS13 could be read here (no official code exists); the algorithm " +
    "follows the abstract (robust AltMin, sketching-based preconditioner, high-accuracy regression solver) and " +
    "JNS13 as we know it (spectral init, clipping at 2μ√k/√n, QR of each factor) — details may differ",
    "no sample splitting: every update uses all of Ω (JNS13 and the paper split Ω into 2T+1 independent parts " +
    "for the analysis; practice, and this module, reuse the samples)",
    "CountSketch (one nonzero per column, s = 4k rows) instead of an SRHT/fast-JL sketch; the preconditioner R " +
    "comes from the Cholesky factor of (SA)ᵀ(SA) rather than a QR of SA (same R in exact arithmetic)",
    "the high-accuracy solver is preconditioned CG on the normal equations (CGLS on A·R⁻¹) from the " +
    "sketch-and-solve point, with a fixed number of iterations (2) instead of log(1/ε) chosen from the analysis",
    "spectral init by block power iteration (10 steps) + Rayleigh–Ritz instead of an exact top-k SVD",
    "stopping on the observed residual (tol 1e-9) instead of a fixed T = O(log(1/ε)) iterations",
    "softImpute baseline not implemented (time)",
    "Both solvers use the native BLAS (one dgemm per row on the gathered [A_r | b_r]) for their k×k Grams from " +
    "k ≥ 24 (blasMinK; the crossover measured on 500-row regressions before any verdict run), and plain loops " +
    "below it and on the js fallback. Until this audit both were plain TypeScript loops, which flattered the " +
    "sketch: with BLAS the exact solve is the faster one at k = 48 (see the timing claims).",
  ],
  data: (cfg: Cfg, { rng }): McData => {
    if (cfg.samplesPerRow > cfg.n) throw new Error(`samplesPerRow ${cfg.samplesPerRow} exceeds n ${cfg.n}`);
    return makeInstance({ n: cfg.n, k: cfg.k, p: cfg.samplesPerRow / cfg.n, kappa: cfg.kappa }, rng);
  },
  dataKeys: ["n", "k", "samplesPerRow", "kappa"],
  methods: {
    exact: {
      label: "AltMin, exact LS (JNS13)",
      description: "JNS13 AltMin: every row's k-variable regression solved exactly by normal equations + Cholesky, " +
        "O(|Ω|k²) per iteration (Gu et al. §1, 'two exact multiple response regressions per iteration')",
      run: (d: McData, cfg: Cfg, ctx) => runAltMin(d, cfg, { kind: "exact" }, ctx),
    },
    sketch: {
      label: "robust AltMin, sketch + PCG",
      description: "Gu et al.'s robust AltMin: each regression solved approximately by a sketching-based " +
        "preconditioner (CountSketch, s = 4k) and preconditioned CG from the sketch-and-solve point, O(|Ω|k) per iteration",
      run: (d: McData, cfg: Cfg, ctx) =>
        runAltMin(d, cfg, { kind: "sketch", sketchRows: sketchRows(cfg), iters: cfg.innerIters }, ctx),
    },
    sketch_solve: {
      label: "AltMin, sketch-and-solve only",
      description: "ablation: the sketched solve without the CG refinement (innerIters = 0): a cruder approximate " +
        "update, to see how much error the robust framework tolerates",
      run: (d: McData, cfg: Cfg, ctx) =>
        runAltMin(d, cfg, { kind: "sketch", sketchRows: sketchRows(cfg), iters: 0 }, ctx),
    },
  },
  metrics: {
    rel_error: lower("‖UVᵀ − M‖_F / ‖M‖_F per iteration", tol.rounding(1e-8)),
    obs_residual: lower("‖P_Ω(UVᵀ − M)‖_F / ‖P_Ω(M)‖_F per iteration", tol.rounding(1e-8)),
    final_rel_error: lower("final ‖UVᵀ − M‖_F / ‖M‖_F", tol.rounding(1e-8)),
    iters: lower("AltMin iterations to tolerance", tol.exact()),
    exact_rows: reported("fraction of regressions solved exactly (|Ω_r| ≤ s or singular sketch)", tol.exact()),
  },
  observe: (d: McData, s: AltMinState) => ({
    rel_error: relErrorFactored(s.u, s.v, d.uStar, d.vStar, d.sigma, d.n, d.k),
    obs_residual: s.obsResidual,
  }),
  measure: (d: McData, out: AltMinResult) => ({
    final_rel_error: relErrorFactored(out.u, out.v, d.uStar, d.vStar, d.sigma, d.n, d.k),
    iters: out.iters,
    exact_rows: (out.stats.small + out.stats.fallbacks) / (2 * d.n * out.iters),
  }),
  claims: [
    {
      id: "sketched-recovers",
      kind: "paper",
      statement: "Robust AltMin with approximate (sketched) regressions still recovers M exactly from |Ω| ≈ " +
        "n·poly(k) noiseless samples. Checked: final relative Frobenius error ≤ 1e-6 in every run (our threshold: " +
        "the stopping rule asks 1e-9 on the observed entries; 1e-6 leaves room for the unobserved ones).",
      paper: { value: "exact recovery with Õ(|Ω|k) time, sample complexity as JNS13", source: ABSTRACT },
      check: threshold({ metric: "final_rel_error", method: "sketch", below: 1e-6 }),
    },
    {
      id: "exact-recovers",
      kind: "sanity",
      statement: "The baseline behaves as known (JNS13): exact AltMin recovers M to final relative error ≤ 1e-6 in " +
        "every run, so the instances are in the recoverable regime.",
      check: threshold({ metric: "final_rel_error", method: "exact", below: 1e-6 }),
    },
    {
      id: "same-iterations",
      kind: "paper",
      statement: "Approximate updates keep AltMin's linear convergence: the sketched version needs about as many " +
        "iterations as exact AltMin. Checked at every (n, k): the geometric mean over seeds of exact/sketch " +
        "iterations, less 2 SE, is ≥ 1/1.5 (sketch needs at most 1.5× exact's iterations; our margin for 'about " +
        "as many').",
      paper: {
        value: "same O(log(1/ε)) iteration count as JNS13, tolerating moderate per-step error",
        source: ABSTRACT,
      },
      check: compare({
        metric: "iters",
        method: "sketch",
        baseline: "exact",
        better: "lower",
        factor: 1 / 1.5,
        forEach: ["n", "k"],
      }),
    },
    {
      id: "time-exponent-in-k",
      kind: "paper",
      statement: "The sketched AltMin costs Õ(|Ω|k) against Õ(|Ω|k²) for exact AltMin, so its wall time grows " +
        "with k by a smaller power. Checked at the largest n: the log–log slope in k of the per-seed time ratio " +
        "exact/sketch (the gap of the two exponents; theory: 1) has its 95% interval ≥ 0.5. Both solvers use " +
        "BLAS for their Grams from k = 24 (the strongest implementation available here).",
      paper: { value: "Õ(|Ω|k) vs Õ(|Ω|k²)", source: ABSTRACT },
      timing: true,
      check: ratioSlopeInK(0.5),
    },
    {
      id: "faster-at-largest-k",
      kind: "paper",
      statement: "At the largest rank and size, the sketched AltMin reaches the tolerance faster than exact AltMin " +
        "with BLAS Grams: exact/sketch time ≥ 1.1× (geometric mean over seeds less 2 SE; 10% so that a tie within " +
        "timing noise is not a win).",
      paper: { value: "Õ(|Ω|k) vs Õ(|Ω|k²): a factor ≈ k/polylog", source: ABSTRACT },
      timing: true,
      check: compare({
        metric: "time_ms",
        method: "sketch",
        baseline: "exact",
        better: "lower",
        factor: 1.1,
        where: { n: LARGEST, k: LARGEST },
      }),
    },
    {
      id: "nearly-linear-in-omega",
      kind: "paper",
      statement: "The sketched AltMin runs in nearly linear time in |Ω|: at fixed k and samples per row (|Ω| ∝ n), " +
        "the log–log slope of time in n has its 95% interval ≤ 1.3 for every k (1.3 leaves room for the log " +
        "factors of Õ and for cache effects).",
      paper: { value: "Õ(|Ω|k), 'nearly linear in the time to verify the solution'", source: ABSTRACT },
      timing: true,
      check: trend({ metric: "time_ms", method: "sketch", x: "n", below: 1.3, forEach: "k" }),
    },
  ],
  figures: [
    {
      id: "error-vs-iteration",
      title: "Relative error ‖UVᵀ − M‖_F/‖M‖_F per AltMin iteration",
      caption: "Mean over seeds; rows: n, columns: k. The sketched updates follow exact AltMin's linear rate.",
      spec: lineChart({
        metric: "rel_error",
        x: "step",
        xTitle: "iteration",
        yTitle: "relative error",
        logY: true,
        points: true,
        row: "n",
        column: "k",
      }),
    },
    {
      id: "time-vs-k",
      title: "Wall time to tolerance vs rank k (log-log)",
      caption: "Theory: exact ∝ k², sketched ∝ k at fixed |Ω|. Columns: n.",
      spec: lineChart({
        metric: "time_ms",
        x: "k",
        xTitle: "rank k",
        yTitle: "time (ms)",
        logX: true,
        logY: true,
        column: "n",
      }),
    },
    {
      id: "time-vs-n",
      title: "Wall time to tolerance vs n at fixed samples per row (|Ω| ∝ n, log-log)",
      caption: "Theory: both linear in |Ω|; the sketch saves a factor ≈ k. Columns: k.",
      spec: lineChart({ metric: "time_ms", x: "n", yTitle: "time (ms)", logX: true, logY: true, column: "k" }),
    },
  ],
  tables: [
    {
      id: "summary",
      title: "Final error, iterations and time per method, n and k",
      metrics: ["final_rel_error", "iters", "time_ms"],
      by: ["n", "k"],
    },
  ],
  // The paper prints no numeric results (theory only): no paperNumbers.
});

function sketchRows(cfg: Cfg): number {
  return Math.ceil(cfg.sketchFactor * cfg.k);
}

function runAltMin(
  d: McData,
  cfg: Cfg,
  solver: Solver,
  ctx: RunContext,
): AltMinResult {
  return altMin(
    d,
    {
      solver,
      maxIters: cfg.maxIters,
      tol: cfg.tol,
      powerIters: cfg.powerIters,
      clip: cfg.clip,
      la: ctx.backend === "native" && cfg.k >= cfg.blasMinK ? getLinalg("native") : undefined,
    },
    ctx.rng,
    (t, s) => ctx.observe(t, s),
  );
}

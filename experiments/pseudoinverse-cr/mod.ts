/**
 * The Pseudoinverse of A = CR is A⁺ = R⁺C⁺ (?) (Michał P. Karpowicz, Gilbert Strang, 2023): the module's
 * declaration. Three formulas for the pseudoinverse of a product A = CR: (1) A⁺ = R⁺C⁺ holds when C has independent
 * columns and R independent rows; Config, scales, methods, metrics, claims and figures below; deviations from the
 * paper in `deviations`, the algorithms in this folder's other files, what runs in README.md.
 */
import { z } from "zod";
import { count, intAtLeast } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, roundoff, tol } from "../../lib/experiment.ts";
import { allOf, fmt as fmtNum, threshold, verdict } from "../../lib/claims/mod.ts";
import { eye, getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import type { MetricRow, ResultSet } from "../../lib/claims/results.ts";
import { makeProduct, type Product } from "./data.ts";
import { firstCols, formula2, penrose, randomized, rank, relDiff, reverseOrder } from "./formulas.ts";
import { sketches } from "./sketch.ts";
import { dotChart, lineChart } from "../../lib/figures/mod.ts";

const la = getLinalg();

/** Thresholds fixed before any run: "exact" is rounding level for these sizes, "fails" is a large margin. */
const EXACT = 1e-10;
const FAILS = 1e-3;

type Out = Mat<Float64Array>;
interface RandState {
  x: Out;
  pta: Out;
  aq: Out;
}

const ABSTRACT = { url: "https://arxiv.org/abs/2305.01716", where: "v3 abstract, items 1–3" };
/**
 * Drift floor of the exact formulas' errors and residuals: roundoff of an SVD-based computation of size
 * max(m, n) = 500 with the Gaussian products' condition number (≲ 1e2 on the nonzero spectrum).
 */
const FLOOR = roundoff({ n: 500, cond: 1e2 });
const ROUNDING = tol.rounding(FLOOR);

export default defineExperiment({
  id: "pseudoinverse-cr",
  paper: {
    title: "The Pseudoinverse of A = CR is A⁺ = R⁺C⁺ (?)",
    authors: "Michał P. Karpowicz, Gilbert Strang",
    year: 2023,
    arxiv: "2305.01716",
  },
  summary: "Three formulas for the pseudoinverse of a product A = CR: (1) A⁺ = R⁺C⁺ holds when C has independent " +
    "columns and R independent rows; (2) A⁺ = (C⁺CR)⁺(CRR⁺)⁺ always holds; (3) the randomized A_r⁺ = " +
    "(PᵀA)⁺PᵀAQ(AQ)⁺ equals A⁺ only when rank(PᵀA) = rank(AQ) = rank(A). We evaluate each in float64 against the " +
    "SVD pseudoinverse on Gaussian products with full-rank and rank-deficient factors, sweep the sketch size k of " +
    "(3), and add sketches built to lose one direction of A, so every formula is seen both holding and failing.",
  config: z.object({
    m: count(300, "rows of A (and of C)"),
    n: count(200, "columns of A (and of R)"),
    r: count(20, "inner dimension: C is m×r, R is r×n"),
    factors: z.enum(["full_rank", "rank_deficient"]).default("full_rank")
      .describe("full_rank: rank C = rank R = r; rank_deficient: each factor has rank r − drop"),
    drop: intAtLeast(1, 5, "rank lost by each factor in the rank_deficient case"),
    sketch: z.enum(["gaussian", "rank_losing"]).default("gaussian")
      .describe("formula 3's P, Q: Gaussian, or Gaussian with A's last singular direction projected out"),
    extra: intAtLeast(0, 3, "formula 3 is evaluated for k = 1 … r + extra"),
  }),
  scales: {
    smoke: {
      description: "A 40×30 with r = 8 (drop 3), tall only; k = 1…10; both sketches; 2 seeds",
      seeds: 2,
      set: { m: 40, n: 30, r: 8, drop: 3, extra: 2 },
      grid: { factors: ["full_rank", "rank_deficient"], sketch: ["gaussian", "rank_losing"] },
      deviations: ["small sizes only (40×30, r = 8) so the smoke run takes a few seconds"],
    },
    paper: {
      description: "A 300×n, n ∈ {100 (tall), 500 (wide)}, r ∈ {10, 40}, drop = 5, k = 1…r+3, both sketches, " +
        "10 seeds",
      seeds: 10,
      set: { m: 300, extra: 3 },
      grid: {
        n: [100, 500],
        r: [10, 40],
        factors: ["full_rank", "rank_deficient"],
        sketch: ["gaussian", "rank_losing"],
      },
      deviations: [
        "The paper has no numerical experiments (its figures are diagrams of the four subspaces); sizes, Gaussian " +
        "factors and the sweep over k are ours.",
        "drop is fixed at its default 5 for both r = 10 and r = 40 (rank A = 5 and 35 in the deficient case).",
      ],
    },
  },
  deviations: [
    "All pseudoinverses inside the formulas are SVD-based with MATLAB's rank cut max(m,n)·ε·σ₁, so formula 1 is " +
    "tested with true pseudoinverses of rank-deficient factors (the paper's (CᵀC)⁻¹Cᵀ would not exist there).",
    "The 'rank_losing' sketch (P ← (I − uuᵀ)P, Q ← (I − vvᵀ)Q with u, v A's singular vectors of its smallest " +
    "nonzero singular value) is ours: it " +
    "breaks the rank condition at every k, to show that the condition, not the sketch size, decides exactness.",
    "No paper numbers are quoted: the paper states exact identities, not measurements.",
  ],
  data: (cfg, { rng }) => makeProduct(la, cfg, rng),
  dataKeys: ["m", "n", "r", "factors", "drop"],
  methods: {
    lstsq: {
      label: "min-norm lstsq (gelsd)",
      description: "A⁺ as the minimum-norm least-squares solution of AX = I (LAPACK gelsd): a second SVD route, " +
        "a control for the reference",
      skip: (cfg) => cfg.sketch !== "gaussian" && "does not use a sketch (run once, at sketch = gaussian)",
      run: (p: Product) => la.lstsq(p.a, eye(p.a.rows) as Out),
    },
    reverse_order: {
      label: "formula 1: R⁺C⁺",
      description: "Reverse order law A⁺ = R⁺C⁺ (Karpowicz & Strang, abstract item 1, Theorem 1)",
      skip: (cfg) => cfg.sketch !== "gaussian" && "does not use a sketch (run once, at sketch = gaussian)",
      run: (p: Product) => reverseOrder(la, p.c, p.r),
    },
    formula2: {
      label: "formula 2: (C⁺CR)⁺(CRR⁺)⁺",
      description: "A⁺ = (C⁺CR)⁺(CRR⁺)⁺, 'always correct' (Karpowicz & Strang, abstract item 2)",
      skip: (cfg) => cfg.sketch !== "gaussian" && "does not use a sketch (run once, at sketch = gaussian)",
      run: (p: Product) => formula2(la, p.c, p.r),
    },
    randomized: {
      label: "formula 3: (PᵀA)⁺PᵀAQ(AQ)⁺",
      description: "Randomized pseudoinverse with m×k and n×k sketches (Karpowicz & Strang, abstract item 3); " +
        "observed at every k = 1 … r + extra with nested sketches, returned at the largest k",
      run: (p: Product, cfg, ctx) => {
        const kMax = cfg.r + cfg.extra;
        const { P, Q } = sketches(la, p.a, p.rankA, kMax, cfg.sketch, ctx.rng);
        let last: RandState | undefined;
        for (let k = 1; k <= kMax; k++) {
          last = randomized(la, p.a, firstCols(P, k), firstCols(Q, k));
          ctx.observe(k, last);
        }
        return last!.x;
      },
    },
  },
  // Errors of the exact formulas sit at rounding level (equal below FLOOR); the failing cases' O(1) errors are
  // deterministic outputs of SVD-based pseudoinverses, held to the rounding kind's 1e-6 relative part.
  metrics: {
    rel_error: lower("‖X − A⁺‖_F / ‖A⁺‖_F", ROUNDING),
    penrose: lower("max relative Penrose residual", ROUNDING),
    rank_a: reported("rank A", tol.exact()),
    rand_rel_error: lower("formula 3: ‖A_r⁺ − A⁺‖_F / ‖A⁺‖_F at sketch size k", ROUNDING),
    rank_preserved: reported("rank(PᵀA) = rank(AQ) = rank(A) at sketch size k (1/0)", tol.exact()),
  },
  observe: (p: Product, s: RandState) => ({
    rand_rel_error: relDiff(s.x, p.aPlus),
    rank_preserved: rank(la, s.pta) === p.rankA && rank(la, s.aq) === p.rankA ? 1 : 0,
  }),
  measure: (p: Product, x: Out) => ({
    rel_error: relDiff(x, p.aPlus),
    penrose: penrose(la, p.a, x),
    rank_a: p.rankA,
  }),
  claims: [
    {
      id: "reverse-order-full-rank",
      kind: "paper",
      statement: "A⁺ = R⁺C⁺ when A = CR, C has independent columns and R independent rows (abstract item 1). " +
        `Checked: the largest relative error over every full-rank run is below ${EXACT} (rounding).`,
      paper: { value: "exact identity (A⁺ = R⁺C⁺)", source: ABSTRACT },
      check: threshold({ metric: "rel_error", method: "reverse_order", where: { factors: "full_rank" }, below: EXACT }),
    },
    {
      id: "reverse-order-fails-rank-deficient",
      kind: "paper",
      statement: "The title's statement 'is not generally true, unless C and R have full rank' (abstract of v1; item " +
        `1 'sometimes correct'). Checked: with rank-deficient Gaussian factors R⁺C⁺ misses A⁺ by more than ${FAILS} ` +
        "(relative) in every run.",
      paper: { value: "fails without full-rank factors", source: ABSTRACT },
      check: threshold({
        metric: "rel_error",
        method: "reverse_order",
        where: { factors: "rank_deficient" },
        above: FAILS,
      }),
    },
    {
      id: "formula2-always",
      kind: "paper",
      statement: "A⁺ = (C⁺CR)⁺(CRR⁺)⁺ is always correct (abstract item 2). Checked: relative error and Penrose " +
        `residuals below ${EXACT} in every run, full-rank and rank-deficient factors alike.`,
      paper: { value: "exact identity, any C and R", source: ABSTRACT },
      check: allOf(
        threshold({ metric: "rel_error", method: "formula2", below: EXACT, forEach: "factors" }),
        threshold({ metric: "penrose", method: "formula2", below: EXACT, forEach: "factors" }),
      ),
    },
    {
      id: "randomized-iff-rank-preserved",
      kind: "paper",
      statement: "A_r⁺ = (PᵀA)⁺PᵀAQ(AQ)⁺ equals A⁺ only when rank(PᵀA) = rank(AQ) = rank(A) (abstract item 3; " +
        "'if and only if' in the authors' 2026 sequel, arXiv 2602.00386). Checked at every sketch size k of every " +
        `run: rank preserved ⇒ error < ${EXACT}, rank not preserved ⇒ error > ${FAILS}; both kinds must occur.`,
      paper: { value: "exact iff the sketches preserve rank A", source: ABSTRACT },
      check: Object.assign((r: ResultSet) => {
        const rows = r.select({ metric: "rand_rel_error", method: "randomized", step: "all" });
        const ok = new Map<string, number>();
        for (const x of r.select({ metric: "rank_preserved", method: "randomized", step: "all" })) {
          ok.set(`${x.run_id}@${x.step}`, x.value);
        }
        let exact = 0, failed = 0, bad = 0, minFail = Infinity, maxExact = 0;
        for (const x of rows) {
          const kept = ok.get(`${x.run_id}@${x.step}`) === 1;
          if (kept) {
            exact++;
            maxExact = Math.max(maxExact, x.value);
            if (!(x.value < EXACT)) bad++;
          } else {
            failed++;
            minFail = Math.min(minFail, x.value);
            if (!(x.value > FAILS)) bad++;
          }
        }
        return verdict(
          exact > 0 && failed > 0 && bad === 0,
          `${exact} (run, k) with rank kept: max error ${fmtNum(maxExact)}; ${failed} with rank lost: min ` +
            `error ${fmtNum(minFail)}; ${bad} violations`,
        );
      }, { metrics: ["rand_rel_error", "rank_preserved"] }),
    },
    {
      id: "gaussian-sketch-threshold",
      kind: "sanity",
      statement:
        "Our setup: with Gaussian P, Q the rank condition — and hence exactness of A_r⁺ — sets in exactly at " +
        "k = rank(A) (PᵀA and AQ have rank min(k, rank A) almost surely); with our rank-losing sketch it never " +
        "does. Checked per run from the error curve.",
      check: Object.assign((r: ResultSet) => thresholdCheck(r), { metrics: ["rand_rel_error", "rank_a"] }),
    },
    {
      id: "lstsq-control",
      kind: "identity",
      statement: "Our reference is sound: the minimum-norm least-squares route (LAPACK gelsd) agrees with the SVD " +
        `pseudoinverse to below ${EXACT} in every run.`,
      check: threshold({ metric: "rel_error", method: "lstsq", below: EXACT, forEach: "factors" }),
    },
  ],
  figures: [
    {
      id: "formula-errors",
      title: "Relative error of each formula against the SVD pseudoinverse",
      mirrors: "none: the paper's figures are subspace diagrams; this shows its three statements (abstract items 1–3)",
      spec: dotChart({
        metric: "rel_error",
        where: "datum.sketch == 'gaussian'",
        color: "factors",
        logY: true,
        floor: 1e-17,
        yTitle: "‖X − A⁺‖_F / ‖A⁺‖_F",
      }),
    },
    {
      id: "randomized-vs-k",
      title: "Formula 3: error against sketch size k",
      mirrors: "none (item 3 of the abstract as a curve)",
      caption: "Gaussian sketches become exact at k = rank A (rank A = r full-rank, r − drop deficient); " +
        "rank-losing sketches never do.",
      spec: lineChart({
        metric: "rand_rel_error",
        calculate: [
          { as: "value", expr: "max(datum.value, 1e-17)" },
          { as: "case", expr: "datum.factors + ' / ' + datum.sketch" },
        ],
        aggregate: "max",
        x: "step",
        xTitle: "sketch size k",
        points: true,
        logY: true,
        yTitle: "max over seeds of ‖A_r⁺ − A⁺‖_F / ‖A⁺‖_F",
        color: "case",
        column: "r",
        columnTitle: "inner dimension r",
      }),
    },
  ],
  tables: [
    {
      id: "errors",
      title: "Relative error and Penrose residual per formula",
      metrics: ["rel_error", "penrose"],
      by: ["factors"],
    },
  ],
});

/**
 * Per run: the smallest k from which formula 3 is exact for good (or none), compared with rank A for Gaussian
 * sketches and with "never" for rank-losing sketches.
 */
function thresholdCheck(r: ResultSet) {
  const byRun = new Map<string, MetricRow[]>();
  for (const x of r.select({ metric: "rand_rel_error", method: "randomized", step: "all" })) {
    (byRun.get(x.run_id) ?? byRun.set(x.run_id, []).get(x.run_id)!).push(x);
  }
  const rankOf = new Map(r.select({ metric: "rank_a", method: "randomized" }).map((x) => [x.run_id, x.value]));
  let gauss = 0, gaussOk = 0, losing = 0, losingOk = 0;
  for (const [id, rows] of byRun) {
    rows.sort((a, b) => a.step! - b.step!);
    let from: number | null = null;
    for (let i = rows.length - 1; i >= 0 && rows[i].value < EXACT; i--) from = rows[i].step;
    if (rows[0].config.sketch === "gaussian") {
      gauss++;
      if (from === rankOf.get(id)) gaussOk++;
    } else {
      losing++;
      if (from === null) losingOk++;
    }
  }
  return verdict(
    gauss > 0 && losing > 0 && gaussOk === gauss && losingOk === losing,
    `Gaussian: exact from k = rank A in ${gaussOk}/${gauss} runs; rank-losing: never exact in ` +
      `${losingOk}/${losing} runs`,
  );
}

/**
 * The Fast Johnson-Lindenstrauss Transform Is Even Faster (Ora Nova Fandina, Mikael Møller Høgsgaard, Kasper Green
 * Larsen, 2023): the module's declaration. The Fast JL transform (1/√k)·P·H·D of Ailon and Chazelle uses a sparse
 * k×d matrix P with density q ≈ ln²n/d. Config, scales, methods, metrics, claims and figures below; deviations from
 * the paper in `deviations`, the algorithms in this folder's other files, what runs in README.md.
 */
import { z } from "zod";
import { count, intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, lower, reported } from "../../lib/experiment.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { spearman } from "../../lib/math/stats.ts";
import { fmt, pairedComparison, verdict } from "../../lib/claims/mod.ts";
import { getLinalg, type Mat } from "../../lib/math/linalg/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { alphaGain, fjlt, maxDistortion, qAilonChazelle, targetDim } from "./fjlt.ts";
import { lineChart, overlay } from "../../lib/figures/mod.ts";

type M64 = Mat<Float64Array>;

const config = z.object({
  n: intAtLeast(2, 2000, "number of points"),
  d: count(4096, "ambient dimension (a power of two)"),
  support: count(4, "nonzeros (±1) per input point"),
  eps: z.number().positive().max(0.5).default(0.25).describe("target distortion ε; sets k and the gain α"),
  kConst: positive(2, "k = ⌈kConst·ε⁻²·ln n⌉"),
  qDiv: positive(1, "FJLT sparsity q = q_AC / qDiv with q_AC = min(1, ln²n/d)"),
});
type Config = z.infer<typeof config>;

/** Sparse ±1 points: each row has `support` random signed ones (duplicates merge). */
function makePoints(cfg: Config, rng: Rng): M64 {
  const { n, d } = cfg, x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < cfg.support; s++) {
      x[i * d + rng.int(d)] = rng.uniform() < 0.5 ? -1 : 1;
    }
  }
  return { rows: n, cols: d, data: x };
}

interface Output {
  y: M64;
  nnz: number;
}

const gram = (a: M64) => getLinalg().matmul(a, a, { transB: true }) as M64;
const ABS = { url: "https://arxiv.org/abs/2204.01800", where: "abstract" };
/** "Same distortion" up to this constant factor (fixed before any run). */
const SAME = 1.2;
/** [a, b] value pairs of the same seed (same points), for two selections. */
function pairsBySeed(
  r: ResultSet,
  ma: string,
  wa: Record<string, unknown>,
  mb: string,
  wb: Record<string, unknown>,
): [number, number][] {
  const b = new Map(r.select({ metric: "distortion", method: mb, where: wb }).map((x) => [x.seed, x.value]));
  const out = r.select({ metric: "distortion", method: ma, where: wa }).filter((x) => b.has(x.seed))
    .map((x) => [x.value, b.get(x.seed)!] as [number, number]);
  if (!out.length) throw new Error("no seed shared by the two selections");
  return out;
}
/** The grid's qDiv levels and, per eps, the largest level ≤ α (the paper's sparser setting). */
function levels(r: ResultSet) {
  const divs = (r.levels("qDiv") as number[]).slice().sort((a, b) => a - b);
  const n = (r.levels("n") as number[])[0];
  const eps = r.levels("eps") as number[];
  return { divs, eps, atAlpha: (e: number) => Math.max(...divs.filter((v) => v <= alphaGain(e, n))), n };
}

export default defineExperiment({
  id: "fast-jl-faster",
  paper: {
    title: "The Fast Johnson-Lindenstrauss Transform Is Even Faster",
    authors: "Ora Nova Fandina, Mikael Møller Høgsgaard, Kasper Green Larsen",
    year: 2023,
    arxiv: "2204.01800",
    venue: "ICML 2023",
    url: "https://proceedings.mlr.press/v202/fandina23a.html",
    code: "orafandina/fast-JL-transform",
  },
  summary: "The Fast JL transform (1/√k)·P·H·D of Ailon and Chazelle uses a sparse k×d matrix P with density " +
    "q ≈ ln²n/d. The paper proves that P may be α = Ω(min{ε⁻¹ln(1/ε), ln n}) times sparser with the same " +
    "(1 ± ε) distortion guarantee, and that this is tight. We embed n sparse points with P of density q_AC/qDiv " +
    "for qDiv = 1 … 128 and a dense Gaussian P, and measure the largest pairwise distortion.",
  config,
  scales: {
    smoke: {
      description: "n = 400, d = 1024, ε = 0.25 (α ≈ 5.5), qDiv ∈ {1, 4, 128}, 2 seeds",
      seeds: 2,
      set: { n: 400, d: 1024 },
      grid: { qDiv: [1, 4, 128] },
      deviations: [
        "n = 400 points in d = 1024 (paper scale: n = 2000, d = 4096).",
        "This smoke size is the one chosen before any run. It had been raised to n = 1000 after a first failing " +
        "smoke run; measured at n = 400 (2 seeds): distortion at qDiv = 4 is 1.43× that at q_AC (0.306 vs 0.215), " +
        "so sparser-same-distortion fails here; at n = 1000 it was 1.17×. Reverted: smoke is a pipeline check.",
      ],
    },
    paper: {
      description: "n = 2000, d = 4096, ε ∈ {0.15, 0.25}, qDiv ∈ {1, 2, 4, …, 128}, 3 seeds",
      seeds: 3,
      grid: { eps: [0.15, 0.25], qDiv: [1, 2, 4, 8, 16, 32, 64, 128] },
      deviations: ["3 seeds; one point distribution (sparse ±1 vectors)"],
    },
  },
  deviations: [
    "Theory paper without experiments: sizes, the point set (sparse ±1 vectors, whose differences are sparse — " +
    "the inputs on which a sparse P is weakest once H·D has spread them only partially) and constants are ours. " +
    "The official repository (orafandina/fast-JL-transform) holds an unfinished Python FJLT, with k = 8ε⁻²log₂N " +
    "by default; we use k = ⌈2ε⁻²ln n⌉.",
    "Θ/Ω constants are set to 1: q_AC = min(1, ln²n/d) and α = min(ε⁻¹ln(1/ε), ln n). The 'sparser' setting is " +
    "the largest grid qDiv ≤ α.",
    "Distortion is measured on norms, max over all pairs of |‖f(x_i) − f(x_j)‖/‖x_i − x_j‖ − 1|.",
  ],
  data: (cfg, { rng }) => makePoints(cfg, rng),
  dataKeys: ["n", "d", "support"],
  methods: {
    fjlt: {
      label: "Fast JL (q = q_AC/qDiv)",
      description:
        "(1/√k)·P·H·D with P_ij ~ N(0,1/q) w.p. q (Ailon–Chazelle 2009; sparsity of Fandina et al. 2023, Thm. 1)",
      run: (x: M64, cfg: Config, ctx) =>
        fjlt(x, targetDim(cfg.eps, cfg.n, cfg.kConst), qAilonChazelle(cfg.n, cfg.d) / cfg.qDiv, ctx.rng),
    },
    gaussian: {
      label: "dense Gaussian",
      description: "Dense JL: P with i.i.d. N(0,1) entries (q = 1), the baseline every sparsity is compared with",
      skip: (
        cfg: Config,
      ) => (cfg.qDiv !== 1 ? "the dense baseline has no sparsity; run once per ε at qDiv = 1" : false),
      run: (x: M64, cfg: Config, ctx) => fjlt(x, targetDim(cfg.eps, cfg.n, cfg.kConst), 1, ctx.rng),
    },
  },
  metrics: {
    distortion: lower("max pairwise |‖f(x)−f(y)‖/‖x−y‖ − 1|"),
    nnz: lower("nonzeros of P"),
    k: reported("target dimension k"),
  },
  measure: (x: M64, out: Output) => ({ distortion: maxDistortion(x, out.y, gram), nnz: out.nnz, k: out.y.cols }),
  claims: [
    {
      id: "sparser-same-distortion",
      kind: "paper",
      statement: "P can be α = Ω(min{ε⁻¹ln(1/ε), ln n}) times sparser than Ailon–Chazelle's with the same " +
        "distortion guarantee (abstract) — a guarantee up to constant factors, not an equal distortion. Checked " +
        "for every ε: at the largest grid qDiv ≤ α, the max distortion is at most 1.2× that at qDiv = 1 (q = q_AC), " +
        "paired over seeds (geometric mean of per-seed ratios plus 2 SE on the log scale ≤ 1.2; the factor 1.2 was " +
        "fixed before any run). The sparser P is measurably worse (10–20%): 'same' holds only up to this constant.",
      paper: { value: "same (1 ± ε) guarantee with α-times sparser P", source: ABS },
      check: (r) => {
        const { eps, atAlpha } = levels(r);
        const parts: string[] = [];
        let ok = true;
        for (const e of eps) {
          const a = atAlpha(e);
          const c = pairedComparison(pairsBySeed(r, "fjlt", { eps: e, qDiv: a }, "fjlt", { eps: e, qDiv: 1 }), {
            better: "lower",
            factor: 1 / SAME,
          });
          const ratio = 1 / Math.exp(c.advantage), hi = 1 / Math.exp(c.advantage - c.noise);
          const good = a > 1 && c.pass;
          ok &&= good;
          parts.push(
            `ε=${e}: qDiv=${a} ${fmt(c.method)} vs q_AC ${fmt(c.baseline)}, ×${fmt(ratio)} (high ×${fmt(hi)}; need ` +
              `≤ ${SAME}×)${good ? "" : " ✗"}`,
          );
        }
        return verdict(ok, parts.join("; "));
      },
    },
    {
      id: "sparser-near-dense",
      kind: "sanity",
      statement: "Our companion check, not a statement of the paper: at the sparser setting the max distortion " +
        "is at most 1.3× that of a dense Gaussian JL matrix with the same k (paired over seeds: geometric mean " +
        "ratio plus 2 SE ≤ 1.3).",
      check: (r) => {
        const { eps, atAlpha } = levels(r);
        const parts: string[] = [];
        let ok = true;
        for (const e of eps) {
          const c = pairedComparison(
            pairsBySeed(r, "fjlt", { eps: e, qDiv: atAlpha(e) }, "gaussian", { eps: e, qDiv: 1 }),
            { better: "lower", factor: 1 / 1.3 },
          );
          ok &&= c.pass;
          parts.push(
            `ε=${e}: ${fmt(c.method)} vs dense ${fmt(c.baseline)} (high ×${fmt(1 / Math.exp(c.advantage - c.noise))})` +
              (c.pass ? "" : " ✗"),
          );
        }
        return verdict(ok, parts.join("; "));
      },
    },
    {
      id: "tight",
      kind: "paper",
      statement: "The analysis is tight (abstract): much sparser than q_AC/α the distortion degrades. At the " +
        "sparsest grid point (qDiv ≥ 16α) the distortion is ≥ 1.5× that at q_AC (paired over seeds: geometric mean " +
        "ratio less 2 SE), and distortion rises monotonically with qDiv (Spearman ≥ 0.9 over the grid means).",
      paper: { value: "the sparsity bound is tight", source: ABS },
      check: (r) => {
        const { divs, eps, n } = levels(r);
        const last = divs[divs.length - 1];
        const parts: string[] = [];
        let ok = true;
        for (const e of eps) {
          const ys = divs.map((q) => r.mean({ metric: "distortion", method: "fjlt", where: { eps: e, qDiv: q } }));
          const c = pairedComparison(pairsBySeed(r, "fjlt", { eps: e, qDiv: 1 }, "fjlt", { eps: e, qDiv: last }), {
            better: "lower",
            factor: 1.5,
          });
          const rho = spearman(divs, ys), far = last >= 16 * alphaGain(e, n);
          const good = far && c.pass && rho >= 0.9;
          ok &&= good;
          parts.push(
            `ε=${e}: qDiv=${last} ×${fmt(Math.exp(c.advantage))} of q_AC (low ×${
              fmt(Math.exp(c.advantage - c.noise))
            }), Spearman ${fmt(rho)}${good ? "" : " ✗"}`,
          );
        }
        return verdict(ok, parts.join("; "));
      },
    },
  ],
  figures: [
    {
      id: "distortion-vs-sparsity",
      title: "Max pairwise distortion vs sparsity reduction qDiv (q = q_AC/qDiv); dashed: dense Gaussian",
      mirrors: "none (theory paper); the upper bound (qDiv ≤ α keeps distortion) and its tightness",
      spec: overlay(
        lineChart({
          metric: "distortion",
          where: "datum.method == 'fjlt'",
          x: "qDiv",
          logX: true,
          logBase: 2,
          xTitle: "qDiv (q = q_AC/qDiv)",
          yTitle: "max distortion",
          zeroY: true,
          color: "eps",
          colorTitle: "ε",
        }),
        { metric: "distortion", where: "datum.method == 'gaussian'", mark: "rule", color: "eps", dash: [4, 4] },
      ),
    },
    {
      id: "time-vs-sparsity",
      title: "Embedding time (FWHT + sparse P, all n points) vs qDiv",
      spec: lineChart({
        metric: "time_ms",
        where: "datum.method == 'fjlt'",
        x: "qDiv",
        logX: true,
        logBase: 2,
        yTitle: "time (ms)",
        zeroY: true,
        color: "eps",
      }),
    },
  ],
  tables: [{
    id: "distortion",
    title: "Distortion and nnz(P) per sparsity",
    metrics: ["distortion", "nnz", "k"],
    by: ["eps", "qDiv"],
  }],
});

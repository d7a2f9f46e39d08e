/**
 * brauer-equivariant-fastmul — Pearce-Crump: "An Algorithm for Computing with Brauer's Group Equivariant Neural
 * Network Layers" (2023, arXiv 2304.14165; no official code). Multiplying v ∈ (Rⁿ)^⊗k by an equivariant weight matrix
 * W = Σ_d λ_d M_d (S_n partition diagrams, O(n) and Sp(n) Brauer diagrams): the naive dense product vs the paper's
 * factored MatrixMult (Factor → Permute → PlanarMult → Permute), exactness and time vs n and tensor order.
 */
import { z } from "zod";
import { count, intAtLeast } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, roundoff, tol } from "../../lib/experiment.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { type Check, fmt as fmt4, pairedComparison, slopeWithInterval, verdict } from "../../lib/claims/mod.ts";
import { GROUPS } from "./diagrams.ts";
import { factored, type LayerData, type LayerOut, makeLayer, naive } from "./layer.ts";
import { lineChart } from "../../lib/figures/mod.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2304.14165", where: "abstract" };

const config = z.object({
  group: z.enum(GROUPS).default("O_n").describe(
    "symmetry group: S_n (partition diagrams), O_n, Sp_n (Brauer diagrams)",
  ),
  n: intAtLeast(2, 4, "dimension of Rⁿ (Sp_n needs n even)"),
  k: intAtLeast(1, 2, "input tensor order: v ∈ (Rⁿ)^⊗k"),
  l: intAtLeast(1, 2, "output tensor order: Wv ∈ (Rⁿ)^⊗l"),
  maxDiagrams: count(256, "spanning diagrams in the layer; a larger spanning set is sampled without replacement"),
  maxDense: count(
    2 ** 24,
    "largest dense weight matrix (entries n^(l+k)) the naive method builds; above it, naive is skipped",
  ),
});
type Cfg = z.infer<typeof config>;

const brauerOdd = (c: Cfg) =>
  c.group !== "S_n" && (c.l + c.k) % 2 === 1 ? "l + k odd: no Brauer diagrams, the layer space is {0}" : false;
const skipBoth = (c: Cfg) => brauerOdd(c) || (c.group === "Sp_n" && c.n % 2 === 1 ? "Sp(n) needs n even" : false);

const fmt = (x: number, d = 2) => (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(1) : x.toFixed(d));

/** Whether both methods run at this point (the naive one needs the dense matrix to fit `maxDense`). */
const bothRun = (c: Cfg) => !skipBoth(c) && c.n ** (c.l + c.k) <= c.maxDense;

/**
 * Per (group, k, l, backend) series: the per-seed time ratios naive/factored at every n where both methods ran
 * (by the skip rule, so a failed run still fails the claim through the strict selection).
 */
function series(r: ResultSet, nMin = 0) {
  const out: {
    key: string;
    group: string;
    k: number;
    l: number;
    backend: string;
    pts: { n: number; x: number[] }[];
  }[] = [];
  const maxDense = Number(r.rows[0]?.config.maxDense ?? 2 ** 24);
  for (const backend of r.backends()) {
    for (const group of r.levels("group") as Cfg["group"][]) {
      for (const k of r.levels("k") as number[]) {
        for (const l of r.levels("l") as number[]) {
          const pts: { n: number; x: number[] }[] = [];
          for (const n of (r.levels("n") as number[]).filter((n) => n >= nMin)) {
            if (!bothRun({ group, n, k, l, maxDiagrams: 256, maxDense: maxDense })) continue;
            const where = { group, k, l, n };
            const tf = new Map(
              r.select({ metric: "time_ms", method: "factored", backend, where }).map((x) => [x.seed, x.value]),
            );
            const x = r.select({ metric: "time_ms", method: "naive", backend, where })
              .filter((y) => tf.has(y.seed)).map((y) => y.value / tf.get(y.seed)!);
            pts.push({ n, x });
          }
          if (pts.length) out.push({ key: `${group} (k,l)=(${k},${l})`, group, k, l, backend, pts });
        }
      }
    }
  }
  return out;
}

/** Slope of log(naive/factored) on log n (each seed a point) with its 95% interval, lower end ≥ `need`. */
function ratioSlope(s: { pts: { n: number; x: number[] }[] }) {
  const xs = s.pts.flatMap((p) => p.x.map(() => Math.log(p.n))), ys = s.pts.flatMap((p) => p.x.map(Math.log));
  return slopeWithInterval(xs, ys);
}

/** advantage-grows / complexity-exponent: every series with ≥ `minN` values of n (≥ nMin), of order `order`. */
function growth(need: number, minN: number, nMin: number, topOrderOnly: boolean): Check {
  return Object.assign((r: ResultSet) => {
    let ss = series(r, nMin).filter((s) => s.pts.length >= minN);
    if (topOrderOnly) {
      const top = Math.max(...ss.map((s) => s.k + s.l));
      ss = ss.filter((s) => s.k + s.l === top);
    }
    if (!ss.length) return verdict(false, `no series with ≥ ${minN} values of n ≥ ${nMin}`);
    const parts = ss.map((s) => {
      const f = ratioSlope(s);
      const ok = f.lo >= need;
      return {
        ok,
        text: `${s.key} ${s.backend} n=${s.pts.map((p) => p.n).join(",")}: ${fmt4(f.slope)} [${fmt4(f.lo)}, ${
          fmt4(f.hi)
        }]${ok ? "" : " ✗"}`,
      };
    });
    const bad = parts.filter((p) => !p.ok).length;
    return verdict(
      bad === 0,
      `slope of log(naive/factored time) in log n, 95% interval lower end ≥ ${need}: ${ss.length - bad}/${ss.length} ` +
        `series hold`,
      parts.map((p) => p.text).join("; "),
    );
  }, { metrics: ["time_ms"] });
}

/** faster-brauer: O(n), Sp(n), at the largest n where naive ran (≥ 6): naive/factored ≥ `factor` (paired, −2 SE). */
function fasterBrauer(factor: number): Check {
  return Object.assign((r: ResultSet) => {
    const ss = series(r).filter((s) => s.group !== "S_n" && s.pts.at(-1)!.n >= 6);
    if (!ss.length) return verdict(false, "no O(n)/Sp(n) series reaches n ≥ 6");
    const parts = ss.map((s) => {
      const p = s.pts.at(-1)!;
      const c = pairedComparison(p.x.map((x) => [1, x] as [number, number]), { better: "lower", factor });
      return { ok: c.pass, text: `${s.key} ${s.backend} n=${p.n}: ${c.text}${c.pass ? "" : " ✗"}` };
    });
    const bad = parts.filter((p) => !p.ok).length;
    return verdict(
      bad === 0,
      `naive/factored ≥ ${factor}× at the largest n: ${ss.length - bad}/${ss.length} series hold`,
      parts.map((p) => p.text).join("; "),
    );
  }, { metrics: ["time_ms"] });
}

export default defineExperiment({
  id: "brauer-equivariant-fastmul",
  paper: {
    title: "An Algorithm for Computing with Brauer's Group Equivariant Neural Network Layers",
    authors: "Edward Pearce-Crump",
    year: 2023,
    arxiv: "2304.14165",
  },
  summary: "An equivariant linear layer between tensor powers (Rⁿ)^⊗k → (Rⁿ)^⊗l is a combination of spanning-set " +
    "matrices indexed by diagrams (partition diagrams for S_n, Brauer diagrams for O(n), SO(n), Sp(n)). The paper " +
    "multiplies v by each such matrix without forming it: factor the diagram into permutations and a planar diagram " +
    "whose matrix is a Kronecker product, then contract, transfer and copy. We apply random layers with the dense " +
    "n^l × n^k matrix and with the factored algorithm, check that the outputs agree to rounding against a float64 " +
    "reference, and time both as n and the orders grow, per backend.",
  config,
  scales: {
    smoke: {
      description: "S_n, O(n), Sp(n); k = l = 3; n ∈ {4, 6, 8}; 2 seeds (seconds)",
      seeds: 2,
      grid: { group: ["S_n", "O_n", "Sp_n"], n: [4, 6, 8] },
      set: { k: 3, l: 3 },
      deviations: ["tiny layers: times are call overhead, only exactness means something here"],
    },
    paper: {
      description: "S_n, O(n), Sp(n); k, l ∈ {2, 3, 4}; n ∈ {2, 4, 6, 8, 10}; dense matrices up to 2^24 entries; " +
        "3 seeds",
      seeds: 3,
      grid: { group: ["S_n", "O_n", "Sp_n"], k: [2, 3, 4], l: [2, 3, 4], n: [2, 4, 6, 8, 10] },
      deviations: [
        "the paper has no experiments: this is our test of its exactness and complexity statements",
        "n even only (so Sp(n) runs at the same points as the others); n ≤ 10, k, l ≤ 4 to fit 2 CPU cores",
      ],
    },
  },
  deviations: [
    "only the abstract and introduction of the paper are readable here; the steps follow its named procedures " +
    "(Factor, Permute, PlanarMult) as summarised there, with our own layout choices (bottom-only blocks right-aligned " +
    "and contracted rightmost first, top-only blocks left-aligned)",
    "SO(n) is not run: its Brauer part is O(n)'s, and its extra (l+k)\\n-diagrams (Levi-Civita blocks) are not implemented",
    "Sp(n) uses the symplectic basis with ε = [[0, I], [−I, 0]] on pairs inside one row (vertex order a < b); the " +
    "paper's sign convention could not be read, any consistent one spans the same space (equivariance is tested)",
    "for S_n with l + k = 8 (4140 partition diagrams) the layer uses a random sample of maxDiagrams = 256 diagrams; " +
    "the naive product's cost does not depend on how many diagrams make up W",
    "naive = dense matrix–vector product with W stored (building W is not timed); factored = one MatrixMult per " +
    "diagram, its Factor step (the plan) precomputed and not timed",
    "native: float64 (OpenBLAS dgemm for naive, plain TypeScript loops for factored); wasm/webgpu: jax-js float32, " +
    "the factored layer jit-compiled, inputs uploaded once per layer (the first, untimed warm-up call pays it)",
  ],
  data: (cfg: Cfg, { rng }): LayerData =>
    makeLayer({
      group: cfg.group,
      n: cfg.n,
      k: cfg.k,
      l: cfg.l,
      maxDiagrams: cfg.maxDiagrams,
      maxDense: skipBoth(cfg) ? 0 : cfg.maxDense,
    }, rng),
  methods: {
    naive: {
      label: "naive dense W·v",
      description: "the spanning-set weight matrix Σ λ_d M_d formed densely (n^l × n^k) and multiplied with v: " +
        "O(n^(l+k)) (paper Sec. 1, the cost it improves on)",
      backends: ["native", "wasm", "webgpu"],
      skip: (c) => skipBoth(c) || (c.n ** (c.l + c.k) > c.maxDense ? `n^(l+k) > maxDense = ${c.maxDense}` : false),
      run: (d: LayerData, _cfg, ctx) => naive(d, ctx.backend),
    },
    factored: {
      label: "factored (MatrixMult)",
      description: "Pearce-Crump 2023, MatrixMult: Factor each diagram into σ_l ∘ planar ∘ σ_k, Permute, PlanarMult " +
        "(contract bottom blocks, transfer, copy top blocks: a Kronecker product), Permute; summed over diagrams",
      backends: ["native", "wasm", "webgpu"],
      skip: skipBoth,
      run: (d: LayerData, _cfg, ctx) => factored(d, ctx.backend),
    },
  },
  metrics: {
    rel_err: lower("max |y − y_ref| / max |y_ref| (float64 reference)", tol.rounding(roundoff({ n: 1e4 }))),
    ref_dense: reported("reference is the float64 dense product (1) or float64 factored (0)", tol.exact()),
    cost: lower("entries read/written (naive n^(l+k); factored: per-step count)", tol.exact()),
    diagrams: reported("diagrams in the layer", tol.exact()),
  },
  measure: (d: LayerData, { y, cost }: LayerOut) => {
    let err = 0, scale = 0;
    for (let i = 0; i < d.yRef.length; i++) {
      err = Math.max(err, Math.abs(y[i] - d.yRef[i]));
      scale = Math.max(scale, Math.abs(d.yRef[i]));
    }
    return {
      rel_err: scale > 0 ? err / scale : err,
      ref_dense: d.refIsDense ? 1 : 0,
      diagrams: d.diagrams.length,
      cost,
    };
  },
  timing: { warmup: 1, repeats: 3 },
  claims: [
    {
      id: "exact",
      kind: "identity",
      statement: "Our check of the implementation (the factored product equals W·v by the paper's construction): " +
        "both methods' outputs match the float64 reference to rounding, max relative error ≤ 1e-12 on float64 " +
        "(native) runs and ≤ 1e-4 on float32 (jax-js) runs.",
      check: (r) => {
        const rows = r.select({ metric: "rel_err" });
        const bad = rows.filter((x) => !(x.value <= (x.backend === "native" ? 1e-12 : 1e-4)));
        const worst = (b: (x: string) => boolean) => {
          const v = rows.filter((x) => b(x.backend)).map((x) => x.value);
          return v.length ? fmt(Math.max(...v)) : "n/a";
        };
        return verdict(
          bad.length === 0,
          `max rel. error ${worst((b) => b === "native")} (float64), ${worst((b) => b !== "native")} (float32) over ` +
            `${rows.length} runs; ${bad.length} above threshold`,
          bad.slice(0, 3).map((x) => `${x.method} ${x.backend} ${JSON.stringify(x.config)}: ${x.value}`).join("; ") ||
            undefined,
        );
      },
    },
    {
      id: "advantage-grows",
      kind: "paper",
      statement: "The factored algorithm's advantage over the naive product grows with n, as the complexity analysis " +
        "says (naive O(n^(l+k)) vs far fewer entries touched). Checked in every (group, k, l, backend) series with " +
        "both methods at ≥ 2 values of n: the least-squares slope of log(naive/factored time) in log n (each seed a " +
        "point) is > 0 with its whole 95% interval.",
      paper: {
        value: '"a significant reduction in computational cost compared with a naive implementation"',
        source: ABSTRACT,
      },
      timing: true,
      check: growth(0, 2, 0, false),
    },
    {
      id: "faster-brauer",
      kind: "paper",
      statement: "For O(n) and Sp(n) the factored algorithm is faster than the naive product at the largest n where " +
        "the naive one ran, in every (k, l, backend) series whose largest n is ≥ 6. Checked: naive/factored time, " +
        "geometric mean of per-seed ratios less 2 SE, ≥ 1.1 (10%, so a tie within timing noise is not a win).",
      paper: {
        value: '"a significant reduction in computational cost compared with a naive implementation"',
        source: ABSTRACT,
      },
      timing: true,
      check: fasterBrauer(1.1),
    },
    {
      id: "complexity-exponent",
      kind: "paper",
      statement: "Time grows with a smaller power of n for the factored algorithm. Checked at the largest order " +
        "l + k among series with both methods at ≥ 3 values n ≥ 4: the log–log slope in n of the per-seed time " +
        "ratio naive/factored (the gap between the two exponents) is ≥ 1 with its whole 95% interval, on every " +
        "backend and group.",
      paper: {
        value: "naive cost O(n^(l+k)) (the dense n^l × n^k matrix); the factored cost is lower",
        source: ABSTRACT,
      },
      timing: true,
      check: growth(1, 3, 4, true),
    },
  ],
  figures: [
    {
      id: "time-vs-n",
      title: "Time to apply one layer vs n (median of repeats), per group, orders and backend",
      mirrors: "the paper has no figure; this plots its complexity comparison (naive vs MatrixMult)",
      spec: lineChart({
        metric: "time_ms",
        calculate: [
          { as: "layer", expr: "datum.group + ' (k,l)=(' + datum.k + ',' + datum.l + ')'" },
          { as: "method · backend", expr: "datum.method + ' · ' + datum.backend" },
        ],
        x: "n",
        logX: true,
        logBase: 2,
        logBaseY: 10,
        logY: true,
        yTitle: "time (ms)",
        color: "method · backend",
        wrap: "layer",
        columns: 3,
        independentY: true,
      }),
    },
    {
      id: "cost-vs-n",
      title: "Entries touched (naive n^(l+k) vs the factored count) vs n",
      spec: lineChart({
        metric: "cost",
        calculate: [{ as: "layer", expr: "datum.group + ' (k,l)=(' + datum.k + ',' + datum.l + ')'" }],
        x: "n",
        logX: true,
        logBase: 2,
        logBaseY: 10,
        logY: true,
        yTitle: "entries",
        wrap: "layer",
        columns: 3,
      }),
    },
  ],
  tables: [
    {
      id: "exactness-time",
      title: "Relative error vs the float64 reference and time per layer",
      metrics: ["rel_err", "time_ms", "cost", "diagrams"],
      by: ["group", "k", "l", "n", "backend"],
    },
  ],
});

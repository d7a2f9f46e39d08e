/**
 * ssumm — Lee, Jo, Ko, Lim, Shin: "SSumM: Sparse Summarization of Massive Graphs" (KDD 2020, arXiv 2006.01060;
 * official Java code KyuhanLee/SSumM). SSumM merges supernodes and sparsifies superedges under an MDL cost to
 * meet a target summary size (in bits), aiming at low reconstruction error (RE₁, RE₂) in time linear in |E|.
 *
 * Files: summary.ts (size and error of a summary, the official output format), ssumm.ts (SSumM, random
 * merging and a k-Gs-like greedy, sharing one summary state). Graphs come from lib/math/graph.
 */
import { z } from "zod";
import { atLeast, intAtLeast } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, tol } from "../../lib/experiment.ts";
import { allOf, bestOf, fmt, slopeWithInterval, threshold, verdict } from "../../lib/claims/mod.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import {
  barabasiAlbert,
  type Graph,
  karateClub,
  loadRealGraph,
  type RealGraphName,
  rmat,
  sbm,
} from "../../lib/math/graph/mod.ts";
import { evaluate, type Summary } from "./summary.ts";
import { kgs, randomMerge, ssumm } from "./ssumm.ts";

const REPO = "https://github.com/KyuhanLee/SSumM";
const README = { url: `${REPO}/blob/master/README.md`, where: "README.md, list of advantages" };

const GRAPHS = ["sbm", "ba", "rmat", "karate", "words", "roget", "wormnet"] as const;
const REAL: readonly string[] = ["words", "roget", "wormnet"];
const BASE_N = 4096;
const TIMING = { graph: "rmat", norm: 2, targetFraction: 0.3 } as const;

const config = z.object({
  graph: z.enum(GRAPHS).default("sbm").describe(
    "input graph: sbm (20 equal blocks, 80% of edges inside), ba (Barabási–Albert), rmat (Graph500 R-MAT), " +
      "karate (Zachary 1977), or a python3-networkx example graph: words, roget, wormnet",
  ),
  n: intAtLeast(32, BASE_N, "nodes of a synthetic graph (R-MAT: rounded to 2^k)"),
  avgDegree: atLeast(1, 8, "mean degree 2|E|/|V| of a synthetic graph (before dedup)"),
  targetFraction: z.number().positive().max(1).default(0.3).describe(
    "target summary size K as a fraction of the input size 2|E|·log₂|V| bits (the official `fracK`)",
  ),
  norm: z.union([z.literal(1), z.literal(2)]).default(2).describe(
    "error SSumM minimizes: 2 = RE₂ (SSumM.java), 1 = RE₁ (ReOne.java); also the k-Gs objective",
  ),
  iterations: intAtLeast(1, 20, "SSumM iterations T (official: 20)"),
  shingles: intAtLeast(1, 10, "min-hash shingles per node k (official: 10)"),
  kgsPairs: intAtLeast(1, 64, "k-Gs SamplePairs: random candidate pairs per merge"),
});
type Cfg = z.infer<typeof config>;

function makeGraph(cfg: Cfg, rng: import("../../lib/math/rng.ts").Rng): Graph {
  switch (cfg.graph) {
    case "sbm": {
      const blocks = 20, size = Math.floor(cfg.n / blocks);
      // mean degree d with 80% of it inside the block: d·0.8 = pIn·(size−1), d·0.2 = pOut·(n − size)
      const pIn = (0.8 * cfg.avgDegree) / (size - 1), pOut = (0.2 * cfg.avgDegree) / (blocks * size - size);
      return sbm(Array(blocks).fill(size), pIn, pOut, rng).graph;
    }
    case "ba":
      return barabasiAlbert(cfg.n, Math.max(1, Math.round(cfg.avgDegree / 2)), rng);
    case "rmat":
      return rmat(Math.round(Math.log2(cfg.n)), cfg.avgDegree / 2, rng);
    case "karate":
      return karateClub().graph;
    default: {
      const g = loadRealGraph(cfg.graph as RealGraphName);
      if (g === null) {
        throw new Error(
          `${cfg.graph}: python3-networkx example data not installed (apt-get install -y python3-networkx)`,
        );
      }
      return g;
    }
  }
}

/** Every point but the timing series runs at n = BASE_N; the timing series is SSumM on R-MAT at one target. */
function skip(method: string) {
  return (cfg: Cfg): string | false => {
    if (cfg.n <= BASE_N) return false;
    if (REAL.includes(cfg.graph) || cfg.graph === "karate") return "real graphs have one size";
    const timing = method === "ssumm" && cfg.graph === TIMING.graph && cfg.norm === TIMING.norm &&
      cfg.targetFraction === TIMING.targetFraction;
    return timing ? false : "sizes above n = 4096 are for the SSumM timing series only";
  };
}

const measure = (g: Graph, s: Summary, cfg: Cfg) => {
  const st = evaluate(g, s);
  return {
    rel_size: st.relSize,
    over_target: st.relSize / cfg.targetFraction,
    l1: st.l1,
    l2: st.l2,
    supernodes: st.supernodes,
    superedges: st.superedges,
    edges: g.m,
  };
};

const realAt = (metric: "l1" | "l2", norm: 1 | 2) =>
  allOf(
    ...REAL.map((graph) =>
      bestOf({
        metric,
        winner: "ssumm",
        others: ["kgs", "random"],
        better: "lower",
        where: { graph, norm, n: BASE_N },
        forEach: "targetFraction",
      })
    ),
  );

/**
 * "Linear in |E|": the log–log slope of SSumM's time against the measured edge count of each timing-series run
 * (R-MAT drops repeated edges, so |E| is not exactly proportional to |V|), with its 95% interval ≤ `below`.
 */
function timeVsEdges(below: number) {
  return Object.assign((r: ResultSet) => {
    const edges = new Map(
      r.select({ metric: "edges", method: "ssumm", where: TIMING }).map((x) => [`${x.seed}/${x.config.n}`, x.value]),
    );
    const xs: number[] = [], ys: number[] = [];
    for (const row of r.select({ metric: "time_ms", method: "ssumm", where: TIMING })) {
      const e = edges.get(`${row.seed}/${row.config.n}`);
      if (e === undefined) continue;
      xs.push(Math.log10(e));
      ys.push(Math.log10(row.value));
    }
    const s = slopeWithInterval(xs, ys);
    const ci = Number.isFinite(s.lo) ? `[${fmt(s.lo)}, ${fmt(s.hi)}]` : "(no interval)";
    return verdict(
      s.hi <= below,
      `ssumm time_ms vs |E| (loglog): slope ${fmt(s.slope)} ${ci} (95% interval ≤ ${below}; ${xs.length} runs, ` +
        `|E| ${fmt(10 ** Math.min(...xs))}–${fmt(10 ** Math.max(...xs))})`,
    );
  }, { metrics: ["time_ms", "edges"] });
}

export default defineExperiment({
  id: "ssumm",
  paper: {
    title: "SSumM: Sparse Summarization of Massive Graphs",
    authors: "Kyuhan Lee, Hyeonsoo Jo, Jihoon Ko, Sungsu Lim, Kijung Shin",
    year: 2020,
    arxiv: "2006.01060",
    venue: "KDD 2020",
    code: "KyuhanLee/SSumM",
  },
  summary: "SSumM summarizes a graph into supernodes and weighted superedges within a size budget in bits, merging " +
    "min-hash candidate pairs by relative MDL saving under a decreasing threshold and dropping superedges whose " +
    "sparse encoding is cheaper. The paper reports summaries with lower reconstruction error at equal size (up " +
    "to 4.2×), up to 11.2× smaller summaries at similar error, and linear scalability. We run SSumM, random " +
    "merging and a k-Gs-like greedy at the same target sizes on three real graphs shipped with python3-networkx " +
    "and on SBM, Barabási–Albert and R-MAT graphs, and time SSumM on R-MAT graphs of growing size.",
  config,
  scales: {
    smoke: {
      description: "SBM with 400 nodes and karate club, targets 0.2 and 0.4, RE₂, 2 seeds (well under a second each)",
      seeds: 2,
      grid: { graph: ["sbm", "karate"], targetFraction: [0.2, 0.4] },
      set: { n: 400, iterations: 10 },
      deviations: ["tiny graphs, T = 10; claims are graded at paper scale only (the real graphs are not in it)"],
    },
    paper: {
      description: "words, roget, wormnet (python3-networkx), SBM/BA/R-MAT with 4096 nodes, karate club; targets " +
        "0.1, 0.3, 0.5 of the input size; RE₁ and RE₂ variants; 3 methods, 3 seeds. Timing: SSumM (RE₂, target " +
        "0.3) on R-MAT with 2^12..2^16 nodes, mean degree 8",
      seeds: 3,
      grid: {
        graph: [...GRAPHS],
        targetFraction: [0.1, 0.3, 0.5],
        norm: [1, 2],
        n: [BASE_N, 8192, 16384, 32768, 65536],
      },
      deviations: [
        "the paper's 10 SNAP/KONECT graphs (up to 0.8 billion edges) are not reachable offline; three small real " +
        "graphs from Debian's python3-networkx stand in (5757 to ~16k nodes), plus synthetic graphs",
        "timing series up to ~2.6·10^5 R-MAT edges (the paper: up to 0.8·10^9 edges)",
      ],
    },
  },
  deviations: [
    "follows the official Java code; the k-th order statistic in topNDrop (median of medians) is a full sort " +
    "here, with the same drop order up to ties; threads of the shingle computation are sequential",
    "the summary state counts a self-loop superedge's model cost once (the Java code's modelCost counts it as " +
    "any superedge); cost definitions otherwise as SSumM.java / ReOne.java",
    "competitors: random merging (the paper's ablation-style baseline) and a k-Gs-like greedy (LeFevre & Terzi " +
    "2010, SamplePairs with 64 pairs per merge, dense summary, run to the same size budget). S2L, SAA-Gs, SWeG " +
    "and the other competitors of the paper are not implemented",
    "the 'up to 11.2× smaller at similar error' claim is not graded: it needs each competitor's size-error " +
    "curve interpolated at SSumM's error, which our three-target grid cannot resolve; the error ratios at equal " +
    "size (the 4.2× claim) are graded instead",
    "the official repository's ego_facebook.txt and its reference summary are compared in ssumm_test.ts only " +
    "(they are not committed; the test skips without the fetched mirror)",
    "before the claims were written, development runs on SBM/BA/R-MAT (n = 1000–2048) showed SSumM and random " +
    "merging tied on RE₂ at target 0.2 (SBM: 1.120e-4 vs 1.118e-4; ego_facebook: 1.52e-5 vs 2.36e-5); the " +
    "synthetic graphs are reported as sanity results, the paper claims are graded on the real graphs as the " +
    "paper's are",
    "the first paper-scale verify (commit 718d0b6) skipped the three real graphs (an availability check ran in " +
    "the runner, which may not read /usr/share; now data() fails with the reason instead) and fitted the " +
    "timing slope in |V|: 1.535 [1.216, 1.854], under concurrent load from another sweep. The slope is now " +
    "fitted in the measured |E|",
  ],
  data: (cfg: Cfg, { rng }) => makeGraph(cfg, rng),
  dataKeys: ["graph", "n", "avgDegree"],
  methods: {
    ssumm: {
      label: "SSumM",
      description: "Lee et al. 2020 Alg. 1 as in SSumM.java / ReOne.java: shingle groups, MDL savings, " +
        "threshold 1/(1+t), sparsification to the target",
      skip: skip("ssumm"),
      run: (g: Graph, cfg: Cfg, ctx) =>
        ssumm(g, {
          targetFraction: cfg.targetFraction,
          norm: cfg.norm,
          iterations: cfg.iterations,
          shingles: cfg.shingles,
        }, ctx.rng).summary,
    },
    kgs: {
      label: "k-Gs (SamplePairs)",
      description: "LeFevre & Terzi 2010: greedy merge of the sampled pair with least error increase, dense summary",
      skip: skip("kgs"),
      run: (g: Graph, cfg: Cfg, ctx) =>
        kgs(g, { targetFraction: cfg.targetFraction, norm: cfg.norm, pairs: cfg.kgsPairs }, ctx.rng),
    },
    random: {
      label: "random merging",
      description: "uniform random merges with SSumM's MDL encoding of each block and its sparsification",
      skip: skip("random"),
      run: (g: Graph, cfg: Cfg, ctx) => randomMerge(g, { targetFraction: cfg.targetFraction, norm: cfg.norm }, ctx.rng),
    },
  },
  backends: ["js"],
  metrics: {
    rel_size: lower("summary size / input size (bits)"),
    over_target: lower("summary size / target size"),
    l1: lower("RE₁ = ‖A − Â‖₁ / (|V|(|V|−1))"),
    l2: lower("RE₂ = ‖A − Â‖_F / (|V|(|V|−1))"),
    supernodes: reported("supernodes |S|", tol.exact()),
    superedges: reported("superedges |P|", tol.exact()),
    edges: reported("input edges |E|", tol.exact()),
  },
  measure,
  timing: { warmup: 0, repeats: 1 },
  claims: [
    {
      id: "accurate-re2",
      kind: "paper",
      statement: "At equal target size, SSumM's summaries have lower RE₂ than its competitors' (README: 'up to " +
        "4.2× smaller reconstruction error with similarly concise outputs'). Checked on each real graph (words, " +
        "roget, wormnet) at every target (0.1, 0.3, 0.5), RE₂ variant: SSumM beats k-Gs and random merging by 2% " +
        "beyond 2 standard errors.",
      paper: { value: "up to 4.2× smaller error at similar size (10 real graphs)", source: README },
      scales: ["paper"],
      check: realAt("l2", 2),
    },
    {
      id: "accurate-re1",
      kind: "paper",
      statement: "The same for RE₁ (ReOne variant of SSumM, k-Gs minimizing RE₁): SSumM beats both baselines by " +
        "2% beyond 2 standard errors on each real graph at every target.",
      paper: { value: "up to 4.2× smaller error at similar size (10 real graphs)", source: README },
      scales: ["paper"],
      check: realAt("l1", 1),
    },
    {
      id: "linear-time",
      kind: "paper",
      statement: "SSumM scales linearly with the size of the input graph. Checked: on R-MAT graphs with 2^12 to " +
        "2^16 nodes and mean degree ≤ 8, the log–log slope of SSumM's time against the measured |E| has its " +
        "95% interval ≤ 1.2.",
      paper: { value: "linear scalability; 26× larger graphs than competitors", source: README },
      timing: true,
      scales: ["paper"],
      check: timeVsEdges(1.2),
    },
    {
      id: "meets-target",
      kind: "sanity",
      statement: "Every method meets the size budget: summary size ≤ target (+0.01% for rounding) in every run.",
      check: allOf(
        ...["ssumm", "kgs", "random"].map((method) => threshold({ metric: "over_target", method, below: 1.0001 })),
      ),
    },
    {
      id: "synthetic-re2",
      kind: "sanity",
      statement: "Our extension: on SBM, BA and R-MAT graphs (4096 nodes), SSumM's RE₂ is lower than random " +
        "merging's at every target (2% beyond 2 SE).",
      scales: ["paper"],
      check: allOf(
        ...["sbm", "ba", "rmat"].map((graph) =>
          bestOf({
            metric: "l2",
            winner: "ssumm",
            others: ["random"],
            better: "lower",
            where: { graph, norm: 2, n: BASE_N },
            forEach: "targetFraction",
          })
        ),
      ),
    },
  ],
  figures: [
    {
      id: "error-vs-size",
      title: "RE₂ vs target size (RE₂ variant), per graph",
      mirrors: "Fig. 1 / Fig. 5 (size vs reconstruction error)",
      spec: lineChart({
        metric: "l2",
        x: "targetFraction",
        xTitle: "target size / input size",
        yTitle: "RE₂",
        logY: true,
        column: "graph",
        where: `datum.norm == 2 && datum.n == ${BASE_N}`,
      }),
    },
    {
      id: "time-vs-n",
      title: "SSumM time vs R-MAT size (log–log)",
      mirrors: "Fig. 6 (scalability)",
      spec: lineChart({
        metric: "time_ms",
        x: "n",
        yTitle: "time (ms)",
        logX: true,
        logY: true,
        logBase: 2,
        where: `datum.graph == 'rmat' && datum.method == 'ssumm' && datum.norm == 2 && datum.targetFraction == 0.3`,
      }),
    },
  ],
  tables: [
    {
      id: "summary",
      title: "Size, RE₁, RE₂ and time per graph, target and variant (n = 4096 for synthetic graphs)",
      metrics: ["rel_size", "l1", "l2", "time_ms"],
      by: ["graph", "targetFraction", "norm"],
    },
  ],
});

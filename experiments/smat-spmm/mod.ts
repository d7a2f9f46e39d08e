/**
 * smat-spmm — Okanovic, Kwasniewski, Labini, Besta, Vella, Hoefler et al.: "High Performance Unstructured SpMM
 * Computation Using Tensor Cores" (SMaT, arXiv 2408.11551, SC 2024; official code spcl/smat). SMaT multiplies an
 * unstructured sparse matrix by a dense one on tensor cores in a block-sparse format (16 × 16 tiles of A for the
 * m16n8k16 MMA), after permuting rows and columns to minimise the number of nonzero tiles. The speedups (up to 125×
 * over cuSPARSE on an A100) need the GPU kernels and are out of reach here. Tier C: this module checks only the
 * algorithmic part, i.e. how much SMaT's Jaccard row/column reordering (as run by the official scripts) cuts the
 * nonzero-tile count on synthetic unstructured matrices, against no reordering and two simple baselines.
 *
 * Files: reorder.ts (patterns, SMaT's reordering, RCM, first-nonzero sort, tile count, SpMM), data.ts (generators).
 */
import { z } from "zod";
import { between, intAtLeast } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, type Measurements, tol } from "../../lib/experiment.ts";
import { allOf, compare, threshold } from "../../lib/claims/mod.ts";
import { barChart } from "../../lib/figures/mod.ts";
import { type Kind, makeMatrix, type SparseData } from "./data.ts";
import {
  bipartiteRcm,
  countBlocks,
  firstNonzeroOrder,
  identity,
  isPermutation,
  nnz,
  permute,
  reorderedSpmmError,
  type Reordering,
  smatReorder,
} from "./reorder.ts";

const PAPER = { url: "https://arxiv.org/abs/2408.11551", where: "abstract (also spcl/smat README.md)" };
const KINDS: Kind[] = ["uniform", "powerlaw", "banded", "blockdiag"];
const METHODS = ["none", "first_nnz", "rcm", "smat_rows", "smat"];

const config = z.object({
  kind: z.enum(["uniform", "powerlaw", "banded", "blockdiag"]).default("uniform")
    .describe("matrix family (see data.ts)"),
  n: intAtLeast(16, 4096, "rows = columns"),
  deg: intAtLeast(1, 8, "mean nonzeros per row"),
  band: intAtLeast(1, 16, "half bandwidth of the banded family"),
  diagBlock: intAtLeast(2, 48, "size of the hidden diagonal blocks (blockdiag family)"),
  tile: intAtLeast(2, 16, "tile side: 16 × 16 A-tiles of the m16n8k16 MMA (MMA_M × MMA_K)"),
  tau: between(0, 1, 0.5, "SMaT's Jaccard distance threshold (src/reorder.py TAU = 0.5)"),
  k: intAtLeast(1, 8, "columns of the dense B in the SpMM identity check"),
});
type Cfg = z.infer<typeof config>;

export default defineExperiment({
  id: "smat-spmm",
  paper: {
    title: "High Performance Unstructured SpMM Computation Using Tensor Cores",
    authors: "Patrik Okanovic, Grzegorz Kwasniewski, Paolo Sylos Labini, Maciej Besta, Flavio Vella, Torsten Hoefler",
    year: 2024,
    arxiv: "2408.11551",
    code: "spcl/smat",
    venue: "SC 2024",
  },
  summary: "SMaT runs unstructured SpMM on tensor cores in a block-sparse format and says that permuting the sparse " +
    "matrix improves performance by minimising the number of nonzero blocks. Only that mechanism is tested here " +
    "(no GPU kernels): the official reordering (Jaccard-similarity row grouping into 16-row blocks, then the same on " +
    "columns, τ = 0.5) against no reordering, a first-nonzero row sort and bipartite reverse Cuthill–McKee, counting " +
    "nonzero 16 × 16 tiles and their fill on four synthetic families: uniform random, power-law rows, banded with " +
    "noise, and a randomly permuted block-diagonal matrix.",
  config,
  scales: {
    smoke: {
      description: "n = 512, 8 nonzeros per row, the four families, 1 seed",
      seeds: 1,
      set: { n: 512 },
      grid: { kind: KINDS },
      deviations: ["a small matrix and one seed: a pipeline check; the paper claim is graded at paper scale only"],
    },
    paper: {
      description: "n = 4096, 8 nonzeros per row, the four families, 5 seeds",
      seeds: 5,
      grid: { kind: KINDS },
      deviations: [
        "synthetic 4096 × 4096 matrices (8 nonzeros per row) instead of SuiteSparse and the paper's band matrices " +
        "(not downloadable here); the tile count is the measure, not GPU time",
      ],
    },
  },
  deviations: [
    "only the reordering is reproduced; the tensor-core kernels, the timings and the 125× speedup are not tested",
    "the official IterativeBlockingKeeper skips some comparisons when |d_i − d_j| > τ on distances left from earlier " +
    "seeds (a speed shortcut on a partly uninitialised array); we compare every candidate row",
    "rows within a group are ordered stably by index (the official get_permutation uses std::sort, unstable)",
    "baselines (ours, not the paper's): rows sorted by first nonzero column; reverse Cuthill–McKee on the bipartite " +
    "row–column graph; 'smat_rows' is SMaT's row step alone (an ablation)",
  ],
  data: (cfg: Cfg, { rng }): SparseData =>
    makeMatrix({ kind: cfg.kind, n: cfg.n, deg: cfg.deg, band: cfg.band, diagBlock: cfg.diagBlock, k: cfg.k }, rng),
  dataKeys: ["kind", "n", "deg", "band", "diagBlock", "k"],
  methods: {
    none: {
      label: "no reordering",
      description: "the matrix as generated",
      run: (d: SparseData) => identity(d.pattern),
    },
    first_nnz: {
      label: "sort rows by first nonzero",
      description: "rows sorted by first nonzero column, then length; columns kept (a simple baseline, ours)",
      run: (d: SparseData) => firstNonzeroOrder(d.pattern),
    },
    rcm: {
      label: "bipartite RCM",
      description: "reverse Cuthill–McKee on the bipartite row–column graph (George & Liu 1981)",
      run: (d: SparseData) => bipartiteRcm(d.pattern),
    },
    smat_rows: {
      label: "SMaT rows only",
      description: "SMaT's Jaccard row grouping alone (IterativeBlockingKeeper + fixed 16-row blocks), columns kept",
      run: (d: SparseData, cfg: Cfg) => smatReorder(d.pattern, { tau: cfg.tau, block: cfg.tile, columns: false }),
    },
    smat: {
      label: "SMaT (rows, then columns)",
      description: "spcl/smat src/reorder.py: Matrix_Blocking -a 5 -b 16 -B 16 -F 1 -t 0.5 on A, then on the transpose",
      run: (d: SparseData, cfg: Cfg) => smatReorder(d.pattern, { tau: cfg.tau, block: cfg.tile }),
    },
  },
  metrics: {
    blocks: lower("nonzero 16 × 16 tiles", tol.exact()),
    fill: higher("tile fill: nnz / (tiles · 256)"),
    blocks_vs_none: lower("tiles relative to no reordering"),
    spmm_err: lower("max |SpMM(reordered), rows put back − SpMM(original)| (integer data: exact)", tol.exact()),
    is_perm: higher("1 if both orders are permutations", tol.exact()),
  },
  measure: (d: SparseData, r: Reordering, cfg: Cfg): Measurements => {
    const p = d.pattern, t = cfg.tile;
    const ok = isPermutation(r.rowPerm, p.nRows) && isPermutation(r.colPerm, p.nCols);
    if (!ok) return { is_perm: 0 };
    const blocks = countBlocks(permute(p, r), t, t), base = countBlocks(p, t, t);
    return {
      blocks,
      fill: nnz(p) / (blocks * t * t),
      blocks_vs_none: blocks / base,
      spmm_err: reorderedSpmmError(p, d.vals, d.b, d.k, r),
      is_perm: 1,
    };
  },
  claims: [
    {
      id: "permutation-cuts-blocks",
      kind: "paper",
      statement: "Sparse matrix permutation minimises the number of nonzero blocks (abstract). Checked on every " +
        "family: SMaT's reordering leaves fewer nonzero 16 × 16 tiles than no reordering, by 2% beyond 2·SE, " +
        "paired per seed.",
      paper: {
        value: "sparse matrix permutation, further improve performance by minimizing the number of non-zero blocks",
        source: PAPER,
      },
      scales: ["paper"],
      check: compare({ metric: "blocks", method: "smat", baseline: "none", better: "lower", forEach: "kind" }),
    },
    {
      id: "recovers-hidden-blocks",
      kind: "sanity",
      statement: "Ours: on the permuted block-diagonal family (a structure a reordering can recover), SMaT at least " +
        "halves the tile count of the scrambled matrix (geometric mean over seeds, less 2·SE).",
      scales: ["paper"],
      check: compare({
        metric: "blocks",
        method: "smat",
        baseline: "none",
        better: "lower",
        factor: 2,
        where: { kind: "blockdiag" },
      }),
    },
    {
      id: "reordering-is-permutation",
      kind: "identity",
      statement: "Every method returns permutations of rows and columns, and SpMM on the reordered matrix, rows put " +
        "back, equals SpMM on the original exactly (integer data).",
      check: allOf(
        ...METHODS.map((m) => threshold({ metric: "is_perm", method: m, above: 1 })),
        ...METHODS.map((m) => threshold({ metric: "spmm_err", method: m, below: 0 })),
      ),
    },
  ],
  figures: [
    {
      id: "tiles-per-family",
      title: "Nonzero 16 × 16 tiles relative to no reordering, per family",
      mirrors: "the paper's claim that permutation cuts nonzero blocks (no figure of ours matches its GPU plots)",
      spec: barChart({ metric: "blocks_vs_none", column: "kind", yTitle: "tiles / tiles without reordering" }),
    },
  ],
  tables: [{ id: "summary", title: "Nonzero tiles and fill per family", metrics: ["blocks", "fill"], by: ["kind"] }],
  // No paperNumbers: the paper's block counts could not be read here.
});

/**
 * pararnn — Danieli, Rodriguez, Sarabia, Suau, Zappella: "ParaRNN: Unlocking Parallel Training of Nonlinear RNNs
 * for Large Language Models" (arXiv 2510.21450; official code apple/ml-pararnn, read in the fork
 * xaviergonzalez/ml-pararnn). The hidden states of a nonlinear RNN over a whole sequence are one nonlinear system,
 * solved by Newton's method whose every step is a block-bidiagonal linear recurrence solved by a parallel reduction.
 * This module runs the two cells of the paper with diagonal recurrence (ParaGRU, ParaLSTM-CIFG; random weights with
 * the official initialisers) on L = 256–16k and checks the convergence half of the claim in float64: the Newton
 * fixed point is the sequential trajectory, reached in a few iterations whose number does not grow with L. The
 * speed half (up to 665× on a GPU) cannot be measured on this CPU; the ideal parallel depth of each method (its
 * op-count proxy) is reported instead, named as such, and the CPU wall-clock is shown without a claim.
 */
import { z } from "zod";
import { intAtLeast, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported, roundoff, tol } from "../../lib/experiment.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { compare, LARGEST, notMeasured, threshold, trend } from "../../lib/claims/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { type Cell, type CellKind, drive, makeCell, sequential } from "./cells.ts";
import { type IterateState, newton, picard, type SolveResult } from "./newton.ts";
import { solveSequential } from "./scan.ts";

const ABSTRACT = { url: "https://arxiv.org/abs/2510.21450", where: "abstract" };
const NEWTON_DEFAULTS = {
  url: "https://github.com/xaviergonzalez/ml-pararnn/blob/main/pararnn/parallel_reduction/parallel_reduction.py",
  where: "NewtonConfig: max_its = 3, abs_tol = rel_tol = 0 (a fixed 3 Newton iterations); default dtype float32 " +
    "in pararnn/rnn_cell/rnn_cell_utils.py (Config)",
};
const L_MAX = 16384;
/** Claims are stated for the official init: graded at smoke and paper scale, shown at the stress scale. */
const GRADED = ["smoke", "paper"];

const config = z.object({
  cell: z.enum(["gru", "lstm"]).default("gru").describe(
    "the cell: diagonal GRU (ParaGRU, diagonal Jacobians) or diagonal LSTM-CIFG (ParaLSTM, 2×2 block-diagonal)",
  ),
  seqLength: intAtLeast(2, 1024, "sequence length L"),
  stateDim: intAtLeast(1, 32, "units n (the LSTM state holds (c, h): 2n entries)"),
  inputDim: intAtLeast(1, 16, "input size d; inputs x_t ~ N(0, I)"),
  heads: intAtLeast(1, 2, "heads of the block-diagonal input map B (must divide n and d)"),
  aScale: positive(
    1,
    "factor on the recurrent diagonals A (and peepholes C) after the official 'xlstm' init; 1 = official",
  ),
  maxIters: intAtLeast(1, 50, "cap on Newton iterations"),
  picardMaxIters: intAtLeast(1, 500, "cap on Picard (Jacobi) iterations"),
  tol: positive(1e-13, "stop when the residual max|f(h_{t−1}, u_t) − h_t| ≤ tol (both Newton and Picard)"),
  chunk: intAtLeast(
    1,
    4,
    "chunk size of the chunked solve (official CUDA kernel: 4 for float64 diagonal Jacobians, csrc/helpers.h)",
  ),
});
type Cfg = z.infer<typeof config>;

interface Data {
  cell: Cell;
  u: Float64Array;
  L: number;
  /** The sequential trajectory: the reference every method is measured against. */
  ref: Float64Array;
}

type Output = SolveResult & { kind: "sequential" | "iterative" };

function makeData(cfg: Cfg, rng: Rng): Data {
  const cell = makeCell(
    { kind: cfg.cell as CellKind, n: cfg.stateDim, d: cfg.inputDim, heads: cfg.heads, aScale: cfg.aScale },
    rng.split("cell"),
  );
  const L = cfg.seqLength, x = rng.split("x").normal(L * cfg.inputDim);
  const u = drive(cell, x, L);
  return { cell, u, L, ref: sequential(cell, u, L) };
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

const newtonRun =
  (solver: "doubling" | "chunked") => (d: Data, cfg: Cfg, ctx: { observe(k: number, s: unknown): void }) =>
    ({
      kind: "iterative",
      ...newton(d.cell, d.u, d.L, { solver, chunk: cfg.chunk, maxIters: cfg.maxIters, tol: cfg.tol }, (k, s) =>
        ctx.observe(k, s)),
    }) as Output;

export default defineExperiment({
  id: "pararnn",
  paper: {
    title: "ParaRNN: Unlocking Parallel Training of Nonlinear RNNs for Large Language Models",
    authors: "Federico Danieli, Pau Rodriguez, Miguel Sarabia, Xavier Suau, Luca Zappella",
    year: 2025,
    arxiv: "2510.21450",
    code: "apple/ml-pararnn",
  },
  summary:
    "ParaRNN casts the L recurrences of a nonlinear RNN as one system of equations and solves it with Newton's " +
    "method; each Newton step is a block-bidiagonal linear recurrence solved by a parallel reduction in O(log L) " +
    "depth, which makes nonlinear GRU/LSTM cells with diagonal recurrence trainable in parallel (up to 665× faster " +
    "than sequential application on a GPU). We run the diagonal GRU and LSTM-CIFG cells with the official " +
    "initialisers on random inputs, L = 256–16k, in float64, and measure the error to the sequential trajectory per " +
    "Newton iteration, the iterations to convergence against L, the parallel solve against forward substitution, " +
    "Picard iteration as the Jacobian-free baseline, and the ideal parallel depth and work of each method.",
  config,
  scales: {
    smoke: {
      description: "both cells, L ∈ {64, 256}, n = 8, d = 4, 2 seeds; well under a second per run",
      seeds: 2,
      grid: { cell: ["gru", "lstm"], seqLength: [64, 256] },
      set: { stateDim: 8, inputDim: 4 },
      deviations: ["tiny L and n: the iteration count and depth ratios are not the paper's regime"],
    },
    paper: {
      description: "both cells, L ∈ {256, 1024, 4096, 16384}, n = 32, d = 16, 2 heads, official init, 3 seeds",
      seeds: 3,
      grid: { cell: ["gru", "lstm"], seqLength: [256, 1024, 4096, L_MAX] },
      deviations: [
        "random (untrained) weights with the official initialisers instead of the trained 7B language models; " +
        "n = 32 units instead of d_model = 2048 (training/configs/model/paragru.yaml)",
        "no GPU: the runtime-vs-length comparison (up to 665×) is replaced by the ideal parallel depth and work " +
        "(op-count proxy); the CPU wall-clock (one core, time_ms) is reported without a claim",
      ],
    },
    stress: {
      description: "our ablation beyond the paper: recurrent diagonals scaled by aScale ∈ {1, 2, 4, 8, 16} after the " +
        "official init, both cells, L ∈ {1024, 4096}, Newton vs Picard, 2 seeds; where undamped Newton stops working",
      seeds: 2,
      grid: { cell: ["gru", "lstm"], seqLength: [1024, 4096], aScale: [1, 2, 4, 8, 16] },
      set: { picardMaxIters: 5000 },
      methods: ["sequential", "newton", "picard"],
      deviations: [
        "not in the paper: stiffer random recurrences than the official init, to find where the few-iterations " +
        "claim stops holding; a run whose iteration does not reach tol is recorded as failed with its cause",
        "L ≤ 4096 (not 16k) so that Picard, exact after at most L iterations, always finishes within the time budget",
        "the claims are shown but not graded here (they are stated for the official init)",
      ],
    },
  },
  deviations: [
    "float64 throughout; the official code runs the parallel solve in float32 (its CUDA kernels cast to float32)",
    "Newton stops on the residual max-norm ≤ tol = 1e-13 (the official abs_tol criterion, disabled by default) " +
    "instead of the official fixed max_its = 3; the error after 3 iterations is reported as err_at_3",
    "forward pass only: the backward (adjoint) system, also solved by the parallel reduction in the paper, is not run",
    "the parallel reductions run serially in TypeScript; their depth (rounds of dependent combines) and work are " +
    "counted, not timed on parallel hardware",
    "Picard (Jacobi fixed-point) iteration is our Jacobian-free baseline; the paper compares against sequential " +
    "application only",
  ],
  data: (cfg: Cfg, { rng }) => makeData(cfg, rng),
  dataKeys: ["cell", "seqLength", "stateDim", "inputDim", "heads", "aScale"],
  methods: {
    sequential: {
      label: "sequential loop",
      description: "h_t = f(h_{t−1}, u_t) one step after another (the official 'sequential' mode): depth L",
      run: (d: Data): Output => {
        const h = sequential(d.cell, d.u, d.L);
        return { kind: "sequential", h, h3: h, iters: 0, converged: true, depth: d.L, work: d.L };
      },
    },
    newton: {
      label: "ParaRNN: Newton + recursive doubling",
      description: "Newton on the whole sequence (initial guess f(0, u_t)); each step's block-bidiagonal system " +
        "solved by recursive doubling, the structure of the official PyTorch reference parallel_reduce",
      run: newtonRun("doubling"),
    },
    newton_chunked: {
      label: "ParaRNN: Newton + chunked reduction",
      description: "the same Newton iteration; each system solved with the official CUDA kernel's structure " +
        "(forward substitution in chunks of 4, recursive doubling over chunk ends, back-substitution)",
      run: newtonRun("chunked"),
    },
    picard: {
      label: "Picard (Jacobi) iteration",
      description: "h^{k+1}_t = f(h^k_{t−1}, u_t) for all t at once (Newton with J = 0): our Jacobian-free baseline",
      run: (d: Data, cfg: Cfg, ctx): Output => ({
        kind: "iterative",
        ...picard(d.cell, d.u, d.L, { maxIters: cfg.picardMaxIters, tol: cfg.tol }, (k, s) => ctx.observe(k, s)),
      }),
    },
  },
  metrics: {
    err: lower("max |h^k − h^seq| after k iterations", tol.rounding(1e-12)),
    scan_err: lower(
      "‖δ_parallel − δ_forward-substitution‖∞ / ‖δ‖∞ per Newton step",
      tol.rounding(roundoff({ n: L_MAX })),
    ),
    final_err: lower("final max |h − h^seq|", tol.rounding(1e-12)),
    err_at_3: lower("max |h − h^seq| after 3 iterations (the official max_its)", tol.rounding(1e-12)),
    iters: lower("iterations to residual ≤ tol", tol.exact()),
    depth: lower("ideal parallel depth, time-step ops on the critical path (op-count proxy)", tol.exact()),
    work: lower("total time-step operations (op-count proxy)", tol.exact()),
    depth_speedup: higher("L / depth: ideal speedup over the sequential loop (op-count proxy)", tol.exact()),
    work_ratio: reported("work / L: extra work over the sequential loop", tol.exact()),
  },
  observe: (d: Data, s: IterateState) => {
    const out: Record<string, number> = { err: maxDiff(s.h, d.ref) };
    if (s.system) {
      const { jac, rhs, delta } = s.system;
      const ref = solveSequential(jac, rhs, d.L, { n: d.cell.n, m: d.cell.m }).x;
      out.scan_err = maxDiff(delta, ref) / Math.max(maxAbs(ref), Number.MIN_VALUE);
    }
    return out;
  },
  measure: (d: Data, o: Output, cfg: Cfg) => {
    const common = {
      final_err: maxDiff(o.h, d.ref),
      depth: o.depth,
      work: o.work,
      depth_speedup: d.L / o.depth,
      work_ratio: o.work / d.L,
    };
    if (o.kind === "sequential") return common;
    if (!o.converged) {
      const diverged = !Number.isFinite(common.final_err);
      throw new Error(
        `no convergence to tol = ${cfg.tol} in ${o.iters} iterations${diverged ? " (diverged to NaN/∞)" : ""}; ` +
          `max error to the sequential states ${common.final_err}`,
      );
    }
    return { ...common, iters: o.iters, err_at_3: maxDiff(o.h3, d.ref) };
  },
  claims: [
    {
      id: "newton-equals-sequential",
      kind: "paper",
      scales: GRADED,
      statement: "Newton's iterations on the whole-sequence system, with the parallel reduction as linear solver, " +
        "reproduce the sequential hidden states: in every run (both cells, every L, both reductions) the final max " +
        "error to the sequential trajectory is ≤ 1e-12 (our float64 threshold, ≈ 4500 eps).",
      paper: {
        value: "the sequence of recurrences solved as one system with Newton's iterations and parallel reductions",
        source: ABSTRACT,
      },
      check: threshold({ metric: "final_err", method: ["newton", "newton_chunked"], below: 1e-12 }),
    },
    {
      id: "few-iterations",
      kind: "paper",
      scales: GRADED,
      statement: "A few Newton iterations suffice: in every run the residual reaches 1e-13 (float64 rounding) " +
        "within ≤ 10 iterations (our reading of 'a few').",
      paper: { value: "a fixed 3 Newton iterations by default (official code)", source: NEWTON_DEFAULTS },
      check: threshold({ metric: "iters", method: ["newton", "newton_chunked"], below: 10 }),
    },
    {
      id: "three-iterations-float32",
      kind: "paper",
      scales: GRADED,
      statement: "The official default of 3 Newton iterations (in float32) is enough: after 3 iterations the max " +
        "error to the sequential states is ≤ 1e-6 (float32 level, ≈ 8 float32 eps) in every run.",
      paper: { value: "max_its = 3, float32", source: NEWTON_DEFAULTS },
      check: threshold({ metric: "err_at_3", method: "newton", below: 1e-6 }),
    },
    {
      id: "iterations-flat-in-length",
      kind: "paper",
      scales: GRADED,
      statement: "The Newton iteration count does not grow with the sequence length — the condition for a speedup " +
        "that grows with L. Checked per cell: the log–log slope of iterations against L (L = 256–16k, every seed a " +
        "point) has its whole 95% interval ≤ 0.1 (a 1.5× rise over the 64× range of L would be slope 0.1).",
      paper: { value: "speedups of up to 665× over sequential application", source: ABSTRACT },
      check: trend({ metric: "iters", method: "newton", x: "seqLength", below: 0.1, forEach: "cell" }),
    },
    {
      id: "speedup-grows-with-length",
      kind: "paper",
      statement: "The parallel application is faster than the sequential loop on a GPU, by a factor that grows " +
        "with L (up to 665×). Not measured: this environment has no GPU, and on one CPU core the parallel " +
        "reductions run serially (more work than the loop). The claim is recorded as failed-not-measured so that " +
        "the status covers only what was checked; the op-count proxy (ideal depth) is the sanity claim " +
        "depth-speedup-grows below.",
      paper: { value: "speedups of up to 665× over sequential application (GPU)", source: ABSTRACT },
      timing: true,
      scales: ["paper"],
      check: notMeasured("no GPU here; see depth-speedup-grows for the op-count proxy"),
    },
    {
      id: "scan-equals-forward-substitution",
      kind: "identity",
      scales: GRADED,
      statement: "Both parallel reductions solve each Newton system as forward substitution does: relative " +
        "max-norm difference ≤ 16·eps·L_max ≈ 5.8e-11 at every step of every run.",
      check: threshold({
        metric: "scan_err",
        method: ["newton", "newton_chunked"],
        below: roundoff({ n: L_MAX }),
      }),
    },
    {
      id: "depth-speedup-grows",
      kind: "sanity",
      scales: GRADED,
      statement: "Op-count proxy, not wall-clock: the ideal parallel depth of Newton + recursive doubling, " +
        "k·(⌈log₂ L⌉ + 2) + 2 for k iterations, gives a depth speedup L/depth that grows almost linearly with L. " +
        "Checked per cell: log–log slope of depth_speedup in L with its 95% interval ≥ 0.7.",
      check: trend({ metric: "depth_speedup", method: "newton", x: "seqLength", above: 0.7, forEach: "cell" }),
    },
    {
      id: "newton-beats-picard",
      kind: "sanity",
      scales: GRADED,
      statement: "Our ablation: the Jacobians matter. Newton needs at least 2× fewer iterations than Picard " +
        "(Jacobian-free) iteration to the same residual, per cell at the largest L (geometric mean over seeds, " +
        "less 2 SE).",
      check: compare({
        metric: "iters",
        method: "newton",
        baseline: "picard",
        better: "lower",
        factor: 2,
        where: { seqLength: LARGEST },
        forEach: "cell",
      }),
    },
    {
      id: "chunked-less-work",
      kind: "sanity",
      scales: GRADED,
      statement: "The chunked reduction (official CUDA kernel's structure) does less total work than plain " +
        "recursive doubling at the largest L: work ratio ≥ 1.5× per cell.",
      check: compare({
        metric: "work",
        method: "newton_chunked",
        baseline: "newton",
        better: "lower",
        factor: 1.5,
        where: { seqLength: LARGEST },
        forEach: "cell",
      }),
    },
  ],
  figures: [
    {
      id: "error-vs-iteration",
      title: "Max error to the sequential states per Newton iteration",
      mirrors: "the paper's Newton convergence plots",
      caption: "ParaRNN (Newton + recursive doubling), mean over seeds; one line per L, panels per cell. The " +
        "error falls quadratically to float64 rounding within a few iterations at every L.",
      spec: lineChart({
        metric: "err",
        x: "step",
        xTitle: "Newton iteration",
        yTitle: "max |h − h_seq|",
        logY: true,
        points: true,
        color: "seqLength",
        colorType: "ordinal",
        column: "cell",
        where: "datum.method == 'newton' && datum.aScale == 1",
      }),
    },
    {
      id: "newton-vs-picard",
      title: "Newton vs Picard iteration: max error to the sequential states per iteration",
      caption: "Rows: L; columns: cell; official init (aScale = 1). Newton (recursive doubling) converges " +
        "quadratically in a few iterations; Picard linearly, at the contraction rate of the cell.",
      spec: lineChart({
        metric: "err",
        x: "step",
        xTitle: "iteration",
        yTitle: "max |h − h_seq|",
        logY: true,
        symlogX: true,
        column: "cell",
        row: "seqLength",
        where: "datum.aScale == 1 && datum.method != 'newton_chunked'",
      }),
    },
    {
      id: "iterations-vs-length",
      title: "Iterations to convergence vs sequence length",
      mirrors: "the paper's runtime vs sequence length figure (its iteration-count factor)",
      spec: lineChart({ metric: "iters", x: "seqLength", xTitle: "L", logX: true, logBase: 2, column: "cell" }),
    },
    {
      id: "depth-speedup-vs-length",
      title: "Ideal parallel speedup L / depth vs sequence length (op-count proxy, not wall-clock)",
      mirrors: "the paper's speedup vs sequence length (GPU wall-clock there)",
      spec: lineChart({
        metric: "depth_speedup",
        x: "seqLength",
        xTitle: "L",
        logX: true,
        logY: true,
        logBase: 2,
        column: "cell",
      }),
    },
    {
      id: "iterations-vs-stiffness",
      title: "Iterations to convergence vs the scale of the recurrent weights (stress scale, our ablation)",
      caption: "aScale multiplies the official init of A (and C). Missing points: the iteration did not reach tol " +
        "(failed runs, listed with their cause).",
      spec: lineChart({
        metric: "iters",
        x: "aScale",
        xTitle: "aScale",
        logX: true,
        logY: true,
        logBase: 2,
        column: "cell",
        row: "seqLength",
      }),
    },
    {
      id: "cpu-time-vs-length",
      title: "CPU wall-clock (one core) vs sequence length",
      caption: "Serial execution of the parallel algorithms: they do more work than the loop, so on one core they " +
        "are slower; this is not the paper's GPU measurement.",
      spec: lineChart({
        metric: "time_ms",
        x: "seqLength",
        xTitle: "L",
        yTitle: "time (ms)",
        logX: true,
        logY: true,
        logBase: 2,
        column: "cell",
      }),
    },
  ],
  tables: [
    {
      id: "summary",
      title: "Iterations, errors, ideal depth speedup, work and CPU time per method, cell and L",
      metrics: ["iters", "final_err", "err_at_3", "depth_speedup", "work_ratio", "time_ms"],
      by: ["cell", "seqLength"],
    },
  ],
});

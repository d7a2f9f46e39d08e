/**
 * gram-iteration-lipschitz — Delattre, Barthélemy, Araujo, Allauzen: "Efficient Bound of Lipschitz Constant for
 * Convolutional Layers by Gram Iteration" (ICML 2023, arXiv 2305.16173; code blaisedelattre/lip4conv).
 * The spectral norm of a circular convolution layer: exact (FFT + per-frequency SVD), Gram iteration (the paper),
 * power iteration, and the earlier closed-form bounds of Singla & Feizi 2021 and Araujo et al. 2021.
 */
import { z } from "zod";
import { count, intAtLeast } from "../../lib/fields.ts";
import { defineExperiment, lower, reported, roundoff, tol } from "../../lib/experiment.ts";
import type { ResultSet } from "../../lib/claims/results.ts";
import { bestOf, compare, fmt as fmtNum, LARGEST, threshold, verdict } from "../../lib/claims/mod.ts";
import { getLinalg } from "../../lib/math/linalg/mod.ts";
import { type Kernel, randomKernel, type Spectrum, spectrum } from "./conv.ts";
import { araujo2021, type Estimate, exactSedghi, gramIteration, powerIteration, singla2021 } from "./bounds.ts";
import { gramIterationJax, uploadSpectrum } from "./gram_jax.ts";
import { lineChart } from "../../lib/figures/mod.ts";

const NOTEBOOK = {
  url: "https://github.com/blaisedelattre/lip4conv/blob/main/notebook_test_gram_iteration.ipynb",
  where: "cells 8–14, printed outputs (seed 42, GPU float32)",
};
const ABSTRACT = { url: "https://arxiv.org/abs/2305.16173", where: "abstract" };

const config = z.object({
  c: count(64, "input = output channels of the layer (cin = cout)"),
  k: count(3, "kernel side (k × k taps)"),
  n: count(32, "input image side (n × n, circular padding)"),
  gramIters: intAtLeast(1, 6, "Gram iterations (lip4conv trains with 6)"),
  piIters: intAtLeast(1, 100, "power iterations (lip4conv's Ryu2019 reference uses 100)"),
  araujoSamples: intAtLeast(3, 50, "frequency grid side S for Araujo et al. 2021"),
});
type Cfg = z.infer<typeof config>;

interface Data {
  kernel: Kernel;
  spec: Spectrum;
  /** float64 exact spectral norm (Sedghi et al. 2019), the reference for every estimate. */
  exact: number;
}

/** Host methods: TypeScript with OpenBLAS/LAPACK (`native`) or the pure-JS linear algebra (`js`). */
const CPU: ("native" | "js")[] = ["native", "js"];

const largestC = (r: ResultSet) => (r.levels("c") as number[]).at(-1)!;
/** Mean over runs of the last-step gap series of `method` at channel count c, step by step. */
const gapSeries = (r: ResultSet, method: string, c: number) =>
  r.series({ metric: "gap", method, where: { c } }).map((s) => s.value);

export default defineExperiment({
  id: "gram-iteration-lipschitz",
  paper: {
    title: "Efficient Bound of Lipschitz Constant for Convolutional Layers by Gram Iteration",
    authors: "Blaise Delattre, Quentin Barthélemy, Alexandre Araujo, Alexandre Allauzen",
    year: 2023,
    venue: "ICML 2023",
    arxiv: "2305.16173",
    code: "blaisedelattre/lip4conv",
  },
  summary: "The spectral norm of a circularly padded convolution is the largest singular value over the n² Fourier " +
    "blocks K̂(ω). Gram iteration (G ← GᴴG with Frobenius rescaling) on every block gives an upper bound that " +
    "converges superlinearly, is tighter than earlier bounds, and is fast on GPU. We bound random Gaussian " +
    "kernels (as lip4conv's notebook) with the exact per-frequency SVD (Sedghi 2019), Gram iteration, power " +
    "iteration, and the Singla & Feizi 2021 and Araujo et al. 2021 bounds; we record bound/exact ratio, the gap " +
    "per iteration, and wall time per backend.",
  config,
  scales: {
    smoke: {
      description: "c ∈ {8, 16}, k = 3, n = 16, 6 Gram / 50 power iterations, 2 seeds (seconds)",
      seeds: 2,
      grid: { c: [8, 16] },
      set: { n: 16, piIters: 50 },
      deviations: ["tiny layers: timings are dominated by call overhead and say nothing about the paper's claim"],
    },
    paper: {
      description: "c ∈ {16, 32, 64}, k = 3, n = 32, 6 Gram / 100 power iterations, 3 seeds",
      seeds: 3,
      grid: { c: [16, 32, 64] },
      deviations: [
        "random Gaussian kernels only; the paper's table on the conv layers of a trained ResNet18 (224×224 inputs) " +
        "and its c = 256–512 sizes are out of reach on 2 CPU cores",
        "c = 128 dropped from the sweep (was c ∈ {16, 32, 64, 128}): on the shared, loaded 2-core machine its exact " +
        "SVD and TypeScript power iteration (4 timed calls each) would not finish in the ~25 min budget of a verify",
        "CPU timings (OpenBLAS, 1 thread; jax-js wasm; llvmpipe software WebGPU): the paper times on a GPU",
      ],
    },
    notebook: {
      description: "the configuration of lip4conv's notebook: c = 64, k = 5, n = 12, 5 Gram iterations, 3 seeds",
      seeds: 3,
      set: { c: 64, k: 5, n: 12, gramIters: 5 },
      deviations: ["our kernels come from our seeded Rng, not torch.manual_seed(42): values differ, ratios compare"],
    },
  },
  deviations: [
    "the paper's table could not be read here (only the abstract is indexed); paper numbers come from the official " +
    "repository's notebook outputs",
    "the rfft2 of the kernel is computed once in data() by direct summation (k² taps per frequency) and is not " +
    "timed; every method's time starts from the frequency blocks (or the kernel, for the closed-form bounds)",
    "exact SVD of each complex block via its real 2c × 2c embedding (LAPACK dgesdd; no complex SVD is bound), " +
    "which costs ~2× a complex zgesdd",
    "power iteration runs on the Fourier block-diagonal form (same operator as lip4conv's conv2d/conv_transpose2d PI " +
    "with circular padding), in plain TypeScript on the CPU whatever the backend",
    "Singla & Feizi's four reshaped-matrix norms are taken from an SVD rather than 50 power iterations each",
    "on `native`/`js`, Gram iteration runs in float64 block by block through OpenBLAS dgemm (native) or the pure-JS " +
    "linear algebra (js); on `wasm`/`webgpu`, batched in jax-js float32 (the paper's formulation); the baselines " +
    "run on `native` (OpenBLAS/LAPACK) or `js` (ml-matrix)",
  ],
  data: (cfg: Cfg, { rng }): Data => {
    const kernel = randomKernel(cfg.c, cfg.c, cfg.k, (m) => rng.normal(m));
    const spec = spectrum(kernel, cfg.n);
    return { kernel, spec, exact: exactSedghi(spec, getLinalg()).sigma };
  },
  dataKeys: ["c", "k", "n"],
  methods: {
    exact: {
      label: "exact (Sedghi 2019)",
      description: "Sedghi et al. 2019: σ₁ = max_ω ‖K̂(ω)‖₂ by one SVD per frequency block (paper Sec. 3, Eq. (5))",
      backends: CPU,
      run: (d: Data): Estimate => exactSedghi(d.spec, getLinalg()),
    },
    gram: {
      label: "Gram iteration (ours)",
      description: "Delattre et al. 2023, Algorithm 3: Gram iteration with Frobenius rescaling on every rfft2 block, " +
        "bound max_ω ‖G_t(ω)‖_F^{1/2^t}",
      backends: ["native", "js", "wasm", "webgpu"],
      run: (d: Data, cfg: Cfg, ctx) =>
        ctx.backend === "native" || ctx.backend === "js"
          ? gramIteration(d.spec, cfg.gramIters, getLinalg())
          : gramIterationJax(uploadSpectrum(d.spec), cfg.gramIters),
    },
    power: {
      label: "power iteration",
      description: "power iteration on the circular convolution (lip4conv `compute_ryu_2019`, circular padding); " +
        "a lower bound, linear convergence",
      backends: CPU,
      run: (d: Data, cfg: Cfg, ctx) => powerIteration(d.spec, cfg.piIters, (m) => ctx.rng.normal(m)),
    },
    singla2021: {
      label: "Singla & Feizi 2021",
      description: "√(hw)·min of the spectral norms of four reshapes of the kernel (lip4conv `compute_singla2021`)",
      backends: CPU,
      run: (d: Data) => singla2021(d.kernel, getLinalg()),
    },
    araujo2021: {
      label: "Araujo et al. 2021",
      description: "LipGrid: α·max of ‖K̂(ω)‖_F over an S×S frequency grid (lip4conv `compute_araujo2021`)",
      backends: CPU,
      run: (d: Data, cfg: Cfg) => araujo2021(d.kernel, cfg.araujoSamples),
    },
  },
  metrics: {
    // forward-stable ratios of deterministic computations: the default `stable` tolerance
    ratio: reported("estimate / exact σ₁"),
    // Gram iteration's gap reaches float64 rounding after a few iterations (and exact's is 0): any two values below
    // the roundoff of a 2c × 2c (c ≤ 128) block computation are equal; larger gaps (power iteration, the closed-form
    // bounds) are stable.
    gap: lower("|estimate − exact| / exact, per iteration for iterative methods", tol.rounding(roundoff({ n: 256 }))),
  },
  measure: (d: Data, out: Estimate) => ({
    ratio: out.sigma / d.exact,
    gap: out.trace.length
      ? out.trace.map((s) => Math.abs(s - d.exact) / d.exact)
      : Math.abs(out.sigma - d.exact) / d.exact,
  }),
  timing: { warmup: 1, repeats: 3 },
  claims: [
    {
      id: "upper-bound",
      kind: "identity",
      statement: "Gram iteration gives an upper bound on the spectral norm at every iteration (true by the norm " +
        "inequality ‖G‖₂ ≤ ‖G‖_F of the paper's Theorem, so a check of our implementation; our threshold: " +
        "bound/exact ≥ 1 − 1e-5 in every run, allowing float32 rounding on jax-js)",
      paper: { value: '"a precise, fast, and differentiable upper bound"', source: ABSTRACT },
      check: threshold({ metric: "ratio", method: "gram", above: 1 - 1e-5, forEach: "c" }),
    },
    {
      id: "tighter-than-prior-bounds",
      kind: "paper",
      statement: "Gram iteration is tighter than the Singla & Feizi 2021 and Araujo et al. 2021 bounds: its relative " +
        "gap to the exact norm is below each of theirs by at least half of theirs (margin 50%, beyond 2·SE over " +
        "seeds), at every layer size; the notebook shows a gap ~3600× smaller, so half is a modest bar",
      paper: {
        value: "c=64,k=5,n=12: GI − exact = 0.026, Singla − exact = 94.0, Araujo − exact = 273.6 (exact 83.09)",
        source: NOTEBOOK,
      },
      check: bestOf({
        metric: "gap",
        winner: "gram",
        others: ["singla2021", "araujo2021"],
        better: "lower",
        margin: { rel: 0.5 },
        forEach: "c",
      }),
    },
    {
      id: "superlinear-convergence",
      kind: "paper",
      statement: "Gram iteration converges superlinearly: the per-iteration contraction of its gap shrinks (our " +
        "threshold: the last contraction above a 1e-6 floor is ≤ 1/5 of the first), while power iteration's stays " +
        "near 1 (its contraction over its last 10 iterations, per iteration, ≥ 0.5); at the largest layer size, " +
        "on the mean gap over seeds",
      paper: { value: '"our approach exhibits a superlinear convergence"', source: ABSTRACT },
      check: (r) => {
        const c = largestC(r);
        const g = gapSeries(r, "gram", c).filter((x) => x > 1e-6);
        const q = g.slice(1).map((x, i) => x / g[i]);
        const p = gapSeries(r, "power", c);
        if (p.length <= 10) throw new Error(`power iteration series has ${p.length} steps, need > 10`);
        const qp = (p.at(-1)! / p.at(-11)!) ** 0.1;
        const ok = q.length >= 2 && q.at(-1)! <= q[0] / 5 && qp >= 0.5;
        return verdict(
          ok,
          `c=${c}: GI contraction ${q.map((x) => fmtNum(x)).join(" → ")}; PI per-iteration ${fmtNum(qp)}`,
        );
      },
    },
    {
      id: "faster-than-exact",
      kind: "paper",
      statement: "Gram iteration is faster than the exact FFT + SVD computation at the largest layer size (paired " +
        "median times on the same inputs and backend, faster by more than 2% beyond seed noise; the paper measures " +
        "on GPU, we on CPU)",
      paper: {
        value: '"outperforms other state-of-the-art methods in terms of precision, computational cost"',
        source: ABSTRACT,
      },
      timing: true,
      check: compare({
        metric: "time_ms",
        method: "gram",
        baseline: "exact",
        better: "lower",
        where: { c: LARGEST },
      }),
    },
  ],
  figures: [
    {
      id: "convergence",
      title: "Gap to the exact spectral norm per iteration",
      mirrors: "the paper's convergence comparison of Gram vs power iteration (figure number not readable here)",
      spec: lineChart({
        metric: "gap",
        where: "datum.step != null",
        x: "step",
        xTitle: "iteration",
        symlogX: true,
        points: true,
        logY: true,
        yTitle: "|σ̂ − σ₁| / σ₁",
        column: "c",
        columnTitle: "channels c",
      }),
    },
    {
      id: "time-vs-channels",
      title: "Wall time vs channels (median of repeats; backend in the report header)",
      mirrors: "the paper's bound/time comparison table (time column)",
      spec: lineChart({
        metric: "time_ms",
        x: "c",
        logX: true,
        logBase: 2,
        logBaseY: 10,
        xTitle: "channels c",
        logY: true,
        yTitle: "time (ms)",
      }),
    },
  ],
  tables: [
    {
      id: "bounds",
      title: "Estimate / exact and time per method",
      mirrors: "the paper's bound/time comparison table on random convolutions",
      metrics: ["ratio", "gap", "time_ms"],
      by: ["c", "k", "n"],
    },
  ],
  paperNumbers: [
    { method: "exact", metric: "ratio", value: 1, where: { c: 64, k: 5, n: 12 }, source: NOTEBOOK },
    // ratios of the printed differences to the printed reference 83.09203338623047 (GPU, float32, 5 Gram iterations)
    {
      method: "gram",
      metric: "ratio",
      value: (83.09203338623047 + 0.025726318359375) / 83.09203338623047,
      where: { c: 64, k: 5, n: 12 },
      source: NOTEBOOK,
    },
    {
      method: "singla2021",
      metric: "ratio",
      value: (83.09203338623047 + 93.96885681152344) / 83.09203338623047,
      where: { c: 64, k: 5, n: 12 },
      source: NOTEBOOK,
    },
    {
      method: "araujo2021",
      metric: "ratio",
      value: (83.09203338623047 + 273.63285064697266) / 83.09203338623047,
      where: { c: 64, k: 5, n: 12 },
      source: NOTEBOOK,
    },
  ],
});

/**
 * Implicit Regularization Effects of the Sobolev Norms in Image Processing (Bowen Zhu, Jingwei Hu, Yifei Lou, Yunan
 * Yang, 2022): the module's declaration. Measuring the data misfit in an H^s norm with s < 0 weights frequency ξ by
 * (1 + |ξ|²)^s, so gradient descent fits low frequencies first and the (high-frequency) noise last: early stopping
 * then acts as an implicit regularizer. Config, scales, methods, metrics, claims and figures below; deviations from
 * the paper in `deviations`, the algorithms in this folder's other files, what runs in README.md.
 */
import { z } from "zod";
import { atLeast, count, positive } from "../../lib/fields.ts";
import { defineExperiment, higher, lower, reported } from "../../lib/experiment.ts";
import { lineChart } from "../../lib/figures/mod.ts";
import { allOf, compare, eachCase, fmt, LARGEST, threshold } from "../../lib/claims/mod.ts";
import { type ImageData, makeImage } from "./data.ts";
import { psnr, sobolevGD } from "./sobolev.ts";

/** Thresholds fixed before any run (from the paper's qualitative claim, no paper number is used). */
const DENOISE_GAIN_DB = 1.0; // H^{-1} early-stopped PSNR beats L² early-stopped PSNR by ≥ 1 dB in denoising
const DEBLUR_GAIN_DB = 0.3; // … and by ≥ 0.3 dB in deblurring (L² GD = Landweber, itself early-stop regularized)

const MONOTONE_GAIN_DB = 0.1; // H^{-1} vs H^{-1/2}: a tenth of a dB, set in the 2026 audit (was: any difference)
const ABSTRACT = { url: "https://arxiv.org/abs/2109.06255", where: "abstract" };

/** The test observation and an independent noise draw on the same phantom, on which the stopping step is chosen. */
interface Data {
  test: ImageData;
  validation: ImageData;
}

interface GdOut {
  u: Float64Array;
  /** PSNR of every iterate k = 1 … iters (oracle early stopping uses the clean image, as in the paper's curves) */
  trace: Float64Array;
  /** Stopping step chosen on the validation draw (first iterate of best validation PSNR). */
  stop: number;
}

/** Index of the first maximum of a trace, ignoring gains below 1e-9 dB (rounding, e.g. L² denoising sits at f). */
function firstBest(trace: Float64Array): number {
  let best = 0;
  for (let k = 1; k < trace.length; k++) if (trace[k] > trace[best] + 1e-9) best = k;
  return best;
}

/** Log-spaced observation steps (1, 2, 3, 4, 6, 8, …, iters) for the PSNR-vs-iteration figure. */
function logSteps(iters: number): Set<number> {
  const s = new Set<number>([iters]);
  for (let v = 1; v <= iters; v = Math.max(v + 1, Math.round(v * 1.25))) s.add(v);
  return s;
}

const gd = (s: number) =>
(
  d: Data,
  cfg: { iters: number; step: number },
  ctx: { observe: (k: number, st: unknown) => void; choose: (name: string, v: number) => void },
): GdOut => {
  const opts = { s, iters: cfg.iters, stepFactor: cfg.step };
  const val = new Float64Array(cfg.iters);
  sobolevGD(d.validation, opts, (k, u) => (val[k - 1] = psnr(u, d.validation.clean)));
  const stop = firstBest(val) + 1;
  ctx.choose("stop", stop);
  const trace = new Float64Array(cfg.iters);
  const steps = logSteps(cfg.iters);
  const u = sobolevGD(d.test, opts, (k, u) => {
    trace[k - 1] = psnr(u, d.test.clean);
    if (steps.has(k)) ctx.observe(k, u);
  });
  return { u, trace, stop };
};

const SIG = ["l2", "hm05", "hm1"] as const;
export default defineExperiment({
  id: "sobolev-implicit-reg",
  paper: {
    title: "Implicit Regularization Effects of the Sobolev Norms in Image Processing",
    authors: "Bowen Zhu, Jingwei Hu, Yifei Lou, Yunan Yang",
    year: 2022,
    arxiv: "2109.06255",
  },
  summary: "Measuring the data misfit in an H^s norm with s < 0 weights frequency ξ by (1 + |ξ|²)^s, so gradient " +
    "descent fits low frequencies first and the (high-frequency) noise last: early stopping then acts as an " +
    "implicit regularizer. We run plain GD on the pixels of a synthetic 2-D phantom for ½‖Ku − f‖²_{H^s}, " +
    "s ∈ {0 (L²), −0.5, −1}, with FFT-diagonal norms, for denoising (K = I) and Gaussian deblurring, at several " +
    "noise levels and seeds, and record the PSNR of every iterate: its best value (oracle early stopping) and " +
    "the iteration where it occurs.",
  config: z.object({
    n: count(64, "image side (power of two); the image is n×n"),
    sigma: positive(0.1, "noise standard deviation (image range [0, 1])"),
    blur: atLeast(0, 0, "Gaussian blur std in pixels; 0 = denoising (K = I)"),
    iters: count(2000, "GD iterations (iteration cap for early stopping)"),
    step: positive(1, "GD step as a multiple of 1/L, L = max_ξ w(ξ)K̂(ξ)²"),
  }),
  scales: {
    smoke: {
      description: "32×32 phantom, σ = 0.1, denoising and blur 1 px, 400 iterations, 2 seeds",
      seeds: 2,
      set: { n: 32, sigma: 0.1, iters: 400 },
      grid: { blur: [0, 1] },
      deviations: ["32×32 image and a 400-iteration cap so the smoke run takes seconds"],
    },
    paper: {
      description: "64×64 phantom, σ ∈ {0.05, 0.1, 0.2}, denoising and blur 1.5 px, 2000 iterations, 5 seeds",
      seeds: 5,
      set: { n: 64, iters: 2000 },
      grid: { sigma: [0.05, 0.1, 0.2], blur: [0, 1.5] },
      deviations: [
        "A 64×64 synthetic phantom instead of the paper's natural test images (none are available offline).",
      ],
    },
  },
  deviations: [
    "Plain gradient descent on the H^s fidelity alone; the paper's TV-regularized ADMM solvers and its " +
    "full-waveform-inversion experiment are left out.",
    "Early stopping: since the 2026 audit every method stops at the step that maximizes PSNR on an independent " +
    "noise draw of the same phantom (validation; recorded as hp.stop) and the claims read the test PSNR there " +
    "(heldout_psnr). Before, the claims read the oracle best PSNR of the test run itself (best_psnr, still " +
    "reported, as in the paper's PSNR-vs-iteration curves).",
    "The best-iterate tie rule (the first iterate within 1e-9 dB of the maximum) was fixed after a first run, " +
    "because L² denoising sits at f from step 1 on and rounding picked a later step; thresholds were not changed. " +
    "The result before that change was not recorded.",
    "H^s weights (1 + |ξ|²)^s with integer wavenumbers ξ on the periodic grid (domain [0, 2π)²); the paper's " +
    "exact frequency scaling was not read (only the abstract was available), so absolute iteration counts " +
    "depend on this choice.",
    "Step size 1/L (L = largest eigenvalue of K*WK, = 1 here) for every s, from u₀ = 0.",
    "No paper numbers are quoted: only the abstract could be read, and it states the effect qualitatively.",
  ],
  data: (cfg, { rng }): Data => ({ test: makeImage(cfg, rng), validation: makeImage(cfg, rng.split("validation")) }),
  dataKeys: ["n", "sigma", "blur"],
  methods: {
    l2: {
      label: "L² (s = 0)",
      description: "GD on ½‖Ku − f‖²_{L²} (s = 0): the baseline fidelity; for denoising one 1/L step reaches f",
      run: gd(0),
    },
    hm05: {
      label: "H^{-1/2}",
      description: "GD on ½‖Ku − f‖²_{H^{-1/2}}, weights (1 + |ξ|²)^{-1/2} (paper §2, H^s with s = −1/2)",
      run: gd(-0.5),
    },
    hm1: {
      label: "H^{-1}",
      description: "GD on ½‖Ku − f‖²_{H^{-1}}, weights (1 + |ξ|²)^{-1} (paper §2, H^s with s = −1)",
      run: gd(-1),
    },
  },
  metrics: {
    psnr: higher("PSNR of iterate k (dB)"),
    heldout_psnr: higher("PSNR at the step chosen on the validation draw (dB)"),
    best_psnr: higher("best PSNR over iterates (oracle, dB)"),
    best_iter: reported("iteration of best PSNR"),
    final_psnr: higher("PSNR of the last iterate (dB)"),
    noisy_psnr: reported("PSNR of the observation f (dB)"),
    best_at_cap: lower("best PSNR at the iteration cap (1/0)"),
    stop_at_cap: lower("held-out stopping step at the iteration cap (1/0)"),
  },
  observe: (d: Data, u: Float64Array) => ({ psnr: psnr(u, d.test.clean) }),
  measure: (d: Data, o: GdOut) => {
    const best = firstBest(o.trace);
    return {
      heldout_psnr: o.trace[o.stop - 1],
      best_psnr: o.trace[best],
      best_iter: best + 1,
      final_psnr: o.trace[o.trace.length - 1],
      noisy_psnr: psnr(d.test.f, d.test.clean),
      best_at_cap: best === o.trace.length - 1 ? 1 : 0,
      stop_at_cap: o.stop === o.trace.length ? 1 : 0,
    };
  },
  claims: [
    {
      id: "denoise-hm1-beats-l2",
      kind: "paper",
      statement: "Denoising: the H^{-1} fidelity under early-stopped GD gives a better image than L² (abstract: " +
        "'implicit regularization effect'). Checked at every noise level, paired by seed, each method stopped at the " +
        `step that is best on an independent validation noise draw: PSNR of H^{-1} ≥ L² + ${DENOISE_GAIN_DB} dB ` +
        "beyond 2·SE (threshold fixed before the first run). L² GD with step 1/L reaches f in one step, so the L² " +
        "side is the noisy observation itself.",
      paper: { value: "qualitative (implicit regularization in denoising)", source: ABSTRACT },
      check: compare({
        metric: "heldout_psnr",
        method: "hm1",
        baseline: "l2",
        better: "higher",
        margin: { abs: DENOISE_GAIN_DB },
        where: { blur: 0 },
        forEach: "sigma",
      }),
    },
    {
      id: "denoise-stronger-as-s-falls",
      kind: "paper",
      statement: "The regularization strengthens as s decreases (the weights (1+|ξ|²)^s damp high frequencies more). " +
        "Checked at every noise level (denoising), paired by seed, held-out stopping: PSNR of H^{-1} beats " +
        `H^{-1/2} by more than ${MONOTONE_GAIN_DB} dB beyond 2·SE. (Before the audit this claim also asked ` +
        "H^{-1/2} > L², which with L² = the noisy image only restates the previous claim.)",
      paper: { value: "qualitative (frequency weights (1+|ξ|²)^s)", source: ABSTRACT },
      check: compare({
        metric: "heldout_psnr",
        method: "hm1",
        baseline: "hm05",
        better: "higher",
        margin: { abs: MONOTONE_GAIN_DB },
        where: { blur: 0 },
        forEach: "sigma",
      }),
    },
    {
      id: "deblur-hm1-beats-l2",
      kind: "paper",
      statement: "Deblurring: the H^{-1} fidelity beats L² (Landweber) under early-stopped GD. Checked at every " +
        `noise level with blur, paired by seed, held-out stopping for both: PSNR of H^{-1} ≥ L² + ${DEBLUR_GAIN_DB} ` +
        "dB beyond 2·SE (threshold fixed before the first run).",
      paper: { value: "qualitative (implicit regularization in deblurring)", source: ABSTRACT },
      check: compare({
        metric: "heldout_psnr",
        method: "hm1",
        baseline: "l2",
        better: "higher",
        margin: { abs: DEBLUR_GAIN_DB },
        where: { blur: LARGEST },
        forEach: "sigma",
      }),
    },
    {
      id: "slower-convergence",
      kind: "sanity",
      statement: "A property of the setup: GD on the H^s fidelity fits frequency ξ at the rate 1 − (1 − w(ξ)/L)^k, " +
        "and w = (1+|ξ|²)^s shrinks as s falls, so the (oracle) best iterate comes later for smaller s. Checked in " +
        "every (σ, blur) cell: mean best iteration H^{-1} > H^{-1/2} > L².",
      check: (r) => {
        const cases = r.levels("sigma").flatMap((sigma) => r.levels("blur").map((blur) => ({ sigma, blur })));
        return eachCase(cases, ({ sigma, blur }) => {
          const [l2, h05, h1] = SIG.map((m) => r.mean({ metric: "best_iter", method: m, where: { sigma, blur } }));
          return {
            pass: h1 > h05 && h05 > l2,
            text: `σ=${sigma}, blur ${blur}: ${fmt(h1)} / ${fmt(h05)} / ${fmt(l2)}`,
          };
        }, { prefix: "best iteration H^{-1} / H^{-1/2} / L²: " });
      },
    },
    {
      id: "stopped-before-cap",
      kind: "sanity",
      statement: "The oracle best iterate and the held-out stopping step come before the iteration cap in every run, " +
        "so early stopping is a true optimum and not a truncated one.",
      check: allOf(
        ...SIG.map((method) => threshold({ metric: "best_at_cap", method, below: 0 })),
        ...SIG.map((method) => threshold({ metric: "stop_at_cap", method, below: 0 })),
      ),
    },
  ],
  figures: [
    {
      id: "psnr-vs-iter",
      title: "PSNR vs GD iteration for s ∈ {0, −1/2, −1}",
      mirrors: "the paper's PSNR-vs-iteration comparison of H^s fidelities in denoising/deblurring (figure " +
        "numbers not read)",
      spec: lineChart({ metric: "psnr", x: "step", logX: true, column: "sigma", row: "blur" }),
    },
    {
      id: "best-psnr",
      title: "Best early-stopped PSNR vs noise level",
      spec: lineChart({ metric: "best_psnr", x: "sigma", column: "blur", band: true }),
    },
  ],
  tables: [
    {
      id: "early-stopping",
      title: "Best PSNR, its iteration, and the noisy input's PSNR",
      metrics: ["best_psnr", "best_iter", "final_psnr", "noisy_psnr"],
      by: ["sigma", "blur"],
    },
  ],
});

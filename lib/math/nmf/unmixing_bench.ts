/**
 * The shared unmixing bench of robust-unmixing-l21 and ss-nmf-unmixing: a scene to evaluate and an independent
 * scene to tune on (same generator settings, another stream), one VCA + FCLS initialization per scene that every
 * NMF variant starts from, the baselines (NMF, L1/2-NMF, GLNMF, VCA + FCLS), and the tuning rule: each
 * hyper-parameter value on the method's grid is fitted once on the tuning scene, the value with the lowest mean
 * SAD there is kept and the method is fitted once on the evaluation scene.
 */
import { z } from "zod";
import type { Rng } from "../rng.ts";
import {
  clipNonneg,
  type Dense,
  knnGraph,
  type NmfResult,
  regularizedMu,
  type RegularizedOptions,
  sparsityLambda,
} from "./nmf.ts";
import { abundanceRmse, fcls, sad, vca } from "./unmix.ts";
import { makeScene, type Scene, type SceneOptions } from "./unmixing_data.ts";

/** A scene prepared for the bench: the data the methods factorize, their common start and λ̂. */
export interface BenchScene extends Scene {
  /** max(Y, 0), what the multiplicative methods factorize. */
  x: Dense;
  /** VCA endmembers and FCLS abundances on this scene: the common start of every NMF variant. */
  init: { e: Dense; s: Dense };
  /** λ̂ of Qian et al. (2011) for this scene. */
  lambdaHat: number;
}

/** One evaluation scene and one independent tuning scene from the same generator settings. */
export interface Bench {
  evaluation: BenchScene;
  tuning: BenchScene;
}

function benchScene(o: SceneOptions, rng: Rng): BenchScene {
  const sc = makeScene(o, rng.split("scene"));
  const x = clipNonneg(sc.y);
  const v = vca(x, o.endmembers, rng.split("vca"));
  return { ...sc, x, init: { e: v.endmembers, s: fcls(x, v.endmembers) }, lambdaHat: sparsityLambda(x) };
}

/** The bench for one seed: evaluation and tuning scenes from separate streams of `rng`. */
export function makeBench(o: SceneOptions, rng: Rng): Bench {
  return { evaluation: benchScene(o, rng.split("evaluation")), tuning: benchScene(o, rng.split("tuning")) };
}

/** What an unmixing method returns: endmembers E (L × R), abundances S (R × P) and its objective. */
export interface Unmixing {
  e: Dense;
  s: Dense;
  /** Objective per iteration (empty for VCA + FCLS). */
  objective: number[];
}

/** Unmixing quality: mean spectral angle (radians) and abundance RMSE. A type alias, so it is a `Measurements`. */
export type Scores = {
  sad: number;
  rmse: number;
};

/** Rows of an L×R matrix except `drop`. */
function keepRows(e: Dense, drop: number[]): Dense {
  const skip = new Set(drop), rows = Array.from({ length: e.rows }, (_, l) => l).filter((l) => !skip.has(l));
  const out = { rows: rows.length, cols: e.cols, data: new Float64Array(rows.length * e.cols) };
  rows.forEach((l, i) => out.data.set(e.data.subarray(l * e.cols, (l + 1) * e.cols), i * e.cols));
  return out;
}

/**
 * SAD over the uncorrupted bands (a corrupted band holds no information about the true spectrum, so no method can
 * recover it), matched by Hungarian assignment; abundance RMSE under the same matching.
 */
export function score(sc: Scene, u: Unmixing): Scores {
  const m = sad(keepRows(sc.e, sc.corrupted), keepRows(u.e, sc.corrupted));
  return { sad: m.mean, rmse: abundanceRmse(sc.s, u.s, m.perm) };
}

/** A fit given a scene and one hyper-parameter value (undefined when the method has none). */
export type Fit = (sc: BenchScene, value: number | undefined) => Unmixing;

/**
 * Fit on the tuning scene at every grid value, keep the lowest-SAD one (ties: the first), record it with
 * `choose`, fit on the evaluation scene. With an empty grid: one fit on the evaluation scene.
 */
export function tuneAndFit(
  bench: Bench,
  fit: Fit,
  grid: readonly number[],
  choose: (name: string, value: number) => void,
  name = "lambda",
): Unmixing & { chosen?: number } {
  if (!grid.length) return fit(bench.evaluation, undefined);
  let best = grid[0], bestSad = Infinity;
  for (const v of grid) {
    const s = score(bench.tuning, fit(bench.tuning, v)).sad;
    if (s < bestSad) [best, bestSad] = [v, s];
  }
  choose(name, best);
  return { ...fit(bench.evaluation, best), chosen: best };
}

function asUnmixing(r: NmfResult): Unmixing {
  return { e: r.w, s: r.h, objective: r.objective };
}

/** The settings every NMF variant of the bench shares. */
export interface NmfSettings {
  iters: number;
  /** Sum-to-one augmentation weight δ. */
  delta: number;
  /** Neighbours of the spectral kNN graph (GLNMF and graph-regularized methods). */
  knn: number;
}

/** Run the regularized multiplicative family from the scene's VCA + FCLS start. */
export function fitMu(sc: BenchScene, st: NmfSettings, extra: Omit<RegularizedOptions, "iters" | "delta">): Unmixing {
  return asUnmixing(regularizedMu(sc.x, sc.init.e, sc.init.s, { iters: st.iters, delta: st.delta, ...extra }));
}

const graphCache = new WeakMap<BenchScene, Map<number, ReturnType<typeof knnGraph>>>();
/** The kNN heat-kernel graph over the scene's pixels (cached per scene and k). */
export function sceneGraph(sc: BenchScene, k: number): ReturnType<typeof knnGraph> {
  const m = graphCache.get(sc) ?? graphCache.set(sc, new Map()).get(sc)!;
  if (!m.has(k)) m.set(k, knnGraph(sc.x, k));
  return m.get(k)!;
}

/** The four baselines both unmixing papers compare against. λ grids are multiples of λ̂. */
export const baselines = {
  /** Plain NMF (Lee–Seung MU with sum-to-one augmentation): no hyper-parameter. */
  nmf: (st: NmfSettings): Fit => (sc) => fitMu(sc, st, {}),
  /** L1/2-NMF (Qian et al. 2011): λ = c·λ̂. */
  l12: (st: NmfSettings): Fit => (sc, c) => fitMu(sc, st, { sparsity: { lambda: c! * sc.lambdaHat, p: 0.5 } }),
  /** GLNMF (Lu et al. 2013): L1/2 at λ̂ plus μ·tr(S L Sᵀ) on a spectral kNN graph. */
  glnmf: (st: NmfSettings): Fit => (sc, mu) =>
    fitMu(sc, st, { sparsity: { lambda: sc.lambdaHat, p: 0.5 }, graph: { mu: mu!, g: sceneGraph(sc, st.knn) } }),
  /** VCA + FCLS: the common initialization itself. */
  vcaFcls: (): Fit => (sc) => ({ e: sc.init.e, s: sc.init.s, objective: [] }),
};

/** What a module's method receives that the bench needs: the recorder of the chosen hyper-parameter. */
interface ChooseContext {
  choose: (name: string, value: number) => void;
}

/**
 * The four baselines as experiment methods, each tuned by {@link tuneAndFit} on its own grid from the config
 * (`lambdaGrid` for L1/2-NMF, `muGrid` for GLNMF): the same budget and rule as the paper's method.
 */
export function baselineMethods<C extends { lambdaGrid: number[]; muGrid: number[] }>(settings: (c: C) => NmfSettings) {
  return {
    nmf: {
      label: "NMF",
      description: "Lee–Seung multiplicative updates with sum-to-one augmentation",
      run: (b: Bench, cfg: C, ctx: ChooseContext) => tuneAndFit(b, baselines.nmf(settings(cfg)), [], ctx.choose),
    },
    l12: {
      label: "L1/2-NMF",
      description: "Qian et al. 2011: ½‖Y − ES‖² + λ‖S‖_{1/2}, multiplicative updates",
      run: (b: Bench, cfg: C, ctx: ChooseContext) =>
        tuneAndFit(b, baselines.l12(settings(cfg)), cfg.lambdaGrid, ctx.choose, "lambda_c"),
    },
    glnmf: {
      label: "GLNMF",
      description:
        "Lu et al. 2013: L1/2-NMF + μ·tr(S L Sᵀ) over a spectral kNN graph (the one every graph method uses)",
      run: (b: Bench, cfg: C, ctx: ChooseContext) =>
        tuneAndFit(b, baselines.glnmf(settings(cfg)), cfg.muGrid, ctx.choose, "mu"),
    },
    vca_fcls: {
      label: "VCA + FCLS",
      description: "Nascimento & Bioucas-Dias 2005 endmembers, Heinz & Chang 2001 abundances",
      run: (b: Bench, _cfg: C, ctx: ChooseContext) => tuneAndFit(b, baselines.vcaFcls(), [], ctx.choose),
    },
  };
}

/** The ids of {@link baselineMethods}, for claims that compare against all of them. */
export const BASELINE_IDS = ["nmf", "l12", "glnmf", "vca_fcls"] as const;

/** The metrics both unmixing modules report. */
export const UNMIXING_METRICS = {
  sad: { label: "mean spectral angle distance of matched endmembers (rad)", direction: "lower" },
  rmse: { label: "abundance RMSE (matched)", direction: "lower" },
} as const;

/** A module's `measure`: the scores on the evaluation scene. */
export const measureUnmixing = (b: Bench, u: Unmixing): Scores => score(b.evaluation, u);

/** The tuning declaration's rule and budget, the same for every method of both modules. */
export const UNMIXING_TUNING = {
  rule: "each value of the method's grid is fitted once on an independent tuning scene (same generator settings, " +
    "another random stream); the value with the lowest SAD there is kept, then one fit on the evaluation scene",
  budget: "5 values, one fit each, for every method with a hyper-parameter; NMF and VCA + FCLS have none",
};

/**
 * The config keys both modules share: scene size and abundance generator, and the NMF family's run settings. Each
 * module adds its noise model (`snrDb`, outliers), its graph and its grids with its own defaults and descriptions.
 */
export const UNMIXING_CONFIG = {
  bands: z.number().int().min(4).default(100).describe("spectral bands L"),
  side: z.number().int().min(4).default(32).describe("image side; P = side² pixels"),
  endmembers: z.number().int().min(2).default(5).describe("number of endmembers R (known to every method)"),
  maxPurity: z.number().min(0.3).max(1).default(0.8).describe("largest abundance any pixel may have"),
  block: z.number().int().min(1).default(8).describe("Dirichlet block size of the abundance maps (then box-smoothed)"),
  alpha: z.number().positive().default(0.1).describe("Dirichlet concentration of each block (small: near-pure blocks)"),
  iters: z.number().int().positive().default(300).describe("multiplicative iterations of every NMF variant"),
  delta: z.number().positive().default(15).describe("sum-to-one augmentation weight δ"),
};

const SCENE_KEYS = [
  "bands",
  "side",
  "endmembers",
  "snrDb",
  "outlierBands",
  "outlierScale",
  "maxPurity",
  "block",
  "alpha",
] as const;

/** A module's `data`: the bench for the scene options found in its config (the keys of `SceneOptions` it has). */
export function benchFromConfig(cfg: SceneOptions, rng: Rng): Bench {
  const o: Record<string, unknown> = {};
  for (const k of SCENE_KEYS) if (cfg[k] !== undefined) o[k] = cfg[k];
  return makeBench(o as unknown as SceneOptions, rng);
}

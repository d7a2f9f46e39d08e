/**
 * The experiment API: one declarative object per paper.
 *
 * An experiment says which paper, what can vary (a zod schema), what each scale runs, where data comes
 * from, which methods run, what is measured, what the paper claims, and which figures mirror the paper's.
 * It never opens files, times calls, picks backends or writes results: the runner does that from outside.
 *
 * @example
 * ```ts
 * export default defineExperiment({
 *   id: "toy", paper: { title: "A toy", authors: "A. B.", year: 2024, arxiv: "2401.00001" },
 *   config: z.object({ n: count(10, "how many numbers") }),   // count: lib/fields.ts
 *   scales: { smoke: { seeds: 1, grid: { n: [4] } }, paper: { seeds: 5, grid: { n: [10, 100] } } },
 *   data: (cfg, { rng }) => rng.normal(cfg.n),
 *   methods: { sum: { run: (x) => x.reduce((a, b) => a + b, 0) } },
 *   metrics: { total: reported("their sum", tol.stable()) },    // or higher(…), lower(…), timing(…)
 *   measure: (_x, total) => ({ total }),
 *   claims: [],
 * });
 * ```
 */
import type { z } from "zod";
import type { Rng } from "./math/rng.ts";
import type { Linalg } from "./math/linalg/types.ts";
import type { Claim, Source } from "./claims/types.ts";

export type { Check, Claim, ClaimKind, ClaimResult, ClaimVerdict, Source } from "./claims/types.ts";

/**
 * Where a method's numbers are computed:
 * - `native`: TypeScript on the CPU with dense linear algebra (`getLinalg()`) through OpenBLAS/LAPACK (FFI);
 * - `js`: TypeScript on the CPU with the pure-JS linear algebra (ml-matrix) — the fallback where native can't load;
 * - `wasm`, `webgpu`, `cpu`: jax-js devices (arrays built with jax-js run there).
 */
export type Backend = "native" | "js" | "wasm" | "webgpu" | "cpu";
/** Every backend, in the order `--backend all` tries them. */
export const BACKENDS: readonly Backend[] = ["native", "js", "wasm", "webgpu", "cpu"];

/** The paper a module reproduces: citation and, where there is one, its official code. */
export interface Paper {
  title: string;
  authors: string;
  year: number;
  arxiv?: string;
  url?: string;
  /** Official code repository, `owner/name` on GitHub, if any (validated at load). */
  code?: string;
  /** Official code that is not on GitHub: its URL. */
  codeUrl?: string;
  venue?: string;
}

/**
 * How far a metric may drift between machines in `check` (other BLAS kernels, other CPUs), from what it is:
 * - `stable` (default): a forward-stable computation; other kernels change the last bits only (rel 1e-6).
 * - `rounding`: an identity residual or an error at rounding level; any two values ≤ `floor` are equal
 *   (allowed drift: `floor`, absolute). Size it with {@link roundoff}: eps × size × conditioning.
 * - `conditioned`: the output of an ill-conditioned solve; relative drift ≤ 16·eps·κ, where `cond` is κ or the
 *   name of a metric of the same run that records it.
 * - `iterative`: the result of an iteration stopped at a relative tolerance `rtol` (≤ 0.04); drift ≤ rtol.
 * - `statistic`: the end of a path that amplifies last bits (training, thresholding, restarts); drift ≤ two
 *   standard errors of the baseline's seed spread, at least `rel` of it, never more than 4%.
 * All kinds but `rounding` and `conditioned` catch a 5% drift; `exact` demands bitwise equality (to 1e-12).
 */
export type Tolerance =
  | { kind: "stable"; rel?: number }
  | { kind: "exact" }
  | { kind: "rounding"; floor: number }
  | { kind: "conditioned"; cond: number | string; dtype?: "float64" | "float32" }
  | { kind: "iterative"; rtol: number }
  | { kind: "statistic"; rel?: number };

/** Unit roundoff of float64 and float32. */
export const EPS = { float64: 2 ** -52, float32: 2 ** -23 } as const;

/**
 * A rounding floor: 16 · eps · size · conditioning, the scale of the error of a backward-stable computation of
 * that size and conditioning. E.g. `{ kind: "rounding", floor: roundoff({ n: 400, cond: 1e4 }) }`.
 */
export function roundoff(o: { n?: number; cond?: number; dtype?: "float64" | "float32" }): number {
  return 16 * EPS[o.dtype ?? "float64"] * (o.n ?? 1) * (o.cond ?? 1);
}

/** How a metric reads: which way is better, how seeds aggregate, how far it may drift in `check`. */
export interface MetricSpec {
  label?: string;
  unit?: string;
  direction: "lower" | "higher" | "none";
  /** What the metric is, which sets how far it may drift between machines (default: `stable`). */
  tolerance?: Tolerance;
  /** Wall-clock metrics vary between machines: `check` reports their drift but never fails on it. */
  timing?: boolean;
}

/**
 * The tolerances by name, so that a metric reads as one line: `higher("test accuracy", tol.statistic())`.
 * Each returns the {@link Tolerance} object of that kind (see there for what each kind allows).
 */
export const tol = {
  /** Bitwise equality (to 1e-12): a count, a bitwise-reproducible result. */
  exact: (): Tolerance => ({ kind: "exact" }),
  /** A forward-stable computation (default rel 1e-6). */
  stable: (rel?: number): Tolerance => rel === undefined ? { kind: "stable" } : { kind: "stable", rel },
  /** The end of a path that amplifies last bits (training, thresholding): two standard errors of the seed spread. */
  statistic: (rel?: number): Tolerance => rel === undefined ? { kind: "statistic" } : { kind: "statistic", rel },
  /** An identity residual or error at rounding level; values ≤ `floor` are equal (size it with {@link roundoff}). */
  rounding: (floor: number): Tolerance => ({ kind: "rounding", floor }),
  /** The output of an ill-conditioned solve: κ a number or the name of a metric of the same run. */
  conditioned: (cond: number | string, dtype?: "float64" | "float32"): Tolerance =>
    dtype === undefined ? { kind: "conditioned", cond } : { kind: "conditioned", cond, dtype },
  /** The result of an iteration stopped at relative tolerance `rtol`. */
  iterative: (rtol: number): Tolerance => ({ kind: "iterative", rtol }),
};

/** What a metric may add besides its label, direction and tolerance. */
type MetricExtras = Pick<MetricSpec, "unit" | "timing">;

function metricSpec(
  direction: MetricSpec["direction"],
  label: string,
  tolerance?: Tolerance,
  extras?: MetricExtras,
): MetricSpec {
  const m: MetricSpec = { label, direction };
  if (tolerance !== undefined) m.tolerance = tolerance;
  return extras ? { ...m, ...extras } : m;
}

/** A metric where higher is better, e.g. `test_acc: higher("test accuracy", tol.statistic())`. */
export const higher = (label: string, tolerance?: Tolerance, extras?: MetricExtras): MetricSpec =>
  metricSpec("higher", label, tolerance, extras);

/** A metric where lower is better, e.g. `rel_err: lower("‖X − A⁺‖/‖A⁺‖", tol.rounding(1e-12))`. */
export const lower = (label: string, tolerance?: Tolerance, extras?: MetricExtras): MetricSpec =>
  metricSpec("lower", label, tolerance, extras);

/** A metric that is reported but has no better direction (a rank, a chosen step, a diagnostic). */
export const reported = (label: string, tolerance?: Tolerance, extras?: MetricExtras): MetricSpec =>
  metricSpec("none", label, tolerance, extras);

/** A wall-clock metric (lower is better): `check` reports its drift between machines but never fails on it. */
export const timing = (label: string, unit?: string): MetricSpec =>
  metricSpec("lower", label, undefined, unit === undefined ? { timing: true } : { unit, timing: true });

/** One named scale: the grid it sweeps, how many seeds, and where it departs from the paper. */
export interface Scale<C> {
  description: string;
  seeds: number;
  /** Values to sweep per config key; the runner takes the cross product. */
  grid?: { [K in keyof C]?: readonly C[K][] };
  /** Fixed overrides of the schema defaults at this scale. */
  set?: Partial<C>;
  /** Methods this scale runs (default: all). */
  methods?: string[];
  /** Each way this scale differs from the paper's own setting. */
  deviations?: string[];
}

/** What a method sees besides its data and config. */
export interface RunContext {
  seed: number;
  /** Seeded randomness for the method (init, sampling), independent of the data's stream. */
  rng: Rng;
  backend: Backend;
  /**
   * The run's linear algebra, resolved from its backend (`native`: OpenBLAS + LAPACKE; otherwise the pure-JS
   * fallback). Prefer it to the process-wide `getLinalg()`, which follows the same choice. The runner always sets
   * it; it is optional only so that contexts built by hand in older tests still type-check.
   */
  linalg?: Linalg;
  /**
   * Hand an intermediate state (e.g. the iterate at step `step`) to the experiment's `observe`, which turns it
   * into metrics. Time spent measuring is not counted in the method's time.
   */
  observe(step: number, state: unknown): void;
  /** Record a hyper-parameter value the method chose by its tuning rule (stored as metric `hp.<name>`). */
  choose(name: string, value: number): void;
}

/** One method or baseline: how it runs on the data, with its label and where it is defined. */
export interface Method<C, D, O> {
  label?: string;
  /** One line: what it is and where it is defined (paper section, equation, or citation). */
  description?: string;
  /** Backends the method can run on, in order of preference. Default: the experiment's `backends`. */
  backends?: Backend[];
  /** Return a reason to skip a config point this method does not handle (recorded, not hidden). */
  skip?: (cfg: C) => string | false;
  run: (data: D, cfg: C, ctx: RunContext) => O | Promise<O>;
}

/** Metric values of one run: a number, or a series indexed by step. */
export type Measurements = Record<string, number | readonly number[]>;

/** A Vega-Lite figure over the tidy rows (method, backend, seed, metric, step, value, and every config key). */
export interface Figure {
  id: string;
  title: string;
  /** Which figure or table of the paper this mirrors, if any. */
  mirrors?: string;
  caption?: string;
  /** A Vega-Lite spec without `data`; the reporter injects the rows. */
  spec: Record<string, unknown>;
}

/** A summary table: mean ± 95% CI over seeds of `metrics`, one row per method × `by` config values. */
export interface Table {
  id: string;
  title: string;
  mirrors?: string;
  metrics: string[];
  /** Config keys (or "backend") that split rows, beside the method. */
  by?: string[];
  /** Which step of a series to tabulate (default: the last). */
  step?: "last" | number;
}

/** A number the paper prints, to set beside ours in reports. Always with its source. */
export interface PaperNumber {
  method: string;
  metric: string;
  value: number;
  /** Config values the number belongs to, if the table splits by them. */
  where?: Record<string, unknown>;
  source: Source;
}

/**
 * A paper module's whole declaration: paper, config schema and scales, data, methods, metrics and their measure,
 * claims, figures, tables and the paper's own numbers (see the example on `defineExperiment`).
 */
export interface Experiment<S extends z.ZodObject = z.ZodObject, D = unknown, O = unknown> {
  id: string;
  paper: Paper;
  /** What the paper claims and what this module tests, in two or three sentences. */
  summary: string;
  config: S;
  scales: { smoke: Scale<z.infer<S>>; paper: Scale<z.infer<S>>; [name: string]: Scale<z.infer<S>> };
  /** Build the inputs of one config point and seed. Deterministic in (cfg, seed). */
  data: (cfg: z.infer<S>, ctx: { seed: number; rng: Rng }) => D | Promise<D>;
  /** Config keys the data depends on (default: all); points that agree on them share one cached input. */
  dataKeys?: (keyof z.infer<S>)[];
  /** Cache inputs on disk (content-addressed). Worth it when building them costs more than reading them. */
  cacheData?: boolean;
  /**
   * Version of `data()` for the cache address; bump it when data() changes. Default: the hash of the whole
   * experiment folder, so any edit (even to a method) rebuilds cached inputs.
   */
  dataVersion?: string;
  methods: Record<string, Method<z.infer<S>, D, O>>;
  /** Default backends for methods that do not say, in order of preference (default: native, then js). */
  backends?: Backend[];
  metrics: Record<string, MetricSpec>;
  /** Turn a method's output into metrics. Only metrics declared in `metrics` may be returned. */
  measure: (data: D, output: O, cfg: z.infer<S>) => Measurements | Promise<Measurements>;
  /** Turn a state handed to `ctx.observe` into metrics at that step. */
  observe?: (data: D, state: any, cfg: z.infer<S>) => Record<string, number>;
  /** Time methods: `warmup` untimed calls, then the median of `repeats` timed calls becomes `time_ms`. */
  timing?: { warmup: number; repeats: number };
  claims: Claim[];
  figures?: Figure[];
  tables?: Table[];
  paperNumbers?: PaperNumber[];
  /** Deviations from the paper that hold at every scale (method details, data, metrics). */
  deviations?: string[];
  /**
   * The tuning protocol, when any method or baseline has hyper-parameters chosen for it: the same budget and
   * selection rule for all of them, and what each may vary. Reports show it with the values each run chose
   * (recorded through `ctx.choose`).
   */
  tuning?: Tuning;
}

/** One tuning protocol for every method in a comparison. */
export interface Tuning {
  /** How a value is chosen, e.g. "lowest validation error on a held-out 20% of the observed entries". */
  rule: string;
  /** The budget, the same for each method, e.g. "5 values per hyper-parameter, 1 fit each". */
  budget: string;
  /** Per method: the hyper-parameters it may vary and over what grid. */
  grids: Record<string, string>;
}

/**
 * The same grid for every method named — the usual fair protocol, said once:
 * `grids: sameGrid(["sgd", "adam"], "lr ∈ {1e-3, 1e-2, 1e-1}")`.
 */
export function sameGrid(methods: readonly string[], grid: string): Record<string, string> {
  return Object.fromEntries(methods.map((m) => [m, grid]));
}

/** Declare an experiment; returns it unchanged, typed. */
export function defineExperiment<S extends z.ZodObject, D, O>(
  exp: Experiment<S, D, O>,
): Experiment<S, D, O> {
  return exp;
}

/** An experiment of any config, data and output types (what the harness handles). */
export type AnyExperiment = Experiment<z.ZodObject, any, any>;

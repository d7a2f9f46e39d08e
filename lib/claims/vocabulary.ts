/**
 * The claims vocabulary: checks that read like the sentences papers write, each with the same rules.
 *
 * - **threshold**: a metric is below / above a bound (worst run by default, or the mean over seeds).
 * - **compare**: a method beats a baseline by a margin *beyond seed noise*: paired across seeds (same seed, same
 *   config), the mean advantage minus two standard errors of the paired differences must exceed the margin. A tie
 *   is not a win. With `factor`, the same on the ratio (geometric mean of per-seed ratios): "≥ 2× faster". A
 *   negative margin is a non-inferiority test: "no more than 1% worse, beyond noise" is `margin: { rel: -0.01 }`.
 * - **bestOf**: one method beats every other of a set (a `compare` against each).
 * - **trend**: the least-squares slope of y on x (log–log by default) lies within bounds *with its 95% interval*.
 * - **monotone**: the mean over seeds moves one way at every step of a config key.
 * - **allOf**: several checks on one claim, all of which must hold.
 *
 * Every check evaluates at each level of `forEach` (and must hold at all of them), reads its values strictly
 * (an empty selection or a failed run fails the claim with the reason), and writes its `measured` text in one
 * format. `where` pins config keys; {@link LARGEST} and {@link SMALLEST} pick a key's extreme level.
 *
 * @example
 * ```ts
 * claims: [{
 *   id: "beats-altmin", kind: "paper", statement: "Gram completion beats AltMin at the largest n",
 *   check: compare({ metric: "proj_dist", better: "lower", method: "gram_gd", baseline: "altmin",
 *                    where: { n: LARGEST }, margin: { rel: 0.1 } }),
 * }]
 * ```
 */
import type { ResultSet } from "./results.ts";
import { SelectionError } from "./results.ts";
import { mean, spearman, std, tQuantile975 } from "../math/stats.ts";
import type { Check, ClaimVerdict } from "./types.ts";

/** In `where`: the largest level of that config key. */
export const LARGEST: unique symbol = Symbol("largest");
/** In `where`: the smallest level of that config key. */
export const SMALLEST: unique symbol = Symbol("smallest");

/** Config values to pin; a value may be {@link LARGEST} or {@link SMALLEST}. */
export type Where = Record<string, unknown>;

interface Selection {
  metric: string;
  where?: Where;
  /** Config key(s) whose every level must satisfy the check. */
  forEach?: string | readonly string[];
  /** Which step of a series (default: the last). */
  step?: "last" | number;
}

/** A margin a comparison must clear beyond seed noise: absolute, and/or relative to the baseline's mean. */
export interface Margin {
  abs?: number;
  rel?: number;
}

/** The default margin: 2% of the baseline, so an exact tie never passes. */
export const DEFAULT_MARGIN: Margin = { rel: 0.02 };

// ── numbers and text ─────────────────────────────────────────────────────────────────────────────────────────

/** A number as claims print it: 4 significant digits, exponent outside [1e-3, 1e4). */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const ax = Math.abs(x);
  return ax >= 1e4 || ax < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

const pct = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(Math.abs(x) < 0.1 ? 1 : 0)}%`;

/** A verdict with the uniform text; use it in hand-written checks too. */
export function verdict(pass: boolean, measured: string, detail?: string): ClaimVerdict {
  return detail ? { pass, measured, detail } : { pass, measured };
}

/**
 * Spearman rank correlation of metric `x` with metric `y` over the runs of `method` (restricted by `where`), paired
 * by run — e.g. a bound's value against the measured generalisation gap across trained models. Runs are taken in
 * the order `y` lists them; a run without `x` is an error.
 */
export function runSpearman(
  r: ResultSet,
  o: { method: string; x: string; y: string; where?: Record<string, unknown> },
): { rho: number; runs: number } {
  const byRun = (metric: string) =>
    new Map(r.select({ metric, method: o.method, where: o.where }).map((row) => [row.run_id, row.value]));
  const ys = byRun(o.y), xs = byRun(o.x), ids = [...ys.keys()];
  const missing = ids.find((id) => !xs.has(id));
  if (missing !== undefined) throw new SelectionError(`runSpearman: run ${missing} has ${o.y} but no ${o.x}`);
  return { rho: spearman(ids.map((id) => xs.get(id)!), ids.map((id) => ys.get(id)!)), runs: ids.length };
}

/**
 * The check of a paper claim that cannot be measured here (no such model, hardware or data): it always fails with
 * "not measured (why)", so a paper's status never rests on claims that were not checked beside ones that were.
 */
export function notMeasured(why: string): Check {
  return withMetrics(() => verdict(false, `not measured (${why})`), []);
}

function withMetrics(check: (r: ResultSet) => ClaimVerdict, metrics: string[]): Check {
  return Object.assign(check, { metrics });
}

// ── selection helpers ────────────────────────────────────────────────────────────────────────────────────────

/** Resolve LARGEST / SMALLEST against the results' levels. */
export function resolveWhere(r: ResultSet, where: Where = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(where)) {
    if (v === LARGEST || v === SMALLEST) {
      const levels = r.levels(k);
      if (!levels.length) throw new SelectionError(`config key "${k}" has no levels in these results`);
      out[k] = v === LARGEST ? levels[levels.length - 1] : levels[0];
    } else out[k] = v;
  }
  return out;
}

/** One resolved `where` per combination of the `forEach` keys' levels (one point when there is no forEach). */
export function points(r: ResultSet, where?: Where, forEach?: string | readonly string[]): Record<string, unknown>[] {
  const base = resolveWhere(r, where);
  const keys = forEach === undefined ? [] : typeof forEach === "string" ? [forEach] : [...forEach];
  let out: Record<string, unknown>[] = [base];
  for (const k of keys) {
    const levels = k in base ? [base[k]] : r.levels(k);
    out = out.flatMap((w) => levels.map((l) => ({ ...w, [k]: l })));
  }
  return out;
}

/** "n=1000, d=30" for the keys that vary between points (or that forEach names). */
function label(w: Record<string, unknown>, keys: readonly string[]): string {
  return keys.map((k) => `${k}=${String(w[k])}`).join(", ");
}

const forEachKeys = (f?: string | readonly string[]) => (f === undefined ? [] : typeof f === "string" ? [f] : [...f]);

/**
 * Evaluate `at` at every point of `where` × `forEach`: the check holds when it holds at all of them. Returns the
 * parts joined as "n=1000: <text>; n=3000: <text> ✗", the level label only when `forEach` names keys.
 */
function atEachPoint(
  r: ResultSet,
  o: { where?: Where; forEach?: string | readonly string[] },
  at: (w: Record<string, unknown>) => { ok: boolean; text: string },
): { pass: boolean; parts: string } {
  const keys = forEachKeys(o.forEach);
  const parts: string[] = [];
  let pass = true;
  for (const w of points(r, o.where, o.forEach)) {
    const { ok, text } = at(w);
    pass &&= ok;
    parts.push(`${keys.length ? `${label(w, keys)}: ` : ""}${text}${ok ? "" : " ✗"}`);
  }
  return { pass, parts: parts.join("; ") };
}

/** Values keyed by seed and config, so a method and a baseline pair up run by run. */
function byRun(r: ResultSet, metric: string, method: string, where: Where, step?: "last" | number) {
  const m = new Map<string, number>();
  for (const row of r.select({ metric, method, where, step })) {
    m.set(`${row.seed}|${JSON.stringify(row.config, Object.keys(row.config).sort())}`, row.value);
  }
  return m;
}

function pairs(r: ResultSet, metric: string, a: string, b: string, where: Where, step?: "last" | number) {
  const ma = byRun(r, metric, a, where, step), mb = byRun(r, metric, b, where, step);
  const out: [number, number][] = [];
  for (const [k, va] of ma) if (mb.has(k)) out.push([va, mb.get(k)!]);
  if (!out.length) throw new SelectionError(`no seed of ${a} and ${b} share a config for "${metric}"`);
  return out;
}

// ── the checks ───────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A metric is ≤ `below` and/or ≥ `above` — for the worst run (default) or the mean over seeds. Several methods:
 * the bound must hold for each of them (the same as `allOf` of one threshold per method).
 */
export function threshold(
  o: Selection & {
    method: string | readonly string[];
    below?: number;
    above?: number;
    stat?: "worst" | "mean";
  },
): Check {
  if (o.below === undefined && o.above === undefined) throw new Error("threshold needs `below` or `above`");
  if (typeof o.method !== "string") return allOf(...o.method.map((method) => threshold({ ...o, method })));
  const method = o.method, stat = o.stat ?? "worst";
  return withMetrics((r) => {
    let runs = 0;
    const { pass, parts } = atEachPoint(r, o, (w) => {
      const v = r.values({ metric: o.metric, method, where: w, step: o.step });
      runs += v.length;
      const hi = stat === "mean" ? mean(v) : Math.max(...v), lo = stat === "mean" ? mean(v) : Math.min(...v);
      const ok = (o.below === undefined || hi <= o.below) && (o.above === undefined || lo >= o.above);
      return { ok, text: fmt(o.below !== undefined ? hi : lo) };
    });
    const bound = [o.below !== undefined && `≤ ${fmt(o.below)}`, o.above !== undefined && `≥ ${fmt(o.above)}`]
      .filter(Boolean).join(" and ");
    const what = stat === "mean" ? "mean over seeds" : o.below !== undefined ? "worst (max)" : "worst (min)";
    return verdict(pass, `${method} ${o.metric}, ${what}: ${parts} (${bound}; ${runs} runs)`);
  }, [o.metric]);
}

/** The outcome of one paired comparison, for callers that compose their own claim text. */
export interface PairedComparison {
  method: number;
  baseline: number;
  /** Mean advantage of the method (positive = better), absolute or as a log-ratio with `factor`. */
  advantage: number;
  /** Two standard errors of the paired differences (0 with one seed). */
  noise: number;
  pass: boolean;
  text: string;
  seeds: number;
}

/**
 * Compare `method` with `baseline` on paired runs. Additive: advantage = mean(baseline − method) for "lower"
 * (method − baseline for "higher"); holds when advantage − 2·SE > margin (abs + rel·|mean baseline|).
 * With `factor`: ratio = baseline/method for "lower" (method/baseline for "higher"); holds when the geometric
 * mean ratio, less two standard errors on the log scale, is ≥ factor.
 */
export function pairedComparison(
  pairsMB: [number, number][],
  o: { better: "lower" | "higher"; margin?: Margin; factor?: number },
): PairedComparison {
  const n = pairsMB.length;
  const mm = mean(pairsMB.map((p) => p[0])), mb = mean(pairsMB.map((p) => p[1]));
  const se = (xs: number[]) => (xs.length > 1 ? std(xs) / Math.sqrt(xs.length) : 0);
  if (o.factor !== undefined) {
    const logs = pairsMB.map(([m, b]) => Math.log(o.better === "lower" ? b / m : m / b));
    const L = mean(logs), noise = 2 * se(logs);
    const lo = Math.exp(L - noise), pass = lo >= o.factor;
    return {
      method: mm,
      baseline: mb,
      advantage: L,
      noise,
      pass,
      seeds: n,
      text: `${fmt(Math.exp(L))}× (low ${fmt(lo)}×; need ≥ ${fmt(o.factor)}×)`,
    };
  }
  const d = pairsMB.map(([m, b]) => (o.better === "lower" ? b - m : m - b));
  const adv = mean(d), noise = 2 * se(d);
  const margin = o.margin ?? DEFAULT_MARGIN;
  const need = (margin.abs ?? 0) + (margin.rel ?? 0) * Math.abs(mb);
  // An absolute margin reads in the metric's own units; a relative one as a percentage of the baseline.
  const rel = (x: number) => (margin.abs !== undefined || mb === 0 ? fmt(x) : pct(x / Math.abs(mb)));
  return {
    method: mm,
    baseline: mb,
    advantage: adv,
    noise,
    pass: adv - noise > need,
    seeds: n,
    text: `advantage ${rel(adv)} ± ${rel(noise).replace("+", "")} (need > ${rel(need).replace("+", "")})`,
  };
}

/** `method` beats `baseline` on `metric` by a margin beyond seed noise, at every `forEach` level. */
export function compare(
  o: Selection & {
    method: string;
    baseline: string;
    better: "lower" | "higher";
    margin?: Margin;
    factor?: number;
  },
): Check {
  return withMetrics((r) => {
    let seeds = Infinity;
    const { pass, parts } = atEachPoint(r, o, (w) => {
      const c = pairedComparison(pairs(r, o.metric, o.method, o.baseline, w, o.step), o);
      seeds = Math.min(seeds, c.seeds);
      return { ok: c.pass, text: `${fmt(c.method)} vs ${fmt(c.baseline)}, ${c.text}` };
    });
    return verdict(pass, `${o.metric} ${o.method} vs ${o.baseline}: ${parts} [${seeds} paired runs]`);
  }, [o.metric]);
}

/** `winner` beats each of `others` by the margin (each comparison paired and beyond seed noise). */
export function bestOf(
  o: Selection & {
    winner: string;
    others: readonly string[];
    better: "lower" | "higher";
    margin?: Margin;
    factor?: number;
  },
): Check {
  return withMetrics((r) => {
    const { pass, parts } = atEachPoint(r, o, (w) => {
      const cs = o.others.map((b) => [b, pairedComparison(pairs(r, o.metric, o.winner, b, w, o.step), o)] as const);
      const vs = cs.map(([b, c]) => `${b} ${fmt(c.baseline)} (${c.text.split(" (need")[0]})`).join(", ");
      return { ok: cs.every(([, c]) => c.pass), text: `${o.winner} ${fmt(cs[0][1].method)} vs ${vs}` };
    });
    const need = o.margin ?? DEFAULT_MARGIN;
    return verdict(
      pass,
      `${o.metric}: ${parts} [margin ${need.rel ? `${100 * need.rel}%` : ""}${
        need.abs ? ` + ${fmt(need.abs)}` : ""
      } beyond 2·SE]`,
    );
  }, [o.metric]);
}

/** Least-squares slope with its 95% interval (Student's t on n − 2 degrees of freedom). */
export function slopeWithInterval(xs: number[], ys: number[]): { slope: number; lo: number; hi: number; n: number } {
  const n = xs.length, mx = mean(xs), my = mean(ys);
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  const b = sxy / sxx;
  if (n < 3) return { slope: b, lo: -Infinity, hi: Infinity, n };
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i] - my - b * (xs[i] - mx)) ** 2;
  const se = Math.sqrt(sse / (n - 2) / sxx), h = tQuantile975(n - 2) * se;
  return { slope: b, lo: b - h, hi: b + h, n };
}

/**
 * The slope of `metric` against config key `x` (log–log by default: an empirical exponent) lies ≤ `below`
 * and/or ≥ `above` with its whole 95% interval, fitted over every run (each seed is a point).
 */
export function trend(
  o: Omit<Selection, "forEach"> & {
    method: string;
    x: string;
    axes?: "loglog" | "logx" | "linear";
    below?: number;
    above?: number;
    forEach?: string | readonly string[];
  },
): Check {
  if (o.below === undefined && o.above === undefined) throw new Error("trend needs `below` or `above`");
  const axes = o.axes ?? "loglog";
  const fx = axes === "linear" ? (v: number) => v : Math.log10;
  const fy = axes === "loglog" ? Math.log10 : (v: number) => v;
  return withMetrics((r) => {
    const { pass, parts } = atEachPoint(r, o, (w) => {
      const rows = r.select({ metric: o.metric, method: o.method, where: w, step: o.step });
      const levels = new Set(rows.map((row) => row.config[o.x]));
      if (levels.size < 2) throw new SelectionError(`trend over "${o.x}" needs two levels, got ${levels.size}`);
      const s = slopeWithInterval(rows.map((row) => fx(row.config[o.x] as number)), rows.map((row) => fy(row.value)));
      const ok = (o.below === undefined || s.hi <= o.below) && (o.above === undefined || s.lo >= o.above);
      const ci = Number.isFinite(s.lo) ? `[${fmt(s.lo)}, ${fmt(s.hi)}]` : "(no interval: 2 points)";
      return { ok, text: `slope ${fmt(s.slope)} ${ci}` };
    });
    const bound = [o.below !== undefined && `≤ ${fmt(o.below)}`, o.above !== undefined && `≥ ${fmt(o.above)}`]
      .filter(Boolean).join(" and ");
    return verdict(
      pass,
      `${o.method} ${o.metric} vs ${o.x} (${axes}): ${parts} (95% interval ${bound})`,
    );
  }, [o.metric]);
}

/**
 * The mean over seeds of `metric` rises (or falls) at every step between consecutive levels of `x`, each step
 * by more than two standard errors and by `margin` (relative to the earlier level).
 */
export function monotone(
  o: Selection & {
    method: string;
    x: string;
    direction: "increasing" | "decreasing";
    margin?: Margin;
  },
): Check {
  return withMetrics((r) => {
    const { pass, parts } = atEachPoint(r, o, (w) => {
      const levels = (w[o.x] === undefined ? r.levels(o.x) : [w[o.x]]) as number[];
      if (levels.length < 2) throw new SelectionError(`monotone over "${o.x}" needs two levels`);
      const stats = levels.map((l) => {
        const v = r.values({ metric: o.metric, method: o.method, where: { ...w, [o.x]: l }, step: o.step });
        return { m: mean(v), se: v.length > 1 ? std(v) / Math.sqrt(v.length) : 0 };
      });
      let ok = true;
      for (let i = 1; i < stats.length; i++) {
        const step = o.direction === "increasing" ? stats[i].m - stats[i - 1].m : stats[i - 1].m - stats[i].m;
        const need = (o.margin?.abs ?? 0) + (o.margin?.rel ?? 0) * Math.abs(stats[i - 1].m);
        ok &&= step - 2 * Math.hypot(stats[i].se, stats[i - 1].se) > need;
      }
      return { ok, text: stats.map((s) => fmt(s.m)).join(" → ") };
    });
    return verdict(
      pass,
      `${o.method} ${o.metric} over ${o.x} = ${r.levels(o.x).join(", ")} (${o.direction}): ${parts}`,
    );
  }, [o.metric]);
}

/** One case of {@link eachCase}: whether it holds, and what was measured. */
export interface CaseVerdict {
  pass: boolean;
  text: string;
}

/**
 * A verdict over cases that only the results know (the levels of a config key, the chosen methods, …): it holds
 * when every case holds (`need: "every"`, the default) or when at least one does (`"some"`). The cases' texts are
 * joined with "; " between `prefix` and `suffix`, each failing case marked ✗ (with "some": each passing case marked ✓). No case fails:
 * a filter that matched nothing is not evidence.
 *
 * @example
 * ```ts
 * check: Object.assign((r: ResultSet) =>
 *   eachCase(r.levels("d"), (d) => {
 *     const v = mean(r, "gd", { d });
 *     return { pass: v < 0.1, text: `d=${d}: ${fmt(v)}` };
 *   }), { metrics: ["err"] }),
 * ```
 */
export function eachCase<T>(
  cases: Iterable<T>,
  one: (c: T) => CaseVerdict,
  opts: { need?: "every" | "some"; prefix?: string; suffix?: string } = {},
): ClaimVerdict {
  const { need = "every", prefix = "", suffix = "" } = opts;
  const vs = [...cases].map(one);
  if (vs.length === 0) return verdict(false, `${prefix}no case in the results`);
  const pass = need === "every" ? vs.every((v) => v.pass) : vs.some((v) => v.pass);
  const mark = (v: CaseVerdict) => need === "every" ? (v.pass ? "" : " ✗") : (v.pass ? " ✓" : "");
  return verdict(pass, prefix + vs.map((v) => v.text + mark(v)).join("; ") + suffix);
}

/** Every check must hold; the measured texts are joined. */
export function allOf(...checks: Check[]): Check {
  return withMetrics((r) => {
    const vs = checks.map((c) => c(r));
    return verdict(vs.every((v) => v.pass), vs.map((v) => v.measured).join(" AND "));
  }, [...new Set(checks.flatMap((c) => c.metrics ?? []))]);
}

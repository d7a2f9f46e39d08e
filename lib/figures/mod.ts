/**
 * Vega-Lite specs for the figures papers draw most: a metric against a step or a config key, one line per
 * method, mean over seeds; and a metric per method as bars. They return plain specs for `Figure.spec`, so a
 * module that needs something else writes Vega-Lite directly.
 *
 * Rows carry `method, backend, seed, metric, step, value` and every config key (see lib/report).
 *
 * @example
 * ```ts
 * figures: [{ id: "err", title: "Error vs iteration", spec: lineChart({ metric: "rel_error", x: "step", logY: true }) }]
 * ```
 */

/**
 * What lineChart draws: the metric(s) against x, with optional log axes, colour and dash series, panels, a row filter,
 * points and an error band.
 */
export interface LineChartOptions {
  /** The metric on the y axis (rows are filtered to it), or several (colour, row or column by "metric" parts them). */
  metric: string | string[];
  /** The x field: "step" for series, or a config key. */
  x: string;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** One line per value of this field (default "method"). */
  color?: string;
  colorTitle?: string;
  /** A second series field drawn as the line's dash pattern (e.g. color by init scale, dash by method). */
  dash?: string;
  dashTitle?: string;
  /** Small multiples: one panel per value of these fields. */
  column?: string;
  row?: string;
  /** The names panel headers give the fields (default: the field names): headers read `name = value`. */
  columnTitle?: string;
  rowTitle?: string;
  /** An extra Vega expression the rows must satisfy, e.g. "datum.n == 400". */
  where?: string;
  /** Draw a point at each x (default: true unless x is "step"). */
  points?: boolean;
  /**
   * Shade ±1 standard error over seeds around each line. Default: on for mean lines on a linear y axis (a band of
   * one seed is empty); off on a log y axis (mean − SE can fall below zero) and for `aggregate: "max"`.
   */
  band?: boolean;
  /** Derived fields, computed before filtering (Vega expressions), e.g. `{ as: "ratio", expr: "datum.n / datum.d" }`. */
  calculate?: { as: string; expr: string }[];
  /** Base of the log axes (default 10), e.g. 2 for sizes that double. */
  logBase?: number;
  /** Base of the log y axis when it differs from `logBase`, e.g. 10 for times against sizes that double. */
  logBaseY?: number;
  /** Start the (linear) y axis at zero instead of fitting the data. */
  zeroY?: boolean;
  /** How the colour field reads: nominal (default), ordinal (an ordered scale, e.g. sizes), quantitative. */
  colorType?: "nominal" | "ordinal" | "quantitative";
  /** How the x field reads (default quantitative); ordinal for a few categories such as depths or orders. */
  xType?: "quantitative" | "ordinal";
  /** A symmetric-log x axis (zero stays on it), e.g. iterations counted from 0. */
  symlogX?: boolean;
  /** The fixed y range, e.g. [0, 1] for a rate. */
  yDomain?: [number, number];
  /** How seeds (and rows sharing x and series) combine (default "mean"), e.g. "max" for a worst case. */
  aggregate?: "mean" | "max";
  /** Wrapped panels: one per value of this field (e.g. a label made by `calculate`), `columns` to a row. */
  wrap?: string;
  columns?: number;
  /** Each panel (row) fits its own y axis. */
  independentY?: boolean;
}

/**
 * A panel field whose headers say the key: `n = 100`, not a bare `100` under a lone `n` (`title` replaces the key's
 * name, e.g. "band λ").
 */
export function facet(field: string, title?: string): Record<string, unknown> {
  const name = (title ?? field).replaceAll("\\", "\\\\").replaceAll("'", "\\'");
  return { field, type: "ordinal", title: null, header: { labelExpr: `'${name} = ' + (datum.label)` } };
}

/** Mean of `metric` over seeds against `x`, one line per method (or `color`). */
export function lineChart(o: LineChartOptions): Record<string, unknown> {
  // Log axes fit the data (nice: false), so no empty decades frame the lines.
  const log = { type: "log", nice: false, ...(o.logBase ? { base: o.logBase } : {}) };
  const xScale = o.logX ? { scale: log } : o.symlogX ? { scale: { type: "symlog" } } : {};
  const x = { field: o.x, type: o.xType ?? "quantitative", title: o.xTitle ?? o.x, ...xScale };
  const y = {
    field: "value",
    type: "quantitative",
    title: o.yTitle ?? metricFilter(o.metric).title,
    ...(o.logY
      ? { scale: o.logBaseY ? { ...log, base: o.logBaseY } : log }
      : { scale: { zero: o.zeroY ?? false, ...(o.yDomain ? { domain: o.yDomain } : {}) } }),
  };
  const colorField = o.color ?? "method";
  const color = { field: colorField, type: o.colorType ?? "nominal", title: o.colorTitle ?? colorField };
  // Markers differ by series as well as colours, so series that coincide stay distinguishable.
  const shape = (o.colorType ?? "nominal") === "quantitative"
    ? {}
    : { shape: { field: colorField, type: "nominal", title: color.title } };
  const dash = o.dash ? { strokeDash: { field: o.dash, type: "nominal", title: o.dashTitle ?? o.dash } } : {};
  const facets = {
    ...(o.column ? { column: facet(o.column, o.columnTitle) } : {}),
    ...(o.row ? { row: facet(o.row, o.rowTitle) } : {}),
    ...(o.wrap
      ? { facet: { field: o.wrap, type: "nominal", title: null, ...(o.columns ? { columns: o.columns } : {}) } }
      : {}),
  };
  const filter = `${metricFilter(o.metric).test}${o.where ? ` && (${o.where})` : ""}${
    o.logY ? " && datum.value > 0" : ""
  }`;
  const resolve = o.independentY ? { resolve: { scale: { y: "independent" } } } : {};
  const transform = [...(o.calculate ?? []).map((c) => ({ calculate: c.expr, as: c.as })), { filter }];
  const points = o.points ?? o.x !== "step";
  const line = {
    mark: { type: "line", point: points },
    encoding: { x, y: { ...y, aggregate: o.aggregate ?? "mean" }, color, ...dash, ...(points ? shape : {}) },
  };
  const banded = o.band ?? (!o.logY && (o.aggregate ?? "mean") === "mean");
  if (!banded) return { transform, ...line, encoding: { ...line.encoding, ...facets }, ...resolve };
  // Light bands: where several methods' bands overlap, the lines stay readable.
  // The merged legend would inherit the bands' opacity: its symbols stay solid.
  const band = {
    mark: { type: "errorband", extent: "stderr", opacity: 0.18 },
    encoding: { x, y, color: { ...color, legend: { symbolOpacity: 1 } } },
  };
  const layered = { layer: [band, line] };
  if (!o.column && !o.row && !o.wrap) return { transform, ...layered };
  const { facet: wrapped, ...grid } = facets;
  const panels = wrapped
    ? { facet: { field: o.wrap, type: "nominal", title: null }, ...(o.columns ? { columns: o.columns } : {}) }
    : { facet: grid };
  return { transform, ...panels, spec: layered, ...resolve };
}

/** What barChart draws: the metric(s) per method (or `x`), optionally on a log axis and in panels. */
export interface BarChartOptions {
  /** The metric (or several: `column: "metric"` puts them side by side). */
  metric: string | string[];
  yTitle?: string;
  logY?: boolean;
  /** Bars per value of this field (default "method"). */
  x?: string;
  column?: string;
  where?: string;
}

/** Mean of `metric` over seeds per method (or `x`), with ±1 standard error. */
export function barChart(o: BarChartOptions): Record<string, unknown> {
  const x = { field: o.x ?? "method", type: "nominal", title: null };
  const y = {
    field: "value",
    type: "quantitative",
    title: o.yTitle ?? metricFilter(o.metric).title,
    ...(o.logY ? { scale: { type: "log" } } : {}),
  };
  const layer = {
    layer: [
      { mark: "bar", encoding: { x, y: { ...y, aggregate: "mean" } } },
      { mark: { type: "errorbar", extent: "stderr" }, encoding: { x, y } },
    ],
  };
  const filter = `${metricFilter(o.metric).test}${o.where ? ` && (${o.where})` : ""}`;
  return o.column
    ? { transform: [{ filter }], facet: { column: facet(o.column) }, spec: layer }
    : { transform: [{ filter }], ...layer };
}

/** The filter that keeps one metric or any of several, and the axis title they give. */
function metricFilter(metric: string | string[]): { test: string; title: string } {
  const metrics = typeof metric === "string" ? [metric] : metric;
  const test = metrics.map((m) => `datum.metric == '${m}'`).join(" || ");
  return { test: metrics.length > 1 ? `(${test})` : test, title: metrics.join(", ") };
}

/**
 * What dotChart draws: every value of the metric(s) per method (or `x`), coloured and offset by a field, with an
 * optional floor for log axes.
 */
export interface DotChartOptions {
  /** The metric (or several, told apart by `color: "metric"`). */
  metric: string | string[];
  /** Dots per value of this field along x (default "method"). */
  x?: string;
  /** Colour, and side-by-side offset within each x, by this field (e.g. "metric" or a config key). */
  color: string;
  /** Marker shape by a further field. */
  shape?: string;
  where?: string;
  logY?: boolean;
  /** Values below this are drawn at it, e.g. 1e-17 so exact zeros stay on a log axis. */
  floor?: number;
  yTitle?: string;
}

/**
 * Every row's value (each seed and config, no mean) as a dot per method (or `x`), split side by side by `color`:
 * for checks whose values span decades, such as residuals at machine precision.
 */
export function dotChart(o: DotChartOptions): Record<string, unknown> {
  const { test, title } = metricFilter(o.metric);
  const filter = `${test}${o.where ? ` && (${o.where})` : ""}`;
  const floor = o.floor !== undefined ? [{ calculate: `max(datum.value, ${o.floor})`, as: "value" }] : [];
  return {
    transform: [{ filter }, ...floor],
    mark: { type: "point", filled: true },
    encoding: {
      x: { field: o.x ?? "method", type: "nominal", title: null },
      y: {
        field: "value",
        type: "quantitative",
        title: o.yTitle ?? title,
        ...(o.logY ? { scale: { type: "log" } } : {}),
      },
      color: { field: o.color, type: "nominal" },
      xOffset: { field: o.color, type: "nominal" },
      ...(o.shape ? { shape: { field: o.shape, type: "nominal" } } : {}),
    },
  };
}

/** One more metric drawn over a lineChart, on its axes and in its panels (see `overlay`). */
export interface OverlayLayer {
  /** The metric drawn (mean over seeds). */
  metric: string;
  /** An extra Vega expression its rows must satisfy, e.g. "datum.method == 'gaussian'". */
  where?: string;
  /** "line" against the chart's x (default), "point" (e.g. simulations over theory lines), or "rule": a level line at the mean. */
  mark?: "line" | "point" | "rule";
  /** Colour by this field (the chart's colour field shares its legend); without it, grey. */
  color?: string;
  /** Dash pattern of a line or rule, e.g. [4, 4]. */
  dash?: number[];
}

/**
 * A lineChart with more metrics layered on it: reference values such as a bound or a baseline's level, or
 * simulation points over theory lines. Panels, derived fields, log axes and the seed band carry over.
 */
export function overlay(chart: Record<string, unknown>, ...layers: OverlayLayer[]): Record<string, unknown> {
  type Layer = { mark: unknown; encoding: Record<string, Record<string, unknown>> };
  const c = chart as {
    transform: Record<string, unknown>[];
    resolve?: unknown;
    facet?: Record<string, unknown>;
    columns?: number;
    spec?: { layer: Layer[] };
    layer?: Layer[];
  } & Partial<Layer>;
  // A lineChart is one line (panels in its encoding) or, with a band, a band and a line (panels around them).
  const base: Layer[] = c.spec?.layer ?? c.layer ?? [{ mark: c.mark, encoding: c.encoding! }];
  if (!base[base.length - 1]?.encoding) throw new Error("overlay: pass a chart made by lineChart");
  const { row, column, facet: wrap, ...enc } = base[base.length - 1].encoding;
  const derived = c.transform.filter((t) => "calculate" in t);
  const logY = (enc.y.scale as { type?: string } | undefined)?.type === "log";
  const extra = layers.map((l) => {
    const m = l.mark ?? "line";
    const filter = `datum.metric == '${l.metric}'${l.where ? ` && (${l.where})` : ""}${
      logY ? " && datum.value > 0" : ""
    }`;
    const color = l.color === undefined ? {} : {
      color: { field: l.color, type: "nominal", ...(l.color === enc.color.field ? { title: enc.color.title } : {}) },
    };
    return {
      transform: [...derived, { filter }],
      mark: {
        type: m,
        ...(m === "point" ? { filled: true } : {}),
        ...(l.dash ? { strokeDash: l.dash } : {}),
        ...(l.color === undefined ? { color: "gray" } : {}),
      },
      encoding: { ...(m === "rule" ? {} : { x: enc.x }), y: enc.y, ...color },
    };
  });
  const own = base.length === 1 ? [{ mark: base[0].mark, encoding: enc }] : base;
  const layer = { layer: [{ transform: c.transform, layer: own }, ...extra] };
  const panels = c.facet
    ? { facet: c.facet, ...(c.columns ? { columns: c.columns } : {}) }
    : wrap
    ? { facet: { field: wrap.field, type: "nominal", title: null }, ...(wrap.columns ? { columns: wrap.columns } : {}) }
    : row || column
    ? { facet: { ...(row ? { row } : {}), ...(column ? { column } : {}) } }
    : undefined;
  const resolved = c.resolve ? { resolve: c.resolve } : {};
  return panels ? { ...panels, spec: layer, ...resolved } : { ...layer, ...resolved };
}

/**
 * The spec with axis titles that name a bare metric id replaced by the metric's label (and unit), as the module
 * declares them: the helpers title an axis by the metric id, and a reader wants "test accuracy", not "test_acc".
 * Labels longer than `maxLength` characters keep the id (an axis title has room for one line of a plot's height).
 */
export function withMetricLabels(
  spec: Record<string, unknown>,
  metrics: Record<string, { label?: string; unit?: string }>,
  maxLength = 40,
): Record<string, unknown> {
  const titleOf = (id: string) => {
    const m = metrics[id];
    const t = m?.label ? `${m.label}${m.unit ? ` (${m.unit})` : ""}` : undefined;
    return t && t.length <= maxLength ? t : undefined;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === "encoding" && x && typeof x === "object") {
        const enc: Record<string, unknown> = {};
        for (const [ch, def] of Object.entries(x as Record<string, unknown>)) {
          const d = def as { title?: unknown } | undefined;
          const label = (ch === "x" || ch === "y") && typeof d?.title === "string" ? titleOf(d.title) : undefined;
          enc[ch] = label ? { ...(walk(def) as object), title: label } : walk(def);
        }
        out[k] = enc;
      } else out[k] = walk(x);
    }
    return out;
  };
  return walk(spec) as Record<string, unknown>;
}

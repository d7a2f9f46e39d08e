import { deepStrictEqual as assertEquals } from "node:assert";
import { barChart, dotChart, facet, lineChart, overlay, withMetricLabels } from "./mod.ts";
import { renderSvg } from "../report/render.ts";

const rows = [0, 1].flatMap((seed) =>
  ["a", "b"].flatMap((method) =>
    [10, 100].flatMap((n) =>
      [0, 1, 2].map((step) => ({ method, seed, n, metric: "err", step, value: (1 + seed) / (n * (step + 1)) }))
    )
  )
);

Deno.test("lineChart and barChart compile and render every variant", async () => {
  const specs = [
    lineChart({ metric: "err", x: "step", logY: true }),
    lineChart({ metric: "err", x: "step", band: true, column: "n" }),
    lineChart({ metric: "err", x: "n", logX: true, band: true, where: "datum.step == 2" }),
    lineChart({
      metric: "err",
      x: "nd",
      calculate: [{ as: "nd", expr: "datum.n * 2" }],
      logX: true,
      logBase: 2,
      color: "n",
      colorType: "ordinal",
    }),
    lineChart({ metric: "err", x: "n", zeroY: true, dash: "method", color: "seed", colorType: "quantitative" }),
    barChart({ metric: "err" }),
    barChart({ metric: "err", column: "n", logY: true }),
  ];
  for (const spec of specs) {
    const svg = await renderSvg(spec, rows);
    assertEquals(svg.includes("<path"), true, JSON.stringify(spec));
  }
});

Deno.test("lineChart filters to its metric (and to positive values on a log axis)", () => {
  const spec = lineChart({ metric: "err", x: "step", logY: true, where: "datum.n == 10" }) as { transform: unknown };
  assertEquals(spec.transform, [{ filter: "datum.metric == 'err' && (datum.n == 10) && datum.value > 0" }]);
});

Deno.test("lineChart: a seed band by default on linear mean charts, none on log y or for max", async () => {
  const layers = (spec: Record<string, unknown>) =>
    ((spec.layer ?? (spec.spec as { layer?: unknown[] } | undefined)?.layer ?? []) as { mark: { type: string } }[])
      .map((l) => l.mark.type);
  assertEquals(layers(lineChart({ metric: "err", x: "n" })), ["errorband", "line"]);
  assertEquals(layers(lineChart({ metric: "err", x: "n", column: "method" })), ["errorband", "line"]);
  assertEquals(layers(lineChart({ metric: "err", x: "n", logY: true })), []);
  assertEquals(layers(lineChart({ metric: "err", x: "n", aggregate: "max" })), []);
  assertEquals(layers(lineChart({ metric: "err", x: "n", band: false })), []);
  const svg = await renderSvg(lineChart({ metric: "err", x: "n" }), rows);
  assertEquals(svg.includes("<path"), true);
});

Deno.test("lineChart: derived fields come before the filter; log axes fit the data", () => {
  const spec = lineChart({
    metric: "err",
    x: "r",
    logX: true,
    logBase: 2,
    calculate: [{ as: "r", expr: "datum.n / 10" }],
    band: false,
  }) as { transform: unknown[]; encoding: { x: { scale: unknown } } };
  assertEquals(spec.transform[0], { calculate: "datum.n / 10", as: "r" });
  assertEquals(spec.encoding.x.scale, { type: "log", nice: false, base: 2 });
});

Deno.test("facet headers say the key: 'n = 10', with the given name in place of the field's", async () => {
  assertEquals(facet("n"), {
    field: "n",
    type: "ordinal",
    title: null,
    header: { labelExpr: "'n = ' + (datum.label)" },
  });
  assertEquals(
    (facet("p", "it's p") as { header: { labelExpr: string } }).header.labelExpr,
    "'it\\'s p = ' + (datum.label)",
  );
  const svg = await renderSvg(lineChart({ metric: "err", x: "step", column: "n", columnTitle: "size" }), rows);
  assertEquals(svg.includes("size = 10") && svg.includes("size = 100"), true);
  const bars = await renderSvg(barChart({ metric: "err", column: "n" }), rows);
  assertEquals(bars.includes("n = 10"), true);
});

Deno.test("lineChart: several metrics, wrapped panels, ordinal/symlog x, max, fixed y range, independent y", async () => {
  const specs = [
    lineChart({ metric: ["err", "other"], x: "step", color: "metric", row: "n", independentY: true }),
    lineChart({ metric: "err", x: "n", xType: "ordinal", yDomain: [0, 1], aggregate: "max" }),
    lineChart({ metric: "err", x: "step", symlogX: true, logY: true, wrap: "method", columns: 2, independentY: true }),
    lineChart({ metric: "err", x: "step", band: true, wrap: "method", columns: 2 }),
  ];
  for (const spec of specs) {
    const svg = await renderSvg(spec, rows);
    assertEquals(svg.includes("<path"), true, JSON.stringify(spec));
  }
  const two = lineChart({ metric: ["err", "other"], x: "step", where: "datum.n == 10" }) as { transform: unknown };
  assertEquals(two.transform, [{ filter: "(datum.metric == 'err' || datum.metric == 'other') && (datum.n == 10)" }]);
  const wrapped = lineChart({ metric: "err", x: "step", wrap: "method", columns: 2, band: false }) as {
    encoding: { facet: unknown };
  };
  assertEquals(wrapped.encoding.facet, { field: "method", type: "nominal", title: null, columns: 2 });
  const svg = await renderSvg(lineChart({ metric: "err", x: "step", wrap: "method", columns: 2 }), rows);
  assertEquals(svg.includes(">a<") && svg.includes(">b<"), true);
});

Deno.test("dotChart: every value as a dot, zeros floored onto the log axis; barChart takes several metrics", async () => {
  const zeros = rows.map((r) => ({ ...r, value: r.step === 0 ? 0 : r.value }));
  const spec = dotChart({ metric: "err", color: "n", logY: true, floor: 1e-17 }) as { transform: unknown };
  assertEquals(spec.transform, [{ filter: "datum.metric == 'err'" }, {
    calculate: "max(datum.value, 1e-17)",
    as: "value",
  }]);
  for (
    const s of [
      spec,
      dotChart({ metric: "err", color: "n", shape: "seed" }),
      barChart({ metric: ["err"], column: "n" }),
    ]
  ) {
    const svg = await renderSvg(s, zeros);
    assertEquals(svg.includes("<path"), true, JSON.stringify(s));
  }
});

Deno.test("lineChart with points keeps one legend (colour and marker merged), also on a log-2 x with a log-10 y", async () => {
  for (const colorType of ["nominal", "ordinal"] as const) {
    const spec = lineChart({
      metric: "err",
      x: "n",
      color: "seed",
      colorType,
      logX: true,
      logBase: 2,
      logY: true,
      logBaseY: 10,
    });
    const svg = await renderSvg(spec, rows);
    assertEquals((svg.match(/role-legend"/g) ?? []).length, 1, colorType);
  }
  const spec = lineChart({ metric: "err", x: "n", logX: true, logBase: 2, logY: true, logBaseY: 10 }) as {
    encoding: { x: { scale: unknown }; y: { scale: unknown } };
  };
  assertEquals(spec.encoding.x.scale, { type: "log", nice: false, base: 2 });
  assertEquals(spec.encoding.y.scale, { type: "log", nice: false, base: 10 });
});

Deno.test("overlay keeps the seed band of the chart it extends", () => {
  const spec = overlay(lineChart({ metric: "err", x: "n", column: "method" }), { metric: "bound" }) as {
    facet: Record<string, unknown>;
    spec: { layer: { layer?: { mark: { type: string } }[] }[] };
  };
  assertEquals(Object.keys(spec.facet), ["column"]);
  assertEquals(spec.spec.layer[0].layer?.map((l) => l.mark.type), ["errorband", "line"]);
});

Deno.test("overlay: reference lines, level rules and points over a lineChart, in its panels", async () => {
  const ref = rows.map((r) => ({ ...r, metric: "bound", value: r.value / 2 }));
  const all = [...rows, ...ref];
  const chart = lineChart({ metric: "err", x: "step", logY: true, column: "n", row: "method", independentY: true });
  const spec = overlay(chart, { metric: "bound", dash: [4, 4] }, {
    metric: "bound",
    mark: "rule",
    color: "method",
  }) as {
    facet: Record<string, unknown>;
    spec: { layer: { transform: unknown[] }[] };
    resolve: unknown;
  };
  assertEquals(Object.keys(spec.facet).sort(), ["column", "row"]);
  assertEquals(spec.spec.layer.length, 3);
  assertEquals(spec.spec.layer[1].transform, [{ filter: "datum.metric == 'bound' && datum.value > 0" }]);
  assertEquals(spec.resolve, { scale: { y: "independent" } });
  for (
    const s of [
      spec,
      overlay(lineChart({ metric: "err", x: "n", points: false }), { metric: "bound", mark: "point", color: "method" }),
      overlay(lineChart({ metric: "err", x: "step", wrap: "n", columns: 2 }), { metric: "bound" }),
      overlay(lineChart({ metric: "err", x: "n", column: "method" }), { metric: "bound", mark: "rule" }),
    ]
  ) {
    const svg = await renderSvg(s, all);
    assertEquals(svg.includes("<path"), true, JSON.stringify(s));
  }
});

Deno.test("withMetricLabels: an axis titled by a metric id reads the metric's label and unit, in every layer", () => {
  const spec = withMetricLabels(lineChart({ metric: "err", x: "n" }), {
    err: { label: "relative error", unit: "%" },
    n: { label: "size" },
  }) as { layer: { encoding: { x: { title: string }; y: { title: string } } }[] };
  assertEquals(spec.layer.map((l) => l.encoding.y.title), ["relative error (%)", "relative error (%)"]);
  assertEquals(spec.layer[0].encoding.x.title, "size");
  const long = withMetricLabels(lineChart({ metric: "err", x: "step", band: false }), {
    err: { label: "x".repeat(80) },
  });
  assertEquals((long as { encoding: { y: { title: string } } }).encoding.y.title, "err");
});

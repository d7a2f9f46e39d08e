/**
 * Every module's figures render: each spec drawn by Vega-Lite on rows shaped like its own runs (every method, two
 * seeds, the paper scale's config points, every declared metric at steps 0–2, positive values). A figure that
 * names a field its rows lack, or a spec Vega-Lite rejects, fails here rather than in someone's report.
 */
import { assert } from "../testdata/assert.ts";
import { experimentIds, loadExperiment } from "../run/registry.ts";
import { configPoints } from "../run/config.ts";
import { renderSvg } from "./render.ts";

Deno.test("every experiment's figures render on rows shaped like its runs", async () => {
  let drawn = 0;
  for (const id of experimentIds()) {
    const exp = await loadExperiment(id);
    const points = configPoints(exp, "paper").slice(0, 12);
    const rows = Object.keys(exp.methods).flatMap((method, mi) =>
      [0, 1].flatMap((seed) =>
        points.flatMap((cfg, pi) =>
          Object.keys(exp.metrics).flatMap((metric) =>
            [0, 1, 2].map((step) => ({
              ...cfg,
              method,
              backend: "js",
              seed,
              metric,
              step,
              value: 1 + 0.1 * mi + 0.01 * pi + 0.001 * seed + 0.5 * step,
            }))
          )
        )
      )
    );
    for (const fig of exp.figures ?? []) {
      let svg = "";
      try {
        svg = await renderSvg(fig.spec, rows);
      } catch (e) {
        throw new Error(`${id} figure ${fig.id}: ${(e as Error).message}`);
      }
      assert(svg.includes("<svg"), `${id} figure ${fig.id}: no SVG`);
      drawn++;
    }
  }
  assert(drawn > 50, `only ${drawn} figures drawn`);
  console.log(`${drawn} figures rendered`);
});

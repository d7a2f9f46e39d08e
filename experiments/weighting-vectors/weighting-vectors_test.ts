/**
 * Tests for the weighting-vectors module: the weighting vector against closed forms (two points; points on a line,
 * whose magnitude is 1 + Σ tanh(t·gap/2)) on both linear-algebra backends, the duplicate-point shift, the local
 * approximation against the exact solve when the neighbourhood is everything, and the ODDS-style sets; one smoke
 * point of every method through runOnce. The detectors and the kd-tree have their own tests in lib/math.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { getLinalg, nativeAvailable } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import { configPoints } from "../../lib/run/config.ts";
import { codeVersion, planRuns } from "../../lib/run/plan.ts";
import { probeMachine } from "../../lib/run/backend.ts";
import { runOnce } from "../../lib/run/run_once.ts";
import { JITTER, localWeights, similarityMatrix, weightingVector } from "./weighting.ts";
import { outlierSet } from "./data.ts";
import exp from "./mod.ts";

const backends = () => (nativeAvailable() ? ["native", "js"] as const : ["js"] as const);

Deno.test("weighting: two points at distance r weigh 1/(1 + e^(−tr)) each (both backends)", () => {
  const x = new Float64Array([0, 0, 3, 4]), t = 0.7, e = Math.exp(-t * 5);
  for (const b of backends()) {
    const r = weightingVector(getLinalg(b), x, 2, 2, t);
    assertAlmostEquals(r.w[0], 1 / (1 + e), 1e-15, b);
    assertAlmostEquals(r.w[1], 1 / (1 + e), 1e-15, b);
    assertAlmostEquals(r.magnitude, 2 / (1 + e), 1e-15, b);
    assertEquals(r.jitter, 0);
  }
});

Deno.test("weighting: points on a line have magnitude 1 + Σ tanh(t·gap/2) and inner weights below the ends", () => {
  const rng = Rng.fromSeed(3), n = 60, t = 1.3;
  const xs = Float64Array.from(rng.normal(n)).sort();
  let expected = 1;
  for (let i = 1; i < n; i++) expected += Math.tanh(t * (xs[i] - xs[i - 1]) / 2);
  for (const b of backends()) {
    const r = weightingVector(getLinalg(b), xs, n, 1, t);
    assertAlmostEquals(r.magnitude, expected, 1e-10 * n, b);
    assert(r.residual < 1e-12, `${b}: residual ${r.residual}`);
    // On a line the end points carry the largest weights (the boundary).
    const inner = Math.max(...r.w.subarray(1, n - 1));
    assert(r.w[0] > inner && r.w[n - 1] > inner, `${b}: end weights ${r.w[0]}, ${r.w[n - 1]} vs inner ${inner}`);
  }
});

Deno.test("weighting: a duplicated point gets the official code's 0.01·I shift and still solves Z·w = 1", () => {
  const x = new Float64Array([0, 0, 1, 0, 1, 0, 0, 2]); // rows 1 and 2 coincide
  for (const b of backends()) {
    const r = weightingVector(getLinalg(b), x, 4, 2, 1);
    assertEquals(r.jitter, JITTER);
    assert(r.residual < 1e-12, `${b}: residual ${r.residual}`);
    assertAlmostEquals(r.w[1], r.w[2], 1e-12, `${b}: duplicates weigh the same`);
  }
});

Deno.test("localWeights: with every other point as a neighbour it is the exact weighting", () => {
  const rng = Rng.fromSeed(5), n = 25, d = 3, x = rng.normal(n * d);
  const exact = weightingVector(getLinalg("js"), x, n, d, 0.8).w;
  const local = localWeights(x, n, d, 0.8, n - 1);
  assertEquals(local.jittered, 0);
  for (let i = 0; i < n; i++) assertAlmostEquals(local.w[i], exact[i], 1e-10, `point ${i}`);
  // And Z is the Laplacian kernel matrix it claims to be.
  const Z = similarityMatrix(x, n, d, 0.8);
  const dist01 = Math.hypot(x[0] - x[3], x[1] - x[4], x[2] - x[5]);
  assertAlmostEquals(Z[1], Math.exp(-0.8 * dist01), 1e-15);
});

Deno.test("data: ODDS-style splits have the documented sizes, outliers last, z-scored features", async () => {
  const sizes = { wbc: [378, 21, 30], wine: [129, 10, 13], digits: [1669, 50, 64], blobs: [400, 20, 2] } as const;
  for (const [name, [n, m, d]] of Object.entries(sizes)) {
    const s = await outlierSet(name as keyof typeof sizes, Rng.fromSeed(1), 400);
    assertEquals([s.n, s.outlier.reduce((a, b) => a + b, 0), s.d], [n, m, d], name);
    assertEquals(s.outlier[s.n - 1], 1);
    assertEquals(s.outlier[0], 0);
    let mean = 0;
    for (let i = 0; i < s.n; i++) mean += s.x[i * s.d];
    assertAlmostEquals(mean / s.n, 0, 1e-12, `${name}: centred`);
  }
  // Another seed draws other outliers.
  const a = await outlierSet("wine", Rng.fromSeed(1), 0), b = await outlierSet("wine", Rng.fromSeed(2), 0);
  assert(a.x.subarray(119 * 13).some((v, i) => v !== b.x[119 * 13 + i]), "different outlier draws");
});

Deno.test("smoke points through runOnce: every method scores wine better than chance", async () => {
  const machine = await probeMachine();
  const points = configPoints(exp, "smoke").filter((p) => p.dataset === "wine");
  const version = codeVersion(exp.id);
  const runs = planRuns(exp, { scale: "smoke", points, seeds: [0], codeVersion: version, machine });
  assertEquals(runs.length, 7);
  for (const run of runs) {
    const metrics = await runOnce(exp, run, run.backend as "native" | "js", version);
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value as number]));
    assert(m.roc_auc > 0.5 && m.roc_auc <= 1, `${run.method}: AUC ${m.roc_auc}`);
    if (run.method === "weighting") assert(m.solve_resid < 1e-12 && m.magnitude > 1, "weighting diagnostics");
    if (run.method.startsWith("weighting_knn")) assert(m.spearman_exact > 0.5, `spearman ${m.spearman_exact}`);
  }
});

import { assertAlmostEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { gaussian, gram, type M64, matmul, symEig } from "../../lib/math/lowrank/mod.ts";
import { deepLoss, endToEnd, imbalance, initLayers, symPow } from "./bw.ts";
import { makeTarget, optimalValue, optimum, relDist, spectral } from "./target.ts";
import exp from "./mod.ts";
import { runMethods } from "../../lib/testdata/run.ts";

const rng = Rng.fromSeed(7);
const t = makeTarget({ d: 6, k: 2, kappa: 5 }, rng.split("target"));

/**
 * Exact BW² between two PSD matrices from the definition: tr A + tr B − 2 tr (A^{1/2} B A^{1/2})^{1/2}.
 * Rank-deficient products have zero eigenvalues computed as ±1e-16, whose square roots are ~1e-8: the reference is
 * only good to ~1e-7, hence the tolerances below.
 */
function bw2(a: M64, b: M64): number {
  const ah = symPow(a, 0.5);
  const m = matmul(matmul(ah, b), ah);
  const tr = (x: M64) => Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + i]).reduce((s, v) => s + v, 0);
  return tr(a) + tr(b) - 2 * symEig(m).values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
}

Deno.test("BW² loss in W agrees with the d×d definition (nuclear-norm identity)", () => {
  const w = gaussian(6, 2, rng.split("w"));
  assertAlmostEquals(endToEnd("bw", t.sigma0, w, 0).loss, bw2(t.sigma0, gram(w)), 1e-6);
});

Deno.test("BW² of commuting matrices is Σ(√a − √b)²", () => {
  const a = spectral(t.q, [4, 1, 0.25, 0, 0, 0]), b = spectral(t.q, [1, 1, 1, 1, 0, 0]);
  assertAlmostEquals(bw2(a, b), (2 - 1) ** 2 + 0 + (0.5 - 1) ** 2 + 1, 1e-6);
});

function fdCheck(kind: "bw" | "frobenius", tau: number, depth: number) {
  const layers = initLayers(
    { d: 6, k: 2, width: 3, depth, init: "random", scale: 1 },
    rng.split(`fd${kind}${tau}${depth}`),
  );
  const { grads } = deepLoss(kind, t.sigma0, layers, tau);
  const h = 1e-6;
  for (let j = 0; j < layers.length; j++) {
    for (const idx of [0, layers[j].data.length - 1, Math.floor(layers[j].data.length / 2)]) {
      const plus = layers.map((l) => ({ ...l, data: l.data.slice() })),
        minus = layers.map((l) => ({ ...l, data: l.data.slice() }));
      plus[j].data[idx] += h;
      minus[j].data[idx] -= h;
      const fd = (deepLoss(kind, t.sigma0, plus, tau).loss - deepLoss(kind, t.sigma0, minus, tau).loss) / (2 * h);
      assertAlmostEquals(
        grads[j].data[idx],
        fd,
        1e-6 * Math.max(1, Math.abs(fd)),
        `${kind} τ=${tau} N=${depth} layer ${j}`,
      );
    }
  }
}

Deno.test("layer gradients match finite differences (BW, smoothed BW, Frobenius; depth 1 and 3)", () => {
  for (const depth of [1, 3]) {
    fdCheck("bw", 0, depth);
    fdCheck("bw", 0.05, depth);
    fdCheck("frobenius", 0, depth);
  }
});

Deno.test("critical points: W = Q_S·diag(√λ_S) has zero BW gradient for any index set S (|S| = k)", () => {
  for (const s of [[0, 1], [0, 3], [2, 5]]) {
    const w = { rows: 6, cols: 2, data: new Float64Array(12) };
    s.forEach((col, c) => {
      for (let i = 0; i < 6; i++) w.data[i * 2 + c] = t.q.data[i * 6 + col] * Math.sqrt(t.lambdas[col]);
    });
    const g = endToEnd("bw", t.sigma0, w, 0).grad;
    assertAlmostEquals(Math.hypot(...g.data), 0, 1e-10, `S = ${s}`);
  }
});

Deno.test("Σ₀,k attains the minimum value Σ_{i>k} λ_i; the smoothed optimum Σ_τ* is a critical point of L_τ", () => {
  const top = { rows: 6, cols: 2, data: new Float64Array(12) };
  const topTau = { rows: 6, cols: 2, data: new Float64Array(12) };
  const tau = 0.02;
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < 6; i++) {
      top.data[i * 2 + c] = t.q.data[i * 6 + c] * Math.sqrt(t.lambdas[c]);
      topTau.data[i * 2 + c] = t.q.data[i * 6 + c] * Math.sqrt(t.lambdas[c] - tau / t.lambdas[c]);
    }
  }
  assertAlmostEquals(endToEnd("bw", t.sigma0, top, 0).loss, optimalValue(t), 1e-12);
  assertAlmostEquals(relDist(gram(top), optimum(t, 0)), 0, 1e-12);
  assertAlmostEquals(relDist(gram(topTau), optimum(t, tau)), 0, 1e-12);
  assertAlmostEquals(Math.hypot(...endToEnd("bw", t.sigma0, topTau, tau).grad.data), 0, 1e-10);
  // and it is a minimum along random directions
  const base = endToEnd("bw", t.sigma0, topTau, tau).loss;
  for (let r = 0; r < 5; r++) {
    const dir = gaussian(6, 2, rng.split(`dir${r}`), 1e-3);
    const moved = { rows: 6, cols: 2, data: topTau.data.map((v, i) => v + dir.data[i]) };
    if (endToEnd("bw", t.sigma0, moved, tau).loss < base - 1e-14) throw new Error("Σ_τ* is not a local minimum");
  }
});

Deno.test("balanced init is balanced and has the requested end-to-end scale", () => {
  const layers = initLayers({ d: 6, k: 2, width: 4, depth: 3, init: "balanced", scale: 0.5 }, rng.split("bal"));
  assertAlmostEquals(imbalance(layers), 0, 1e-12);
  const w = matmul(layers[2], matmul(layers[1], layers[0]));
  const s = symEig(matmul(w, w, { transA: true })).values.map(Math.sqrt);
  for (const v of s) {
    if (v < 0.25 - 1e-12 || v > 0.5 + 1e-12) throw new Error(`singular value ${v} outside [0.25, 0.5]`);
  }
});

Deno.test("smoke pipeline: data → methods → measure gives finite metrics and the bw run converges", async () => {
  // runMethods runs each method as the runner does and checks that every metric (observed ones too) is declared
  // and finite; observed metrics come back as series by step.
  const byMethod = await runMethods(exp, { depth: 3 });
  for (const [name, metrics] of Object.entries(byMethod)) {
    if (((metrics.rel_dist as number[] | undefined)?.length ?? 0) < 2) throw new Error(`${name}: bad trajectory`);
    if (name === "bw" && (metrics.final_rel_dist as number) > 1e-3) {
      throw new Error("bw did not converge at smoke scale");
    }
  }
});

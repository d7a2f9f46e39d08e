import { assert } from "../../lib/testdata/assert.ts";
import { getLinalg, mat } from "../../lib/math/linalg/mod.ts";
import { Rng } from "../../lib/math/rng.ts";
import exp from "./mod.ts";
import { adam, init, lossGrad } from "./mlp.ts";
import { dualNorm, type M, norm, optimality, orthogonalize, shampooNoAccum, signOf } from "./norms.ts";

const la = getLinalg();
const rnd = (r: number, c: number, rng: Rng) => mat(r, c, rng.normal(r * c) as Float64Array);
const dot = (a: M, b: M) => a.data.reduce((s, v, i) => s + v * b.data[i], 0);

Deno.test("sign g is the best vertex of the ℓ∞ ball (brute force over all 2^8 vertices), Adam β=0 equals it", () => {
  const g = rnd(2, 4, Rng.fromSeed(1));
  g.data[3] = 0; // a dead entry
  let best = -Infinity;
  for (let mask = 0; mask < 256; mask++) {
    const t = mat(2, 4, Array.from({ length: 8 }, (_, i) => (mask >> i & 1 ? 1 : -1)));
    best = Math.max(best, dot(g, t));
  }
  assert(Math.abs(dot(g, signOf(g)) - best) < 1e-14, "sign is not the maximiser");
  assert(Math.abs(best - dualNorm(la, "linf", [g])) < 1e-14, "ℓ1 is not the dual of ℓ∞");
  // the real Adam update with β1 = β2 = 0, over several steps (its state must not leak between steps)
  const opt = adam([g], 0.01, 0, 0, 1e-300);
  for (let t = 0; t < 3; t++) {
    const gt = mat(2, 4, g.data.map((v) => v * (t + 1) * (t % 2 ? -1 : 1)));
    const a = opt(t, [gt])[0];
    assert(a.data.every((v, i) => v / 0.01 === Math.sign(gt.data[i])), `Adam without EMA differs from sign at ${t}`);
  }
});

Deno.test("Adam with EMAs matches a hand-computed two-step update (bias-corrected)", () => {
  const g1 = mat(1, 2, [0.5, -2]), g2 = mat(1, 2, [1, 1]);
  const opt = adam([g1], 0.1, 0.9, 0.999, 1e-8);
  const a1 = opt(0, [g1])[0], a2 = opt(1, [g2])[0];
  for (let i = 0; i < 2; i++) {
    // step 1: m̂ = g1, v̂ = g1² → 0.1·g1/(|g1| + 1e-8)
    assert(Math.abs(a1.data[i] - 0.1 * g1.data[i] / (Math.abs(g1.data[i]) + 1e-8)) < 1e-15, "step 1");
    const m = 0.9 * 0.1 * g1.data[i] + 0.1 * g2.data[i], v = 0.999 * 0.001 * g1.data[i] ** 2 + 0.001 * g2.data[i] ** 2;
    const want = 0.1 * (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    assert(Math.abs(a2.data[i] - want) < 1e-14, `step 2: ${a2.data[i]} vs ${want}`);
  }
});

Deno.test("UVᵀ: unit singular values, ⟨G, UVᵀ⟩ = nuclear norm, and Shampoo without accumulation equals it", () => {
  const rng = Rng.fromSeed(2);
  for (const [m, n, r] of [[5, 8, 5], [7, 4, 4], [6, 9, 3]]) {
    const g = la.matmul(rnd(m, r, rng), rnd(r, n, rng)) as M; // rank r, possibly deficient
    const o = orthogonalize(la, g);
    const s = la.svdvals(o);
    for (let i = 0; i < s.length; i++) assert(Math.abs(s[i] - (i < r ? 1 : 0)) < 1e-10, `sv ${i} = ${s[i]}`);
    const nuc = la.svdvals(g).reduce((a, b) => a + b, 0);
    assert(Math.abs(dot(g, o) - nuc) < 1e-10 * nuc, "⟨G, UVᵀ⟩ ≠ ‖G‖_*");
    const sh = shampooNoAccum(la, g);
    const err = Math.sqrt(sh.data.reduce((a, v, i) => a + (v - o.data[i]) ** 2, 0));
    assert(err < 1e-8, `Shampoo vs UVᵀ: ${err}`);
  }
});

Deno.test("optimality flags a direction that is not the maximiser", () => {
  const rng = Rng.fromSeed(3);
  const g = [rnd(6, 5, rng), rnd(3, 6, rng)];
  // g itself is the ℓ2 maximiser but not the ℓ∞ or spectral one: competitors (incl. sign / UVᵀ) must beat it
  assert(optimality(la, "l2", g, g, rng, 5).competitorRatio <= 1 + 1e-12, "ℓ2 maximiser beaten");
  const bad = optimality(la, "linf", g, g, rng, 5, [g.map(signOf)]);
  assert(bad.dualRatio < 0.99 && bad.competitorRatio > 1.01, "g not flagged in the ℓ∞ ball");
  const bad2 = optimality(la, "spectral", g, g.map(signOf), rng, 5, [g.map((x) => orthogonalize(la, x))]);
  assert(bad2.dualRatio < 0.99 && bad2.competitorRatio > 1.01, "sign g not flagged in the spectral ball");
  assert(Math.abs(norm(la, "spectral", g.map((x) => orthogonalize(la, x))) - 1) < 1e-12, "‖UVᵀ‖_op ≠ 1");
});

Deno.test("MLP gradient matches central finite differences", () => {
  const rng = Rng.fromSeed(4);
  const x = mat(7, 196, rng.normal(7 * 196) as Float64Array);
  const s = { x, y: Uint8Array.from([0, 1, 2, 3, 4, 5, 9]) };
  const w = init(196, 8, rng);
  const { grads } = lossGrad(la, w, s, null, true);
  const h = 1e-6;
  for (const [l, i] of [[0, 3], [0, 500], [1, 7], [1, 42]]) {
    const f = (d: number) => {
      const ww = w.map((m) => mat(m.rows, m.cols, m.data.slice()));
      ww[l].data[i] += d;
      return lossGrad(la, ww, s, null, false).loss;
    };
    const fd = (f(h) - f(-h)) / (2 * h);
    assert(
      Math.abs(fd - grads[l].data[i]) < 1e-6 * Math.max(1, Math.abs(fd)),
      `grad ${l},${i}: ${fd} vs ${grads[l].data[i]}`,
    );
  }
});

Deno.test("smoke pipeline: every method gives finite metrics on a tiny config", async () => {
  const cfg = exp.config.parse({
    nTrain: 300,
    nTest: 100,
    hidden: 16,
    steps: 6,
    batch: 32,
    checkEvery: 3,
    competitors: 3,
  });
  const data = await exp.data(cfg, { seed: 0, rng: Rng.fromSeed(0).split("data") });
  for (const [name, m] of Object.entries(exp.methods)) {
    const obs: Record<string, number>[] = [];
    const chosen: Record<string, number> = {};
    const ctx = {
      seed: 0,
      rng: Rng.fromSeed(0).split(name),
      backend: "native",
      observe: (_s: number, st: unknown) => obs.push(exp.observe!(data, st, cfg)),
      choose: (k: string, v: number) => (chosen[k] = v),
    } as unknown as Parameters<typeof m.run>[2];
    const out = await m.run(data, cfg, ctx);
    const met = await exp.measure(data, out, cfg);
    for (const v of [...Object.values(met), ...obs.flatMap((o) => Object.values(o))]) {
      assert(Number.isFinite(v as number), `${name}: non-finite metric`);
    }
    assert(obs.length === 6 && "dual_ratio" in obs[3], `${name}: observe hooks missing (tuning fits must not observe)`);
    const isTuned = ["sgd", "sign", "spectral", "adam"].includes(name);
    assert(isTuned === ("lr" in chosen), `${name}: chosen step size ${JSON.stringify(chosen)}`);
  }
});

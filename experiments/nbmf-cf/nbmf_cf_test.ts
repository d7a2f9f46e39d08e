import { assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { annealQubo, bruteForceQubo, maskedNmf, nbmf, quboEnergy, type Ratings } from "./nbmf.ts";
import { makeRatings } from "./data.ts";

function randomQubo(k: number, rng: Rng) {
  // Q = WᵀW (PSD, as NBMF's), b = Wᵀv.
  const n = 12,
    w = Array.from({ length: n * k }, () => rng.uniform()),
    v = Array.from({ length: n }, () => 3 * rng.uniform());
  const q = new Float64Array(k * k), b = new Float64Array(k);
  for (let u = 0; u < n; u++) {
    for (let i = 0; i < k; i++) {
      b[i] += w[u * k + i] * v[u];
      for (let l = 0; l < k; l++) q[i * k + l] += w[u * k + i] * w[u * k + l];
    }
  }
  return { q, b, w, v, n };
}

Deno.test("QUBO energy equals ‖v − Wh‖² − ‖v‖², and Gray-code enumeration finds the true minimum", () => {
  const rng = Rng.fromSeed(1), k = 6;
  for (let t = 0; t < 5; t++) {
    const { q, b, w, v, n } = randomQubo(k, rng);
    let best = Infinity;
    for (let code = 0; code < 1 << k; code++) {
      const h = Uint8Array.from({ length: k }, (_, i) => (code >> i) & 1);
      let r = 0, vv = 0;
      for (let u = 0; u < n; u++) {
        let p = 0;
        for (let i = 0; i < k; i++) p += w[u * k + i] * h[i];
        r += (v[u] - p) ** 2;
        vv += v[u] ** 2;
      }
      const e = quboEnergy(q, b, h);
      assertAlmostEquals(e, r - vv, 1e-9);
      best = Math.min(best, e);
    }
    const bf = bruteForceQubo(q, b, k);
    assertAlmostEquals(bf.energy, best, 1e-9);
    assertAlmostEquals(quboEnergy(q, b, bf.h), best, 1e-9);
  }
});

Deno.test("simulated annealing reaches the enumerated optimum on small QUBOs", () => {
  const rng = Rng.fromSeed(2);
  let hits = 0;
  for (let t = 0; t < 30; t++) {
    const { q, b } = randomQubo(8, rng);
    const sa = annealQubo(q, b, 8, rng.split(t), 100), bf = bruteForceQubo(q, b, 8);
    assertAlmostEquals(quboEnergy(q, b, sa.h), sa.energy, 1e-9);
    if (sa.energy <= bf.energy + 1e-9) hits++;
  }
  if (hits < 28) throw new Error(`annealing optimal in ${hits}/30`);
});

function maskedLoss(r: Ratings, w: Float64Array, h: Float64Array, k: number): number {
  let s = 0;
  for (let u = 0; u < r.users; u++) {
    for (let j = 0; j < r.items; j++) {
      if (!r.mask[u * r.items + j]) continue;
      let p = 0;
      for (let i = 0; i < k; i++) p += w[u * k + i] * h[i * r.items + j];
      s += (r.v[u * r.items + j] - p) ** 2;
    }
  }
  return s;
}

Deno.test("masked NBMF: the masked loss + α‖W‖² never increases over alternations (exact steps)", () => {
  const d = makeRatings({ users: 30, items: 20, rank: 3, density: 0.3, noise: 0.3 }, Rng.fromSeed(3));
  const k = 4, alpha = 0.1;
  let prev = Infinity;
  for (let outer = 1; outer <= 5; outer++) {
    // Same init stream each time: outer alternations extend the same path, each ending with a W-step.
    const f = nbmf(d.train, { k, alpha, outer, masked: true, solver: "brute", sweeps: 0 }, Rng.fromSeed(4));
    let ww = 0;
    for (const x of f.w) ww += x * x;
    const obj = maskedLoss(d.train, f.w, f.h, k) + alpha * ww;
    if (obj > prev * (1 + 1e-12)) throw new Error(`rose: ${prev} → ${obj}`);
    prev = obj;
    for (const x of f.h) if (x !== 0 && x !== 1) throw new Error("H not binary");
    for (const x of f.w) if (x < 0) throw new Error("W negative");
  }
});

Deno.test("masked NMF: unrated entries do not influence the fit", () => {
  const d = makeRatings({ users: 20, items: 15, rank: 2, density: 0.4, noise: 0.3 }, Rng.fromSeed(5));
  const a = maskedNmf(d.train, { k: 3, alpha: 0.1, iters: 50 }, Rng.fromSeed(6));
  const junk: Ratings = { ...d.train, v: d.train.v.map((x, i) => (d.train.mask[i] ? x : 99)) };
  const b = maskedNmf(junk, { k: 3, alpha: 0.1, iters: 50 }, Rng.fromSeed(6));
  assertEquals(Array.from(a.w), Array.from(b.w));
  assertEquals(Array.from(a.h), Array.from(b.h));
});

Deno.test("ratings generator: values in 1..5, splits disjoint, density as asked", () => {
  const d = makeRatings({ users: 100, items: 80, rank: 4, density: 0.2, noise: 0.5 }, Rng.fromSeed(7));
  for (const x of d.truth) if (!(x >= 1 && x <= 5 && Number.isInteger(x))) throw new Error(`rating ${x}`);
  const train = d.train.mask.reduce((a, b) => a + b, 0);
  const rated = train + d.test.length;
  assertAlmostEquals(rated / 8000, 0.2, 0.02);
  for (const i of d.test) if (d.train.mask[i]) throw new Error("test entry in training");
  for (const i of d.val) if (d.fit.mask[i] || !d.train.mask[i]) throw new Error("validation split wrong");
});

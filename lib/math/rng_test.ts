import { deepStrictEqual as assertEquals, notDeepStrictEqual as assertNotEquals } from "node:assert";
import { gamma, Rng } from "./rng.ts";
import { mean, std } from "./stats.ts";

Deno.test("same seed and stream give the same numbers; streams are independent", () => {
  assertEquals(Rng.fromSeed(3).split("data").normal(5), Rng.fromSeed(3).split("data").normal(5));
  assertNotEquals(Rng.fromSeed(3).split("data").normal(5), Rng.fromSeed(3).split("method").normal(5));
  assertNotEquals(Rng.fromSeed(3).normal(5), Rng.fromSeed(4).normal(5));
});

Deno.test("normal draws have mean 0 and sd 1; uniform lies in [0,1)", () => {
  const x = Rng.fromSeed(0).normal(100_000);
  assertEquals(Math.abs(mean(x)) < 0.02, true);
  assertEquals(Math.abs(std(x) - 1) < 0.02, true);
  const r = Rng.fromSeed(1);
  for (let i = 0; i < 10_000; i++) {
    const u = r.uniform();
    if (!(u >= 0 && u < 1)) throw new Error(`uniform out of range: ${u}`);
  }
});

Deno.test("permutation is a permutation", () => {
  const p = Rng.fromSeed(0).permutation(100);
  assertEquals([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
});

Deno.test("gamma draws have mean k and variance k, for shapes below and above 1", () => {
  for (const k of [0.4, 1, 3.5]) {
    const rng = Rng.fromSeed(11).split(`gamma${k}`);
    const x = Array.from({ length: 40_000 }, () => gamma(rng, k));
    // 40k draws: the sample mean's SE is √(k/40k) ≈ 0.005√k; allow 5 SE. The variance estimate is looser.
    const m = mean(x), v = std(x) ** 2;
    if (Math.abs(m - k) > 5 * Math.sqrt(k / x.length)) throw new Error(`shape ${k}: mean ${m}`);
    if (Math.abs(v - k) > 0.05 * k + 0.02) throw new Error(`shape ${k}: variance ${v}`);
    if (x.some((t) => !(t > 0))) throw new Error(`shape ${k}: a draw is not positive`);
  }
});

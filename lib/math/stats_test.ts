import { assertAlmostEquals, assertEquals, assertThrowsWith } from "../testdata/assert.ts";
import { ci95, mean, meanCov, median, pearson, ranks, rocAuc, slope, spearman } from "./stats.ts";

Deno.test("summary statistics on small exact cases", () => {
  assertEquals(mean([1, 2, 3, 6]), 3);
  assertEquals(median([5, 1, 3]), 3);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  assertEquals(ci95([2]), 0);
  // sd of [1,2,3] is 1; t(0.975, 2) = 4.303; half-width = 4.303 / sqrt(3)
  assertAlmostEquals(ci95([1, 2, 3]), 4.303 / Math.sqrt(3), 1e-12);
});

Deno.test("correlations: ranks with ties, spearman of monotone maps, slope", () => {
  assertEquals(Array.from(ranks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
  assertAlmostEquals(spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1, 1e-12);
  assertAlmostEquals(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, 1e-12);
  assertAlmostEquals(pearson([1, 2, 3], [2, 4, 6]), 1, 1e-12);
  assertAlmostEquals(slope([1, 2, 3], [1, 3, 5]), 2, 1e-12);
});

Deno.test("rocAuc: scikit-learn's value, ties count one half, perfect ranking is 1", () => {
  const y = new Array(40).fill(0);
  y[3] = y[39] = 1;
  const s = Array.from({ length: 40 }, (_, i) => (i < 39 ? i % 7 : 5));
  assertAlmostEquals(rocAuc(s, y), 0.6710526315789473, 1e-15); // sklearn.metrics.roc_auc_score
  assertEquals(rocAuc([1, 1, 1, 1], [0, 1, 0, 1]), 0.5);
  assertEquals(rocAuc([0.1, 0.9, 0.2], [0, 1, 0]), 1);
  assertThrowsWith(() => rocAuc([1, 2], [0, 0]), "at least one positive");
});

Deno.test("meanCov: the sample mean and the 1/(n−1) covariance of three points in the plane", () => {
  // rows (0, 0), (2, 0), (1, 3): mean (1, 1); centred (−1, −1), (1, −1), (0, 2) → Σ = [[2, 0], [0, 6]] / 2.
  const { mean, cov } = meanCov([0, 0, 2, 0, 1, 3], 3, 2);
  assertEquals([...mean], [1, 1]);
  assertEquals([...cov], [1, 0, 0, 3]);
});

/**
 * Tests for lib/math/anomaly.ts and lib/math/knn.ts: the kd-tree against brute force (ties included), ROC-AUC,
 * LOF and the one-class SVM against scikit-learn 1.2.1 on a fixed 40-point set, the SVM's optimality conditions,
 * isolation-forest basics.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrowsWith } from "../testdata/assert.ts";
import { Rng } from "./rng.ts";
import { distanceMatrix, kNearest, kNearestBrute } from "./knn.ts";
import { avgPathLength, gammaScale, isolationForest, knnDistance, lof, oneClassSvm, standardize } from "./anomaly.ts";

/** 40 points in 3-D: x_ij = sin(1.3i + 0.1j)·(1 + 0.05ij), the last one moved to (3, 3, 3). */
function fixture(): { x: Float64Array; n: number; d: number } {
  const n = 40, d = 3, x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = Math.sin(1.3 * i + 0.1 * j) * (1 + 0.05 * i * j);
  }
  x.set([3, 3, 3], (n - 1) * d);
  return { x, n, d };
}

Deno.test("kNearest: the kd-tree equals brute force, in 2-D and 12-D, with duplicate points", () => {
  const rng = Rng.fromSeed(9);
  for (const [n, d, k] of [[500, 2, 7], [300, 12, 5], [40, 3, 39]]) {
    const x = rng.normal(n * d);
    x.set(x.subarray(0, d), d); // point 1 duplicates point 0
    x.set(x.subarray(0, d), 5 * d); // and so does point 5: a tie at distance 0
    const a = kNearest(x, n, d, k), b = kNearestBrute(x, n, d, k);
    assertEquals([...a.idx], [...b.idx], `indices n=${n} d=${d}`);
    assertEquals([...a.dist], [...b.dist], `distances n=${n} d=${d}`);
  }
  const D = distanceMatrix(rng.normal(6), 3, 2);
  assertEquals(D[0], 0);
  assertEquals(D[1], D[3]);
  assertThrowsWith(() => kNearest(new Float64Array(4), 2, 2, 2), "k must be in 1..1");
});

Deno.test("lof and knnDistance: scikit-learn's LocalOutlierFactor(n_neighbors=5) on the fixture", () => {
  const { x, n, d } = fixture();
  const s = lof(x, n, d, 5);
  // -LocalOutlierFactor(n_neighbors=5).fit(X).negative_outlier_factor_[[0, 7, 39]], scikit-learn 1.2.1
  assertAlmostEquals(s[0], 1.019074191115, 1e-9);
  assertAlmostEquals(s[7], 1.014182043802, 1e-9);
  assertAlmostEquals(s[39], 2.299743280648, 1e-9);
  const k = knnDistance(x, n, d, 5);
  assertEquals(k[39], kNearestBrute(x, n, d, 5).dist[39 * 5 + 4]);
});

Deno.test("oneClassSvm: scikit-learn's OneClassSVM(nu=0.5, gamma='scale') scores, and the KKT conditions", () => {
  const { x, n, d } = fixture();
  assertAlmostEquals(gammaScale(x, d), 0.126779871593816, 1e-12);
  const r = oneClassSvm(x, n, d);
  // −(decision_function − intercept_) = −Σ αⱼ K(xⱼ, x) at rows 0, 7, 39 (libsvm stops at gap 1e-3, as we do).
  assertAlmostEquals(r.scores[0], -7.786403909079036, 5e-3);
  assertAlmostEquals(r.scores[7], -7.762279254273019, 5e-3);
  assertAlmostEquals(r.scores[39], -3.9816980664028483, 5e-3);
  const tight = oneClassSvm(x, n, d, { tol: 1e-10 });
  assertAlmostEquals(tight.alpha.reduce((a, b) => a + b, 0), 0.5 * n, 1e-9, "Σα = νn");
  // At the optimum every free coefficient shares one gradient value ρ; bounded ones sit on the right side of it.
  const g = tight.scores.map((v) => -v);
  const free = [...tight.alpha.keys()].filter((i) => tight.alpha[i] > 1e-9 && tight.alpha[i] < 1 - 1e-9);
  assert(free.length > 0, "some free coefficient");
  const rho = g[free[0]];
  for (let i = 0; i < n; i++) {
    const a = tight.alpha[i];
    assert(a >= 0 && a <= 1, "box");
    if (a > 1e-9 && a < 1 - 1e-9) assertAlmostEquals(g[i], rho, 1e-8, `free ${i}`);
    else if (a <= 1e-9) assert(g[i] >= rho - 1e-8, `α=0 at ${i} needs gradient ≥ ρ`);
    else assert(g[i] <= rho + 1e-8, `α=1 at ${i} needs gradient ≤ ρ`);
  }
});

Deno.test("isolationForest: c(256), scores in (0, 1), the far point isolated first, seeded", () => {
  assertAlmostEquals(avgPathLength(256), 2 * (Math.log(255) + 0.5772156649015329) - 2 * 255 / 256, 1e-15);
  assertEquals(avgPathLength(1), 0);
  const { x, n, d } = fixture();
  const s = isolationForest(x, n, d, Rng.fromSeed(4));
  assert(s.every((v) => v > 0 && v < 1), "range");
  assertEquals(s.indexOf(Math.max(...s)), 39);
  assertEquals([...isolationForest(x, n, d, Rng.fromSeed(4))], [...s]);
});

Deno.test("standardize: zero mean, unit population variance, constant columns only centred", () => {
  const z = standardize(new Float64Array([1, 5, 2, 5, 3, 5]), 3, 2);
  assertAlmostEquals(z[0], -Math.sqrt(1.5), 1e-15);
  assertEquals([z[1], z[3], z[5]], [0, 0, 0]);
});

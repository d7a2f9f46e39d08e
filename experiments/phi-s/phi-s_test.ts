/**
 * Tests for the PHI-S module: the Hadamard matrix; every normaliser inverts exactly and gives the covariance it
 * promises (PHI-S: unit variance in every dimension, isotropically; whitening: identity; per-dimension: unit
 * diagonal); PHI-S stays finite on a rank-deficient teacher where whitening cannot; the ridge probe on separable
 * data; one smoke point of every method through runOnce.
 */
import { assert, assertAlmostEquals, assertEquals } from "../../lib/testdata/assert.ts";
import { Rng } from "../../lib/math/rng.ts";
import { runSmokePoints } from "../../lib/testdata/run.ts";
import { denormalize, fitNormalizer, hadamard, normalize, type NormKind } from "./normalize.ts";
import { linearProbe } from "./distill.ts";
import exp from "./mod.ts";

function cov(z: Float64Array, n: number, d: number): Float64Array {
  const mu = new Float64Array(d), c = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += z[i * d + j] / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < d; k++) c[j * d + k] += ((z[i * d + j] - mu[j]) * (z[i * d + k] - mu[k])) / (n - 1);
    }
  }
  return c;
}

/** n samples of a d-dim Gaussian with a skewed spectrum and nonzero means. */
function sample(rng: Rng, n: number, d: number, rank = d): Float64Array {
  const a = rng.normal(d * rank).map((v, i) => v * 3 ** -(i % rank)), y = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const g = rng.normal(rank);
    for (let j = 0; j < d; j++) {
      let s = 5 + j;
      for (let k = 0; k < rank; k++) s += a[j * rank + k] * g[k];
      y[i * d + j] = s;
    }
  }
  return y;
}

Deno.test("hadamard: Sylvester matrix with orthonormal rows, entries ±1/√d", () => {
  const d = 8, h = hadamard(d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += h[i * d + k] * h[j * d + k];
      assertAlmostEquals(s, i === j ? 1 : 0, 1e-15);
      assertAlmostEquals(Math.abs(h[i * d + j]), 1 / Math.sqrt(d), 1e-15);
    }
  }
  assertEquals(Array.from(hadamard(2)).map((v) => Math.sign(v)), [1, 1, 1, -1]);
});

Deno.test("normalisers invert exactly and give the covariance each promises", () => {
  const rng = Rng.fromSeed(0), n = 400, d = 8, y = sample(rng, n, d);
  for (const kind of ["raw", "global", "perdim", "pca", "phis", "iso"] as NormKind[]) {
    const nz = fitNormalizer(kind, y, n, d), z = normalize(nz, y, n), back = denormalize(nz, z, n);
    for (let i = 0; i < n * d; i++) assertAlmostEquals(back[i], y[i], 1e-9 * (1 + Math.abs(y[i])));
    const c = cov(z, n, d);
    if (kind === "pca") {
      for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) assertAlmostEquals(c[j * d + k], j === k ? 1 : 0, 1e-7); // κ(Σ) ≈ 3¹⁴: eps·κ ≈ 1e-9
    }
    if (kind === "perdim") { for (let j = 0; j < d; j++) assertAlmostEquals(c[j * d + j], 1, 1e-9); }
    if (kind === "phis") {
      // Isotropic standardisation: every dimension has variance exactly 1 (= mean(λ)/mean(λ)), and the
      // transform is a rotation times one scalar, so distances are scaled uniformly.
      for (let j = 0; j < d; j++) assertAlmostEquals(c[j * d + j], 1, 1e-9);
      let tt = 0;
      for (let k = 0; k < d; k++) tt += nz.t[k] * nz.t[k];
      for (let i = 1; i < d; i++) {
        let s = 0, cross = 0;
        for (let k = 0; k < d; k++) {
          s += nz.t[i * d + k] ** 2;
          cross += nz.t[i * d + k] * nz.t[k];
        }
        assertAlmostEquals(s, tt, 1e-9 * tt);
        assertAlmostEquals(cross, 0, 1e-9 * tt);
      }
    }
    if (kind === "iso") {
      // One scale: the per-dimension variances average to 1 (their spread is kept).
      let tr = 0;
      for (let j = 0; j < d; j++) tr += c[j * d + j] / d;
      assertAlmostEquals(tr, 1, 1e-9);
    }
    if (kind === "global") {
      let m = 0, v = 0;
      for (let i = 0; i < n * d; i++) m += z[i] / (n * d);
      for (let i = 0; i < n * d; i++) v += (z[i] - m) ** 2 / (n * d - 1);
      assertAlmostEquals(m, 0, 1e-9);
      assertAlmostEquals(v, 1, 1e-9);
    }
  }
});

Deno.test("PHI-S on a rank-2 teacher in 8 dimensions: unit variance everywhere, no blow-up", () => {
  const rng = Rng.fromSeed(1), n = 300, d = 8, y = sample(rng, n, d, 2);
  const nz = fitNormalizer("phis", y, n, d), c = cov(normalize(nz, y, n), n, d);
  for (let j = 0; j < d; j++) assertAlmostEquals(c[j * d + j], 1, 1e-8);
  assert(nz.t.every(Number.isFinite) && Math.max(...nz.t.map(Math.abs)) < 1e3, "PHI-S stays bounded");
  // PCA whitening must divide by the (numerically) zero eigenvalues: its transform is enormous.
  const pca = fitNormalizer("pca", y, n, d);
  assert(Math.max(...pca.t.map(Math.abs)) > 1e5, "PCA whitening of a rank-2 teacher explodes");
});

Deno.test("linear probe: separable classes give accuracy 1", () => {
  const rng = Rng.fromSeed(2), n = 200, d = 12, f = new Float64Array(n * d), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 10;
    for (let j = 0; j < d; j++) f[i * d + j] = 0.05 * rng.normal();
    f[i * d + y[i]] += 3;
  }
  assertEquals(linearProbe(f, y, n, f, y, n, d), 1);
});

Deno.test("smoke point through runOnce: every normalisation trains a student with finite metrics", async () => {
  const runs = await runSmokePoints(exp);
  assertEquals(runs.length, 6);
  for (const { run, m } of runs) {
    for (const [k, v] of Object.entries(m)) assert(Number.isFinite(v), `${run.method} ${k} = ${v}`);
    assert(m.probe_acc > 0.1 && m.probe_acc <= 1, `${run.method} probe ${m.probe_acc}`);
  }
});

import { assertAlmostEquals, assertEquals } from "../../testdata/assert.ts";
import { luSmall, luSolveSmall } from "../linalg/lu_small.ts";
import { Rng } from "../rng.ts";
import {
  abundanceRmse,
  clipNonneg,
  dense,
  fcls,
  graphPenalty,
  hals,
  jacobiEigh,
  knnGraph,
  makeScene,
  mu,
  mul,
  nnls,
  randomInit,
  regularizedMu,
  sad,
  smoothAbundances,
  spectralAngle,
  vca,
} from "./mod.ts";

const nonIncreasing = (xs: number[], rel = 1e-10) => {
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] > xs[i - 1] * (1 + rel) + 1e-300) throw new Error(`objective rose at ${i}: ${xs[i - 1]} → ${xs[i]}`);
  }
};

function randomProblem(m: number, n: number, r: number, seed: number) {
  const rng = Rng.fromSeed(seed);
  const w = dense(m, r), h = dense(r, n);
  for (let i = 0; i < w.data.length; i++) w.data[i] = rng.uniform();
  for (let i = 0; i < h.data.length; i++) h.data[i] = rng.uniform();
  return { x: mul(w, h), w, h, rng };
}

Deno.test("Lee–Seung MU and HALS: the Frobenius objective never increases", () => {
  const { x, rng } = randomProblem(30, 40, 4, 1);
  for (let i = 0; i < x.data.length; i++) x.data[i] += 0.05 * rng.uniform();
  const init = randomInit(x, 4, rng);
  const a = mu(x, init.w, init.h, { iters: 200 });
  const b = hals(x, init.w, init.h, { iters: 200 });
  nonIncreasing(a.objective);
  nonIncreasing(b.objective);
  // HALS is the faster of the two on the same budget (a well-known property, checked loosely).
  if (!(b.objective.at(-1)! <= a.objective.at(-1)! * 1.01)) throw new Error("HALS not ≤ MU after 200 iterations");
});

Deno.test("GNMF (graph) and L1/2 multiplicative updates never increase their objectives", () => {
  const { x, rng } = randomProblem(20, 30, 3, 2);
  const init = randomInit(x, 3, rng);
  const g = knnGraph(x, 4);
  const gn = regularizedMu(x, init.w, init.h, { iters: 150, graph: { mu: 0.5, g } });
  nonIncreasing(gn.objective);
  // L1/2 with fixed W is a majorize-minimize step in H (the p < 1 term is concave, its tangent majorizes it).
  const l12 = regularizedMu(x, init.w, init.h, { iters: 150, fixW: true, sparsity: { lambda: 0.05, p: 0.5 } });
  nonIncreasing(l12.objective, 1e-9);
});

Deno.test("ℓ2,1 row loss (reweighted MU) never increases c·Σ‖e_l‖ with W fixed, and downweights outlier rows", () => {
  const { x, w, rng } = randomProblem(25, 40, 3, 3);
  for (let j = 0; j < x.cols; j++) x.data[5 * x.cols + j] = 5 * rng.uniform(); // one corrupted row
  const init = randomInit(x, 3, rng);
  const res = regularizedMu(x, w, init.h, { iters: 200, fixW: true, rowLoss: "l21" });
  nonIncreasing(res.objective, 1e-9);
  const rw = res.rowWeights!;
  const others = Array.from(rw).filter((_, l) => l !== 5);
  if (!(rw[5] < Math.min(...others))) throw new Error("the corrupted row should get the smallest weight");
});

Deno.test("exact recovery on a separable instance: VCA + FCLS exact, HALS from a perturbed start reaches X = WH", () => {
  // Separable: H contains the identity, so the columns of W appear among the columns of X.
  const m = 12, r = 3, n = 15, rng = Rng.fromSeed(4);
  const w = dense(m, r), h = dense(r, n);
  for (let i = 0; i < w.data.length; i++) w.data[i] = 0.1 + rng.uniform();
  for (let k = 0; k < r; k++) h.data[k * n + k] = 1;
  for (let j = r; j < n; j++) {
    const d = [rng.uniform(), rng.uniform(), rng.uniform()], s = d[0] + d[1] + d[2];
    for (let k = 0; k < r; k++) h.data[k * n + j] = d[k] / s;
  }
  const x = mul(w, h);
  // VCA on noiseless separable data picks exactly the pure pixels; FCLS then recovers H exactly.
  const v = vca(x, r, rng.split("vca"), 100);
  assertEquals([...v.indices].sort((a, b) => a - b), [0, 1, 2]);
  const s = fcls(x, v.endmembers, 1e4);
  const { mean, perm } = sad(w, v.endmembers);
  assertAlmostEquals(mean, 0, 1e-7);
  assertAlmostEquals(abundanceRmse(h, s, perm), 0, 1e-6);
  // HALS from a perturbed truth converges back to a zero-residual factorization.
  const w0 = dense(m, r, w.data.map((a) => a * (1 + 0.2 * (rng.uniform() - 0.5))));
  const h0 = dense(r, n, h.data.map((a) => a + 0.05 * rng.uniform()));
  const res = hals(x, w0, h0, { iters: 3000, eps: 0 });
  let xx = 0;
  for (const a of x.data) xx += a * a;
  if (!(res.objective.at(-1)! / (0.5 * xx) < 1e-10)) throw new Error(`relative residual ${res.objective.at(-1)}`);
});

/** Exact simplex-constrained least squares by enumerating supports (KKT on each). */
function bruteForceFcls(e: number[][], y: number[]): { s: number[]; f: number } {
  const L = y.length, r = e[0].length;
  let best = { s: [] as number[], f: Infinity };
  for (let mask = 1; mask < 1 << r; mask++) {
    const sup = Array.from({ length: r }, (_, i) => i).filter((i) => mask & (1 << i));
    const k = sup.length;
    // [EᵀE 1; 1ᵀ 0][s; ν] = [Eᵀy; 1]
    const a = new Float64Array((k + 1) * (k + 1)), b = new Float64Array(k + 1);
    sup.forEach((i, u) => {
      sup.forEach((j, v) => {
        let s = 0;
        for (let l = 0; l < L; l++) s += e[l][i] * e[l][j];
        a[u * (k + 1) + v] = s;
      });
      a[u * (k + 1) + k] = 1;
      a[k * (k + 1) + u] = 1;
      let s = 0;
      for (let l = 0; l < L; l++) s += e[l][i] * y[l];
      b[u] = s;
    });
    b[k] = 1;
    const z = solveDense(a, b, k + 1);
    if (sup.some((_, u) => z[u] < -1e-12)) continue;
    const s = new Array(r).fill(0);
    sup.forEach((i, u) => (s[i] = Math.max(0, z[u])));
    let f = 0;
    for (let l = 0; l < L; l++) {
      let p = 0;
      for (let i = 0; i < r; i++) p += e[l][i] * s[i];
      f += (y[l] - p) ** 2;
    }
    if (f < best.f) best = { s, f };
  }
  return best;
}

function solveDense(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return luSolveSmall(luSmall(a, n, n), b);
}

Deno.test("FCLS matches brute-force enumeration of supports and satisfies the KKT conditions", () => {
  const rng = Rng.fromSeed(5), L = 10, r = 4;
  const e = dense(L, r);
  for (let i = 0; i < e.data.length; i++) e.data[i] = rng.uniform();
  const N = 30, y = dense(L, N);
  for (let i = 0; i < y.data.length; i++) y.data[i] = rng.uniform(); // arbitrary pixels: constraints bind
  const s = fcls(y, e, 1e4);
  const rows = Array.from({ length: L }, (_, l) => Array.from(e.data.slice(l * r, l * r + r)));
  for (let j = 0; j < N; j++) {
    const yj = Array.from({ length: L }, (_, l) => y.data[l * N + j]);
    const sj = Array.from({ length: r }, (_, i) => s.data[i * N + j]);
    const bf = bruteForceFcls(rows, yj);
    for (let i = 0; i < r; i++) assertAlmostEquals(sj[i], bf.s[i], 1e-5, `pixel ${j}, endmember ${i}`);
    // KKT: gradient g = Eᵀ(Es − y); on the support g_i = −ν; off it g_i ≥ −ν.
    const g = new Array(r).fill(0);
    for (let l = 0; l < L; l++) {
      let p = 0;
      for (let i = 0; i < r; i++) p += rows[l][i] * sj[i];
      for (let i = 0; i < r; i++) g[i] += rows[l][i] * (p - yj[l]);
    }
    const sup = sj.map((v, i) => (v > 1e-8 ? i : -1)).filter((i) => i >= 0);
    const nu = -g[sup[0]];
    for (const i of sup) assertAlmostEquals(g[i], -nu, 1e-5);
    for (let i = 0; i < r; i++) if (!sup.includes(i)) { if (!(g[i] >= -nu - 1e-5)) throw new Error("KKT violated"); }
    assertAlmostEquals(sj.reduce((a, b) => a + b, 0), 1, 1e-6);
  }
});

Deno.test("NNLS: solution is non-negative and meets the KKT conditions", () => {
  const rng = Rng.fromSeed(6), r = 5, m = 12;
  const a = Array.from({ length: m * r }, () => rng.normal()), y = Array.from({ length: m }, () => rng.normal());
  const q = new Float64Array(r * r), b = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) for (let l = 0; l < m; l++) q[i * r + j] += a[l * r + i] * a[l * r + j];
    for (let l = 0; l < m; l++) b[i] += a[l * r + i] * y[l];
  }
  const x = nnls(q, b, r);
  for (let i = 0; i < r; i++) {
    let g = -b[i];
    for (let j = 0; j < r; j++) g += q[i * r + j] * x[j];
    if (x[i] < 0) throw new Error("negative");
    if (x[i] > 0) assertAlmostEquals(g, 0, 1e-9);
    else if (g < -1e-9) throw new Error(`KKT: g_${i} = ${g} < 0 at x = 0`);
  }
});

Deno.test("SAD: identical sets (any order) give 0; Hungarian equals brute force over permutations", () => {
  const rng = Rng.fromSeed(7), L = 8, r = 5;
  const e = dense(L, r);
  for (let i = 0; i < e.data.length; i++) e.data[i] = rng.uniform();
  const perm = [3, 0, 4, 1, 2], shuffled = dense(L, r);
  for (let l = 0; l < L; l++) for (let i = 0; i < r; i++) shuffled.data[l * r + perm[i]] = 2 * e.data[l * r + i];
  const res = sad(e, shuffled);
  assertAlmostEquals(res.mean, 0, 1e-7);
  assertEquals(res.perm, perm);
  assertAlmostEquals(spectralAngle([1, 0], [0, 1]), Math.PI / 2, 1e-15);
});

Deno.test("Jacobi eigendecomposition reconstructs a symmetric matrix", () => {
  const rng = Rng.fromSeed(8), n = 7, a = dense(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = rng.normal();
  const { values, vectors } = jacobiEigh(a);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors.data[i * n + k] * values[k] * vectors.data[j * n + k];
      assertAlmostEquals(s, a.data[i * n + j], 1e-10);
    }
  }
  for (let k = 1; k < n; k++) if (values[k] > values[k - 1]) throw new Error("not descending");
});

Deno.test("scene generator: abundances on the simplex with purity cap, SNR as asked, outlier bands", () => {
  const s = smoothAbundances(20, 4, Rng.fromSeed(9), { maxPurity: 0.7 });
  for (let j = 0; j < 400; j++) {
    let t = 0, mx = 0;
    for (let k = 0; k < 4; k++) [t, mx] = [t + s.data[k * 400 + j], Math.max(mx, s.data[k * 400 + j])];
    assertAlmostEquals(t, 1, 1e-12);
    if (mx > 0.7 + 1e-12) throw new Error("purity cap");
  }
  const sc = makeScene({ bands: 60, side: 20, endmembers: 4, snrDb: 20, outlierBands: 0.1 }, Rng.fromSeed(10));
  assertEquals(sc.corrupted.length, 6);
  let sig = 0, noise = 0, cnt = 0;
  for (const v of sc.clean.data) sig += v * v;
  for (let l = 0; l < 60; l++) {
    if (sc.corrupted.includes(l)) continue;
    for (let j = 0; j < 400; j++, cnt++) noise += (sc.y.data[l * 400 + j] - sc.clean.data[l * 400 + j]) ** 2;
  }
  assertAlmostEquals(10 * Math.log10(sig / sc.clean.data.length / (noise / cnt)), 20, 0.1);
  // Graph penalty of a constant abundance map is zero.
  const flat = dense(2, 400, new Array(800).fill(0.5));
  assertAlmostEquals(graphPenalty(flat, knnGraph(clipNonneg(sc.y), 4)), 0, 1e-12);
});

Deno.test("VCA + FCLS unmixes a clean scene with pure pixels closely", () => {
  const sc = makeScene({ bands: 50, side: 16, endmembers: 3, snrDb: Infinity, maxPurity: 0.8 }, Rng.fromSeed(11));
  // Make three pixels pure (the generator caps purity, so VCA's pure-pixel assumption is put in by hand).
  for (const [j, k] of [[17, 0], [100, 1], [200, 2]]) {
    for (let i = 0; i < 3; i++) {
      sc.s.data[i * 256 + j] = i === k ? 1 : 0;
    }
  }
  const y = mul(sc.e, sc.s);
  const v = vca(y, 3, Rng.fromSeed(12));
  assertEquals([...v.indices].sort((a, b) => a - b), [17, 100, 200]);
  const { mean, perm } = sad(sc.e, v.endmembers);
  assertAlmostEquals(mean, 0, 1e-7);
  assertAlmostEquals(abundanceRmse(sc.s, fcls(y, v.endmembers, 1e4), perm), 0, 1e-6);
});

/**
 * SPD tools against references, on both linear-algebra backends: logm∘expm = id, powers and roots by algebra,
 * the AI distance's congruence invariance and its closed form on commuting matrices, LE = Euclidean distance of
 * logs, d_LE ≤ d_AI, Wishart moments, SPDSW of identical sets = 0, SPDSW ≤ W_2²(LE) ≤ W_2²(AI) on small sets
 * (exact OT by brute force), and the projection directions (symmetric, unit norm).
 */
import { ok as assert } from "node:assert";
import { assertAlmostEquals } from "../../testdata/assert.ts";
import { Rng } from "../rng.ts";
import { getLinalg, type Linalg, type Mat, mat, nativeAvailable } from "../linalg/mod.ts";
import {
  aiCost,
  aiDistance,
  expm,
  invsqrtm,
  leCost,
  leDistance,
  logm,
  powm,
  riemannianMean,
  spdsw,
  spdswDirections,
  sqrtm,
  wishart,
} from "./mod.ts";
import { emdUniform } from "../ot/mod.ts";

const backends: [string, Linalg][] = [["js", getLinalg("js")]];
if (nativeAvailable()) backends.push(["native", getLinalg("native")]);

function matmul(a: Mat, b: Mat): Mat<Float64Array> {
  const n = a.rows, k = a.cols, m = b.cols, out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a.data[i * k + l] * b.data[l * m + j];
      out[i * m + j] = s;
    }
  }
  return mat(n, m, out);
}
const tr = (a: Mat) => {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return mat(a.cols, a.rows, out);
};
const maxDiff = (a: Mat, b: Mat) => Math.max(...Array.from(a.data, (v, i) => Math.abs(v - b.data[i])));
function randomSym(rng: Rng, d: number, scale = 1): Mat<Float64Array> {
  const g = rng.normal(d * d), s = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s[i * d + j] = scale * (g[i * d + j] + g[j * d + i]) / 2;
  return mat(d, d, s);
}
const randomSpd = (rng: Rng, d: number, scale = 1) => expm(randomSym(rng, d, scale), getLinalg("js"));

for (const [name, la] of backends) {
  Deno.test(`[${name}] logm(expm(S)) = S, expm(logm(A)) = A, sqrtm² = A, powm and invsqrtm agree`, () => {
    const rng = Rng.fromSeed(1);
    for (const d of [1, 2, 5, 10]) {
      const s = randomSym(rng, d);
      assert(maxDiff(logm(expm(s, la), la), s) < 1e-12, `d=${d} logm∘expm`);
      const a = expm(s, la);
      assert(maxDiff(expm(logm(a, la), la), a) < 1e-11 * Math.max(...a.data.map(Math.abs)), `d=${d} expm∘logm`);
      const r = sqrtm(a, la);
      assert(maxDiff(matmul(r, r), a) < 1e-11 * Math.max(...a.data.map(Math.abs)), `d=${d} sqrtm²`);
      assert(maxDiff(powm(a, 0.5, la), r) < 1e-12 * Math.max(...r.data.map(Math.abs)), `d=${d} powm ½`);
      const ir = invsqrtm(a, la), id = matmul(matmul(ir, a), ir);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assertAlmostEquals(id.data[i * d + j], +(i === j), 1e-11);
      // powm(A, 2) = A·A
      const a2 = matmul(a, a);
      assert(maxDiff(powm(a, 2, la), a2) < 1e-11 * Math.max(...a2.data.map(Math.abs)), `d=${d} powm 2`);
    }
    // a diagonal case by hand
    const l = logm(mat(2, 2, [Math.E, 0, 0, 1]), la);
    assertAlmostEquals(l.data[0], 1, 1e-15);
    assertAlmostEquals(l.data[3], 0, 1e-15);
    let threw = false;
    try {
      logm(mat(2, 2, [1, 0, 0, -1]), la);
    } catch (e) {
      threw = /not positive definite/.test(String(e));
    }
    assert(threw, "logm of an indefinite matrix throws");
  });

  Deno.test(`[${name}] AI distance: congruence invariance, symmetry, commuting closed form, d_LE ≤ d_AI`, () => {
    const rng = Rng.fromSeed(2);
    for (const d of [2, 3, 6]) {
      for (let t = 0; t < 5; t++) {
        const a = randomSpd(rng, d, 0.7), b = randomSpd(rng, d, 0.7);
        const g = mat(d, d, rng.normal(d * d)); // invertible almost surely
        const dab = aiDistance(a, b, la);
        const ga = matmul(matmul(g, a), tr(g)), gb = matmul(matmul(g, b), tr(g));
        assertAlmostEquals(aiDistance(ga, gb, la), dab, 1e-8 * (1 + dab), `d=${d} congruence`);
        assertAlmostEquals(aiDistance(b, a, la), dab, 1e-10 * (1 + dab), `d=${d} symmetry`);
        const le = leDistance(a, b, la);
        assert(le <= dab * (1 + 1e-12), `d=${d}: d_LE ${le} > d_AI ${dab}`);
        // LE is the Euclidean distance of the logs
        const la2 = logm(a, la).data, lb = logm(b, la).data;
        assertAlmostEquals(le, Math.hypot(...la2.map((v, i) => v - lb[i])), 1e-13);
      }
    }
    // commuting (diagonal) matrices: d_AI = d_LE = ‖log λ_a − log λ_b‖
    const a = mat(3, 3, [2, 0, 0, 0, 0.5, 0, 0, 0, 3]), b = mat(3, 3, [1, 0, 0, 0, 4, 0, 0, 0, 3]);
    const ref = Math.hypot(Math.log(2), Math.log(0.5 / 4));
    assertAlmostEquals(aiDistance(a, b, la), ref, 1e-14);
    assertAlmostEquals(leDistance(a, b, la), ref, 1e-14);
    // AI cost matrix = pairwise distances squared (d = 2: the closed form; d = 3: eigh)
    for (const d of [2, 3]) {
      const xs = [randomSpd(rng, d, 2), randomSpd(rng, d, 2)];
      const ys = [randomSpd(rng, d, 2), randomSpd(rng, d, 2), randomSpd(rng, d, 2)];
      const c = aiCost(xs, ys, la), e = leCost(xs, ys, la);
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) {
          assertAlmostEquals(c[i * 3 + j], aiDistance(xs[i], ys[j], la) ** 2, 1e-9 * (1 + c[i * 3 + j]));
          assertAlmostEquals(e[i * 3 + j], leDistance(xs[i], ys[j], la) ** 2, 1e-12 * (1 + e[i * 3 + j]));
        }
      }
    }
  });

  Deno.test(`[${name}] SPDSW: directions symmetric with unit norm; SW(X, X) = 0; SW ≤ W_LE ≤ W_AI (brute-force OT)`, () => {
    const rng = Rng.fromSeed(3);
    for (const d of [2, 4]) {
      const dirs = spdswDirections(rng, { d, count: 50, la });
      for (const a of dirs) {
        assertAlmostEquals(Math.hypot(...a), 1, 1e-12, "unit Frobenius norm");
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assert(a[i * d + j] === a[j * d + i]);
      }
      const xs = wishart(rng, { d, df: d + 1, n: 6 });
      assert(spdsw(xs, xs, { projections: 20, rng, la }) === 0, "SW of identical sets is 0");
      // a permutation of the same set is the same measure
      assert(spdsw(xs, [...xs].reverse(), { projections: 20, rng, la }) < 1e-28);
      for (let t = 0; t < 5; t++) {
        const ys = wishart(rng, { d, df: d + 1, n: 6, scale: randomSpd(rng, d, 0.5) });
        const sw = spdsw(xs, ys, { projections: 100, rng, la });
        const wle = emdUniform(leCost(xs, ys, la), 6), wai = emdUniform(aiCost(xs, ys, la), 6);
        assert(sw > 0 && sw <= wle * (1 + 1e-12), `SW ${sw} ≤ W_LE² ${wle}`);
        assert(wle <= wai * (1 + 1e-12), `W_LE² ${wle} ≤ W_AI² ${wai}`);
      }
    }
  });

  Deno.test(`[${name}] SPDSW of measures differing by a log-shift: SW = E_A⟨A, S⟩² (projections of a translate)`, () => {
    // Y_i = expm(log X_i + S) shifts every projection by ⟨A, S⟩, so W_2² of each projection is ⟨A, S⟩² exactly.
    const rng = Rng.fromSeed(4), d = 3, xs = wishart(rng, { d, df: 4, n: 40 }), s = randomSym(rng, d, 0.3);
    const ys = xs.map((x) => {
      const l = logm(x, la);
      return expm(mat(d, d, l.data.map((v, i) => v + s.data[i])), la);
    });
    const dirs = spdswDirections(rng, { d, count: 30, la });
    const ref = dirs.reduce((acc, a) => acc + a.reduce((t, v, i) => t + v * s.data[i], 0) ** 2, 0) / dirs.length;
    assertAlmostEquals(spdsw(xs, ys, { projections: 30, rng, dirs, la }), ref, 1e-10 * ref);
    // E⟨A, S⟩² over A = Σ_k θ_k q_k q_kᵀ: E[θ_k θ_l] = δ_kl/d, so it is E[(qᵀSq)²] for q uniform on the sphere,
    // (2‖S‖_F² + (tr S)²)/(d(d+2)); checked by Monte Carlo with 20000 directions to 3%
    const many = spdswDirections(rng, { d, count: 20000, la });
    const mc = many.reduce((acc, a) => acc + a.reduce((t, v, i) => t + v * s.data[i], 0) ** 2, 0) / many.length;
    const fro2 = s.data.reduce((t, v) => t + v * v, 0), trS = s.data[0] + s.data[4] + s.data[8];
    const exact = (2 * fro2 + trS * trS) / (d * (d + 2));
    assertAlmostEquals(mc, exact, 0.03 * exact, `E⟨A,S⟩² ${mc} vs ${exact}`);
  });
}

Deno.test("wishart: E[X] = df·Σ and E[X_ij²] = df(Σ_ij² + Σ_ii Σ_jj) (20000 draws, 5 SE)", () => {
  const rng = Rng.fromSeed(9), d = 3, df = 4.5, n = 20000;
  const sigma = mat(3, 3, [2, 0.5, 0, 0.5, 1, 0.3, 0, 0.3, 0.5]);
  const xs = wishart(rng, { d, df, n, scale: sigma });
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = xs.map((x) => x.data[i * d + j]);
      const m = v.reduce((a, b) => a + b, 0) / n;
      const m2 = v.reduce((a, b) => a + b * b, 0) / n;
      const s = sigma.data;
      const varRef = df * (s[i * d + j] ** 2 + s[i * d + i] * s[j * d + j]);
      assertAlmostEquals(m, df * s[i * d + j], 5 * Math.sqrt(varRef / n), `mean ${i}${j}`);
      assertAlmostEquals(m2 - m * m, varRef, 0.06 * varRef, `var ${i}${j}`);
    }
  }
  for (const x of xs.slice(0, 100)) assert(getLinalg("js").eigh(mat(d, d, x.data.slice())).values[0] > 0);
});

Deno.test("riemannianMean: commuting matrices give the geometric mean; the mean is congruence-equivariant", () => {
  for (const [name, la] of backends) {
    // diagonal matrices commute: the AI mean is the entrywise geometric mean
    const a = mat(2, 2, Float64Array.from([4, 0, 0, 1])), b = mat(2, 2, Float64Array.from([1, 0, 0, 9]));
    const { mean } = riemannianMean([a, b], { la, tol: 1e-12 });
    assertAlmostEquals(mean.data[0], 2, 1e-9, name);
    assertAlmostEquals(mean.data[3], 3, 1e-9, name);
    assertAlmostEquals(mean.data[1], 0, 1e-9, name);
    // two matrices: the mean is the geodesic midpoint A #_{1/2} B, equidistant from both
    const rng = Rng.fromSeed(5), xs = wishart(rng, { d: 3, df: 6, n: 5 });
    const m2 = riemannianMean(xs.slice(0, 2), { la, tol: 1e-12 }).mean;
    assertAlmostEquals(aiDistance(m2, xs[0], la), aiDistance(m2, xs[1], la), 1e-8, name);
    // equivariance: mean(G X Gᵀ) = G mean(X) Gᵀ
    const g = mat(3, 3, Float64Array.from([1, 0.3, 0, -0.2, 2, 0.1, 0.5, 0, 1.5]));
    const gt = mat(3, 3, Float64Array.from([1, -0.2, 0.5, 0.3, 2, 0, 0, 0.1, 1.5]));
    const m = riemannianMean(xs, { la, tol: 1e-12 });
    const mg = riemannianMean(xs.map((x) => matmul(matmul(g, x), gt)), { la, tol: 1e-12 }).mean;
    const ref = matmul(matmul(g, m.mean), gt);
    for (let k = 0; k < 9; k++) assertAlmostEquals(mg.data[k], ref.data[k], 1e-8, name);
    assert(m.gradNorm < 1e-12 && m.iterations < 50, `${name}: ${m.iterations} iterations, grad ${m.gradNorm}`);
  }
});

/**
 * The Gaussian-mixture EOT benchmark of Gushchin et al. (NeurIPS'23, ngushchin/EntropicOTBenchmark
 * `benchmark/gaussian_mixture_benchmark.py`, `benchmark/metrics.py`), rebuilt: an input GMM P₀ and a GMM
 * Schrödinger potential v*(y) = Σ_k p_k N(y | μ_k, Σ_k) define the EOT plan for the cost ½‖x − y‖² and entropy
 * weight ε (the SB with Wiener volatility ε) in closed form,
 *
 *   π*(y | x) ∝ exp(−‖x − y‖²/(2ε)) v*(y) = Σ_k w_k(x) N(y | A_k(Σ_k⁻¹μ_k + x/ε), A_k),
 *   A_k = (I/ε + Σ_k⁻¹)⁻¹,  w_k(x) ∝ p_k N(x | μ_k, Σ_k + εI)                      (the repo's ConditionalPlan)
 *
 * and the target P₁ is P₀ pushed through π*. The metric is the repo's `calculate_cond_bw`:
 *
 *   cBW²₂-UVP = 100 · mean_x BW²(π̂(·|x), π*(·|x)) / (½ tr Var(P₁)),
 *   BW²(N₁, N₂) = ½‖m₁ − m₂‖² + ½ tr Σ₁ + ½ tr Σ₂ − tr (Σ₂^{½} Σ₁ Σ₂^{½})^{½}   (moments of each conditional).
 *
 * The repo's instances are a Google-Drive download; we draw our own the same way (GMM input, GMM potential), with
 * the sizes stated in `drawInstance`.
 */
import { matmulSmall } from "../../lib/math/linalg/mat_small.ts";
import { getLinalg, type Linalg, mat } from "../../lib/math/linalg/mod.ts";
import { eighFn } from "../../lib/math/spd/mod.ts";
import type { Rng } from "../../lib/math/rng.ts";
import { meanCov } from "../../lib/math/stats.ts";

/** A Gaussian mixture in R^d: weights, means (k×d) and full covariances (k×d×d), row-major. */
export interface Gmm {
  k: number;
  d: number;
  probs: Float64Array;
  means: Float64Array;
  covs: Float64Array;
}

/** The ground-truth conditional plan π*(y|x) of a GMM potential (see the header), precomputed for speed. */
export interface Plan {
  d: number;
  k: number;
  eps: number;
  /** log p_k − ½ log det(Σ_k + εI) − (d/2) log 2π: the x-independent part of log w_k(x). */
  wConst: Float64Array;
  /** μ_k and (Σ_k + εI)⁻¹, for the Mahalanobis part of log w_k(x). */
  wMeans: Float64Array;
  wPrec: Float64Array;
  /** Component k: mean bias_k + A_k x/ε, covariance A_k, its lower Cholesky factor. */
  bias: Float64Array;
  covs: Float64Array;
  chol: Float64Array;
}

/** A Gaussian (or mixture) conditional summarised by its first two moments. */
export interface Moments {
  mean: Float64Array;
  cov: Float64Array;
}

const sym = (d: number, a: Float64Array, off = 0) => mat(d, d, a.slice(off, off + d * d));

/** A⁻¹ and log det A of an SPD matrix, through its Cholesky factor. */
export function invLogDet(a: Float64Array, d: number, la: Linalg = getLinalg()): { inv: Float64Array; logDet: number } {
  const l = la.cholesky(mat(d, d, Float64Array.from(a)));
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += 2 * Math.log(l.data[i * d + i]);
  const eye = new Float64Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  return { inv: la.choSolve(l, mat(d, d, eye)).data as Float64Array, logDet };
}

/** The conditional plan π*(·|x) of the potential `pot` at entropy ε (the repo's ConditionalPlan). */
export function makePlan(pot: Gmm, eps: number, la: Linalg = getLinalg()): Plan {
  const { k, d } = pot, dd = d * d;
  const wConst = new Float64Array(k), wPrec = new Float64Array(k * dd), bias = new Float64Array(k * d);
  const covs = new Float64Array(k * dd), chol = new Float64Array(k * dd);
  for (let c = 0; c < k; c++) {
    const s = pot.covs.slice(c * dd, (c + 1) * dd);
    const se = Float64Array.from(s);
    for (let i = 0; i < d; i++) se[i * d + i] += eps;
    const w = invLogDet(se, d, la);
    wPrec.set(w.inv, c * dd);
    wConst[c] = Math.log(pot.probs[c]) - 0.5 * w.logDet - 0.5 * d * Math.log(2 * Math.PI);
    const sInv = invLogDet(s, d, la).inv;
    for (let i = 0; i < d; i++) sInv[i * d + i] += 1 / eps;
    const a = invLogDet(sInv, d, la).inv; // A = (Σ⁻¹ + I/ε)⁻¹
    symmetrize(a, d);
    covs.set(a, c * dd);
    chol.set(la.cholesky(mat(d, d, Float64Array.from(a))).data as Float64Array, c * dd);
    // bias = A Σ⁻¹ μ = (I − A/ε) μ (since A Σ⁻¹ = A(A⁻¹ − I/ε))
    for (let i = 0; i < d; i++) {
      let v = pot.means[c * d + i];
      for (let j = 0; j < d; j++) v -= (a[i * d + j] / eps) * pot.means[c * d + j];
      bias[c * d + i] = v;
    }
  }
  return { d, k, eps, wConst, wMeans: Float64Array.from(pot.means), wPrec, bias, covs, chol };
}

function symmetrize(a: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) a[i * d + j] = a[j * d + i] = 0.5 * (a[i * d + j] + a[j * d + i]);
  }
}

/** log w_k(x) (unnormalised) of the plan's components at x. */
export function planLogWeights(p: Plan, x: Float64Array, xOff = 0): Float64Array {
  const { d, k } = p, dd = d * d, out = new Float64Array(k), r = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < d; i++) r[i] = x[xOff + i] - p.wMeans[c * d + i];
    let q = 0;
    for (let i = 0; i < d; i++) {
      let s = 0;
      const row = c * dd + i * d;
      for (let j = 0; j < d; j++) s += p.wPrec[row + j] * r[j];
      q += r[i] * s;
    }
    out[c] = p.wConst[c] - 0.5 * q;
  }
  return out;
}

/** Softmax of log-weights, in place; returns the array. */
export function softmaxInPlace(l: Float64Array): Float64Array {
  let mx = -Infinity;
  for (const v of l) mx = Math.max(mx, v);
  let s = 0;
  for (let i = 0; i < l.length; i++) s += l[i] = Math.exp(l[i] - mx);
  for (let i = 0; i < l.length; i++) l[i] /= s;
  return l;
}

/**
 * Mean and covariance of a mixture Σ_k w_k N(m_k, C_k): m = Σ w_k m_k, C = Σ w_k (C_k + (m_k − m)(m_k − m)ᵀ).
 * `covOf(k, out)` adds w·C_k into `out` (so diagonal and full components share one routine).
 */
export function mixtureMoments(
  w: Float64Array,
  means: Float64Array,
  d: number,
  addCov: (k: number, weight: number, out: Float64Array) => void,
): Moments {
  const k = w.length, mean = new Float64Array(d), cov = new Float64Array(d * d);
  for (let c = 0; c < k; c++) for (let i = 0; i < d; i++) mean[i] += w[c] * means[c * d + i];
  for (let c = 0; c < k; c++) {
    if (w[c] < 1e-300) continue;
    addCov(c, w[c], cov);
    for (let i = 0; i < d; i++) {
      const di = means[c * d + i] - mean[i];
      for (let j = 0; j < d; j++) cov[i * d + j] += w[c] * di * (means[c * d + j] - mean[j]);
    }
  }
  return { mean, cov };
}

/** The component means A_k x/ε + bias_k of the plan at x (k×d). */
function planMeans(p: Plan, x: Float64Array, xOff = 0): Float64Array {
  const { d, k } = p, dd = d * d, out = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < d; i++) {
      let s = p.bias[c * d + i];
      const row = c * dd + i * d;
      for (let j = 0; j < d; j++) s += (p.covs[row + j] / p.eps) * x[xOff + j];
      out[c * d + i] = s;
    }
  }
  return out;
}

/** Exact moments of the ground-truth conditional π*(·|x). */
export function planMoments(p: Plan, x: Float64Array, xOff = 0): Moments {
  const dd = p.d * p.d, w = softmaxInPlace(planLogWeights(p, x, xOff));
  return mixtureMoments(w, planMeans(p, x, xOff), p.d, (c, wt, out) => {
    for (let i = 0; i < dd; i++) out[i] += wt * p.covs[c * dd + i];
  });
}

/** tr Cov of π*(·|x) and its mean, cheaply (no d×d work beyond the means). */
function planTraceAndMean(p: Plan, x: Float64Array, xOff: number): { tr: number; mean: Float64Array } {
  const { d, k } = p, dd = d * d, w = softmaxInPlace(planLogWeights(p, x, xOff)), m = planMeans(p, x, xOff);
  const mean = new Float64Array(d);
  for (let c = 0; c < k; c++) for (let i = 0; i < d; i++) mean[i] += w[c] * m[c * d + i];
  let tr = 0;
  for (let c = 0; c < k; c++) {
    let t = 0;
    for (let i = 0; i < d; i++) t += p.covs[c * dd + i * d + i] + (m[c * d + i] - mean[i]) ** 2;
    tr += w[c] * t;
  }
  return { tr, mean };
}

/** n draws from a GMM (n×d), each component through its Cholesky factor. */
export function sampleGmm(g: Gmm, n: number, rng: Rng, la: Linalg = getLinalg()): Float64Array {
  const { k, d } = g, dd = d * d, out = new Float64Array(n * d);
  const chol = Array.from({ length: k }, (_, c) => la.cholesky(sym(d, g.covs, c * dd)).data);
  for (let s = 0; s < n; s++) {
    let u = rng.uniform(), c = 0;
    while (c < k - 1 && (u -= g.probs[c]) > 0) c++;
    const z = rng.normal(d), l = chol[c];
    for (let i = 0; i < d; i++) {
      let v = g.means[c * d + i];
      for (let j = 0; j <= i; j++) v += l[i * d + j] * z[j];
      out[s * d + i] = v;
    }
  }
  return out;
}

/** y ~ π*(·|x) for each row of x (the repo's ConditionalPlan.sample, Gumbel-max replaced by inverse CDF). */
export function samplePlan(p: Plan, x: Float64Array, rng: Rng): Float64Array {
  const { d, k } = p, dd = d * d, n = x.length / d, out = new Float64Array(n * d);
  for (let s = 0; s < n; s++) {
    const w = softmaxInPlace(planLogWeights(p, x, s * d));
    let u = rng.uniform(), c = 0;
    while (c < k - 1 && (u -= w[c]) > 0) c++;
    const z = rng.normal(d);
    for (let i = 0; i < d; i++) {
      let v = p.bias[c * d + i];
      const row = c * dd + i * d;
      for (let j = 0; j < d; j++) v += (p.covs[row + j] / p.eps) * x[s * d + j];
      for (let j = 0; j <= i; j++) v += p.chol[row + j] * z[j];
      out[s * d + i] = v;
    }
  }
  return out;
}

/** A random SPD matrix Q·diag(λ)·Qᵀ with Q Haar-orthogonal and λ uniform in [lo, hi]. */
export function randomSpd(d: number, lo: number, hi: number, rng: Rng, la: Linalg = getLinalg()): Float64Array {
  const { q, r } = la.qr(mat(d, d, rng.normal(d * d)));
  const qd = q.data as Float64Array, lam = Float64Array.from({ length: d }, () => lo + (hi - lo) * rng.uniform());
  const sign = Float64Array.from({ length: d }, (_, j) => (r.data[j * d + j] < 0 ? -1 : 1));
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += qd[i * d + t] * sign[t] * lam[t] * qd[j * d + t] * sign[t];
      out[i * d + j] = s;
    }
  }
  symmetrize(out, d);
  return out;
}

/** How an instance is drawn: component counts, spread of the means, eigenvalue range of the covariances. */
export interface InstanceSpec {
  d: number;
  eps: number;
  inputComponents: number;
  potentialComponents: number;
  /** Per-coordinate standard deviation of the component means (input and potential). */
  meanScale: number;
  /** Eigenvalues of every component covariance are uniform in this range. */
  eigRange: [number, number];
  /** The potential's covariances are further multiplied by this (e.g. c·ε, so v* is peaked at the scale of ε). */
  potentialCovScale: number;
}

/** A GMM with uniform weights, N(0, meanScale²I) means and random SPD covariances. */
export function drawGmm(d: number, k: number, s: InstanceSpec, rng: Rng, la: Linalg = getLinalg()): Gmm {
  const covs = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) covs.set(randomSpd(d, s.eigRange[0], s.eigRange[1], rng, la), c * d * d);
  const means = rng.normal(k * d).map((v) => v * s.meanScale);
  return { k, d, probs: new Float64Array(k).fill(1 / k), means, covs };
}

/** Exact moments of a single Gaussian's EOT conditional y|x = N(b + M(x − a), εM) (see gaussianEot). */
export interface GaussianPlan {
  a: Float64Array;
  b: Float64Array;
  /** M = A^{-½}[(A^{½}BA^{½} + ε²/4·I)^{½} − ε/2·I]A^{-½} (symmetric). */
  m: Float64Array;
  eps: number;
}

/**
 * The closed-form EOT plan between N(a, A) and N(b, B) for the cost ½‖x − y‖² and entropy weight ε: the joint is
 * Gaussian with y|x = N(b + M(x − a), εM), where M solves MAM + εM = B (the marginal constraint, with the plan's
 * cross-precision fixed at I/ε), i.e. M = A^{-½}[(A^{½}BA^{½} + ε²/4·I)^{½} − ε/2·I]A^{-½}
 * (Janati et al. 2020; Mallasto et al. 2022, in our parameterisation). ε → 0 gives the Bures OT map.
 */
export function gaussianEot(
  a: Float64Array,
  aCov: Float64Array,
  b: Float64Array,
  bCov: Float64Array,
  eps: number,
  la: Linalg = getLinalg(),
): GaussianPlan {
  const d = a.length;
  const ah = eighFn(mat(d, d, aCov), Math.sqrt, { la, domain: "positive", what: "gaussianEot A" }).data as Float64Array;
  const ahInv = eighFn(mat(d, d, aCov), (x) => 1 / Math.sqrt(x), { la, domain: "positive" }).data as Float64Array;
  const inner = matmul(matmul(ah, bCov, d), ah, d);
  for (let i = 0; i < d; i++) inner[i * d + i] += (eps * eps) / 4;
  const root = eighFn(mat(d, d, inner), (x) => Math.sqrt(Math.max(x, 0)), { la }).data as Float64Array;
  for (let i = 0; i < d; i++) root[i * d + i] -= eps / 2;
  const m = matmul(matmul(ahInv, root, d), ahInv, d);
  symmetrize(m, d);
  return { a, b, m, eps };
}

/** y|x moments of a Gaussian EOT plan. */
export function gaussianPlanMoments(g: GaussianPlan, x: Float64Array, xOff = 0): Moments {
  const d = g.a.length, mean = Float64Array.from(g.b);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) mean[i] += g.m[i * d + j] * (x[xOff + j] - g.a[j]);
  return { mean, cov: g.m.map((v) => v * g.eps) };
}

/** C = A·B for d×d row-major arrays. */
export const matmul = (a: Float64Array, b: Float64Array, d: number): Float64Array => matmulSmall(a, b, d, d, d);

/** Sample mean and covariance (1/(n−1), as np.cov) of the rows of x (n×d). */
export const sampleMoments = (x: Float64Array, d: number): Moments => meanCov(x, x.length / d, d);

/** The benchmark's BW² (with its ½ factors) between a model conditional and the truth, given √Σ_true. */
export function bw2(model: Moments, truth: Moments, truthSqrt: Float64Array, la: Linalg = getLinalg()): number {
  const d = model.mean.length;
  let mu = 0, trM = 0, trT = 0;
  for (let i = 0; i < d; i++) {
    mu += (model.mean[i] - truth.mean[i]) ** 2;
    trM += model.cov[i * d + i];
    trT += truth.cov[i * d + i];
  }
  const inner = matmul(matmul(truthSqrt, model.cov, d), truthSqrt, d);
  symmetrize(inner, d);
  const { values } = la.eigh(mat(d, d, inner));
  let cross = 0;
  for (const v of values) cross += Math.sqrt(Math.max(v, 0));
  return 0.5 * mu + 0.5 * trM + 0.5 * trT - cross;
}

/** A benchmark pair: input GMM, potential, its plan, test inputs with their exact conditionals, and ½ tr Var(P₁). */
export interface Instance {
  spec: InstanceSpec;
  input: Gmm;
  potential: Gmm;
  plan: Plan;
  /** Test inputs (nTest×d) and the exact moments (and √cov) of π*(·|x) at each. */
  xTest: Float64Array;
  truth: Moments[];
  truthSqrt: Float64Array[];
  /** tr Var(P₁) by the law of total variance over `nVar` input draws (exact conditional moments). */
  yVar: number;
}

/** Draw an instance: input and potential GMMs, the exact plan, test inputs and the normaliser ½ tr Var(P₁). */
export function drawInstance(
  spec: InstanceSpec,
  o: { nTest: number; nVar: number },
  rng: Rng,
  la: Linalg = getLinalg(),
): Instance {
  const { d } = spec;
  const input = drawGmm(d, spec.inputComponents, spec, rng.split("input"), la);
  const potential = drawGmm(d, spec.potentialComponents, spec, rng.split("potential"), la);
  potential.covs = potential.covs.map((v) => v * spec.potentialCovScale);
  const plan = makePlan(potential, spec.eps, la);
  const xTest = sampleGmm(input, o.nTest, rng.split("test"), la);
  const truth: Moments[] = [], truthSqrt: Float64Array[] = [];
  for (let s = 0; s < o.nTest; s++) {
    const m = planMoments(plan, xTest, s * d);
    truth.push(m);
    truthSqrt.push(eighFn(mat(d, d, m.cov), (v) => Math.sqrt(Math.max(v, 0)), { la }).data as Float64Array);
  }
  const xv = sampleGmm(input, o.nVar, rng.split("var"), la);
  let trIn = 0;
  const means = new Float64Array(o.nVar * d);
  for (let s = 0; s < o.nVar; s++) {
    const t = planTraceAndMean(plan, xv, s * d);
    trIn += t.tr / o.nVar;
    means.set(t.mean, s * d);
  }
  const mc = sampleMoments(means, d);
  let trOut = 0;
  for (let i = 0; i < d; i++) trOut += mc.cov[i * d + i];
  return { spec, input, potential, plan, xTest, truth, truthSqrt, yVar: trIn + trOut };
}

/** cBW²₂-UVP (%) of a model given its conditional moments at each test input. */
export function cbwUvp(inst: Instance, model: (s: number) => Moments, la: Linalg = getLinalg()): number {
  const n = inst.truth.length;
  let s = 0;
  for (let t = 0; t < n; t++) s += bw2(model(t), inst.truth[t], inst.truthSqrt[t], la);
  return (100 * (s / n)) / (0.5 * inst.yVar);
}

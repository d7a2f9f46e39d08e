/**
 * The convex reformulation of two-layer ReLU training with squared loss (Pilanci & Ergen 2020; Bai, Gautam &
 * Sojoudi eq. (2.3)-style, over a set of activation patterns D_1 … D_P):
 *
 *   min_{v_i, w_i}  ½‖Σ_i D_i X (v_i − w_i) − y‖² + β Σ_i (‖v_i‖ + ‖w_i‖)
 *   s.t.            (2D_i − I) X v_i ≥ 0,  (2D_i − I) X w_i ≥ 0.
 *
 * Variables are stored as one Float64Array of 2·P·d numbers: block i of v at [i·d, (i+1)·d), block i of w at
 * [(P + i)·d, …). With F u = Σ_i D_i X (v_i − w_i) and G u = ((2D_i − I) X u_j)_j, the solvers below are
 * - {@link admm}: the paper's ADMM (u = v split for the group norm, s = G u split for the cone constraint), whose
 *   u-step solves (I + F'F/ρ + G'G) u = b with factors cached once: G'G = blockdiag(X'X), so by the matrix
 *   inversion lemma only the d×d Cholesky of I + X'X and the n×n Cholesky of ρI + 2 (X(I+X'X)⁻¹X') ∘ (DD') are
 *   needed (both once per ρ); each iteration then costs O(ndP + n²).
 * - {@link pdhg}: a first-order primal-dual method (Condat–Vũ) on the same program: gradient of the loss,
 *   group soft-threshold, and a projected dual ascent on the cone constraint; no linear solves.
 * Every iterate is scored by the objective of the two-layer network it defines (recoverNet): for a feasible
 * point it equals the convex objective.
 */
import type { Linalg, Mat } from "../../lib/math/linalg/types.ts";
import type { Rng } from "../../lib/math/rng.ts";

/** One problem instance: features X (n × d, row-major), labels y ∈ {±1}ⁿ, P patterns as an n × P 0/1 matrix. */
export interface Problem {
  x: Mat<Float64Array>;
  y: Float64Array;
  /** D[k·P + i] = 1 when example k is active in pattern i. */
  dmask: Float64Array;
  p: number;
  beta: number;
}

const mat = (rows: number, cols: number, data: Float64Array = new Float64Array(rows * cols)): Mat<Float64Array> => ({
  rows,
  cols,
  data,
});

/** P activation patterns diag(1[X g ≥ 0]) with g ~ N(0, I) (the paper's sampled patterns). */
export function samplePatterns(x: Mat<Float64Array>, p: number, rng: Rng): Float64Array {
  const { rows: n, cols: d } = x;
  const out = new Float64Array(n * p);
  for (let i = 0; i < p; i++) {
    const g = rng.normal(d);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x.data[k * d + j] * g[j];
      out[k * p + i] = s >= 0 ? 1 : 0;
    }
  }
  return out;
}

/** The blocks of u (2P × d) times X': the n × 2P matrix whose column j is X u_j. */
function xTimesBlocks(la: Linalg, x: Mat<Float64Array>, u: Float64Array, p: number): Mat<Float64Array> {
  return la.matmul(x, mat(2 * p, x.cols, u), { transB: true }) as Mat<Float64Array>;
}

/** F u = Σ_i D_i X (v_i − w_i), given XU = X u (n × 2P). */
function fFromXU(xu: Mat<Float64Array>, dmask: Float64Array, p: number): Float64Array {
  const n = xu.rows, out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = 0; i < p; i++) s += dmask[k * p + i] * (xu.data[k * 2 * p + i] - xu.data[k * 2 * p + p + i]);
    out[k] = s;
  }
  return out;
}

/** X' Z for an n × 2P Z, returned as 2P blocks of length d (the layout of u). */
function xtBlocks(la: Linalg, x: Mat<Float64Array>, z: Mat<Float64Array>): Float64Array {
  const r = la.matmul(z, x, { transA: true }) as Mat<Float64Array>; // 2P × d
  return r.data;
}

/** F' r: block v_i gets X'(d_i ∘ r), block w_i its negative. */
function fT(la: Linalg, x: Mat<Float64Array>, dmask: Float64Array, p: number, r: Float64Array): Float64Array {
  const n = x.rows, z = mat(n, 2 * p);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < p; i++) {
      const v = dmask[k * p + i] * r[k];
      z.data[k * 2 * p + i] = v;
      z.data[k * 2 * p + p + i] = -v;
    }
  }
  return xtBlocks(la, x, z);
}

/** G u as an n × 2P matrix: column j is (2D_j − I) X u_j (pattern of block j mod P). */
function gFromXU(xu: Mat<Float64Array>, dmask: Float64Array, p: number): Float64Array {
  const n = xu.rows, out = new Float64Array(n * 2 * p);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < 2 * p; j++) {
      out[k * 2 * p + j] = (2 * dmask[k * p + (j % p)] - 1) * xu.data[k * 2 * p + j];
    }
  }
  return out;
}

/** G' z for an n × 2P z. */
function gT(la: Linalg, x: Mat<Float64Array>, dmask: Float64Array, p: number, z: Float64Array): Float64Array {
  const n = x.rows, e = mat(n, 2 * p);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < 2 * p; j++) e.data[k * 2 * p + j] = (2 * dmask[k * p + (j % p)] - 1) * z[k * 2 * p + j];
  }
  return xtBlocks(la, x, e);
}

/** Group soft-threshold of each length-d block: max(0, 1 − t/‖b‖) b. */
export function groupShrink(u: Float64Array, d: number, t: number): Float64Array {
  const out = new Float64Array(u.length);
  for (let s = 0; s < u.length; s += d) {
    let nn = 0;
    for (let j = 0; j < d; j++) nn += u[s + j] ** 2;
    const norm = Math.sqrt(nn), f = norm > t ? 1 - t / norm : 0;
    for (let j = 0; j < d; j++) out[s + j] = f * u[s + j];
  }
  return out;
}

function groupNormSum(u: Float64Array, d: number): number {
  let tot = 0;
  for (let s = 0; s < u.length; s += d) {
    let nn = 0;
    for (let j = 0; j < d; j++) nn += u[s + j] ** 2;
    tot += Math.sqrt(nn);
  }
  return tot;
}

/** Convex objective ½‖Fu − y‖² + β Σ‖u_j‖ (ignores the cone constraints). */
export function convexObjective(la: Linalg, pr: Problem, u: Float64Array): number {
  const f = fFromXU(xTimesBlocks(la, pr.x, u, pr.p), pr.dmask, pr.p);
  let l = 0;
  for (let k = 0; k < f.length; k++) l += (f[k] - pr.y[k]) ** 2;
  return 0.5 * l + pr.beta * groupNormSum(u, pr.x.cols);
}

/** Largest violation of the cone constraints, max(0, −min G u), relative to max |X u|. */
export function infeasibility(la: Linalg, pr: Problem, u: Float64Array): number {
  const xu = xTimesBlocks(la, pr.x, u, pr.p), g = gFromXU(xu, pr.dmask, pr.p);
  let worst = 0, scale = 0;
  for (let k = 0; k < g.length; k++) {
    worst = Math.max(worst, -g[k]);
    scale = Math.max(scale, Math.abs(g[k]));
  }
  return scale > 0 ? worst / scale : 0;
}

/**
 * The two-layer net a convex point defines (paper Thm. 2.1 / Pilanci–Ergen): a neuron per nonzero block,
 * first-layer weights u_j/√‖u_j‖ and output weight ±√‖u_j‖ (+ for v blocks, − for w blocks). Returns the first
 * layer as d × m (columns are neurons) and the output weights.
 */
export function recoverNet(u: Float64Array, d: number, p: number): Net {
  const cols: number[][] = [], alpha: number[] = [];
  for (let j = 0; j < 2 * p; j++) {
    const b = u.subarray(j * d, (j + 1) * d);
    let nn = 0;
    for (let t = 0; t < d; t++) nn += b[t] * b[t];
    const norm = Math.sqrt(nn);
    if (norm === 0) continue;
    const s = Math.sqrt(norm);
    cols.push(Array.from(b, (v) => v / s));
    alpha.push(j < p ? s : -s);
  }
  const m = alpha.length, w1 = new Float64Array(d * Math.max(m, 1));
  for (let c = 0; c < m; c++) for (let t = 0; t < d; t++) w1[t * m + c] = cols[c][t];
  return { w1: mat(d, m, m ? w1 : new Float64Array(0)), alpha: Float64Array.from(alpha) };
}

/** A two-layer ReLU net f(x) = Σ_j α_j (x'W_j)₊ (bias via a constant feature). */
export interface Net {
  w1: Mat<Float64Array>;
  alpha: Float64Array;
}

/** Outputs of the net on the rows of x. */
export function netForward(la: Linalg, net: Net, x: Mat<Float64Array>): Float64Array {
  const m = net.alpha.length, out = new Float64Array(x.rows);
  if (m === 0) return out;
  const z = la.matmul(x, net.w1) as Mat<Float64Array>;
  for (let k = 0; k < x.rows; k++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.max(0, z.data[k * m + j]) * net.alpha[j];
    out[k] = s;
  }
  return out;
}

/** The nonconvex training objective ½‖f(X) − y‖² + (β/2)(‖W‖²_F + ‖α‖²). */
export function netObjective(la: Linalg, net: Net, x: Mat<Float64Array>, y: Float64Array, beta: number): number {
  const f = netForward(la, net, x);
  let l = 0, r = 0;
  for (let k = 0; k < f.length; k++) l += (f[k] - y[k]) ** 2;
  for (const v of net.w1.data) r += v * v;
  for (const v of net.alpha) r += v * v;
  return 0.5 * l + 0.5 * beta * r;
}

/** Fraction of rows where sign(f(x)) matches y (f = 0 counts as +1). */
export function netAccuracy(la: Linalg, net: Net, x: Mat<Float64Array>, y: Float64Array): number {
  const f = netForward(la, net, x);
  let ok = 0;
  for (let k = 0; k < f.length; k++) if ((f[k] >= 0 ? 1 : -1) === y[k]) ok++;
  return ok / f.length;
}

/** What a solver hands to its monitor at a checkpoint: iteration, seconds so far (monitoring excluded), net. */
export type Monitor = (iter: number, seconds: number, net: Net, u?: Float64Array) => void;

/** Cached factors of the ADMM u-step for one ρ. */
export interface UStep {
  rho: number;
  /** Lower Cholesky factor of H = I + X'X (d × d). */
  lh: Mat<Float64Array>;
  /** Lower Cholesky factor of K = ρI + 2 (X H⁻¹ X') ∘ (D D') (n × n). */
  lk: Mat<Float64Array>;
}

/** Factor the u-step system once (the paper's cached Cholesky). */
export function factorUStep(la: Linalg, pr: Problem, rho: number): UStep {
  const { x } = pr, n = x.rows, d = x.cols, p = pr.p;
  const h = la.matmul(x, x, { transA: true }) as Mat<Float64Array>;
  for (let j = 0; j < d; j++) h.data[j * d + j] += 1;
  const lh = la.cholesky(h) as Mat<Float64Array>;
  const xt = mat(d, n);
  for (let k = 0; k < n; k++) for (let j = 0; j < d; j++) xt.data[j * n + k] = x.data[k * d + j];
  const hx = la.choSolve(lh, xt) as Mat<Float64Array>; // H⁻¹X' (d × n)
  const m = la.matmul(x, hx) as Mat<Float64Array>; // X H⁻¹ X'
  const dm = mat(n, p, pr.dmask);
  const s = la.matmul(dm, dm, { transB: true }) as Mat<Float64Array>; // D D'
  const k = mat(n, n);
  for (let t = 0; t < n * n; t++) k.data[t] = 2 * m.data[t] * s.data[t];
  for (let t = 0; t < n; t++) k.data[t * n + t] += rho;
  return { rho, lh, lk: la.cholesky(k) as Mat<Float64Array> };
}

/** B⁻¹ b with B = blockdiag(H): H⁻¹ applied to each of the 2P blocks. */
function hInvBlocks(la: Linalg, lh: Mat<Float64Array>, b: Float64Array, blocks: number): Float64Array {
  const d = lh.rows, bt = mat(d, blocks);
  for (let j = 0; j < blocks; j++) for (let t = 0; t < d; t++) bt.data[t * blocks + j] = b[j * d + t];
  const r = la.choSolve(lh, bt) as Mat<Float64Array>;
  const out = new Float64Array(b.length);
  for (let j = 0; j < blocks; j++) for (let t = 0; t < d; t++) out[j * d + t] = r.data[t * blocks + j];
  return out;
}

/** Solve (I + F'F/ρ + G'G) u = b by the matrix inversion lemma with the cached factors. */
export function solveUStep(la: Linalg, pr: Problem, f: UStep, b: Float64Array): Float64Array {
  const p = pr.p, n = pr.x.rows;
  const z = hInvBlocks(la, f.lh, b, 2 * p);
  const fz = fFromXU(xTimesBlocks(la, pr.x, z, p), pr.dmask, p);
  const t = la.choSolve(f.lk, mat(n, 1, fz)) as Mat<Float64Array>;
  const corr = hInvBlocks(la, f.lh, fT(la, pr.x, pr.dmask, p, t.data), 2 * p);
  for (let j = 0; j < z.length; j++) z[j] -= corr[j];
  return z;
}

/** The u-step matrix I + F'F/ρ + G'G built densely (2Pd × 2Pd), for tests on small problems. */
export function denseUStepMatrix(la: Linalg, pr: Problem, rho: number): Mat<Float64Array> {
  const dim = 2 * pr.p * pr.x.cols, a = mat(dim, dim);
  for (let c = 0; c < dim; c++) {
    const e = new Float64Array(dim);
    e[c] = 1;
    const xu = xTimesBlocks(la, pr.x, e, pr.p);
    const fe = fT(la, pr.x, pr.dmask, pr.p, fFromXU(xu, pr.dmask, pr.p));
    const ge = gT(la, pr.x, pr.dmask, pr.p, gFromXU(xu, pr.dmask, pr.p));
    for (let r = 0; r < dim; r++) a.data[r * dim + c] = e[r] + fe[r] / rho + ge[r];
  }
  return a;
}

/** ADMM result: the final v (group-sparse, the variable the net is read from) and u. */
export interface ConvexResult {
  v: Float64Array;
  u: Float64Array;
  iters: number;
}

/**
 * ADMM on the convex program (scaled form, unit dual step):
 *   u ← (I + F'F/ρ + G'G)⁻¹ (F'y/ρ + v − λ + G'(s − ν));  v ← shrink(u + λ, β/ρ);  s ← (Gu + ν)₊;
 *   λ ← λ + u − v;  ν ← ν + Gu − s.
 * `every` sets how often `monitor` sees the net read from v.
 */
export function admm(
  la: Linalg,
  pr: Problem,
  o: { rho: number; iters: number; factor?: UStep; monitor?: Monitor; every?: number },
): ConvexResult {
  const p = pr.p, n = pr.x.rows, d = pr.x.cols, dim = 2 * p * d;
  let clock = performance.now();
  let elapsed = 0;
  const f = o.factor ?? factorUStep(la, pr, o.rho);
  const fty = fT(la, pr.x, pr.dmask, p, pr.y);
  let u: Float64Array = new Float64Array(dim), v: Float64Array = new Float64Array(dim);
  const lam = new Float64Array(dim), s = new Float64Array(n * 2 * p), nu = new Float64Array(n * 2 * p);
  const pause = (it: number) => {
    elapsed += (performance.now() - clock) / 1000;
    o.monitor?.(it, elapsed, recoverNet(v, d, p), v);
    clock = performance.now();
  };
  if (o.monitor) pause(0);
  for (let it = 1; it <= o.iters; it++) {
    const sm = new Float64Array(n * 2 * p);
    for (let t = 0; t < sm.length; t++) sm[t] = s[t] - nu[t];
    const gts = gT(la, pr.x, pr.dmask, p, sm);
    const b = new Float64Array(dim);
    for (let t = 0; t < dim; t++) b[t] = fty[t] / o.rho + v[t] - lam[t] + gts[t];
    u = solveUStep(la, pr, f, b);
    const ul = new Float64Array(dim);
    for (let t = 0; t < dim; t++) ul[t] = u[t] + lam[t];
    v = groupShrink(ul, d, pr.beta / o.rho);
    const gu = gFromXU(xTimesBlocks(la, pr.x, u, p), pr.dmask, p);
    for (let t = 0; t < gu.length; t++) {
      const w = gu[t] + nu[t];
      s[t] = w > 0 ? w : 0;
      nu[t] = w - s[t];
    }
    for (let t = 0; t < dim; t++) lam[t] += u[t] - v[t];
    if (o.monitor && (it % (o.every ?? 1) === 0 || it === o.iters)) pause(it);
  }
  return { v, u, iters: o.iters };
}

/** ‖A‖² by power iteration on A'A (apply: x ↦ A'A x). */
function powerNormSq(apply: (x: Float64Array) => Float64Array, dim: number, rng: Rng, iters = 50): number {
  let x: Float64Array = rng.normal(dim), lam = 0;
  for (let t = 0; t < iters; t++) {
    const nx = Math.sqrt(x.reduce((a, b) => a + b * b, 0));
    for (let j = 0; j < dim; j++) x[j] /= nx;
    const y = apply(x);
    lam = x.reduce((a, b, j) => a + b * y[j], 0);
    x = y;
  }
  return lam;
}

/**
 * Condat–Vũ primal-dual splitting on the same program, with the loss's gradient explicit:
 *   u⁺ = shrink(u − τ(F'(Fu − y) + G'z), τβ);  z⁺ = min(0, z + σ G(2u⁺ − u)),
 * z the multiplier of the cone Gu ≥ 0 (f = ι_{≥0}, f* = ι_{≤0}). Steps: σ = κ L/(2‖X‖²),
 * τ = 0.99/(L/2 + σ‖X‖²) with L = ‖F‖², which satisfies 1/τ − σ‖G‖² ≥ L/2 (‖G‖ = ‖X‖).
 */
export function pdhg(
  la: Linalg,
  pr: Problem,
  o: { kappa: number; iters: number; rng: Rng; monitor?: Monitor; every?: number },
): ConvexResult {
  const p = pr.p, n = pr.x.rows, d = pr.x.cols, dim = 2 * p * d;
  let clock = performance.now();
  let elapsed = 0;
  const lF = powerNormSq(
    (z) => fT(la, pr.x, pr.dmask, p, fFromXU(xTimesBlocks(la, pr.x, z, p), pr.dmask, p)),
    dim,
    o.rng,
  );
  const xtx = la.matmul(pr.x, pr.x, { transA: true }) as Mat<Float64Array>;
  const lX = powerNormSq((z) => (la.matmul(xtx, mat(d, 1, z)) as Mat<Float64Array>).data, d, o.rng);
  const sigma = o.kappa * lF / (2 * lX), tau = 0.99 / (lF / 2 + sigma * lX);
  let u: Float64Array = new Float64Array(dim);
  const z = new Float64Array(n * 2 * p);
  let xu = xTimesBlocks(la, pr.x, u, p);
  const pause = (it: number) => {
    elapsed += (performance.now() - clock) / 1000;
    o.monitor?.(it, elapsed, recoverNet(u, d, p), u);
    clock = performance.now();
  };
  if (o.monitor) pause(0);
  for (let it = 1; it <= o.iters; it++) {
    const r = fFromXU(xu, pr.dmask, p);
    for (let k = 0; k < n; k++) r[k] -= pr.y[k];
    const gr = fT(la, pr.x, pr.dmask, p, r), gz = gT(la, pr.x, pr.dmask, p, z);
    const step = new Float64Array(dim);
    for (let t = 0; t < dim; t++) step[t] = u[t] - tau * (gr[t] + gz[t]);
    const un = groupShrink(step, d, tau * pr.beta);
    const xun = xTimesBlocks(la, pr.x, un, p);
    const g2 = gFromXU(xun, pr.dmask, p), g1 = gFromXU(xu, pr.dmask, p);
    for (let t = 0; t < z.length; t++) z[t] = Math.min(0, z[t] + sigma * (2 * g2[t] - g1[t]));
    u = un;
    xu = xun;
    if (o.monitor && (it % (o.every ?? 1) === 0 || it === o.iters)) pause(it);
  }
  return { v: u, u, iters: o.iters };
}

/**
 * Full-batch Adam on the nonconvex objective ½‖(XW)₊α − y‖² + (β/2)(‖W‖² + ‖α‖²) with m neurons, initialised
 * as PyTorch's nn.Linear (U(−1/√fan_in, 1/√fan_in)); β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
 */
export function adamNet(
  la: Linalg,
  x: Mat<Float64Array>,
  y: Float64Array,
  beta: number,
  o: { m: number; lr: number; iters: number; rng: Rng; monitor?: Monitor; every?: number },
): Net {
  const d = x.cols, m = o.m;
  let clock = performance.now();
  let elapsed = 0;
  const w = mat(d, m), a = new Float64Array(m);
  for (let t = 0; t < d * m; t++) w.data[t] = (2 * o.rng.uniform() - 1) / Math.sqrt(d);
  for (let j = 0; j < m; j++) a[j] = (2 * o.rng.uniform() - 1) / Math.sqrt(m);
  const mw = new Float64Array(d * m), vw = new Float64Array(d * m), ma = new Float64Array(m), va = new Float64Array(m);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const net = { w1: w, alpha: a };
  const pause = (it: number) => {
    elapsed += (performance.now() - clock) / 1000;
    o.monitor?.(it, elapsed, { w1: mat(d, m, w.data.slice()), alpha: a.slice() });
    clock = performance.now();
  };
  if (o.monitor) pause(0);
  for (let it = 1; it <= o.iters; it++) {
    const g = netGradient(la, net, x, y, beta);
    const c1 = 1 - b1 ** it, c2 = 1 - b2 ** it;
    for (let t = 0; t < d * m; t++) {
      const gt = g.w1[t];
      mw[t] = b1 * mw[t] + (1 - b1) * gt;
      vw[t] = b2 * vw[t] + (1 - b2) * gt * gt;
      w.data[t] -= o.lr * (mw[t] / c1) / (Math.sqrt(vw[t] / c2) + eps);
    }
    for (let j = 0; j < m; j++) {
      const gj = g.alpha[j];
      ma[j] = b1 * ma[j] + (1 - b1) * gj;
      va[j] = b2 * va[j] + (1 - b2) * gj * gj;
      a[j] -= o.lr * (ma[j] / c1) / (Math.sqrt(va[j] / c2) + eps);
    }
    if (o.monitor && (it % (o.every ?? 1) === 0 || it === o.iters)) pause(it);
  }
  return net;
}

/** Gradient of the nonconvex objective (for the finite-difference test of adamNet's backward pass). */
export function netGradient(
  la: Linalg,
  net: Net,
  x: Mat<Float64Array>,
  y: Float64Array,
  beta: number,
): { w1: Float64Array; alpha: Float64Array } {
  const n = x.rows, m = net.alpha.length;
  const z = la.matmul(x, net.w1) as Mat<Float64Array>;
  const r = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.max(0, z.data[k * m + j]) * net.alpha[j];
    r[k] = s - y[k];
  }
  const ga = new Float64Array(m), dz = mat(n, m);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < m; j++) {
      const zz = z.data[k * m + j];
      if (zz > 0) {
        ga[j] += zz * r[k];
        dz.data[k * m + j] = r[k] * net.alpha[j];
      }
    }
  }
  const gw = (la.matmul(x, dz, { transA: true }) as Mat<Float64Array>).data;
  for (let t = 0; t < gw.length; t++) gw[t] += beta * net.w1.data[t];
  for (let j = 0; j < m; j++) ga[j] += beta * net.alpha[j];
  return { w1: gw, alpha: ga };
}
